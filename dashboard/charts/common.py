"""Shared look of every plotly chart, and the overview's charts."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .. import i18n

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
# Status colours, used the same way everywhere: met / short / missing / neutral.
GOOD, WARN, BAD, NEUTRAL = "#2e7d32", "#f9a825", "#c62828", "#90a4ae"
PARTY_RED = "#b71c1c"
SERIES = ["#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"]


def base_layout(fig: go.Figure, height: int = 360, legend: bool = True) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=10),
        font=dict(family=FONT, size=14), showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        hoverlabel=dict(font_family=FONT),
    )
    return fig


def rate_axis(fig: go.Figure, axis: str = "y") -> go.Figure:
    upd = dict(tickformat=".0%", range=[0, 1.05], gridcolor="#e0e0e0")
    fig.update_layout(**{f"{axis}axis": upd})
    return fig


def weekly_trend(trend: pd.DataFrame, lang: str) -> go.Figure:
    """Compliance, visit and checkpoint coverage rates per week, against the 100% line."""
    series = [("compliance_rate", "kpi.compliance"), ("visit_rate", "kpi.visit_rate"),
              ("coverage_rate", "kpi.coverage")]
    fig = go.Figure()
    for (col, key), colour in zip(series, SERIES):
        fig.add_scatter(x=trend["week_start"], y=trend[col], mode="lines+markers",
                        name=i18n.t(key, lang), line=dict(color=colour, width=3),
                        hovertemplate="%{x|%Y-%m-%d}: %{y:.1%}<extra></extra>")
    fig.add_hline(y=1.0, line_dash="dot", line_color=GOOD)
    fig.update_xaxes(tickformat="%m-%d", gridcolor="#f0f0f0")
    return rate_axis(base_layout(fig, height=320))
