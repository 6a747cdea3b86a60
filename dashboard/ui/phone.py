"""The phone as a first-class screen (issue 20 §4): a leader opens a link from a 政务微信 message.

One static style sheet (views/phone.css, nothing from data in it) decides by CSS media
queries what a narrow screen (below 640 px) and a touch screen show; pages mark the parts it
acts on with the containers below, whose keys become CSS classes (`st-key-<key>`):

    compact(name)     tiles two a row, without their sparklines
    list_first(name)  columns whose last one (a list) comes first, above the map
    wide_only(name)   shown on wider screens only (e.g. a map a list replaces on a phone)
    phone_only(name)  shown on a phone only

`hover_or_tap(ctx, hover_key, tap_key)` is a caption's text in two spans, one shown where
there is a mouse, the other on a touch screen ((hover: none)).

Streamlit keeps the sidebar as the user left it (in the browser's localStorage) and leaves it
open after a pick: on a phone it then covers most of the page. `close_sidebar()` closes it at
start and after each pick in it (`note_pick()` from the pickers' callbacks), on narrow
screens only. It depends on Streamlit's page structure (data-testid="stSidebar" with
data-collapsed, stSidebarCollapseButton), which is not its API: this module is the one place
that does, and tests/test_phone_browser.py fails when that changes.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

if TYPE_CHECKING:
    from ..context import Context

PHONE_CSS = Path(__file__).resolve().parents[2] / "views" / "phone.css"
NARROW = 640  # px: the width below which Streamlit stacks columns; the phone layout's too
_PICKS = "_phone_picks"  # session state: how many picks the sidebar has seen

# Runs once per mount; the count in it changes with each pick, so Streamlit mounts it anew.
_CLOSE = """<script>/* pick {n} */(() => {{
  if (!window.matchMedia('(max-width: {narrow}px)').matches) return;
  let tries = 0;
  const close = () => {{
    const bar = document.querySelector('[data-testid=stSidebar]');
    const button = document.querySelector('[data-testid=stSidebarCollapseButton] button');
    if (bar && bar.getAttribute('data-collapsed') === 'true') return;
    if (bar && button) {{ button.click(); return; }}
    if (++tries < 50) setTimeout(close, 100);
  }};
  close();
}})();</script>"""


def close_script(parity: int) -> str:
    """The sidebar-closing script, one of its two texts (parity 0 or 1)."""
    return _CLOSE.format(n=parity, narrow=NARROW)


def script_hashes() -> list[str]:
    """The CSP source expressions ('sha256-…') of the two texts of the script."""
    import base64
    import hashlib

    out = []
    for parity in (0, 1):
        body = close_script(parity).removeprefix("<script>").removesuffix("</script>")
        out.append("'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'")
    return out


def phone_style() -> None:
    """The phone and touch style sheet, on every page (a style-only element takes no room)."""
    st.html(PHONE_CSS)


def note_pick() -> None:
    """A township, week or language was picked in the sidebar: close it on a phone."""
    st.session_state[_PICKS] = st.session_state.get(_PICKS, 0) + 1


def close_sidebar() -> None:
    """Close the sidebar on a narrow screen at start and after each pick (call in the sidebar,
    after the pickers). The script is ours and fixed: one of two texts, by the pick count's
    parity, so that a pick changes the element (Streamlit runs it again) while each text keeps
    the hash that deploy/nginx.conf.template's Content-Security-Policy allows."""
    with st.container(key="phone-js"):
        st.html(
            close_script(int(st.session_state.get(_PICKS, 0)) % 2),
            unsafe_allow_javascript=True,
        )


def compact(name: str) -> DeltaGenerator:
    """A container of tiles (st.columns of ui.tile / st.metric): two a row on a phone, no
    sparkline."""
    return st.container(key=f"phone-tiles-{name}")


def list_first(name: str) -> DeltaGenerator:
    """A container whose st.columns stack on a phone with the last column (the list) first."""
    return st.container(key=f"phone-listfirst-{name}")


def wide_only(name: str) -> DeltaGenerator:
    """A container shown on screens of NARROW px and more only."""
    return st.container(key=f"phone-wide-{name}")


def phone_only(name: str) -> DeltaGenerator:
    """A container shown below NARROW px only."""
    return st.container(key=f"phone-narrow-{name}")


def hover_or_tap(ctx: Context, hover_key: str, tap_key: str) -> str:
    """HTML: the label `hover_key` ("鼠标停在图上…") where there is a mouse, `tap_key`
    ("点按…") on a touch screen. For st.caption(..., unsafe_allow_html=True); labels only,
    escaped."""
    return (
        f'<span class="hover-only">{escape(ctx.t(hover_key))}</span>'
        f'<span class="touch-only">{escape(ctx.t(tap_key))}</span>'
    )


def scroll_note(ctx: Context) -> None:
    """Under a table wider than a phone: it scrolls sideways (shown on a phone only; its
    element takes no room elsewhere)."""
    st.caption(
        f'<span class="phone-note">{escape(ctx.t("phone.table_scroll"))}</span>', unsafe_allow_html=True
    )
