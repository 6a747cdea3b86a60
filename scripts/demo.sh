#!/usr/bin/env bash
# Set up everything the dashboard's pages need (Debian packages, .venv), load the demo county
# into data/store (once), and start the dashboard. Options go to `streamlit run`, e.g.
#   bash scripts/demo.sh --server.port 8600
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh --run
bash scripts/setup.sh requirements.txt
if [ ! -f data/store/CURRENT ]; then
  .venv/bin/python -m dashboard demo --out data/demo
  .venv/bin/python -m dashboard load data/demo --by demo
fi
# Streamlit moves to the next port by itself when 8501 is taken, and says so in one line among
# many: pick the port here and say it where it is seen.
port=""
for a in "$@"; do case "$a" in --server.port|--server.port=*) port=given ;; esac; done
if [ -z "$port" ]; then
  port="$(.venv/bin/python - <<'PY'
import socket
for port in range(8501, 8600):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
)"
  if [ "$port" != 8501 ]; then
    echo "demo.sh: 端口 8501 已被占用，改用 $port · port 8501 is taken, using $port instead" >&2
  fi
  echo "demo.sh: 在浏览器中打开 · open in a browser: http://localhost:$port" >&2
  set -- --server.port "$port" "$@"
fi
exec .venv/bin/streamlit run app.py "$@"
