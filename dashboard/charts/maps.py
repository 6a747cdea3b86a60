"""Pure pydeck builders for the maps: township outlines as the base, layers on top. No streamlit.

Offline by construction: every deck has `map_provider=None` and no `map_style`, so no basemap
tile, style or font is fetched from outside (`map_style=None` would make Streamlit fetch one).
Every layer has an `id`, which `st.pydeck_chart(on_select=...)` uses to report clicks.

pydeck reads a plain string argument as a JavaScript expression; string constants are
therefore passed quoted ("'auto'").
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings import json_tools

from .. import geo, i18n, places
from ..kpis import TOLERANCE
from . import common


class Deck(pdk.Deck):
    """A pdk.Deck whose JSON is compact: pydeck indents it and escapes every Chinese character
    (six bytes for three), which makes a map of thousands of named points several times larger
    to send to the browser. Same content, same keys."""

    def to_json(self) -> str:
        return json.dumps(
            self,
            sort_keys=True,
            default=json_tools.default_serialize,
            ensure_ascii=False,
            separators=(",", ":"),
        )


def _rgb(hex_colour: str) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)]


# RGB of the shared status colours (common.GOOD / WARN / BAD / NEUTRAL).
GOOD, WARN, BAD, NEUTRAL = (_rgb(c) for c in (common.GOOD, common.WARN, common.BAD, common.NEUTRAL))
OUTLINE = [84, 84, 84]
TOWNSHIP_FILL = [241, 237, 228, 255]
LABEL = [33, 33, 33]
BORDER = [139, 0, 0]  # the national border: dashed dark red
COUNTY_LINE = [55, 55, 55]  # the county's outline, darker and wider than the townships'
CLOSE = 0.1  # within 10 percentage points of the target counts as "close"
STATUSES = ("met", "close", "short", "none")
STATUS_COLOURS = {"met": GOOD, "close": WARN, "short": BAD, "none": NEUTRAL}


@dataclass(frozen=True)
class MapTheme:
    """The base map's colours and label size: LIGHT for the pages, DARK for the meeting screen."""

    township_fill: tuple
    outline: tuple
    label: tuple
    label_background: tuple
    label_scale: float = 1.0
    dark: bool = False


LIGHT = MapTheme(tuple(TOWNSHIP_FILL), tuple(OUTLINE), tuple(LABEL), (255, 255, 255, 215))
# Dots are small: on a dark map they take brighter status colours than areas do.
DOTS_ON_DARK = {
    "met": [102, 187, 106],
    "close": [255, 202, 40],
    "short": [239, 83, 80],
    "none": [176, 190, 197],
}
# Slate townships under pale outlines, white names on black: the status colours stay the
# brightest things on a dark screen, and names read from the back of a room.
DARK = MapTheme(
    (38, 50, 56, 255), (176, 190, 197), (255, 255, 255), (0, 0, 0, 190), label_scale=1.9, dark=True
)

# The county's extent when there is no outline to fit (Menglian, Yunnan).
_COUNTY_VIEW = (99.55, 22.33, 9.2)
_FONT = "'Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif'"


# ---------------------------------------------------------------- status colours
def status(rate, target, close: float = CLOSE) -> str:
    """ "met" (rate >= target), "close" (within `close` of it), "short", or "none" (no rate)."""
    if rate is None or target is None or pd.isna(rate):
        return "none"
    if rate >= target - TOLERANCE:
        return "met"
    if rate >= target - close - TOLERANCE:
        return "close"
    return "short"


def statuses(rates, targets, close: float = CLOSE) -> np.ndarray:
    """status() of many rates at once (targets: one per rate, or one for all): an array of
    codes, the same as [status(r, t) for r, t in zip(rates, targets)], without a Python loop."""
    r = pd.to_numeric(pd.Series(rates, dtype=object), errors="coerce").to_numpy(float)
    t = np.broadcast_to(
        pd.to_numeric(pd.Series(np.atleast_1d(np.asarray(targets, dtype=object))), errors="coerce").to_numpy(
            float
        ),
        r.shape,
    )
    with np.errstate(invalid="ignore"):
        out = np.where(
            r >= t - TOLERANCE, "met", np.where(r >= t - close - TOLERANCE, "close", "short")
        ).astype(object)
    out[np.isnan(r) | np.isnan(t)] = "none"
    return out


def status_colour(rate, target, close: float = CLOSE) -> list[int]:
    """[r, g, b]: green when the target is met, amber when close, red when short, grey without
    a rate."""
    return list(STATUS_COLOURS[status(rate, target, close)])


def legend_items(lang: str, target: float | None = None, close: float = CLOSE) -> list[tuple[str, list[int]]]:
    """(label, [r, g, b]) for each status, in the order of STATUSES; with a target the labels
    give the thresholds ("达标（≥90%）")."""
    if target is None:
        labels = [i18n.t(f"map.{s}", lang) for s in STATUSES]
    else:
        t_text = i18n.fmt_rate(target, lang, digits=0)
        low = i18n.fmt_rate(max(target - close, 0), lang, digits=0)
        labels = [
            i18n.t("map.met_at", lang, target=t_text),
            i18n.t("map.close_at", lang, low=low, target=t_text),
            i18n.t("map.short_at", lang, low=low),
            i18n.t("map.none", lang),
        ]
    return [(label, list(STATUS_COLOURS[s])) for label, s in zip(labels, STATUSES, strict=False)]


def legend_html(items: Iterable[tuple[str, list[int]]], outline: Iterable[int] | None = None) -> str:
    """A one-line legend of coloured squares for st.markdown(unsafe_allow_html=True).

    Labels are escaped here; colours are numbers. Items with `outline` set draw a hollow square
    of that colour (e.g. unstaffed grids)."""
    parts = []
    for item in items:
        label, colour = item[0], item[1]
        hollow = len(item) > 2 and item[2]
        rgb = ",".join(str(int(c)) for c in list(colour)[:3])
        box = f"border:3px solid rgb({rgb});background:transparent" if hollow else f"background:rgb({rgb})"
        parts.append(
            '<span style="display:inline-flex;align-items:center;margin-right:1.1em;'
            'white-space:nowrap">'
            f'<span style="display:inline-block;width:0.95em;height:0.95em;{box};'
            'border-radius:2px;margin-right:0.35em"></span>'
            f"{html.escape(str(label))}</span>"
        )
    return '<div style="line-height:1.9;font-size:0.95rem">' + "".join(parts) + "</div>"


# ---------------------------------------------------------------- geometry and views
def _rings(geometry: dict) -> list[list]:
    """The polygons (each a list of rings) of a GeoJSON Polygon or MultiPolygon."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _parse(geometry) -> dict | None:
    if geometry is None or (isinstance(geometry, float) and math.isnan(geometry)):
        return None
    if isinstance(geometry, dict):
        return geometry
    try:
        return json.loads(geometry)
    except (TypeError, ValueError):
        return None


def fit_view(
    lons: Iterable[float],
    lats: Iterable[float],
    width: int = 900,
    height: int = 520,
    min_zoom: float = 5,
    max_zoom: float = 16,
) -> tuple[float, float, float] | None:
    """(lon, lat, zoom) that shows all the points in a width x height map; None for none."""
    pts = [
        (float(x), float(y))
        for x, y in zip(lons, lats, strict=False)
        if x is not None and y is not None and not (math.isnan(float(x)) or math.isnan(float(y)))
    ]
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]

    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(max(xs) - min(xs), 1e-4)
    span_y = max(abs(merc(max(ys)) - merc(min(ys))), 1e-6)
    # deck.gl's world is 512 px wide at zoom 0; keep a margin of ~12% around the data.
    zx = math.log2(width * 0.88 * 360 / (512 * span_x))
    zy = math.log2(height * 0.88 * 2 * math.pi / (512 * span_y))
    zoom = max(min_zoom, min(max_zoom, zx, zy))
    cy = math.degrees(2 * math.atan(math.exp((merc(max(ys)) + merc(min(ys))) / 2)) - math.pi / 2)
    return ((max(xs) + min(xs)) / 2, cy, round(zoom, 2))


def geo_bounds(geo: pd.DataFrame, geometry_column: str = "geometry") -> tuple[list, list]:
    """Longitudes and latitudes of every vertex of the outlines, for fit_view()."""
    lons, lats = [], []
    for g in geo[geometry_column] if len(geo) else []:
        for polygon in _rings(_parse(g) or {}):
            for ring in polygon:
                for x, y, *_ in ring:
                    lons.append(x)
                    lats.append(y)
    return lons, lats


def split_geo(township_geo: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(township outlines, county outline, border lines) of what metrics.geo_features(con,
    "townships") gives: the township layer comes with the county's outline and the national
    border when the county loaded them (column `layer`)."""
    if not len(township_geo) or "layer" not in township_geo.columns:
        empty = township_geo.iloc[:0]
        return township_geo, empty, empty
    layer = township_geo["layer"]
    return (
        township_geo[~layer.isin(["county", "border"])],
        township_geo[layer == "county"],
        township_geo[layer == "border"],
    )


def scope_view(
    township_geo: pd.DataFrame,
    township: str | None,
    lons: Iterable[float] = (),
    lats: Iterable[float] = (),
    size: tuple[int, int] = (900, 520),
    max_zoom: float = 14.5,
) -> tuple[float, float, float] | None:
    """(lon, lat, zoom) showing the whole scope in a map of `size` pixels (its size on a
    1366 px screen: a wider screen shows more around it): the township's outline, or the
    county's (its outline, else all township outlines), with the points shown on it."""
    towns, county, _border = split_geo(township_geo)
    if township is not None:
        shapes = towns[towns["feature_id"] == township] if len(towns) else towns
    else:
        shapes = county if len(county) else towns
    xs, ys = geo_bounds(shapes)
    xs, ys = [*xs, *lons], [*ys, *lats]
    return fit_view(xs, ys, width=size[0], height=size[1], max_zoom=max_zoom)


def clicked_township(event) -> str | None:
    """The township clicked on a county map drawn with county_deck(drill=True), if any."""
    for obj in selected(event, "townships"):
        if obj.get("township_id"):
            return obj["township_id"]
    return None


def border_name(feature_id: str, lang: str) -> str:
    """The border's name on the map, by the neighbouring country's ISO3 code (a demo copy's
    id carries a prefix): 中缅边境 / China–Myanmar border; 国界 / National border otherwise."""
    code = str(feature_id).rsplit("-", 1)[-1].upper()
    key = f"geo.border.{code}"
    return i18n.t(key if key in i18n.LABELS else "geo.border", lang)


def line_rows(geometries) -> list[list]:
    """[[lon, lat], ...] paths of GeoJSON LineString/MultiLineString text or dicts."""
    out = []
    for g in geometries:
        g = _parse(g) or {}
        if g.get("type") == "LineString":
            out.append(g["coordinates"])
        elif g.get("type") == "MultiLineString":
            out.extend(g["coordinates"])
    return out


def border_layers(
    border: pd.DataFrame, lang: str, centre: tuple[float, float] | None, theme: MapTheme
) -> list[pdk.Layer]:
    """The national border as a dashed dark-red line, and its name placed on the line at the
    point nearest to the view's centre (so a township view names it too)."""
    if not len(border):
        return []
    dark = theme.dark
    colour = [229, 115, 115] if dark else BORDER
    paths = [{"path": p} for p in geo.dashes(list(border["geometry"]), dash_km=2.0, gap_km=1.2)]
    # A pale band under the dashes hides the county's outline there, so the gaps read as gaps.
    halo = [{"path": p} for p in line_rows(border["geometry"])]
    layers = [
        pdk.Layer(
            "PathLayer",
            id="border-halo",
            data=halo,
            get_path="path",
            get_color=list(theme.township_fill[:3]) if dark else [255, 255, 255],
            get_width=4 * theme.label_scale**0.5,
            width_units="'pixels'",
            pickable=False,
        ),
        pdk.Layer(
            "PathLayer",
            id="border",
            data=paths,
            get_path="path",
            get_color=colour,
            get_width=3.5 * theme.label_scale**0.5,
            width_units="'pixels'",
            cap_rounded=False,
            pickable=False,
        ),
    ]
    if centre is not None:
        at = geo.nearest_on(list(border["geometry"]), *centre)
        if at is not None:
            label = pd.DataFrame(
                {"label": [border_name(border["feature_id"].iloc[0], lang)], "lon": [at[0]], "lat": [at[1]]}
            )
            layers.append(
                pdk.Layer(
                    "TextLayer",
                    id="border-name",
                    data=_records(label),
                    get_position=["lon", "lat"],
                    get_text="label",
                    get_size=round(13 * theme.label_scale),
                    get_color=colour,
                    size_units="'pixels'",
                    character_set="'auto'",
                    font_family=_FONT,
                    font_weight=700,
                    get_text_anchor="'middle'",
                    get_alignment_baseline="'center'",
                    background=True,
                    get_background_color=list(theme.label_background),
                    background_padding=[4, 2],
                    pickable=False,
                )
            )
    return layers


def townships_clear_of(
    townships: pd.DataFrame, lons: Iterable[float], lats: Iterable[float], zoom: float, pixels: float = 60
) -> pd.DataFrame:
    """The townships whose label point has none of the given points within `pixels` on a map
    at `zoom` (a name drawn under a cluster of dots or grids would be half hidden)."""
    pts = [(float(x), float(y)) for x, y in zip(lons, lats, strict=False) if pd.notna(x) and pd.notna(y)]
    if not pts or not len(townships):
        return townships
    distance = pixels * 360 / (512 * 2**zoom)
    keep = [
        all(abs(x - tx) > distance or abs(y - ty) > distance / 2 for x, y in pts)
        for tx, ty in zip(townships["lon"], townships["lat"], strict=False)
    ]
    return townships[keep]


def _records(df: pd.DataFrame, drop: Iterable[str] = ()) -> list[dict]:
    """JSON-safe rows: NaN/NA as None, numpy scalars as Python values, dates as text."""
    out = []
    cols = [c for c in df.columns if c not in set(drop)]
    for row in df[cols].itertuples(index=False, name=None):
        rec = {}
        for col, v in zip(cols, row, strict=False):
            if isinstance(v, (list, tuple)):
                rec[col] = [(x.item() if hasattr(x, "item") else x) for x in v]
                continue
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                rec[col] = None
            elif hasattr(v, "isoformat"):
                rec[col] = v.isoformat()
            elif hasattr(v, "item"):
                rec[col] = v.item()
            else:
                rec[col] = v
        out.append(rec)
    return out


# ---------------------------------------------------------------- layers
def points_layer(
    df: pd.DataFrame,
    layer_id: str,
    lon: str = "lon",
    lat: str = "lat",
    colour_column: str = "colour",
    radius: float = 60,
    pickable: bool = True,
    min_pixels: float = 5,
    max_pixels: float = 30,
) -> pdk.Layer:
    """A ScatterplotLayer of df's rows at (lon, lat), filled with the [r, g, b(, a)] list in
    `colour_column`, radius in metres (never smaller than `min_pixels` on screen), dark rim."""
    data = df[df[lon].notna() & df[lat].notna()] if len(df) else df
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=_records(data),
        get_position=[lon, lat],
        get_fill_color=colour_column,
        get_line_color=OUTLINE,
        get_radius=radius,
        radius_units="'meters'",
        radius_min_pixels=min_pixels,
        radius_max_pixels=max_pixels,
        stroked=True,
        line_width_min_pixels=1,
        pickable=pickable,
        auto_highlight=pickable,
    )


def polygons_layer(
    df: pd.DataFrame,
    layer_id: str,
    geometry_column: str = "geometry",
    colour_column: str = "colour",
    pickable: bool = True,
    *,
    filled: bool = True,
    line_colour: Iterable[int] = OUTLINE,
    line_width_px: float = 1,
) -> pdk.Layer:
    """A PolygonLayer of df's outlines (GeoJSON Polygon/MultiPolygon text or dicts in
    `geometry_column`), filled with `colour_column`. A MultiPolygon gives one polygon per part,
    each carrying the row's other columns; rows without an outline are left out."""
    rows = []
    records = _records(df, drop=[geometry_column]) if len(df) else []
    geoms = list(df[geometry_column]) if len(df) else []
    for rec, g in zip(records, geoms, strict=False):
        for polygon in _rings(_parse(g) or {}):
            rows.append({**rec, "polygon": polygon})
    return pdk.Layer(
        "PolygonLayer",
        id=layer_id,
        data=rows,
        get_polygon="polygon",
        get_fill_color=colour_column if filled else [0, 0, 0, 0],
        filled=filled,
        stroked=True,
        get_line_color=list(line_colour),
        get_line_width=line_width_px,
        line_width_units="'pixels'",
        pickable=pickable,
        auto_highlight=pickable and filled,
    )


def labels_layer(
    df: pd.DataFrame,
    layer_id: str,
    text_column: str = "label",
    lon: str = "lon",
    lat: str = "lat",
    size: int = 14,
    theme: MapTheme = LIGHT,
) -> pdk.Layer:
    """Place names on a box (white on the pages; Chinese needs character_set 'auto');
    `size` is scaled by the theme's label_scale."""
    return pdk.Layer(
        "TextLayer",
        id=layer_id,
        data=_records(df[[text_column, lon, lat]]) if len(df) else [],
        get_position=[lon, lat],
        get_text=text_column,
        get_size=round(size * theme.label_scale),
        get_color=list(theme.label),
        size_units="'pixels'",
        character_set="'auto'",
        font_family=_FONT,
        get_text_anchor="'middle'",
        get_alignment_baseline="'center'",
        background=True,
        get_background_color=list(theme.label_background),
        background_padding=[4, 2],
        pickable=False,
    )


# ---------------------------------------------------------------- the county base map
def county_deck(
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    layers: list,
    lang: str,
    focus: tuple[float, float, float] | None = None,
    tooltip: dict | None = None,
    theme: MapTheme = LIGHT,
    drill: bool = False,
) -> pdk.Deck:
    """Township outlines (light fill, dark outline), the county's outline, the national
    border (dashed dark red, named) and township names as the base, `layers` on top.

    township_geo: feature_id, geometry (GeoJSON text)(, layer), as from
    metrics.geo_features(con, "townships") (with the county and border rows when loaded);
    townships: township_id, name, name_en, lon, lat. The view fits the county, or is `focus`
    = (lon, lat, zoom). `tooltip` is a pydeck tooltip; use {"text": ...} (not "html") so that
    names from uploaded files are shown as text. With `drill` the townships can be clicked
    (layer "townships", see clicked_township(); their tooltip field is their name).
    """
    township_geo, county, border = split_geo(township_geo)
    names = {}
    if len(townships):
        names = places.township_names(townships, lang)
    outlines = pd.DataFrame(
        {
            "township_id": list(township_geo["feature_id"]) if len(township_geo) else [],
            "name": [names.get(f, f) for f in township_geo["feature_id"]] if len(township_geo) else [],
            "geometry": list(township_geo["geometry"]) if len(township_geo) else [],
            "colour": [list(theme.township_fill)] * len(township_geo),
        }
    )
    outlines["tooltip"] = [f"{n}\n{i18n.t('geo.county_hint', lang)}" for n in outlines["name"]]
    base = polygons_layer(outlines, "townships", pickable=drill, line_colour=theme.outline, line_width_px=1.5)
    county_fill = [0, 0, 0, 0] if len(township_geo) else list(theme.township_fill)
    county_layer = polygons_layer(
        county.assign(colour=[county_fill] * len(county)),
        "county",
        pickable=False,
        line_colour=theme.label if theme.dark else COUNTY_LINE,
        line_width_px=2.5,
    )
    label_rows = pd.DataFrame(
        {
            "label": [names[r.township_id] for r in townships.itertuples()] if len(townships) else [],
            "lon": list(townships["lon"]) if len(townships) else [],
            "lat": list(townships["lat"]) if len(townships) else [],
        }
    )
    labels = labels_layer(label_rows, "township-names", size=15, theme=theme)

    if focus is None:
        lons, lats = geo_bounds(pd.concat([township_geo, county]))
        focus = fit_view(lons, lats) or fit_view(label_rows["lon"], label_rows["lat"]) or _COUNTY_VIEW
    lon, lat, zoom = focus
    return Deck(
        layers=[base, county_layer, *border_layers(border, lang, (lon, lat), theme), labels, *layers],
        initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom, pitch=0, bearing=0),
        views=[pdk.View(type="MapView", controller=True)],
        map_provider=None,
        tooltip=tooltip if tooltip is not None else False,
    )


def selected(event, layer_id: str) -> list[dict]:
    """The objects of `layer_id` clicked on an st.pydeck_chart(on_select="rerun") map."""
    try:
        objects = event["selection"]["objects"]
    except (KeyError, TypeError, AttributeError):
        return []
    return list(objects.get(layer_id) or [])
