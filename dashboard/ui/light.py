"""Light pages (issue 14 §2): a chart drawn only when asked for, and progress without Plotly.

Loading plotly.js costs the browser about 0.7 s of main-thread CPU on every visit of a page
that sends any Plotly chart; a plain collapsed st.expander still sends its chart. A page that
sends no Plotly chart on load costs what a blank page costs (benchmarks/RESULTS-2026-12-02.md).
"""
from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from .. import i18n
from .context import Context

_OPEN = "_open_{}"                     # session state: whether the leader left the box open


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


_TONE = {"good": "green", "warn": "orange", "none": "gray"}


def kind_progress(ctx: Context, rows) -> None:
    """charts.training.kind_rows as one progress bar per kind, no Plotly: the bar is the share
    of the year's target done (full when met); without a target, the figure against the
    largest figure shown. Above each bar the kind and "done / target (share)" in the tone's
    colour (green met, amber short of it, grey no target)."""
    top = max([1, *(r.done for r in rows), *(r.target or 0 for r in rows)])
    for r in rows:
        if r.target:
            value = min(r.done / r.target, 1.0)
            said = r.text
        else:
            value = min(r.done / top, 1.0)
            said = f"{r.text} · {ctx.t('light.no_target')}" if r.target is None else r.text
        st.progress(value, text=f"**{i18n.md_escape(r.label)}**　"
                                f":{_TONE[r.tone]}[{i18n.md_escape(said)}]")
