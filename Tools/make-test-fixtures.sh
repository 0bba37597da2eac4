#!/usr/bin/env bash
# Regenerates the h5py-made HDF5 test fixtures in Tests/DPTextTests/Fixtures/
# (and their README.md) with the pinned h5py from Tools/.venv.
# Usage: Tools/make-test-fixtures.sh [make_test_fixtures.py options]
set -euo pipefail

TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
"$TOOLS_DIR/build-glove-store.sh" --setup-only
exec "$TOOLS_DIR/.venv/bin/python" "$TOOLS_DIR/make_test_fixtures.py" "$@"
