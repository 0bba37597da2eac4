#!/usr/bin/env bash
# Privatizes a JSONL or Parquet corpus with dptext on Spark, one dptext process
# per partition (the job is Tools/spark/dptext_spark.py; its docstring says how).
#
#   Tools/spark-privatize.sh [--master URL] [--partitions N] --input PATH --output DIR
#       [--format jsonl|parquet] [--field text] [--key-field id] [--report PATH]
#       [--dptext BINARY] [--executor-python PATH] [--conf KEY=VALUE ...]
#       -- [dptext privatize options]
#
# Sets up what it needs first: Java 17+ (apt-get install default-jre-headless
# when java is missing) and PySpark in Tools/.venv-spark. The binary defaults
# to $DPTEXT_BINARY, else <repo>/.build/release/dptext (built by
# Tools/install.sh --build-only when missing). On a cluster with its own Spark,
# `spark-submit Tools/spark/dptext_spark.py …` runs the same job.
set -euo pipefail
TOOLS="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
# shellcheck source=Tools/python-venvs.sh
source "$TOOLS/python-venvs.sh"
ensure_java
ensure_venv "$TOOLS/.venv-spark" "${SPARK_PINS[@]}"
exec "$VENV_PY" "$TOOLS/spark/dptext_spark.py" "$@"
