"""The briefing as one self-contained HTML page: the page is the template file briefing.html,
its style briefing.css, its charts drawn by plots.js with plotly.js inlined from the installed
plotly package. Every data string goes into the page escaped; figures go in as JSON that
cannot close its <script>.
"""

from __future__ import annotations

import datetime as dt
import html
from functools import cache
from pathlib import Path
from string import Template

import plotly.graph_objects as go
import plotly.offline

from .. import i18n
from .content import Briefing

HERE = Path(__file__).resolve().parent
PAGE = HERE / "briefing.html"
CSS = HERE / "briefing.css"
SCRIPT = HERE / "plots.js"

# Chinese is set in Noto Sans CJK throughout; English in Liberation Sans (its quotes and
# spacing are Latin ones), with Noto Sans CJK for the Chinese proper names in the data.
FONTS = {
    "zh": '"Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", sans-serif',
    "en": '"Liberation Sans", Arial, "Noto Sans CJK SC", "Noto Sans CJK", sans-serif',
}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


@cache
def _plotly_js() -> str:
    return plotly.offline.get_plotlyjs()


def _figure_json(fig: go.Figure) -> str:
    """A figure as JSON safe inside <script>: no "<", ">" or "&" (JSON escapes them)."""
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _table(
    columns: list[str],
    rows: list[list],
    num_cols: set[int] = frozenset(),
    more: str = "",
    name_cols: set[int] = frozenset(),
) -> str:
    """An HTML table; num_cols align right, name_cols (names of places) never wrap."""

    def cls(i):
        return "num" if i in num_cols else "name" if i in name_cols else ""

    head = "".join(
        f'<th class="{"num" if i in num_cols else ""}">{_esc(c)}</th>' for i, c in enumerate(columns)
    )
    body = []
    for row in rows:
        body.append(
            "<tr>" + "".join(f'<td class="{cls(i)}">{_esc(v)}</td>' for i, v in enumerate(row)) + "</tr>"
        )
    if more:
        body.append(f'<tr><td class="more" colspan="{len(columns)}">{_esc(more)}</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(brief: Briefing) -> str:
    """The briefing as one self-contained HTML page (inline CSS, plotly.js and figures)."""
    lang = brief.lang
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    parts = [
        "<header>",
        f"<h1>{_esc(t('report.title'))}</h1>",
        f'<div class="scope">{_esc(brief.scope)}'
        + (
            " · "
            + _esc(
                t(
                    "data.as_of",
                    start=i18n.fmt_date(brief.week, lang),
                    end=i18n.fmt_date(brief.week + dt.timedelta(days=6), lang),
                )
            )
            if brief.week
            else ""
        )
        + "</div>",
    ]
    meta = []
    if brief.version_text:
        meta.append(brief.version_text)
    meta.append(t("report.generated", at=dt.datetime.now().strftime("%Y-%m-%d %H:%M")))
    parts.append(f'<div class="meta">{" · ".join(_esc(m) for m in meta)}</div></header>')

    if brief.version is None:
        parts.append(f"<p>{_esc(t('report.empty'))}</p>")
        return _page(parts, [], lang)

    # Key figures
    change_col = t("report.col.change_meeting" if brief.base_kind == "pinned" else "report.col.change_week")
    head = [
        t("report.col.metric"),
        t("report.col.value"),
        t("report.col.target"),
        t("report.col.status"),
        change_col,
    ]
    rows = []
    for k in brief.kpis:
        detail = f'<span class="detail">{_esc(k.detail)}</span>' if k.detail else ""
        rows.append(
            f'<tr><td>{_esc(k.label)}</td><td class="num">{_esc(k.value)}{detail}</td>'
            f'<td class="num">{_esc(k.target)}</td>'
            f'<td class="status {k.tone}">{_esc(k.status)}</td>'
            f'<td class="num">{_esc(k.change)}</td></tr>'
        )
    heads = "".join(
        f'<th class="{"num" if i in (1, 2, 4) else ""}">{_esc(h)}</th>' for i, h in enumerate(head)
    )
    parts.append(f"<h2>{_esc(t('report.kpi'))}</h2>")
    parts.append(f'<table class="kpi"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    for note in [brief.base_text, *brief.scope_notes]:
        parts.append(f'<p class="note">{_esc(note)}</p>')

    # Training against the year's targets, then the border-defence indicators
    parts.append(f'<div class="block"><h2>{_esc(t("report.training"))}</h2>')
    head = [
        t("report.col.kind"),
        t("report.col.sessions"),
        t("report.col.target"),
        t("report.col.attendees"),
        t("report.col.target"),
        t("report.col.status"),
    ]
    body = []
    for *cells, tone in brief.training:
        body.append(
            "<tr>"
            + "".join(
                f'<td class="{"num" if 1 <= i <= 4 else tone if i == 5 else ""}">{_esc(v)}</td>'
                for i, v in enumerate(cells)
            )
            + "</tr>"
        )
    heads = "".join(f'<th class="{"num" if 1 <= i <= 4 else ""}">{_esc(h)}</th>' for i, h in enumerate(head))
    parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    if brief.township is not None:
        parts.append(f'<p class="note">{_esc(t("training.county_note"))}</p>')
    parts.append("</div>")
    if brief.indicators:
        parts.append(f'<div class="block"><h2>{_esc(t("overview.indicators"))}</h2><div class="indicators">')
        parts += [f"<div>{_esc(label)}<b>{_esc(value)}</b></div>" for label, value in brief.indicators]
        parts.append("</div></div>")

    # Briefing notes
    parts.append(f"<h2>{_esc(t('report.briefs'))}</h2>")
    sep = t("report.sep.name")
    for name, text in brief.briefs:
        parts.append(f'<p class="brief"><b>{_esc(name)}</b>{sep}{_esc(text)}</p>')

    # Needs attention
    parts.append(f"<h2>{_esc(t('report.attention'))}</h2>")
    if all(item["skip"] for item in brief.attention):
        parts.append(f"<p>{_esc(t('overview.attention_none'))}</p>")
    for item in brief.attention:
        if item["skip"]:
            continue
        parts.append('<div class="list">')
        if item["count"]:
            parts.append(f'<h3 class="alert">{_esc(item["title"])}</h3>')
            parts.append(
                _table(
                    item["columns"],
                    item["rows"],
                    item["num_cols"],
                    item["more"],
                    item.get("name_cols", set()),
                )
            )
        else:
            parts.append(f"<p>{_esc(item['empty'])}</p>")
        parts.append("</div>")
    if brief.quality:
        parts.append(f'<p class="note quality">{_esc(brief.quality)}</p>')

    # The rectification ledger
    if brief.ledger:
        led = brief.ledger
        parts.append(f"<h2>{_esc(led['title'])}</h2>")
        parts.append(f'<p class="brief">{_esc(led["paragraph"])}</p>')
        if led["rows"]:
            parts.append(_table(led["columns"], led["rows"], set(), led["more"], {1, 3}))

    # Charts
    figures = []
    if brief.charts:
        parts.append(f"<h2>{_esc(t('report.charts'))}</h2>")
        for i, (title, fig) in enumerate(brief.charts):
            figures.append((f"fig-{i}", fig))
            parts.append(
                f'<div class="chart"><h3>{_esc(title)}</h3>'
                f'<div class="plot" data-figure="fig-{i}"></div></div>'
            )
    return _page(parts, figures, lang)


def _page(parts: list[str], figures: list[tuple[str, go.Figure]], lang: str) -> str:
    """The page of briefing.html around `parts`, with the figures and what draws them."""
    for _, fig in figures:
        fig.update_layout(font_family=FONTS[lang].replace('"', ""))
    data = "".join(
        f'<script type="application/json" id="{fid}">{_figure_json(fig)}</script>' for fid, fig in figures
    )
    scripts = (
        f"<script>{_plotly_js()}</script>{data}<script>{SCRIPT.read_text('utf-8')}</script>"
        if figures
        else ""
    )
    return Template(PAGE.read_text("utf-8")).substitute(
        html_lang=HTML_LANG[lang],
        title=_esc(i18n.t("report.title", lang)),
        css=CSS.read_text("utf-8"),
        font=FONTS[lang],
        body="".join(parts),
        scripts=scripts,
    )
