"""The only Streamlit-aware helpers: filters kept in the URL, cached data access, tiles.

Pages call `ui.context()` for the view (a `dashboard.context.Context`: language, township,
week, data version) and `ui.data(page_data.<Page>.<call>, ctx)` for the figures and lists they
declare in dashboard/page_data.py (functions of `dashboard.metrics`); results are cached by
data version, so a new load invalidates nothing by hand.

One job per module, each importing only those above it:

    handles.py   the Store this process serves and its read-only connections
    gate.py      the login gate: users, sessions, the session cookie, screen tokens, logout
    data.py      data(call, ctx), baseline(ctx) and the briefing PDF, cached by data version
    routing.py   the pages, who may open them (require_page), the meeting screen's dispatch
    context.py   the filters kept in the URL (township, week, language) into a Context, the sidebar
    widgets.py   header, tiles and change text, tables, downloads, page links, briefing button
    board.py     the submission board (报送情况)
    review.py    review of submissions: the reviewer's queue, a reporter's returned reasons
    light.py     charts drawn on request (on_request), progress bars without Plotly
    phone.py     the phone: its style sheet, compact tiles, lists before maps, the sidebar closed
    notify.py    the data page's warnings section: channels, test send, delivery log (admins)

Pages use the names below as `ui.x`; a test that patches a module-level name patches it in
the module that reads it (e.g. `ui.gate._peer`, `ui.widgets.TABLE_MAX_ROWS`).
"""

from __future__ import annotations

from ..context import Context
from . import phone
from .board import OWN_WEEK_PAGES, board, board_scope, submission_board, week_picker
from .context import (
    COUNTY,
    context,
    resolve_context,
    screen_context,
    set_township,
    sidebar_filters,
    url_lang,
)
from .data import baseline, bound_township, data
from .gate import (
    actor_name,
    client_address,
    current_user,
    direct_local,
    login_gate,
    logout_button,
    open_mode,
    screen_grant,
    users,
)
from .handles import connection, store
from .ledger import township_line as ledger_line
from .light import kind_progress, on_request
from .notify import section as notify_section
from .phone import phone_style
from .review import mark as review_mark
from .review import notice as review_notice
from .review import section as review_section
from .review import states as review_states
from .routing import (
    ADMIN_PAGES,
    BOARD_PAGES,
    KIOSK_CSS,
    KIOSK_FILE,
    PAGE_FILES,
    PAGES,
    SCREEN_PAGES,
    kiosk_requested,
    kiosk_style,
    lost_path,
    not_found_page,
    require_page,
    run_kiosk,
    screens,
    settle_heap,
    visible_pages,
)
from .widgets import (
    TABLE_MAX_ROWS,
    attention_list,
    briefing_button,
    change_text,
    downloads,
    empty_store,
    page_header,
    page_link,
    table,
    tile,
    unreported_names,
    uploader_words,
    week_coverage,
)

__all__ = [
    "ADMIN_PAGES",
    "BOARD_PAGES",
    "COUNTY",
    "KIOSK_CSS",
    "OWN_WEEK_PAGES",
    "KIOSK_FILE",
    "PAGES",
    "PAGE_FILES",
    "SCREEN_PAGES",
    "TABLE_MAX_ROWS",
    "Context",
    "actor_name",
    "attention_list",
    "baseline",
    "bound_township",
    "board",
    "board_scope",
    "briefing_button",
    "change_text",
    "client_address",
    "connection",
    "context",
    "current_user",
    "data",
    "direct_local",
    "downloads",
    "empty_store",
    "kind_progress",
    "ledger_line",
    "kiosk_requested",
    "kiosk_style",
    "lost_path",
    "not_found_page",
    "notify_section",
    "login_gate",
    "logout_button",
    "on_request",
    "open_mode",
    "page_header",
    "page_link",
    "phone",
    "phone_style",
    "require_page",
    "resolve_context",
    "review_mark",
    "review_notice",
    "review_section",
    "review_states",
    "run_kiosk",
    "screen_context",
    "screen_grant",
    "set_township",
    "screens",
    "settle_heap",
    "sidebar_filters",
    "store",
    "submission_board",
    "table",
    "tile",
    "unreported_names",
    "url_lang",
    "week_coverage",
    "uploader_words",
    "users",
    "visible_pages",
    "week_picker",
]
