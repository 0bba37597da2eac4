# Sourced by Tools/downstream-utility.sh and Tools/plot-evaluation.sh (not run by itself).
# Creates or reuses the Python venv Tools/.venv-eval with the pinned packages
# below and sets EVAL_PY to its interpreter. The venv is reinstalled when the
# pins change (they are recorded in Tools/.venv-eval/.pins). The venv and the
# data cache Tools/.cache-eval/ each contain a .gitignore of '*', so they are
# never committed whatever the repository's .gitignore says.
#
# Pins: versions with wheels for CPython 3.11 (also 3.12 and 3.13) on Linux x86-64/arm64.
EVAL_PINS=("numpy==2.3.5" "scipy==1.16.3" "scikit-learn==1.7.2" "matplotlib==3.10.8")

EVAL_TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
EVAL_VENV="$EVAL_TOOLS_DIR/.venv-eval"
EVAL_CACHE="$EVAL_TOOLS_DIR/.cache-eval"

eval_self_ignore() {
    mkdir -p "$1"
    [ -f "$1/.gitignore" ] || printf '# Made by Tools/eval-venv.sh; never commit this folder.\n*\n' >"$1/.gitignore"
}

ensure_eval_venv() {
    local pins="${EVAL_PINS[*]}"
    if [ -x "$EVAL_VENV/bin/python" ] && [ "$(cat "$EVAL_VENV/.pins" 2>/dev/null)" = "$pins" ]; then
        EVAL_PY="$EVAL_VENV/bin/python"
        return 0
    fi
    command -v python3 >/dev/null || { echo "error: python3 is needed (apt-get install python3 python3-venv)" >&2; return 1; }
    echo "Creating $EVAL_VENV with $pins …" >&2
    rm -rf "$EVAL_VENV"
    if ! python3 -m venv "$EVAL_VENV" 2>/dev/null; then
        rm -rf "$EVAL_VENV"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        echo "python3 -m venv failed; installing python3-venv with apt-get …" >&2
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$EVAL_VENV"
    fi
    eval_self_ignore "$EVAL_VENV"
    "$EVAL_VENV/bin/python" -m pip install -q --disable-pip-version-check "${EVAL_PINS[@]}"
    printf '%s' "$pins" >"$EVAL_VENV/.pins"
    EVAL_PY="$EVAL_VENV/bin/python"
}
