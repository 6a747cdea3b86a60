#!/usr/bin/env bash
# Set up everything the benchmarks need (Debian chromium and nginx, CJK fonts, .venv with the
# pinned packages) and run them. Arguments go to benchmarks.run, e.g. --scales 1,10,100.
# Results: benchmarks/results/latest.md and latest.json. See benchmarks/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/setup.sh requirements-dev.txt
exec .venv/bin/python -m benchmarks.run "$@"
