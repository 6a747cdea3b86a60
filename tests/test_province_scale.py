"""A province's hundreds of townships on screen: by-township charts show the 30 weakest and say
so, tiles shorten figures of seven digits or more (206.2万 / 2.06 M), the township picker
filters as one types and says so, and the grids page does not build the table of every grid
past the map's limit."""

from __future__ import annotations

import base64
import copy
import json

import numpy as np
import pytest
from streamlit.proto.SelectWidgetFilterMode_pb2 import FILTER_MODE_CONTAINS

from dashboard import contract, i18n, ingest, kpis, metrics
from dashboard.charts import branches as branch_charts
from dashboard.charts import common
from dashboard.charts import training as training_charts
from dashboard.store import Store

from conftest import TINY, write_county
from helpers import open_boxes

TOWNSHIPS = 40  # more than the 30 a by-township chart shows
FAILING = {f"P{i:02d}" for i in range(1, TOWNSHIPS + 1) if i % 3 == 0}  # 13 townships


# ------------------------------------------------------------------ compact figures
@pytest.mark.parametrize(
    "value, zh, en",
    [
        (999_999, "999,999", "999,999"),  # six digits fit: in full
        (1_000_000, "100万", "1 M"),
        (2_062_345, "206.2万", "2.06 M"),
        (32_432_110, "3243.2万", "32.4 M"),
        (123_456_789, "1.23亿", "123 M"),
        (99_999_999, "1亿", "100 M"),  # rounding carries to the next unit
        (999_960_000, "10亿", "1 B"),
        (-2_062_345, "-206.2万", "-2.06 M"),
        (5_540_800.0, "554.1万", "5.54 M"),
        (None, "—", "—"),
        (float("nan"), "—", "—"),
    ],
)
def test_fmt_compact(value, zh, en):
    assert i18n.fmt_compact(value, "zh") == zh
    assert i18n.fmt_compact(value, "en") == en


def test_fmt_compact_threshold():
    assert i18n.fmt_compact(12_345, "zh", digits=5) == "1.2万"
    assert i18n.fmt_compact(12_345, "zh") == "12,345"


def test_tiles_shorten_a_province_figure():
    """The overview's and meeting screen's tiles (kpis.value_text) at a province's scale."""
    s = {
        "training": {"sessions": 52_000, "attendees": 3_407_552},
        "checkpoints": {"persons_checked": 32_432_110},
    }
    assert kpis.value_text(kpis.BY_KEY["attendees"], s, "zh") == "340.8万"
    assert kpis.value_text(kpis.BY_KEY["attendees"], s, "en") == "3.41 M"
    assert kpis.value_text(kpis.BY_KEY["sessions"], s, "zh") == "52,000"


# ------------------------------------------------------------------ many townships
def province() -> dict:
    """conftest.TINY with TOWNSHIPS townships P01..P40, one branch and one training each in
    TINY's week (3-9 May 2021); the branches of FAILING fail one criterion (0% compliant),
    the others pass all (TINY's own branch, in 公信乡, is assessed later: 0% this week)."""
    data = copy.deepcopy(TINY)
    towns, branches, assessments, trainings = [], [], [], []
    for i in range(1, TOWNSHIPS + 1):
        tid = f"P{i:02d}"
        towns.append(
            dict(
                township_id=tid,
                name=f"测试乡{i:02d}",
                name_en=f"Ceshi {i:02d}",
                lon=99.5 + i * 0.01,
                lat=22.3,
                is_border="true",
            )
        )
        bid = f"PB{i:02d}"
        branches.append(
            dict(
                branch_id=bid,
                township_id=tid,
                village=f"村{i:02d}",
                group_name="一组",
                name=f"测试{i:02d}村党支部",
                on_border_line="Y",
                party_members=10,
                is_model="N",
                link_county_leader=1,
                link_unit=1,
                link_township=1,
                link_village_team=1,
                lon=99.5 + i * 0.01,
                lat=22.3,
            )
        )
        for k, criterion in enumerate(contract.CRITERIA):
            assessments.append(
                dict(
                    branch_id=bid,
                    assessed_on="2021-05-04",
                    criterion=criterion,
                    passed="false" if tid in FAILING and k == 0 else "true",
                    note="",
                )
            )
        trainings.append(
            dict(
                activity_id=f"PA{i:02d}",
                held_on="2021-05-04",
                township_id=tid,
                kind="party_lecture",
                title="宣讲",
                sessions=i,
                attendees=10 * i,
            )
        )
    data["townships"] += towns
    data["branches"] += branches
    data["branch_assessments"] += assessments
    data["trainings"] += trainings
    return data


@pytest.fixture(scope="module")
def province_store(tmp_path_factory) -> Store:
    base = tmp_path_factory.mktemp("province")
    store = Store(base / "store")
    result = ingest.load([write_county(base / "csv", province())], store, by="tests")
    assert result.ok, "\n".join(map(str, result.errors))
    return store


def numbers(values) -> list:
    """A plotly array: a list, or numbers packed as {"dtype": ..., "bdata": base64}."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def bars(spec: dict) -> list[str]:
    """The bar labels (y categories) of a horizontal bar chart's first trace."""
    return list(spec["data"][0]["y"])


def test_compliance_chart_shows_the_30_weakest(open_app, province_store):
    at = open_boxes(open_app("branches", store=province_store), "show_compliance_by_township")
    spec = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if c.proto.id.endswith("compliance_by_township")
    )
    shown = bars(spec)
    assert len(shown) == common.MAX_TOWNSHIPS
    # the 14 townships at 0% are on top (plotly lists bars from the bottom), then 16 at 100%
    zero = {f"测试乡{t[1:]}" for t in FAILING} | {"公信乡"}
    assert set(shown[-len(zero) :]) == zero
    assert numbers(spec["data"][0]["x"])[-len(zero) :] == [0] * len(zero)
    assert set(numbers(spec["data"][0]["x"])[: -len(zero)]) == {1}
    total = TOWNSHIPS + 1  # TINY's 公信乡 has a branch too
    assert spec["layout"]["title"]["text"] == i18n.t("weakest.compliance", "zh", n=30, total=total)


def test_compliance_chart_note_in_english(province_store):
    con = province_store.connect()
    try:
        df = metrics.compliance_by_township(con)
        towns = metrics.townships(con)
    finally:
        con.close()
    fig = branch_charts.compliance_by_township(df, towns, 1.0, "en")
    assert len(fig.data[0].y) == 30
    assert fig.layout.title.text == f"Only the 30 townships with the lowest compliance shown (of {len(df)})"
    # the meeting screen's chart has room for 8
    screen = branch_charts.compliance_by_township(df, towns, 1.0, "en", most=8)
    assert len(screen.data[0].y) == 8 and screen.layout.title.text.startswith("Only the 8 ")
    # a county's few townships: all of them, no note
    few = branch_charts.compliance_by_township(df.head(6), towns, 1.0, "en")
    assert len(few.data[0].y) == 6 and not few.layout.title.text


def test_training_chart_shows_the_30_fewest(province_store):
    con = province_store.connect()
    try:
        df = metrics.training_by_township(con)
        towns = metrics.townships(con)
    finally:
        con.close()
    fig = training_charts.by_township(df, towns, "sessions", "zh")
    shown = list(fig.data[0].y)
    assert len(shown) == 30
    # P01 held 1 session, P02 2, ...; T1, T2 none: the 30 fewest are T1, T2 and P01..P28
    names = dict(zip(towns["township_id"], towns["name"], strict=False))
    assert set(shown) == {names["T1"], names["T2"], *(f"测试乡{i:02d}" for i in range(1, 29))}
    assert shown[-1] in (names["T1"], names["T2"])  # none at all: on top
    assert fig.layout.title.text == i18n.t(
        "weakest.training", "zh", n=30, total=len(towns), measure="期（场）次"
    )


def test_township_picker_filters_as_one_types(open_app, province_store):
    at = open_app("overview", store=province_store)
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="_w_township")
    assert len(picker.options) == 1 + TOWNSHIPS + 2
    assert picker.proto.filter_mode == FILTER_MODE_CONTAINS  # any part of the name
    assert picker.help == i18n.t("scale.township_search", "zh")
    picker.select("P07").run()
    assert "测试乡07" in at.title[0].value


def test_grid_table_not_built_past_the_map_limit(open_app, monkeypatch):
    """Past MAP_MAX_GRIDS grids in view (a province), the page says why there is no table of
    every grid; a township's view has it."""
    from dashboard.charts import grids as grid_charts

    monkeypatch.setattr(grid_charts, "MAP_MAX_GRIDS", 100)  # the demo county has 612
    built = []
    real = grid_charts.grid_table
    monkeypatch.setattr(
        grid_charts, "grid_table", lambda grids, lang: built.append(len(grids)) or real(grids, lang)
    )
    at = open_app("grids")
    assert not at.exception, [e.value for e in at.exception]
    said = i18n.t("scale.grid_table_skipped", "zh", n="612", max="100")
    assert said in [i.value for i in at.info]
    assert max(built, default=0) < 612  # only the attention list, never all the grids
