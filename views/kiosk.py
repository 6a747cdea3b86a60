"""会议大屏 Meeting screen (`?kiosk=1`, on any page's path): dark, 16:9, large type, few words.

It rotates through its slides by itself and follows, on every tick, both the presenter page
(dashboard.screens) and the live data version: a load published while the screen runs shows
on it without anyone touching it.

    ?kiosk=1 [&lang=en] [&township=T01] [&interval=20] [&slides=overview,branches] [&screen=main]

This page is the runner: it reads the link, follows the presenter and steps the rotation; the
slides themselves, and the header and status line, are dashboard/ui/slides.py.
"""

import time
from dataclasses import replace

import streamlit as st

from dashboard import i18n, page_data, screens, ui
from dashboard.ui import slides

ui.kiosk_style()
lang = ui.url_lang()
interval, interval_ok = screens.parse_interval(st.query_params.get("interval"))
configured, unknown = screens.parse_slides(st.query_params.get("slides"))
screen, screen_ok = screens.parse_screen(st.query_params.get("screen"))
url_township = st.query_params.get("township") or None
param_notes = [i18n.t("kiosk.bad_slides", lang, value=v) for v in unknown]
if not interval_ok:
    param_notes.append(
        i18n.t("kiosk.bad_interval", lang, value=st.query_params.get("interval"), seconds=interval)
    )
if not screen_ok:
    param_notes.append(i18n.t("kiosk.bad_screen", lang, value=st.query_params.get("screen")))


def now_showing():
    """Read the presenter's file and the live version, and step the rotation: what the screen
    shows now, as (context, presenter state, slides with data, rotation, summary)."""
    state = ui.screens().read(screen)
    ctx = ui.screen_context(lang, screens.township_shown(state, url_township))
    summary = ui.data(page_data.Kiosk.summary, ctx) if ctx.version is not None else None
    available = screens.slides_with_data(configured, summary) if summary else ()
    rotation = st.session_state.get("_kiosk_rotation") or screens.Rotation()
    rotation = rotation.step(available, state, time.monotonic(), interval)
    st.session_state["_kiosk_rotation"] = rotation
    return ctx, state, available, rotation, summary


def drawn_key(ctx, rotation) -> tuple:
    """Everything the slide on the screen depends on (the pins: "since the last meeting")."""
    return (rotation.slide, ctx.version, ctx.week, ctx.township, ctx.lang, repr(sorted(ui.store().pins())))


@st.fragment(run_every=screens.tick_seconds(interval))
def tick() -> None:
    """Every few seconds, untouched: follow the presenter and the data. The slide, whose maps
    and charts are heavy to draw, is drawn anew only when what it shows changed (the next
    slide, a new version, another township); otherwise only the status line is."""
    ctx, state, _, rotation, _ = now_showing()
    if drawn_key(ctx, rotation) != st.session_state.get("_kiosk_drawn"):
        st.rerun()
    slides.footer(ctx, paused=bool(state and state.paused))


ctx, state, available, rotation, s = now_showing()
key = drawn_key(ctx, rotation)
slides.header(ctx, rotation, available, param_notes)
if rotation.slide is None:
    slides.line("empty", ctx.t("empty.store"), "store")
else:
    slides.draw(ctx, rotation.slide, s)
if st.session_state.get("_kiosk_drawn", (None,))[0] != rotation.slide:
    # A slide's time counts from when it is drawn, not from when it was chosen.
    st.session_state["_kiosk_rotation"] = replace(rotation, shown_since=time.monotonic())
st.session_state["_kiosk_drawn"] = key
tick()  # after the slide: its timer starts once the slide has been sent
