"""Light pages (issue 14 §2): a chart drawn only when asked for, and progress without Plotly.

Loading plotly.js is the largest cost of a visit to a page that sends any Plotly chart, and a
plain collapsed st.expander still sends its chart; a page that sends no Plotly chart on load
costs about what a blank page costs (the figures: benchmarks/RESULTS-2026-12-02.md).
"""

from __future__ import annotations

from html import escape

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ..charts.common import GOOD, NEUTRAL, WARN
from ..context import Context

_OPEN = "_open_{}"  # session state: whether the leader left the box open


def on_request(key: str, label: str) -> DeltaGenerator:
    """An expander that tracks its state: draw its chart only `if box.open`, so nothing is
    sent while it is closed. `label` says what is inside (…（点击展开）).

    Open or closed is remembered for the session under `key`: a leader who opened it finds it
    open after a filter change, a language switch or a visit to another page (Streamlit
    forgets a widget's state when its page is not drawn, or when its label changes)."""
    remembered = bool(st.session_state.get(_OPEN.format(key), False))
    box = st.expander(label, expanded=remembered, key=key, on_change="rerun")
    st.session_state[_OPEN.format(key)] = bool(box.open)
    return box


# Bar and text colours by tone: the status colours of every chart (charts.common); the text of
# "short" a darker amber, readable on white.
_BAR = {"good": GOOD, "warn": WARN, "none": NEUTRAL}
_TEXT = {"good": GOOD, "warn": "#a15c00", "none": "#607d8b"}
_ROW = (
    '<div role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="{value}" '
    'aria-label="{label}: {said}" data-tone="{tone}" style="margin:0 0 0.6rem 0">'
    '<div style="display:flex;justify-content:space-between;gap:0.5rem;font-size:0.9rem">'
    '<span style="font-weight:600">{label}</span><span style="color:{text}">{said}</span></div>'
    '<div style="background:#eceff1;border-radius:4px;height:10px;margin-top:2px">'
    '<div style="width:{value}%;height:10px;border-radius:4px;background:{bar}"></div>'
    "</div></div>"
)


def kind_progress(ctx: Context, rows) -> None:
    """charts.training.kind_rows as one bar per kind, drawn in HTML: no Plotly, one element.
    The pale bar is the year's target, the coloured bar the share of it done (full when met);
    without a target, the figure against the largest figure shown. Above each bar the kind and
    "done / target (share)", in the tone's colour (green met, amber short of it, grey no
    target), which also reads out as the bar's aria-label.

    Only the label table's kind names and figures go into the HTML (no uploaded text), and
    each is escaped."""
    top = max([1, *(r.done for r in rows), *(r.target or 0 for r in rows)])
    html = []
    for r in rows:
        share = min(r.done / r.target, 1.0) if r.target else min(r.done / top, 1.0)
        said = f"{r.text} · {ctx.t('light.no_target')}" if r.target is None else r.text
        html.append(
            _ROW.format(
                value=round(share * 100),
                label=escape(r.label),
                said=escape(said),
                tone=r.tone,
                text=_TEXT[r.tone],
                bar=_BAR[r.tone],
            )
        )
    st.markdown("".join(html), unsafe_allow_html=True)


# A tile's sparkline in the colours st.metric gives its own (Streamlit's light theme): green a
# change for the better, red for the worse, grey none. st.metric(chart_data=…) draws it with
# Vega-Lite, which loads a chart library per tile; as inline SVG it costs next to nothing.
SPARK_COLOURS = {1: "#079464", -1: "#D94A57", 0: "#6B7280"}
_SPARK_H = 48  # px, as st.metric's chart


def sparkline(points, better: int, label: str) -> str:
    """A line of `points` [(when, value as said, value)], oldest first, in one SVG: scaled to
    its own lowest and highest value (as st.metric's chart), coloured by `better` (+1, -1, 0;
    SPARK_COLOURS). Each point's stretch of the line tells "when · value" on hover and is shaded
    while the pointer is on it. `label` (e.g. "近12周走势") is what a screen reader says.
    Only our own labels and figures go into it, each escaped."""
    values = [float(v) for _, _, v in points]
    n = len(values)
    if n < 2:
        return ""
    lo, hi = min(values), max(values)
    step = 100 / (n - 1)
    top, room = 3, _SPARK_H - 6  # the line's width stays inside the box
    ys = [_SPARK_H / 2 if hi == lo else top + room * (hi - v) / (hi - lo) for v in values]
    line = " ".join(f"{i * step:.2f},{y:.2f}" for i, y in enumerate(ys))
    hits = "".join(
        f'<rect x="{max(0.0, (i - 0.5) * step):.2f}" y="0" width="{step if 0 < i < n - 1 else step / 2:.2f}" '
        f'height="{_SPARK_H}"><title>{escape(when)} · {escape(said)}</title></rect>'
        for i, (when, said, _) in enumerate(points)
    )
    return (
        f'<svg class="spk" role="img" aria-label="{escape(label)}" viewBox="0 0 100 {_SPARK_H}" '
        f'preserveAspectRatio="none" style="display:block;width:100%;height:{_SPARK_H}px;overflow:visible">'
        "<style>.spk rect{fill:transparent}.spk rect:hover{fill:rgba(49,51,63,0.08)}</style>"
        f'<polyline points="{line}" fill="none" stroke="{SPARK_COLOURS[better]}" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" vector-effect="non-scaling-stroke"/>'
        f"{hits}</svg>"
    )
