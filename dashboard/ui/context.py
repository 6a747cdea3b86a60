"""The filters kept in the URL (township, week, language): read and checked once per run into
the view of the run (`dashboard.context.Context`), remembered for page switches, picked in the
sidebar."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from .. import i18n, metrics, page_data, places, review
from ..context import Context
from ..i18n import t
from . import phone
from .data import data, fetch
from .gate import current_user, open_here, screen_grant
from .handles import store

COUNTY = ""  # the township picker's value for the whole county
SEARCH_HINT_TOWNSHIPS = 30  # past this many townships the picker says it can be searched


def default_week(root: str, version: int | None, weeks: list) -> dt.date | None:
    """The week pages open on: the latest complete week (reporting.latest_complete_week, the
    same function `summary` uses), by the real clock to the hour (a deadline passes at 12:00)."""
    if not weeks:
        return None
    from .. import reporting

    now = dt.datetime.now(reporting.TZ).replace(minute=0, second=0, microsecond=0)
    return fetch(root, version, metrics.latest_complete_week, metrics.DEFAULT_SCOPE, (("now", now),))


def _remember(key: str, value) -> None:
    st.session_state[f"_view_{key}"] = value


def _param(key: str) -> str | None:
    """A filter from the URL; when the URL lacks it (a page switch), the session's last value."""
    if key in st.query_params:
        return st.query_params[key]
    return st.session_state.get(f"_view_{key}")


def _set_param(key: str, value: str | None) -> None:
    _remember(key, value)
    if value is None:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value


def set_township(township: str | None) -> None:
    """Open a township (None: the whole county), as the sidebar's picker does: URL included."""
    _set_param("township", township)


def url_lang() -> str:
    lang = _param("lang")
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


def resolve_context() -> Context:
    """Read and check the filters of the URL; remember them for page switches."""
    notes = []
    lang = _param("lang") or i18n.DEFAULT_LANG
    if lang not in i18n.LANGS:
        notes.append(t("note.bad_lang", i18n.DEFAULT_LANG, value=lang))
        lang = i18n.DEFAULT_LANG
        st.query_params.pop("lang", None)

    version = store().current()
    root = str(store().root)
    towns = fetch(root, version, metrics.townships, metrics.DEFAULT_SCOPE)
    township = _param("township") or None
    if township is not None and township not in set(towns["township_id"]):
        notes.append(t("note.bad_township", lang, value=township))
        township = None
        st.query_params.pop("township", None)
    user = current_user()
    if user is not None and user.scope(township) != township:
        # A township user sees their own township, whatever the link says.
        if township is not None:
            notes.append(t("note.scoped", lang, value=township))
        township = user.scope(township)
        st.query_params["township"] = township

    weeks = fetch(root, version, metrics.available_weeks, metrics.DEFAULT_SCOPE)
    week_text = _param("week")
    opened = default_week(root, version, weeks)
    week = opened
    if week_text:
        try:
            asked = dt.date.fromisoformat(week_text)
        except ValueError:
            asked = None
        if asked in weeks:
            week = asked
        else:
            notes.append(
                t("note.bad_week", lang, value=week_text, latest=opened.isoformat() if opened else "—")
            )
            st.query_params.pop("week", None)
    for key, value in (
        ("lang", None if lang == i18n.DEFAULT_LANG else lang),
        ("township", township),
        (
            "week",
            week_text if week_text and week and week_text == week.isoformat() and week != opened else None,
        ),
    ):
        _remember(key, value)
        if value is not None and st.query_params.get(key) != value:
            st.query_params[key] = value

    ctx = Context(
        lang=lang,
        township=township,
        week=week,
        version=version,
        township_name=places.township_name(towns, township, lang),
        notes=tuple(notes),
        latest=not weeks or week == opened,
        withheld=review.withheld(store().state, week),
    )
    st.session_state["_ctx"] = ctx
    return ctx


def screen_context(lang: str, township: str | None) -> Context:
    """The view of a meeting screen: the live version (read anew, so a load published since
    the last call shows), its latest week, `township` if it exists and the user may see it
    (else the county, or the user's own township). Touches neither the URL nor the session."""
    version = store().current()
    root = str(store().root)
    towns = fetch(root, version, metrics.townships, metrics.DEFAULT_SCOPE)
    notes = []
    if township is not None and township not in set(towns["township_id"]):
        notes.append(t("note.bad_township", lang, value=township))
        township = None
    user = current_user()
    if user is not None:
        township = user.scope(township)
    elif st.session_state.get("_screen") is not None:
        grant = screen_grant()
        if grant is None:
            st.rerun()  # revoked: the full run shows the login form
        township = grant.township or township
    elif not open_here():
        st.rerun()  # the session ended: the full run shows the login form
    weeks = fetch(root, version, metrics.available_weeks, metrics.DEFAULT_SCOPE)
    week = default_week(root, version, weeks)
    return Context(
        lang=lang,
        township=township,
        week=week,
        version=version,
        township_name=places.township_name(towns, township, lang),
        notes=tuple(notes),
        withheld=review.withheld(store().state, week),
    )


def context() -> Context:
    """The view resolved by app.py for this run."""
    return st.session_state.get("_ctx") or resolve_context()


def sidebar_filters(ctx: Context, week: bool = True) -> None:
    """Township, week and language pickers; each change goes to the URL. `week=False` on a
    page with a week picker of its own (board.OWN_WEEK_PAGES)."""
    towns = data(page_data.App.townships, ctx)
    weeks = data(page_data.App.available_weeks, ctx)
    options = [COUNTY] + list(towns["township_id"])
    labels = {COUNTY: t("filter.county", ctx.lang), **places.township_names(towns, ctx.lang)}

    def on_township():
        _set_param("township", st.session_state["_w_township"] or None)
        phone.note_pick()

    opened = default_week(str(store().root), ctx.version, weeks)

    def on_week():
        w = st.session_state["_w_week"]
        _set_param("week", None if w is None or w == opened else w.isoformat())
        phone.note_pick()

    def on_lang():
        lang = st.session_state["_w_lang"]
        _set_param("lang", None if lang == i18n.DEFAULT_LANG else lang)
        phone.note_pick()

    user = current_user()
    if user is not None and user.township_bound:
        options = [user.township]
    many = len(options) > SEARCH_HINT_TOWNSHIPS + 1
    with st.sidebar:
        st.session_state["_w_township"] = ctx.township or COUNTY
        # Typing filters the list (a province's hundreds of townships): by any part of the
        # name, "37" finds 勐马镇·37, not every name with a 3 before a 7.
        st.selectbox(
            t("filter.township", ctx.lang),
            options,
            key="_w_township",
            placeholder=t("filter.county", ctx.lang),
            filter_mode="contains",
            help=t("scale.township_search", ctx.lang) if many else None,
            format_func=lambda v: labels.get(v, str(v)),
            on_change=on_township,
            disabled=len(options) == 1,
        )
        if weeks and week:
            st.session_state["_w_week"] = ctx.week
            st.selectbox(
                t("filter.week", ctx.lang),
                list(reversed(weeks)),
                key="_w_week",
                format_func=lambda w: i18n.fmt_week(w, ctx.lang),
                on_change=on_week,
            )
        st.session_state["_w_lang"] = ctx.lang
        st.radio(
            t("filter.lang", ctx.lang),
            list(i18n.LANGS),
            key="_w_lang",
            horizontal=True,
            format_func=lambda v: {"zh": "中文", "en": "English"}[v],
            on_change=on_lang,
        )
        phone.close_sidebar()
