"""Light pages (issue 14 §2): a chart drawn only when asked for, and progress without Plotly.

Loading plotly.js costs the browser about 0.7 s of main-thread CPU on every visit of a page
that sends any Plotly chart; a plain collapsed st.expander still sends its chart. A page that
sends no Plotly chart on load costs what a blank page costs (benchmarks/RESULTS-2026-12-02.md).
"""

from __future__ import annotations

from html import escape

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ..charts.common import GOOD, NEUTRAL, WARN
from .context import Context

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
