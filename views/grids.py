"""网格覆盖 Grid coverage: grids on the map by visit rate and staffing, drill-down, one grid's
history, the table."""

import dataclasses
import html

import streamlit as st

from dashboard import i18n, kpis, page_data, ui
from dashboard.charts import common, maps, svgmap
from dashboard.charts import grids as grid_charts
from dashboard.ui import mapnav

ctx = ui.context()
ui.page_header(ctx, "grids")
if not ui.empty_store(ctx):
    s = ui.data(page_data.Grids.summary, ctx)
    g = s["grids"]
    townships = ui.data(page_data.Grids.townships, ctx)
    if not g["total"]:
        areas = ui.data(page_data.Grids.grid_areas, dataclasses.replace(ctx, township=None))
        st.info(grid_charts.no_grids_text(areas, townships, ctx.township_name, ctx.lang))
        st.stop()

    targets = ui.data(page_data.Grids.targets, ctx)
    st.subheader(ctx.t("grids.headline"))
    tiles = ui.phone.compact("grids").columns(4)  # two a row on a phone
    for col, kpi in zip(tiles, (kpis.STAFFED, kpis.VISITS, kpis.REPORTING, kpis.MEMBERS), strict=True):
        with col:
            ui.tile(ctx, kpis.read(kpi, s, targets, lang=ctx.lang))

    # Drill-down: the township comes from the global filter, community and zone from here.
    areas = ui.data(page_data.Grids.grid_areas, ctx)
    communities = dict(zip(areas["community_id"], areas["community_name"], strict=False))
    pick = st.columns([1, 1, 2])
    community = pick[0].selectbox(
        ctx.t("col.community"),
        ["", *communities],
        key=f"grid_community_{ctx.township}",
        format_func=lambda v: communities.get(v, ctx.t("grids.all_communities")),
    )
    in_community = areas[areas["community_id"] == community] if community else areas
    zones = dict(zip(in_community["zone_id"], in_community["zone_name"], strict=False))
    zone = pick[1].selectbox(
        ctx.t("col.zone"),
        ["", *zones],
        key=f"grid_zone_{ctx.township}_{community}",
        format_func=lambda v: zones.get(v, ctx.t("grids.all_zones")),
    )
    # A province's tens of thousands of grids: one dot per township (no outlines fetched),
    # the worst grids listed.
    in_view = in_community[in_community["zone_id"] == zone] if zone else in_community
    many = int(in_view["grids"].sum()) > grid_charts.MAP_MAX_GRIDS
    grids = ui.data(
        page_data.Grids.grid_list, ctx, community=community or None, zone=zone or None, geometry=not many
    )
    names = {} if many else dict(zip(grids["grid_id"], grids["name"], strict=False))
    unreported, n_unreported = grid_charts.unreported(grids)
    if unreported:
        st.info(
            ctx.t(
                "grids.unreported",
                names=i18n.md_escape(ui.unreported_names(ctx, unreported)),
                n=i18n.fmt_int(n_unreported),
            )
        )
    map_key = f"grid_map_{ctx.township}_{community}_{zone}"
    township_geo = ui.data(page_data.Grids.geo_features, ctx)

    # On a phone the list (right) comes first (ui.phone.list_first).
    left, right = ui.phone.list_first("grids").columns([3, 2])
    with left:
        # On a phone the list stands in for the map (too small to read there, issue 20 §4).
        with ui.phone.phone_only("grid-map"):
            st.caption(ctx.t("phone.map_list"))
        with ui.phone.wide_only("grid-map"):
            st.subheader(ctx.t("grids.map"))
            # The quick map (SVG) on load, the interactive deck.gl map on request (issue 14 §2).
            live = mapnav.interactive(ctx, "grid_map_mode")
            event = None
            if many:
                rollup = grid_charts.township_rollup(grids, townships)
                st.markdown(
                    maps.legend_html(maps.legend_items(ctx.lang, grid_charts.view_target(grids))[:3]),
                    unsafe_allow_html=True,
                )
                if live:
                    st.pydeck_chart(
                        grid_charts.township_deck(rollup, township_geo, townships, ctx.lang),
                        height=540,
                        key=map_key,
                    )
                else:
                    mapnav.static_map(
                        ctx,
                        "grids-townships",
                        lambda: svgmap.rollup_svg(rollup, township_geo, townships, ctx.lang),
                        community,
                        zone,
                    )
                st.caption(ctx.t("grids.by_township", n=i18n.fmt_int(len(grids))))
            else:
                st.markdown(maps.legend_html(grid_charts.legend(grids, ctx.lang)), unsafe_allow_html=True)
                drill = mapnav.can_drill(ctx) and not community and not zone
                if live:
                    deck = grid_charts.grid_deck(grids, township_geo, townships, ctx.lang, drill=drill)
                    event = st.pydeck_chart(
                        deck, on_select="rerun", selection_mode="single-object", height=540, key=map_key
                    )
                    st.caption(
                        ctx.t("grids.in_view", n=i18n.fmt_int(len(grids)))
                        + " · "
                        + ctx.t("grids.map_hint")
                        + (" · " + ctx.t("geo.county_hint") if drill else "")
                    )
                    if drill:
                        mapnav.drill(ctx, event)
                else:
                    mapnav.static_map(
                        ctx,
                        "grids",
                        lambda: svgmap.grid_svg(
                            grids, township_geo, townships, ctx.lang, township=ctx.township
                        ),
                        community,
                        zone,
                    )
                    st.caption(
                        html.escape(ctx.t("grids.in_view", n=i18n.fmt_int(len(grids))))
                        + " · "
                        + mapnav.static_hint(ctx, grids=True, drill=drill),
                        unsafe_allow_html=True,
                    )
            mapnav.back_to_county(ctx, "grid_map_back")

    # A click on the map chooses the grid of the detail panel; the picker can choose too.
    pick_key = f"grid_pick_{ctx.township}_{community}_{zone}"
    clicked = grid_charts.clicked_grid(event)
    if clicked and clicked != st.session_state.get("_grid_clicked") and clicked in names:
        st.session_state[pick_key] = clicked
    st.session_state["_grid_clicked"] = clicked
    with right:
        st.subheader(ctx.t("grids.detail"))
        if many:
            st.info(ctx.t("grids.pick_township"))
            grid_id = None
        else:
            grid_id = st.selectbox(
                ctx.t("grids.pick"),
                list(names),
                index=None,
                key=pick_key,
                format_func=lambda v: names.get(v, v),
                placeholder=ctx.t("grids.pick_none"),
            )
        if grid_id:
            row = grids.loc[grids["grid_id"] == grid_id].iloc[0]
            st.caption(grid_charts.place_text(row))
            c1, c2 = st.columns(2)
            c1.metric(ctx.t("col.households"), i18n.fmt_int(row["households"]))
            c2.metric(ctx.t("col.members"), i18n.fmt_int(row["members"]))
            c1.metric(ctx.t("col.visited"), i18n.fmt_int(row["households_visited"]))
            c2.metric(ctx.t("col.visit_rate"), i18n.fmt_rate(row["visit_rate"], ctx.lang))
            history = ui.data(page_data.Grids.grid_history, ctx, grid_id=grid_id)
            st.markdown(f"**{ctx.t('grids.history', n=12)}**")
            if len(history):
                st.plotly_chart(
                    grid_charts.visit_history(history, ctx.lang, row["visit_target"]),
                    config=common.PLOT_CONFIG,
                    key="grid_history",
                )
            else:
                st.caption(ctx.t("grids.history_none"))
        else:
            attention = grid_charts.attention_table(grids, ctx.lang)
            st.markdown(f"**{ctx.t('grids.attention', n=i18n.fmt_int(len(attention)))}**")
            if len(attention):
                ui.table(ctx, attention, height=lambda n: min(360, 38 + 35 * n))
            else:
                st.success(ctx.t("grids.attention_none"))

    st.subheader(ctx.t("grids.table"))
    if many:  # a province: the table of every grid is not built; a township's is
        st.info(
            ctx.t(
                "scale.grid_table_skipped",
                n=i18n.fmt_int(len(grids)),
                max=i18n.fmt_int(grid_charts.MAP_MAX_GRIDS),
            )
        )
    else:
        table = grid_charts.grid_table(grids, ctx.lang)
        ui.table(
            ctx,
            table,
            height=420,
            column_config={
                ctx.t("col.visit_rate"): st.column_config.ProgressColumn(
                    ctx.t("col.visit_rate"), format="percent", min_value=0, max_value=1, color="blue"
                ),
                ctx.t("col.households"): st.column_config.NumberColumn(format="%d"),
                ctx.t("col.visited"): st.column_config.NumberColumn(format="%d"),
                ctx.t("col.members"): st.column_config.NumberColumn(format="%d"),
            },
        )
        ui.downloads(ctx, table, f"grids_{ctx.week.isoformat()}", key="grids_table")
