"""Map navigation shared by the grid, branch and checkpoint pages: a click on a township of
the county map opens that township (the township filter, URL included), a button goes back to
the county; and the distance of each branch or checkpoint to the national border."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from .. import contract, geo, i18n, places, ui
from ..charts import maps


def drill(ctx: ui.Context, event) -> None:
    """On a county map drawn with drill=True: a clicked township becomes the township filter
    (as the sidebar's picker sets it, so the URL and page switches keep it)."""
    township = maps.clicked_township(event)
    if township and ctx.township is None:
        ui.set_township(township)
        st.rerun()


def can_drill(ctx: ui.Context) -> bool:
    """The county view of a user who may leave it (not a township reporter)."""
    user = ui.current_user()
    return ctx.township is None and not (user is not None and user.township_bound)


def back_to_county(ctx: ui.Context, key: str) -> None:
    """A button under a township's map that goes back to the whole county."""
    user = ui.current_user()
    if ctx.township is None or (user is not None and user.township_bound):
        return
    if st.button(ctx.t("geo.back_county"), key=key, icon=":material/zoom_out_map:"):
        ui.set_township(None)
        st.rerun()


def border_km(rows: pd.DataFrame, township_geo: pd.DataFrame) -> list[float | None]:
    """Each row's (lon, lat) distance to the national border in km; None without a border."""
    _towns, _county, border = maps.split_geo(township_geo)
    line = geo.border_line(list(border["geometry"])) if len(border) else None
    return geo.border_km(rows["lon"], rows["lat"], line)


def distance_table(
    rows: pd.DataFrame, township_geo: pd.DataFrame, townships: pd.DataFrame, lang: str, kind: str
) -> pd.DataFrame | None:
    """Branches (kind "branches", rows of metrics.branch_status) or checkpoints ("checkpoints",
    metrics.checkpoint_status) with their distance to the border, nearest first; None when no
    border is loaded."""
    km = border_km(rows, township_geo)
    if not len(rows) or all(k is None for k in km):
        return None
    names = places.township_names(townships, lang)
    out = {i18n.t("col.township", lang): [names.get(t, t) for t in rows["township_id"]]}
    if kind == "branches":
        out[i18n.t("col.branch", lang)] = list(rows["name"])
        out[i18n.t("branches.col.on_border", lang)] = [
            i18n.t("yes" if b else "no", lang) for b in rows["on_border_line"]
        ]
    else:
        enum = contract.TABLES["checkpoints"].column("kind").enum
        out[i18n.t("col.checkpoint", lang)] = list(rows["name"])
        out[i18n.column_label("checkpoints", "kind", lang)] = [
            i18n.enum_label(enum, k, lang) for k in rows["kind"]
        ]
    out[i18n.t("geo.border_km", lang)] = km
    return (
        pd.DataFrame(out)
        .sort_values(i18n.t("geo.border_km", lang), kind="stable", na_position="last")
        .reset_index(drop=True)
    )


def distance_section(
    ctx: ui.Context,
    rows: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    kind: str,
    key: str,
) -> None:
    """The list with distances to the border: by township and name, or nearest first on
    request (the column header sorts too). Below the map, looked up rather than read: sent
    when its box is opened (ui.on_request)."""
    if not len(rows) or not len(maps.split_geo(township_geo)[2]):
        return  # no border loaded: nothing to measure against
    with ui.on_request(f"{key}_open", ctx.t(f"light.distance_{kind}", n=i18n.fmt_int(len(rows)))) as box:
        if box.open:
            _distance_list(ctx, rows, township_geo, townships, kind, key)


def _distance_list(ctx, rows, township_geo, townships, kind: str, key: str) -> None:
    table = distance_table(rows, township_geo, townships, ctx.lang, kind)
    if table is None:
        return
    by_distance = st.toggle(ctx.t("geo.sort_border"), key=f"{key}_sort")
    if not by_distance:
        table = table.sort_values(list(table.columns[:2]), kind="stable").reset_index(drop=True)
    km = ctx.t("geo.border_km")
    ui.table(
        ctx,
        table,
        height=lambda n: min(420, 38 + 35 * n),
        column_config={km: st.column_config.NumberColumn(km, format="%.1f")},
    )
    ui.downloads(ctx, table, f"{key}_{ctx.week.isoformat()}", key=key)


# ---------------------------------------------------------------- quick map or interactive map
# Issue 14 §2: a page draws the static map (charts.svgmap, inline SVG) on load; the deck.gl
# map, with its clicks and zoom, is drawn when asked for. The choice is kept for the session
# and shared by the grid, branch and checkpoint pages.
STATIC, INTERACTIVE = "static", "interactive"
_MODE = "_map_mode"  # session state: the rendering chosen last, on any page


def interactive(ctx: ui.Context, key: str) -> bool:
    """The switch above a map (简图 / 交互地图): True when the interactive map is to be drawn.
    Remembered for the session across the pages (a widget's own state is dropped on a page
    switch, so the remembered choice is its default)."""
    remembered = st.session_state.get(_MODE, STATIC)
    choice = st.segmented_control(
        ctx.t("mapview.label"),
        (STATIC, INTERACTIVE),
        default=remembered,
        required=True,
        key=key,
        format_func=lambda v: ctx.t(f"mapview.{v}"),
        label_visibility="collapsed",
    )
    choice = choice or remembered
    st.session_state[_MODE] = choice
    return choice == INTERACTIVE


def static_hint(ctx: ui.Context, grids: bool = False, drill: bool = False) -> str:
    """The caption under a static map, as HTML of our labels (escaped; for st.caption with
    unsafe_allow_html): hover for figures, or tap on a touch screen; what the interactive map
    adds."""
    what = [ctx.t("mapview.do_grid")] if grids else []
    if drill:
        what.append(ctx.t("mapview.do_drill"))
    what.append(ctx.t("mapview.do_zoom"))
    said = (
        ctx.t("mapview.sep").join(what[:-1]) + ctx.t("mapview.last") + what[-1] if len(what) > 1 else what[0]
    )
    return (
        ui.phone.hover_or_tap(ctx, "mapview.hover", "mapview.tap")
        + " · "
        + html.escape(ctx.t("mapview.switch", what=said))
    )


@st.cache_data(show_spinner=False, max_entries=64, ttl=30 * 60)
def _svg(key: tuple, _build) -> str:
    return _build()


def static_map(ctx: ui.Context, kind: str, build, *extra) -> None:
    """Draw the SVG that `build()` makes (charts.svgmap), cached per data version, scope,
    language, `kind` and `extra` (what else the map depends on: community, zone, …) — the
    key must name everything `build` reads. Shown through Markdown: st.html's sanitiser
    drops SVG; every text in the SVG is escaped by charts.svgmap."""
    # Whose view too: a township's own user gets a map without the neighbours (ui.data), a
    # leader's map of the same township has them; one must never be served to the other.
    key = (kind, str(ui.store().root), ctx.version, ctx.scope, ctx.lang, ui.bound_township(), *extra)
    st.markdown(_svg(key, build), unsafe_allow_html=True)
