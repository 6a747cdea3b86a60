"""Review of township submissions on the pages (dashboard.review): the reviewer's queue with
approve / return buttons (a section of the data page), an administrator's unlock, a
reporter's returned reasons, and the 待审核 mark of a page whose week holds submissions not
yet approved. Reasons are text typed by people: shown Markdown-escaped, never as HTML."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from .. import i18n, metrics, places, review
from ..context import Context
from .board import board
from .data import data
from .gate import current_user
from .handles import store

QUEUE_SHOWN = 30  # queue items drawn with their buttons; the rest are counted
HISTORY_SHOWN = 50  # decisions listed under the queue


def states(week: dt.date | None) -> dict[str, dict]:
    """township -> its review state for `week` ({} when nothing of it was submitted)."""
    return review.states(store().state, week) if week is not None else {}


def state_label(code: str | None, lang: str) -> str:
    return i18n.t(f"review.state_{code or 'none'}", lang)


def _when(at: str | None) -> str:
    return (at or "")[:16].replace("T", " ") or "—"


def _names(ctx: Context) -> dict[str, str]:
    return places.township_names(data(metrics.townships, ctx), ctx.lang)


def _flash() -> None:
    """The outcome of the last click (kept over the rerun that redraws the queue)."""
    said = st.session_state.pop("_review_flash", None)
    if said:
        kind, text = said
        (st.success if kind == "ok" else st.error)(text)


def _act(ctx: Context, done_key: str, call, **fields) -> None:
    """Run a review step for the signed-in user; say what came of it after the rerun."""
    try:
        call()
    except review.ReviewError as e:
        st.session_state["_review_flash"] = ("error", e.text(ctx.lang))
    else:
        st.session_state["_review_flash"] = ("ok", ctx.t(done_key, **fields))
    st.rerun()


def mark(ctx: Context) -> None:
    """Under a page's header: how many townships' submissions of the page's week wait for
    review, or were returned (pages show them at once, as the setting says)."""
    if ctx.week is None:
        return
    found = states(ctx.week)
    open_ = [tw for tw, s in found.items() if s["state"] != "approved" and ctx.township in (None, tw)]
    if open_:
        names = _names(ctx)
        st.caption(
            ctx.t(
                "review.mark_withheld" if ctx.withheld else "review.mark",
                n=len(open_),
                names=i18n.md_escape(ctx.t("mapview.sep").join(names.get(tw, tw) for tw in sorted(open_))),
            )
        )


def section(ctx: Context) -> None:
    """The reviewer's queue (oldest first), each township-week with what it sent and the
    approve / return buttons; the decisions made; for an administrator, unlocking."""
    user = current_user()
    by = user if user is not None else review.User(ctx.t("auth.demo_actor"), "admin")
    state_dir = store().state
    names = _names(ctx)
    _flash()
    queue = review.queue(state_dir)
    st.subheader(ctx.t("review.queue_title", n=len(queue)))
    st.caption(ctx.t("review.queue_help", limit=review.MAX_REASON))
    if not queue:
        st.success(ctx.t("review.queue_empty"))
    for item in queue[:QUEUE_SHOWN]:
        tw, week = item["township"], item["week"]
        wk = week.isoformat()
        with st.container(border=True, key=f"rq-{tw}-{wk}"):
            st.markdown(
                ctx.t(
                    "review.item",
                    township=i18n.md_escape(names.get(tw, tw)),
                    week=i18n.fmt_week(week, ctx.lang),
                )
            )
            st.caption(
                ctx.t(
                    "review.item_sent",
                    by=i18n.md_escape(item.get("submitted_by") or "—"),
                    at=_when(item.get("submitted_at")),
                    version=item.get("version") or "—",
                    since=_when(item.get("since")),
                )
            )
            df, _ = board(ctx, week, tw)
            if len(df):
                r = df.iloc[0]
                st.markdown(
                    ctx.t(
                        "review.item_counts",
                        grids=f"{int(r['grids_reported']):,} / {int(r['grids_total']):,}",
                        days=f"{int(r['checkpoint_days']):,} / {7 * int(r['checkpoints_total']):,}",
                        trainings=int(r["trainings"]),
                        assessed=int(r["branches_assessed"]),
                    )
                )
            left, right = st.columns([1, 3], vertical_alignment="bottom")
            with right:
                reason = st.text_area(
                    ctx.t("review.reason"),
                    key=f"rv-reason-{tw}-{wk}",
                    max_chars=review.MAX_REASON,
                    height=80,
                    placeholder=ctx.t("review.reason_placeholder"),
                )
                if st.button(
                    ctx.t("review.return_button"), key=f"rv-return-{tw}-{wk}", icon=":material/undo:"
                ):
                    _act(
                        ctx,
                        "review.returned",
                        lambda tw=tw, week=week, reason=reason: review.send_back(
                            state_dir, tw, week, by, reason
                        ),
                        township=names.get(tw, tw),
                        week=i18n.fmt_week(week, ctx.lang),
                    )
            with left:
                if st.button(
                    ctx.t("review.approve_button"),
                    key=f"rv-approve-{tw}-{wk}",
                    type="primary",
                    icon=":material/check:",
                ):
                    _act(
                        ctx,
                        "review.approved",
                        lambda tw=tw, week=week: review.approve(state_dir, tw, week, by),
                        township=names.get(tw, tw),
                        week=i18n.fmt_week(week, ctx.lang),
                    )
    if len(queue) > QUEUE_SHOWN:
        st.caption(ctx.t("review.queue_more", n=len(queue) - QUEUE_SHOWN))

    if by.is_admin:
        _unlock(ctx, by, names)
        _setting(ctx, by)
    skipped = review.events(state_dir)[1]
    if skipped:
        st.warning(ctx.t("review.damaged", n=skipped))
    done = [e for e in review.history(state_dir) if e["event"] != "submitted"][:HISTORY_SHOWN]
    if done:
        st.markdown(f"**{ctx.t('review.history_title')}**")
        st.dataframe(_history_table(done, names, ctx.lang), hide_index=True, width="stretch")


def _history_table(entries: list[dict], names: dict[str, str], lang: str) -> pd.DataFrame:
    t = i18n.t
    return pd.DataFrame(
        [
            {
                t("review.col_when", lang): _when(e.get("at")),
                t("review.col_township", lang): names.get(e["township"], e["township"]),
                t("review.col_week", lang): e["week"],
                t("review.col_step", lang): t(f"review.step_{e['event']}", lang),
                t("review.col_by", lang): e.get("by") or "—",
                t("review.col_reason", lang): e.get("reason") or "",
            }
            for e in entries
        ]
    )


def _unlock(ctx: Context, admin, names: dict[str, str]) -> None:
    """An administrator opens an approved township-week again, with a reason."""
    approved = sorted(
        ((tw, wk) for (tw, wk), s in review.all_states(store().state).items() if s["state"] == "approved"),
        key=lambda k: (k[1], k[0]),
        reverse=True,
    )
    if not approved:
        return
    with st.expander(ctx.t("review.unlock_title", n=len(approved))):
        choice = st.selectbox(
            ctx.t("review.unlock_pick"),
            approved,
            key="rv-unlock-pick",
            format_func=lambda k: (
                f"{names.get(k[0], k[0])} · {i18n.fmt_week(dt.date.fromisoformat(k[1]), ctx.lang)}"
            ),
        )
        reason = st.text_area(
            ctx.t("review.unlock_reason"), key="rv-unlock-reason", max_chars=review.MAX_REASON
        )
        if st.button(ctx.t("review.unlock_button"), key="rv-unlock", icon=":material/lock_open:"):
            tw, wk = choice
            _act(
                ctx,
                "review.unlocked",
                lambda: review.unlock(store().state, tw, wk, admin, reason),
                township=names.get(tw, tw),
                week=i18n.fmt_week(dt.date.fromisoformat(wk), ctx.lang),
            )


def _setting(ctx: Context, admin) -> None:
    """review.SHOW, the one setting of how pages treat what is not approved yet."""
    state_dir = store().state
    now = review.show_mode(state_dir)
    with st.expander(ctx.t("review.setting_title", mode=ctx.t(f"review.show_{now}"))):
        st.caption(ctx.t("review.setting_help"))
        mode = st.radio(
            ctx.t("review.setting_label"),
            review.SHOW_MODES,
            index=review.SHOW_MODES.index(now),
            key="rv-show",
            format_func=lambda m: ctx.t(f"review.show_{m}"),
        )
        if mode != now and st.button(ctx.t("review.setting_button"), key="rv-show-save"):
            _act(
                ctx,
                "review.setting_saved",
                lambda: review.set_show_mode(state_dir, mode, admin),
                mode=ctx.t(f"review.show_{mode}"),
            )


def notice(ctx: Context, township: str) -> None:
    """A reporter's data page: its weeks returned (with the reason, as text), waiting for
    review, and locked."""
    found = sorted(
        (
            (dt.date.fromisoformat(wk), s)
            for (tw, wk), s in review.all_states(store().state).items()
            if tw == township
        ),
        key=lambda x: x[0],
        reverse=True,
    )
    for week, s in found:
        if s["state"] == "returned":
            st.error(
                ctx.t(
                    "review.returned_notice",
                    week=i18n.fmt_week(week, ctx.lang),
                    by=i18n.md_escape(s.get("by") or "—"),
                    at=_when(s.get("at")),
                )
                + "\n\n"
                + i18n.md_escape(s.get("reason") or ""),
                icon=":material/undo:",
            )
    pending = [w for w, s in found if s["state"] == "pending"]
    if pending:
        st.info(
            ctx.t(
                "review.pending_notice",
                weeks=ctx.t("mapview.sep").join(i18n.fmt_week(w, ctx.lang) for w in pending),
            )
        )
    locked = [w for w, s in found if s["state"] == "approved"][:4]
    if locked:
        st.caption(
            ctx.t(
                "review.locked_notice",
                weeks=ctx.t("mapview.sep").join(i18n.fmt_week(w, ctx.lang) for w in locked),
            )
        )
