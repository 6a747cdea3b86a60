#!/usr/bin/env bash
# Set up, load the demo county into data/store (once), and start the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
if [ ! -f data/store/CURRENT ]; then
  .venv/bin/python -m dashboard demo --out data/demo
  .venv/bin/python -m dashboard load data/demo --by demo
fi
exec .venv/bin/streamlit run app.py "$@"
