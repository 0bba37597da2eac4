#!/usr/bin/env bash
# Plots a dptext evaluation folder: reads DIR/deniability.csv, DIR/utility.csv
# and DIR/word_utility.csv (whichever exist) and writes PNGs beside them.
#
# Usage: Tools/plot-evaluation.sh DIR [--out PNG_DIR] [--dpi 120]
#   All arguments go to Tools/plot_evaluation.py (--help lists them and the files).
#
# Needs: python3 with venv; network access to PyPI on the first run, which
# creates Tools/.venv-eval from Tools/requirements/eval.txt (shared with
# Tools/downstream-utility.sh; never committed).
set -euo pipefail
TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=Tools/python-venvs.sh
source "$TOOLS_DIR/python-venvs.sh"
ensure_requirements_venv "$TOOLS_DIR/.venv-eval" eval
MPLBACKEND=Agg exec "$VENV_PY" "$TOOLS_DIR/plot_evaluation.py" "$@"
