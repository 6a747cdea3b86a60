"""The briefing (简报) for the weekly meeting, and the monthly and quarterly reports (月报、
季度报告): an A4 PDF or an editable Word document (.docx) in 公文 layout, from the same content.

`build_pdf(store, week, township, lang)` puts the week's figures (dashboard.metrics, the same
computation as the pages and `summary --json`), their targets and the change since the last
meeting (dashboard.kpis), the lists that need attention, a short briefing note per township
written from the figures by fixed rules, and a few charts (the plotly builders of
dashboard.charts) into one self-contained HTML page, and prints it to PDF with the system's
headless Chromium.

    content.py      what the briefing shows, gathered (collect() -> Briefing), over a Period
    brief.py        the written notes, sentences from rules (township_brief())
    sections.py     二、存在问题 and 三、下步工作, from the lists that need attention by rules
    render.py       the HTML page: briefing.html, briefing.css, plots.js
    pdf.py          the page printed by Chromium (html_to_pdf(), ReportError)
    docx.py         the Word document (build_docx()), charts as PNG through kaleido

Offline by construction: plotly.js is inlined from the installed plotly package, fonts are the
system's (Noto Serif CJK and Noto Sans CJK, embedded into the PDF by Chromium), the page's
Content-Security-Policy allows no fetch, and Chromium resolves no host name. Every data string
goes into the HTML escaped. The docx's charts are drawn by kaleido in the same Chromium, with
the installed plotly.js and no MathJax. No streamlit here.
"""

from __future__ import annotations

import datetime as dt

from .. import i18n
from ..store import Store
from .brief import township_brief
from .content import (
    LIST_CAP,
    Block,
    Briefing,
    KpiRow,
    Period,
    charts,
    collect,
    kpi_rows,
    month_period,
    quarter_period,
    week_period,
)
from .pdf import CHROMIUM_ENV, ReportError, chromium_path, html_to_pdf
from .render import render_html

__all__ = [
    "CHROMIUM_ENV",
    "LIST_CAP",
    "Block",
    "Briefing",
    "KpiRow",
    "Period",
    "ReportError",
    "build_docx",
    "build_html",
    "build_pdf",
    "charts",
    "chromium_path",
    "collect",
    "html_to_pdf",
    "kpi_rows",
    "month_period",
    "quarter_period",
    "render_html",
    "township_brief",
    "week_period",
]


def build_html(
    store: Store,
    week: dt.date | None = None,
    township: str | None = None,
    lang: str = i18n.DEFAULT_LANG,
    period: Period | None = None,
) -> str:
    """The briefing as one self-contained HTML page."""
    return render_html(collect(store, week, township, lang, period))


def build_pdf(
    store: Store,
    week: dt.date | None = None,
    township: str | None = None,
    lang: str = i18n.DEFAULT_LANG,
    period: Period | None = None,
) -> bytes:
    """The briefing of `township` (None: the whole county) for `week` (None: the latest week
    with data), or for a month's or quarter's `period`, as A4 PDF bytes, in Chinese or English.
    Raises ValueError for a week that is not a Monday, an unknown township or a period without
    data, ReportError when Chromium cannot print."""
    chromium_path()  # fail before the work when there is nothing to print with
    return html_to_pdf(build_html(store, week, township, lang, period))


def build_docx(
    store: Store,
    week: dt.date | None = None,
    township: str | None = None,
    lang: str = i18n.DEFAULT_LANG,
    period: Period | None = None,
) -> bytes:
    """The same briefing as an editable Word document (.docx bytes), in 公文 layout."""
    from .docx import render_docx  # python-docx and kaleido only when a docx is asked for

    chromium_path()  # the charts are drawn by kaleido with the same Chromium
    return render_docx(collect(store, week, township, lang, period))
