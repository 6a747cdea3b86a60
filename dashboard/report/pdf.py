"""The briefing's page printed to an A4 PDF by the system's headless Chromium: no network
(no host name resolves), its own throw-away profile, stopped with all its children when it
hangs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .. import i18n

CHROMIUM_ENV = "DASHBOARD_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_TIMEOUT = 120  # seconds for one print


class ReportError(RuntimeError):
    """The PDF could not be made (no Chromium, Chromium failed)."""


def chromium_path() -> str:
    """The Chromium to print with: $DASHBOARD_CHROMIUM, default /usr/bin/chromium."""
    wanted = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    found = shutil.which(wanted)
    if not found:
        # Said in both languages: the CLI and the page that show it may be in either.
        raise ReportError(
            " / ".join(
                i18n.t("report.no_chromium", lang, path=wanted, env=CHROMIUM_ENV) for lang in i18n.LANGS
            )
        )
    return found


def html_to_pdf(page: str, timeout: float = CHROMIUM_TIMEOUT) -> bytes:
    """Print an HTML page to an A4 PDF with headless Chromium (no network, own profile)."""
    chromium = chromium_path()
    with tempfile.TemporaryDirectory(prefix="dashboard-report-") as tmp:
        tmp = Path(tmp)
        source, out = tmp / "briefing.html", tmp / "briefing.pdf"
        source.write_text(page, encoding="utf-8")
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-sync",
            "--disable-extensions",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            "--virtual-time-budget=3000",
            source.as_uri(),
        ]
        env = dict(
            os.environ, HOME=str(tmp), XDG_CONFIG_HOME=str(tmp / "config"), XDG_CACHE_HOME=str(tmp / "cache")
        )
        # Its own process group, so that a hung Chromium is stopped with all its children.
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ReportError(f"Chromium did not finish printing within {timeout:.0f} s") from None
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise ReportError(
                f"Chromium failed to print the PDF (exit {proc.returncode}): " + " | ".join(tail)
            )
        return out.read_bytes()
