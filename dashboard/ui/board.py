"""The submission board (报送情况): which township submitted which week's tables, cached by
data version; a township user sees their own row."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from .. import i18n, metrics, review
from ..context import Context
from ..i18n import t
from ..store import Store
from . import widgets
from .data import data
from .gate import current_user
from .handles import connection_of, store


@st.cache_data(show_spinner=False, max_entries=64)
def _board(root: str, version: int | None, week: dt.date, township: str | None):
    from .. import submissions

    s = Store(root)
    con = connection_of(root, version)
    return submissions.board(con, week, township), submissions.last_submissions(s, week)


@st.cache_data(show_spinner=False, max_entries=256)
def _timely(root: str, version: int | None, week: dt.date, now: dt.datetime) -> dict:
    from .. import reporting

    return reporting.timeliness(Store(root), week, now)


def now() -> dt.datetime:
    """The real clock, to the minute (the pages' `now`; tests pass their own to reporting)."""
    from .. import reporting

    return dt.datetime.now(reporting.TZ).replace(second=0, microsecond=0)


def timeliness(ctx: Context, week: dt.date, at: dt.datetime | None = None) -> dict:
    """reporting.timeliness of `week` in the live version, cached by data version and minute."""
    return _timely(str(store().root), ctx.version, week, at or now())


def reporting_rates(ctx: Context, week: dt.date, at: dt.datetime | None = None) -> None:
    """The county's reporting rate and reporting rate on time (DHIS2: actual / expected, on
    time / expected) for `week`, as tiles with their last weeks drawn under them."""
    from .. import reporting, submissions

    weeks = [w for w in reversed(submissions.report_weeks(week, n=7)) if w <= week]
    history = [(w, reporting.rates(timeliness(ctx, w, at))) for w in weeks]
    r = history[-1][1]
    cols = st.columns(2)
    for col, key, n in (
        (cols[0], "reporting_rate", r["actual"]),
        (cols[1], "on_time_rate", r["on_time"]),
    ):
        trend = [
            (i18n.fmt_week(w, ctx.lang), i18n.fmt_rate(v[key], ctx.lang), v[key])
            for w, v in history
            if v[key] is not None
        ]
        with col:
            widgets.plain_tile(
                ctx,
                t(f"sub.{key}", ctx.lang),
                i18n.fmt_rate(r[key], ctx.lang),
                trend=trend,
                detail=t("sub.rate_detail", ctx.lang, n=n, expected=r["expected"]),
            )
    st.caption(
        t(
            "sub.rate_rule",
            ctx.lang,
            deadline=reporting.deadline(week).strftime("%Y-%m-%d %H:%M"),
        )
    )


def board_scope() -> str | None:
    """The township whose row the session may see (None: every township), from the user."""
    user = current_user()
    return user.township if user is not None and user.township_bound else None


def board(ctx: Context, week: dt.date, township: str | None):
    """(board, last submissions) of `week` for `township` (None: every township), cached by
    data version."""
    return _board(str(store().root), ctx.version, week, township)


# Pages whose one week picker is their own (the weeks being reported, beyond the data's
# latest): the sidebar leaves its week picker out there (issue 21 §8: one picker a page).
OWN_WEEK_PAGES = ("data", "submissions")


def week_picker(ctx: Context, key: str, reporting: bool = False) -> dt.date:
    """The week picker of a page with the submission board or the prefilled form, named as the
    sidebar's (filter.week), over the week being reported and the ones before it. It opens on
    the context's week (the pages' week: reporting.latest_complete_week once merged), or with
    `reporting` (the data page, where a clerk fetches the form to fill) on the week being
    reported; a link's ?week= wins in both."""
    from .. import submissions

    weeks = submissions.report_weeks(data(metrics.latest_week, ctx))
    linked = bool(st.query_params.get("week")) or not reporting
    return st.selectbox(
        t("filter.week", ctx.lang),
        weeks,
        key=key,
        width=320,
        index=weeks.index(ctx.week) if linked and ctx.week in weeks else 0,
        format_func=lambda w: i18n.fmt_week(w, ctx.lang),
    )


def submission_board(ctx: Context, key: str = "board", week: dt.date | None = None) -> None:
    """The board of `week` (else of a week picker of its own: the week being reported, then
    earlier ones), the counts, the table (status in colour), and the rule of the statuses."""
    from .. import submissions

    if week is None:
        week = week_picker(ctx, f"{key}_week")
    df, last = board(ctx, week, board_scope())
    timely = timeliness(ctx, week)
    if board_scope() is None:
        reporting_rates(ctx, week)
        st.markdown(t("sub.counts", ctx.lang, **submissions.status_counts(df)))
    elif len(df):
        st.markdown(
            t(
                "sub.own_row",
                ctx.lang,
                week=i18n.fmt_week(week, ctx.lang),
                status=submissions.status_label(df["status"].iloc[0], ctx.lang),
            )
        )
    reviews = review.states(store().state, week)
    shown = submissions.board_table(df, last, ctx.lang, timely, reviews).head(widgets.TABLE_MAX_ROWS)
    colours = {
        submissions.status_label(s, ctx.lang): c
        for s, c in (
            ("submitted", "#2e7d32"),
            ("partial", "#e65100"),
            ("missing", "#c62828"),
            ("not_required", "#757575"),
        )
    }
    for code, c in (
        ("on_time", "#2e7d32"),
        ("late", "#e65100"),
        ("missing", "#c62828"),
        ("pending", "#757575"),
        ("not_required", "#757575"),
    ):
        colours[t(f"sub.timely_{code}", ctx.lang)] = c
    for code, c in (("approved", "#2e7d32"), ("pending", "#e65100"), ("returned", "#c62828")):
        colours[t(f"review.state_{code}", ctx.lang)] = c
    status_col = t("sub.col_status", ctx.lang)
    on_time_col = t("sub.col_on_time", ctx.lang)
    review_col = t("sub.col_review", ctx.lang)
    styled = (
        shown.style.map(
            lambda v: f"color: {colours.get(v, 'inherit')}; font-weight: 600",
            subset=[status_col, review_col, on_time_col],
        )
        if len(shown)
        else shown
    )
    narrow = {
        t(f"sub.col_{c}", ctx.lang): st.column_config.Column(width="small")
        for c in ("status", "review", "trainings", "assessed", "grids")
    }
    if ctx.lang == "en":  # "Not submitted", "Awaiting review" need more than a small column
        narrow[status_col] = narrow[review_col] = st.column_config.Column(width="medium")
    st.dataframe(styled, hide_index=True, width="stretch", column_config=narrow)
    if len(df) > len(shown):
        st.caption(t("table.first_rows", ctx.lang, n=i18n.fmt_int(len(shown)), total=i18n.fmt_int(len(df))))
    st.caption(t("sub.rule_expected", ctx.lang))
    st.caption(t("review.board_rule", ctx.lang))
