"""The weekly briefing (周报) for the weekly meeting: one A4 portrait PDF.

`build_pdf(store, week, township, lang)` puts the week's figures (dashboard.metrics, the same
computation as the pages and `summary --json`), their targets and the change since the last
meeting (dashboard.kpis), the lists that need attention, a short briefing note per township
written from the figures by fixed rules, and a few charts (the plotly builders of
dashboard.charts) into one self-contained HTML page, and prints it to PDF with the system's
headless Chromium.

    content.py      what the briefing shows, gathered (collect() -> Briefing)
    brief.py        the written notes, sentences from rules (township_brief())
    render.py       the HTML page: briefing.html, briefing.css, plots.js
    pdf.py          the page printed by Chromium (html_to_pdf(), ReportError)

Offline by construction: plotly.js is inlined from the installed plotly package, fonts are the
system's (Noto Sans CJK, embedded into the PDF by Chromium), the page's Content-Security-Policy
allows no fetch, and Chromium resolves no host name. Every data string goes into the HTML
escaped. No streamlit here.
"""

from __future__ import annotations

import datetime as dt

from .. import i18n
from ..store import Store
from .brief import township_brief
from .content import LIST_CAP, Briefing, KpiRow, charts, collect, kpi_rows
from .pdf import CHROMIUM_ENV, ReportError, chromium_path, html_to_pdf
from .render import render_html

__all__ = [
    "CHROMIUM_ENV",
    "LIST_CAP",
    "Briefing",
    "KpiRow",
    "ReportError",
    "build_html",
    "build_pdf",
    "charts",
    "chromium_path",
    "collect",
    "html_to_pdf",
    "kpi_rows",
    "render_html",
    "township_brief",
]


def build_html(
    store: Store, week: dt.date | None = None, township: str | None = None, lang: str = i18n.DEFAULT_LANG
) -> str:
    """The briefing as one self-contained HTML page."""
    return render_html(collect(store, week, township, lang))


def build_pdf(
    store: Store, week: dt.date | None = None, township: str | None = None, lang: str = i18n.DEFAULT_LANG
) -> bytes:
    """The weekly briefing of `township` (None: the whole county) for `week` (None: the latest
    week with data) as A4 PDF bytes, in Chinese or English. Raises ValueError for a week that
    is not a Monday or an unknown township, ReportError when Chromium cannot print."""
    chromium_path()  # fail before the work when there is nothing to print with
    page = build_html(store, week, township, lang)
    return html_to_pdf(page)
