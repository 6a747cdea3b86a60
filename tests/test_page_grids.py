"""网格覆盖 Grid coverage in AppTest, opened as a link would open it: the tiles show
metrics.summary(), the map colours every grid by its visit rate against target and marks the
unstaffed ones, the drill-down narrows map and table, picking a grid shows its history, a
township without grids says so in one sentence, and each language stays in its own."""

from __future__ import annotations

import json
import re

import pytest

from dashboard import i18n, metrics
from dashboard.charts import maps
from dashboard.store import Store

from helpers import CJK, charts, interactive_map, numbers, quick_map, quick_map_marks, tiles

GREEN, AMBER, RED, GREY = (tuple(c) for c in (maps.GOOD, maps.WARN, maps.BAD, maps.NEUTRAL))


def open_grids(open_app, live: bool = False, **query):
    """The page as a link opens it; `live`: with the interactive map chosen (the switch above
    the map), as the tests of the deck.gl map read it."""
    at = open_app("grids", **query)
    assert not at.exception, [e.value for e in at.exception]
    return interactive_map(at, "grid_map_mode") if live else at


# ------------------------------------------------------------------ what the user sees
def deck(at) -> dict:
    (chart,) = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.json)


def layer(at, layer_id: str) -> dict:
    return next(x for x in deck(at)["layers"] if x["id"] == layer_id)


def selectbox(at, label: str):
    return next(s for s in at.selectbox if s.label == label)


def expected_colour(row) -> tuple:
    """The map colour of a grid, worked out from the documented rules (docs/data-contract.md)
    rather than the chart code:
    grey without a report, green at or above target, amber within 10 points, red below."""
    if not row.reported:
        return GREY
    if row.visit_rate >= row.visit_target:
        return GREEN
    return AMBER if row.visit_rate >= row.visit_target - 0.1 else RED


def label_texts(at) -> list[str]:
    """Every label the page writes (not data such as grid, community or unit names)."""
    out = [
        re.sub(r"^:(?:red|green)\[(.*)\]$", r"\1", e.value)  # a colour is no word
        for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning")
        for e in getattr(at, kind)
    ]
    out += [x for m in at.metric for x in (m.label, m.proto.delta, m.proto.help)]
    out += [s.label for s in at.selectbox] + [s.proto.placeholder for s in at.selectbox]
    out += [str(c) for df in at.dataframe for c in df.value.columns]
    out += [b.proto.label for b in at.get("download_button")]
    for spec in charts(at).values():
        out += [t["name"] for t in spec["data"] if t.get("name")]
        out += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
    if at.get("deck_gl_json_chart"):
        # the map's hover text, without its first two lines (the grid's and zone's names)
        out += ["\n".join(p["tooltip"].split("\n")[2:]) for p in layer(at, "grids")["data"]]
    return [re.sub(r"<[^>]+>", "", t) for t in out if t]  # the legend's markup is not text


# ------------------------------------------------------------------ the county
def test_tiles_show_the_summary(open_app, demo):
    at = open_grids(open_app)
    g, m = metrics.summary(demo)["grids"], metrics.summary(demo)["members"]
    assert (g["total"], g["staffed"], m["reported"]) == (612, 606, 1259)  # the article's figures
    assert tiles(at) == {
        "网格有人包保": i18n.fmt_rate(g["staffed_rate"]),
        "本周入户走访率": i18n.fmt_rate(g["visit_rate"]),
        "网格周报报送率": i18n.fmt_rate(g["reporting_rate"]),
        "下沉党员报到": "1,259",
    }
    assert ":green[达标 · 目标 90%]" in [m.value for m in at.markdown]  # the visit rate
    assert "606 / 612 个网格" in [c.value for c in at.caption]


def test_map_colours_every_grid_by_its_visit_rate(open_app, demo):
    at = open_grids(open_app, live=True)
    grids = metrics.grid_visit_rates(demo).set_index("grid_id")
    polygons = layer(at, "grids")["data"]
    assert len(polygons) == 612 and {p["grid_id"] for p in polygons} == set(grids.index)
    for p in polygons:
        assert tuple(p["colour"][:3]) == expected_colour(grids.loc[p["grid_id"]]), p["grid_id"]
    colours = [tuple(p["colour"][:3]) for p in polygons]
    assert colours.count(GREY) == int((~grids["reported"]).sum()) == 11
    assert {GREEN, AMBER, RED} <= set(colours)


def test_unstaffed_grids_are_outlined(open_app, demo):
    at = open_grids(open_app, live=True)
    grids = metrics.grid_visit_rates(demo)
    outlined = layer(at, "grids-unstaffed")
    assert sorted(p["grid_id"] for p in outlined["data"]) == sorted(grids.loc[~grids["staffed"], "grid_id"])
    assert len(outlined["data"]) == 6 and outlined["pickable"] is False
    assert any("无党员包保（紫色粗边框）" in m.value for m in at.markdown)  # in the legend


def test_map_is_offline_and_labelled(open_app):
    at = open_grids(open_app, live=True)
    spec = deck(at)
    assert "mapProvider" not in spec and "://" not in str(spec.get("mapStyle"))
    ids = [x.get("id") for x in spec["layers"]]
    assert all(ids) and len(ids) == len(set(ids))
    # the base (townships, county, the border and its name, township names), then grids
    assert ids[:6] == ["townships", "county", "border-halo", "border", "border-name", "township-names"]
    names = layer(at, "area-names")
    assert names["characterSet"] == "auto"
    assert sorted(r["label"] for r in names["data"]) == sorted(
        ["娜允社区", "芒街社区", "景信路社区", "新城社区"]
    )
    assert json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["text"] == "{tooltip}"


def test_table_lists_every_grid_worst_first(open_app, demo):
    at = open_grids(open_app)
    table = at.dataframe[-1].value
    assert len(table) == 612
    assert list(table.columns)[:4] == ["网格", "状态", "走访率", "走访户数"]
    grids = metrics.grid_visit_rates(demo)
    not_reported = set(grids.loc[~grids["reported"], "grid_id"])
    assert set(table["网格代码"].head(len(not_reported))) == not_reported
    assert set(table["本周已报送"]) == {"是", "否"}
    assert [b.proto.label for b in at.get("download_button")] == ["下载 CSV", "下载 Excel"]


def test_attention_list_before_a_grid_is_picked(open_app, demo):
    at = open_grids(open_app)
    grids = metrics.grid_visit_rates(demo)
    needs = grids[~grids["reported"] | ~grids["staffed"] | (grids["visit_rate"] < grids["visit_target"])]
    assert f"**需关注的网格：{len(needs)} 个**" in [m.value for m in at.markdown]
    assert len(at.dataframe[0].value) == len(needs)


# ------------------------------------------------------------------ drill-down and one grid
def test_drill_down_to_a_zone_narrows_map_and_table(open_app, demo):
    at = open_grids(open_app, live=True, township="T01")
    areas = metrics.grid_areas(demo, metrics.Scope(township="T01"))
    selectbox(at, "社区").set_value("C02").run()
    in_community = areas.loc[areas["community_id"] == "C02"]
    assert len(layer(at, "grids")["data"]) == in_community["grids"].sum()
    assert sorted(r["label"] for r in layer(at, "area-names")["data"]) == sorted(
        in_community["zone_name"]
    )  # zones named now
    selectbox(at, "片区").set_value("Z09").run()
    assert not at.exception
    n = int(areas.loc[areas["zone_id"] == "Z09", "grids"].iloc[0])
    assert len(layer(at, "grids")["data"]) == len(at.dataframe[-1].value) == n == 22
    assert set(at.dataframe[-1].value["片区"]) == {"芒街社区第二片区"}
    assert f"显示 {n} 个网格 · 点击网格查看详情；滚轮缩放，拖动平移。" in [c.value for c in at.caption]


def test_picking_a_grid_shows_its_figures_and_history(open_app, demo):
    at = open_grids(open_app, township="T01")
    grid = metrics.grid_list(demo, metrics.Scope(township="T01")).set_index("grid_id").loc["G0078"]
    selectbox(at, "网格").set_value("G0078").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["户数"] == i18n.fmt_int(grid["households"])
    assert shown["党员数"] == i18n.fmt_int(grid["members"])
    assert shown["走访率"] == i18n.fmt_rate(grid["visit_rate"])
    assert "娜允社区 · 娜允社区第四片区 · 县委党校" in [c.value for c in at.caption]
    history = metrics.grid_history(demo, metrics.Scope(township="T01"), grid_id="G0078")
    spec = charts(at)["grid_history"]
    assert len(history) == 12 and numbers(spec["data"][0]["y"]) == pytest.approx(list(history["visit_rate"]))
    assert spec["layout"]["shapes"][0]["y0"] == 0.9  # the target line


def test_a_grid_that_never_reported_shows_its_missing_weeks(open_app, demo):
    at = open_grids(open_app)
    selectbox(at, "网格").set_value("G0121").run()
    spec = charts(at)["grid_history"]
    missed = next(t for t in spec["data"] if t.get("name") == "本周未报送")
    assert len(missed["x"]) == 12  # no report in 12 weeks


def test_grid_history_is_scoped_and_bounded(demo):
    assert metrics.grid_history(demo, metrics.Scope(township="T02"), grid_id="G0001").empty  # not in T02
    assert metrics.grid_history(demo, metrics.Scope(), grid_id="nope").empty
    first = metrics.available_weeks(demo)[0]
    early = metrics.grid_history(demo, metrics.Scope(first), grid_id="G0001", weeks=12)
    assert list(early["week_start"]) == [first]  # no weeks before any report


# ------------------------------------------------------------------ townships without grids
@pytest.mark.parametrize(
    "township,lang,sentence",
    [
        ("T06", "zh", "公信乡没有社区网格（网格化管理覆盖娜允镇的 4 个社区）。"),
        ("T03", "en", "Mangxin has no community grids (grid management covers the 4 communities of Nayun)."),
    ],
)
def test_township_without_grids_says_so(open_app, township, lang, sentence):
    at = open_grids(open_app, township=township, lang=lang)
    assert [i.value for i in at.info] == [sentence]
    assert len(at.get("deck_gl_json_chart")) == 0 and len(at.dataframe) == 0
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0


def test_empty_store_says_nothing_is_loaded(open_app, tmp_path):
    at = open_grids(open_app, store=Store(tmp_path / "empty"))
    assert [i.value for i in at.info] == [i18n.t("empty.store")]
    assert len(at.get("deck_gl_json_chart")) == 0


# ------------------------------------------------------------------ language
def english_fragments() -> set[str]:
    """English words of this page's labels, to look for in the Chinese view."""
    out = set()
    for key, (zh, en) in i18n.LABELS.items():
        if key.startswith(("grids.", "map.", "col.", "kpi.")) and zh != en:
            for piece in re.split(r"\{[^}]*\}|\n", en):
                piece = piece.strip(" .,:;()·–—-“”\"'≥%0123456789")
                if len(re.findall(r"[A-Za-z]", piece)) >= 4:
                    out.add(piece)
    return out


@pytest.mark.parametrize("query", [{}, {"township": "T01"}])
def test_chinese_view_has_no_english(open_app, query):
    at = open_grids(open_app, **query)
    selectbox(at, "网格").set_value("G0121").run()  # the detail panel and its chart
    fragments = english_fragments()
    for text in label_texts(at):
        hits = [f for f in fragments if f in text]
        assert not hits, (text, hits)
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"CSV", "Excel"}
        assert not words, text
    assert not [c for c in at.dataframe[-1].value["状态"] if re.search(r"[A-Za-z]", c)]


def test_english_view_has_no_chinese_labels(open_app, demo):
    at = open_grids(open_app, lang="en")
    selectbox(at, "Grid").set_value("G0121").run()
    grids = metrics.grid_list(demo)
    names = sorted(
        {n for col in ("name", "community_name", "zone_name", "unit_name") for n in grids[col].dropna()},
        key=len,
        reverse=True,
    )  # proper names
    for text in label_texts(at):
        for name in names:
            text = text.replace(name, "")
        assert not CJK.search(text), text
    table = at.dataframe[-1].value
    assert not [c for c in table["Status"] if CJK.search(c)]
    assert set(table["Reported"]) == {"Yes", "No"}


def test_names_from_uploaded_files_stay_text(open_app, tmp_path):
    """A township name written as markdown (an outside image) is shown literally, never fetched."""
    import copy

    from dashboard import ingest

    from conftest import TINY, write_county

    county = copy.deepcopy(TINY)
    county["townships"][1]["name"] = "公信乡![x](http://evil.example/x.png)"
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "csv", county)], store, by="tests").ok
    at = open_grids(open_app, store=store, township="T2")
    (info,) = at.info
    assert "![x](http" not in info.value and r"\!\[x\]\(http\:" in info.value


# ------------------------------------------------------------------ many grids (a province)
def test_past_the_map_limit_the_map_shows_townships_and_tables_are_cut(open_app, demo, monkeypatch):
    """With more grids in view than the map can show (the limits are lowered here so the demo
    county passes them), the map has one dot per township coloured by its visit rate, the
    picker asks for a township first, the attention list shows its most serious rows and says
    so, and the table of every grid is not built (the page says why)."""
    from dashboard import ui
    from dashboard.charts import grids as grid_charts

    monkeypatch.setattr(grid_charts, "MAP_MAX_GRIDS", 100)
    monkeypatch.setattr(ui.widgets, "TABLE_MAX_ROWS", 10)
    at = open_grids(open_app)
    # the quick map on load: one dot per township, no grid
    assert len(quick_map_marks(at, "grid-townships")) == grids_per_town(demo) and not quick_map_marks(
        at, "grids"
    )
    interactive_map(at, "grid_map_mode")
    layers = {x["id"] for x in deck(at)["layers"]}
    assert "grids" not in layers and "grid-townships" in layers
    dots = layer(at, "grid-townships")["data"]
    grids = metrics.grid_visit_rates(demo)
    per_town = grids.groupby("township_id")[["households", "households_visited"]].sum()
    assert {d["township_id"] for d in dots} == set(per_town.index)
    for d in dots:
        row = per_town.loc[d["township_id"]]
        rate = row["households_visited"] / row["households"]
        assert i18n.fmt_rate(rate) in d["tooltip"]
        assert tuple(d["colour"][:3]) == (GREEN if rate >= 0.9 else AMBER if rate >= 0.8 else RED)
    assert "网格过多，请先在侧栏选择乡镇，再选择网格。" in [i.value for i in at.info]
    assert not [s for s in at.selectbox if s.label == "网格"]
    # the attention list cut, the table of every grid not built at all (issue 14 §3)
    assert [len(df.value) for df in at.dataframe] == [10]
    notes = [c.value for c in at.caption if c.value.startswith("显示最需关注的前 10 行")]
    assert notes == [
        "显示最需关注的前 10 行（共 {:,} 行）；下载可得全部。".format(
            len(grid_charts.attention_table(metrics.grid_list(demo), "zh"))
        )
    ]
    assert i18n.t("scale.grid_table_skipped", "zh", n="612", max="100") in [i.value for i in at.info]


def grids_per_town(con) -> int:
    return metrics.grid_visit_rates(con)["township_id"].nunique()


# ------------------------------------------------------------------ quick map or interactive map
def test_quick_map_on_load_every_grid_in_its_colour(open_app, demo):
    """On load the page draws the quick map (SVG, no WebGL): every grid once, in the colour of
    its visit rate, the unstaffed outlined; hover tells the figures; the caption says how to
    click a grid (the interactive map) and the picker still opens a grid."""
    at = open_grids(open_app)
    assert not at.get("deck_gl_json_chart")
    grids = metrics.grid_visit_rates(demo).set_index("grid_id")
    names = metrics.grid_list(demo).set_index("name")
    drawn = quick_map_marks(at, "grids")
    assert len(drawn) == 612
    hover = [p.find("{http://www.w3.org/2000/svg}title").text for p in drawn]
    assert sorted(h.split("\n")[0] for h in hover) == sorted(names.index)
    for p, h in zip(drawn, hover, strict=True):
        row = grids.loc[names.loc[h.split("\n")[0], "grid_id"]]
        assert p.get("fill") == "#" + "".join(f"{c:02x}" for c in expected_colour(row)), row.name
    assert len(quick_map_marks(at, "unstaffed")) == 6
    # with a mouse the hover words, on a touch screen the tap words (views/phone.css)
    assert (
        '显示 612 个网格 · <span class="hover-only">鼠标停在图上可看名称和数据</span>'
        '<span class="touch-only">点按图上的点或区域可看名称和数据</span> · '
        "要点击网格查看详情、点击乡镇进入该乡镇、缩放地图，请选上方的“交互地图”"
    ) in [c.value for c in at.caption]
    selectbox(at, "网格").set_value("G0078").run()  # the picker works without the map
    assert not at.exception and "grid_history" in charts(at)
    assert quick_map(at) is not None


def test_interactive_map_on_request_and_back(open_app):
    at = open_grids(open_app, live=True)
    assert quick_map(at) is None and len(layer(at, "grids")["data"]) == 612
    at.session_state["grid_map_mode"] = "static"
    at.run()
    assert not at.get("deck_gl_json_chart") and len(quick_map_marks(at, "grids")) == 612
