"""卡点值守 Checkpoint staffing in AppTest, opened as a link would open it: the tiles show
metrics.summary(), the heatmap (HTML, no Plotly) shows every short or empty hour slot of
the worst checkpoints (all 123 on request), the gap list is metrics.checkpoint_gaps(), the
duty charts add up to the summary, the map colours each checkpoint by its coverage, a township
without checkpoints says so in one sentence, and each language stays in its own."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest

from dashboard import i18n, metrics
from dashboard.charts import maps

from helpers import (
    CJK,
    SVG,
    charts,
    heatmap,
    interactive_map,
    is_quick_map,
    numbers,
    open_boxes,
    page_heatmap,
    quick_map_marks,
    quick_map_texts,
    tiles,
)

NO_GAPS = dt.date(2021, 12, 6)  # the demo's one fully staffed week among the last ten
GREEN, AMBER, RED = (tuple(c) for c in (maps.GOOD, maps.WARN, maps.BAD))


# The charts a leader opens (drawn on request); a test reads them opened unless it says not.
CHART_BOXES = ("show_cp_daily", "checkpoints_border_open")


def open_checkpoints(open_app, opened: bool = True, **query):
    at = open_app("checkpoints", **query)
    assert not at.exception, [e.value for e in at.exception]
    return open_boxes(at, *CHART_BOXES) if opened else at


# ------------------------------------------------------------------ what the user sees
def heat(at) -> tuple[list[str], np.ndarray]:
    """The heatmap's row names (top first) and its state matrix (0 nobody, 1 short, 2 staffed),
    read from the colour and width of its cells."""
    h = page_heatmap(at)
    assert h is not None, "no heatmap"
    return h["names"], h["state"]


def points(at) -> list[dict]:
    (chart,) = at.get("deck_gl_json_chart")
    spec = json.loads(chart.proto.json)
    return next(x for x in spec["layers"] if x["id"] == "checkpoints")["data"]


def label_texts(at) -> list[str]:
    """Every label the page writes (not data such as checkpoint or township names)."""
    out = [
        re.sub(r"^:(?:red|green)\[(.*)\]$", r"\1", e.value)  # a colour is no word
        for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning")
        for e in getattr(at, kind)
        if not is_quick_map(e.value)
        and (kind != "markdown" or heatmap(e.value) is None)  # the heatmap's words: below
    ]
    out += quick_map_texts(at)  # the quick map's hover texts without the checkpoint's name
    out += [x for m in at.metric for x in (m.label, m.proto.delta, m.proto.help)]
    out += [t.label for t in at.toggle]
    h = page_heatmap(at)
    if h:  # its legend and days (the row names are data)
        out += [label for label, _ in h["legend"]] + h["days"]
    out += [str(c) for df in at.dataframe for c in df.value.columns]
    out += [b.proto.label for b in at.get("download_button")]
    for spec in charts(at).values():
        out += [t["name"] for t in spec["data"] if t.get("name")]
        out += [str(x) for t in spec["data"] for x in (t.get("labels") or [])]
        out += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
        out += [
            str(x)
            for axis in ("xaxis", "yaxis")
            for x in spec["layout"].get(axis, {}).get("ticktext", []) or []
        ]
        out += [str(x) for t in spec["data"] if t.get("type") == "bar" for x in t["x"]]
    return [re.sub(r"<[^>]+>", " ", t) for t in out if t]  # markup is not text


# ------------------------------------------------------------------ the county
def test_tiles_show_the_summary(open_app, demo):
    at = open_checkpoints(open_app)
    c = metrics.summary(demo)["checkpoints"]
    assert (c["total"], c["slots"], c["staffed_slots"]) == (123, 20664, 20624)
    assert tiles(at) == {
        "卡点24小时值守覆盖率": i18n.fmt_rate(c["coverage_rate"]),  # 99.8%
        "值守到位时段": "20,624",
        "值守人员工时": i18n.fmt_int(c["staff_hours"]),
        "党员干部工时占比": i18n.fmt_rate(c["party_share"]),
        "测温扫码人次": i18n.fmt_int(c["persons_checked"]),
    }
    short = f"{(1 - c['coverage_rate']) * 100:.1f}".replace(".", "\\.")  # 0.2 points short
    assert f":red[差 {short} 个百分点 · 目标 100%]" in [m.value for m in at.markdown]
    assert at.metric[0].proto.delta == ""  # no arrow says the gap
    gaps = metrics.checkpoint_gaps(demo)
    assert f"{len(gaps)} 处空档，共 {gaps['hours'].sum()} 小时" in [x.value for x in at.caption]
    assert "20,624 / 20,664 个时段" in [x.value for x in at.caption]


def test_heatmap_shows_the_checkpoints_with_gaps_worst_first(open_app, demo):
    at = open_checkpoints(open_app)
    status = metrics.checkpoint_status(demo)
    with_gaps = status[status["gap_hours"] > 0]
    names, z = heat(at)
    assert list(names) == list(with_gaps["name"]) and len(names) == 4
    assert with_gaps["coverage_rate"].is_monotonic_increasing  # worst first
    assert z.shape == (4, 168)
    assert int((z < 2).sum(axis=1)[0]) == int(with_gaps["gap_hours"].iloc[0]) == 16
    hourly = metrics.checkpoint_hourly(demo)
    shown = hourly[hourly["checkpoint_id"].isin(with_gaps["checkpoint_id"])]
    assert int((z == 0).sum()) == int((shown["staff"] == 0).sum())  # nobody on duty
    assert int((z == 1).sum()) == int((~shown["staffed"] & (shown["staff"] > 0)).sum())
    assert "显示有空档的 4 个卡点（共 123 个）。" in [x.value for x in at.caption]
    h = page_heatmap(at)
    assert h["legend"] == [("值守到位", "#c8e6c9"), ("人员不足", "#f9a825"), ("无人值守", "#c62828")]
    assert h["days"][0] == "周一 12-27" and h["days"][6] == "周日 01-02" and len(h["days"]) == 7
    # the first row's 8 empty hours on Monday morning: one cell with what the chart's hover said
    assert (0, 0, 8, "公信乡边境第6卡点\n周一 12-27 00:00–08:00\n在岗 0 人，需 3 人") in h["tips"]
    assert sum(hours for _, _, hours, _ in h["tips"]) == int((z < 2).sum())  # every gap hour has one


def test_show_all_draws_every_checkpoint(open_app, demo):
    at = open_checkpoints(open_app)
    at.toggle(key="cp_show_all").set_value(True).run()
    assert not at.exception
    names, z = heat(at)
    assert len(names) == 123 and z.shape == (123, 168)
    assert int((z == 2).sum()) == metrics.summary(demo)["checkpoints"]["staffed_slots"]
    assert page_heatmap(at)["row_px"] >= 16  # tall, readable


def test_gap_list_is_the_metrics_gap_list(open_app, demo):
    at = open_checkpoints(open_app)
    gaps = metrics.checkpoint_gaps(demo)
    table = at.dataframe[0].value
    assert list(table.columns) == ["卡点", "乡镇", "空档开始", "空档结束", "小时数", "缺员人数"]
    assert len(table) == len(gaps) == 5
    assert sorted(zip(table["卡点"], table["小时数"], table["缺员人数"], strict=False)) == sorted(
        zip(gaps["name"], gaps["hours"], gaps["shortfall"], strict=False)
    )
    assert set(table["乡镇"]) == {"娜允镇", "公信乡"}
    # the gap list's downloads, then those of the distance-to-border list
    assert [b.proto.label for b in at.get("download_button")] == ["下载 CSV", "下载 Excel"] * 2


def test_duty_charts_add_up_to_the_summary(open_app, demo):
    at = open_checkpoints(open_app)
    c = metrics.summary(demo)["checkpoints"]
    pie = charts(at)["cp_composition"]["data"][0]
    assert pie["labels"] == ["党员干部", "单位网格员", "志愿者"]
    values = numbers(pie["values"])
    assert sum(values) == pytest.approx(c["staff_hours"])
    assert values[0] / sum(values) == pytest.approx(c["party_share"])
    bars = charts(at)["cp_checked"]["data"][0]
    assert sum(numbers(bars["y"])) == c["persons_checked"]
    assert len(bars["x"]) == 7 and bars["x"][0] == "周一<br>12-27"


def test_map_colours_each_checkpoint_by_its_coverage(open_app, demo):
    at = open_checkpoints(open_app)
    status = metrics.checkpoint_status(demo).set_index("name")
    dots = quick_map_marks(at, "checkpoints")  # the quick map, on load
    assert len(dots) == 123 and not at.get("deck_gl_json_chart")
    for d in dots:
        rate = status.loc[d.find(SVG + "title").text.split("\n")[0], "coverage_rate"]
        expected = GREEN if rate >= 1 else AMBER if rate >= 0.9 else RED
        assert d.get("fill") == "#" + "".join(f"{c:02x}" for c in expected), d.get("cx")
    interactive_map(at, "cp_map_mode")  # the interactive map, on request
    status = metrics.checkpoint_status(demo).set_index("checkpoint_id")
    data = points(at)
    assert len(data) == 123
    for p in data:
        rate = status.loc[p["checkpoint_id"], "coverage_rate"]
        expected = GREEN if rate >= 1 else AMBER if rate >= 0.9 else RED
        assert tuple(p["colour"][:3]) == expected, p["checkpoint_id"]
    assert [tuple(p["colour"][:3]) for p in data].count(AMBER) == 4
    (chart,) = at.get("deck_gl_json_chart")
    spec = json.loads(chart.proto.json)
    assert "mapProvider" not in spec and "://" not in str(spec.get("mapStyle"))
    assert all(layer.get("id") for layer in spec["layers"])


def test_fully_staffed_week_says_so(open_app, demo):
    at = open_checkpoints(open_app, week=NO_GAPS.isoformat())
    assert metrics.checkpoint_gaps(demo, metrics.Scope(NO_GAPS)).empty
    assert tiles(at)["卡点24小时值守覆盖率"] == "100.0%"
    assert [s.value for s in at.success] == ["本周所有卡点全时段值守到位。", "本周没有值守空档。"]
    assert page_heatmap(at) is None
    assert [list(df.value.columns) for df in at.dataframe] == [["乡镇", "卡点", "卡点类别", "距边境（公里）"]]


# ------------------------------------------------------------------ township scope
def test_border_township(open_app, demo):
    at = open_checkpoints(open_app, township="T06")
    c = metrics.summary(demo, metrics.Scope(township="T06"))["checkpoints"]
    assert c["total"] == 8
    assert tiles(at)["卡点24小时值守覆盖率"] == i18n.fmt_rate(c["coverage_rate"])
    assert len(quick_map_marks(at, "checkpoints")) == 8
    assert "乡镇" not in at.dataframe[0].value.columns  # one township: no column
    names, _ = heat(at)
    assert all(n.startswith("公信乡边境") for n in names)


@pytest.mark.parametrize(
    "township,lang,sentence",
    [
        ("T03", "zh", "芒信镇没有卡点（卡点设在娜允镇、公信乡）。"),
        ("T05", "en", "Jingxin has no checkpoints (the checkpoints are in Nayun, Gongxin)."),
    ],
)
def test_township_without_checkpoints_says_so(open_app, demo, township, lang, sentence):
    at = open_checkpoints(open_app, township=township, lang=lang)
    assert metrics.summary(demo, metrics.Scope(township=township))["checkpoints"]["coverage_rate"] is None
    assert [i.value for i in at.info] == [sentence]
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0  # no chart, no "0%"
    assert len(at.get("deck_gl_json_chart")) == 0 and len(at.dataframe) == 0


def test_daily_duty_adds_up_for_every_scope(demo):
    for township in (None, "T01", "T06", "T03"):
        s = metrics.summary(demo, metrics.Scope(township=township))["checkpoints"]
        daily = metrics.checkpoint_daily(demo, metrics.Scope(township=township))
        hours = daily[["party_hours", "unit_hours", "volunteer_hours"]].to_numpy().sum()
        assert len(daily) == 7 and hours == pytest.approx(s["staff_hours"])
        assert daily["persons_checked"].sum() == s["persons_checked"]
        status = metrics.checkpoint_status(demo, metrics.Scope(township=township))
        assert status["staffed_slots"].sum() == s["staffed_slots"]


# ------------------------------------------------------------------ language
def english_fragments() -> set[str]:
    out = set()
    for key, (zh, en) in i18n.LABELS.items():
        if key.startswith(("cp.", "map.", "col.", "kpi.")) and zh != en:
            for piece in re.split(r"\{[^}]*\}|\n|<br>", en):
                piece = piece.strip(" .,:;()·–—-“”\"'≥%0123456789")
                if len(re.findall(r"[A-Za-z]", piece)) >= 4:
                    out.add(piece)
    return out


@pytest.mark.parametrize("query", [{}, {"township": "T06"}])
def test_chinese_view_has_no_english(open_app, query):
    at = open_checkpoints(open_app, **query)
    fragments = english_fragments()
    for text in label_texts(at):
        assert not [f for f in fragments if f in text], text
        assert not set(re.findall(r"[A-Za-z]{2,}", text)) - {"CSV", "Excel"}, text
    tip = page_heatmap(at)["tips"][0][3]
    slot = r"周[一二三四五六日] \d\d-\d\d \d\d:00–\d\d:00"
    assert re.fullmatch(rf"[^A-Za-z]*\n{slot}\n在岗 \d+ 人，需 \d+ 人", tip)


def test_english_view_has_no_chinese_labels(open_app, demo):
    at = open_checkpoints(open_app, lang="en")
    for text in label_texts(at):
        assert not CJK.search(text), text
    table = at.dataframe[0].value
    assert list(table.columns) == ["Checkpoint", "Township", "Gap from", "Gap until", "Hours", "Short by"]
    assert set(table["Township"]) == {"Nayun", "Gongxin"}
    h = page_heatmap(at)
    assert h["tips"][0][3].split("\n", 1)[1] == "Mon 27 Dec 00:00–08:00\n0 on duty, 3 needed"
    assert h["legend"][0][0] == "Staffed" and h["days"][0] == "Mon 27 Dec"


# ------------------------------------------------------------------ many checkpoints
def test_heatmap_past_its_row_limit_draws_the_worst_and_says_so(open_app, demo, monkeypatch):
    """A province has thousands of checkpoints: the heatmap draws only the worst covered ones
    (the limit is lowered here so the demo county passes it) and says how many it leaves out;
    the gap list below still has every gap."""
    from dashboard.charts import checkpoints as cp_charts

    monkeypatch.setattr(cp_charts, "HEATMAP_MAX_ROWS", 2)
    status = metrics.checkpoint_status(demo)
    with_gaps = status[status["gap_hours"] > 0]
    assert len(with_gaps) == 4
    at = open_checkpoints(open_app)
    names, z = heat(at)
    assert names == list(with_gaps["name"][:2]) and z.shape == (2, 168)
    assert "显示覆盖最差的 2 个卡点（有空档的共 4 个）；全部空档见下方空档清单。" in [
        c.value for c in at.caption
    ]
    assert len(at.dataframe[0].value) == len(metrics.checkpoint_gaps(demo))

    at.toggle(key="cp_show_all").set_value(True).run()
    names, z = heat(at)
    assert names == list(status["name"][:2])
    assert "显示覆盖最差的 2 个卡点（共 123 个）；全部空档见下方空档清单。" in [c.value for c in at.caption]


def test_hourly_slots_can_be_asked_for_a_few_checkpoints(demo):
    every = metrics.checkpoint_hourly(demo)
    few = metrics.checkpoint_hourly(demo, checkpoints=("CP121", "CP051"))
    assert sorted(set(few["checkpoint_id"])) == ["CP051", "CP121"] and len(few) == 2 * 168
    assert few.reset_index(drop=True).equals(
        every[every["checkpoint_id"].isin(["CP051", "CP121"])].reset_index(drop=True)
    )
    assert metrics.checkpoint_hourly(demo, checkpoints=()).empty


def test_distance_to_the_border(open_app, demo):
    """Every checkpoint with its distance to the China–Myanmar border: the border
    checkpoints of 公信乡 within a few km, the county seat's compounds far inland;
    nearest first on request."""
    at = open_checkpoints(open_app)
    table = at.dataframe[-1].value
    assert list(table.columns) == ["乡镇", "卡点", "卡点类别", "距边境（公里）"]
    assert len(table) == 123
    km = dict(zip(table["卡点"], table["距边境（公里）"], strict=False))
    border = [n for n in km if n.startswith("公信乡边境")]
    assert len(border) == 8 and all(0.3 < km[n] < 5 for n in border)
    assert all(15 < km[n] < 30 for n in km if n not in border)
    assert list(table["乡镇"]) == sorted(table["乡镇"])  # by township, then name
    at.toggle(key="checkpoints_border_sort").set_value(True).run()
    table = at.dataframe[-1].value
    assert list(table["距边境（公里）"]) == sorted(table["距边境（公里）"])
    assert set(table["卡点"].head(8)) == set(border)


def test_map_draws_the_county_and_the_border(open_app):
    """Under the checkpoints: township outlines, the county's outline, the border as dashes
    named 中缅边境; the view fits the whole county (not just the checkpoints)."""
    at = interactive_map(open_checkpoints(open_app), "cp_map_mode")
    (chart,) = at.get("deck_gl_json_chart")
    spec = json.loads(chart.proto.json)
    ids = [x["id"] for x in spec["layers"]]
    assert ids.index("county") < ids.index("border") < ids.index("checkpoints")
    border = next(x for x in spec["layers"] if x["id"] == "border")
    assert border["getColor"] == [139, 0, 0] and len(border["data"]) > 30  # dashed
    name = next(x for x in spec["layers"] if x["id"] == "border-name")
    assert [r["label"] for r in name["data"]] == ["中缅边境"]
    view = spec["initialViewState"]
    # the county spans 99.16-99.76 E, 22.09-22.53 N
    assert 99.40 < view["longitude"] < 99.52 and 22.25 < view["latitude"] < 22.37
    assert 9 < view["zoom"] < 10.2


def test_duty_charts_are_sent_only_when_opened(open_app):
    # no Plotly chart on load: the heatmap is HTML, the two below the map are drawn on request
    at = open_checkpoints(open_app, opened=False)
    assert set(charts(at)) == set() and page_heatmap(at) is not None
    assert [e.label for e in at.expander] == [
        "列表（123 个卡点，可下载；点击展开）",  # the distances to the border, a list sent when opened
        "值守力量构成与每日测温扫码人次图（点击展开）",
    ]
    assert [list(df.value.columns) for df in at.dataframe] == [
        ["卡点", "乡镇", "空档开始", "空档结束", "小时数", "缺员人数"]
    ]
    open_boxes(at, "show_cp_daily")
    assert set(charts(at)) == {"cp_composition", "cp_checked"}
    at.sidebar.selectbox[0].set_value("T06").run()  # a filter change keeps it open
    assert not at.exception and {"cp_composition", "cp_checked"} <= set(charts(at))
