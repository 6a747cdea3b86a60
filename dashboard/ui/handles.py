"""The store this process serves and its read-only connections, one of each per process
(Streamlit resources): the lowest layer of the ui package."""

from __future__ import annotations

import os

import streamlit as st

from ..store import Store


@st.cache_resource(show_spinner=False)
def _store(root: str | None) -> Store:
    return Store(root) if root else Store()


_stores: dict[tuple, Store] = {}  # (DASHBOARD_STORE, DASHBOARD_STATE) -> what _store(None) gave


def store() -> Store:
    """The Store this process serves. Called many times per page view: remembered per the
    environment that names it, without hashing arguments in Streamlit's resource cache."""
    key = (os.environ.get("DASHBOARD_STORE"), os.environ.get("DASHBOARD_STATE"))
    found = _stores.get(key)
    if found is None:
        found = _stores[key] = _store(None)
    return found


@st.cache_resource(show_spinner=False, max_entries=4)
def connection_of(root: str, version: int | None):
    """The read-only connection of `version` of the store at `root`, one per process."""
    # A version file never changes, so one read-only connection per version is safe;
    # queries use a cursor each (a connection refuses concurrent calls).
    con = Store(root).connect(version)
    # DuckDB's allocator gives idle memory back by itself (background threads), not only on
    # its next allocation: what ten concurrent page views needed does not stay with a quiet
    # server (dashboard.ui.memory does the same for Python's and Arrow's memory).
    con.execute("SET allocator_background_threads = true")
    return con


def connection(version: int | None):
    return connection_of(str(store().root), version)
