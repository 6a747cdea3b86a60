"""Data access for the pages: `data(page_data.Grids.grid_list, ctx)` (a page's declared call,
dashboard/page_data.py) or `data(metrics.townships, ctx)` for a figure or list of `dashboard.metrics`,
the comparison baseline and the briefing PDF, each cached by data version (a new load
invalidates nothing by hand).

Two caches. The lists that grow with the area served (SHARED: every grid, branch,
checkpoint, activity…; tens of MB at a province's scale) are kept once per
process in a resource cache and handed to every session as the same frame, read-only
(`freeze`): a view derives what it shows (`df.assign`, `df.loc[…]`, `df.sort_values`, copies
under pandas' copy-on-write) and never writes into them. Streamlit's data cache would unpickle
a fresh copy for every page view of every session instead — ten sessions on the grids page held
ten copies at once, and the heap they fragmented was not given back. Small figures (dicts,
trends, lists of weeks) stay in the data cache, where a copy is cheap and safe."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from .. import metrics, page_data
from ..store import Store
from .gate import current_user
from .handles import connection_of, store
from .memory import freeze_frame as freeze  # read-only in place; the server's tuning

if TYPE_CHECKING:
    from ..context import Context

# metrics.<name> whose frames have a row per grid, branch, checkpoint, activity or township:
# shared read-only across sessions (see the module's docstring).
SHARED = frozenset(
    {
        metrics.townships,
        metrics.grid_list,
        metrics.grid_areas,
        metrics.geo_features,
        metrics.grids_needing_attention,
        metrics.branch_status,
        metrics.noncompliant_branches,
        metrics.checkpoint_status,
        metrics.checkpoint_gaps,
        metrics.training_activities,
    }
)
# The shared cache's bounds: entries (a page view of one scope needs about six; the latest
# week of the county and a few dozen townships stay in) and age — entries of a replaced data
# version are dropped when the next version is first read (`data`), and anything unused for
# SHARED_TTL_S goes too.
SHARED_MAX_ENTRIES = 192
SHARED_TTL_S = 30 * 60
# A page view asks for a dozen shared frames; each hit in Streamlit's resource cache hashes
# its arguments (a cost that adds up over a view's dozen calls). `fetch`
# first looks in a plain dict of the frames the resource cache handed out, keyed by the same
# arguments. What the resource cache lets go (its bounds, a clear) leaves the dict at once
# (`on_release`); the resource cache is asked again after FAST_TTL_S all the same, since it
# notices an entry's age only when it is asked.
FAST_TTL_S = 60.0


# The caches below are keyed by the function's name (`name`); the function itself (`_fn`) is
# left out of the key, as Streamlit leaves out every argument whose name starts with "_".
@st.cache_data(show_spinner=False, max_entries=512)
def _cached(root: str, version: int | None, name: str, scope: metrics.Scope, kwargs: tuple, _fn):
    return _fn(connection_of(root, version), scope, **dict(kwargs))


_fast: dict[tuple, tuple] = {}  # (root, version, name, scope, kwargs) -> (frame, monotonic time)
_fast_lock = threading.Lock()


def _released(value) -> None:
    """The resource cache let `value` go (bounds, a new version, a clear): so does `_fast`."""
    with _fast_lock:
        for key in [k for k, (v, _) in _fast.items() if v is value]:
            del _fast[key]


@st.cache_resource(show_spinner=False, max_entries=SHARED_MAX_ENTRIES, ttl=SHARED_TTL_S, on_release=_released)
def _shared(root: str, version: int | None, name: str, scope: metrics.Scope, kwargs: tuple, _fn):
    return freeze(_fn(connection_of(root, version), scope, **dict(kwargs)))


_seen = {"version": None}  # the newest data version read through `data` so far


def _drop_replaced(version: int | None) -> None:
    """A newer data version was published: the shared frames of the older one go at once
    (the pages read the live version only; a view still running keeps its own reference)."""
    last = _seen["version"]
    if version is not None and (last is None or version > last):
        _seen["version"] = version
        if last is not None:
            _shared.clear()
            with _fast_lock:
                _fast.clear()


def _shared_fast(root: str, version: int | None, fn, scope: metrics.Scope, kwargs: tuple):
    """_shared(...) through the dict of frames it handed out (see FAST_TTL_S)."""
    key = (root, version, fn, scope, kwargs)
    now = time.monotonic()
    try:
        hit = _fast.get(key)
    except TypeError:  # an argument that cannot be a dict key: the resource cache alone
        return _shared(root, version, fn.__name__, scope, kwargs, fn)
    if hit is not None and now - hit[1] < FAST_TTL_S:
        return hit[0]
    value = _shared(root, version, fn.__name__, scope, kwargs, fn)
    with _fast_lock:
        _fast.pop(key, None)
        _fast[key] = (value, now)
        while len(_fast) > SHARED_MAX_ENTRIES:
            del _fast[next(iter(_fast))]  # the oldest
    return value


def fetch(root: str, version: int | None, fn, scope: metrics.Scope, kwargs: tuple = ()):
    """`fn`(connection of `version`, scope, **dict(kwargs)), a function of dashboard.metrics,
    from the right cache."""
    if fn in SHARED:
        _drop_replaced(version)
        return _shared_fast(root, version, fn, scope, kwargs)
    return _cached(root, version, fn.__name__, scope, kwargs, fn)


def data(what: page_data.Data | Callable, ctx: Context, **kwargs):
    """The call `what` for the view, cached by data version: a page's declared call
    (dashboard/page_data.py, with its declared arguments, `kwargs` over them) or a function
    of dashboard.metrics; fn(con, ctx.scope, **kwargs). A frame of SHARED is shared with
    every session: read it, derive from it, never write into it."""
    if isinstance(what, page_data.Data):
        fn, kwargs = what.fn, {**what.kwargs, **kwargs}
    elif isinstance(what, str):  # ui/slides.py names its calls still (h-circles' branch)
        fn = getattr(metrics, what)
    else:
        fn = what
    if st.session_state.get("_user") is not None and current_user() is None:
        st.rerun()  # a fragment's run: the session just ended; the full run says so
    frame = fetch(str(store().root), ctx.version, fn, ctx.scope, tuple(sorted(kwargs.items())))
    if fn in OWN_TOWNSHIP_ONLY:
        return own_township_only(frame, bound_township(), fn)
    return frame


# The lists of every township (names, seats, outlines) that a township's own user gets cut to
# their township: no other township's name or outline reaches their pages, maps (hover
# titles included) or downloads. The county's outline and the border stay.
OWN_TOWNSHIP_ONLY = frozenset({metrics.townships, metrics.geo_features})


def bound_township() -> str | None:
    """The township the signed-in user is bound to (township and reporter roles), else None."""
    user = current_user() if st.session_state.get("_user") is not None else None
    return user.township if user is not None and user.township_bound else None


def own_township_only(frame, township: str | None, fn):
    """`frame` (metrics.townships or metrics.geo_features) cut to `township`'s rows (None:
    as it is). A new frame: the shared one is never written into."""
    if township is None or not isinstance(frame, pd.DataFrame) or not len(frame):
        return frame
    if fn is metrics.townships:
        keep = frame["township_id"] == township
    elif "layer" in frame.columns:
        # the townships layer: the own outline; the county and border rows stay. Grid
        # outlines (the grids layer) carry no township: none for a township's user.
        keep = (~frame["layer"].isin(("townships", "grids"))) | (frame["feature_id"] == township)
    else:
        return frame
    return frame[keep].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def _baseline(root: str, version: int | None, pins: str, scope: metrics.Scope):
    con = connection_of(root, version)
    return metrics.baseline_summary(con, scope, store=Store(root))


@st.cache_data(show_spinner=False, max_entries=16)
def briefing_file(
    root: str, version: int | None, pins: str, week, township, lang: str, fmt: str = "pdf"
) -> tuple[bytes, str]:
    """The week's briefing as PDF or docx bytes, and the file name a clerk keeps."""
    from .. import report

    brief = report.collect(Store(root), week, township, lang)
    if fmt == "docx":
        from ..report.docx import render_docx

        report.chromium_path()
        return render_docx(brief), f"{brief.file_stem}.docx"
    report.chromium_path()
    return report.html_to_pdf(report.render_html(brief)), f"{brief.file_stem}.pdf"


def baseline(ctx: Context) -> dict | None:
    """The figures to compare with: the last pinned meeting, else the previous week."""
    if ctx.version is None or ctx.week is None:
        return None
    s = store()
    return _baseline(str(s.root), ctx.version, repr(sorted(s.pins())), ctx.scope)
