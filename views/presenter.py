"""大屏控制 Screen control: steer a meeting screen (`?kiosk=1`) from a laptop or phone: switch
its township, pause or resume its rotation, jump to a slide, or hand it back to its link.

The screen is named by `?screen=` (default "main"), as on the screen's own link; the state
goes to the store folder (dashboard.screens) and the screen follows it on its next tick.
A township user steers only screens that show their own township (screens.may_steer); the
county's screens are steered by leaders and administrators.
"""

from urllib.parse import urlencode

import streamlit as st

from dashboard import i18n, page_data, places, screens, ui

ctx = ui.context()
user = ui.current_user()
name, name_ok = screens.parse_screen(st.query_params.get("screen"))
store = ui.screens()
state = store.read(name)

st.title(f"{ctx.t('page.presenter')} · {ctx.t('presenter.screen', name=name)}")
for note in ctx.notes:
    st.warning(note)
if not name_ok:
    st.warning(ctx.t("kiosk.bad_screen", value=st.query_params.get("screen")))
st.caption(ctx.t("presenter.intro", seconds=screens.POLL))


LINK = "__link__"  # the picker's value for "the township of the screen's link"
township_user = user is not None and user.township_bound
token = ui.users().screen_township(name)  # (has a screen token, its township)
allowed = screens.may_steer(user, state, token)


def _allowed_now():
    """The user as the user file has them now, if they may still steer this screen (a
    callback runs before the page: the account, its rights or the screen may have changed)."""
    now = ui.current_user()
    if now is None and user is not None:
        return False, None
    if not screens.may_steer(now, store.read(name), ui.users().screen_township(name)):
        st.session_state["_presenter_refused"] = True
        return False, None
    return True, now


def send(**changes) -> None:
    """Write a change to the screen's state (a township user's screen shows their township)."""
    ok, now = _allowed_now()
    if not ok:
        return
    if now is not None and now.township_bound:
        changes["township"] = now.township
    store.update(name, by=ui.actor_name(ctx), **changes)
    st.session_state["_presenter_said"] = ctx.t("presenter.sent", seconds=screens.POLL)


def on_township() -> None:
    picked = st.session_state["presenter_township"]
    send(township=None if picked == LINK else picked)


def release() -> None:
    if not _allowed_now()[0]:
        return
    store.clear(name)
    st.session_state["_presenter_said"] = ctx.t("presenter.released")


# ---- what the screen does now
towns = ui.data(page_data.App.townships, ctx)
labels = {LINK: ctx.t("presenter.as_link"), screens.COUNTY: ctx.t("filter.county")}
labels.update(places.township_names(towns, ctx.lang))
if state is None:
    st.info(ctx.t("presenter.free"))
else:
    where = LINK if state.township is None else state.township
    st.info(
        ctx.t(
            "presenter.state",
            township=i18n.md_escape(labels.get(where, where)),
            status=ctx.t("presenter.paused" if state.paused else "presenter.running"),
            at=state.updated_at[11:19],
            by=i18n.md_escape(state.by or "—"),
        )
    )
said = st.session_state.pop("_presenter_said", None)
if said:
    st.success(said)
if not allowed or st.session_state.pop("_presenter_refused", False):
    st.warning(ctx.t("presenter.not_yours"))

# ---- the controls
options = [LINK, screens.COUNTY, *towns["township_id"]]
if township_user:
    options = [user.township]
    st.caption(ctx.t("presenter.scoped"))
elif token[0] and token[1]:
    options = [token[1]]  # a screen token bound to one township: it shows no other
shown = LINK if state is None or state.township is None else state.township
st.session_state["presenter_township"] = shown if shown in options else options[0]
st.selectbox(
    ctx.t("presenter.township"),
    options,
    key="presenter_township",
    filter_mode="contains",
    format_func=lambda v: labels.get(v, str(v)),
    on_change=on_township,
    disabled=len(options) == 1 or not allowed,
)

paused = bool(state and state.paused)
left, right = st.columns(2)
left.button(
    ctx.t("presenter.resume" if paused else "presenter.pause"),
    key="presenter_pause",
    icon=":material/play_arrow:" if paused else ":material/pause:",
    on_click=send,
    kwargs={"paused": not paused},
    type="primary",
    width="stretch",
    disabled=not allowed,
)
right.button(
    ctx.t("presenter.release"),
    key="presenter_release",
    on_click=release,
    disabled=state is None or not allowed,
    width="stretch",
)

st.subheader(ctx.t("presenter.jump"))
for col, slide in zip(st.columns(len(screens.SLIDES)), screens.SLIDES, strict=False):
    col.button(
        ctx.t(f"page.{slide}"),
        key=f"presenter_jump_{slide}",
        on_click=send,
        kwargs={"slide": slide},
        width="stretch",
        disabled=not allowed,
    )

# ---- the screen's own link
st.divider()
query = {
    "kiosk": "1",
    **({"screen": name} if name != screens.DEFAULT_SCREEN else {}),
    **({"lang": ctx.lang} if ctx.lang != i18n.DEFAULT_LANG else {}),
}
link = f"{(st.context.url or '').split('?')[0]}?{urlencode(query)}"  # any page's path will do
st.caption(ctx.t("presenter.kiosk_link"))
st.code(link, language=None)
st.link_button(ctx.t("presenter.open_kiosk"), link, icon=":material/tv:")
