"""Who was expected to report a week, who did, on time (issue 21 §1-2 and §9, issue 20 §3):
dashboard.reporting, and the figures leaving an unreported township out."""

from __future__ import annotations

import datetime as dt
import math
import shutil

import pytest

from dashboard import metrics, reporting
from dashboard.store import Store

from helpers import submit_next_week

WEEK = dt.date(2021, 12, 27)  # the demo county's last week, every township in
NEXT = dt.date(2022, 1, 3)  # only 娜允镇 (T01) sends it
TZ = reporting.TZ
BEFORE_NEXT_DEADLINE = dt.datetime(2022, 1, 10, 11, 59, tzinfo=TZ)
AFTER_NEXT_DEADLINE = dt.datetime(2022, 1, 10, 12, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def half(demo_store, tmp_path_factory) -> Store:
    """The demo county with the next week committed by 娜允镇's reporter only: 公信乡 (T06),
    whose eight checkpoints report every week, has not sent it yet."""
    root = tmp_path_factory.mktemp("half") / "store"
    shutil.copytree(demo_store.root, root)
    store = Store(root)
    assert submit_next_week(store, "T01", WEEK.isoformat()) == 2
    return store


@pytest.fixture
def hcon(half):
    con = half.connect()
    yield con
    con.close()


# ---------------------------------------------------------------- the issue's reproduction
def test_an_unreported_townships_checkpoints_are_not_gaps(hcon):
    gaps = metrics.checkpoint_gaps(hcon, metrics.Scope(NEXT))
    assert "T06" not in set(gaps["township_id"])
    county = metrics.summary(hcon, metrics.Scope(NEXT))["checkpoints"]
    own = metrics.summary(hcon, metrics.Scope(NEXT, "T01"))["checkpoints"]
    # the county's coverage is 娜允镇's own, not dragged down by 公信乡's 8 x 168 empty slots
    assert county["coverage_rate"] == own["coverage_rate"] > 0.99
    assert county["slots"] == 115 * 168 and county["total"] == 123
    status = metrics.checkpoint_status(hcon, metrics.Scope(NEXT)).set_index("checkpoint_id")
    t06 = status[status["township_id"] == "T06"]
    assert len(t06) == 8 and not t06["reported"].any()
    assert t06["coverage_rate"].isna().all() and (t06["gap_hours"] == 0).all()
    assert status[status["township_id"] == "T01"]["reported"].all()


def test_an_unreported_township_alone_has_no_rates(hcon):
    s = metrics.summary(hcon, metrics.Scope(NEXT, "T06"))["checkpoints"]
    assert s["coverage_rate"] is None and s["total"] == 8 and s["slots"] == 0


def test_the_trend_does_not_fall_for_a_missing_township(hcon):
    trend = metrics.weekly_trend(hcon, metrics.Scope(NEXT), weeks=3).set_index("week_start")
    own = metrics.weekly_trend(hcon, metrics.Scope(NEXT, "T01"), weeks=3).set_index("week_start")
    assert trend.loc[NEXT, "coverage_rate"] == own.loc[NEXT, "coverage_rate"]
    assert abs(trend.loc[NEXT, "coverage_rate"] - trend.loc[WEEK, "coverage_rate"]) < 0.01


def test_a_fully_reported_week_is_unchanged_by_a_newer_half_week(demo, hcon):
    assert metrics.summary(hcon, metrics.Scope(WEEK)) == metrics.summary(demo, metrics.Scope(WEEK))


# ---------------------------------------------------------------- expected submissions
def test_expected_follows_what_a_township_has(demo):
    df = reporting.expected(demo, WEEK).set_index("township_id")
    assert df.loc["T01", "state"] == "submitted"  # grids and checkpoints, both in
    assert df.loc["T06", "state"] == "submitted"  # checkpoints only
    for tw in ("T02", "T03", "T04", "T05"):  # nothing to report: 无需报送, not 0 / 0 已报送
        assert df.loc[tw, "state"] == "not_required"
        assert not df.loc[tw, "grids_expected"] and not df.loc[tw, "checkpoints_expected"]


def test_state_rules():
    assert reporting.state(0, 0, False, False) == "not_required"
    assert reporting.state(0, 0, True, True) == "not_required"  # never submitted with nothing due
    assert reporting.state(3, 0, True, False) == "submitted"
    assert reporting.state(3, 2, True, False) == "partial"
    assert reporting.state(3, 2, False, False) == "missing"
    assert reporting.state(0, 2, False, True) == "submitted"


def test_half_week_coverage(hcon):
    cov = reporting.week_coverage(hcon, NEXT, BEFORE_NEXT_DEADLINE)
    assert (cov["reported"], cov["expected"], cov["complete"], cov["all_in"]) == (1, 2, False, False)
    assert cov["not_reported"] == ["T06"]
    assert reporting.week_coverage(hcon, NEXT, AFTER_NEXT_DEADLINE)["complete"]
    full = reporting.week_coverage(hcon, WEEK, BEFORE_NEXT_DEADLINE)
    assert (full["reported"], full["expected"], full["all_in"]) == (2, 2, True)
    assert reporting.counted_townships(hcon, NEXT) == {"T01"}
    assert reporting.counted_townships(hcon, WEEK, withheld=("T06",)) == {"T01"}


def test_pages_open_on_the_latest_complete_week(hcon):
    assert reporting.latest_complete_week(hcon, BEFORE_NEXT_DEADLINE) == WEEK
    assert reporting.latest_complete_week(hcon, AFTER_NEXT_DEADLINE) == NEXT
    assert NEXT in metrics.available_weeks(hcon)  # the newer week stays reachable


def test_now_must_be_aware(hcon):
    with pytest.raises(ValueError):
        reporting.week_coverage(hcon, NEXT, dt.datetime(2022, 1, 4))


# ---------------------------------------------------------------- withheld
def test_withheld_township_is_left_out_of_the_week(demo):
    s = metrics.summary(demo, metrics.Scope(WEEK, withheld=("T01",)))
    assert s["grids"]["reporting_rate"] is None and s["grids"]["visit_rate"] is None
    assert s["grids"]["total"] == 612  # the roster is the roster
    assert s["checkpoints"]["slots"] == 8 * 168
    own = metrics.summary(demo, metrics.Scope(WEEK, "T06"))["checkpoints"]
    assert s["checkpoints"]["coverage_rate"] == own["coverage_rate"]
    grids = metrics.grids_needing_attention(demo, metrics.Scope(WEEK, withheld=("T01",)))
    assert grids.empty  # T01 is 未报 as a whole, not 612 grids that did not report
    # the weeks before keep counting it
    trend = metrics.weekly_trend(demo, metrics.Scope(WEEK, withheld=("T01",)), weeks=2)
    assert (
        trend["reporting_rate"].iloc[0] > 0.9
        and trend["reporting_rate"].iloc[1] is None
        or math.isnan(trend["reporting_rate"].iloc[1])
    )


def test_a_township_that_reported_some_grids_still_lists_the_others(demo):
    grids = metrics.grids_needing_attention(demo, metrics.Scope(WEEK))
    missing = grids[grids["reason"] == "not_reported"]
    assert 0 < len(missing) < 612 and set(missing["township_id"]) == {"T01"}


# ---------------------------------------------------------------- deadline and timeliness
def test_default_deadline_is_the_monday_after_at_noon_shanghai():
    due = reporting.deadline(WEEK)
    assert due == dt.datetime(2022, 1, 3, 12, 0, tzinfo=TZ)
    assert due.utcoffset() == dt.timedelta(hours=8)
    assert reporting.deadline(WEEK, reporting.Deadline(days=8, hour=9)) == dt.datetime(
        2022, 1, 4, 9, tzinfo=TZ
    )
    with pytest.raises(ValueError):
        reporting.deadline(dt.date(2021, 12, 28))


def test_timeliness_of_a_half_week(half):
    # versions are made now (2026): T01's week came in after its 2022 deadline
    before = reporting.timeliness(half, NEXT, BEFORE_NEXT_DEADLINE)
    assert before["T06"]["state"] == "pending" and before["T06"]["submitted_at"] is None
    assert before["T02"]["state"] == "not_required"
    assert before["T01"]["state"] == "late"
    assert (
        before["T01"]["submitted_at"] == reporting._parse(half.record(2)["created_at"])
        or before["T01"]["submitted_at"].year >= 2026
    )
    after = reporting.timeliness(half, NEXT, AFTER_NEXT_DEADLINE)
    assert after["T06"]["state"] == "missing"
    r = reporting.rates(after)
    assert (r["expected"], r["actual"], r["on_time"], r["reporting_rate"], r["on_time_rate"]) == (
        2,
        1,
        0,
        0.5,
        0,
    )


def test_on_time_and_a_later_correction_stays_on_time(half, tmp_path, monkeypatch):
    root = tmp_path / "store"
    shutil.copytree(half.root, root)
    store = Store(root)
    first = reporting.first_complete(store, NEXT)["T01"]
    assert first["version"] == 2
    # a correction of the same week later: still dated by version 2
    con = store.connect()
    grid = con.execute(
        "SELECT grid_id FROM grid_weekly WHERE week_start = $w LIMIT 1", {"w": NEXT}
    ).fetchone()[0]
    con.close()
    from dashboard import ingest

    from conftest import csv_text

    row = dict(
        week_start=NEXT.isoformat(),
        grid_id=grid,
        households_visited=1,
        residents_checked=1,
        travel_registered=0,
        vaccinated=0,
        issues_found=0,
        issues_resolved=0,
    )
    path = tmp_path / "grid_weekly.csv"
    path.write_text(csv_text("grid_weekly", [row]))
    assert ingest.load([path], store, township="T01", by="clerk").version == 3
    assert reporting.first_complete(store, NEXT)["T01"]["version"] == 2
    far = reporting.Deadline(days=3650, hour=12)  # due in 2032: the 2026 version is on time
    monkeypatch.setattr(reporting, "DEADLINE", far)
    timely = reporting.timeliness(store, NEXT, BEFORE_NEXT_DEADLINE)
    assert timely["T01"]["state"] == "on_time" and timely["T06"]["state"] == "pending"
    assert timely["T01"]["deadline"] == dt.datetime(2032, 1, 1, 12, tzinfo=TZ)


# ---------------------------------------------------------------- §9: one default week
def test_a_shift_past_sunday_midnight_opens_the_same_week_everywhere(tmp_path):
    """A store with shifts only, the last running from Sunday 20:00 into the next week: the
    pages and `summary` open on the week the shift started in."""
    from dashboard import ingest

    from conftest import TINY, csv_text, write_county

    data = {k: v for k, v in TINY.items() if k != "grid_weekly"}
    late = dict(TINY["checkpoint_shifts"][0], shift_start="2021-05-09 20:00", shift_end="2021-05-10 08:00")
    data["checkpoint_shifts"] = [late]
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "c", data)], store).ok
    con = store.connect()
    try:
        opened = metrics.latest_complete_week(con)
        weeks = metrics.available_weeks(con)
        # the week the shift runs into has no data of its own: never offered, never opened
        assert dt.date(2021, 5, 10) not in weeks and opened != dt.date(2021, 5, 10)
        assert dt.date(2021, 5, 3) in weeks and opened == weeks[-1]
        assert metrics.summary(con)["week_start"] == opened.isoformat()
    finally:
        con.close()
    assert csv_text  # imported for the fixture's county


# ---------------------------------------------------------------- what the pages show
def test_pages_mark_the_half_week_and_show_no_false_gaps(open_app, half):
    """The issue's reproduction in the app: 娜允镇 has sent the next week, 公信乡 not."""
    at = open_app("checkpoints", store=half, week=NEXT.isoformat())
    warnings = [w.value for w in at.warning]
    assert any("本周 1 / 2 个乡镇已报送" in w and "公信乡" in w for w in warnings), warnings
    assert any("公信乡 本周未报送卡点值守，其 8 个卡点" in i.value for i in at.info)
    captions = [c.value for c in at.caption]
    assert "2 处空档，共 16 小时" in captions, captions  # 娜允镇's own, not 公信乡's 8 x 168 h
    assert "19,304 / 19,320 个时段" in captions

    at = open_app("overview", store=half, week=NEXT.isoformat())
    marks = [m.value for m in at.markdown]
    assert any("本周未报送：公信乡" in m for m in marks)
    assert not any("1,344" in m for m in marks)


def test_the_board_says_nothing_to_report_and_on_time(open_app, half):
    at = open_app("submissions", store=half, week=NEXT.isoformat(), lang="en")
    board = at.dataframe[0].value
    rows = dict(zip(board["Township"], zip(board["Status"], board["On time"], strict=True), strict=True))
    assert rows["Mengma"] == ("Nothing to report", "Nothing to report")  # not 0 / 0 submitted
    assert rows["Gongxin"] == ("Not submitted", "Missing")  # its deadline (2022) has passed
    assert rows["Nayun"][1] == "Late"  # committed in this session, years after the deadline
    assert [m.label for m in at.metric][:2] == ["Reporting rate", "Reporting rate on time"]
    assert [m.value for m in at.metric][:2] == ["50.0%", "0.0%"]


def test_summary_now_picks_the_week_as_the_pages_do(half):
    import contextlib
    import io
    import json

    from dashboard import cli

    for now, week in (("2022-01-10T11:00:00+08:00", WEEK), ("2022-01-10T12:00:00+08:00", NEXT)):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli.main(["--store", str(half.root), "summary", "--json", "--now", now]) == 0
        assert json.loads(out.getvalue())["week_start"] == week.isoformat()


def test_the_briefing_names_who_is_left_out(half):
    from dashboard.report import content

    brief = content.collect(half, NEXT, None, "zh", now=BEFORE_NEXT_DEADLINE)
    assert any("本周 1 / 2 个乡镇已报送" in n and "公信乡" in n for n in brief.scope_notes)
    full = content.collect(half, WEEK, None, "zh", now=BEFORE_NEXT_DEADLINE)
    assert not any("已报送" in n for n in full.scope_notes)
