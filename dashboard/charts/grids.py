"""Grid coverage page: the grid map, one grid's visit history, the grid table. Pure builders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from .. import i18n, places
from . import common, maps

GRID_LAYER, POINT_LAYER = "grids", "grid-points"  # layers whose clicks pick a grid
UNSTAFFED = [106, 27, 154]  # violet outline: no member assigned
UNSTAFFED_ON_DARK = [224, 64, 251]  # the same, bright enough for a dark map
FILL_ALPHA = 215
MAP_SIZE = (560, 540)  # the map's size on a 1366 px screen, to fit the view to
# Past this many grids in view (a province, not a county: 600+ grids here) the map shows one
# dot per township and the picker gives way to a note: tens of thousands of outlines are
# neither readable nor quick to send to a browser.
MAP_MAX_GRIDS = 3000
# Most serious first: the table lists grids in this order.
STATUS_ORDER = ("not_reported", "short", "close", "none", "met")


def grid_status(grids: pd.DataFrame) -> pd.Series:
    """Per grid: "not_reported", else the map status of its visit rate against its target
    ("met", "close", "short", or "none" for a grid without households)."""
    codes = maps.statuses(grids["visit_rate"], grids["visit_target"])
    codes[~grids["reported"].astype(bool).to_numpy()] = "not_reported"
    return pd.Series(codes, index=grids.index, dtype=object)


def _status_label(code: str, lang: str) -> str:
    return i18n.t(
        "grids.status.none"
        if code == "not_reported"
        else "map.none"
        if code == "none"
        else f"grids.status.{code}",
        lang,
    )


def view_target(grids: pd.DataFrame) -> float | None:
    """The visit-rate target of the grids shown, when they share one (for the legend)."""
    targets = grids["visit_target"].dropna().unique() if len(grids) else []
    return float(targets[0]) if len(targets) == 1 else None


def legend(grids: pd.DataFrame, lang: str) -> list[tuple]:
    """Legend items of the grid map: the three rate colours, not reported, unstaffed."""
    items = maps.legend_items(lang, view_target(grids))[:3]
    return [
        *items,
        (i18n.t("grids.not_reported", lang), maps.NEUTRAL),
        (i18n.t("grids.unstaffed", lang), UNSTAFFED, True),
    ]


def _tooltip(r, code: str, lang: str) -> str:
    text = i18n.t(
        "grids.tooltip",
        lang,
        name=r.name,
        zone=r.zone_name or "",
        rate=i18n.fmt_rate(r.visit_rate, lang),
        visited=i18n.fmt_int(r.households_visited),
        households=i18n.fmt_int(r.households),
        members=i18n.fmt_int(r.members),
        status=_status_label(code, lang),
    )
    if not r.staffed:
        text += " · " + i18n.t("grids.status.unstaffed", lang)
    return text


def _area_labels(grids: pd.DataFrame) -> pd.DataFrame:
    """Names to print on the map: the communities when several are shown, else the zones."""
    for key, name in (("community_id", "community_name"), ("zone_id", "zone_name")):
        if grids[key].nunique() > 1:
            return (
                grids.groupby([key, name], sort=False)[["lon", "lat"]]
                .mean()
                .reset_index()
                .rename(columns={name: "label"})
            )
    return pd.DataFrame(columns=["label", "lon", "lat"])


def grid_deck(
    grids: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    theme: maps.MapTheme = maps.LIGHT,
    size: tuple[int, int] = MAP_SIZE,
    drill: bool = False,
) -> pdk.Deck:
    """Grid outlines coloured by this week's visit rate against target (grey: no report),
    unstaffed grids outlined in violet, community or zone names on top, township outlines and
    names below. Grids without an outline are drawn as dots. The view fits the grids in a
    map of `size` pixels. `drill`: townships can be clicked (maps.clicked_township)."""
    unstaffed_colour = UNSTAFFED_ON_DARK if theme.dark else UNSTAFFED
    codes = grid_status(grids)
    shown = grids.assign(
        colour=[[*maps.STATUS_COLOURS["none" if c == "not_reported" else c], FILL_ALPHA] for c in codes],
        tooltip=[_tooltip(r, c, lang) for r, c in zip(grids.itertuples(), codes, strict=False)],
    )[["grid_id", "name", "lon", "lat", "geometry", "colour", "tooltip", "staffed"]]
    outlined = shown[shown["geometry"].notna()]
    dots = shown[shown["geometry"].isna()]
    layers = [
        maps.polygons_layer(
            outlined.drop(columns=["staffed"]), GRID_LAYER, line_colour=[255, 255, 255], line_width_px=0.5
        )
    ]
    unstaffed = outlined[~outlined["staffed"].astype(bool)]
    if len(unstaffed):
        layers.append(
            maps.polygons_layer(
                unstaffed[["grid_id", "geometry"]],
                "grids-unstaffed",
                pickable=False,
                filled=False,
                line_colour=unstaffed_colour,
                line_width_px=3,
            )
        )
    if len(dots):
        layers.append(maps.points_layer(dots.drop(columns=["geometry", "staffed"]), POINT_LAYER, radius=40))
    layers.append(maps.labels_layer(_area_labels(grids), "area-names", size=13, theme=theme))
    lons, lats = maps.geo_bounds(outlined)
    lons, lats = [*lons, *dots["lon"]], [*lats, *dots["lat"]]
    focus = maps.fit_view(lons, lats, width=size[0], height=size[1])
    # A township's name placed among or next to the grids would sit half hidden under them.
    if focus is not None and lons:
        inside = townships["lon"].between(min(lons), max(lons)) & townships["lat"].between(
            min(lats), max(lats)
        )
        townships = maps.townships_clear_of(townships[~inside], lons, lats, focus[2])
    return maps.county_deck(
        township_geo,
        townships,
        layers,
        lang,
        focus=focus,
        tooltip={"text": "{tooltip}"},
        theme=theme,
        drill=drill,
    )


def unreported(grids: pd.DataFrame) -> tuple[list[str], int]:
    """(township_ids, grids) of grid_list() rows whose township sent no grid report for the
    week (未报)."""
    if "township_reported" not in grids:
        return [], 0
    rows = grids[~grids["township_reported"].astype(bool)]
    return sorted(set(rows["township_id"])), len(rows)


def township_rollup(grids: pd.DataFrame, townships: pd.DataFrame) -> pd.DataFrame:
    """The grids in view per township, for the map past MAP_MAX_GRIDS: township_id, name,
    name_en, lon, lat (the township seat), grids, staffed, reported, households,
    households_visited, visit_rate (NaN without households), visit_target (when its grids
    share one)."""
    per = grids.assign(staffed=grids["staffed"].astype(bool), reported=grids["reported"].astype(bool))
    agg = per.groupby("township_id", sort=True).agg(
        grids=("grid_id", "size"),
        staffed=("staffed", "sum"),
        reported=("reported", "sum"),
        households=("households", "sum"),
        households_visited=("households_visited", "sum"),
        targets=("visit_target", "nunique"),
        visit_target=("visit_target", "first"),
    )
    agg["visit_target"] = agg["visit_target"].where(agg.pop("targets") <= 1)
    agg["visit_rate"] = (agg["households_visited"] / agg["households"]).where(agg["households"] > 0)
    places = townships.set_index("township_id")[["name", "name_en", "lon", "lat"]]
    return places.join(agg, how="inner").reset_index()


def rollup_tooltips(rollup: pd.DataFrame, townships: pd.DataFrame, lang: str) -> list[str]:
    """The hover text of each township_rollup row: name, grids, visit rate, staffed, reported."""
    names = places.township_names(townships, lang)
    return [
        i18n.t(
            "grids.township_tooltip",
            lang,
            name=names.get(r.township_id),
            grids=i18n.fmt_int(r.grids),
            rate=i18n.fmt_rate(r.visit_rate, lang),
            staffed=i18n.fmt_int(r.staffed),
            reported=i18n.fmt_int(r.reported),
        )
        for r in rollup.itertuples()
    ]


def township_deck(
    rollup: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    theme: maps.MapTheme = maps.LIGHT,
    size: tuple[int, int] = MAP_SIZE,
) -> pdk.Deck:
    """One dot per township at its seat, coloured by its grids' visit rate against target (the
    colours of grid_deck), on the township outlines. For views with more than MAP_MAX_GRIDS."""
    shown = rollup.assign(
        colour=[[*maps.status_colour(r.visit_rate, r.visit_target), FILL_ALPHA] for r in rollup.itertuples()],
        tooltip=rollup_tooltips(rollup, townships, lang),
    )[["township_id", "lon", "lat", "colour", "tooltip"]]
    layer = maps.points_layer(shown, "grid-townships", radius=1500, min_pixels=4, max_pixels=16)
    focus = maps.fit_view(shown["lon"], shown["lat"], width=size[0], height=size[1])
    # Names of hundreds of townships would cover each other: the tooltips carry them.
    return maps.county_deck(
        township_geo,
        townships.iloc[:0],
        [layer],
        lang,
        focus=focus,
        tooltip={"text": "{tooltip}"},
        theme=theme,
    )


def clicked_grid(event) -> str | None:
    """The grid_id clicked on the grid map, if any."""
    for layer in (GRID_LAYER, POINT_LAYER):
        for obj in maps.selected(event, layer):
            if obj.get("grid_id"):
                return obj["grid_id"]
    return None


def place_text(row) -> str:
    """Where a grid sits, for its detail panel (markdown, names escaped): community · zone ·
    unit in charge."""
    parts = (row["community_name"], row["zone_name"], row["unit_name"])
    return " · ".join(i18n.md_escape(v) for v in parts if isinstance(v, str) and v)


def visit_history(history: pd.DataFrame, lang: str, target: float | None) -> go.Figure:
    """One grid's weekly visit rate, weeks without a report marked with a red cross."""
    fig = go.Figure()
    fig.add_scatter(
        x=history["week_start"],
        y=history["visit_rate"],
        mode="lines+markers",
        name=i18n.t("col.visit_rate", lang),
        line=dict(color=common.SERIES[1], width=3),
        customdata=list(zip(history["households_visited"], history["households"], strict=False)),
        hovertemplate="%{x|%Y-%m-%d}: %{y:.1%} (%{customdata[0]} / %{customdata[1]})<extra></extra>",
    )
    missing = history[~history["reported"].astype(bool)]
    if len(missing):
        fig.add_scatter(
            x=missing["week_start"],
            y=[0] * len(missing),
            mode="markers",
            name=i18n.t("grids.not_reported", lang),
            marker=dict(symbol="x", size=12, color=common.BAD),
            hovertemplate="%{x|%Y-%m-%d}: " + i18n.t("grids.not_reported", lang) + "<extra></extra>",
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line_dash="dot",
            line_color=common.GOOD,
            annotation_text=i18n.t("grids.target_line", lang, target=i18n.fmt_rate(target, lang, digits=0)),
            annotation_position="bottom right",
            annotation_font_color=common.GOOD,
        )
    fig.update_xaxes(tickformat="%m-%d", gridcolor="#f0f0f0")
    return common.rate_axis(common.base_layout(fig, height=280, legend=len(missing) > 0))


# ---------------------------------------------------------------- tables and sentences
TABLE = (
    ("name", "col.grid"),
    ("status", "col.status"),
    ("visit_rate", "col.visit_rate"),
    ("households_visited", "col.visited"),
    ("households", "col.households"),
    ("members", "col.members"),
    ("reported", "col.reported"),
    ("zone_name", "col.zone"),
    ("community_name", "col.community"),
    ("unit_name", "col.unit"),
    ("grid_id", "col.grid_id"),
)
ATTENTION = ("col.grid", "col.status")


def grid_table(grids: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The grids as a table with labelled columns, most serious first (no report, below
    target, close, ...), lowest visit rate first within each."""
    codes = grid_status(grids)
    rank = codes.map({c: i for i, c in enumerate(STATUS_ORDER)})
    labels = codes.map({c: _status_label(c, lang) for c in STATUS_ORDER})
    unstaffed = " · " + i18n.t("grids.status.unstaffed", lang)
    df = grids.assign(
        status=labels.where(grids["staffed"].astype(bool), labels + unstaffed),
        reported=np.where(grids["reported"].astype(bool), i18n.t("yes", lang), i18n.t("no", lang)),
        _rank=rank,
    )
    df = df.sort_values(["_rank", "visit_rate", "grid_id"], na_position="first")
    return pd.DataFrame({i18n.t(key, lang): df[col].to_numpy() for col, key in TABLE})


def attention_table(grids: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The grids not on target (no report, below or close to target, no household data, no
    member assigned), most serious first, as grid_table() rows: grid and status."""
    needs = (grid_status(grids) != "met") | ~grids["staffed"].astype(bool)
    table = grid_table(grids[needs], lang)
    return table[[i18n.t(k, lang) for k in ATTENTION]]


def no_grids_text(areas: pd.DataFrame, townships: pd.DataFrame, township_name: str, lang: str) -> str:
    """The sentence (markdown, names escaped) shown for a township without grids: where the
    county's grids are. areas: grid_areas() of the whole county."""
    if not len(areas):
        return i18n.t("grids.none_loaded", lang)
    names = places.township_names(townships, lang)
    where = ("、" if lang == "zh" else ", ").join(
        i18n.md_escape(names.get(t, t)) for t in dict.fromkeys(areas["township_id"])
    )
    return i18n.t(
        "grids.none_here",
        lang,
        township=i18n.md_escape(township_name),
        where=where,
        n=areas["community_id"].nunique(),
    )
