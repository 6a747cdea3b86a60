"""Shared look of every plotly chart, and the overview's charts.

Plotly reads every text, tick, hover and legend string as a subset of HTML: `<a href>` becomes
a live link, `<b>` bold, `<br>` a line break, and entities (`&lt;`, `&#34;`) are decoded. A
name from an uploaded file therefore goes into a figure only through `plot_text`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .. import i18n

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# Status colours, used the same way everywhere: met / short / missing / neutral.
GOOD, WARN, BAD, NEUTRAL = "#2e7d32", "#f9a825", "#c62828", "#90a4ae"
PARTY_RED = "#b71c1c"
SERIES = ["#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"]


def plot_text(value) -> str:
    """A data label (a township, checkpoint or grid name) as plotly shows it: literally.

    Only `&`, `<` and `>` are escaped: with no `<` left, no tag can start, and plotly decodes
    `&amp;`, `&lt;` and `&gt;` back to the characters. Quotes stay as they are: plotly does not
    decode `&quot;`, so html.escape()'s quotes would show as `&quot;`. Escape once, here, at the
    point where a label enters a figure; None shows as an empty string."""
    if value is None or value != value:  # None, NaN
        return ""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plot_texts(values) -> list[str]:
    """plot_text of each value, in order."""
    return [plot_text(v) for v in values]


# A by-township chart shows at most this many townships: at a province's hundreds, the weakest,
# and its title says so (a chart of 600 bars is a wall nobody reads).
MAX_TOWNSHIPS = 30


def weakest_title(fig: go.Figure, text: str) -> go.Figure:
    """Title a chart that shows only the weakest townships with `text` (the note saying so),
    small and muted, above the plot and its legend (call after base_layout)."""
    top = (fig.layout.margin.t or 40) + 28
    fig.update_layout(
        title=dict(
            text=plot_text(text),
            x=0,
            xanchor="left",
            xref="paper",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=6),
            font=dict(size=13, color="#616161"),
        ),
        margin=dict(t=top),
        height=fig.layout.height + 28,
    )
    return fig


# How every chart is shown (st.plotly_chart(config=...)): no mode bar, no zoom by wheel or
# pinch; with base_layout's dragmode=False a finger on a chart scrolls the page (issue 20 §4).
PLOT_CONFIG = {"displayModeBar": False, "scrollZoom": False}


def base_layout(fig: go.Figure, height: int = 360, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height,
        dragmode=False,  # a drag on a touch screen scrolls the page instead of zooming the chart
        margin=dict(l=10, r=10, t=40, b=10),
        font=dict(family=FONT, size=14),
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel=dict(font_family=FONT),
    )
    return fig


def rate_axis(fig: go.Figure, axis: str = "y") -> go.Figure:
    upd = dict(tickformat=".0%", range=[0, 1.05], gridcolor="#e0e0e0")
    fig.update_layout(**{f"{axis}axis": upd})
    return fig


def weekly_trend(trend: pd.DataFrame, lang: str) -> go.Figure:
    """Compliance, visit and checkpoint coverage rates per week, against the 100% line."""
    series = [
        ("compliance_rate", "figure.branches.compliance_rate"),
        ("visit_rate", "figure.grids.visit_rate"),
        ("coverage_rate", "figure.checkpoints.coverage_rate"),
    ]
    fig = go.Figure()
    for (col, key), colour in zip(series, SERIES, strict=False):
        fig.add_scatter(
            x=trend["week_start"],
            y=trend[col],
            mode="lines+markers",
            name=i18n.t(key, lang),
            line=dict(color=colour, width=3),
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>",
        )
    fig.add_hline(y=1.0, line_dash="dot", line_color=GOOD)
    fig.update_xaxes(tickformat="%m-%d", gridcolor="#f0f0f0")
    return rate_axis(base_layout(fig, height=320))


# ---------------------------------------------------------------- the meeting screen
SCREEN_TEXT, SCREEN_MUTED, SCREEN_GRID = "#eceff1", "#b0bec5", "#37474f"
# Colours chosen for a white page, and what stands for them on the dark screen: the status
# colours brighter, pale fills (a target's bar) dark.
_ON_DARK = {
    GOOD: "#43a047",
    WARN: "#ffb300",
    BAD: "#e53935",
    NEUTRAL: "#78909c",
    SERIES[1]: "#42a5f5",
    "#eceff1": "#2b3a42",
    "#c8e6c9": "#2e5d32",
    "#616161": "#90a4ae",
    "#9e9e9e": "#607d8b",
    "#ffffff": "#0b1220",
}


def _dark(colour):
    if isinstance(colour, str):
        return _ON_DARK.get(colour.lower(), _ON_DARK.get(colour, colour))
    if isinstance(colour, (list, tuple)):
        return [_dark(c) for c in colour]
    return colour


def for_screen(fig: go.Figure, font_size: int = 26, height: int | None = None) -> go.Figure:
    """A figure built for the pages, restyled for the dark meeting screen: light text at
    `font_size`, dark grid lines, the status colours brightened, pale fills darkened."""
    fig.update_layout(
        font=dict(family=FONT, size=font_size, color=SCREEN_TEXT),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend=dict(font=dict(size=font_size, color=SCREEN_TEXT)),
    )
    if height is not None:
        fig.update_layout(height=height)
    for axes in (fig.update_xaxes, fig.update_yaxes):
        axes(
            automargin=True,
            gridcolor=SCREEN_GRID,
            linecolor=SCREEN_GRID,
            zerolinecolor=SCREEN_GRID,
            tickfont=dict(size=font_size, color=SCREEN_TEXT),
            title_font=dict(size=font_size, color=SCREEN_MUTED),
        )
    for trace in fig.data:
        marker = getattr(trace, "marker", None)
        if marker is not None and marker.color is not None:
            marker.color = _dark(marker.color)
            if getattr(marker, "line", None) is not None and marker.line.color is not None:
                marker.line.color = _dark(marker.line.color)
        line = getattr(trace, "line", None)
        if line is not None and line.color is not None:
            line.color = _dark(line.color)
        if getattr(trace, "colorscale", None) is not None:
            trace.colorscale = [[stop, _dark(c)] for stop, c in trace.colorscale]
        textfont = getattr(trace, "textfont", None)
        if textfont is not None:
            textfont.color = SCREEN_TEXT
            textfont.size = font_size
    for shape in fig.layout.shapes:
        if shape.line.color is not None:
            shape.line.color = _dark(shape.line.color)
    if fig.layout.title.text:  # a weakest-townships note
        fig.update_layout(title_font=dict(size=font_size, color=SCREEN_MUTED))
    for note in fig.layout.annotations:
        note.font.size = font_size
        note.font.color = _dark(note.font.color) if note.font.color else SCREEN_TEXT
    return fig
