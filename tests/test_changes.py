""" "Since the last meeting": changes against the last pinned version, else the week before."""

from __future__ import annotations

import copy

import pytest

from dashboard import ingest, metrics

from conftest import TINY, write_county


@pytest.mark.slow
def test_change_since_pinned_meeting_and_previous_week(store, tmp_path):
    ingest.load([write_county(tmp_path / "a")], store)
    con = store.connect()
    base = metrics.baseline_summary(con, metrics.Scope(), store=store)
    con.close()
    assert base["kind"] == "previous_week" and base["week"] == "2021-04-26"

    store.pin(1, "5-3 例会")
    data = copy.deepcopy(TINY)
    data["grid_weekly"][0]["households_visited"] = 40  # 30 -> 40 of 100 households
    data["members"].append(
        dict(
            member_id="M2",
            unit_id="U1",
            grid_id="G2",
            role="member",
            reported_on="2021-05-04",
            households_linked=6,
        )
    )
    ingest.load([write_county(tmp_path / "b", data)], store)
    con = store.connect()
    now = metrics.summary(con)
    base = metrics.baseline_summary(con, metrics.Scope(), store=store)
    con.close()
    assert (base["kind"], base["version"], base["label"]) == ("pinned", 1, "5-3 例会")
    d = metrics.summary_change(now, base["summary"])
    assert d["members"]["reported"] == 1
    assert abs(d["grids"]["visit_rate"] - 0.10) < 1e-9  # 30/100 -> 40/100
    assert d["grids"]["staffed"] == 1  # G2 got a member
    assert d["checkpoints"]["coverage_rate"] == 0
    assert d["week_start"] is None


def test_change_is_none_over_an_empty_scope():
    now = {"grids": {"visit_rate": None, "total": 0}}
    before = {"grids": {"visit_rate": 0.5, "total": 0}}
    assert metrics.summary_change(now, before) == {"grids": {"visit_rate": None, "total": 0}}
    assert metrics.summary_change(now, None) == {"grids": {"visit_rate": None, "total": None}}
