"""党组织达标 Branch compliance: the 122 border branches against the 100% target, what fails,
where they are along the border, the "4+N" links and the model branches."""

import streamlit as st

from dashboard import i18n, kpis, page_data, ui
from dashboard.charts import branches as charts
from dashboard.charts import common, maps, svgmap
from dashboard.ui import mapnav

ctx = ui.context()
ui.page_header(ctx, "branches")
PLAIN = common.PLOT_CONFIG

if not ui.empty_store(ctx):
    s = ui.data(page_data.Branches.summary, ctx)
    b = s["branches"]
    if not b["total"]:
        st.info(ctx.t("branches.none", township=ctx.township_name))
        st.stop()

    targets = ui.data(page_data.Branches.targets, ctx)
    towns = ui.data(page_data.Branches.townships, ctx)
    status = ui.data(page_data.Branches.branch_status, ctx)
    failing = ui.data(page_data.Branches.noncompliant_branches, ctx)
    rate_target = kpis.target_of(kpis.COMPLIANCE, targets)  # the charts draw it
    counts = charts.status_counts(status)  # compliant / noncompliant / never assessed

    tiles = ui.phone.compact("branches").columns(3)  # two a row on a phone
    with tiles[0]:
        # Why short, from the branches' list: not up to standard, and of those never assessed.
        ui.tile(
            ctx,
            kpis.read(kpis.COMPLIANCE, s, targets, lang=ctx.lang),
            detail=ctx.t(
                "branches.compliant_detail",
                rate=i18n.fmt_rate(b["compliance_rate"], ctx.lang),
                n=i18n.fmt_int(counts["noncompliant"] + counts["never"]),
            )
            + (ctx.t("branches.never_detail", n=i18n.fmt_int(counts["never"])) if counts["never"] else ""),
        )
    with tiles[1]:
        ui.tile(
            ctx,
            kpis.read(kpis.LINKS, s, targets, lang=ctx.lang),
            help_text=ctx.t("branches.links_help"),
            detail=ctx.t("branches.links_detail"),
        )
    with tiles[2]:
        ui.tile(ctx, kpis.read(kpis.MODEL, s, targets, lang=ctx.lang))

    trend = ui.data(page_data.Branches.compliance_trend, ctx)
    by_township = ui.data(page_data.Branches.compliance_by_township, ctx) if ctx.township is None else None
    left, right = st.columns([3, 2]) if by_township is not None else (st.container(), None)
    with left:
        st.subheader(ctx.t("branches.trend"))
        if trend.empty:
            st.info(ctx.t("branches.trend_empty"))
        else:
            # On request: a page that sends no Plotly chart on load spares every visit plotly.js.
            with ui.on_request("show_compliance_trend", ctx.t("light.compliance_trend")) as box:
                if box.open:
                    st.plotly_chart(
                        charts.compliance_trend(trend, rate_target, ctx.lang),
                        config=PLAIN,
                        key="compliance_trend",
                    )
                    st.caption(ctx.t("branches.trend_caption"))
    if right is not None:
        with right:
            st.subheader(ctx.t("branches.by_township"))
            with ui.on_request("show_compliance_by_township", ctx.t("light.compliance_by_township")) as box:
                if box.open:
                    st.plotly_chart(
                        charts.compliance_by_township(by_township, towns, rate_target, ctx.lang),
                        config=PLAIN,
                        key="compliance_by_township",
                    )

    st.subheader(ctx.t("branches.noncompliant"))
    if failing.empty:
        st.success(ctx.t("branches.all_compliant", n=i18n.fmt_int(b["total"])))
    else:
        table = charts.noncompliant_table(failing, towns, ctx.lang)
        ui.table(
            ctx,
            table,
            width="stretch",
            height=lambda n: min(420, 38 + 35 * n),
            column_config={ctx.t("col.failed"): st.column_config.TextColumn(width="large")},
        )
        ui.downloads(ctx, table, ctx.t("branches.file_noncompliant"), key="noncompliant")

    criteria = ui.data(page_data.Branches.failed_criteria_counts, ctx)
    map_area = st.container()
    if not criteria.empty:
        left, map_area = st.columns([2, 3])
        with left:
            st.subheader(ctx.t("branches.failed_criteria"))
            with ui.on_request("show_failed_criteria", ctx.t("light.failed_criteria")) as box:
                if box.open:
                    st.plotly_chart(
                        charts.failed_criteria(criteria, ctx.lang), config=PLAIN, key="failed_criteria"
                    )
                    st.caption(ctx.t("branches.failed_caption"))
    township_geo = ui.data(page_data.Branches.geo_features, ctx)
    with map_area:
        # On a phone the list stands in for the map (too small to read there, issue 20 §4).
        with ui.phone.phone_only("branch-map"):
            st.caption(ctx.t("phone.map_list"))
        with ui.phone.wide_only("branch-map"):
            st.subheader(ctx.t("branches.map"))
            # The quick map (SVG) on load, the interactive deck.gl map on request (issue 14 §2).
            live = mapnav.interactive(ctx, "branch_map_mode")
            st.markdown(maps.legend_html(charts.map_legend(status, ctx.lang)), unsafe_allow_html=True)
            drill = mapnav.can_drill(ctx)
            size = (540, 560) if not criteria.empty else (900, 560)
            if live:
                event = st.pydeck_chart(
                    charts.branch_map(
                        status,
                        township_geo,
                        towns,
                        ctx.lang,
                        township=ctx.township,
                        size=size,
                        drill=drill,
                    ),
                    height=560,
                    key=f"branch_map_{ctx.township}",
                    **({"on_select": "rerun", "selection_mode": "single-object"} if drill else {}),
                )
                if drill:
                    st.caption(ctx.t("geo.county_hint"))
                    mapnav.drill(ctx, event)
            else:
                mapnav.static_map(
                    ctx,
                    "branches",
                    lambda: svgmap.branch_svg(
                        status, township_geo, towns, ctx.lang, township=ctx.township, size=size
                    ),
                    size,
                )
                st.caption(mapnav.static_hint(ctx, drill=drill), unsafe_allow_html=True)
            mapnav.back_to_county(ctx, "branch_map_back")

    st.subheader(ctx.t("geo.branches_distance"))
    mapnav.distance_section(ctx, status, township_geo, towns, "branches", "branches_border")

    st.subheader(ctx.t("branches.models"))
    models = charts.model_table(status, towns, ctx.lang)
    if models.empty:
        st.info(ctx.t("branches.models_none"))
    else:
        st.caption(ctx.t("branches.models_caption", n=i18n.fmt_int(len(models))))
        ui.table(ctx, models, width="stretch", height=lambda n: min(420, 38 + 35 * n))
        ui.downloads(ctx, models, ctx.t("branches.file_models"), key="models")
