#!/usr/bin/env bash
# Debian packages the browser tests and screenshots need: chromium, CJK fonts (sans and serif:
# the briefing is set in Noto Serif CJK), poppler; nginx for deploy/ and its test
# (tests/test_replicas.py); LibreOffice Writer for the docx tests (tests/test_report_docx.py
# converts the Word briefing to PDF with it, as a reader's office suite would open it).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "Noto Serif CJK" || need+=(fonts-noto-cjk)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
# openssl: the e-mail test makes a throw-away certificate for its STARTTLS server (tests/test_notify.py).
command -v openssl >/dev/null || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
