"""总览 Overview: what needs attention (most serious first), the headline figures against
target, training, indicators."""

import streamlit as st

from dashboard import attention, contract, i18n, kpis, metrics, page_data, ui
from dashboard.charts import common, training

ctx = ui.context()
ui.page_header(ctx, "overview")
if not ui.empty_store(ctx):
    ui.briefing_button(ctx)
    s = ui.data(page_data.Overview.summary, ctx)
    targets = ui.data(page_data.Overview.targets, ctx)
    trend = ui.data(page_data.Overview.weekly_trend, ctx)
    b, g, c = s["branches"], s["grids"], s["checkpoints"]
    base = ui.baseline(ctx)
    change = metrics.summary_change(s, base and base["summary"])

    def spark(kpi):
        """The figure's last weeks, where weekly_trend has them (its rates): [(week, the rate
        as said, the rate)], oldest first, empty weeks left out."""
        col = kpi.path.rsplit(".", 1)[-1]
        if col not in trend:
            return None
        points = [
            (i18n.fmt_week(w, ctx.lang), i18n.fmt_rate(v, ctx.lang), v)
            for w, v in zip(trend["week_start"], trend[col], strict=True)
            if v is not None and v == v
        ]
        return points if len(points) > 1 else None

    # What needs action comes first, most serious first (issue 20 §4): on a laptop above the
    # fold, on a phone in the first screen.
    with st.container(key="attention"):
        st.subheader(ctx.t("overview.attention"))
        ui.ledger_line(ctx)
        coverage = ui.week_coverage(ctx)
        unreported = coverage["not_reported"] if coverage else []
        if unreported:  # one line per township, not its grids and checkpoints one by one
            with st.container(border=True):
                names = i18n.md_escape(ui.unreported_names(ctx, unreported))
                st.markdown(f"**:orange[{ctx.t('attention.unreported', names=names)}]**")
        groups = attention.groups(
            ui.data(page_data.Overview.noncompliant_branches, ctx),
            ui.data(page_data.Overview.checkpoint_gaps, ctx),
            ui.data(page_data.Overview.grids_needing_attention, ctx),
            ctx.lang,
        )
        ui.attention_list(ctx, groups)

    st.subheader(ctx.t("overview.headline"))
    # The key figures of dashboard.kpis, in its order; a scope without such units gets a sentence.
    # On a phone two a row without their sparklines (ui.phone.compact).
    tiles = kpis.readings(s, targets, change, base, ctx.lang, kpis.HEADLINE)
    with ui.phone.compact("headline"):
        for start in range(0, len(tiles), 3):
            for col, r in zip(st.columns(3), tiles[start : start + 3], strict=False):
                with col:
                    ui.tile(ctx, r, trend=spark(r.kpi))
    for empty, key in (
        (not b["total"], "overview.no_branches"),
        (not c["total"], "overview.no_checkpoints"),
        (not g["total"], "overview.no_grids"),
    ):
        if empty:
            st.info(ctx.t(key, township=ctx.township_name))

    left, right = st.columns(2)
    with left:
        st.subheader(ctx.t("overview.training"))
        # Progress bars, not a Plotly chart: the page sends no Plotly on load (issue 14 §2).
        ui.kind_progress(ctx, training.kind_rows(s["training"], targets, "sessions", ctx.lang))
    with right:
        st.subheader(ctx.t("overview.trend"))
        st.caption(ctx.t("light.trend_note"))
        with ui.on_request("show_weekly_trend", ctx.t("light.trend")) as box:
            if box.open:
                st.plotly_chart(
                    common.weekly_trend(trend, ctx.lang),
                    config=common.PLOT_CONFIG,
                    key="weekly_trend",
                )

    st.subheader(ctx.t("overview.indicators"))
    codes = list(contract.INDICATORS)
    with ui.phone.compact("indicators"):
        for start in range(0, len(codes), 4):  # four to a row: long labels stay readable
            cols = st.columns(4)
            for col, code in zip(cols, codes[start : start + 4], strict=False):
                col.metric(
                    i18n.enum_label(contract.INDICATORS, code, ctx.lang),
                    i18n.fmt_num(s["indicators"][code], ctx.lang),
                    border=True,
                )
