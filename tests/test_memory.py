"""The server's collector (dashboard/ui/memory.py): with Streamlit's collection after every run
switched off, garbage that only a full collection frees (reference cycles) still goes once
pages have run, and an idle server is not walked for nothing."""

from __future__ import annotations

import gc
import tomllib
import weakref
from pathlib import Path

import pytest

from dashboard.ui import memory

ROOT = Path(__file__).resolve().parent.parent


class Node:
    """Something only the cycle collector frees (it refers to itself)."""

    def __init__(self):
        self.me = self
        self.payload = bytearray(1024)


def cyclic_garbage() -> weakref.ref:
    ref = weakref.ref(Node())
    assert ref() is not None  # still there: nothing but a collection frees a cycle
    return ref


@pytest.fixture
def manual_gc(monkeypatch):
    """Automatic collection off for the test (so only the collector frees cycles), no threads
    started, and Streamlit's per-run collection off as in .streamlit/config.toml."""
    monkeypatch.setattr(memory, "start", lambda: None)
    monkeypatch.setattr(memory, "_post_script_gc", lambda: False)
    was = gc.isenabled()
    gc.disable()
    gc.collect()
    yield
    if was:
        gc.enable()


def test_cycles_made_by_a_page_run_are_freed_by_the_next_look(manual_gc):
    last = memory.collect_once(-1)  # settle: whatever came before is collected
    ref = cyclic_garbage()
    memory.note_run()
    last = memory.collect_once(last)
    assert ref() is None
    assert last == memory._runs[0]


def test_no_collection_while_no_page_runs(manual_gc):
    last = memory.collect_once(-1)
    ref = cyclic_garbage()
    memory.collect_once(last)  # no run since the last look: nothing to do
    assert ref() is not None
    memory.note_run()
    memory.collect_once(last)
    assert ref() is None


def test_left_to_streamlit_when_it_collects_after_every_run(manual_gc, monkeypatch):
    monkeypatch.setattr(memory, "_post_script_gc", lambda: True)
    last = memory._runs[0]
    ref = cyclic_garbage()
    memory.note_run()
    memory.collect_once(last)
    assert ref() is not None
    gc.collect()
    assert ref() is None


def test_the_app_turns_streamlits_per_run_collection_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["runner"]["postScriptGC"] is False


class _FakeLibc:
    """Records mallopt calls as glibc would receive them."""

    def __init__(self):
        self.calls = []

        def mallopt(param, value):
            self.calls.append((param, value))
            return 1

        self.mallopt = mallopt


def test_the_server_caps_mallocs_arenas(monkeypatch):
    # glibc's M_ARENA_MAX is -8: two arenas for the whole process, set once at start-up
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    libc = _FakeLibc()
    assert memory.limit_arenas(libc=libc) is True
    assert libc.calls == [(-8, memory.ARENA_MAX)] and memory.ARENA_MAX == 2


def test_an_explicit_arena_setting_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    libc = _FakeLibc()
    assert memory.limit_arenas(libc=libc) is False and libc.calls == []
