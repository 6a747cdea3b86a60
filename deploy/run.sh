#!/usr/bin/env bash
# N Streamlit replicas of the dashboard behind nginx with session affinity, in the foreground.
#
#   bash deploy/run.sh [--replicas N] [--port PORT] [--listen ADDR] [--replica-port PORT]
#                      [--store DIR] [--state DIR] [--run-dir DIR]
#                      [--cert FILE --key FILE] [--proxy-address ADDR] [--debug-replica]
#
#   --replicas N        Streamlit processes (default 2, or $REPLICAS)
#   --port PORT         the HTTPS port nginx listens on (default 8443, or $PORT)
#   --listen ADDR       the IPv4 address nginx listens on (default 127.0.0.1, or $LISTEN; 0.0.0.0
#                       for all)
#
# Needs a store with data and at least one user (behind nginx there is no open demo mode):
# it refuses to start otherwise and prints the commands that make them.
#   --replica-port P    the first replica's port; the others follow (default 8601, or $REPLICA_PORT)
#   --store DIR         the store every replica reads (default $DASHBOARD_STORE, else data/store);
#                       it may be mounted read-only when --state names another folder
#   --state DIR         users, audit log and meeting screens, written by the replicas (default
#                       $DASHBOARD_STATE, else the store folder); shared read-write by all replicas
#   --run-dir DIR       nginx.conf, pid, logs and temp files (default deploy/run, or $RUN_DIR)
#   --cert FILE         TLS certificate (PEM, with its chain) and private key (or $TLS_CERT,
#   --key FILE          $TLS_KEY); without them a self-signed pair is made with openssl in
#                       <run dir>/tls/ (kept and reused until 30 days before it expires)
#   --proxy-address A   the loopback address nginx connects to the replicas from (default
#                       127.0.0.2, or $PROXY_ADDRESS): the replicas believe the client address
#                       nginx forwards (X-Real-IP) from this address only, not from any local
#                       process (DASHBOARD_TRUSTED_PROXIES)
#   --debug-replica     add an X-Replica header (which replica answered) to every response
#                       (or $DEBUG_REPLICA=1); off by default: browsers need not know
#
# Replicas listen on 127.0.0.1 only; nginx is the one socket facing the network. Nothing needs
# root and nothing under /etc/nginx is touched. Ready when it prints "ready:"; Ctrl-C or TERM
# stops everything; if any process dies, the rest are stopped too and the exit code is 1.
# Logs: <run dir>/logs/{access,error}.log and replica-<i>.log. See deploy/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

replicas="${REPLICAS:-2}"
port="${PORT:-8443}"
listen="${LISTEN:-127.0.0.1}"
replica_port="${REPLICA_PORT:-8601}"
store="${DASHBOARD_STORE:-$root/data/store}"
state="${DASHBOARD_STATE:-}"
run_dir="${RUN_DIR:-$here/run}"
cookie="dashboard_replica"
cert="${TLS_CERT:-}"
key="${TLS_KEY:-}"
debug_replica="${DEBUG_REPLICA:-0}"
proxy_address="${PROXY_ADDRESS:-127.0.0.2}"
openssl="${OPENSSL_BIN:-$(command -v openssl || echo /usr/bin/openssl)}"
python="${PYTHON:-$root/.venv/bin/python}"
nginx="${NGINX_BIN:-$(command -v nginx || echo /usr/sbin/nginx)}"
unset NGINX                              # nginx itself reads $NGINX (inherited sockets)
start_timeout="${START_TIMEOUT:-90}"     # seconds for every replica and nginx to answer

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --listen) listen="$2"; shift 2 ;;
    --replica-port) replica_port="$2"; shift 2 ;;
    --store) store="$2"; shift 2 ;;
    --state) state="$2"; shift 2 ;;
    --run-dir) run_dir="$2"; shift 2 ;;
    --cert) cert="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --proxy-address) proxy_address="$2"; shift 2 ;;
    --debug-replica) debug_replica=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage 2 >&2 ;;
  esac
done
case "$replicas" in ''|*[!0-9]*|0) echo "run.sh: --replicas must be a number >= 1" >&2; exit 2 ;; esac
case "$proxy_address" in
  127.*[!0-9.]*|127.) echo "run.sh: --proxy-address must be a 127.x.y.z address" >&2; exit 2 ;;
  127.*) ;;
  *) echo "run.sh: --proxy-address must be a 127.x.y.z address" >&2; exit 2 ;;
esac

say() { echo "run.sh: $*" >&2; }
[ -x "$python" ] || { say "no $python (run scripts/setup.sh first)"; exit 1; }
[ -x "$nginx" ] || { say "no nginx (apt-get install nginx, or NGINX_BIN=/path/to/nginx)"; exit 1; }
[ -d "$store" ] || mkdir -p "$store"
mkdir -p "$run_dir/logs" "$run_dir/tmp"
store="$(cd "$store" && pwd)"
state="${state:-$store}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
run_dir="$(cd "$run_dir" && pwd)"
cd "$root"

# The app serves without a login only to a browser on this machine reaching it directly
# (ui.login_gate); behind nginx it cannot tell, so there is no open mode here: with no users
# every browser would meet a login nobody can pass. Users first, and a store with data.
if [ ! -f "$store/CURRENT" ]; then
  say "refusing to start: $store has no data yet. Load the county's files (or the demo county) first:"
  say "  $python -m dashboard demo --out data/demo && $python -m dashboard --store $store load data/demo --by demo"
  exit 1
fi
if ! "$python" -c 'import sys; from dashboard import auth; sys.exit(0 if auth.Users(sys.argv[1]).any() else 1)' "$state" 2>/dev/null
then
  say "refusing to start: $state has no users, and behind nginx there is no open demo mode"
  say "(every browser would meet a login nobody can pass). Add an admin first, the password on stdin:"
  say "  echo 'a-long-password' | $python -m dashboard --store $store --state $state user add NAME --role admin"
  exit 1
fi

# ---- TLS: the certificate given, else a self-signed one made here (and reused while valid)
if [ -n "$cert" ] || [ -n "$key" ]; then
  [ -n "$cert" ] && [ -n "$key" ] || { say "--cert and --key go together"; exit 2; }
  for f in "$cert" "$key"; do [ -r "$f" ] || { say "cannot read $f"; exit 1; }; done
  cert="$(cd "$(dirname "$cert")" && pwd)/$(basename "$cert")"
  key="$(cd "$(dirname "$key")" && pwd)/$(basename "$key")"
else
  [ -x "$openssl" ] || { say "no openssl to make a certificate (apt-get install openssl, or --cert/--key)"; exit 1; }
  mkdir -p "$run_dir/tls"
  chmod 700 "$run_dir/tls"
  cert="$run_dir/tls/self-signed.crt"
  key="$run_dir/tls/self-signed.key"
  if ! [ -s "$cert" ] || ! [ -s "$key" ] || ! "$openssl" x509 -checkend 2592000 -noout -in "$cert" >/dev/null 2>&1; then
    # Names the browsers may use: this machine's name, localhost, the loopback and the
    # address nginx listens on (when it is one address).
    san="DNS:localhost,IP:127.0.0.1"
    host_name="$(hostname 2>/dev/null || true)"
    case "$host_name" in ''|*[!A-Za-z0-9.-]*) ;; *) san="DNS:$host_name,$san" ;; esac
    case "$listen" in 0.0.0.0|127.0.0.1|localhost) ;; *[!0-9.]*) san="$san,DNS:$listen" ;; *) san="$san,IP:$listen" ;; esac
    ( umask 077
      "$openssl" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
        -days 825 -subj "/O=Menglian dashboard/CN=${host_name:-localhost}" \
        -addext "subjectAltName=$san" -addext "basicConstraints=critical,CA:FALSE" \
        -addext "extendedKeyUsage=serverAuth" \
        -keyout "$key" -out "$cert" ) >"$run_dir/tls/openssl.log" 2>&1 \
      || { cat "$run_dir/tls/openssl.log" >&2; say "openssl could not make a certificate"; exit 1; }
    rm -f "$run_dir/tls/openssl.log"
    say "made a self-signed certificate for $san: $cert (browsers will warn until it is trusted"
    say "or replaced: --cert/--key)"
  fi
fi
debug_headers=""
case "$debug_replica" in 1|true|yes) debug_headers="        add_header X-Replica \$upstream_addr always;"$'\n' ;; esac

# ---- nginx.conf from the template
servers=""
ports=()
for ((i = 0; i < replicas; i++)); do
  p=$((replica_port + i))
  ports+=("$p")
  servers+="        server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"$'\n'
done
listen_on="$listen:$port"
probe="$listen"; [ "$listen" = 0.0.0.0 ] && probe=127.0.0.1    # where run.sh checks nginx

# Every port must be free: a replica left over from an earlier run would answer the health
# checks in place of the new one (and serve whatever store it was started with).
for p in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then say "port $p is in use"; exit 1; fi
done
if (exec 3<>"/dev/tcp/$probe/$port") 2>/dev/null; then say "port $port is in use"; exit 1; fi
conf="$run_dir/nginx.conf"
while IFS= read -r line || [ -n "$line" ]; do
  if [ "$line" = "@@SERVERS@@" ]; then printf '%s' "$servers"; continue; fi
  if [ "$line" = "@@DEBUG_HEADERS@@" ]; then printf '%s' "$debug_headers"; continue; fi
  line="${line//@@RUN_DIR@@/$run_dir}"
  line="${line//@@CERT@@/$cert}"
  line="${line//@@KEY@@/$key}"
  line="${line//@@LISTEN@@/$listen_on}"
  line="${line//@@COOKIE@@/$cookie}"
  line="${line//@@PROXY_ADDRESS@@/$proxy_address}"
  printf '%s\n' "$line"
done < "$here/nginx.conf.template" > "$conf"
for d in body proxy fastcgi uwsgi scgi; do mkdir -p "$run_dir/tmp/$d"; done
"$nginx" -t -q -p "$run_dir" -c "$conf" -e "$run_dir/logs/error.log" \
  || { say "nginx rejects $conf"; exit 1; }

# ---- start, supervise, stop
pids=()
names=()
stopping=0
checker=""
stop() {
  set +e                                   # stop everything, whatever fails on the way
  stopping=1
  trap '' INT TERM
  say "stopping"
  if [ -n "$checker" ]; then kill -TERM "$checker" 2>/dev/null; fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 100); do                  # up to 10 s, then KILL what is left
    alive=0
    for pid in "${pids[@]}"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
    if [ "$alive" = 0 ]; then break; fi
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap 'stop; exit 0' INT TERM
trap '[ "$stopping" = 1 ] || stop' EXIT

# One cookie secret for all replicas, as Streamlit advises for replicas (signed cookies; the
# dashboard signs none today). Random per run unless given.
secret="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$python" -c 'import secrets; print(secrets.token_hex(32))')}"
for ((i = 0; i < replicas; i++)); do
  DASHBOARD_STORE="$store" DASHBOARD_STATE="$state" STREAMLIT_SERVER_COOKIE_SECRET="$secret" \
    DASHBOARD_TRUSTED_PROXIES="$proxy_address" \
    PYTHONUNBUFFERED=1 \
    "$python" -m streamlit run app.py \
    --server.port "${ports[$i]}" --server.address 127.0.0.1 --server.headless true \
    > "$run_dir/logs/replica-$i.log" 2>&1 &
  pids+=("$!"); names+=("replica $i (127.0.0.1:${ports[$i]})")
done

# Wait until each process answers its health check (PID=URL ...); fail at once if one exits.
# In the background: bash runs a trap only once the foreground command is done.
health() {
  "$python" - "$start_timeout" "$@" <<'PY' &
import ssl, sys, time, urllib.request
# nginx's own certificate may be self-signed or name another host: this only asks whether it answers
tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE
def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
deadline = time.monotonic() + float(sys.argv[1])
for pid, url in (a.split("=", 1) for a in sys.argv[2:]):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2, context=tls) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if not alive(pid):
            sys.exit(f"run.sh: the process for {url} exited")
        if time.monotonic() > deadline:
            sys.exit(f"run.sh: no answer from {url} within {sys.argv[1]} s")
        time.sleep(0.3)
PY
  checker=$!
  wait "$checker"
}
checks=()
for i in "${!ports[@]}"; do checks+=("${pids[$i]}=http://127.0.0.1:${ports[$i]}/_stcore/health"); done
health "${checks[@]}" || { for i in "${!ports[@]}"; do tail -n 20 "$run_dir/logs/replica-$i.log" >&2; done; exit 1; }

"$nginx" -p "$run_dir" -c "$conf" -e "$run_dir/logs/error.log" &
pids+=("$!"); names+=("nginx ($listen_on)")
health "${pids[-1]}=https://$probe:$port/_stcore/health" || { tail -n 20 "$run_dir/logs/error.log" >&2; exit 1; }

say "ready: https://$probe:$port/ -> $replicas replicas on 127.0.0.1:${ports[*]} (store $store, logs $run_dir/logs)"

# any process that exits ends the whole deployment (a supervisor restarts it)
set +e
wait -n "${pids[@]}"
rc=$?
set -e
if [ "$stopping" = 0 ]; then
  for i in "${!pids[@]}"; do
    kill -0 "${pids[$i]}" 2>/dev/null || say "${names[$i]} exited (status $rc); see $run_dir/logs"
  done
  stop
  exit 1
fi
