"""Giving memory back when sessions end: one daemon thread per server process (`start()`,
called after the first page run) and the allocators set to return what is free.

With the shared frames of dashboard/ui/data.py, ten protocol sessions at 100× grow the server
by about +300 MB; before this module it kept +285 MB of it long after they had closed
(benchmarks/settle.py), for three reasons:

- Streamlit keeps a closed tab's session for `server.disconnectedSessionTTL` seconds (a
  reload within that time resumes it), but removes an expired one only when another session
  disconnects: on a quiet server, never. Every KEEP_EVERY_S the keeper removes the expired
  ones on Streamlit's event loop, as that next disconnect would, and shuts each down as
  Streamlit's close_session does a stored session.
- Arrow (pandas' strings, Streamlit's tables) allocates from its own mimalloc pool, which
  keeps what it freed: from `start()` on, Arrow uses the system's malloc instead, and
  glibc's free heap pages go back with `malloc_trim(0)` every KEEP_EVERY_S.
- DuckDB's allocator purges idle memory only on its next allocation unless its background
  threads are on (set per connection in handles.py).
- glibc's malloc spreads a multi-threaded process over many arenas that do not share their
  free memory: `limit_arenas()` (from app.py, at start-up) caps them at ARENA_MAX.

Streamlit's own full collection after every script run (`runner.postScriptGC`) is off in
.streamlit/config.toml: under load it walked the heap of every live session after every page
view, about half of the server's CPU with 30 sessions clicking (py-spy, benchmarks.protocol).
Instead the collector here makes one full collection every COLLECT_EVERY_S while pages are
being run (`note_run()` after each run), so cyclic garbage still goes within seconds, at a
cost that does not grow with the number of sessions.

Where Streamlit's internals, glibc or pyarrow are not what this expects, the keeper does
nothing (the server runs as before).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import logging
import os
import threading
import time

log = logging.getLogger(__name__)

KEEP_EVERY_S = 10.0  # how often the keeper looks (well inside the minute of issue 14)
COLLECT_EVERY_S = 2.0  # at most one full collection this often, and only after page runs

_started = False
_start_lock = threading.Lock()
_runs = [0]  # page runs finished in this process (note_run); read by the collector


def note_run() -> None:
    """A run finished (app.py through routing.settle_heap, the login form): the collector,
    started here if no page ran yet, collects within COLLECT_EVERY_S."""
    _runs[0] += 1
    start()


def _post_script_gc() -> bool:
    """Streamlit collects after every run by itself (runner.postScriptGC on)."""
    try:
        import streamlit as st

        return bool(st.get_option("runner.postScriptGC"))
    except Exception:
        return True


def collect_once(last: int) -> int:
    """One look of the collector: a full collection when pages ran since the run count
    `last` and Streamlit does not collect after each run itself; returns the run count seen."""
    runs = _runs[0]
    if runs != last and not _post_script_gc():
        gc.collect()
    return runs


# glibc gives each thread that meets contention an arena of its own (up to 8 per core), and
# memory freed in one arena cannot serve another: with Streamlit's script threads, DuckDB's
# threads and summary()'s query threads, ten sessions at 100× left +154 MB after they had
# closed and peaked at +329 MB; with two arenas +65 MB and +196 MB, at the same speed
# (benchmarks.settle, 2026-12-02). An explicit MALLOC_ARENA_MAX in the environment wins.
ARENA_MAX = 2
_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h


def limit_arenas(n: int = ARENA_MAX, libc=None) -> bool:
    """Cap glibc's malloc arenas at `n` for this process (call it before the threads start:
    app.py does, when `streamlit run` imports it). False where there is nothing to do: the
    environment sets MALLOC_ARENA_MAX itself, or the C library is not glibc."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        lib = libc or ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = lib.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, n))


def _malloc_trim():
    """glibc's malloc_trim, or None (another C library: nothing to trim)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def _reap() -> int:
    """On Streamlit's event loop (where its session manager runs): remove the expired
    disconnected sessions and shut each down, as Runtime.close_session does a stored one."""
    from streamlit import runtime

    manager = runtime.get_instance()._session_mgr
    lock = getattr(manager, "_storage_lock", None) or contextlib.nullcontext()
    with lock:
        expired = manager._session_storage._cache.expire()
    for _, info in expired:
        with contextlib.suppress(Exception):
            info.session.shutdown()
    return len(expired)


def reap_sessions(timeout: float = 5.0) -> int:
    """Remove the disconnected sessions whose disconnectedSessionTTL has passed (Streamlit
    itself does so only on the next disconnect); returns how many went. 0 without a running
    Streamlit, or one whose internals are not what this expects."""
    try:
        from streamlit import runtime

        if not runtime.exists():
            return 0
        loop = runtime.get_instance()._get_async_objs().eventloop
    except Exception:
        return 0
    done, result = threading.Event(), []

    def run():
        try:
            result.append(_reap())
        except Exception:  # not the Streamlit this was written for: leave it
            result.append(0)
        finally:
            done.set()

    try:
        loop.call_soon_threadsafe(run)
    except RuntimeError:  # the loop is closed: the server is stopping
        return 0
    done.wait(timeout)
    return result[0] if result else 0


def keep_once(trim=None) -> int:
    """One look: reap expired sessions; when any went, collect and give freed heap back."""
    reaped = reap_sessions()
    if reaped:
        gc.collect()
    if trim is not None:
        trim(0)
    return reaped


def _keep(trim) -> None:
    """The one memory thread: the collector's look every COLLECT_EVERY_S, the keeper's every
    KEEP_EVERY_S; neither may take the server down."""
    last, kept = 0, time.monotonic()
    while True:
        time.sleep(COLLECT_EVERY_S)
        try:
            last = collect_once(last)
            if time.monotonic() - kept >= KEEP_EVERY_S:
                kept = time.monotonic()
                keep_once(trim)
        except Exception:
            log.exception("memory keeper")


def _system_arrow_pool() -> None:
    """Arrow (the strings of every pandas frame, Streamlit's tables) allocates from the
    system's malloc from now on, not from its own mimalloc pool: mimalloc keeps what a
    finished page view freed in its 1 GB region (+200 MB after ten sessions at 100×, never
    returned), while malloc's free pages go back with malloc_trim."""
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except Exception:
        pass


def start() -> None:
    """Start the memory thread (keeper and collector) once per process (later calls do nothing); Arrow
    from then on uses the system allocator."""
    global _started
    if _started:
        return
    with _start_lock:
        if _started:
            return
        _started = True
        _system_arrow_pool()
        threading.Thread(
            target=_keep, args=(_malloc_trim(),), name="dashboard-memory-keeper", daemon=True
        ).start()
