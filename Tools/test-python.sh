#!/usr/bin/env bash
# The Python side's tests: the client (Tools/python), the Spark job
# (Tools/spark) and the installer (Tools/tests), with pytest in
# Tools/.venv-python (made on first use, with PySpark, pytest and datasets
# from PyPI; the client is reinstalled from Tools/python every run). Extra
# arguments go to pytest (e.g. -k parquet).
#
# The tests need a dptext binary: $DPTEXT_BINARY, else <repo>/.build/release/dptext
# (README (1): swift build -c release --static-swift-stdlib); the standalone-cluster
# test ships the static build, $DPTEXT_STATIC_BINARY, else the same binary, which is
# brought up to date here (Tools/install.sh --build-only: a no-op after README (1)). One
# test runs Tools/spark-privatize.sh itself, which makes Tools/.venv-spark on
# first use.
set -euo pipefail
TOOLS="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=Tools/python-venvs.sh
source "$TOOLS/python-venvs.sh"
ensure_java
ensure_venv "$TOOLS/.venv-python" "${TEST_PINS[@]}"
"$VENV_PY" -m pip install -q --disable-pip-version-check --no-deps --force-reinstall "$TOOLS/python"
if [ -z "${DPTEXT_STATIC_BINARY:-}" ]; then  # up to date with the sources (a no-op when it is)
    DPTEXT_STATIC_BINARY="$("$TOOLS/install.sh" --build-only)"
    export DPTEXT_STATIC_BINARY
fi
cd "$TOOLS"
exec "$VENV_PY" -m pytest -p no:cacheprovider --rootdir "$TOOLS" python/tests spark/tests tests "$@"
