"""Which pages exist and who may open them: the page files, the meeting screen's dispatch
(`?kiosk=1` on any page's path), `require_page`, and the heap settling after a page's first run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from .. import screens as screens_module
from ..i18n import t
from . import memory
from .gate import current_user, open_here
from .handles import store

if TYPE_CHECKING:
    from ..context import Context

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
NOT_FOUND_FILE = "views/not_found.py"  # a link to a path no page of this session has
KIOSK_CSS = ROOT / "views" / "kiosk.css"


def visible_pages() -> tuple[str, ...]:
    """The pages this session may open: the presenter for everyone (a township user steers
    the screen to their own township only), the submission board for everyone (a township
    user or reporter sees their own row), the data page for admins and reporters (a reporter
    submits their own township's weekly tables there; a reviewer sees its review section and
    the board only), and everything in the open demo mode."""
    user = current_user()
    if user is None:
        return PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES if open_here() else ()
    if user.is_reviewer:  # the board and the data page's review section, nothing else
        return BOARD_PAGES + ADMIN_PAGES
    if user.sees_data_page:
        return PAGES + SCREEN_PAGES + BOARD_PAGES + ADMIN_PAGES
    return PAGES + SCREEN_PAGES + BOARD_PAGES


def lost_path(paths, default: str = "overview") -> str | None:
    """The path the browser asked for when no page of `paths` has it (a stale link, or a page
    this session may not open), else None. The default page's own name (/overview, an old
    address of the overview, which Streamlit serves at /) runs the default page quietly.

    Streamlit would run the default page under its English "Page not found" dialog; app.py
    gives a lost path a hidden page of its own instead (views/not_found.py). The path asked
    for is the pages manager's intent of this run, which is not public API: memory.page_intent
    reaches it (a moved internal is logged once and gives None)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from . import memory

    try:
        intent = memory.page_intent(get_script_run_ctx())
    except memory.InternalMoved as e:
        memory.warn_moved(e)
        return None
    if intent is None:
        return None
    asked, script_hash, clear = intent
    if script_hash:
        return None  # a click in the navigation: a page it offered
    name = str(asked or "").strip().strip("/")
    if name == default:
        clear()  # no intent: the default page, with no dialog
        return None
    if not name or name in set(paths) or "/" in name:
        return None
    return name


def not_found_page(lost: str, title: str) -> st.Page:
    """The hidden page a lost path runs (views/not_found.py reads the path from the session)."""
    st.session_state["_lost_path"] = lost
    return st.Page(NOT_FOUND_FILE, title=title, url_path=lost, visibility="hidden")


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


def settle_heap(page: str) -> None:
    """A page's run finished: the server's tuning (dashboard/ui/memory.py) counts it for the
    collector and, after the page's first run, settles the heap (gc.freeze)."""
    memory.after_run(page)


def require_page(ctx: Context, page: str) -> None:
    """Stop a page the session may not open, whatever URL led there."""
    if page not in visible_pages():
        st.error(ctx.t("auth.no_access"))
        st.stop()
