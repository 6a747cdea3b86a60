"""The fast path in front of the shared frames (dashboard/ui/data.py `fetch`): a page gets the
frame the resource cache handed out, a newly published version at once, and nothing the
resource cache has let go for longer than FAST_TTL_S."""

from __future__ import annotations

import sys

import pytest

import dashboard.ui  # noqa: F401  (the package re-exports `data` the function; the module is below)
from dashboard import metrics

data = sys.modules["dashboard.ui.data"]
ROOT = "/srv/store"
SCOPE = metrics.DEFAULT_SCOPE


@pytest.fixture
def made(monkeypatch):
    """The resource cache replaced by a counter: every call makes a new frame-like object."""
    calls = []

    def shared(root, version, name, scope, kwargs, _fn):
        calls.append((root, version, name, scope, kwargs))
        return {"version": version, "name": name, "n": len(calls)}

    monkeypatch.setattr(data, "_shared", shared)
    monkeypatch.setattr(data, "_fast", {})
    monkeypatch.setitem(data._seen, "version", None)
    shared.clear = lambda: None
    return calls


def test_repeated_views_get_the_same_frame(made):
    first = data.fetch(ROOT, 1, metrics.townships, SCOPE)
    again = data.fetch(ROOT, 1, metrics.townships, SCOPE)
    assert again is first
    assert len(made) == 1
    other = data.fetch(ROOT, 1, metrics.grid_list, SCOPE, (("geometry", True),))
    assert other["name"] == "grid_list" and len(made) == 2


def test_a_new_version_shows_at_once(made):
    old = data.fetch(ROOT, 1, metrics.townships, SCOPE)
    new = data.fetch(ROOT, 2, metrics.townships, SCOPE)
    assert (old["version"], new["version"]) == (1, 2)
    # the older version's frames are gone from the fast path too
    assert all(key[1] == 2 for key in data._fast)


def test_the_resource_cache_is_asked_again_after_fast_ttl(made, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(data.time, "monotonic", lambda: now[0])
    first = data.fetch(ROOT, 1, metrics.townships, SCOPE)
    now[0] += data.FAST_TTL_S - 1
    assert data.fetch(ROOT, 1, metrics.townships, SCOPE) is first
    now[0] += 2
    later = data.fetch(ROOT, 1, metrics.townships, SCOPE)
    assert later is not first and len(made) == 2


def test_the_fast_path_is_bounded(made, monkeypatch):
    monkeypatch.setattr(data, "SHARED_MAX_ENTRIES", 3)
    for i in range(1, 8):
        data.fetch(ROOT, 1, metrics.checkpoint_status, metrics.Scope(township=f"T{i}"))
    assert len(data._fast) == 3
    assert {key[3].township for key in data._fast} == {"T5", "T6", "T7"}  # the newest stay


def test_small_figures_are_not_shared(made, monkeypatch):
    monkeypatch.setattr(data, "_cached", lambda *a: {"copy": True})
    assert data.fetch(ROOT, 1, metrics.available_weeks, SCOPE) == {"copy": True}
    assert made == [] and data._fast == {}


def test_what_the_resource_cache_lets_go_is_not_served(monkeypatch):
    """With Streamlit's own resource cache: a clear (as a new version or the tests make)
    leaves no frame behind in the fast path."""
    import streamlit as st

    made = []

    def townships(con, scope):
        made.append(object())
        return made[-1]

    monkeypatch.setattr(data, "connection_of", lambda root, version: None)
    monkeypatch.setattr(data, "SHARED", data.SHARED | {townships})
    monkeypatch.setattr(data, "_fast", {})
    monkeypatch.setitem(data._seen, "version", None)
    root = "/srv/fast-test-store"
    first = data.fetch(root, 1, townships, SCOPE)
    assert data.fetch(root, 1, townships, SCOPE) is first and len(made) == 1
    data._shared.clear()
    second = data.fetch(root, 1, townships, SCOPE)
    assert second is not first and len(made) == 2
    st.cache_resource.clear()
    assert data.fetch(root, 1, townships, SCOPE) is not second and len(made) == 3
