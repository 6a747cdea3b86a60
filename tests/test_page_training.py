"""培训宣讲 Training in AppTest, opened as a link would open it: sessions (期/场次), person-times
(人次) and distinct people (人) as metrics.summary() and training_people() give them, never one
for another; targets only where the scope has them; charts by kind, month and township
(county-level activities as 县级); the year's activities with export; empty scopes said in words."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from dashboard import contract, demo, i18n, ingest, metrics
from dashboard.store import Store

from conftest import TINY, write_county
from helpers import CJK, charts, is_bars, numbers, open_boxes, progress_bars, tiles

EARLY = dt.date(2021, 6, 7)


@pytest.fixture(scope="module")
def con(demo_store):
    c = demo_store.connect()
    yield c
    c.close()


@pytest.fixture(scope="module")
def no_attendance_store(tmp_path_factory) -> Store:
    """The demo county without its attendance lists (training_attendance)."""
    base = tmp_path_factory.mktemp("no_attendance")
    demo.generate(base / "csv")
    (base / "csv" / "training_attendance.csv").unlink()
    store = Store(base / "store")
    assert ingest.load([base / "csv"], store, by="tests").ok
    return store


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> Store:
    """conftest.TINY, its one training (county-level) moved into its one week with data
    (2021-05-03): the county held 1 session for 120; 娜允镇 (T1) and 公信乡 (T2) held none."""
    base = tmp_path_factory.mktemp("tiny_county")
    county = dict(TINY, trainings=[dict(TINY["trainings"][0], held_on="2021-05-04")])
    store = Store(base / "store")
    assert ingest.load([write_county(base / "csv", county)], store, by="tests").ok
    return store


def open_training(open_app, opened: bool = True, **query):
    """The training page; `opened`: with the list of activities opened (it is sent on request)."""
    at = open_app("training", **query)
    assert not at.exception, [e.value for e in at.exception]
    return open_boxes(at, LIST_BOX) if opened else at


CHARTS_BOX = "show_training_charts"
LIST_BOX = "show_activities"


def open_charts(at):
    """Open the by-month / by-township box, as a leader clicking on it does."""
    return open_boxes(at, CHARTS_BOX)


def progress(at) -> dict[str, dict[str, tuple[str, str, int]]]:
    """The progress bars, sessions (left) then person-times (right): measure -> kind ->
    ("done / target (share)" as read, its tone good / warn / none, how full the bar is in %)."""
    out = [(kind, (said, tone, full)) for kind, said, tone, full in progress_bars(at)]
    n = len(contract.TRAINING_KINDS)
    assert len(out) == 2 * n
    return {"sessions": dict(out[:n]), "attendees": dict(out[n:])}


# ------------------------------------------------------------------ what the user sees
def details(at) -> list[str]:
    return [c.value for c in at.caption]


def bars(spec: dict, axis: str) -> dict[str, list]:
    """Bar trace name -> its values along `axis`."""
    return {t["name"]: numbers(t[axis]) for t in spec["data"] if t.get("type") == "bar"}


def label_texts(at) -> list[str]:
    """Every label the page writes (not data such as activity titles)."""
    out = [
        e.value
        for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning")
        for e in getattr(at, kind)
        if not is_bars(e.value)  # the bars' words: progress_bars
    ]
    out += [x for m in at.metric for x in (m.label, m.value, m.proto.delta)]
    out += [w.label for w in at.radio if w.label != i18n.t("filter.lang")]
    out += [o for w in at.radio if w.label != i18n.t("filter.lang") for o in w.options]
    out += [str(c) for df in at.dataframe for c in df.value.columns]
    out += [b.proto.label for b in at.get("download_button")]
    out += [e.label for e in at.expander]
    out += [x for kind, said, _, _ in progress_bars(at) for x in (kind, said)]
    for spec in charts(at).values():
        for trace in spec["data"]:
            out += [trace.get("name") or ""]
            for axis in ("x", "y"):
                values = trace.get(axis)
                if isinstance(values, list):
                    out += [v for v in values if isinstance(v, str) and not v[:1].isdigit()]
        for axis in ("xaxis", "yaxis"):
            out += [spec["layout"].get(axis, {}).get("title", {}).get("text", "")]
    return [t for t in out if t]


# ------------------------------------------------------------------ the county, latest week
def test_county_tiles_are_the_summary(open_app, con):
    at = open_training(open_app)
    s = metrics.summary(con)["training"]
    people = metrics.training_people(con)
    # the article's figures: 24 party-school classes for 2,880, 2 border classes for 252
    assert (s["party_school"], s["border_training"]) == (
        {"sessions": 24, "attendees": 2880},
        {"sessions": 2, "attendees": 252},
    )
    assert tiles(at) == {
        "培训宣讲期（场）次（年度累计）": i18n.fmt_int(s["sessions"]),
        "培训宣讲参加人次（年度累计）": i18n.fmt_int(s["attendees"]),
        "参训党员（人，不重复计）": f"{i18n.fmt_int(s['distinct_members'])} 人",
    }
    assert tiles(at)["参训党员（人，不重复计）"] == "240 人"
    assert (people["activities_recorded"], people["attendance_records"]) == (2, 252)
    assert "据 2 项活动的参训记录（252 人次）" in details(at)


def test_county_progress_bars(open_app, con):
    at = open_training(open_app)
    shown = progress(at)
    s = metrics.summary(con)["training"]
    kinds = contract.TRAINING_KINDS
    for measure in ("sessions", "attendees"):
        assert list(shown[measure]) == [name for name, _ in kinds.values()]
        for code, (name, _) in kinds.items():  # the figure, read first
            assert shown[measure][name][0].split(" ")[0] == f"{s[code][measure]:,}"
    assert shown["sessions"]["党校培训"] == ("24 / 24 (100%)", "good", 100)
    assert shown["sessions"]["政策宣讲"][0].split(" / ")[1].startswith("218 ")


def test_page_sends_no_plotly_chart_until_the_charts_are_opened(open_app):
    # plotly.js costs the browser ~0.7 s per visit: the page sends none on load
    at = open_training(open_app, opened=False)
    assert at.get("plotly_chart") == [] and at.dataframe == []  # nor the long list
    assert [e.label for e in at.expander] == [
        "按月、按乡镇开展情况图（点击展开）",
        "活动清单（405 项，可下载；点击展开）",
    ]
    assert set(charts(open_charts(at))) == {"training_by_month", "training_by_township"}


def test_by_township_shows_county_level_activities_as_such(open_app, con):
    at = open_charts(open_training(open_app))
    spec = charts(at)["training_by_township"]
    labels = next(t["y"] for t in spec["data"] if t.get("type") == "bar")
    assert labels[-1] == "县级"  # on top
    assert set(labels) == {"县级", "娜允镇", "勐马镇", "芒信镇", "富岩镇", "景信乡", "公信乡"}
    per_place = np.sum([v for v in bars(spec, "x").values()], axis=0).tolist()
    by_place = dict(zip(labels, per_place, strict=False))
    rows = metrics.training_by_township(con)
    assert by_place["县级"] == rows.loc[rows["township_id"].isna(), "sessions"].sum() == 26
    assert sum(per_place) == metrics.summary(con)["training"]["sessions"]


def test_by_month_switches_between_sessions_and_person_times(open_app, con):
    at = open_charts(open_training(open_app))
    month_rows = metrics.training_by_kind_month(con)
    sessions = bars(charts(at)["training_by_month"], "y")
    assert sum(map(sum, sessions.values())) == month_rows["sessions"].sum()
    radio = next(r for r in at.radio if r.label == "统计口径")
    assert radio.options == ["期（场）次", "人次"]
    radio.set_value("attendees").run()
    assert not at.exception
    attendees = bars(charts(at)["training_by_month"], "y")
    assert sum(map(sum, attendees.values())) == month_rows["attendees"].sum()
    assert set(attendees) == {contract.TRAINING_KINDS[k][0] for k in month_rows["kind"]}


def test_activities_table_and_export(open_app, con):
    at = open_training(open_app)
    activities = metrics.training_activities(con)
    (table,) = at.dataframe
    assert len(table.value) == len(activities) == 405
    assert list(table.value["活动编号"]) == list(activities["activity_id"])
    assert set(table.value["乡镇"]) >= {"县级", "公信乡"}
    assert set(table.value["类别"]) == {v[0] for v in contract.TRAINING_KINDS.values()}
    assert [b.proto.label for b in at.get("download_button")] == ["下载 CSV", "下载 Excel"]


# ------------------------------------------------------------------ a township
def test_township_gets_only_its_own_targets(open_app, con):
    # 勐马镇 has no targets of its own: the county's 218 outreach sessions are not its target
    at = open_training(open_app, township="T02")
    s = metrics.summary(con, metrics.Scope(township="T02"))["training"]
    assert tiles(at)["培训宣讲期（场）次（年度累计）"] == i18n.fmt_int(s["sessions"])
    assert not any(
        k.startswith("training.") for k in metrics.targets(con, metrics.Scope(township="T02"), year=2021)
    )
    assert all("/" not in text and tone == "none" for text, tone, _ in progress(at)["sessions"].values())
    assert "training_by_township" not in charts(open_charts(at))
    assert i18n.t("training.county_note") in details(at)


def test_township_with_its_own_target(open_app, con):
    # 公信乡 has its own 火塘夜校 target (40), and nothing else
    at = open_training(open_app, township="T06")
    with_target = {kind: text for kind, (text, _, _) in progress(at)["sessions"].items() if "/" in text}
    assert list(with_target) == ["火塘夜校"] and with_target["火塘夜校"].startswith("40 / 40 ")


def test_township_without_attendance_lists_shows_no_people_count(open_app, con):
    at = open_training(open_app, township="T02")
    people = metrics.training_people(con, metrics.Scope(township="T02"))
    assert people["distinct_members"] == 0 and people["activities_recorded"] == 0
    assert tiles(at)["参训党员（人，不重复计）"] == "—"  # not "0 人"
    assert i18n.t("training.no_attendance_here") in details(at)


def test_early_week(open_app, con):
    at = open_charts(open_training(open_app, week=EARLY.isoformat(), lang="en"))
    s = metrics.summary(con, metrics.Scope(EARLY))["training"]
    assert tiles(at)["Training sessions (year to date)"] == i18n.fmt_int(s["sessions"], "en") == "174"
    assert tiles(at)["Training person-times (year to date)"] == "10,881"
    months = next(t["x"] for t in charts(at)["training_by_month"]["data"] if t.get("type") == "bar")
    assert months == ["Feb", "Mar", "Apr", "May", "Jun"]


def test_no_attendance_loaded_says_so(open_app, no_attendance_store):
    at = open_training(open_app, store=no_attendance_store)
    assert tiles(at)["参训党员（人，不重复计）"] == "未载入参训记录"
    assert i18n.t("training.no_attendance_detail") in details(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_township_without_trainings_says_so(open_app, tiny_store, lang):
    at = open_training(open_app, store=tiny_store, township="T2", lang=lang)
    place = "公信乡" if lang == "zh" else "Gongxin"
    assert [i.value for i in at.info] == [i18n.t("training.none", lang, township=place)]
    assert len(at.metric) == 0 and len(at.get("plotly_chart")) == 0


def test_county_level_training_counts_only_county_wide(open_app, tiny_store):
    at = open_training(open_app, store=tiny_store)
    assert (
        tiles(at)["培训宣讲期（场）次（年度累计）"] == "1"
        and tiles(at)["培训宣讲参加人次（年度累计）"] == "120"
    )
    assert set(at.dataframe[0].value["乡镇"]) == {"县级"}


# ------------------------------------------------------------------ language
def english_fragments() -> set[str]:
    """English words of this page's labels and of the training kinds."""
    texts = [en for key, (zh, en) in i18n.LABELS.items() if key.startswith("training.") and zh != en]
    texts += [en for _, en in contract.TRAINING_KINDS.values()]
    out = set()
    for text in texts:
        for piece in re.split(r"\{[^}]*\}", text):
            piece = piece.strip(" .,:;()·–—-“”\"'")
            if len(re.findall(r"[A-Za-z]", piece)) >= 4:
                out.add(piece)
    return out


@pytest.mark.parametrize("query", [{}, {"township": "T06"}])
def test_chinese_view_has_no_english(open_app, query):
    at = open_charts(open_training(open_app, **query))
    texts = label_texts(at) + [str(v) for col in ("乡镇", "类别") for v in at.dataframe[0].value[col]]
    fragments = english_fragments()
    assert "County level" in fragments and "Fireside night school" in fragments
    assert sorted({f for f in fragments for t in texts if f in t}) == []


def test_english_view_has_no_chinese_labels(open_app):
    at = open_charts(open_training(open_app, lang="en"))
    assert [t.value for t in at.title] == ["Training · Whole county"]
    assert tiles(at)["Members trained (people, each once)"] == "240 people"
    assert [t for t in label_texts(at) if CJK.search(t)] == []
    table = at.dataframe[0].value
    for column in ("Township", "Kind"):
        assert not any(CJK.search(str(v)) for v in table[column]), column
    assert "County level" in set(table["Township"])


# ------------------------------------------------------------------ against the year's target
@pytest.fixture(scope="module")
def year_target_store(tmp_path_factory) -> Store:
    """conftest.TINY with its one training in May, and a target of 10 sessions for 2021."""
    base = tmp_path_factory.mktemp("year_target")
    county = dict(
        TINY,
        trainings=[dict(TINY["trainings"][0], held_on="2021-05-04")],
        targets=TINY["targets"] + [dict(metric="training.sessions", year=2021, township_id="", target=10)],
    )
    store = Store(base / "store")
    assert ingest.load([write_county(base / "csv", county)], store, by="tests").ok
    return store


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_years_target_not_yet_reached_reads_as_progress_not_failure(open_app, year_target_store, lang):
    """In May 1 of the year's 10 sessions is held: the tile says how much of it is done, in
    amber ("完成10%"), never the red "差 9 …" of a target missed."""
    at = open_training(open_app, store=year_target_store, lang=lang)
    lines = [m.value for m in at.markdown if re.fullmatch(r":\w+\[.*\]", m.value)]
    done = i18n.t("report.status.share", lang, share="10%")
    assert any(v.startswith(":orange[") and i18n.md_escape(done) in v for v in lines), lines
    assert not any(v.startswith(":red[") for v in lines), lines
