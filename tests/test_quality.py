"""Data quality warnings (issue 10 §3): rows a load accepts that someone should fix, named by
kind, scoped by township, shown on the data page and counted in the weekly briefing."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from dashboard import i18n, ingest, quality, report
from dashboard.store import Store

from conftest import TINY, write_county
from helpers import app

WEEK = dt.date(2021, 5, 3)
LATER = dt.date(2021, 5, 17)


def roster() -> dict:
    """The tiny county with rows that trip every rule (and rows right at the limits that don't).

    G1 (40 households, T1): two chiefs, M1 links 8 and M2 links 4 (too few).
    G2 (60 households): no chief; its member M3 links 11 (too many).
    G3 (12 households): one chief and one member, 7 + 7 = 14 linked: more than it has.
    G4 (15 households): a chief linking 5 and a member linking 10 (the limits: no warning).
    M4: not yet assigned to a grid, links 3 (county-wide only).
    K1 (T1) has a shift in the week; K2 (T1) none ever; K3 (T2) only the week before;
    K4 (T1) one from Sunday 20:00 into Monday 06:00 (in the week: no warning).
    B1 (T2) assessed 2021-05-20; B2 (T2) never.
    """
    data = copy.deepcopy(TINY)
    grid = dict(zone_id="Z1", residents="", unit_id="U1", lon=99.6, lat=22.34)
    data["grids"] += [
        dict(grid, grid_id="G3", name="三网格", households=12),
        dict(grid, grid_id="G4", name="四网格", households=15),
    ]
    member = dict(unit_id="U1", reported_on="2021-05-06")
    data["members"] += [
        dict(member, member_id="M2", grid_id="G1", role="chief", households_linked=4),
        dict(member, member_id="M3", grid_id="G2", role="member", households_linked=11),
        dict(member, member_id="M4", grid_id="", role="member", households_linked=3),
        dict(member, member_id="M5", grid_id="G3", role="chief", households_linked=7),
        dict(member, member_id="M6", grid_id="G3", role="member", households_linked=7),
        dict(member, member_id="M7", grid_id="G4", role="chief", households_linked=5),
        dict(member, member_id="M8", grid_id="G4", role="member", households_linked=10),
    ]
    cp = dict(kind="border", required_staff=1, lon=99.7, lat=22.3, community_id="")
    data["checkpoints"] += [
        dict(cp, checkpoint_id="K2", township_id="T1", name="二号卡点"),
        dict(cp, checkpoint_id="K3", township_id="T2", name="三号卡点"),
        dict(cp, checkpoint_id="K4", township_id="T1", name="四号卡点"),
    ]
    shift = dict(staff_party=1, staff_unit=0, staff_volunteer=0, persons_checked=1)
    data["checkpoint_shifts"] += [
        dict(shift, checkpoint_id="K3", shift_start="2021-04-28 08:00", shift_end="2021-04-28 20:00"),
        dict(shift, checkpoint_id="K4", shift_start="2021-05-02 20:00", shift_end="2021-05-03 06:00"),
    ]
    data["branches"].append(
        dict(data["branches"][0], branch_id="B2", name="芒国村二组党支部", group_name="二组")
    )
    return data


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    base = tmp_path_factory.mktemp("quality")
    store = Store(base / "store")
    result = ingest.load([write_county(base / "csv", roster())], store, by="tests")
    assert result.ok, result.errors  # warnings never block a load
    con = store.connect()
    yield store, con
    con.close()


def ids(df, column):
    return list(df[column])


def test_every_rule_names_the_rows_to_fix(county):
    _, con = county
    found = quality.warnings(con, WEEK)
    assert list(found) == list(quality.KINDS)
    assert ids(found["grid_no_chief"], "grid_id") == ["G2"]
    assert found["grid_no_chief"]["name"].tolist() == ["二网格"]
    many = found["grid_many_chiefs"]
    assert ids(many, "grid_id") == ["G1"] and many["chiefs"].tolist() == [2]
    assert many["chief_ids"].tolist() == ["M1, M2"]
    links = found["member_links"]
    assert sorted(zip(links["member_id"], links["households_linked"], strict=False)) == [
        ("M2", 4),
        ("M3", 11),
        ("M4", 3),
    ]  # 5 and 10 are within the rule
    over = found["grid_overlinked"]
    assert ids(over, "grid_id") == ["G3"]
    assert over[["households", "households_linked", "members"]].values.tolist() == [[12, 14, 2]]
    cps = found["checkpoint_no_shift"]
    assert ids(cps, "checkpoint_id") == ["K2", "K3"]  # K4's night shift reaches into it
    assert cps["last_shift"].isna().tolist() == [True, False]
    assert str(cps["last_shift"].iloc[1]) == "2021-04-28 08:00:00"
    assert ids(found["branch_never_assessed"], "branch_id") == ["B1", "B2"]  # B1: 05-20


def test_the_week_decides_the_shift_and_assessment_rules(county):
    _, con = county
    found = quality.warnings(con, LATER)
    assert ids(found["branch_never_assessed"], "branch_id") == ["B2"]
    assert ids(found["checkpoint_no_shift"], "checkpoint_id") == ["K1", "K2", "K4", "K3"]  # by township
    assert quality.week_of(con) == WEEK  # default: the latest with data
    assert quality.counts(quality.warnings(con)) == quality.counts(quality.warnings(con, WEEK))


def test_a_township_sees_its_own_rows_only(county):
    _, con = county
    t1 = quality.counts(quality.warnings(con, WEEK, "T1"))
    t2 = quality.warnings(con, WEEK, "T2")
    assert t1 == {
        "grid_no_chief": 1,
        "grid_many_chiefs": 1,
        "member_links": 2,
        "grid_overlinked": 1,
        "checkpoint_no_shift": 1,
        "branch_never_assessed": 0,
    }
    # T2 has no grids: no member rows, not even the unassigned one (county-wide only)
    assert quality.counts(t2) == {
        "grid_no_chief": 0,
        "grid_many_chiefs": 0,
        "member_links": 0,
        "grid_overlinked": 0,
        "checkpoint_no_shift": 1,
        "branch_never_assessed": 2,
    }
    assert ids(t2["checkpoint_no_shift"], "checkpoint_id") == ["K3"]


def test_current_gives_the_latest_week_of_a_version(county):
    store, con = county
    week, found = quality.current(store, store.current(), "T1")
    assert week == WEEK
    assert {k: list(v.iloc[:, 0]) for k, v in found.items()} == {
        k: list(v.iloc[:, 0]) for k, v in quality.warnings(con, WEEK, "T1").items()
    }


def test_tables_are_labelled_in_both_languages(county):
    _, con = county
    found = quality.warnings(con, WEEK)
    zh = {kind: (title, df) for kind, title, df in quality.tables(found, "zh")}
    en = {kind: (title, df) for kind, title, df in quality.tables(found, "en")}
    assert list(zh) == list(quality.KINDS)
    assert zh["member_links"][0] == "3 名下沉党员挂联户数不在 5—10 户之间"
    assert en["member_links"][0] == "Members linking fewer than 5 or more than 10 households: 3"
    links = zh["member_links"][1]
    assert links["党员编号"].tolist() == ["M2", "M3", "M4"]
    assert links["角色"].tolist() == ["网格长", "网格员", "网格员"]
    assert links["网格"].tolist() == ["一网格", "二网格", "（未入格）"]
    assert links["乡镇"].tolist() == ["娜允镇", "娜允镇", "—"]
    assert links["所在单位"].tolist() == ["县委组织部"] * 3
    assert en["grid_many_chiefs"][1]["Chiefs' member codes"].tolist() == ["M1, M2"]
    assert en["grid_no_chief"][1]["Township"].tolist() == ["Nayun"]
    cps = zh["checkpoint_no_shift"][1]
    assert cps["最近一次值守开始"].tolist() == ["从无值守记录", "2021-04-28 08:00"]
    assert zh["branch_never_assessed"][1]["党支部代码"].tolist() == ["B1", "B2"]
    assert zh["grid_overlinked"][1]["党员挂联户数合计"].tolist() == [14]


def test_summary_line_counts_each_kind(county):
    _, con = county
    found = quality.warnings(con, WEEK)
    assert quality.summary_line(found, "zh") == (
        "数据质量提示：无网格长的网格 1 个；多名网格长的网格 1 个；挂联户数不在 5—10 户的党员 3 名；"
        "挂联超过户数的网格 1 个；本周无值守记录的卡点 2 个；从未评估的党支部 2 个（详见数据管理页）。"
    )
    assert quality.summary_line(found, "en").startswith(
        "Data quality warnings: grids without a chief: 1; grids with several chiefs: 1;"
    )
    empty = {k: df.iloc[:0] for k, df in found.items()}
    assert quality.summary_line(empty, "zh") == "数据质量提示：无。"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_weekly_briefing_counts_the_warnings(county, lang):
    store, con = county
    page = report.build_html(store, WEEK, None, lang)
    line = quality.summary_line(quality.warnings(con, WEEK), lang)
    assert f'<p class="note quality">{line}</p>' in page
    t2 = report.build_html(store, WEEK, "T2", lang)
    assert quality.summary_line(quality.warnings(con, WEEK, "T2"), lang) in t2
    assert line not in t2


def test_the_demo_county_warns_of_its_six_grids_without_a_chief(demo_store):
    con = demo_store.connect()
    try:
        found = quality.warnings(con)
    finally:
        con.close()
    assert quality.counts(found) == {
        "grid_no_chief": 6,
        "grid_many_chiefs": 0,
        "member_links": 0,
        "grid_overlinked": 0,
        "checkpoint_no_shift": 0,
        "branch_never_assessed": 0,
    }
    assert (found["grid_no_chief"]["members"] == 0).all()  # the unstaffed grids


def _data_page(monkeypatch, store):
    return app(monkeypatch, store).switch_page("views/data.py").run()


def test_the_data_page_lists_the_warnings_of_the_current_data(monkeypatch, county):
    store, _ = county
    at = _data_page(monkeypatch, store)  # no users: the open demo mode, data page open
    assert not at.exception
    assert i18n.t("quality.title") in [h.value for h in at.subheader]
    titles = [e.label for e in at.expander]
    assert "1 个网格没有网格长" in titles and "2 个党支部从未评估" in titles
    tables = [df.value for df in at.dataframe]
    assert any(
        "网格长党员编号" in df.columns and df["网格长党员编号"].tolist() == ["M1, M2"] for df in tables
    )


@pytest.mark.slow
def test_the_data_page_shows_a_loads_warnings_at_once(monkeypatch, tmp_path):
    """Load a clean county, then (as a clerk would) a members file that leaves G1 without a
    chief: the page, run after the load, names G1."""
    data = copy.deepcopy(TINY)
    data["grids"] = data["grids"][:1]
    data["grid_weekly"] = data["grid_weekly"]
    data["branch_assessments"] = [dict(a, assessed_on="2021-05-03") for a in data["branch_assessments"]]
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "a", data)], store).ok
    at = _data_page(monkeypatch, store)
    assert [s.value for s in at.success if s.value == i18n.t("quality.none")]
    changed = {"members": [dict(data["members"][0], role="member")]}
    assert ingest.load([write_county(tmp_path / "b", changed)], store).ok
    at = _data_page(monkeypatch, store)
    assert "1 个网格没有网格长" in [e.label for e in at.expander]
    assert any(
        df.value.get("网格代码") is not None and df.value["网格代码"].tolist() == ["G1"]
        for df in at.dataframe
    )
