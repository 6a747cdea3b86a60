"""Static maps as inline SVG (issue 14 §2: "a static rendering"): the grid, branch and
checkpoint maps drawn from the frames the deck builders use, for a page to show on load at
the cost of a little markup instead of a WebGL map. Pure: no streamlit.

Equirectangular: x scaled by cos(latitude) so the county keeps its shape, fitted to the scope
as the decks are (maps.scope_view / fit_view) in a box of the deck's size, so one unit of the
viewBox is about one pixel on a 1366 px screen; a wider screen shows more around the scope.
Coordinates are rounded to a tenth of a unit. The colours are the decks' (maps.STATUS_COLOURS,
the grid, branch and checkpoint status colours); the legend is the page's (maps.legend_html).
Hover text comes from `<title>` elements (what the deck's tooltip shows).

Every text from data (names come from uploaded files) is escaped (`html.escape`), newlines
become character references: the SVG is one line inside a `<div>`, which Markdown keeps as
one raw HTML block (a blank line would end it), so it can be shown with
st.markdown(unsafe_allow_html=True) — st.html's sanitiser drops SVG.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .. import geo, i18n, places
from . import branches as branch_charts
from . import checkpoints as cp_charts
from . import grids as grid_charts
from . import maps

MARGIN = 0.06  # of the box on each side, as the decks keep ~12 % around the data
GRID_HEIGHT, BRANCH_HEIGHT, CP_HEIGHT = 540, 560, 480  # the decks' heights on the pages
BACKGROUND = "#f7f9fb"
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def esc(text) -> str:
    """Text from data for an attribute or element: escaped, quotes too, newlines as
    character references (the SVG stays one line)."""
    return html.escape("" if text is None else str(text), quote=True).replace("\r", "").replace("\n", "&#10;")


def rgb(colour: Iterable[int]) -> str:
    c = list(colour)
    return "#" + "".join(f"{int(v):02x}" for v in c[:3])


def _num(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


class Projection:
    """lon/lat -> x/y in a box of `size` (width, height) units, fitted to the given extent."""

    def __init__(self, lons, lats, size: tuple[int, int]):
        xs = np.asarray([float(v) for v in lons if v is not None and pd.notna(v)], float)
        ys = np.asarray([float(v) for v in lats if v is not None and pd.notna(v)], float)
        self.width, self.height = size
        if not len(xs) or not len(ys):
            xs, ys = np.array([99.3, 99.8]), np.array([22.0, 22.6])  # the county, roughly
        self.lat0 = (ys.min() + ys.max()) / 2
        self.cos = math.cos(math.radians(self.lat0))
        span_x = max((xs.max() - xs.min()) * self.cos, 1e-4)
        span_y = max(ys.max() - ys.min(), 1e-4)
        inner_w, inner_h = self.width * (1 - 2 * MARGIN), self.height * (1 - 2 * MARGIN)
        # units per degree of latitude; no closer than a few streets (a single point)
        self.k = min(inner_w / span_x, inner_h / span_y, 25000.0)
        self.cx, self.cy = (xs.min() + xs.max()) / 2, self.lat0

    def xy(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x = self.width / 2 + (np.asarray(lon, float) - self.cx) * self.cos * self.k
        y = self.height / 2 - (np.asarray(lat, float) - self.cy) * self.k
        return np.round(x, 1), np.round(y, 1)

    def centre(self) -> tuple[float, float]:
        return float(self.cx), float(self.cy)

    def px_per_m(self) -> float:
        return self.k / 111_320.0

    def deck_zoom(self) -> float:
        """The deck.gl zoom at which a degree spans as many pixels (for maps.townships_clear_of)."""
        return math.log2(max(self.k * 360 / 512, 1e-9))

    def path(self, rings: Iterable, close: bool = True) -> str:
        """SVG path data of rings ([[lon, lat], ...]); points that round to the same place as
        the one before are dropped."""
        out = []
        for ring in rings:
            if len(ring) < 2:
                continue
            a = np.asarray([p[:2] for p in ring], float)
            x, y = self.xy(a[:, 0], a[:, 1])
            keep = np.ones(len(x), bool)
            keep[1:] = (np.diff(x) != 0) | (np.diff(y) != 0)
            x, y = x[keep], y[keep]
            if len(x) < 2:
                continue
            pts = [f"{_num(px)} {_num(py)}" for px, py in zip(x, y, strict=False)]
            out.append("M" + "L".join(pts) + ("Z" if close else ""))
        return "".join(out)

    def polygon(self, geometry) -> str:
        g = maps._parse(geometry) or {}
        return self.path([ring for polygon in maps._rings(g) for ring in polygon])


def _text(x, y, label, size: int, colour: str = "#212121", weight: int | None = None) -> str:
    """A name with a white halo (drawn under the letters), centred on (x, y)."""
    bold = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" fill="{colour}"{bold} '
        f'stroke="#fff" stroke-width="3.5" stroke-linejoin="round" paint-order="stroke" '
        f'text-anchor="middle" dominant-baseline="central">{esc(label)}</text>'
    )


def _svg(proj: Projection, height: int, body: list[str], label: str) -> str:
    """The SVG in a div, one line: width 100 %, the deck's height; the viewBox keeps its
    shape (meet) and what lies around it shows on a wider screen."""
    return (
        f'<div class="svgmap" style="width:100%;height:{height}px;background:{BACKGROUND};'
        f'border-radius:0.5rem;overflow:hidden">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {proj.width} {proj.height}" '
        f'preserveAspectRatio="xMidYMid meet" width="100%" height="{height}" role="img" '
        f'aria-label="{esc(label)}" font-family="{FONT}" style="display:block">'
        + "".join(body)
        + "</svg></div>"
    )


def _base(
    proj: Projection,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    scope: str | None = None,
) -> tuple[list[str], list[str]]:
    """(under, over): township outlines (named on hover), the county's outline and the
    national border (dashed dark red) below the data; the border's name and the townships'
    names above it. `scope`: a township drawn brighter than the others."""
    towns, county, border = maps.split_geo(township_geo)
    names = places.township_names(townships, lang) if len(townships) else {}
    under = ['<g stroke="' + rgb(maps.OUTLINE) + '" stroke-width="1.2" stroke-linejoin="round">']
    fill = rgb(maps.TOWNSHIP_FILL)
    for fid, g in zip(towns["feature_id"], towns["geometry"], strict=False) if len(towns) else ():
        d = proj.polygon(g)
        if not d:
            continue
        # another township than the scope's: paler
        paint = 'fill="#e6e8ea"' if scope is not None and fid != scope else f'fill="{fill}"'
        under.append(f'<path d="{d}" {paint}><title>{esc(names.get(fid, fid))}</title></path>')
    under.append("</g>")
    for g in county["geometry"] if len(county) else ():
        d = proj.polygon(g)
        if d:
            under.append(
                f'<path d="{d}" fill="{"none" if len(towns) else fill}" stroke="{rgb(maps.COUNTY_LINE)}" '
                'stroke-width="2.5" stroke-linejoin="round" class="county-outline"/>'
            )
    over = []
    if len(border):
        lines = maps.line_rows(border["geometry"])
        d = proj.path(lines, close=False)
        name = maps.border_name(border["feature_id"].iloc[0], lang)
        under.append(f'<path d="{d}" fill="none" stroke="#fff" stroke-width="4.5"/>')
        under.append(
            f'<path d="{d}" fill="none" stroke="{rgb(maps.BORDER)}" stroke-width="3.2" '
            f'stroke-dasharray="9 5" class="border"><title>{esc(name)}</title></path>'
        )
        at = geo.nearest_on(list(border["geometry"]), *proj.centre())
        if at is not None:
            x, y = (float(v) for v in proj.xy(at[0], at[1]))
            # named where it is in view (the point of it nearest to the centre), else not
            if 0 <= x <= proj.width and 0 <= y <= proj.height:
                x = min(max(x, 70), proj.width - 70)
                y = min(max(y, 14), proj.height - 14)
                label = _text(x, y, name, 13, rgb(maps.BORDER), weight=700)
                over.append(label.replace("<text ", '<text class="border-name" ', 1))
    for r in townships.itertuples() if len(townships) else ():
        if pd.isna(r.lon) or pd.isna(r.lat):
            continue
        x, y = proj.xy(r.lon, r.lat)
        label = _text(x, y, names.get(r.township_id, r.township_id), 14)
        over.append(label.replace("<text ", '<text class="township-name" ', 1))
    return under, over


def _dots(
    proj: Projection,
    rows: pd.DataFrame,
    colours: list,
    titles: list,
    radius_m: float,
    rmin: float,
    rmax: float,
    cls: str,
) -> list[str]:
    r = min(max(radius_m * proj.px_per_m(), rmin), rmax)
    out = [f'<g class="{cls}" stroke="{rgb(maps.OUTLINE)}" stroke-width="1">']
    ok = rows["lon"].notna().to_numpy() & rows["lat"].notna().to_numpy() if len(rows) else []
    if len(rows):
        xs, ys = proj.xy(rows["lon"].astype(float).fillna(0), rows["lat"].astype(float).fillna(0))
        for i in range(len(rows)):
            if not ok[i]:
                continue
            out.append(
                f'<circle cx="{_num(xs[i])}" cy="{_num(ys[i])}" r="{_num(r)}" fill="{rgb(colours[i])}">'
                f"<title>{esc(titles[i])}</title></circle>"
            )
    out.append("</g>")
    return out


def scope_extent(township_geo: pd.DataFrame, township: str | None, lons=(), lats=()) -> tuple[list, list]:
    """The lon/lat extent maps.scope_view fits: the township's outline, or the county's (its
    outline, else every township's), with the points shown on it."""
    towns, county, _border = maps.split_geo(township_geo)
    if township is not None:
        shapes = towns[towns["feature_id"] == township] if len(towns) else towns
    else:
        shapes = county if len(county) else towns
    xs, ys = maps.geo_bounds(shapes)
    return [*xs, *[v for v in lons if pd.notna(v)]], [*ys, *[v for v in lats if pd.notna(v)]]


# ---------------------------------------------------------------- the three maps
def grid_svg(
    grids: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    size: tuple[int, int] = grid_charts.MAP_SIZE,
    height: int = GRID_HEIGHT,
    township: str | None = None,
) -> str:
    """grid_charts.grid_deck as SVG: grid outlines coloured by the visit rate against target
    (grey: no report), unstaffed grids outlined in violet, grids without an outline as dots,
    community or zone names; fitted to the grids shown."""
    codes = list(grid_charts.grid_status(grids)) if len(grids) else []
    titles = [grid_charts._tooltip(r, c, lang) for r, c in zip(grids.itertuples(), codes, strict=False)]
    colours = [maps.STATUS_COLOURS["none" if c == "not_reported" else c] for c in codes]
    has = grids["geometry"].notna().to_numpy() if len(grids) else np.array([], bool)
    outlined, dots = grids[has], grids[~has]
    lons, lats = maps.geo_bounds(outlined)
    lons, lats = [*lons, *dots["lon"].dropna()], [*lats, *dots["lat"].dropna()]
    if not lons:
        lons, lats = scope_extent(township_geo, township)
    proj = Projection(lons, lats, size)
    shown_towns = townships
    if lons and len(townships):
        inside = townships["lon"].between(min(lons), max(lons)) & townships["lat"].between(
            min(lats), max(lats)
        )
        shown_towns = maps.townships_clear_of(townships[~inside], lons, lats, proj.deck_zoom())
    under, over = _base(proj, township_geo, shown_towns, lang, scope=township)
    alpha = grid_charts.FILL_ALPHA / 255
    body = [*under, f'<g class="grids" stroke="#fff" stroke-width="0.5" fill-opacity="{alpha:.2f}">']
    violet = []
    staffed = grids["staffed"].astype(bool).tolist() if len(grids) else []
    for i, (g, ok) in enumerate(zip(grids["geometry"].tolist(), has, strict=False)):
        if not ok:
            continue
        d = proj.polygon(g)
        if not d:
            continue
        body.append(f'<path d="{d}" fill="{rgb(colours[i])}"><title>{esc(titles[i])}</title></path>')
        if not staffed[i]:
            violet.append(f'<path d="{d}"/>')
    body.append("</g>")
    if violet:
        body += [
            f'<g class="unstaffed" fill="none" stroke="{rgb(grid_charts.UNSTAFFED)}" stroke-width="2.5">',
            *violet,
            "</g>",
        ]
    if len(dots):
        idx = np.flatnonzero(~has)
        body += _dots(
            proj, dots, [colours[i] for i in idx], [titles[i] for i in idx], 40, 5, 30, "grid-points"
        )
    body += over
    for r in grid_charts._area_labels(grids).itertuples() if len(grids) else ():
        x, y = proj.xy(r.lon, r.lat)
        body.append(_text(x, y, r.label, 12).replace("<text ", '<text class="area-name" ', 1))
    return _svg(proj, height, body, i18n.t("grids.map", lang))


def rollup_svg(
    rollup: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    size: tuple[int, int] = grid_charts.MAP_SIZE,
    height: int = GRID_HEIGHT,
) -> str:
    """grid_charts.township_deck as SVG (past MAP_MAX_GRIDS): one dot per township at its
    seat, coloured by its grids' visit rate; the names are in the hover text only."""
    titles = grid_charts.rollup_tooltips(rollup, townships, lang)
    colours = [maps.status_colour(r.visit_rate, r.visit_target) for r in rollup.itertuples()]
    proj = Projection(rollup["lon"], rollup["lat"], size)
    under, over = _base(proj, township_geo, townships.iloc[:0], lang)
    body = [*under, *_dots(proj, rollup, colours, titles, 1500, 4, 16, "grid-townships"), *over]
    return _svg(proj, height, body, i18n.t("grids.map", lang))


def branch_svg(
    status: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    township: str | None = None,
    size: tuple[int, int] = (540, 560),
    height: int = BRANCH_HEIGHT,
) -> str:
    """branch_charts.branch_map as SVG: the branches coloured by status over the township
    outlines, fitted to the scope; hover: name, township, status, failed criteria."""
    points = branch_charts.branch_points(status, townships, lang)
    titles = [t.strip() for t in branch_charts.map_tooltips(points, lang)]
    proj = Projection(*scope_extent(township_geo, township, points["lon"], points["lat"]), size)
    under, over = _base(proj, township_geo, townships, lang, scope=township)
    dots = _dots(proj, points, [c[:3] for c in points["colour"]], titles, 300, 5, 14, "branches")
    return _svg(proj, height, [*under, *dots, *over], i18n.t("branches.map", lang))


def checkpoint_svg(
    status: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    target: float | None,
    township: str | None = None,
    size: tuple[int, int] = cp_charts.MAP_SIZE,
    height: int = CP_HEIGHT,
) -> str:
    """cp_charts.checkpoint_deck as SVG: checkpoints coloured by the week's coverage against
    the target, worst covered on top; fitted to the scope. status: map_rows() of
    checkpoint_status()."""
    shown = status.iloc[::-1]
    colours = [maps.status_colour(r, target) for r in shown["coverage_rate"]]
    titles = [cp_charts._tooltip(r, lang) for r in shown.itertuples()]
    proj = Projection(*scope_extent(township_geo, township, shown["lon"], shown["lat"]), size)
    towns = (
        maps.townships_clear_of(townships, shown["lon"], shown["lat"], proj.deck_zoom())
        if len(shown)
        else townships
    )
    under, over = _base(proj, township_geo, towns, lang, scope=township)
    dots = _dots(proj, shown, colours, titles, 45, 6, 30, "checkpoints")
    return _svg(proj, height, [*under, *dots, *over], i18n.t("cp.map", lang))
