"""党组织达标 Branch compliance in AppTest, opened as a link would open it: the tiles show
metrics.summary(), the charts and lists show the week's failures by name, the map colours the
branches by status, a township without branches says so, and each language stays in its own."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from dashboard import contract, i18n, ingest, metrics
from dashboard.store import Store

from conftest import write_county
from helpers import (
    CJK,
    charts,
    interactive_map,
    is_quick_map,
    numbers,
    open_boxes,
    quick_map,
    quick_map_marks,
    quick_map_texts,
    tiles,
)

EARLY = dt.date(2021, 6, 7)  # the first monthly assessment: 85 of 122 compliant


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Store:
    """conftest.TINY: one branch, in T2; 娜允镇 (T1) has none."""
    base = tmp_path_factory.mktemp("tiny_county")
    store = Store(base / "store")
    assert ingest.load([write_county(base / "csv")], store, by="tests").ok
    return store


# The charts a leader opens (drawn on request); a test reads them opened unless it says not.
CHART_BOXES = (
    "show_compliance_trend",
    "show_compliance_by_township",
    "show_failed_criteria",
    "branches_border_open",
)


def open_branches(open_app, opened: bool = True, **query):
    at = open_app("branches", **query)
    assert not at.exception, [e.value for e in at.exception]
    return open_boxes(at, *CHART_BOXES) if opened else at


# ------------------------------------------------------------------ what the user sees
def categories(spec: dict) -> list[str]:
    """The text categories (bar labels) of a chart's traces."""
    out = []
    for trace in spec["data"]:
        ys = trace.get("y")
        if isinstance(ys, list):
            out += [y for y in ys if isinstance(y, str) and y not in out]
    return out


def bar_values(spec: dict) -> list:
    return numbers(next(t["x"] for t in spec["data"] if t.get("type") == "bar"))


def deck(at) -> dict:
    (chart,) = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.json)


def tooltip(at) -> str:
    (chart,) = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.tooltip)["text"]


def branch_layer(at) -> dict:
    return next(layer for layer in deck(at)["layers"] if layer["id"] == "branches")


def label_texts(at) -> list[str]:
    """Every label the page writes (not data such as branch or village names)."""
    out = [
        e.value
        for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning")
        for e in getattr(at, kind)
        if not is_quick_map(e.value)
    ]
    out += quick_map_texts(at)  # the hover texts without the branch's name
    out += [x for m in at.metric for x in (m.label, m.proto.delta, m.proto.help)]
    out += [str(c) for df in at.dataframe for c in df.value.columns]
    out += [b.proto.label for b in at.get("download_button")]
    for spec in charts(at).values():
        out += categories(spec)
        out += [t["name"] for t in spec["data"] if t.get("name")]
        out += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
        out += [spec["layout"].get("xaxis", {}).get("title", {}).get("text", "")]
    return [t for t in out if t]


# ------------------------------------------------------------------ the latest week: all 122
def test_latest_week_all_compliant(open_app, demo):
    at = open_branches(open_app)
    s = metrics.summary(demo)["branches"]
    assert (s["compliant"], s["total"], s["model"]) == (122, 122, 28)  # the article's figures
    assert tiles(at) == {
        "边境村组党支部达标": "122 / 122",
        "“4+N”挂联覆盖率": i18n.fmt_rate(s["link_coverage_rate"]),
        "示范党组织": "28",
    }
    assert [m.value for m in at.markdown].count(":green[达标 · 目标 100%]") == 2
    assert [s.value for s in at.success] == ["截至本周，全部 122 个党支部均已达标。"]
    shown = charts(at)
    assert set(shown) == {"compliance_trend", "compliance_by_township"}  # nothing failed
    assert categories(shown["compliance_by_township"]) == [
        "公信乡",
        "富岩镇",
        "芒信镇",
        "勐马镇",
        "娜允镇",
    ]  # no 景信乡: no branches


def test_trend_runs_from_the_first_assessment_to_the_week(open_app, demo):
    at = open_branches(open_app)
    trend = metrics.compliance_trend(demo)
    spec = charts(at)["compliance_trend"]
    line = spec["data"][0]
    assert len(line["x"]) == len(trend) and line["x"][0].startswith("2021-05-17")
    assert line["x"][-1].startswith("2021-12-27")
    assert spec["layout"]["shapes"][0]["y0"] == 1.0  # the 100% target line


def test_model_branches_are_listed(open_app, demo):
    at = open_branches(open_app)
    status = metrics.branch_status(demo)
    models = at.dataframe[-1].value
    assert len(models) == 28
    assert sorted(models["党支部"]) == sorted(status.loc[status["is_model"], "name"])
    assert "共 28 个党支部被评为示范党组织。" in [c.value for c in at.caption]


def test_map_shows_every_branch_by_status(open_app, demo):
    at = interactive_map(open_branches(open_app), "branch_map_mode")
    layer = branch_layer(at)
    assert len(layer["data"]) == 122
    assert {tuple(p["colour"][:3]) for p in layer["data"]} == {(46, 125, 50)}  # all green
    spec = deck(at)
    # no basemap: no map provider, no style URL (pydeck leaves its placeholder)
    assert "mapProvider" not in spec and "://" not in str(spec.get("mapStyle"))
    assert tooltip(at) == "{tooltip}"
    first = layer["data"][0]
    assert first["tooltip"].startswith(f"{first['name']}\n{first['township']} · 达标")


# ------------------------------------------------------------------ an early week: 37 fail
def test_early_week_lists_what_fails(open_app, demo):
    at = open_branches(open_app, week=EARLY.isoformat())
    s = metrics.summary(demo, metrics.Scope(EARLY))["branches"]
    failing = metrics.noncompliant_branches(demo, metrics.Scope(EARLY))
    assert (s["compliant"], len(failing)) == (85, 37)
    assert tiles(at)["边境村组党支部达标"] == "85 / 122"
    # Short of target: how far, in words and red, with no arrow (an arrow would read "fell 30.3%")
    assert round((1 - 85 / 122) * 100, 1) == 30.3
    assert ":red[差 30\\.3 个百分点 · 目标 100%]" in [m.value for m in at.markdown]
    assert at.metric[0].proto.delta == ""

    table = at.dataframe[0].value
    assert list(table["党支部代码"]) == list(failing["branch_id"])
    # failed criteria by their Chinese names, never codes
    first = failing.iloc[0]
    assert table["未达标项目"].iloc[0] == "、".join(contract.CRITERIA[c][0] for c in first["failed_criteria"])
    assert not any(code in cell for cell in table["未达标项目"] for code in contract.CRITERIA)
    assert set(table["最近评估日期"]) == {"2021年5月20日"}
    assert [b.proto.label for b in at.get("download_button")][:2] == ["下载 CSV", "下载 Excel"]


def test_failed_criteria_chart_counts_branches_per_criterion(open_app, demo):
    at = open_branches(open_app, week=EARLY.isoformat())
    counts = metrics.failed_criteria_counts(demo, metrics.Scope(EARLY))
    spec = charts(at)["failed_criteria"]
    names = [contract.CRITERIA[c][0] for c in counts["criterion"]]
    assert categories(spec) == names[::-1]  # most failed on top
    assert bar_values(spec) == list(counts["branches"])[::-1]
    assert names[0] == "活动阵地" and counts["branches"].iloc[0] == 17


def test_map_colours_the_failing_branches_red(open_app, demo):
    at = open_branches(open_app, week=EARLY.isoformat())
    fills = [c.get("fill") for c in quick_map_marks(at, "branches")]  # the quick map, on load
    assert fills.count("#c62828") == 37 and fills.count("#2e7d32") == 85
    colours = [tuple(p["colour"][:3]) for p in branch_layer(interactive_map(at, "branch_map_mode"))["data"]]
    assert colours.count((198, 40, 40)) == 37 and colours.count((46, 125, 50)) == 85


# ------------------------------------------------------------------ township scope
def test_township_view(open_app, demo):
    at = open_branches(open_app, township="T02", week=EARLY.isoformat())
    s = metrics.summary(demo, metrics.Scope(EARLY, "T02"))["branches"]
    assert tiles(at)["边境村组党支部达标"] == f"{s['compliant']} / {s['total']}" == "20 / 32"
    assert "compliance_by_township" not in charts(at)  # one township: no bars
    assert len(at.dataframe[0].value) == s["total"] - s["compliant"]
    assert len(quick_map_marks(at, "branches")) == 32  # the quick map, on load
    assert len(branch_layer(interactive_map(at, "branch_map_mode"))["data"]) == 32


def test_township_without_branches_says_so(open_app):
    at = open_branches(open_app, township="T05")
    assert [i.value for i in at.info] == ["景信乡没有边境村组党支部，本页没有可显示的数据。"]
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0
    assert len(at.get("deck_gl_json_chart")) == 0 and len(at.dataframe) == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_township_without_branches_in_a_small_county(open_app, tiny_store, lang):
    at = open_branches(open_app, store=tiny_store, township="T1", lang=lang)
    place = "娜允镇" if lang == "zh" else "Nayun"
    assert [i.value for i in at.info] == [i18n.t("branches.none", lang, township=place)]
    assert len(at.get("plotly_chart")) == 0


# ------------------------------------------------------------------ language
def english_fragments() -> set[str]:
    """English words of this page's labels and of the criteria, to find in the Chinese view."""
    texts = [en for key, (zh, en) in i18n.LABELS.items() if key.startswith("branches.") and zh != en]
    texts += [en for _, en in contract.CRITERIA.values()]
    out = set()
    for text in texts:
        for piece in re.split(r"\{[^}]*\}|\n", text):
            piece = piece.strip(" .,:;()·–—-“”\"'")
            if len(re.findall(r"[A-Za-z]", piece)) >= 4:
                out.add(piece)
    return out


@pytest.mark.parametrize("query", [{}, {"week": EARLY.isoformat()}])
def test_chinese_view_has_no_english(open_app, query):
    at = open_branches(open_app, **query)
    texts = label_texts(at) + [
        str(v) for df in at.dataframe for col in df.value.columns for v in df.value[col]
    ]
    fragments = english_fragments()
    assert "Activity venue" in fragments and "Branches not up to standard" in fragments
    assert sorted({f for f in fragments for t in texts if f in t}) == []


def test_english_view_has_no_chinese_labels(open_app):
    at = open_branches(open_app, lang="en", week=EARLY.isoformat())
    assert tiles(at)["Border branches up to standard"] == "85 / 122"
    assert [t.value for t in at.title] == ["Branch compliance · Whole county"]
    leaks = [t for t in label_texts(at) if CJK.search(t)]
    assert leaks == []
    # cells a user reads as labels (not branch or village names) are English too
    table = at.dataframe[0].value
    for column in ("Township", "Failed criteria", "Last assessed"):
        assert not any(CJK.search(str(v)) for v in table[column]), column
    # the quick map's hover: "township · status( · model branch)"
    hover = [t.split("\n")[0] for t in quick_map_texts(at) if " · " in t]
    assert len(hover) == 122
    assert {h.split(" · ")[1] for h in hover} == {"Up to standard", "Not up to standard"}


def test_page_sends_no_plotly_chart_until_a_chart_is_opened(open_app, demo):
    # plotly.js costs the browser ~0.7 s per visit: closed boxes send nothing, and say what
    # they hold; the figures are on the tiles, in the tables and on the map meanwhile
    at = open_branches(open_app, week=EARLY.isoformat(), opened=False)
    assert at.get("plotly_chart") == []
    assert [e.label for e in at.expander] == [
        "达标率变化图（点击展开）",
        "各乡镇达标率图（点击展开）",
        "未达标评估项目图（点击展开）",
        "列表（122 个党支部，可下载；点击展开）",  # the distances to the border, sent when opened
    ]
    # the map is the quick one (SVG): no deck.gl map either
    assert at.metric and at.dataframe and quick_map(at) is not None and not at.get("deck_gl_json_chart")
    open_boxes(at, "show_failed_criteria")
    assert set(charts(at)) == {"failed_criteria"}
    counts = metrics.failed_criteria_counts(demo, metrics.Scope(EARLY))
    assert bar_values(charts(at)["failed_criteria"]) == list(counts["branches"])[::-1]


# ------------------------------------------------------------------ quick map or interactive map
def test_quick_map_on_load_interactive_map_on_request(open_app, demo):
    """The page draws the quick map (SVG, no WebGL) on load, with how to get the interactive
    one; the switch above it draws the deck.gl map, and the choice holds on the other map
    pages for the rest of the session."""
    at = open_branches(open_app, opened=False)
    assert not at.get("deck_gl_json_chart")
    dots = quick_map_marks(at, "branches")
    assert len(dots) == 122 and {
        d.find("{http://www.w3.org/2000/svg}title").text.split("\n")[0] for d in dots
    } == set(metrics.branch_status(demo)["name"])
    assert (
        '<span class="hover-only">鼠标停在图上可看名称和数据</span>'
        '<span class="touch-only">点按图上的点或区域可看名称和数据</span> · '
        "要点击乡镇进入该乡镇、缩放地图，请选上方的“交互地图”"
    ) in [c.value for c in at.caption]
    interactive_map(at, "branch_map_mode")
    assert quick_map(at) is None and len(branch_layer(at)["data"]) == 122
    assert "点击地图上的乡镇可进入该乡镇" in [c.value for c in at.caption]
    at.switch_page("views/checkpoints.py").run()  # another map page: interactive too
    assert not at.exception and quick_map(at) is None and len(at.get("deck_gl_json_chart")) == 1
