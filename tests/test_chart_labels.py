"""Names from uploaded files in plotly charts show as text (issue 11 item 9).

Plotly reads text, tick, hover and legend strings as a subset of HTML: a township named
`<a href="https://x">x</a>` became a live link, `<b>` rendered bold, and the heatmap showed
`&quot;` for a quote. Every chart builder escapes `&`, `<`, `>` once (charts.common.plot_text).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import plotly
import pytest

from dashboard import ingest, metrics, report
from dashboard.charts import branches, checkpoints, common, print_map, training
from dashboard.store import Store
from tests.conftest import TINY, write_county

LINK = '<a href="https://x">x</a>'
BOLD = "<b>b</b>"
TOWN_1 = f"{LINK}镇"
TOWN_2 = f"{BOLD}乡 & Co"
CHECKPOINT = f'{LINK} "一号" {BOLD}'
WEEK = dt.date(2021, 5, 3)
ESCAPED_LINK = '&lt;a href="https://x"&gt;x&lt;/a&gt;'  # once, quotes as they are
ESCAPED_BOLD = "&lt;b&gt;b&lt;/b&gt;"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The tiny county with markup in township, checkpoint and grid names; an open connection."""
    base = tmp_path_factory.mktemp("hostile")
    data = copy.deepcopy(TINY)
    data["townships"][0].update(name=TOWN_1, name_en=TOWN_1)
    data["townships"][1].update(name=TOWN_2, name_en=TOWN_2)
    data["checkpoints"][0]["name"] = CHECKPOINT
    data["grids"][0]["name"] = f"{LINK}网格"
    data["trainings"][0].update(township_id="T1", held_on="2021-05-04")  # in the week
    store = Store(base / "store")
    result = ingest.load([write_county(base / "csv", data)], store, by="tests")
    assert result.ok, result.errors
    con = store.connect()
    yield store, con
    con.close()


def strings(obj):
    """Every string in a figure's JSON (text, ticks, hover, legend, annotations)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif hasattr(obj, "tolist") and not isinstance(obj, (int, float)):
        yield from strings(obj.tolist())
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from strings(v)


def assert_literal(fig, *expected):
    texts = list(strings(fig.to_plotly_json()))
    joined = "\n".join(texts)
    for bad in ("<a ", "<a>", "</a>", BOLD, "&quot;", "&amp;lt;", "&#34;"):
        assert bad not in joined, f"{bad!r} reaches plotly"
    for want in expected:
        assert any(want in t for t in texts), f"{want!r} not in the figure"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compliance_by_township_shows_markup_as_text(hostile, lang):
    _, con = hostile
    fig = branches.compliance_by_township(
        metrics.compliance_by_township(con, metrics.Scope(WEEK)), metrics.townships(con), 1.0, lang
    )
    assert_literal(fig, "&lt;b&gt;b&lt;/b&gt;乡 &amp; Co")


@pytest.mark.parametrize("measure", ["sessions", "attendees"])
def test_training_by_township_shows_markup_as_text(hostile, measure):
    _, con = hostile
    fig = training.by_township(
        metrics.training_by_township(con, metrics.Scope(WEEK)), metrics.townships(con), measure, "zh"
    )
    assert_literal(fig, f"{ESCAPED_LINK}镇", "&lt;b&gt;b&lt;/b&gt;乡 &amp; Co")


def test_heatmap_ticks_and_hover_show_markup_and_quotes_as_text(hostile):
    _, con = hostile
    status = metrics.checkpoint_status(con, metrics.Scope(WEEK))
    hourly = metrics.checkpoint_hourly(con, metrics.Scope(WEEK), checkpoints=tuple(status["checkpoint_id"]))
    fig = checkpoints.heatmap(hourly, status, WEEK, "zh")
    name = f'{ESCAPED_LINK} "一号" {ESCAPED_BOLD}'
    assert list(fig.layout.yaxis.ticktext) == [name]
    hover = [h for row in fig.data[0].customdata for h in row if h]
    assert hover and all(h.startswith(name + "<br>") for h in hover)  # our own <br> stays
    assert_literal(fig, name)


def test_print_map_names_townships_as_text(hostile):
    _, con = hostile
    fig = print_map.county_map(
        metrics.geo_features(con, layer="townships"),
        metrics.townships(con),
        metrics.branch_status(con, metrics.Scope(WEEK)),
        metrics.checkpoint_status(con, metrics.Scope(WEEK)),
        "zh",
    )
    names = [a.text for a in fig.layout.annotations]
    assert f"<b>{ESCAPED_LINK}镇</b>" in names  # the bold is ours, the name is text
    assert_literal(fig, ESCAPED_LINK)


def test_briefing_charts_escape_once(hostile):
    store, con = hostile
    s = metrics.summary(con, metrics.Scope(WEEK))
    towns = metrics.townships(con)
    figures = report.charts(
        con,
        s,
        metrics.targets(con, metrics.Scope(), year=WEEK.year),
        WEEK,
        None,
        towns,
        metrics.checkpoint_status(con, metrics.Scope(WEEK)),
        "zh",
    )
    assert figures
    for _, fig in figures:
        assert_literal(fig)
    by_township = [f for title, f in figures if "乡镇" in title or "township" in title.lower()]
    assert by_township and any(
        "&lt;b&gt;b&lt;/b&gt;乡 &amp; Co" in t for t in strings(by_township[0].to_plotly_json())
    )


def test_plot_text_escapes_once_and_leaves_quotes():
    assert common.plot_text(LINK) == ESCAPED_LINK
    assert common.plot_text('A & B\'s "x"') == 'A &amp; B\'s "x"'
    assert common.plot_text(None) == "" and common.plot_text(float("nan")) == ""
    assert common.plot_text("&lt;") == "&amp;lt;"  # a name that is itself an entity


@pytest.mark.browser
def test_chromium_renders_the_names_as_typed(hostile, browser, tmp_path):
    """What the user sees: the heatmap's tick label and a by-township bar carry the names as
    typed (quotes as quotes), no link, no bold; a screenshot is kept for review."""
    _, con = hostile
    status = metrics.checkpoint_status(con, metrics.Scope(WEEK))
    hourly = metrics.checkpoint_hourly(con, metrics.Scope(WEEK), checkpoints=tuple(status["checkpoint_id"]))
    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    figs = {
        "heatmap": checkpoints.heatmap(hourly, status, WEEK, "zh"),
        "by_township": training.by_township(
            metrics.training_by_township(con, metrics.Scope(WEEK)), metrics.townships(con), "sessions", "zh"
        ),
    }
    page = browser.new_page(viewport={"width": 1100, "height": 500})
    try:
        for key, fig in figs.items():
            path = tmp_path / f"{key}.html"
            path.write_text(fig.to_html(include_plotlyjs=js.as_uri(), full_html=True), "utf-8")
            page.goto(path.as_uri())
            page.wait_for_selector(".main-svg .ytick text", timeout=20000)
            ticks = page.locator(".main-svg .ytick text").all_text_contents()
            assert page.locator(".main-svg a").count() == 0, "a live link in the chart"
            assert page.locator(".main-svg text [style*='font-weight:bold']").count() == 0
            shown = "\n".join(ticks)
            assert "&quot;" not in shown and "&lt;" not in shown and "&amp;" not in shown
            if key == "heatmap":
                assert CHECKPOINT in ticks
            else:
                assert TOWN_1 in ticks and TOWN_2 in ticks
            page.screenshot(path=str(tmp_path / f"{key}.png"))
        Path("artifacts").mkdir(exist_ok=True)
        for key in figs:
            (Path("artifacts") / f"chart-labels-{key}.png").write_bytes(
                (tmp_path / f"{key}.png").read_bytes()
            )
    finally:
        page.close()
