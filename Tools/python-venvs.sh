# Sourced by the Tools/ scripts that need Python packages (not run by itself):
# Tools/spark-privatize.sh, Tools/test-python.sh, Tools/build-glove-store.sh,
# Tools/downstream-utility.sh, Tools/plot-evaluation.sh, Tools/build-bench-corpus.sh.
#
# Every venv is made from a pinned requirements file, Tools/requirements/<purpose>.txt
# (see Tools/requirements/README.md); a package has the same version in every file.
#
# ensure_requirements_venv DIR PURPOSE: ensure_venv DIR with the pins of
#   Tools/requirements/PURPOSE.txt.
# ensure_venv DIR PIN...: creates or reuses the venv DIR with exactly these pins
#   (recorded in DIR/.pins; a change of pins, or an interpreter that does not
#   run, rebuilds it) and sets VENV_PY to its interpreter. A pin may be a pip
#   option such as --only-binary=:all:. Each venv holds a .gitignore of '*', so
#   it is never committed whatever the repository says.
# requirements_pins PURPOSE: prints the pins of Tools/requirements/PURPOSE.txt,
#   one a line (comments and blank lines dropped).
# self_ignore DIR: makes DIR and a .gitignore of '*' in it, for download caches.
# ensure_java: Java 17+ for PySpark 4, installing Debian's default-jre-headless
#   with apt-get when `java` is missing.
# SPARK_PINS, TEST_PINS: the pins of spark.txt and test.txt, as arrays.
VENV_TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"

requirements_pins() {
    local file="$VENV_TOOLS_DIR/requirements/$1.txt"
    [ -f "$file" ] || { echo "error: no requirements file $file" >&2; return 1; }
    sed -e 's/[[:space:]]*#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$file"
}

mapfile -t SPARK_PINS < <(requirements_pins spark)
mapfile -t TEST_PINS < <(requirements_pins test)

venv_sudo() { [ "$(id -u)" -eq 0 ] || echo sudo; }

self_ignore() {
    mkdir -p "$1"
    [ -f "$1/.gitignore" ] || printf '# Made by Tools/%s; never commit this folder.\n*\n' "$(basename -- "$0")" >"$1/.gitignore"
}

ensure_java() {
    if ! command -v java >/dev/null 2>&1; then
        echo "java not found; installing default-jre-headless with apt-get …" >&2
        $(venv_sudo) apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $(venv_sudo) apt-get install -y -qq default-jre-headless >/dev/null
    fi
    local version
    version="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
    if [ -z "$version" ] || [ "$version" -lt 17 ]; then
        echo "error: PySpark 4 needs Java 17 or later; 'java -version' says ${version:-nothing}. Install openjdk-17-jre-headless (or newer) and put it first on PATH." >&2
        return 1
    fi
}

ensure_venv() {
    local venv="$1"; shift
    local pins="$*"
    VENV_PY="$venv/bin/python"
    if [ -x "$VENV_PY" ] && [ "$(cat "$venv/.pins" 2>/dev/null)" = "$pins" ] && "$VENV_PY" -c '' 2>/dev/null; then
        return 0
    fi
    command -v python3 >/dev/null || { echo "error: python3 is needed (apt-get install python3 python3-venv)" >&2; return 1; }
    echo "Creating $venv with $pins …" >&2
    rm -rf "$venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
        rm -rf "$venv"
        echo "python3 -m venv failed; installing python3-venv with apt-get …" >&2
        $(venv_sudo) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(venv_sudo) apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$venv"
    fi
    printf '# Made by Tools/python-venvs.sh; never commit this folder.\n*\n' >"$venv/.gitignore"
    "$VENV_PY" -m pip install -q --disable-pip-version-check "$@"
    printf '%s' "$pins" >"$venv/.pins"
}

ensure_requirements_venv() {
    local venv="$1" pins
    mapfile -t pins < <(requirements_pins "$2")
    [ ${#pins[@]} -gt 0 ] || { echo "error: Tools/requirements/$2.txt pins nothing" >&2; return 1; }
    ensure_venv "$venv" "${pins[@]}"
}
