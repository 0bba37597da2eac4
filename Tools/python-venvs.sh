# Sourced by Tools/spark-privatize.sh and Tools/test-python.sh (not run by itself).
# ensure_java: Java 17+ for PySpark 4, installing Debian's default-jre-headless
# with apt-get when `java` is missing. ensure_venv DIR PIN...: creates or reuses
# the venv DIR with exactly these pins (recorded in DIR/.pins; a change of pins
# rebuilds it) and sets VENV_PY to its interpreter. Each venv holds a
# .gitignore of '*', so it is never committed whatever the repository says.
#
# Pins: PySpark 4.1.1 (Java 17/21, CPython 3.10-3.13); pytest and datasets
# (which brings pyarrow and pandas) only for the tests.
SPARK_PINS=("pyspark==4.1.1")
TEST_PINS=("pyspark==4.1.1" "pytest==9.2.0" "datasets==5.2.0")

venv_sudo() { [ "$(id -u)" -eq 0 ] || echo sudo; }

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
    if [ -x "$VENV_PY" ] && [ "$(cat "$venv/.pins" 2>/dev/null)" = "$pins" ]; then
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
