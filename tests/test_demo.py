"""The demo county: deterministic, complete, and valid under every contract rule.

Reads the generated files with csv/json only (independent of the loader).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from shapely import unary_union
from shapely.geometry import Point, shape

from dashboard import contract, geo
from dashboard import demo as demo_mod
from dashboard.contract import TABLES
from dashboard.demo import LAST_WEEK, generate

DATE_RE = re.compile(r"\d{4}-\d\d-\d\d$")
TS_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d$")
WEEK_END = LAST_WEEK + timedelta(days=6)  # 2022-01-02


def read(d, table):
    with open(d / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def header(d, table):
    with open(d / f"{table}.csv", encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo1")
    counts = generate(d)
    return d, counts


@pytest.fixture(scope="module")
def demo2(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo2")
    counts = generate(d, scale=2)
    return d, counts


def test_byte_identical(demo, tmp_path):
    d, counts = demo
    again = generate(tmp_path)
    assert again == counts
    names = sorted(p.name for p in d.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == len(TABLES) + len(contract.GEO_LAYERS)
    for name in names:
        assert (d / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_other_seed_differs(demo, tmp_path):
    d, _ = demo
    generate(tmp_path, seed=7)
    assert (d / "grid_weekly.csv").read_bytes() != (tmp_path / "grid_weekly.csv").read_bytes()


def test_headers_and_counts(demo):
    d, counts = demo
    for name, table in TABLES.items():
        assert header(d, name) == table.column_names, name
        assert counts[name] == len(read(d, name)), name


def _check_value(col, v):
    """Parse one non-blank cell as the contract's loader would; return the value."""
    if col.type == contract.INT:
        x = int(v)
    elif col.type == contract.FLOAT:
        x = float(v)
    elif col.type == contract.BOOL:
        assert v in ("true", "false"), v
        return v == "true"
    elif col.type == contract.DATE:
        assert DATE_RE.match(v), v
        return date.fromisoformat(v)
    elif col.type == contract.TIMESTAMP:
        assert TS_RE.match(v), v
        return datetime.fromisoformat(v)
    elif col.type == contract.ENUM:
        assert v in col.enum, (col.name, v)
        return v
    else:
        return v
    if col.min is not None:
        assert x >= col.min, (col.name, v)
    if col.max is not None:
        assert x <= col.max, (col.name, v)
    return x


def _validate(d):
    data = {name: read(d, name) for name in TABLES}
    for name, table in TABLES.items():
        rows = data[name]
        keys = Counter(tuple(r[k] for k in table.key) for r in rows)
        assert not [k for k, n in keys.items() if n > 1], f"duplicate keys in {name}"
        for col in table.columns:
            ref = None
            if col.fk:
                ref = {r[col.fk_column or col.name] for r in data[col.fk]}
            seen = set()
            for r in rows:
                v = r[col.name]
                if v == "":
                    assert not col.required, (name, col.name)
                    continue
                _check_value(col, v)
                if ref is not None:
                    assert v in ref, (name, col.name, v)
                if col.unique:
                    assert v not in seen, (name, col.name, v)
                    seen.add(v)
    # cross-row rules
    households = {g["grid_id"]: int(g["households"]) for g in data["grids"]}
    for r in data["grid_weekly"]:
        assert date.fromisoformat(r["week_start"]).weekday() == 0
        assert int(r["households_visited"]) <= households[r["grid_id"]]
        assert int(r["vaccinated"]) <= int(r["residents_checked"])
    for r in data["checkpoint_shifts"]:
        a = datetime.fromisoformat(r["shift_start"])
        b = datetime.fromisoformat(r["shift_end"])
        assert a < b <= a + timedelta(hours=24)
    per = defaultdict(set)
    for r in data["branch_assessments"]:
        per[(r["branch_id"], r["assessed_on"])].add(r["criterion"])
    assert all(v == set(contract.CRITERIA) for v in per.values())
    for r in data["targets"]:
        assert r["metric"] in contract.METRIC_CODES
    return data


def test_contract_rules(demo):
    _validate(demo[0])


@pytest.mark.slow
def test_contract_rules_scale2(demo2):
    data = _validate(demo2[0])
    assert len({t["name"] for t in data["townships"]}) == 12


def test_figures(demo):
    d, _ = demo
    townships = read(d, "townships")
    assert [t["township_id"] for t in townships] == [f"T0{i}" for i in range(1, 7)]
    assert {t["name"] for t in townships} == {"娜允镇", "勐马镇", "芒信镇", "富岩镇", "景信乡", "公信乡"}
    assert [t["is_border"] for t in townships].count("false") == 1
    assert len(read(d, "communities")) == 4
    assert {c["township_id"] for c in read(d, "communities")} == {"T01"}
    assert len(read(d, "zones")) == 28
    units = read(d, "units")
    assert len(units) == 81 and {u["kind"] for u in units} == {"county", "stationed"}
    grids = read(d, "grids")
    assert len(grids) >= 600 and all(g["unit_id"] for g in grids)
    assert all(20 <= int(g["households"]) <= 120 for g in grids)
    members = read(d, "members")
    assert len(members) == 1259
    assert all(5 <= int(m["households_linked"]) <= 10 for m in members)
    assert all("2021-05-06" <= m["reported_on"] <= "2021-06-30" for m in members)
    chiefs = Counter(m["grid_id"] for m in members if m["role"] == "chief")
    assert max(chiefs.values()) == 1 and "" not in chiefs
    staffed = {m["grid_id"] for m in members if m["grid_id"]}
    assert 0 < len(grids) - len(staffed) <= 10  # a few unstaffed grids
    assert 0 < sum(1 for m in members if not m["grid_id"]) <= 10
    cps = read(d, "checkpoints")
    community = [c for c in cps if c["kind"] == "community"]
    border = [c for c in cps if c["kind"] == "border"]
    assert len(community) == 115 and all(c["community_id"] and c["township_id"] == "T01" for c in community)
    assert border and all(c["township_id"] == "T06" and not c["community_id"] for c in border)
    branches = read(d, "branches")
    assert len(branches) == 122
    assert sum(b["is_model"] == "true" for b in branches) == 28
    links = ("link_county_leader", "link_unit", "link_township", "link_village_team")
    assert all(b[k] == "true" for b in branches for k in links)


def test_weeks(demo):
    d, _ = demo
    weeks = sorted({r["week_start"] for r in read(d, "grid_weekly")})
    assert len(weeks) == 35
    assert weeks[0] == "2021-05-03" and weeks[-1] == LAST_WEEK.isoformat() == "2021-12-27"
    assert all(date.fromisoformat(w).weekday() == 0 for w in weeks)


def test_visits_rise(demo):
    d, _ = demo
    grids = read(d, "grids")
    hh = sum(int(g["households"]) for g in grids)
    visited = defaultdict(int)
    reports = Counter()
    for r in read(d, "grid_weekly"):
        visited[r["week_start"]] += int(r["households_visited"])
        reports[r["week_start"]] += 1
    first, last = visited["2021-05-03"] / hh, visited["2021-12-27"] / hh
    assert 0.5 < first < 0.7 and 0.9 < last < 1.0
    assert all(reports[w] < len(grids) for w in reports)  # someone is always missing


def test_assessments(demo):
    d, _ = demo
    per = defaultdict(dict)
    for r in read(d, "branch_assessments"):
        per[(r["branch_id"], r["assessed_on"])][r["criterion"]] = r["passed"] == "true"
    assert all(len(v) == 8 for v in per.values())
    dates = sorted({k[1] for k in per})
    assert len(dates) == 8 and dates[-1] <= WEEK_END.isoformat()
    compliant = Counter(day for (b, day), v in per.items() if all(v.values()))
    assert compliant[dates[-1]] == 122
    assert 0.6 < compliant[dates[0]] / 122 < 0.8
    assert [compliant[x] for x in dates] == sorted(compliant[x] for x in dates)


def test_training_ytd(demo):
    d, _ = demo
    rows = read(d, "trainings")
    assert all("2021-02-01" <= r["held_on"] <= "2021-12-31" for r in rows)
    ytd = defaultdict(lambda: [0, 0])
    for r in rows:
        if "2021-01-01" <= r["held_on"] <= WEEK_END.isoformat():
            ytd[r["kind"]][0] += int(r["sessions"])
            ytd[r["kind"]][1] += int(r["attendees"])
    assert ytd["party_school"] == [24, 2880]
    assert ytd["border_training"] == [2, 252]
    assert ytd["party_lecture"][0] >= 200
    assert ytd["outreach"][0] == 218
    assert ytd["fireside_school"][0] > 0 and ytd["theme_day"][0] > 0
    for r in rows:
        if r["kind"] in ("party_school", "border_training"):
            assert r["township_id"] == ""
        if r["kind"] == "fireside_school":
            assert r["township_id"] == "T06"
    att = read(d, "training_attendance")
    border_ids = {r["activity_id"] for r in rows if r["kind"] == "border_training"}
    assert {a["activity_id"] for a in att} == border_ids
    assert len(att) == 252 and len({a["member_id"] for a in att}) == 240


def test_indicators(demo):
    d, _ = demo
    latest = {}  # (indicator, township) -> (as_of, value)
    for r in read(d, "indicators"):
        if r["as_of"] <= WEEK_END.isoformat():
            k = (r["indicator"], r["township_id"])
            if k not in latest or r["as_of"] > latest[k][0]:
                latest[k] = (r["as_of"], float(r["value"]))

    def county(code):
        if (code, "") in latest:
            return latest[(code, "")][1]
        return sum(v for (c, t), (_a, v) in latest.items() if c == code)

    assert county("vanguard_cadres") == 487
    assert county("cadres_promoted") == 63
    assert county("village_team_members") == 116
    assert county("party_households") == 402
    assert county("materials_distributed") >= 400000
    assert county("waste_bins_added") >= 100
    assert county("outreach_teams") == 71
    for code in ("vanguard_cadres", "village_team_members", "party_households"):
        assert (code, "") not in latest


def test_targets(demo):
    d, _ = demo
    t = {(r["metric"], r["township_id"]): float(r["target"]) for r in read(d, "targets")}
    assert t[("branches.compliance_rate", "")] == 1.0
    assert t[("members.reported", "")] == 1259
    assert t[("training.party_school.attendees", "")] == 2880
    assert t[("checkpoints.coverage_rate", "T06")] == 1.0


def _shapes(d, stem, key):
    return {
        f["properties"][key]: shape(f["geometry"])
        for f in json.loads((d / f"{stem}.geojson").read_text(encoding="utf-8"))["features"]
    }


def test_geometry(demo):
    d, _ = demo
    towns = _shapes(d, "townships", "township_id")
    assert set(towns) == {t["township_id"] for t in read(d, "townships")}
    for t in read(d, "townships"):
        assert towns[t["township_id"]].contains(Point(float(t["lon"]), float(t["lat"])))
    for table in ("checkpoints", "branches"):
        for r in read(d, table):
            assert towns[r["township_id"]].contains(Point(float(r["lon"]), float(r["lat"]))), r
    grids = read(d, "grids")
    cells = _shapes(d, "grids", "grid_id")
    assert set(cells) == {g["grid_id"] for g in grids}
    zones = {}
    for g in grids:
        pt = Point(float(g["lon"]), float(g["lat"]))
        assert cells[g["grid_id"]].contains(pt)
        assert towns["T01"].contains(cells[g["grid_id"]].buffer(-1e-7))
        zones.setdefault(g["zone_id"], []).append(cells[g["grid_id"]])
    # cells, not a lattice: no two overlap, and they are not all rectangles
    union = unary_union(list(cells.values()))
    assert abs(union.area - sum(c.area for c in cells.values())) < 1e-9
    assert sum(abs(c.area - c.envelope.area) < 1e-12 for c in cells.values()) < len(cells) / 10
    # a zone is one piece of town: its grids' cells join up
    assert all(unary_union([c.buffer(1e-6) for c in z]).geom_type == "Polygon" for z in zones.values())


def test_townships_cover_the_real_county(demo):
    """The illustrative townships, together, are the real county outline (data/geo/), and
    the border lies on that outline, about half of it."""
    d, _ = demo
    county = _shapes(Path(demo_mod.GEO_DIR), "county", "adcode")["530827"]
    towns = unary_union(list(_shapes(d, "townships", "township_id").values()))
    assert towns.intersection(county).area / towns.union(county).area >= 0.95
    border = _shapes(Path(demo_mod.GEO_DIR), "border", "country")["MMR"]
    assert border.distance(county.exterior) < 1e-6
    assert border.buffer(1e-6).difference(county.exterior.buffer(1e-5)).is_empty
    assert 0.35 < border.length / county.exterior.length < 0.65
    # border townships' branches on the line are within 5 km of it; 景信乡 touches no border
    assert not _shapes(d, "townships", "township_id")["T05"].intersects(border)
    for r in read(d, "branches"):
        if r["on_border_line"] == "true":
            km = geo.border_km([r["lon"]], [r["lat"]], border)[0]
            assert km < 5, r


def test_scale2(demo, demo2):
    d1, c1 = demo
    d2, c2 = demo2
    g1, g2 = read(d1, "grids"), read(d2, "grids")
    assert len(g2) == 2 * len(g1)
    assert len({g["grid_id"] for g in g2}) == len(g2)
    assert c2["members"] == 2 * c1["members"]
    # copy 1 is the scale=1 county, unchanged
    for name in TABLES:
        assert (d2 / f"{name}.csv").read_bytes().startswith((d1 / f"{name}.csv").read_bytes()), name
    # the copies do not overlap on the map
    spans = [g.bounds for g in _shapes(d2, "townships", "township_id").values()]
    assert max(s[2] for s in spans[:6]) < min(s[0] for s in spans[6:])
