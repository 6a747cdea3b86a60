#!/usr/bin/env bash
# Set up everything the tests need (system packages, .venv) and run them.
# Usage: scripts/test.sh [--fast] [pytest options]
#   --fast   everything but the tests marked browser, pdf or slow (pyproject.toml), for a quick
#            check while working; without it every test runs (CI: .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for a in "$@"; do
  if [ "$a" = --fast ]; then
    args=(-m "not browser and not pdf and not slow" "${args[@]}")
  else
    args+=("$a")
  fi
done
bash scripts/system-packages.sh
bash scripts/setup.sh requirements-dev.txt
set +e
.venv/bin/python -m pytest "${args[@]}"
rc=$?
set -e
# pytest exits 5 when it collected no test: that is not a failure of the code.
[ "$rc" = 5 ] && { echo "no tests collected"; exit 0; }
exit "$rc"
