#!/usr/bin/env bash
# Plots a dptext evaluation folder: reads DIR/deniability.csv, DIR/utility.csv
# and DIR/word_utility.csv (whichever exist) and writes PNGs beside them.
#
# Usage: Tools/plot-evaluation.sh DIR [--out PNG_DIR] [--dpi 120]
#   All arguments go to Tools/plot_evaluation.py (--help lists them and the files).
#
# Needs: python3 with venv; network access to PyPI on the first run, which
# creates Tools/.venv-eval (shared with Tools/downstream-utility.sh; never committed).
set -euo pipefail
source "$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)/eval-venv.sh"
ensure_eval_venv
MPLBACKEND=Agg exec "$EVAL_PY" "$EVAL_TOOLS_DIR/plot_evaluation.py" "$@"
