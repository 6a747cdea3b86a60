"""The quick maps (charts.svgmap): what a leader sees on the grid, branch and checkpoint pages
before asking for the interactive map. Every grid or point of the scope is drawn once, inside
the picture, in its status colour with its figures on hover; the national border is dashed and
named; a township's map shows that township's features; a province's grids are summed up per
township; names from uploaded files stay text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from dashboard import i18n, metrics
from dashboard.charts import branches as branch_charts
from dashboard.charts import checkpoints as cp_charts
from dashboard.charts import grids as grid_charts
from dashboard.charts import maps, svgmap

SVG = "{http://www.w3.org/2000/svg}"
GREEN, AMBER, RED, GREY = (svgmap.rgb(c) for c in (maps.GOOD, maps.WARN, maps.BAD, maps.NEUTRAL))


@pytest.fixture(scope="module")
def frames(demo):
    week = metrics.latest_week(demo)
    county = metrics.Scope(week)
    return {
        "week": week,
        "geo": metrics.geo_features(demo, layer="townships"),
        "towns": metrics.townships(demo, county),
        "grids": metrics.grid_list(demo, county),
        "branches": metrics.branch_status(demo, county),
        "checkpoints": metrics.checkpoint_status(demo, county),
    }


def parse(markup: str) -> ET.Element:
    """The <svg> of the markup (well-formed XML, one line, in a div)."""
    assert markup.startswith("<div") and "\n" not in markup
    (svg,) = ET.fromstring(markup)
    assert svg.tag == SVG + "svg"
    return svg


def group(svg: ET.Element, cls: str) -> ET.Element:
    (g,) = [g for g in svg.iter(SVG + "g") if g.get("class") == cls]
    return g


def title(el: ET.Element) -> str:
    return el.find(SVG + "title").text


def box(svg: ET.Element) -> tuple[float, float]:
    _x, _y, w, h = (float(v) for v in svg.get("viewBox").split())
    return w, h


def path_points(d: str) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(nums[::2], nums[1::2], strict=True))


def inside(svg, x: float, y: float) -> bool:
    w, h = box(svg)
    return 0 <= x <= w and 0 <= y <= h


def expected_grid_colour(row) -> str:
    """The documented rule (docs/data-contract.md), not the chart code: grey without a report,
    green at or above target, amber within 10 points, red below."""
    if not row.reported:
        return GREY
    if row.visit_rate >= row.visit_target:
        return GREEN
    return AMBER if row.visit_rate >= row.visit_target - 0.1 else RED


# ------------------------------------------------------------------ the grid map
def test_every_grid_drawn_once_in_its_colour_inside_the_picture(frames):
    grids = frames["grids"]
    svg = parse(svgmap.grid_svg(grids, frames["geo"], frames["towns"], "zh"))
    drawn = list(group(svg, "grids"))
    assert len(drawn) == len(grids) == 612
    by_name = grids.set_index("name")
    assert sorted(title(p).split("\n")[0] for p in drawn) == sorted(grids["name"])
    for p in drawn:
        row = by_name.loc[title(p).split("\n")[0]]
        assert p.get("fill") == expected_grid_colour(row), row.grid_id
        assert i18n.fmt_rate(row.visit_rate) in title(p)  # the hover shows the rate
        assert all(inside(svg, x, y) for x, y in path_points(p.get("d"))), row.grid_id
    fills = [p.get("fill") for p in drawn]
    assert fills.count(GREY) == int((~grids["reported"].astype(bool)).sum()) == 11
    assert {GREEN, AMBER, RED} <= set(fills)
    # the unstaffed grids outlined in violet, as on the interactive map
    assert len(group(svg, "unstaffed")) == int((~grids["staffed"].astype(bool)).sum()) == 6
    assert group(svg, "unstaffed").get("stroke") == svgmap.rgb(grid_charts.UNSTAFFED)


def test_grid_hover_says_the_status_in_the_language_shown(frames):
    grids = frames["grids"]
    en = parse(svgmap.grid_svg(grids, frames["geo"], frames["towns"], "en"))
    titles = [title(p) for p in group(en, "grids")]
    assert any("Visit rate" in t for t in titles) and not any("走访率" in t for t in titles)
    assert sum(i18n.t("grids.status.none", "en") in t for t in titles) == 11


def test_a_township_map_draws_that_townships_grids(demo, frames):
    scoped = metrics.grid_list(demo, metrics.Scope(frames["week"], "T01"))
    svg = parse(svgmap.grid_svg(scoped, frames["geo"], frames["towns"], "zh", township="T01"))
    assert len(group(svg, "grids")) == len(scoped) > 0
    assert set(scoped["township_id"]) == {"T01"}


# ------------------------------------------------------------------ branches and checkpoints
def test_every_branch_drawn_once_in_its_status_colour(frames):
    status = frames["branches"]
    svg = parse(svgmap.branch_svg(status, frames["geo"], frames["towns"], "zh"))
    dots = list(group(svg, "branches"))
    assert len(dots) == len(status) == 122
    colours = {s: svgmap.rgb(c) for s, c in branch_charts.STATUS_COLOURS.items()}
    expected = sorted(colours[s] for s in branch_charts.branch_statuses(status))
    assert sorted(c.get("fill") for c in dots) == expected
    assert all(inside(svg, float(c.get("cx")), float(c.get("cy"))) for c in dots)
    assert sorted(title(c).split("\n")[0] for c in dots) == sorted(status["name"])


def test_checkpoints_coloured_by_coverage_worst_on_top(frames):
    status = cp_charts.map_rows(frames["checkpoints"])
    svg = parse(svgmap.checkpoint_svg(status, frames["geo"], frames["towns"], "zh", 0.95))
    dots = list(group(svg, "checkpoints"))
    assert len(dots) == len(status) > 0
    assert all(inside(svg, float(c.get("cx")), float(c.get("cy"))) for c in dots)
    want = {r.name: svgmap.rgb(maps.status_colour(r.coverage_rate, 0.95)) for r in status.itertuples()}
    assert {title(c).split("\n")[0]: c.get("fill") for c in dots} == want
    # checkpoint_status lists the worst covered first; drawn last, they are on top
    assert title(dots[-1]).split("\n")[0] == status["name"].iloc[0]
    assert "覆盖率" in title(dots[0])


@pytest.mark.parametrize("kind", ["branches", "checkpoints"])
def test_a_township_scope_draws_only_its_own(demo, frames, kind):
    scope = metrics.Scope(frames["week"], "T01")
    rows = getattr(metrics, "branch_status" if kind == "branches" else "checkpoint_status")(demo, scope)
    if kind == "branches":
        markup = svgmap.branch_svg(rows, frames["geo"], frames["towns"], "zh", township="T01")
    else:
        markup = svgmap.checkpoint_svg(rows, frames["geo"], frames["towns"], "zh", 0.95, township="T01")
    svg = parse(markup)
    dots = list(group(svg, kind))
    county = frames[kind]
    assert 0 < len(dots) == len(rows) < len(county)
    assert sorted(title(c).split("\n")[0] for c in dots) == sorted(rows["name"])
    assert all(inside(svg, float(c.get("cx")), float(c.get("cy"))) for c in dots)


# ------------------------------------------------------------------ the base map
@pytest.mark.parametrize("lang,name", [("zh", "中缅边境"), ("en", "China–Myanmar border")])
def test_the_border_is_dashed_dark_red_and_named(frames, lang, name):
    svg = parse(svgmap.branch_svg(frames["branches"], frames["geo"], frames["towns"], lang))
    (border,) = [p for p in svg.iter(SVG + "path") if p.get("class") == "border"]
    assert border.get("stroke") == "#8b0000" and border.get("stroke-dasharray")
    (label,) = [t for t in svg.iter(SVG + "text") if t.get("class") == "border-name"]
    assert label.text == name and inside(svg, float(label.get("x")), float(label.get("y")))
    (county,) = [p for p in svg.iter(SVG + "path") if p.get("class") == "county-outline"]
    assert county.get("stroke") == svgmap.rgb(maps.COUNTY_LINE)
    names = {t.text for t in svg.iter(SVG + "text") if t.get("class") == "township-name"}
    assert ("娜允镇" if lang == "zh" else "Nayun") in names


# ------------------------------------------------------------------ a province
def test_past_the_grid_limit_one_dot_per_township(frames):
    grids = frames["grids"]
    rollup = grid_charts.township_rollup(grids, frames["towns"])
    svg = parse(svgmap.rollup_svg(rollup, frames["geo"], frames["towns"], "zh"))
    dots = list(group(svg, "grid-townships"))
    assert len(dots) == len(rollup) == grids["township_id"].nunique()
    assert not [g for g in svg.iter(SVG + "g") if g.get("class") == "grids"]  # no grid outlines
    per_town = grids.groupby("township_id")[["households", "households_visited"]].sum()
    names = dict(zip(frames["towns"]["township_id"], frames["towns"]["name"], strict=False))
    for dot, r in zip(dots, rollup.itertuples(), strict=True):
        row = per_town.loc[r.township_id]
        rate = row["households_visited"] / row["households"]
        assert title(dot).startswith(names[r.township_id]) and i18n.fmt_rate(rate) in title(dot)
        assert dot.get("fill") == (GREEN if rate >= 0.9 else AMBER if rate >= 0.8 else RED)


# ------------------------------------------------------------------ uploaded text
def test_names_from_uploads_stay_text(frames):
    # markup, quotes, and a blank line (which would end Markdown's raw HTML block)
    hostile = '<script>alert("x")</script>"><img src=x onerror=alert(1)>\n\n**b**'
    status = frames["branches"].copy()
    status.loc[status.index[0], "name"] = hostile
    towns = frames["towns"].copy()
    towns.loc[towns.index[0], "name"] = hostile
    grids = frames["grids"].copy()
    grids.loc[grids.index[0], "name"] = hostile
    grids.loc[grids.index[0], "zone_name"] = hostile
    for markup in (
        svgmap.branch_svg(status, frames["geo"], towns, "zh"),
        svgmap.grid_svg(grids, frames["geo"], towns, "zh"),
    ):
        assert "<script" not in markup and "<img" not in markup and 'alert("x")' not in markup
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in markup
        svg = parse(markup)  # still well-formed: nothing broke out of an attribute
        texts = [t.text for t in svg.iter(SVG + "title")] + [t.text for t in svg.iter(SVG + "text")]
        assert any(hostile in (t or "") for t in texts)  # shown literally
