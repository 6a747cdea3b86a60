"""The pieces pages are built from: the header, the empty-store notice, KPI tiles and their
change text, tables, downloads, page links and the briefing button."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

from .. import attention, export, i18n, kpis, metrics, places
from ..context import Context
from . import phone
from .data import briefing_file, data
from .handles import store
from .light import sparkline
from .routing import PAGE_FILES


def page_header(ctx: Context, page: str) -> None:
    st.title(f"{ctx.t('page.' + page)} · {i18n.md_escape(ctx.township_name)}")
    for note in ctx.notes:
        st.warning(note)
    if ctx.week:
        st.caption(
            ctx.t(
                "data.as_of",
                start=i18n.fmt_date(ctx.week, ctx.lang),
                end=i18n.fmt_date(ctx.week + dt.timedelta(days=6), ctx.lang),
            )
            + ("" if ctx.version is None else f" · v{ctx.version}")
        )
        coverage_mark(ctx)
        from .review import mark  # (review draws on the board, which uses these widgets)

        mark(ctx)


def week_coverage(ctx: Context) -> dict | None:
    """reporting.week_coverage of the view's week (real clock, to the hour), or None."""
    if not ctx.week or ctx.version is None:
        return None
    from .. import reporting

    now = dt.datetime.now(reporting.TZ).replace(minute=0, second=0, microsecond=0)
    return data(metrics.week_coverage, ctx, now=now)


def unreported_names(ctx: Context, ids) -> str:
    """The townships `ids` by name in the user's language, joined."""
    names = places.township_names(data(metrics.townships, ctx), ctx.lang)
    return ctx.t("mapview.sep").join(names.get(i, i) for i in ids)


def coverage_mark(ctx: Context) -> None:
    """ "x / y 个乡镇已报送" and the rule, on every page that shows a week not every township
    has reported (issue 21 §1): the others are 未报 and left out of the rates."""
    cov = week_coverage(ctx)
    if cov is None or cov["all_in"]:
        return
    st.warning(
        f"**{ctx.t('week.coverage', reported=cov['reported'], expected=cov['expected'])}** · "
        + ctx.t(
            "week.coverage_rule",
            names=i18n.md_escape(unreported_names(ctx, cov["not_reported"])),
            reported=cov["reported"],
            deadline=cov["deadline"].strftime("%Y-%m-%d %H:%M"),
        )
    )


def empty_store(ctx: Context) -> bool:
    """Say so and return True when nothing has been loaded yet."""
    if ctx.version is None:
        st.info(ctx.t("empty.store"))
        return True
    return False


def tile(
    ctx: Context,
    reading: kpis.Reading,
    *,
    value: str | None = None,
    detail: str | None = None,
    help_text: str | None = None,
    trend=None,
) -> None:
    """The tile of a key figure, as dashboard.kpis reads it (kpis.read: label, figure, target,
    status, change): the figure with its change over time (an arrow), and against its target a
    line without arrow: green "达标 · 目标 100%", red "差 42.9 个百分点 · 目标 100%", amber
    "完成80%" short of a year's target (kpis decides "met", its unit and its wording).

    A page may say more than summary() knows: `value` in place of the figure (a tile that says
    why it has none), `detail` in place of the line under it (the week's gaps), `help_text`.
    `trend`: the figure's last weeks [(when, value as said, value)], oldest first, drawn as a
    line under the figure (light.sparkline).
    """
    change = reading.change
    arrow = change.direction if change is not None else None
    with st.container(border=True):
        st.metric(
            reading.label,
            reading.value if value is None else value,
            delta=change.amount if arrow is not None else None,
            delta_description=change.base if arrow is not None else None,
            delta_arrow="auto" if arrow else "off",
            delta_color=("normal" if change.better == change.direction else "inverse") if arrow else "off",
            help=help_text,
        )
        if trend and len(trend) > 1:  # drawn by us, not st.metric's Vega-Lite chart (light.sparkline)
            better = (change.better > 0) - (change.better < 0) if arrow else 0
            label = ctx.t("light.spark", n=len(trend))
            st.markdown(sparkline(trend, better, label), unsafe_allow_html=True)
        if reading.status.met is not None:
            line = ctx.t("kpi.status_target", status=reading.status_text, target=reading.target_text)
            colour = {"good": "green", "bad": "red", "warn": "orange"}[reading.status.tone]
            st.markdown(f":{colour}[{i18n.md_escape(line)}]")
        said = reading.detail if detail is None else detail
        if said:
            st.caption(said)


def plain_tile(ctx: Context, label: str, value: str, *, detail: str | None = None, trend=None) -> None:
    """A tile of a number that is no key figure (the board's share of townships reported):
    no target, no status; the same box, sparkline and caption as tile()."""
    with st.container(border=True):
        st.metric(label, value)
        if trend and len(trend) > 1:
            st.markdown(sparkline(trend, 0, ctx.t("light.spark", n=len(trend))), unsafe_allow_html=True)
        if detail:
            st.caption(detail)


def downloads(ctx: Context, df: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Excel download buttons for a table (formula cells neutralised). The files are
    made when a button is clicked, not on every run: a province's table takes seconds to
    write as xlsx, and bytes made up front would sit in the server's memory per session."""
    # on_click="ignore": a download needs no rerun, and a rerun would replace the file's id
    # while the browser is still fetching it.
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        ctx.t("download.csv"),
        lambda: export.to_csv_bytes(df),
        f"{name}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    c2.download_button(
        ctx.t("download.xlsx"),
        lambda: export.to_xlsx_bytes(df, name),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )


# A table shows at most this many rows (most serious first); its download has them all. Past
# it (a province's tens of thousands of grids or activities) the page would be megabytes.
TABLE_MAX_ROWS = 2000
# A table of more columns than this is wider than a phone's screen: there it says it scrolls.
PHONE_COLUMNS = 3


def table(ctx: Context, df: pd.DataFrame, **kwargs) -> None:
    """st.dataframe of the first TABLE_MAX_ROWS rows of `df`, saying so when it has more.
    `height` may be a function of the number of rows shown."""
    shown = df.head(TABLE_MAX_ROWS)
    if callable(kwargs.get("height")):
        kwargs["height"] = kwargs["height"](len(shown))
    st.dataframe(shown, hide_index=True, **kwargs)
    if len(shown.columns) > PHONE_COLUMNS:
        phone.scroll_note(ctx)
    if len(shown) < len(df):
        st.caption(ctx.t("table.first_rows", n=i18n.fmt_int(len(shown)), total=i18n.fmt_int(len(df))))


def page_link(ctx: Context, page: str, label: str) -> None:
    st.page_link(PAGE_FILES[page], label=label, query_params=ctx.query_params)


BRIEFING_FORMATS = {  # format -> (make label, download label, icon, MIME type)
    "pdf": ("briefing.make", "briefing.download", ":material/picture_as_pdf:", "application/pdf"),
    "docx": (
        "briefing.make_docx",
        "briefing.download_docx",
        ":material/description:",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


def briefing_button(ctx: Context) -> None:
    """Make the week's briefing on request (it takes seconds), as PDF or as an editable Word
    document side by side, then offer it for download under the name a clerk keeps."""
    if ctx.version is None:
        return
    s = store()
    key = (str(s.root), ctx.version, repr(sorted(s.pins())), ctx.week, ctx.township, ctx.lang)
    for col, (fmt, (make, download, icon, mime)) in zip(
        st.columns(len(BRIEFING_FORMATS)), BRIEFING_FORMATS.items(), strict=True
    ):
        with col:
            state = f"_briefing_key_{fmt}"
            if st.session_state.get(state) != key:
                if not st.button(ctx.t(make), icon=icon, key=f"briefing_make_{fmt}"):
                    continue
                with st.spinner(ctx.t("briefing.making")):
                    try:
                        briefing_file(*key, fmt)
                    except Exception as e:  # chromium missing or failing: say so, keep the page
                        st.error(ctx.t("briefing.failed", reason=str(e)))
                        continue
                st.session_state[state] = key
            data, name = briefing_file(*key, fmt)
            st.download_button(
                ctx.t(download), data, name, mime, icon=":material/download:", key=f"briefing_{fmt}"
            )


def change_text(ctx: Context, base: dict | None, delta, rate: bool = False) -> str | None:
    """ "+3 since the 12-27 meeting" / "+1.5 pts vs last week"; None when there is nothing to say.
    The text is a kpis.Change: tile() draws its amount with an arrow."""
    return kpis.change(delta, base, ctx.lang, rate=rate)


# What st.file_uploader accepts, as the data page lists it; .et and .ods are accepted only to be
# refused with advice (save as .xlsx), so they are not listed.
UPLOAD_KINDS = {
    "csv": "CSV",
    "xlsx": "Excel .xlsx",
    "xls": "Excel .xls",
    "geojson": "GeoJSON",
    "json": ".json",
}


def uploader_words(ctx: Context, kinds: list[str]) -> None:
    """The uploader's own words in the user's language: st.file_uploader (Streamlit 1.67) has no
    parameter or setting for its "Upload" button or its "50MB per file • CSV, …" line, so a
    style scoped to the uploader's container (key "uploader") hides that line and relabels the
    button, and a caption says what it takes and how much."""
    button = json.dumps(ctx.t("upload.browse"), ensure_ascii=False)
    st.html(
        "<style>"
        ".st-key-uploader [data-testid='stFileUploaderDropzoneInstructions']{display:none}"
        ".st-key-uploader [data-testid='stFileUploaderDropzone'] button *{display:none}"
        ".st-key-uploader [data-testid='stFileUploaderDropzone'] button::after"
        f"{{content:{button};font-size:0.875rem}}"
        "</style>"
    )
    shown = [UPLOAD_KINDS[k] for k in kinds if k in UPLOAD_KINDS]
    st.caption(
        ctx.t(
            "upload.words",
            types=ctx.t("list.sep").join(shown),
            mb=st.get_option("server.maxUploadSize"),
        )
    )


def attention_list(ctx: Context, groups: list[attention.Group]) -> None:
    """The attention list (dashboard.attention.groups), most serious first: one box per kind
    with its count, its worst cases as plain text (names from uploads are never markup) and a
    link to the page listing them all; side by side on a wide screen, one under the other on
    a phone. Nothing to list: says so."""
    if not groups:
        st.success(ctx.t("overview.attention_none"))
        return
    per_row = 3
    for start in range(0, len(groups), per_row):
        cols = st.columns(per_row)
        for col, g in zip(cols, groups[start : start + per_row], strict=False):
            with col, st.container(border=True):
                st.markdown(f"**:{g.tone}[{i18n.md_escape(g.title)}]**")
                lines = list(g.lines)
                if g.more:
                    lines.append(ctx.t("attention.left_out", n=i18n.fmt_int(g.more)))
                st.text("\n".join(lines))  # one element per box, not one per line
                page_link(ctx, g.page, ctx.t("attention.more") + " →")
