"""The dashboard in a real browser (headless Chromium) against a live `streamlit run app.py`
on the demo county: every page opens in both languages and three scopes without an error,
under its own title, asking nothing of any server but this machine; a link reproduces the
view; the sidebar's township picker and page navigation keep the view in the URL.

Full-page screenshots land in artifacts/screenshots/<page>-<lang>-<scope>-<w>x<h>.png.
Run only these with `pytest -m browser`, skip them with `pytest -m "not browser"`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from benchmarks.pagewait import wait_drawn
from dashboard import i18n, metrics, ui

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
TIMEOUT = 90_000  # ms; generous: the machine may be busy
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PLACES = {"T01": ("娜允镇", "Nayun"), "T02": ("勐马镇", "Mengma"), "T06": ("公信乡", "Gongxin")}
SMALL, LARGE = (1366, 768), (1920, 1080)


# ------------------------------------------------------------------ helpers
@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the module (its HTTP cache spares reloading the app's JS);
    each test opens its own page in it, so each is a new Streamlit session."""
    ctx = browser.new_context(
        viewport={"width": SMALL[0], "height": SMALL[1]}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    ctx.set_default_timeout(TIMEOUT)
    yield ctx
    ctx.close()


class Visit:
    """A page of the browser that records every request it makes."""

    def __init__(self, context, size=SMALL):
        self.page = context.new_page()
        self.page.set_viewport_size({"width": size[0], "height": size[1]})
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))

    def open(self, base: str, path: str, **query) -> Visit:
        self.page.goto(base + path + ("?" + urlencode(query) if query else ""))
        return self.settled()

    def settled(self) -> Visit:
        """Wait until the script has run and the page is drawn: the script state turns idle
        before lazily loaded elements replace their skeletons and charts draw, so also wait
        for those, then for the page to stay unchanged a moment."""
        wait_drawn(self.page)  # the predicate: benchmarks/pagewait.py
        return self

    def outside_requests(self) -> list[str]:
        outside = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.hostname not in LOCAL_HOSTS:
                outside.append(url)
        return outside

    @property
    def query(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.page.url).query).items()}

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def title(self):
        return self.page.locator("[data-testid=stMain] h1").first

    def sidebar_select(self, label: str):
        """The text shown in the sidebar selectbox labelled `label`."""
        return self.page.locator(f"[data-testid=stSidebar] input[role=combobox][aria-label='{label}']")

    def tile_value(self, label: str):
        tile = self.page.locator("[data-testid=stMetric]").filter(
            has=self.page.locator("[data-testid=stMetricLabel]", has_text=label)
        )
        return tile.locator("[data-testid=stMetricValue]")

    def screenshot(self, name: str, size) -> Path:
        """The whole page at width size[0]: Streamlit scrolls inside its main container,
        so the viewport is made as tall as the content first (the name keeps the nominal size)."""
        if self.page.viewport_size != {"width": size[0], "height": size[1]}:
            self.page.set_viewport_size({"width": size[0], "height": size[1]})
            self.settled()
        height = self.page.evaluate(
            """() => Math.max(...['[data-testid=stMain]', '[data-testid=stSidebarContent]']
                   .map(sel => document.querySelector(sel)).filter(Boolean).map(e => e.scrollHeight))"""
        )
        self.page.set_viewport_size({"width": size[0], "height": min(max(size[1], height), 10_000)})
        self.settled()
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}-{size[0]}x{size[1]}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(context):
    opened = []

    def make(size=SMALL) -> Visit:
        v = Visit(context, size)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()


def path_of(page: str) -> str:
    return "/" if page == "overview" else f"/{page}"


def place(scope: str, lang: str) -> str:
    return i18n.t("filter.county", lang) if scope == "county" else PLACES[scope][lang == "en"]


# ------------------------------------------------------------------ every page, both languages, three scopes
CASES = [
    (page, lang, scope) for page in ui.PAGES for lang in ("zh", "en") for scope in ("county", "T01", "T06")
]


@pytest.mark.parametrize("page, lang, scope", CASES, ids=["-".join(c) for c in CASES])
def test_page_opens_clean_and_local(server, visit, page, lang, scope):
    query = {
        k: v
        for k, v in (
            ("lang", lang if lang != "zh" else None),
            ("township", None if scope == "county" else scope),
        )
        if v
    }
    v = visit().open(server, path_of(page), **query)

    errors = v.page.locator("[data-testid=stException]")
    assert errors.count() == 0, errors.all_inner_texts()
    expect(v.title()).to_contain_text(i18n.t(f"page.{page}", lang))
    expect(v.title()).to_contain_text(place(scope, lang))
    assert v.outside_requests() == []
    sizes = [SMALL, LARGE] if scope == "county" else [SMALL]
    for size in sizes:
        shot = v.screenshot(f"{page}-{lang}-{scope}", size)
        assert shot.stat().st_size > 10_000
    assert v.outside_requests() == []  # nothing called out while charts were drawn


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_figures_and_labels_fit_their_tiles_at_1366(server, visit, lang):
    # Seven indicator tiles in one row once cut "412,000" to "41…" and every label with it.
    v = visit().open(server, "/", **({"lang": lang} if lang != "zh" else {}))
    if v.page.locator("[data-testid=stMetricValue]").count() < 13:
        pytest.fail("the overview did not draw its tiles")  # not the bug the xfail expects
    cut = v.page.evaluate("""() => Array.from(
        document.querySelectorAll('[data-testid=stMetricValue], [data-testid=stMetricLabel]'),
        e => [e.innerText, [e, ...e.querySelectorAll('*')].some(x => x.scrollWidth > x.clientWidth + 1)])
        .filter(([text, isCut]) => isCut).map(([text]) => text)""")
    assert cut == []


# ------------------------------------------------------------------ the URL is the view
def test_link_reproduces_the_view(server, visit):
    week = dt.date(2021, 6, 7)
    v = visit().open(server, "/branches", township="T02", lang="en", week=week.isoformat())
    assert v.page.locator("[data-testid=stException]").count() == 0
    expect(v.title()).to_have_text(f"{i18n.t('page.branches', 'en')} · Mengma")
    expect(v.sidebar_select("Township")).to_have_value("Mengma")
    expect(v.sidebar_select("Week")).to_have_value(i18n.fmt_week(week, "en"))
    expect(v.page.locator("[data-testid=stSidebarNav]")).to_contain_text(i18n.t("page.overview", "en"))
    assert v.path == "/branches"
    assert v.query == {"township": "T02", "lang": "en", "week": "2021-06-07"}


def test_township_picker_rescopes_figures_and_url(server, visit, demo_store):
    con = demo_store.connect()
    county, gongxin = metrics.summary(con), metrics.summary(con, metrics.Scope(township="T06"))
    con.close()
    assert county["checkpoints"]["coverage_rate"] != gongxin["checkpoints"]["coverage_rate"]
    coverage, compliance = i18n.t("figure.checkpoints.coverage_rate"), i18n.t("figure.branches.compliant")

    v = visit().open(server, "/")
    expect(v.tile_value(coverage)).to_have_text(i18n.fmt_rate(county["checkpoints"]["coverage_rate"]))
    expect(v.tile_value(compliance)).to_have_text("122 / 122")

    v.sidebar_select("乡镇").click()
    v.page.get_by_role("option", name="公信乡", exact=True).click()
    expect(v.title()).to_have_text("总览 · 公信乡")
    v.settled()
    expect(v.tile_value(coverage)).to_have_text(i18n.fmt_rate(gongxin["checkpoints"]["coverage_rate"]))
    expect(v.tile_value(compliance)).to_have_text(
        f"{gongxin['branches']['compliant']} / {gongxin['branches']['total']}"
    )
    expect(v.sidebar_select("乡镇")).to_have_value("公信乡")
    assert v.query.get("township") == "T06"
    assert v.outside_requests() == []


def test_page_navigation_keeps_the_filters(server, visit):
    v = visit().open(server, "/", township="T06", lang="en", week="2021-06-07")
    expect(v.title()).to_have_text("Overview · Gongxin")

    v.page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t("page.checkpoints", "en")).click()
    expect(v.title()).to_have_text(f"{i18n.t('page.checkpoints', 'en')} · Gongxin")
    v.settled()
    assert v.path == "/checkpoints"
    assert v.query == {"township": "T06", "lang": "en", "week": "2021-06-07"}
    expect(v.sidebar_select("Township")).to_have_value("Gongxin")
    expect(v.sidebar_select("Week")).to_have_value(i18n.fmt_week(dt.date(2021, 6, 7), "en"))
    assert v.page.locator("[data-testid=stException]").count() == 0


def test_language_switch_relabels_the_page_and_keeps_the_township(server, visit):
    v = visit().open(server, "/grids", township="T01")
    expect(v.title()).to_have_text(f"{i18n.t('page.grids')} · 娜允镇")

    v.page.locator("[data-testid=stSidebar] [data-testid=stRadio]").get_by_text("English").click()
    expect(v.title()).to_have_text(f"{i18n.t('page.grids', 'en')} · Nayun")
    v.settled()
    assert v.path == "/grids"
    assert v.query.get("lang") == "en" and v.query.get("township") == "T01"
    assert v.page.locator("[data-testid=stException]").count() == 0


def test_a_chart_on_request_is_drawn_when_opened_and_stays_open(server, visit):
    """The overview sends no Plotly chart until the trend's box is clicked open; the box then
    stays open through a township change and a visit to another page (issue 14 §2)."""
    v = visit().open(server, "/")
    charts = v.page.locator("[data-testid=stPlotlyChart]")
    box = v.page.locator("[data-testid=stExpander]", has_text=i18n.t("light.trend"))
    assert charts.count() == 0
    expect(v.page.locator("[role=progressbar]")).to_have_count(6)  # the training bars
    box.locator("summary").click()
    expect(charts.locator("svg.main-svg").first).to_be_visible()
    assert charts.count() == 1

    v.sidebar_select("乡镇").click()
    v.page.get_by_role("option", name="公信乡", exact=True).click()
    expect(v.title()).to_have_text("总览 · 公信乡")
    v.settled()
    expect(charts.locator("svg.main-svg").first).to_be_visible()

    v.page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t("page.training")).click()
    expect(v.title()).to_have_text(f"{i18n.t('page.training')} · 公信乡")
    v.settled()
    assert charts.count() == 0  # its own box is closed
    v.page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t("page.overview")).click()
    expect(v.title()).to_have_text("总览 · 公信乡")
    v.settled()
    expect(charts.locator("svg.main-svg").first).to_be_visible()
    assert v.page.locator("[data-testid=stException]").count() == 0


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["1366", "1920"])
def test_checkpoints_heatmap_is_html_and_readable(server, visit, size):
    """The checkpoints page sends no Plotly chart on load: its heatmap is HTML (issue 14 §2),
    inside the page's width, its names not cut, a short or empty stretch telling its hours on
    hover; the toggle shows every checkpoint and back."""
    v = visit(size).open(server, "/checkpoints")
    assert v.page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert v.page.locator(".js-plotly-plot").count() == 0
    rows = v.page.locator("[data-heatmap=checkpoints] .h")
    expect(rows).to_have_count(4)
    main = v.page.locator("[data-testid=stMain] [data-testid=stMainBlockContainer]").bounding_box()
    grid = v.page.locator("[data-heatmap=checkpoints] .g").bounding_box()
    assert main["x"] <= grid["x"] and grid["x"] + grid["width"] <= main["x"] + main["width"] + 1
    assert rows.first.bounding_box()["width"] > 0.6 * grid["width"]  # the hours get the room
    names = v.page.locator("[data-heatmap=checkpoints] .n")
    assert names.first.evaluate("e => e.scrollWidth <= e.clientWidth")  # the name is not cut
    assert names.all_inner_texts()[0] == "公信乡边境第6卡点"
    empty = rows.first.locator("i[title]").first
    assert empty.get_attribute("title") == "公信乡边境第6卡点\n周一 12-27 00:00–08:00\n在岗 0 人，需 3 人"
    assert empty.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(198, 40, 40)"  # red
    v.page.get_by_text(i18n.t("cp.show_all")).click()
    expect(rows).to_have_count(123)
    v.page.get_by_text(i18n.t("cp.show_all")).click()
    expect(rows).to_have_count(4)
    assert v.page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert v.page.locator("[data-testid=stException]").count() == 0


def test_overview_tiles_draw_their_weeks_without_vega(server, visit):
    """The five rate tiles show their last 12 weeks as a line under the figure, inside the
    tile, drawn without Vega-Lite (issue 14 §2); a point tells its week and rate on hover."""
    v = visit().open(server, "/")
    lines = v.page.locator("[data-testid=stMain] svg.spk")
    expect(lines).to_have_count(5)
    assert v.page.locator(".vega-embed").count() == 0
    for i in range(5):
        box = lines.nth(i).bounding_box()
        assert box["height"] == 48 and box["width"] > 200
        assert lines.nth(i).locator("polyline").bounding_box()["width"] > 0.9 * box["width"]
    tip = lines.first.locator("rect").last.locator("title").text_content()
    assert tip.startswith(i18n.fmt_week(dt.date(2021, 12, 27))) and tip.endswith("%")
