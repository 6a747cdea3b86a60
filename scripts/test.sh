#!/usr/bin/env bash
# Set up everything the tests need (system packages, .venv) and run them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/setup.sh requirements-dev.txt
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
# pytest exits 5 when it collected no test: that is not a failure of the code.
[ "$rc" = 5 ] && { echo "no tests collected"; exit 0; }
exit "$rc"
