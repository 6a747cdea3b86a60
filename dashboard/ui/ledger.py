"""The rectification ledger on the pages (整改台账): the page's list and filters, the note form,
and the one line per township the overview shows. The items come from dashboard.ledger, as of
the week the view shows (capped at now), for the township the session may see: a township user
or reporter gets their own township's items whatever the URL asks (ledger.scoped)."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from .. import contract, i18n, ledger, metrics, places
from ..context import Context
from ..i18n import t
from .gate import current_user
from .handles import store

COLOUR_CSS = {"green": "#2e7d32", "amber": "#e65100", "red": "#c62828"}
NEEDS_ACTION = 8  # items listed above the table, most serious first


def items(ctx: Context, township: str | None = None) -> list[ledger.Item]:
    """The session's items as of the view's week (ledger caches per version and day)."""
    return ledger.scoped(
        store(), current_user(), as_of=ledger.page_as_of(ctx.week), township=township or ctx.township
    )


def on_touch() -> bool:
    """A phone or tablet asked (its User-Agent says so): captions say 点按, not 点击."""
    agent = (st.context.headers.get("User-Agent") or "") if st.context.headers else ""
    return any(w in agent for w in ("Mobile", "Android", "iPhone", "iPad"))


def kind_label(kind: str, lang: str) -> str:
    return t(f"ledger.kind.{kind}", lang)


def what(it: ledger.Item, lang: str, code: bool = False) -> str:
    """ "芒国村一组党支部 · 活动阵地" — the entity and, for a branch, the criterion. With `code`
    in English, the entity's code instead of its (Chinese) name: the meeting screen writes no
    name from the data in English."""
    crit = f" · {i18n.enum_label(contract.CRITERIA, it.criterion, lang)}" if it.criterion else ""
    return f"{it.entity if code and lang != 'zh' else it.name}{crit}"


def state_label(it: ledger.Item, lang: str) -> str:
    label = t(f"ledger.status.{it.status}", lang)
    return f"{label} · {t('ledger.escalated', lang)}" if it.escalated else label


def link(ctx: Context, it: ledger.Item) -> str:
    """The page that shows the problem, on the item's township and the week last seen."""
    qp = {"township": it.township_id, "week": it.last_week.isoformat()}
    if ctx.lang != i18n.DEFAULT_LANG:
        qp["lang"] = ctx.lang
    return f"/{it.page}?{urlencode(qp)}"


def counts_line(found: list[ledger.Item], lang: str) -> str:
    return t("ledger.counts", lang, **{k: i18n.fmt_int(v) for k, v in ledger.counts(found).items()})


def township_line(ctx: Context) -> None:
    """The overview's line per township: "娜允镇：3 项逾期，1 项督办" (townships with open items
    only; all clear says so)."""
    if ctx.version is None:
        return
    found = items(ctx)
    per = ledger.by_township(found)
    names = _names(ctx)
    lines = [
        t(
            "ledger.township_line",
            ctx.lang,
            township=i18n.md_escape(names.get(tw, tw)),
            open=i18n.fmt_int(c["open"]),
            overdue=i18n.fmt_int(c["overdue"]),
            escalated=i18n.fmt_int(c["escalated"]),
        )
        for tw, c in sorted(per.items(), key=lambda kv: (-kv[1]["escalated"], -kv[1]["overdue"], kv[0]))
        if c["open"]
    ]
    st.markdown(f"**{t('page.ledger', ctx.lang)}**")
    if not lines:
        st.caption(t("ledger.all_clear", ctx.lang))
        return
    st.markdown("\n".join(f"- {line}" for line in lines))
    st.page_link("views/ledger.py", label=t("ledger.open_page", ctx.lang), query_params=ctx.query_params)


def _names(ctx: Context) -> dict[str, str]:
    from .data import data

    df = data(metrics.townships, ctx)
    return dict(
        zip(df["township_id"], places.place_names(df["name"], df.get("name_en"), ctx.lang), strict=False)
    )


def page(ctx: Context) -> None:
    """The ledger page: what needs action first (escalated and overdue, most serious first),
    then the filters and the full list, then the note form."""
    lang = ctx.lang
    found = items(ctx)
    names = _names(ctx)
    st.markdown(counts_line(found, lang))
    urgent = [i for i in found if i.status != "closed" and i.colour != "green"][:NEEDS_ACTION]
    if urgent:
        st.markdown(f"#### {t('ledger.needs_action', lang)}")
        st.markdown(
            "\n".join(
                f'- <span style="color:{COLOUR_CSS[i.colour]};font-weight:600">'
                f"{html.escape(state_label(i, lang))}</span> "
                f"{html.escape(names.get(i.township_id, i.township_id))} · "
                f"{html.escape(kind_label(i.kind, lang))}{t('ledger.sep', lang)}"
                f"[{html.escape(what(i, lang))}]({link(ctx, i)}) "
                f"· {html.escape(t('ledger.due', lang, date=i18n.fmt_date(i.deadline, lang)))}"
                for i in urgent
            ),
            unsafe_allow_html=True,
        )

    kinds = sorted({i.kind for i in found}, key=ledger.KINDS.index)
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(
        t("ledger.filter_kind", lang),
        [None, *kinds],
        format_func=lambda k: t("ledger.any", lang) if k is None else kind_label(k, lang),
        key="ledger_kind",
    )
    status = c2.selectbox(
        t("ledger.filter_status", lang),
        ["open", "all", *ledger.STATUSES],
        format_func=lambda s: t(f"ledger.filter.{s}", lang),
        key="ledger_status",
    )
    colour = c3.selectbox(
        t("ledger.filter_colour", lang),
        [None, "escalated", *ledger.COLOURS],
        format_func=lambda c: t("ledger.any", lang) if c is None else t(f"ledger.colour.{c}", lang),
        key="ledger_colour",
    )
    shown = ledger.select(found, kind=kind, status=status, colour=colour)
    st.dataframe(
        table(ctx, shown, names),
        hide_index=True,
        width="stretch",
        column_config={
            t("ledger.col.link", lang): st.column_config.LinkColumn(display_text=t("ledger.view", lang)),
        },
    )
    st.caption(
        t("ledger.table_note", lang, verb=t("ledger.tap" if on_touch() else "ledger.click", lang))
        + " "
        + t("ledger.rule", lang)
    )
    note_form(ctx, [i for i in found if i.status != "closed"], names)


def table(ctx: Context, shown: list[ledger.Item], names: dict[str, str]) -> pd.DataFrame:
    lang = ctx.lang
    col = lambda k: t(f"ledger.col.{k}", lang)  # noqa: E731
    return pd.DataFrame(
        {
            col("state"): [state_label(i, lang) for i in shown],
            col("township"): [names.get(i.township_id, i.township_id) for i in shown],
            col("kind"): [kind_label(i.kind, lang) for i in shown],
            col("what"): [what(i, lang) for i in shown],
            col("code"): [i.entity for i in shown],
            col("opened"): [i18n.fmt_week(i.opened_week, lang) for i in shown],
            col("deadline"): [i18n.fmt_date(i.deadline, lang) for i in shown],
            col("closed"): [
                t("ledger.closed_in", lang, week=i18n.fmt_week(i.closed_week, lang), version=i.closed_version)
                if i.closed_week
                else "—"
                for i in shown
            ],
            col("note"): [i.note or "—" for i in shown],
            col("link"): [link(ctx, i) for i in shown],
        }
    )


def note_form(ctx: Context, open_items: list[ledger.Item], names: dict[str, str]) -> None:
    """整改措施: for an admin, or a township user or reporter on their own township's items;
    checked again on the server when submitted (ledger.note)."""
    user = current_user()
    mine = [i for i in open_items if ledger.may_note(user, i)]
    if not mine:
        return
    lang = ctx.lang
    with st.form("ledger_note", clear_on_submit=True):
        st.markdown(f"#### {t('ledger.note_title', lang)}")
        by_key = {i.key: i for i in mine}
        key = st.selectbox(
            t("ledger.note_item", lang),
            list(by_key),
            format_func=lambda k: (
                f"{names.get(by_key[k].township_id, '')} · "
                f"{kind_label(by_key[k].kind, lang)} · {what(by_key[k], lang)}"
            ),
        )
        text = st.text_area(t("ledger.note_text", lang), max_chars=ledger.MAX_NOTE)
        mark = st.checkbox(t("ledger.note_mark", lang), value=True)
        if st.form_submit_button(t("ledger.note_save", lang)):
            try:
                ledger.note(
                    store(), user, key, text, as_of=ledger.page_as_of(ctx.week), mark_in_progress=mark
                )
            except ledger.NoteRefused as e:
                st.error(e.message.text(lang))
            except OSError:
                st.error(t("ledger.note_failed", lang))
            else:
                # the list above was drawn before the note: draw it again, with the note
                st.session_state["_ledger_note_saved"] = True
                st.rerun()
    if st.session_state.pop("_ledger_note_saved", False):
        st.success(t("ledger.note_saved", lang))


def since_meeting(ctx: Context) -> tuple[int, int | None]:
    """(items closed since the last pinned version, that version) for the meeting screen."""
    s = store()
    pinned = s.last_pinned(before=s.current()) if s.current() else None
    return len(ledger.closed_since(s, items(ctx), pinned)), pinned
