"""Data access for the pages: `data(name, ctx)` for a figure or list of `dashboard.metrics`,
the comparison baseline and the briefing PDF, each cached by data version (a new load
invalidates nothing by hand)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from .. import metrics
from ..store import Store
from .gate import current_user
from .handles import _connection, store

if TYPE_CHECKING:
    from .context import Context


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(root: str, version: int | None, name: str, scope: metrics.Scope, kwargs: tuple):
    return getattr(metrics, name)(_connection(root, version), scope, **dict(kwargs))


def data(name: str, ctx: Context, **kwargs):
    """metrics.<name>(con, ctx.scope, **kwargs) for the view, cached by data version."""
    if st.session_state.get("_user") is not None and current_user() is None:
        st.rerun()  # a fragment's run: the session just ended; the full run says so
    return _cached(str(store().root), ctx.version, name, ctx.scope, tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, max_entries=64)
def _baseline(root: str, version: int | None, pins: str, scope: metrics.Scope):
    con = _connection(root, version)
    return metrics.baseline_summary(con, scope, store=Store(root))


@st.cache_data(show_spinner=False, max_entries=16)
def _briefing(root: str, version: int | None, pins: str, week, township, lang: str) -> bytes:
    from .. import report

    return report.build_pdf(Store(root), week, township, lang)


def baseline(ctx: Context) -> dict | None:
    """The figures to compare with: the last pinned meeting, else the previous week."""
    if ctx.version is None or ctx.week is None:
        return None
    s = store()
    return _baseline(str(s.root), ctx.version, repr(sorted(s.pins())), ctx.scope)
