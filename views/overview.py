"""总览 Overview: the headline figures against target, what needs attention, indicators."""

import streamlit as st

from dashboard import contract, i18n, kpis, metrics, ui
from dashboard.charts import common, training

ctx = ui.context()
ui.page_header(ctx, "overview")
if not ui.empty_store(ctx):
    ui.briefing_button(ctx)
    s = ui.data("summary", ctx)
    targets = ui.data("targets", ctx)
    trend = ui.data("weekly_trend", ctx, weeks=12)
    b, g, c = s["branches"], s["grids"], s["checkpoints"]
    base = ui.baseline(ctx)
    change = metrics.summary_change(s, base and base["summary"])

    def spark(kpi):
        """The figure's last weeks, where weekly_trend has them (its rates): [(week, the rate
        as said, the rate)], oldest first, empty weeks left out."""
        col = kpi.value.rsplit(".", 1)[-1]
        if col not in trend:
            return None
        points = [
            (i18n.fmt_week(w, ctx.lang), i18n.fmt_rate(v, ctx.lang), v)
            for w, v in zip(trend["week_start"], trend[col], strict=True)
            if v is not None and v == v
        ]
        return points if len(points) > 1 else None

    st.subheader(ctx.t("overview.headline"))
    # The key figures of dashboard.kpis, in its order; a scope without such units gets a sentence.
    tiles = kpis.readings(s, targets, change, base, ctx.lang, kpis.HEADLINE)
    for start in range(0, len(tiles), 3):
        for col, r in zip(st.columns(3), tiles[start : start + 3], strict=False):
            with col:
                ui.tile(
                    ctx,
                    r.label,
                    r.value,
                    rate=r.figure,
                    target=r.target,
                    target_text=r.target_text,
                    trend=spark(r.kpi),
                    detail=r.detail or None,
                    change=r.change,
                    kpi=r.kpi,
                )
    for empty, key in (
        (not b["total"], "overview.no_branches"),
        (not c["total"], "overview.no_checkpoints"),
        (not g["total"], "overview.no_grids"),
    ):
        if empty:
            st.info(ctx.t(key, township=ctx.township_name))

    left, right = st.columns(2)
    with left:
        st.subheader(ctx.t("overview.attention"))
        ui.ledger_line(ctx)
        branches = ui.data("noncompliant_branches", ctx)
        gaps = ui.data("checkpoint_gaps", ctx)
        grids = ui.data("grids_needing_attention", ctx)
        coverage = ui.week_coverage(ctx)
        unreported = coverage["not_reported"] if coverage else []
        if unreported:  # one line per township, not its grids and checkpoints one by one
            with st.container(border=True):
                names = i18n.md_escape(ui.unreported_names(ctx, unreported))
                st.markdown(f"**:orange[{ctx.t('attention.unreported', names=names)}]**")
        if branches.empty and gaps.empty and grids.empty and not unreported:
            st.success(ctx.t("overview.attention_none"))
        if not branches.empty:
            with st.container(border=True):
                st.markdown(f"**:red[{ctx.t('attention.branches', n=len(branches))}]**")
                lines = []
                for r in branches.head(5).itertuples():
                    failed = (
                        ctx.t("attention.never")
                        if r.never_assessed
                        else "、".join(
                            i18n.enum_label(contract.CRITERIA, k, ctx.lang) for k in r.failed_criteria
                        )
                    )
                    lines.append(ctx.t("attention.where", name=r.name, place=r.village) + f": {failed}")
                st.text("\n".join(lines))  # one element per box, not one per line
                ui.page_link(ctx, "branches", ctx.t("attention.more") + " →")
        if not gaps.empty:
            with st.container(border=True):
                hours = i18n.fmt_int(gaps["hours"].sum())
                st.markdown(f"**:red[{ctx.t('attention.gaps', n=len(gaps), hours=hours)}]**")
                st.text(
                    "\n".join(
                        f"{r.name}: {r.gap_start:%m-%d %H:%M} – {r.gap_end:%m-%d %H:%M}"
                        + ctx.t("attention.hours", n=r.hours)
                        for r in gaps.sort_values("hours", ascending=False).head(5).itertuples()
                    )
                )
                ui.page_link(ctx, "checkpoints", ctx.t("attention.more") + " →")
        if not grids.empty:
            with st.container(border=True):
                st.markdown(f"**:orange[{ctx.t('attention.grids', n=len(grids))}]**")
                st.text(
                    "\n".join(
                        f"{r.name}: " + "、".join(ctx.t(f"reason.{k}") for k in r.reasons)
                        for r in grids.head(5).itertuples()
                    )
                )
                ui.page_link(ctx, "grids", ctx.t("attention.more") + " →")
    with right:
        st.subheader(ctx.t("overview.training"))
        # Progress bars, not a Plotly chart: the page sends no Plotly on load (issue 14 §2).
        ui.kind_progress(ctx, training.kind_rows(s["training"], targets, "sessions", ctx.lang))
        st.subheader(ctx.t("overview.trend"))
        st.caption(ctx.t("light.trend_note"))
        with ui.on_request("show_weekly_trend", ctx.t("light.trend")) as box:
            if box.open:
                st.plotly_chart(
                    common.weekly_trend(trend, ctx.lang),
                    config={"displayModeBar": False},
                    key="weekly_trend",
                )

    st.subheader(ctx.t("overview.indicators"))
    codes = list(contract.INDICATORS)
    for start in range(0, len(codes), 4):  # four to a row: long labels stay readable
        cols = st.columns(4)
        for col, code in zip(cols, codes[start : start + 4], strict=False):
            col.metric(
                i18n.enum_label(contract.INDICATORS, code, ctx.lang),
                i18n.fmt_num(s["indicators"][code], ctx.lang),
                border=True,
            )
