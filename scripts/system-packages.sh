#!/usr/bin/env bash
# The Debian packages the project needs, installed when missing (with sudo when not root).
#
#   bash scripts/system-packages.sh --run   what the dashboard itself needs: python3-venv (to
#                                           make .venv on a bare Debian), chromium and CJK fonts
#                                           (the overview's PDF briefing and the Word briefing's
#                                           charts are drawn by headless Chromium)
#   bash scripts/system-packages.sh         all of that, and what the tests add: poppler (the PDF
#                                           tests read the briefing's text), nginx (deploy/ and
#                                           tests/test_replicas.py), LibreOffice Writer (the docx
#                                           tests open the Word briefing as a reader's office suite
#                                           would), openssl (the e-mail test's STARTTLS server)
set -euo pipefail
mode="${1:-test}"
need=()
py="${PYTHON:-python3}"
# Debian ships venv's ensurepip in a package of its own (python3.X-venv).
if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  need+=("python3-venv")
  ver="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null || true)"
  [ -n "$ver" ] && need+=("python$ver-venv")
fi
[ -x /usr/bin/chromium ] || need+=(chromium)
# (the font list read whole: `grep -q` would close the pipe early, and pipefail count it missing)
fonts="$(fc-list 2>/dev/null || true)"
grep -qi "Noto Sans CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
grep -qi "Noto Serif CJK" <<<"$fonts" || need+=(fonts-noto-cjk)
if [ "$mode" != --run ]; then
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
  command -v openssl >/dev/null || need+=(openssl)
fi
[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | awk '!seen[$0]++')
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
echo "system-packages.sh: installing ${need[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
