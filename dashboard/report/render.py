"""The briefing as one self-contained HTML page: the page is the template file briefing.html,
its style briefing.css, its charts drawn by plots.js with plotly.js inlined from the installed
plotly package. Every data string goes into the page escaped; figures go in as JSON that
cannot close its <script>.
"""

from __future__ import annotations

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

# A 简报 is set in serif: Noto Serif CJK (fonts-noto-cjk) for the 仿宋/宋体 roles of the body and
# the title, Noto Sans CJK for the 黑体 role of the 一、 headings and the tables' heads. English in
# Liberation Serif, with Noto Serif CJK for the Chinese proper names in the data.
FONTS = {
    "zh": '"Noto Serif CJK SC", "Noto Serif CJK", "Source Han Serif SC", serif',
    "en": '"Liberation Serif", "Times New Roman", "Noto Serif CJK SC", serif',
}
# Charts keep the sans face the pages draw them in (small labels read better without serifs).
CHART_FONTS = {
    "zh": "Noto Sans CJK SC, Noto Sans CJK, sans-serif",
    "en": "Liberation Sans, Arial, Noto Sans CJK SC, sans-serif",
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


def period_line(brief: Briefing) -> str:
    """ "全县 · 2021年12月27日至2022年1月2日": the scope and the dates the briefing covers."""
    period = brief.period
    return i18n.t(
        "report.scope_period.week",
        brief.lang,
        scope=brief.scope,
        start=i18n.fmt_date(period.start, brief.lang),
        end=i18n.fmt_date(period.end, brief.lang),
    )


def kpi_table(brief: Briefing) -> tuple[list[str], list[tuple[str, str, str, str, str, str]]]:
    """The key figures' header and rows: (label, value, detail, target, status, change)."""
    t = lambda key: i18n.t(key, brief.lang)  # noqa: E731
    kind = brief.kind
    change = t("report.col.change_meeting") if brief.base_kind == "pinned" else t(f"report.col.change_{kind}")
    value = t("report.col.value") if kind == "week" else t(f"report.col.value_{kind}")
    head = [t("report.col.metric"), value, t("report.col.target"), t("report.col.status"), change]
    return head, [(k.label, k.value, k.detail, k.target, k.status, k.change) for k in brief.kpis]


def training_table(brief: Briefing) -> list[str]:
    t = lambda key: i18n.t(key, brief.lang)  # noqa: E731
    return [
        t("report.col.kind"),
        t("report.col.sessions"),
        t("report.col.target"),
        t("report.col.attendees"),
        t("report.col.target"),
        t("report.col.status"),
    ]


def period_training_table(brief: Briefing) -> list[str]:
    t = lambda key: i18n.t(key, brief.lang)  # noqa: E731
    return [t("report.col.kind"), t("report.col.sessions"), t("report.col.attendees")]


def distribution(brief: Briefing) -> tuple[list[str], tuple[str, str]]:
    """The 版记: the lines 报/送/发, then (the issuing body, the date it is issued)."""
    t = lambda key, **kw: i18n.t(key, brief.lang, **kw)  # noqa: E731
    return (
        [t("report.distribution"), t("report.copy_to"), t("report.send_to")],
        (t("report.issuer"), t("report.printed", date=brief.date_text)),
    )


def render_html(brief: Briefing) -> str:
    """The briefing as one self-contained HTML page (inline CSS, plotly.js and figures), laid
    out as a 简报: the red masthead, the title, the sections, the figures, the 版记."""
    lang = brief.lang
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    parts = [
        '<header class="masthead">',
        f'<div class="paper">{_esc(brief.title)}</div>',
        f'<div class="issue">{_esc(brief.issue_text)}</div>',
        f'<div class="issuer"><span>{_esc(t("report.issuer"))}</span>'
        f"<span>{_esc(brief.date_text)}</span></div>",
        "</header>",
    ]
    if brief.version is None:
        parts.append(f"<p>{_esc(t('report.empty'))}</p>")
        return _page(parts, [], lang, brief)
    parts.append(f'<h1 class="title">{_esc(period_line(brief))}</h1>')

    tables = 0

    def caption(key: str) -> str:
        nonlocal tables
        tables += 1
        return f'<div class="caption">{_esc(t(key, n=tables))}</div>'

    for heading, blocks in brief.sections:
        parts.append(f"<h2>{_esc(heading)}</h2>")
        for block in blocks:
            if block.kind == "sub":
                parts.append(f"<h3>{_esc(block.text)}</h3>")
            elif block.kind == "para":
                parts.append(f'<p class="body">{_esc(block.text)}</p>')
            elif block.kind == "note":
                parts.append(f'<p class="note quality">{_esc(block.text)}</p>')
            elif block.kind == "named":
                sep = t("report.sep.name")
                parts.append(f'<p class="body"><b>{_esc(block.name)}</b>{sep}{_esc(block.text)}</p>')
            elif block.text == "kpis":
                head, rows = kpi_table(brief)
                body = []
                for (label, value, detail, target, status, change), k in zip(rows, brief.kpis, strict=True):
                    extra = f'<span class="detail">{_esc(detail)}</span>' if detail else ""
                    body.append(
                        f'<tr><td>{_esc(label)}</td><td class="num">{_esc(value)}{extra}</td>'
                        f'<td class="num">{_esc(target)}</td>'
                        f'<td class="status {k.tone}">{_esc(status)}</td>'
                        f'<td class="num">{_esc(change)}</td></tr>'
                    )
                heads = "".join(
                    f'<th class="{"num" if i in (1, 2, 4) else ""}">{_esc(h)}</th>'
                    for i, h in enumerate(head)
                )
                parts.append(caption("report.table.kpis"))
                parts.append(
                    f'<table class="kpi"><thead><tr>{heads}</tr></thead>'
                    f"<tbody>{''.join(body)}</tbody></table>"
                )
                for note in [brief.base_text, *brief.scope_notes]:
                    parts.append(f'<p class="note">{_esc(note)}</p>')
            elif block.text == "training":
                parts.append('<div class="block">' + caption("report.table.training"))
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
                heads = "".join(
                    f'<th class="{"num" if 1 <= i <= 4 else ""}">{_esc(h)}</th>'
                    for i, h in enumerate(training_table(brief))
                )
                parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>")
                if brief.township is not None:
                    parts.append(f'<p class="note">{_esc(t("training.county_note"))}</p>')
                parts.append("</div>")
            elif block.text == "period_training":
                parts.append('<div class="block">' + caption("report.table.period_training"))
                parts.append(_table(period_training_table(brief), brief.period_training, {1, 2}))
                parts.append("</div>")
            elif block.text == "ledger" and brief.ledger.get("overdue"):
                parts.append('<div class="block">' + caption("report.table.ledger"))
                parts.append(_table(brief.ledger["columns"], brief.ledger["overdue"], set(), "", {1, 3}))
                parts.append("</div>")
            elif block.text == "attention":
                for item in brief.attention:
                    if item["skip"] or not item["count"]:
                        continue
                    parts.append('<div class="list">')
                    parts.append(f'<h4 class="alert">{_esc(item["title"])}</h4>')
                    parts.append(
                        _table(
                            item["columns"],
                            item["rows"],
                            item["num_cols"],
                            item["more"],
                            item.get("name_cols", set()),
                        )
                    )
                    parts.append("</div>")

    # Figures, after the text as a 简报's 附图
    figures = []
    if brief.charts:
        parts.append(f'<h2 class="appendix">{_esc(t("report.appendix"))}</h2>')
        for i, (title, fig) in enumerate(brief.charts):
            figures.append((f"fig-{i}", fig))
            parts.append(
                f'<div class="chart"><div class="plot" data-figure="fig-{i}"></div>'
                f'<div class="caption">{_esc(t("report.figure", n=i + 1, title=title))}</div></div>'
            )
    parts.append('<footer class="colophon">')
    lines, (issuer, printed) = distribution(brief)
    parts += [f"<div>{_esc(line)}</div>" for line in lines]
    parts.append(f'<div class="printed"><span>{_esc(issuer)}</span><span>{_esc(printed)}</span></div>')
    parts.append("</footer>")
    return _page(parts, figures, lang, brief)


def _page(parts: list[str], figures: list[tuple[str, go.Figure]], lang: str, brief: Briefing) -> str:
    """The page of briefing.html around `parts`, with the figures and what draws them."""
    for _, fig in figures:
        fig.update_layout(font_family=CHART_FONTS[lang])
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
        title=_esc(brief.file_stem),
        version=_esc(brief.version_text),
        css=CSS.read_text("utf-8"),
        font=FONTS[lang],
        body="".join(parts),
        scripts=scripts,
    )
