"""Canaries for the internals the server's tuning leans on (dashboard/ui/memory.py): one per
internal, against the installed libraries. Each fails with a message that names the internal
and the library's version when an upgrade moves it; without the canary the tweak would turn
itself off in silence and the memory growth that issue 14 removed would come back."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import threading
import types

import pandas as pd
import pytest

from dashboard.ui import memory

from helpers import tiles

glibc_only = pytest.mark.skipif(not memory._on_glibc(), reason="the arena cap and trim are glibc's")


def _reach(fn, *args):
    """fn(*args); a moved internal fails the test with memory.InternalMoved's message."""
    try:
        return fn(*args)
    except memory.InternalMoved as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture
def tuning_on(monkeypatch):
    monkeypatch.delenv(memory.TUNING_ENV, raising=False)
    monkeypatch.setattr(memory, "_warned", {})


@pytest.fixture
def streamlit_runtime():
    """A started Streamlit Runtime (as `streamlit run` makes it, without the web server), its
    event loop on a thread of its own; stopped and forgotten afterwards."""
    from streamlit.runtime import Runtime, RuntimeConfig
    from streamlit.runtime.caching.storage.dummy_cache_storage import MemoryCacheStorageManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    rt = Runtime(
        RuntimeConfig(
            script_path="app.py",
            media_file_storage=MemoryMediaFileStorage("/media"),
            uploaded_file_manager=MemoryUploadedFileManager("/upload"),
            cache_storage_manager=MemoryCacheStorageManager(),
            is_hello=False,
            session_storage=MemorySessionStorage(ttl_seconds=0),  # expired as soon as stored
        )
    )
    started, stop = threading.Event(), threading.Event()

    async def serve():
        await rt.start()
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.01)
        rt.stop()
        await rt.stopped

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    try:
        assert started.wait(30), "Streamlit's Runtime did not start"
        yield rt
    finally:
        stop.set()
        thread.join(30)
        Runtime._instance = None


def test_streamlits_session_storage_is_where_the_keeper_reaps(tuning_on, streamlit_runtime):
    lock, cache = _reach(memory.session_storage, streamlit_runtime)
    assert callable(cache.expire) and hasattr(lock, "__enter__")


def test_streamlits_event_loop_is_where_the_keeper_runs(tuning_on, streamlit_runtime):
    loop = _reach(memory.event_loop, streamlit_runtime)
    assert isinstance(loop, asyncio.AbstractEventLoop) and loop.is_running()


def test_a_closed_tabs_expired_session_is_reaped_and_shut_down(tuning_on, streamlit_runtime):
    """End to end on the real Runtime: an expired disconnected session leaves Streamlit's
    storage and is shut down."""
    shut = []
    session = types.SimpleNamespace(id="closed-tab", shutdown=lambda: shut.append(1))
    _, cache = _reach(memory.session_storage, streamlit_runtime)
    streamlit_runtime._session_mgr._session_storage.save(types.SimpleNamespace(session=session))
    assert memory.reap_sessions() == 1, list(memory._warned.values())
    assert shut == [1] and "closed-tab" not in cache


def test_streamlits_per_run_collection_is_an_option(tuning_on):
    import streamlit as st

    try:
        st.get_option("runner.postScriptGC")
    except RuntimeError as e:
        pytest.fail(str(memory.InternalMoved("post_script_gc", str(e))), pytrace=False)


def test_pandas_blocks_are_where_shared_frames_are_frozen(tuning_on):
    frame = pd.DataFrame({"households": [3, 4], "rate": [0.5, 1.0], "name": ["a", "b"]})
    blocks = _reach(memory.frame_blocks, frame)
    assert blocks
    memory.freeze_frame(frame)
    assert not memory._warned
    with pytest.raises(ValueError, match="read-only"):
        frame.loc[0, "households"] = 0
    with pytest.raises(ValueError, match="read-only"):
        frame.iloc[1, 1] = 0.0


@glibc_only
def test_glibcs_mallopt_caps_the_arenas(tuning_on, monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    mallopt = _reach(memory.libc_function, "mallopt")
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # what the server does at start-up (app.py): accepted by this glibc
    assert memory.limit_arenas() is True, list(memory._warned.values())


@glibc_only
def test_glibcs_malloc_trim_gives_heap_back(tuning_on):
    _reach(memory.libc_function, "malloc_trim")
    trim = memory._malloc_trim()
    assert trim is not None and trim(0) in (0, 1)


def test_arrow_can_allocate_from_the_systems_malloc(tuning_on):
    import pyarrow as pa

    before = pa.default_memory_pool()
    try:
        assert memory.system_arrow_pool() is True, list(memory._warned.values())
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(before)


def test_gc_freeze_moves_the_settled_heap_out_of_the_collectors_sight(tuning_on, monkeypatch):
    monkeypatch.setattr(memory, "_settled", set())
    _, _, frozen = _reach(memory.gc_freezer)
    try:
        memory.settle("overview")
        assert frozen() > 0, list(memory._warned.values())
    finally:
        gc.unfreeze()


# --- The switch: DASHBOARD_TUNING=off turns every tweak off and the dashboard still works. ---


def test_with_tuning_off_no_tweak_runs(monkeypatch, streamlit_runtime):
    monkeypatch.setenv(memory.TUNING_ENV, "off")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setattr(memory, "_settled", set())
    frame = pd.DataFrame({"households": [3, 4]})
    memory.freeze_frame(frame)
    frame.loc[0, "households"] = 0  # writeable: not frozen
    assert frame["households"].tolist() == [0, 4]
    assert memory.limit_arenas() is False and memory._malloc_trim() is None
    assert memory.system_arrow_pool() is False
    gc.unfreeze()
    memory.settle("overview")
    assert gc.get_freeze_count() == 0
    session = types.SimpleNamespace(id="closed-tab", shutdown=lambda: None)
    streamlit_runtime._session_mgr._session_storage.save(types.SimpleNamespace(session=session))
    assert memory.reap_sessions() == 0


def test_pages_show_the_same_figures_with_tuning_off(monkeypatch, open_app):
    on = open_app("grids")
    monkeypatch.setenv(memory.TUNING_ENV, "off")
    at = open_app()
    assert not at.exception, [e.value for e in at.exception]
    assert tiles(at)["边境村组党支部达标"] == "122 / 122"  # the article's figure
    off = open_app("grids")
    assert not off.exception, [e.value for e in off.exception]
    assert tiles(off) == tiles(on) and tiles(off)


def test_streamlits_pages_manager_says_which_page_a_link_asked_for():
    # ui.routing.lost_path reads the intent of the run to give a stale link a page in the
    # user's language instead of Streamlit's English "Page not found" dialog.
    from streamlit.runtime.pages_manager import PagesManager

    manager = PagesManager("app.py")
    manager.set_script_intent("", "branches")
    run = types.SimpleNamespace(pages_manager=manager)
    name, script_hash, clear = _reach(memory.page_intent, run)
    assert (name, script_hash) == ("branches", "")
    clear()
    assert _reach(memory.page_intent, run)[:2] == ("", "")


def test_a_moved_pages_manager_is_named_not_hidden():
    # What the canary above guards, shown once: the internal renamed, the message names it.
    run = types.SimpleNamespace(pages_manager=types.SimpleNamespace(renamed_intent="branches"))
    with pytest.raises(memory.InternalMoved, match=r"streamlit .*intended_page_name"):
        memory.page_intent(run)
