"""总览 Overview: the headline figures against target, what needs attention, indicators."""
import streamlit as st

from dashboard import contract, i18n, metrics, ui
from dashboard.charts import common

ctx = ui.context()
ui.page_header(ctx, "overview")
if not ui.empty_store(ctx):
    s = ui.data("summary", ctx)
    targets = ui.data("targets", ctx)
    trend = ui.data("weekly_trend", ctx, weeks=12)
    b, g, m, c = s["branches"], s["grids"], s["members"], s["checkpoints"]
    base = ui.baseline(ctx)
    d = metrics.summary_change(s, base and base["summary"])

    def spark(col):
        values = [v for v in trend[col] if v is not None and v == v]   # drop empty weeks
        return values if len(values) > 1 else None

    st.subheader(ctx.t("overview.headline"))
    row1 = st.columns(3)
    with row1[0]:
        ui.tile(ctx, ctx.t("kpi.compliance"), f"{b['compliant']:,} / {b['total']:,}",
                rate=b["compliance_rate"], target=targets.get("branches.compliance_rate"),
                target_text=i18n.fmt_rate(targets.get("branches.compliance_rate"), digits=0),
                trend=spark("compliance_rate"), change=ui.change_text(ctx, base, d["branches"]["compliant"]), detail=i18n.fmt_rate(b["compliance_rate"], ctx.lang))
    with row1[1]:
        ui.tile(ctx, ctx.t("kpi.coverage"), i18n.fmt_rate(c["coverage_rate"], ctx.lang),
                rate=c["coverage_rate"], target=targets.get("checkpoints.coverage_rate"),
                target_text=i18n.fmt_rate(targets.get("checkpoints.coverage_rate"), digits=0),
                trend=spark("coverage_rate"), change=ui.change_text(ctx, base, d["checkpoints"]["coverage_rate"], rate=True),
                detail=ctx.t("kpi.slots_of", staffed=i18n.fmt_int(c["staffed_slots"]),
                             slots=i18n.fmt_int(c["slots"])))
    with row1[2]:
        ui.tile(ctx, ctx.t("kpi.members"), i18n.fmt_int(m["reported"]),
                rate=m["reported"], target=targets.get("members.reported"),
                change=ui.change_text(ctx, base, d["members"]["reported"]),
                detail=ctx.t("kpi.assigned", assigned=i18n.fmt_int(m["assigned"]),
                             households=i18n.fmt_int(m["households_linked"])))
    row2 = st.columns(3)
    with row2[0]:
        ui.tile(ctx, ctx.t("kpi.grids_staffed"), i18n.fmt_rate(g["staffed_rate"], ctx.lang),
                rate=g["staffed_rate"], target=targets.get("grids.staffed_rate"),
                target_text=i18n.fmt_rate(targets.get("grids.staffed_rate"), digits=0),
                trend=spark("staffed_rate"), change=ui.change_text(ctx, base, d["grids"]["staffed_rate"], rate=True),
                detail=f"{i18n.fmt_int(g['staffed'])} / {i18n.fmt_int(g['total'])} {ctx.t('unit.grids')}")
    with row2[1]:
        ui.tile(ctx, ctx.t("kpi.visit_rate"), i18n.fmt_rate(g["visit_rate"], ctx.lang),
                rate=g["visit_rate"], target=targets.get("grids.visit_rate"),
                target_text=i18n.fmt_rate(targets.get("grids.visit_rate"), digits=0),
                trend=spark("visit_rate"), change=ui.change_text(ctx, base, d["grids"]["visit_rate"], rate=True),
                detail=ctx.t("kpi.visited_of", visited=i18n.fmt_int(g["households_visited"]),
                             households=i18n.fmt_int(g["households"])))
    with row2[2]:
        ui.tile(ctx, ctx.t("kpi.reporting_rate"), i18n.fmt_rate(g["reporting_rate"], ctx.lang),
                rate=g["reporting_rate"], target=targets.get("grids.reporting_rate"),
                target_text=i18n.fmt_rate(targets.get("grids.reporting_rate"), digits=0),
                trend=spark("reporting_rate"),
                change=ui.change_text(ctx, base, d["grids"]["reporting_rate"], rate=True))

    left, right = st.columns([3, 2])
    with left:
        st.subheader(ctx.t("overview.attention"))
        branches = ui.data("noncompliant_branches", ctx)
        gaps = ui.data("checkpoint_gaps", ctx)
        grids = ui.data("grids_needing_attention", ctx)
        if branches.empty and gaps.empty and grids.empty:
            st.success(ctx.t("overview.attention_none"))
        if not branches.empty:
            with st.container(border=True):
                st.markdown(f"**:red[{ctx.t('attention.branches', n=len(branches))}]**")
                for r in branches.head(5).itertuples():
                    failed = (ctx.t("attention.never") if r.never_assessed else
                              "、".join(i18n.enum_label(contract.CRITERIA, k, ctx.lang)
                                       for k in r.failed_criteria))
                    st.text(f"{r.name}（{r.village}）: {failed}")
                ui.page_link(ctx, "branches", ctx.t("attention.more") + " →")
        if not gaps.empty:
            with st.container(border=True):
                st.markdown(f"**:red[{ctx.t('attention.gaps', n=len(gaps), hours=i18n.fmt_int(gaps['hours'].sum()))}]**")
                for r in gaps.sort_values("hours", ascending=False).head(5).itertuples():
                    st.text(f"{r.name}: {r.gap_start:%m-%d %H:%M} – {r.gap_end:%m-%d %H:%M}"
                            f"（{r.hours} {ctx.t('unit.hours')}）")
                ui.page_link(ctx, "checkpoints", ctx.t("attention.more") + " →")
        if not grids.empty:
            with st.container(border=True):
                st.markdown(f"**:orange[{ctx.t('attention.grids', n=len(grids))}]**")
                for r in grids.head(5).itertuples():
                    st.text(f"{r.name}: " + "、".join(ctx.t(f"reason.{k}") for k in r.reasons))
                ui.page_link(ctx, "grids", ctx.t("attention.more") + " →")
    with right:
        st.subheader(ctx.t("overview.training"))
        st.plotly_chart(common.training_progress(s["training"], targets, ctx.lang),
                        config={"displayModeBar": False}, key="training_progress")
        st.subheader(ctx.t("overview.trend"))
        st.plotly_chart(common.weekly_trend(trend, ctx.lang), config={"displayModeBar": False},
                        key="weekly_trend")

    st.subheader(ctx.t("overview.indicators"))
    cols = st.columns(len(contract.INDICATORS))
    for col, code in zip(cols, contract.INDICATORS):
        col.metric(i18n.enum_label(contract.INDICATORS, code, ctx.lang),
                   i18n.fmt_num(s["indicators"][code], ctx.lang), border=True)
