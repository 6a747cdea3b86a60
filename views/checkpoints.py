"""卡点值守 Checkpoint staffing: 24 h coverage against target, hour-by-hour heatmap, gap list,
who was on duty, persons checked, map."""

import dataclasses
import html

import streamlit as st

from dashboard import i18n, kpis, page_data, ui
from dashboard.charts import checkpoints as cp_charts
from dashboard.charts import common, maps, svgmap
from dashboard.ui import mapnav

ctx = ui.context()
ui.page_header(ctx, "checkpoints")
if not ui.empty_store(ctx):
    s = ui.data(page_data.Checkpoints.summary, ctx)
    c = s["checkpoints"]
    townships = ui.data(page_data.Checkpoints.townships, ctx)
    if not c["total"]:
        county = ui.data(page_data.Checkpoints.checkpoint_status, dataclasses.replace(ctx, township=None))
        st.info(cp_charts.no_checkpoints_text(county, townships, ctx.township_name, ctx.lang))
        st.stop()

    targets = ui.data(page_data.Checkpoints.targets, ctx)
    gaps = ui.data(page_data.Checkpoints.checkpoint_gaps, ctx)
    status = ui.data(page_data.Checkpoints.checkpoint_status, ctx)
    daily = ui.data(page_data.Checkpoints.checkpoint_daily, ctx)
    coverage_target = kpis.target_of(kpis.COVERAGE, targets)  # the map's colours

    st.subheader(ctx.t("cp.headline"))
    unreported, n_unreported = cp_charts.unreported(status)
    if unreported:
        st.info(
            ctx.t(
                "cp.unreported",
                names=i18n.md_escape(ui.unreported_names(ctx, unreported)),
                n=i18n.fmt_int(n_unreported),
            )
        )
    tiles = ui.phone.compact("checkpoints").columns([2.3, 2, 2, 2, 2.3])  # two a row on a phone
    with tiles[0]:
        # The week's gaps (the list below) say what the rate does not.
        ui.tile(
            ctx,
            kpis.read(kpis.COVERAGE, s, targets, lang=ctx.lang),
            detail=(
                ctx.t("cp.kpi.gaps", n=len(gaps), hours=i18n.fmt_int(gaps["hours"].sum()))
                if len(gaps)
                else ctx.t("cp.kpi.no_gaps")
            ),
        )
    for col, kpi in zip(
        tiles[1:], (kpis.STAFFED_SLOTS, kpis.STAFF_HOURS, kpis.PARTY_SHARE, kpis.PERSONS), strict=True
    ):
        with col:
            ui.tile(ctx, kpis.read(kpi, s, targets, lang=ctx.lang))

    # The toggle reruns this part of the page only.
    @st.fragment
    def heatmap_section():
        st.subheader(ctx.t("cp.heatmap"))
        show_all = st.toggle(ctx.t("cp.show_all"), value=False, key="cp_show_all")
        rows = cp_charts.heatmap_rows(status, only_gaps=not show_all)
        if len(rows):
            shown = cp_charts.heatmap_shown(rows)
            if len(shown) < len(rows):
                st.caption(
                    ctx.t(
                        "cp.showing_worst",
                        n=i18n.fmt_int(len(shown)),
                        of=i18n.fmt_int(len(rows)),
                        which="" if show_all else ctx.t("cp.which_gaps"),
                    )
                )
            else:
                st.caption(
                    ctx.t(
                        "cp.showing_all" if show_all else "cp.showing_gaps",
                        n=i18n.fmt_int(len(rows)),
                        total=i18n.fmt_int(len(status)),
                    )
                )
            hourly = ui.data(
                page_data.Checkpoints.checkpoint_hourly, ctx, checkpoints=tuple(shown["checkpoint_id"])
            )
            # HTML, not Plotly: the page then sends no Plotly chart on load (issue 14 §2).
            st.markdown(cp_charts.heatmap_html(hourly, shown, ctx.week, ctx.lang), unsafe_allow_html=True)
        else:
            st.success(ctx.t("cp.no_gaps"))

    heatmap_section()

    st.subheader(ctx.t("cp.gaps"))
    if len(gaps):
        table = cp_charts.gap_table(gaps, townships, ctx.lang, with_township=ctx.township is None)
        ui.table(
            ctx,
            table,
            height=lambda n: min(420, 38 + 35 * n),
            column_config={
                ctx.t("col.gap_start"): st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
                ctx.t("col.gap_end"): st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
            },
        )
        ui.downloads(ctx, table, f"checkpoint_gaps_{ctx.week.isoformat()}", key="cp_gaps")
    else:
        st.success(ctx.t("cp.gaps_none"))

    # On a phone the lists above stand in for the map (too small to read there, issue 20 §4).
    with ui.phone.phone_only("cp-map"):
        st.caption(ctx.t("phone.map_list"))
    with ui.phone.wide_only("cp-map"):
        st.subheader(ctx.t("cp.map"))
        # The quick map (SVG) on load, the interactive deck.gl map on request (issue 14 §2).
        live = mapnav.interactive(ctx, "cp_map_mode")
        st.markdown(maps.legend_html(cp_charts.legend(ctx.lang, coverage_target)), unsafe_allow_html=True)
        on_map = cp_charts.map_rows(status)
        township_geo = ui.data(page_data.Checkpoints.geo_features, ctx)
        drill = mapnav.can_drill(ctx)
        gaps_only = (
            ctx.t("cp.map_gaps_only", total=i18n.fmt_int(len(status)), n=i18n.fmt_int(len(on_map))) + " · "
            if len(on_map) < len(status)
            else ""
        )
        if live:
            event = st.pydeck_chart(
                cp_charts.checkpoint_deck(
                    on_map,
                    township_geo,
                    townships,
                    ctx.lang,
                    coverage_target,
                    township=ctx.township,
                    drill=drill,
                ),
                height=480,
                key=f"cp_map_{ctx.township}",
                **({"on_select": "rerun", "selection_mode": "single-object"} if drill else {}),
            )
            st.caption(gaps_only + ctx.t("map.hint") + (" · " + ctx.t("geo.county_hint") if drill else ""))
            if drill:
                mapnav.drill(ctx, event)
        else:
            mapnav.static_map(
                ctx,
                "checkpoints",
                lambda: svgmap.checkpoint_svg(
                    on_map, township_geo, townships, ctx.lang, coverage_target, township=ctx.township
                ),
            )
            st.caption(html.escape(gaps_only) + mapnav.static_hint(ctx, drill=drill), unsafe_allow_html=True)
        mapnav.back_to_county(ctx, "cp_map_back")

    st.subheader(ctx.t("geo.checkpoints_distance"))
    mapnav.distance_section(ctx, status, township_geo, townships, "checkpoints", "checkpoints_border")

    # Below the map and read, not handled: drawn when the leader opens the box (issue 14 §2).
    st.subheader(ctx.t("cp.duty_week"))
    with ui.on_request("show_cp_daily", ctx.t("light.cp_daily")) as box:
        if box.open:
            left, right = st.columns([1, 1])
            with left:
                st.subheader(ctx.t("cp.composition"))
                st.plotly_chart(
                    cp_charts.composition(daily, ctx.lang),
                    config=common.PLOT_CONFIG,
                    key="cp_composition",
                )
            with right:
                st.subheader(ctx.t("cp.checked_daily"))
                st.plotly_chart(
                    cp_charts.checked_per_day(daily, ctx.lang),
                    config=common.PLOT_CONFIG,
                    key="cp_checked",
                )
