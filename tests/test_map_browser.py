"""The county map in a real browser: the quick map (SVG, no WebGL) on load, the interactive
map on request; on it a click on a township opens it (page and URL), and the button under the
township's map goes back to the county. Run with `pytest -m browser`."""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs, urlsplit

import pytest
from shapely.geometry import shape

from benchmarks.pagewait import wait_drawn
from dashboard import metrics
from dashboard.charts import checkpoints as cp_charts
from dashboard.charts import maps

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser
TIMEOUT = 90_000


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _offset(view, lon: float, lat: float) -> tuple[float, float]:
    """Pixels from the map's centre to (lon, lat) in deck.gl's Web Mercator at view's zoom."""
    lon0, lat0, zoom = view
    scale = 512 * 2**zoom
    return ((lon - lon0) / 360 * scale, (_merc(lat0) - _merc(lat)) / (2 * math.pi) * scale)


def test_click_a_township_on_the_county_map_opens_it(server, browser, demo_store):
    con = demo_store.connect()
    try:
        geo_rows = metrics.geo_features(con, layer="townships")
        status = metrics.checkpoint_status(con, metrics.Scope(metrics.latest_week(con)))
    finally:
        con.close()
    shown = cp_charts.map_rows(status)
    # the page's own view: the county with its checkpoints in a map of MAP_SIZE
    view = maps.scope_view(geo_rows, None, shown["lon"], shown["lat"], size=cp_charts.MAP_SIZE)
    outline = shape(json.loads(geo_rows.loc[geo_rows["feature_id"] == "T05", "geometry"].iloc[0]))
    target = outline.representative_point()  # inside 景信乡, which has no checkpoint

    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.set_default_timeout(TIMEOUT)
    try:
        page.goto(server + "/checkpoints")
        wait_drawn(page)
        # on load: the quick map, drawn as SVG with a hover text per checkpoint; no deck.gl map
        quick = page.locator("[data-testid=stMain] .svgmap svg")
        expect(quick).to_have_count(1)
        assert quick.locator("circle").count() == len(shown)
        assert quick.locator("circle title").first.text_content().split("\n")[0] in set(shown["name"])
        expect(quick.locator("text.border-name")).to_have_text("中缅边境")
        assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0
        # the switch above it draws the interactive map instead
        page.get_by_role("radio", name="交互地图").click()
        chart = page.locator("[data-testid=stDeckGlJsonChart]").first
        expect(chart.locator("canvas").first).to_be_attached(timeout=TIMEOUT)
        assert page.locator(".svgmap").count() == 0
        chart.scroll_into_view_if_needed()
        title = page.locator("[data-testid=stMain] h1").first
        dx, dy = _offset(view, target.x, target.y)
        # deck.gl draws and becomes pickable some time after the element shows (seconds on a
        # loaded machine): a click before that picks nothing, so click again, as a user would.
        for attempt in range(4):
            page.wait_for_timeout(1500)
            box = chart.bounding_box()
            x, y = box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy
            page.mouse.move(x, y)
            page.wait_for_timeout(300)
            page.mouse.click(x, y)
            try:
                expect(title).to_have_text("卡点值守 · 景信乡", timeout=8000)
                break
            except AssertionError:
                if attempt == 3:
                    raise
        expect(page.get_by_text("景信乡没有卡点（卡点设在娜允镇、公信乡）。")).to_be_visible()
        query = {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}
        assert query.get("township") == "T05"
        expect(page.locator("[data-testid=stSidebar] input[role=combobox][aria-label='乡镇']")).to_have_value(
            "景信乡"
        )

        # a township with checkpoints (opened anew: a new session, the quick map): its map has
        # the button back to the county
        page.goto(server + "/checkpoints?township=T06")
        wait_drawn(page)
        expect(page.locator(".svgmap svg circle")).to_have_count(8)
        page.get_by_role("button", name="返回全县").click()
        expect(page.locator("[data-testid=stMain] h1").first).to_have_text("卡点值守 · 全县")
        assert "township" not in parse_qs(urlsplit(page.url).query)
    finally:
        page.close()


def test_quick_map_on_every_map_page(server, browser):
    """Each map page draws its quick map on load (no deck.gl, no WebGL canvas in the map area),
    the grid map with one shape per grid and the names of the communities."""
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.set_default_timeout(TIMEOUT)
    try:
        for path, marks in (("grids", "g.grids > path"), ("branches", "g.branches > circle")):
            page.goto(f"{server}/{path}")
            wait_drawn(page)
            quick = page.locator("[data-testid=stMain] .svgmap svg")
            expect(quick).to_have_count(1)
            assert quick.locator(marks).count() == {"grids": 612, "branches": 122}[path], path
            assert page.locator("[data-testid=stDeckGlJsonChart]").count() == 0, path
            expect(page.get_by_role("radio", name="简图")).to_be_checked()
        expect(page.locator(".svgmap text.township-name").first).to_be_visible()
    finally:
        page.close()
