"""The store this process serves and its read-only connections, one of each per process
(Streamlit resources): the lowest layer of the ui package."""

from __future__ import annotations

import streamlit as st

from ..store import Store


@st.cache_resource(show_spinner=False)
def _store(root: str | None) -> Store:
    return Store(root) if root else Store()


def store() -> Store:
    return _store(None)


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(root: str, version: int | None):
    # A version file never changes, so one read-only connection per version is safe;
    # queries use a cursor each (a connection refuses concurrent calls).
    return Store(root).connect(version)


def connection(version: int | None):
    return _connection(str(store().root), version)
