"""Which pages exist and who may open them: the page files, the meeting screen's dispatch
(`?kiosk=1` on any page's path), `require_page`, and the heap settling after a page's first run."""

from __future__ import annotations

import atexit
import gc
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from .. import screens as screens_module
from ..i18n import t
from . import memory
from .gate import _open_here, current_user
from .handles import store

if TYPE_CHECKING:
    from .context import Context

PAGES = ("overview", "grids", "branches", "training", "checkpoints")
SCREEN_PAGES = ("presenter",)  # steers the meeting screen (?kiosk=1)
ADMIN_PAGES = ("data",)
BOARD_PAGES = (
    "submissions",
    "ledger",
)  # 报送情况, 整改台账: everyone logged in; township users see their own

ROOT = Path(__file__).resolve().parents[2]
PAGE_FILES = {p: f"views/{p}.py" for p in PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES}
KIOSK_FILE = "views/kiosk.py"
KIOSK_CSS = ROOT / "views" / "kiosk.css"


def visible_pages() -> tuple[str, ...]:
    """The pages this session may open: the presenter for everyone (a township user steers
    the screen to their own township only), the submission board for everyone (a township
    user or reporter sees their own row), the data page for admins and reporters (a reporter
    submits their own township's weekly tables there), and everything in the open demo mode."""
    user = current_user()
    if user is None:
        return PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES if _open_here() else ()
    if user.sees_data_page:
        return PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES
    return PAGES + SCREEN_PAGES + BOARD_PAGES


def kiosk_requested() -> bool:
    """`?kiosk=1`: this browser is a meeting screen."""
    return st.query_params.get("kiosk") == "1"


def run_kiosk(lang: str) -> None:
    """Run the meeting screen whatever page the URL names (each page's path leads to it),
    without the sidebar, the filters or the navigation."""
    st.set_page_config(page_title=t("page.kiosk", lang), initial_sidebar_state="collapsed")
    paths = PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES
    st.navigation(
        [
            st.Page(KIOSK_FILE, title=t("page.kiosk", lang), url_path=p, default=(p == "overview"))
            for p in paths
        ],
        position="hidden",
    ).run()


def kiosk_style() -> None:
    """The meeting screen's dark, large-type look: a static style sheet, nothing from data."""
    st.html(f"<style>{KIOSK_CSS.read_text('utf-8')}</style>")


def screens() -> screens_module.Screens:
    return screens_module.Screens(store().state)


_settled: set[str] = set()
_settle_lock = threading.Lock()


def settle_heap(page: str) -> None:
    """After the first run of each page in this process: collect, then gc.freeze() what is
    left (modules, the libraries' tables, the caches), so that the full collection Streamlit
    makes after every run (runner.postScriptGC) no longer walks it. That collection was most
    of a page view's CPU (about 55 of 150-220 ms, measured with benchmarks.protocol). Objects
    made later are still collected as before; what is frozen stays until the process ends
    (the first runs' live objects among it: a few MB, once). Every call counts a finished
    run for the collector of dashboard/ui/memory.py, which replaces that per-run collection
    (runner.postScriptGC is off in .streamlit/config.toml)."""
    memory.note_run()
    if page in _settled:
        return
    with _settle_lock:
        if page in _settled:
            return
        if not _settled:
            # Give the frozen objects back at exit, so that the interpreter's last collection
            # frees them (DuckDB's bindings report objects never freed).
            atexit.register(gc.unfreeze)
            memory.start()  # closed sessions' memory goes back to the system
        _settled.add(page)
        gc.collect()
        gc.freeze()


def require_page(ctx: Context, page: str) -> None:
    """Stop a page the session may not open, whatever URL led there."""
    if page not in visible_pages():
        st.error(ctx.t("auth.no_access"))
        st.stop()
