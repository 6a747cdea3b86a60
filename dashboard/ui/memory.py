"""The server's tuning, in one place and behind one switch: everything here leans on the
internals of another library (Streamlit's session manager, pandas' blocks, glibc's malloc
through ctypes) or on process-wide state (gc.freeze, Arrow's allocator). Nothing outside this
module reaches those internals; tests/test_canaries.py fails, naming the internal and the
library's version, when an upgrade moves one of them.

The switch: `DASHBOARD_TUNING=off` in the server's environment turns every tweak below off
(`enabled()`); the dashboard then runs as plain Streamlit would, with only the collector left
(it uses gc's public API and stands in for Streamlit's collection after every run, which
.streamlit/config.toml turns off). With tuning on, an internal that is not where this module
expects it turns its own tweak off and logs one warning naming it and the library's version
(`InternalMoved`): the server keeps running, but the memory it guards is no longer given back.

What each tweak is for (measurements: benchmarks/RESULTS-2026-12-02.md, benchmarks/settle.py):

- Streamlit keeps a closed tab's session for `server.disconnectedSessionTTL` seconds (a reload
  within that time resumes it), but removes an expired one only when another session
  disconnects: on a quiet server, never. Every KEEP_EVERY_S the keeper removes the expired
  ones on Streamlit's event loop, as that next disconnect would, and shuts each down as
  Streamlit's close_session does a stored session (`reap_sessions`).
- Arrow (pandas' strings, Streamlit's tables) allocates from its own mimalloc pool, which keeps
  what it freed: from `start()` on, Arrow uses the system's malloc instead, and glibc's free
  heap pages go back with `malloc_trim(0)` every KEEP_EVERY_S.
- glibc's malloc spreads a multi-threaded process over many arenas that do not share their
  free memory: `limit_arenas()` (from app.py, at start-up) caps them at ARENA_MAX.
- After the first run of each page, what is left is moved out of the collector's sight with
  gc.freeze() (`settle`), so that a full collection does not walk the modules, the libraries'
  tables and the caches again and again.
- The frames shared by every session (dashboard/ui/data.py) are made read-only in place
  (`freeze_frame`), so that a view that writes into one fails at once instead of changing what
  every other session sees.
- Streamlit's own full collection after every script run (`runner.postScriptGC`) is off in
  .streamlit/config.toml: it walked the heap of every live session after every page view.
  Instead the collector here makes one full collection every COLLECT_EVERY_S while pages are
  being run (`note_run()` after each run), so cyclic garbage still goes within seconds, at a
  cost that does not grow with the number of sessions.

DuckDB's allocator is told to purge idle memory by its background threads in handles.py (a
public DuckDB setting, not an internal).
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import importlib.metadata
import logging
import os
import platform
import threading
import time

log = logging.getLogger(__name__)

# The one switch: "off" (or 0/false/no) turns every tweak of this module off.
TUNING_ENV = "DASHBOARD_TUNING"
_OFF = frozenset({"off", "0", "false", "no"})

KEEP_EVERY_S = 10.0  # how often the keeper looks (well inside the minute of issue 14)
COLLECT_EVERY_S = 2.0  # at most one full collection this often, and only after page runs

# Two arenas share their free memory well enough while keeping Streamlit's, DuckDB's and
# summary()'s threads apart (issue 14). An explicit MALLOC_ARENA_MAX in the environment wins.
ARENA_MAX = 2
_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h

# Every internal this module leans on: key -> (library, the internal, what goes without it).
# Each has a canary in tests/test_canaries.py.
INTERNALS = {
    "session_storage": (
        "streamlit",
        "Runtime._session_mgr._session_storage._cache.expire() and ._session_mgr._storage_lock",
        "closed tabs' sessions are no longer reaped: their memory stays until another disconnect",
    ),
    "event_loop": (
        "streamlit",
        "Runtime._get_async_objs().eventloop",
        "closed tabs' sessions are no longer reaped: their memory stays until another disconnect",
    ),
    "post_script_gc": (
        "streamlit",
        "the config option runner.postScriptGC",
        "the collector cannot tell whether Streamlit collects after every run",
    ),
    "frame_blocks": (
        "pandas",
        "DataFrame._mgr.blocks[i].values",
        "the frames shared by every session are no longer read-only",
    ),
    "mallopt": ("glibc", "mallopt via ctypes", "malloc's arenas are not capped"),
    "malloc_trim": ("glibc", "malloc_trim via ctypes", "free heap pages are not given back"),
    "arrow_pool": (
        "pyarrow",
        "pyarrow.set_memory_pool(pyarrow.system_memory_pool())",
        "Arrow keeps what it freed in its own pool",
    ),
    "gc_freeze": (
        "python",
        "gc.freeze(), gc.unfreeze() and gc.get_freeze_count()",
        "every collection walks the whole heap",
    ),
    # Not tuning (the switch leaves it on): the path a browser asked for, which Streamlit's
    # public API does not give (ui.routing.lost_path).
    "page_intent": (
        "streamlit",
        "get_script_run_ctx().pages_manager.intended_page_name, .intended_page_script_hash"
        " and .set_script_intent()",
        "a stale link shows Streamlit's English 'Page not found' dialog over the overview",
    ),
}


def enabled() -> bool:
    """The tuning is on unless DASHBOARD_TUNING says off."""
    return os.environ.get(TUNING_ENV, "on").strip().lower() not in _OFF


def library_version(library: str) -> str:
    """The installed version of `library` as a canary's message names it."""
    if library == "glibc":
        name, version = platform.libc_ver()
        return version if name == "glibc" else f"not glibc ({name or 'unknown'})"
    if library == "python":
        return platform.python_version()
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


class InternalMoved(RuntimeError):
    """An internal of another library is not where this module expects it."""

    def __init__(self, key: str, detail: str = ""):
        library, internal, lost = INTERNALS[key]
        self.key = key
        message = (
            f"{library} {library_version(library)}: {internal} is not where dashboard/ui/memory.py "
            f"expects it ({detail or 'missing'}); without it {lost}. Adapt memory.py to this "
            f"version (or pin the previous one) before serving."
        )
        super().__init__(message)


_warned: dict[str, str] = {}  # key -> the warning logged


def warn_moved(err: InternalMoved) -> None:
    """Log a moved internal once per process: the tweak it serves is off from then on."""
    if err.key not in _warned:
        _warned[err.key] = str(err)
        log.warning("%s", err)


# --- Reaching the internals: each raises InternalMoved when its internal is not there. ---


def session_storage(rt):
    """(lock, cache) of a Streamlit Runtime's session manager: the lock it holds while it
    changes its sessions, and the TTL cache of the disconnected sessions it keeps."""
    try:
        manager = rt._session_mgr
        lock = manager._storage_lock
        cache = manager._session_storage._cache
        cache.expire  # noqa: B018 (only to check it is there)
    except AttributeError as e:
        raise InternalMoved("session_storage", str(e)) from e
    return lock, cache


def event_loop(rt):
    """The event loop a started Streamlit Runtime runs on (RuntimeError: not started)."""
    try:
        return rt._get_async_objs().eventloop
    except AttributeError as e:
        raise InternalMoved("event_loop", str(e)) from e


def frame_blocks(df) -> tuple:
    """The blocks holding a DataFrame's columns (each with its `values` array)."""
    try:
        blocks = tuple(df._mgr.blocks)
        for block in blocks:
            block.values  # noqa: B018 (only to check it is there)
    except AttributeError as e:
        raise InternalMoved("frame_blocks", str(e)) from e
    return blocks


def libc_function(name: str, libc=None):
    """glibc's `name` (mallopt, malloc_trim) through ctypes."""
    try:
        lib = libc or ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return getattr(lib, name)
    except (OSError, AttributeError) as e:
        raise InternalMoved(name, str(e)) from e


def page_intent(run_ctx):
    """(page name, page script hash, clear) of the page a script run was asked for: the name
    is the URL's path for a typed or stale link, the hash a click in the navigation; clear()
    forgets the intent, so that the run takes the default page without a dialog. None for a
    run without a pages manager (AppTest)."""
    manager = getattr(run_ctx, "pages_manager", None)
    if manager is None:
        return None
    try:
        name = manager.intended_page_name
        script_hash = manager.intended_page_script_hash
        clear = manager.set_script_intent
    except AttributeError as e:
        raise InternalMoved("page_intent", str(e)) from e
    return name, script_hash, lambda: clear("", "")


def gc_freezer():
    """(gc.freeze, gc.unfreeze, gc.get_freeze_count)."""
    try:
        return gc.freeze, gc.unfreeze, gc.get_freeze_count
    except AttributeError as e:
        raise InternalMoved("gc_freeze", str(e)) from e


def _on_glibc() -> bool:
    return platform.libc_ver()[0] == "glibc"


# --- The tweaks. ---


def freeze_frame(df):
    """`df` made read-only in place, as far as pandas lets a frame be: its NumPy columns refuse
    writes (`df.loc[i, c] = v` raises "assignment destination is read-only"). A view must
    never mutate a shared frame; tests/test_shared_frames.py runs every page and checks that
    none did, also for the kinds of change this cannot refuse (a new column, an in-place
    sort, a string column). With the tuning off, `df` as it is."""
    import numpy as np
    import pandas as pd

    if not enabled() or not isinstance(df, pd.DataFrame):
        return df
    try:
        blocks = frame_blocks(df)
    except InternalMoved as e:
        warn_moved(e)
        return df
    for block in blocks:
        if isinstance(block.values, np.ndarray):
            block.values.flags.writeable = False
    return df


def limit_arenas(n: int = ARENA_MAX, libc=None) -> bool:
    """Cap glibc's malloc arenas at `n` for this process (call it before the threads start:
    app.py does, when `streamlit run` imports it). False where there is nothing to do: the
    tuning is off, the environment sets MALLOC_ARENA_MAX itself, or the C library is not glibc."""
    if not enabled() or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    if libc is None and not _on_glibc():
        return False
    try:
        mallopt = libc_function("mallopt", libc)
    except InternalMoved as e:
        warn_moved(e)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, n))


def _malloc_trim():
    """glibc's malloc_trim, or None (tuning off, another C library: nothing to trim)."""
    if not enabled() or not _on_glibc():
        return None
    try:
        trim = libc_function("malloc_trim")
    except InternalMoved as e:
        warn_moved(e)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def system_arrow_pool() -> bool:
    """Arrow (the strings of every pandas frame, Streamlit's tables) allocates from the
    system's malloc from now on, not from its own mimalloc pool, which keeps what a finished
    page view freed, while malloc's free pages go back with malloc_trim. False: tuning off."""
    if not enabled():
        return False
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except (AttributeError, TypeError) as e:
        warn_moved(InternalMoved("arrow_pool", str(e)))
        return False
    return True


_settled: set[str] = set()
_settle_lock = threading.Lock()


def settle(page: str) -> None:
    """After the first run of each page in this process: collect, then gc.freeze() what is
    left (modules, the libraries' tables, the caches), so that full collections no longer walk
    it. Objects made later are still collected as before; what is frozen stays until the
    process ends (the first runs' live objects among it: a few MB, once). Nothing with the
    tuning off."""
    if not enabled() or page in _settled:
        return
    try:
        freeze, unfreeze, _ = gc_freezer()
    except InternalMoved as e:
        warn_moved(e)
        return
    with _settle_lock:
        if page in _settled:
            return
        if not _settled:
            # Give the frozen objects back at exit, so that the interpreter's last collection
            # frees them (DuckDB's bindings report objects never freed).
            atexit.register(unfreeze)
        _settled.add(page)
        gc.collect()
        freeze()


def after_run(page: str) -> None:
    """A page's run finished (routing.settle_heap): count it for the collector, start the
    memory thread once, settle the heap after the page's first run."""
    note_run()
    settle(page)


# --- The collector and the keeper: one daemon thread per server process. ---

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
    except RuntimeError as e:  # Streamlit raises RuntimeError for an option it does not know
        warn_moved(InternalMoved("post_script_gc", str(e)))
        return True
    except Exception:
        return True


def collect_once(last: int) -> int:
    """One look of the collector: a full collection when pages ran since the run count
    `last` and Streamlit does not collect after each run itself; returns the run count seen."""
    runs = _runs[0]
    if runs != last and not _post_script_gc():
        gc.collect()
    return runs


def _reap(rt) -> int:
    """On Streamlit's event loop (where its session manager runs): remove the expired
    disconnected sessions and shut each down, as Runtime.close_session does a stored one."""
    lock, cache = session_storage(rt)
    with lock:
        expired = cache.expire()
    for _, info in expired:
        try:
            info.session.shutdown()
        except Exception:
            log.debug("shutting down an expired session", exc_info=True)
    return len(expired)


def reap_sessions(timeout: float = 5.0) -> int:
    """Remove the disconnected sessions whose disconnectedSessionTTL has passed (Streamlit
    itself does so only on the next disconnect); returns how many went. 0 with the tuning off,
    without a running Streamlit, or with one whose internals moved (logged once)."""
    if not enabled():
        return 0
    from streamlit import runtime

    if not runtime.exists():
        return 0
    rt = runtime.get_instance()
    try:
        session_storage(rt)  # checked here, where a moved internal can be logged
        loop = event_loop(rt)
    except InternalMoved as e:
        warn_moved(e)
        return 0
    except RuntimeError:  # not started yet
        return 0
    done, result = threading.Event(), []

    def run():
        try:
            result.append(_reap(rt))
        except InternalMoved as e:
            warn_moved(e)
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


def start() -> None:
    """Start the memory thread (keeper and collector) once per process (later calls do
    nothing); Arrow from then on uses the system allocator (tuning on)."""
    global _started
    if _started:
        return
    with _start_lock:
        if _started:
            return
        _started = True
        system_arrow_pool()
        threading.Thread(
            target=_keep, args=(_malloc_trim(),), name="dashboard-memory-keeper", daemon=True
        ).start()
