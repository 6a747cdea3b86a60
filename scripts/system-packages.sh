#!/usr/bin/env bash
# Debian packages the browser tests and screenshots need: chromium, CJK fonts, poppler;
# nginx for deploy/ and its test (tests/test_replicas.py).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -x /usr/sbin/nginx ] || need+=(nginx)
# openssl: the e-mail test makes a throw-away certificate for its STARTTLS server (tests/test_notify.py).
command -v openssl >/dev/null || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
