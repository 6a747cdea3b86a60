"""The figures of docs/data-contract.md on a small hand-made county, with every expected value
worked out by hand in the comments (never by re-running the SQL).

The county, viewed in the week W = Monday 2022-01-10 .. Sunday 2022-01-16:

    T1  one community C1 / zone Z1: grids G1 (100 households), G2 (50)
        checkpoints K1 (needs 2 staff), K2 (needs 1); branches B1, B2
    T2  one community C2 / zone Z2: grids G3 (80), G4 (20)
        checkpoint K3 (needs 1, no shifts at all); branches B3, B4
    T3  no communities, checkpoints or branches: an empty scope
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest

from dashboard import contract, metrics

W = dt.date(2022, 1, 10)  # the Monday viewed in most tests
TS = dt.datetime.fromisoformat
D = dt.date.fromisoformat
ALL_PASS = {c: True for c in contract.CRITERIA}


def insert(con, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts; missing columns are NULL) with bound parameters."""
    cols = contract.TABLES[table].column_names
    sql = f"INSERT INTO {contract.quote_ident(table)} VALUES ({', '.join('?' for _ in cols)})"
    con.executemany(sql, [[r.get(c) for c in cols] for r in rows])


def assessment(branch_id: str, on: str, failed: tuple[str, ...] = ()) -> list[dict]:
    return [
        {"branch_id": branch_id, "assessed_on": D(on), "criterion": c, "passed": c not in failed}
        for c in contract.CRITERIA
    ]


def shift(checkpoint_id, start, end, party=0, unit=0, volunteer=0, checked=0) -> dict:
    return {
        "checkpoint_id": checkpoint_id,
        "shift_start": TS(start),
        "shift_end": TS(end),
        "staff_party": party,
        "staff_unit": unit,
        "staff_volunteer": volunteer,
        "persons_checked": checked,
    }


def branch(branch_id, township_id, is_model, links) -> dict:
    county, unit, township, village_team = links
    return {
        "branch_id": branch_id,
        "township_id": township_id,
        "village": f"村{branch_id}",
        "group_name": "一组",
        "name": f"{branch_id}党支部",
        "on_border_line": True,
        "party_members": 10,
        "is_model": is_model,
        "link_county_leader": county,
        "link_unit": unit,
        "link_township": township,
        "link_village_team": village_team,
        "lon": 99.5,
        "lat": 22.3,
    }


def build_county(con) -> None:
    for stmt in contract.ddl():
        con.execute(stmt)
    insert(
        con,
        "townships",
        [
            {"township_id": t, "name": n, "lon": 99.5, "lat": 22.3, "is_border": True}
            for t, n in (("T1", "娜允镇"), ("T2", "勐马镇"), ("T3", "芒信镇"))
        ],
    )
    insert(
        con,
        "communities",
        [
            {"community_id": "C1", "township_id": "T1", "name": "社区一"},
            {"community_id": "C2", "township_id": "T2", "name": "社区二"},
        ],
    )
    insert(
        con,
        "zones",
        [
            {"zone_id": "Z1", "community_id": "C1", "name": "片区一"},
            {"zone_id": "Z2", "community_id": "C2", "name": "片区二"},
        ],
    )
    insert(con, "units", [{"unit_id": "U1", "name": "县委组织部", "kind": "county"}])
    insert(
        con,
        "grids",
        [
            {
                "grid_id": g,
                "zone_id": z,
                "name": f"网格{g}",
                "households": h,
                "unit_id": "U1",
                "lon": 99.5,
                "lat": 22.3,
            }
            for g, z, h in (("G1", "Z1", 100), ("G2", "Z1", 50), ("G3", "Z2", 80), ("G4", "Z2", 20))
        ],
    )
    insert(
        con,
        "members",
        [
            {
                "member_id": m,
                "unit_id": "U1",
                "grid_id": g,
                "role": r,
                "reported_on": D(on),
                "households_linked": n,
            }
            for m, g, r, on, n in (
                ("M1", "G1", "chief", "2021-12-01", 10),
                ("M2", "G1", "member", "2022-01-16", 5),  # reported on W's Sunday: counts
                ("M3", "G3", "member", "2022-01-17", 7),  # reported the Monday after W: not yet
                ("M4", None, "member", "2021-11-01", 3),  # unassigned: county only
                ("M5", "G4", "member", "2021-10-01", 4),
            )
        ],
    )
    insert(
        con,
        "grid_weekly",
        [
            {
                "week_start": D(w),
                "grid_id": g,
                "households_visited": v,
                "residents_checked": 0,
                "travel_registered": 0,
                "vaccinated": 0,
                "issues_found": 0,
                "issues_resolved": 0,
            }
            for w, g, v in (
                ("2022-01-03", "G2", 50),  # the week before W
                ("2022-01-10", "G1", 90),
                ("2022-01-10", "G3", 30),
                ("2022-01-10", "G4", 20),
            )
        ],
    )  # G2 did not report in W
    insert(
        con,
        "checkpoints",
        [
            {
                "checkpoint_id": k,
                "township_id": t,
                "name": f"卡点{k}",
                "kind": "border",
                "required_staff": n,
                "lon": 99.5,
                "lat": 22.3,
            }
            for k, t, n in (("K1", "T1", 2), ("K2", "T1", 1), ("K3", "T2", 1))
        ],
    )
    insert(
        con,
        "checkpoint_shifts",
        [
            # K1 (needs 2); W's slot h counts hours from Monday 00:00
            shift("K1", "2022-01-09 22:00", "2022-01-10 02:00", unit=2, checked=40),  # e
            shift("K1", "2022-01-10 08:30", "2022-01-10 16:00", party=1, unit=1, checked=100),  # a
            shift("K1", "2022-01-10 16:00", "2022-01-11 00:00", party=1, checked=50),  # b
            shift("K1", "2022-01-10 18:00", "2022-01-10 20:00", volunteer=1, checked=10),  # c
            shift("K1", "2022-01-16 20:00", "2022-01-17 04:00", party=2, unit=1, checked=80),  # d
            # K2 (needs 1)
            shift("K2", "2022-01-05 08:00", "2022-01-05 16:00", unit=5, checked=999),  # g
            shift("K2", "2022-01-12 00:00", "2022-01-13 00:00", unit=1, checked=30),  # f
            shift("K2", "2022-01-14 10:00", "2022-01-14 12:45", volunteer=2, checked=5),  # h
            shift("K2", "2022-01-17 08:00", "2022-01-17 12:00", unit=1, checked=999),  # g2
        ],
    )
    insert(
        con,
        "branches",
        [
            branch("B1", "T1", True, (True, True, True, True)),
            branch("B2", "T1", False, (True, True, True, False)),
            branch("B3", "T2", False, (True, True, True, True)),  # never assessed
            branch("B4", "T2", True, (True, True, True, True)),
        ],
    )
    insert(
        con,
        "branch_assessments",
        [
            *assessment("B1", "2022-01-05"),
            *assessment("B1", "2022-01-20", failed=("rules",)),  # after W: ignored in W
            *assessment("B2", "2021-12-01"),
            *assessment("B2", "2022-01-16", failed=("venue",)),  # W's Sunday: counts
            *assessment("B4", "2022-01-03"),
        ],
    )
    insert(
        con,
        "trainings",
        [
            {
                "activity_id": a,
                "held_on": D(on),
                "township_id": t,
                "kind": k,
                "title": "主题",
                "sessions": s,
                "attendees": n,
            }
            for a, on, t, k, s, n in (
                ("TR1", "2022-01-05", "T1", "party_school", 2, 40),
                ("TR2", "2022-01-12", "T2", "outreach", 1, 100),
                ("TR3", "2022-01-08", None, "party_school", 1, 60),  # county-level
                ("TR4", "2021-12-20", "T1", "party_lecture", 1, 30),  # last year
                ("TR5", "2022-01-17", "T1", "theme_day", 1, 25),  # after W
                ("TR6", "2022-01-16", "T1", "fireside_school", 3, 45),
            )
        ],
    )  # W's Sunday
    insert(
        con,
        "training_attendance",
        [
            {"activity_id": a, "member_id": m}
            for a, m in (
                ("TR1", "M1"),
                ("TR1", "M2"),
                ("TR3", "M1"),
                ("TR3", "M4"),
                ("TR2", "M3"),
                ("TR4", "M4"),
                ("TR5", "M3"),
            )
        ],
    )
    insert(
        con,
        "targets",
        [
            {"metric": m, "year": y, "township_id": t, "target": v}
            for m, y, t, v in (
                ("grids.visit_rate", 2022, None, 0.8),
                ("grids.visit_rate", 2022, "T1", 0.95),
                ("grids.visit_rate", 2021, None, 0.5),
                ("branches.compliance_rate", 2022, None, 1.0),
            )
        ],
    )
    insert(
        con,
        "indicators",
        [
            {"indicator": i, "township_id": t, "as_of": D(on), "value": v}
            for i, t, on, v in (
                ("vanguard_cadres", None, "2022-01-01", 500),
                ("vanguard_cadres", "T1", "2022-01-01", 200),
                ("vanguard_cadres", "T2", "2022-01-01", 250),
                ("cadres_promoted", "T1", "2021-12-01", 3),
                ("cadres_promoted", "T1", "2022-01-10", 5),
                ("cadres_promoted", "T2", "2021-06-01", 2),
                ("cadres_promoted", "T2", "2022-01-20", 9),  # after W
                ("village_team_members", None, "2022-01-20", 99),  # county row, but after W
                ("village_team_members", "T1", "2022-01-01", 10),
                ("materials_distributed", None, "2022-01-02", 10000),
            )
        ],
    )


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    build_county(con)
    yield con
    con.close()


@pytest.fixture
def empty_con():
    con = duckdb.connect()
    for stmt in contract.ddl():
        con.execute(stmt)
    yield con
    con.close()


def flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


SCOPES = (None, "T1", "T2", "T3")

# code: (county, T1, T2, T3) for week W
EXPECTED = {
    # B1 compliant (01-05 all passed; its failed 01-20 assessment is after W),
    # B2 not (latest, 01-16, failed venue), B3 never assessed, B4 compliant (01-03).
    "branches.total": (4, 2, 2, 0),
    "branches.compliant": (2, 1, 1, 0),
    "branches.compliance_rate": (2 / 4, 1 / 2, 1 / 2, None),
    "branches.model": (2, 1, 1, 0),  # B1, B4
    # all four links: B1, B3, B4 (B2 lacks the village team)
    "branches.link_coverage_rate": (3 / 4, 1 / 2, 2 / 2, None),
    "grids.total": (4, 2, 2, 0),
    # staffed: G1 (M1), G4 (M5); G3's M3 reports only after W; G2 nobody
    "grids.staffed": (2, 1, 1, 0),
    "grids.staffed_rate": (2 / 4, 1 / 2, 1 / 2, None),
    "grids.households": (250, 150, 100, 0),  # 100+50+80+20; 100+50; 80+20
    "grids.households_visited": (140, 90, 50, 0),  # G1 90 + G3 30 + G4 20; G2 none
    "grids.visit_rate": (140 / 250, 90 / 150, 50 / 100, None),
    "grids.reporting_rate": (3 / 4, 1 / 2, 2 / 2, None),  # G1, G3, G4 reported
    # reported by W's Sunday: M1, M2, M4 (no grid), M5; M3 only on 01-17
    "members.reported": (4, 2, 1, 0),  # T1: M1, M2; T2: M5
    "members.assigned": (3, 2, 1, 0),  # all but M4
    "members.households_linked": (22, 15, 4, 0),  # 10+5+3+4; 10+5; 4
    "checkpoints.total": (3, 2, 1, 0),
    "checkpoints.slots": (336, 336, 0, 0),  # of the checkpoints whose township reported the week
    # K1 (needs 2): e covers slots 0,1 (Mon 00-02); a (08:30-16:00, 2 staff) slots 9..15 but
    #   not 8; b (16-24, 1 staff) alone is short, with c (18-20, 1) slots 18,19 reach 2;
    #   d (Sun 20:00-Mon 04:00, 3 staff) slots 164..167 -> 2 + 7 + 2 + 4 = 15
    # K2 (needs 1): f (Wed 00-24) slots 48..71 = 24; h (Fri 10:00-12:45) slots 106,107 = 2
    #   -> 26; g and g2 lie outside W.  K3: no shifts -> 0.
    "checkpoints.staffed_slots": (41, 41, 0, 0),
    # T2's K3 has no shift starting in W: T2 did not report its checkpoints (未报) and is left
    # out of the rate (issue 21), not read as 168 empty slots
    "checkpoints.coverage_rate": (41 / 336, 41 / 336, None, None),
    # staff x hours inside W: K1 e 2x2 + a 2x7.5 + b 1x8 + c 1x2 + d 3x4 = 4+15+8+2+12 = 41;
    # K2 f 1x24 + h 2x2.75 = 29.5 -> 70.5
    "checkpoints.staff_hours": (70.5, 70.5, 0.0, 0.0),
    # party: a 1x7.5 + b 1x8 + d 2x4 = 23.5; 23.5 / 70.5 = 1/3; no staff hours -> None
    "checkpoints.party_share": (1 / 3, 1 / 3, None, None),
    # starting in W: a 100 + b 50 + c 10 + d 80 + f 30 + h 5 = 275 (not e 40, g 999, g2 999)
    "checkpoints.persons_checked": (275, 275, 0, 0),
    # YTD 2022-01-01..01-16: TR1 (T1), TR2 (T2), TR3 (county-level), TR6 (T1);
    # TR4 is last year, TR5 after W
    "training.sessions": (2 + 1 + 1 + 3, 2 + 3, 1, 0),
    "training.attendees": (40 + 100 + 60 + 45, 40 + 45, 100, 0),
    # TR1 {M1, M2}, TR3 {M1, M4}, TR2 {M3}; TR6 has no attendance rows
    "training.distinct_members": (4, 2, 1, 0),
    "training.party_school.sessions": (3, 2, 0, 0),  # TR1 2 + TR3 1 (county-level)
    "training.party_school.attendees": (100, 40, 0, 0),
    "training.border_training.sessions": (0, 0, 0, 0),
    "training.border_training.attendees": (0, 0, 0, 0),
    "training.party_lecture.sessions": (0, 0, 0, 0),  # TR4 is last year
    "training.party_lecture.attendees": (0, 0, 0, 0),
    "training.outreach.sessions": (1, 0, 1, 0),
    "training.outreach.attendees": (100, 0, 100, 0),
    "training.fireside_school.sessions": (3, 3, 0, 0),
    "training.fireside_school.attendees": (45, 45, 0, 0),
    "training.theme_day.sessions": (0, 0, 0, 0),  # TR5 after W
    "training.theme_day.attendees": (0, 0, 0, 0),
    # county row 500 wins over T1 200 + T2 250
    "indicators.vanguard_cadres": (500.0, 200.0, 250.0, None),
    # no county row: T1's latest (01-10) 5 + T2's latest on or before W (2021-06-01) 2
    "indicators.cadres_promoted": (7.0, 5.0, 2.0, None),
    # the county row is dated after W, so the county falls back to T1's 10
    "indicators.village_team_members": (10.0, 10.0, None, None),
    "indicators.party_households": (None, None, None, None),
    "indicators.materials_distributed": (10000.0, None, None, None),
    "indicators.waste_bins_added": (None, None, None, None),
    "indicators.outreach_teams": (None, None, None, None),
}


def test_expected_table_covers_every_metric_code():
    assert set(EXPECTED) == set(contract.METRIC_CODES)


@pytest.mark.parametrize("township", SCOPES)
def test_summary_has_exactly_the_contract_codes(con, township):
    s = metrics.summary(con, metrics.Scope(W, township))
    assert s["week_start"] == "2022-01-10"
    assert s["township_id"] == township
    codes = set(flatten(s)) - {"week_start", "township_id"}
    assert codes == set(contract.METRIC_CODES)


@pytest.fixture(scope="module")
def summaries(con):
    """summary() of week W per scope, computed once for the figure table."""
    return [flatten(metrics.summary(con, metrics.Scope(W, township))) for township in SCOPES]


@pytest.mark.parametrize("code", sorted(EXPECTED))
@pytest.mark.parametrize("scope", range(len(SCOPES)), ids=["county", "T1", "T2", "T3"])
def test_summary_figure(summaries, code, scope):
    got = summaries[scope][code]
    want = EXPECTED[code][scope]
    assert got == want
    assert type(got) is type(want)  # ints stay ints, rates are floats, empty is None


def test_summary_is_plain_json(con):
    text = json.dumps(metrics.summary(con, metrics.Scope(W)), allow_nan=False)
    assert json.loads(text)["branches"]["compliance_rate"] == 0.5


def test_unknown_township_is_an_empty_scope(con):
    s = flatten(metrics.summary(con, metrics.Scope(W, "NOPE")))
    assert s["branches.total"] == 0 and s["branches.compliance_rate"] is None
    assert s["checkpoints.coverage_rate"] is None and s["grids.visit_rate"] is None
    assert s["training.distinct_members"] == 0  # attendance is loaded, none in scope


def test_distinct_members_is_null_without_attendance(con):
    con2 = duckdb.connect()
    build_county(con2)
    con2.execute("DELETE FROM training_attendance")
    assert metrics.summary(con2, metrics.Scope(W))["training"]["distinct_members"] is None
    con2.close()


@pytest.mark.parametrize("week", [dt.date(2022, 1, 11), "2022-01-16"])
def test_summary_refuses_a_week_not_starting_on_monday(con, week):
    with pytest.raises(ValueError, match="Monday"):
        metrics.summary(con, metrics.Scope(week))


def test_summary_defaults_to_the_latest_week(con):
    # the latest grid report is for 2022-01-10, though shifts and assessments run later
    assert metrics.latest_week(con) == W
    # the pages and summary open on the latest complete week: shifts start in the week of
    # 01-17 and its deadline has passed (reporting.latest_complete_week)
    assert metrics.latest_complete_week(con) == D("2022-01-17")
    assert metrics.summary(con)["week_start"] == "2022-01-17"


def test_latest_week_falls_back_to_other_dates(empty_con):
    assert metrics.latest_week(empty_con) is None
    insert(
        empty_con,
        "trainings",
        [
            {
                "activity_id": "A",
                "held_on": D("2022-03-02"),
                "kind": "outreach",
                "title": "t",
                "sessions": 1,
                "attendees": 1,
            }
        ],
    )
    insert(empty_con, "checkpoint_shifts", [shift("K", "2022-03-09 23:00", "2022-03-10 07:00")])
    # latest date: shift start Wed 2022-03-09 -> its Monday 2022-03-07
    assert metrics.latest_week(empty_con) == dt.date(2022, 3, 7)


def test_summary_on_an_empty_store(empty_con):
    s = flatten(metrics.summary(empty_con, metrics.Scope(W)))
    assert s["branches.total"] == 0 and s["branches.compliance_rate"] is None
    assert s["grids.visit_rate"] is None and s["checkpoints.party_share"] is None
    assert s["training.distinct_members"] is None
    assert s["indicators.vanguard_cadres"] is None


def test_checkpoint_gaps(con):
    gaps = metrics.checkpoint_gaps(con, metrics.Scope(W))
    rows = [
        (r.checkpoint_id, r.gap_start.to_pydatetime(), r.gap_end.to_pydatetime(), r.hours, r.shortfall)
        for r in gaps.itertuples()
    ]
    assert rows == [
        # K1 needs 2. Slots 2..8 nobody (a starts 08:30, so 08:00 is open): short by 2
        ("K1", TS("2022-01-10 02:00"), TS("2022-01-10 09:00"), 7, 2),
        # 16..17: b alone, 1 of 2
        ("K1", TS("2022-01-10 16:00"), TS("2022-01-10 18:00"), 2, 1),
        # 20..23 b alone (short 1), then nobody until d at Sun 20:00 (short 2): one run
        ("K1", TS("2022-01-10 20:00"), TS("2022-01-16 20:00"), 144, 2),
        # K2 needs 1: staffed only Wed (f) and Fri 10-12 (h)
        ("K2", TS("2022-01-10 00:00"), TS("2022-01-12 00:00"), 48, 1),
        ("K2", TS("2022-01-13 00:00"), TS("2022-01-14 10:00"), 34, 1),
        ("K2", TS("2022-01-14 12:00"), TS("2022-01-17 00:00"), 60, 1),
        # K3 has no shifts: T2 did not report its checkpoints, 未报, not a week-long gap
    ]
    assert list(gaps.columns) == [
        "checkpoint_id",
        "name",
        "township_id",
        "kind",
        "gap_start",
        "gap_end",
        "hours",
        "shortfall",
    ]


def test_checkpoint_gaps_in_a_township(con):
    assert metrics.checkpoint_gaps(con, metrics.Scope(W, "T2")).empty  # K3: 未报, no gap
    assert metrics.checkpoint_gaps(con, metrics.Scope(W, "T3")).empty


@pytest.mark.parametrize(
    "checkpoint_id, slot, staff, staffed",
    [
        ("K1", 8, 0, False),  # a starts 08:30: does not cover 08:00-09:00
        ("K1", 9, 2, True),
        ("K1", 16, 1, False),  # b alone
        ("K1", 18, 2, True),  # b + c overlap and add up
        ("K1", 167, 3, True),  # d, Sunday 23:00
        ("K2", 108, 0, False),  # h ends 12:45: does not cover 12:00-13:00
    ],
)
def test_checkpoint_hourly(con, checkpoint_id, slot, staff, staffed):
    hourly = metrics.checkpoint_hourly(con, metrics.Scope(W))
    assert len(hourly) == 3 * 168
    row = hourly[(hourly.checkpoint_id == checkpoint_id) & (hourly.slot == slot)].iloc[0]
    assert (row.staff, bool(row.staffed)) == (staff, staffed)
    assert row.slot_start == pd.Timestamp(TS("2022-01-10 00:00") + dt.timedelta(hours=slot))


def test_noncompliant_branches(con):
    df = metrics.noncompliant_branches(con, metrics.Scope(W))
    assert list(df.columns) == [
        "branch_id",
        "name",
        "township_id",
        "village",
        "last_assessed_on",
        "failed_criteria",
        "never_assessed",
    ]
    rows = [
        (r.branch_id, r.township_id, r.village, r.last_assessed_on, r.failed_criteria, bool(r.never_assessed))
        for r in df.itertuples()
    ]
    assert rows == [
        ("B2", "T1", "村B2", D("2022-01-16"), ["venue"], False),
        ("B3", "T2", "村B3", None, [], True),
    ]


def test_noncompliant_branches_a_week_later(con):
    # week of 01-17: B1's assessment of 01-20 failed "rules"
    df = metrics.noncompliant_branches(con, metrics.Scope(dt.date(2022, 1, 17), "T1"))
    assert list(zip(df.branch_id, df.failed_criteria, strict=False)) == [("B1", ["rules"]), ("B2", ["venue"])]


def test_grids_needing_attention(con):
    df = metrics.grids_needing_attention(con, metrics.Scope(W))
    rows = [
        (r.grid_id, r.households_visited, r.visit_rate, r.visit_target, r.reason, r.reasons)
        for r in df.itertuples()
    ]
    assert rows == [
        # T1 target 0.95 (its own row): G1 visited 90/100 = 0.9 < 0.95
        ("G1", 90, 0.9, 0.95, "below_target", ["below_target"]),
        # G2: no report (0 of 50 visited), nobody assigned
        ("G2", 0, 0.0, 0.95, "not_reported", ["not_reported", "unstaffed", "below_target"]),
        # T2 has no row: county target 0.8. G3 30/80 = 0.375; M3 reports only on 01-17
        ("G3", 30, 0.375, 0.8, "unstaffed", ["unstaffed", "below_target"]),
        # G4 20/20, staffed by M5: fine
    ]
    assert metrics.grids_needing_attention(con, metrics.Scope(W, "T3")).empty


def test_grids_needing_attention_default_target(con):
    # 2023 has no targets: default 0.9; in the week of 2023-01-02 no grid reported
    df = metrics.grid_visit_rates(con, metrics.Scope(dt.date(2023, 1, 2), "T2"))
    assert list(df.visit_target) == [0.9, 0.9]
    # and T2, which sent no grid report that week, is 未报 as a whole: no grid listed
    assert metrics.grids_needing_attention(con, metrics.Scope(dt.date(2023, 1, 2), "T2")).empty


@pytest.mark.parametrize(
    "township, expected",
    [
        (None, {"grids.visit_rate": 0.8, "branches.compliance_rate": 1.0}),
        ("T1", {"grids.visit_rate": 0.95, "branches.compliance_rate": 1.0}),  # T1 overrides
        ("T2", {"grids.visit_rate": 0.8, "branches.compliance_rate": 1.0}),
    ],
)
def test_targets(con, township, expected):
    assert metrics.targets(con, metrics.Scope(township=township), year=2022) == expected


def test_targets_of_another_year(con):
    assert metrics.targets(con, metrics.Scope(township="T1"), year=2021) == {"grids.visit_rate": 0.5}
    assert metrics.targets(con, metrics.Scope(), year=2030) == {}


@pytest.mark.parametrize(
    "township, expected",
    [
        # the county: county-wide rows only
        (None, {"grids.visit_rate": 0.9, "training.party_school.sessions": 24.0, "members.reported": 1259.0}),
        # T1 has its own sessions target; the county's visit rate (a rate) still applies, the
        # county's members count does not
        ("T1", {"grids.visit_rate": 0.9, "training.party_school.sessions": 4.0}),
        # T2 has no rows: only the rate is inherited, never the county's 24 sessions or 1,259 members
        ("T2", {"grids.visit_rate": 0.9}),
    ],
)
def test_targets_inherit_county_rates_but_not_county_counts(empty_con, township, expected):
    insert(
        empty_con,
        "townships",
        [
            {"township_id": t, "name": n, "lon": 99.5, "lat": 22.3, "is_border": True}
            for t, n in (("T1", "娜允镇"), ("T2", "勐马镇"))
        ],
    )
    insert(
        empty_con,
        "targets",
        [
            {"metric": m, "year": 2022, "township_id": t, "target": v}
            for m, t, v in (
                ("grids.visit_rate", None, 0.9),
                ("training.party_school.sessions", None, 24),
                ("training.party_school.sessions", "T1", 4),
                ("members.reported", None, 1259),
            )
        ],
    )
    assert metrics.targets(empty_con, metrics.Scope(township=township), year=2022) == expected


def test_weekly_trend(con):
    df = metrics.weekly_trend(con, metrics.Scope(dt.date(2022, 1, 17)), weeks=3)
    assert list(df.columns) == [
        "week_start",
        "compliance_rate",
        "staffed_rate",
        "visit_rate",
        "reporting_rate",
        "coverage_rate",
    ]
    records = df.to_dict("records")
    # week of 01-17: no grid report at all, so no visit or reporting rate (未报, not 0%)
    assert all(pd.isna(records[2].pop(k)) for k in ("visit_rate", "reporting_rate"))
    assert records == [
        # week of 01-03: B1 (01-05), B2 (2021-12-01), B4 (01-03) compliant; G1, G4 staffed;
        # only T1 reported grids (G2 visited 50 of T1's 150) and shifts (T2's K3 none):
        # K1 e Sun 22-24 (2 slots), K2 g Wed 08-16 (8 slots) of T1's 2 x 168
        {
            "week_start": D("2022-01-03"),
            "compliance_rate": 3 / 4,
            "staffed_rate": 2 / 4,
            "visit_rate": 50 / 150,
            "reporting_rate": 1 / 2,
            "coverage_rate": 10 / 336,
        },
        # W: as in the summary
        {
            "week_start": D("2022-01-10"),
            "compliance_rate": 2 / 4,
            "staffed_rate": 2 / 4,
            "visit_rate": 140 / 250,
            "reporting_rate": 3 / 4,
            "coverage_rate": 41 / 336,
        },
        # week of 01-17: B1 failed on 01-20, only B4; M3 staffs G3; no reports (above);
        # d Mon 00-04 (4 slots) and g2 Mon 08-12 (4 slots) of T1's 2 x 168
        {
            "week_start": D("2022-01-17"),
            "compliance_rate": 1 / 4,
            "staffed_rate": 3 / 4,
            "coverage_rate": 8 / 336,
        },
    ]


@pytest.mark.parametrize("township", SCOPES)
def test_weekly_trend_agrees_with_summary(con, township):
    row = metrics.weekly_trend(con, metrics.Scope(W, township), weeks=1).iloc[0]
    s = metrics.summary(con, metrics.Scope(W, township))
    for column, (group, code) in {
        "compliance_rate": ("branches", "compliance_rate"),
        "staffed_rate": ("grids", "staffed_rate"),
        "visit_rate": ("grids", "visit_rate"),
        "reporting_rate": ("grids", "reporting_rate"),
        "coverage_rate": ("checkpoints", "coverage_rate"),
    }.items():
        got = row[column]
        assert (None if pd.isna(got) else got) == s[group][code]


def test_compliance_by_township(con):
    df = metrics.compliance_by_township(con, metrics.Scope(W))
    assert df.to_dict("records") == [
        {
            "township_id": "T1",
            "name": "娜允镇",
            "total": 2,
            "compliant": 1,
            "compliance_rate": 0.5,
            "model": 1,
            "link_coverage_rate": 0.5,
        },
        {
            "township_id": "T2",
            "name": "勐马镇",
            "total": 2,
            "compliant": 1,
            "compliance_rate": 0.5,
            "model": 1,
            "link_coverage_rate": 1.0,
        },
    ]


def test_training_by_kind_month(con):
    df = metrics.training_by_kind_month(con, metrics.Scope(W))
    assert [(r.month.date(), r.kind, r.sessions, r.attendees) for r in df.itertuples()] == [
        (D("2022-01-01"), "fireside_school", 3, 45),
        (D("2022-01-01"), "outreach", 1, 100),
        (D("2022-01-01"), "party_school", 3, 100),
    ]


def test_hour_slots_match_a_slot_by_slot_count():
    """Random shifts (quarter hours, overlaps, across both week edges) against the rule read
    literally: slot h is staffed when the shifts with start <= h and end >= h+1 bring enough."""
    import random

    rng = random.Random(20220110)
    con = duckdb.connect()
    for stmt in contract.ddl():
        con.execute(stmt)
    insert(con, "townships", [{"township_id": "T1", "name": "娜允镇", "lon": 0, "lat": 0, "is_border": True}])
    required = {f"K{i}": rng.randint(1, 3) for i in range(6)}
    insert(
        con,
        "checkpoints",
        [
            {
                "checkpoint_id": k,
                "township_id": "T1",
                "name": k,
                "kind": "border",
                "required_staff": n,
                "lon": 0,
                "lat": 0,
            }
            for k, n in required.items()
        ],
    )
    week_start = dt.datetime(2022, 1, 10)
    shifts = []
    for k in required:
        starts = rng.sample(range(-24 * 4, 7 * 24 * 4), 40)  # quarter hours from Monday
        for q in starts:
            start = week_start + dt.timedelta(minutes=15 * q)
            end = start + dt.timedelta(minutes=15 * rng.randint(1, 96))
            shifts.append(
                shift(
                    k,
                    str(start),
                    str(end),
                    party=rng.randint(0, 2),
                    unit=rng.randint(0, 1),
                    volunteer=rng.randint(0, 1),
                )
            )
    insert(con, "checkpoint_shifts", shifts)

    expected_staff = {}
    for k in required:
        for h in range(168):
            slot = week_start + dt.timedelta(hours=h)
            expected_staff[k, h] = sum(
                s["staff_party"] + s["staff_unit"] + s["staff_volunteer"]
                for s in shifts
                if s["checkpoint_id"] == k
                and s["shift_start"] <= slot
                and s["shift_end"] >= slot + dt.timedelta(hours=1)
            )
    staffed = {key for key, n in expected_staff.items() if n >= required[key[0]]}

    hourly = metrics.checkpoint_hourly(con, metrics.Scope(W))
    assert {(r.checkpoint_id, r.slot): r.staff for r in hourly.itertuples()} == expected_staff
    assert metrics.summary(con, metrics.Scope(W))["checkpoints"]["staffed_slots"] == len(staffed)

    gaps = metrics.checkpoint_gaps(con, metrics.Scope(W))
    hour = pd.Timedelta(hours=1)
    gap_slots = set()
    for r in gaps.itertuples():
        first, end = (r.gap_start - week_start) // hour, (r.gap_end - week_start) // hour
        assert r.hours == end - first
        assert r.shortfall == max(
            required[r.checkpoint_id] - expected_staff[r.checkpoint_id, h] for h in range(first, end)
        )
        gap_slots |= {(r.checkpoint_id, h) for h in range(first, end)}
    assert gap_slots == set(expected_staff) - staffed
    # runs are maximal: two gaps of a checkpoint never touch
    for _, g in gaps.groupby("checkpoint_id"):
        assert (g["gap_start"].iloc[1:].values > g["gap_end"].iloc[:-1].values).all()
    con.close()


# -- series and lists of the branches and training pages ------------------------------------


def test_compliance_trend_starts_at_the_first_assessment(con):
    # the first assessment (B2, Wed 2021-12-01) is in the week of Monday 2021-11-29
    df = metrics.compliance_trend(con, metrics.Scope(W))
    rows = [
        (r.week_start, r.compliant, r.total, r.compliance_rate, r.link_coverage_rate) for r in df.itertuples()
    ]
    december = [D("2021-11-29"), D("2021-12-06"), D("2021-12-13"), D("2021-12-20"), D("2021-12-27")]
    assert rows == [(w, 1, 4, 1 / 4, 3 / 4) for w in december] + [  # only B2 assessed
        (D("2022-01-03"), 3, 4, 3 / 4, 3 / 4),  # B1 (01-05) and B4 (01-03) pass
        (D("2022-01-10"), 2, 4, 2 / 4, 3 / 4),  # B2 fails venue on W's Sunday
    ]
    assert (
        df.iloc[-1]["compliance_rate"]
        == metrics.summary(con, metrics.Scope(W))["branches"]["compliance_rate"]
    )


def test_compliance_trend_of_a_township_and_of_an_empty_scope(con):
    t2 = metrics.compliance_trend(con, metrics.Scope(W, "T2"))  # B3 never assessed, B4 from 01-03
    assert list(t2["compliant"]) == [0, 0, 0, 0, 0, 1, 1] and set(t2["total"]) == {2}
    assert metrics.compliance_trend(con, metrics.Scope(W, "T3")).empty  # no branches: no 0% line
    assert metrics.compliance_trend(con, metrics.Scope(D("2021-11-22"))).empty  # before any assessment


def test_failed_criteria_counts(con):
    assert metrics.failed_criteria_counts(con, metrics.Scope(W)).to_dict("records") == [
        {"criterion": "venue", "branches": 1}
    ]  # B2; B3 never assessed fails none
    # a week later B1 fails rules too: ties in contract order (venue before rules)
    assert metrics.failed_criteria_counts(con, metrics.Scope(D("2022-01-17"))).to_dict("records") == [
        {"criterion": "venue", "branches": 1},
        {"criterion": "rules", "branches": 1},
    ]
    assert metrics.failed_criteria_counts(con, metrics.Scope(W, "T2")).empty


def test_training_by_township(con):
    df = metrics.training_by_township(con, metrics.Scope(W))
    assert [tuple(r) for r in df.itertuples(index=False)] == [
        (None, "party_school", 1, 60),  # TR3, county-level, first
        ("T1", "fireside_school", 3, 45),  # TR6 on W's Sunday
        ("T1", "party_school", 2, 40),  # TR1; TR4 last year, TR5 after W
        ("T2", "outreach", 1, 100),
    ]
    assert list(metrics.training_by_township(con, metrics.Scope(W, "T2"))["township_id"]) == ["T2"]


def test_training_activities(con):
    df = metrics.training_activities(con, metrics.Scope(W, "T1"))
    assert [
        (r.activity_id, r.held_on, r.township_id, r.kind, r.sessions, r.attendees, r.attendance_records)
        for r in df.itertuples()
    ] == [
        ("TR6", D("2022-01-16"), "T1", "fireside_school", 3, 45, 0),
        ("TR1", D("2022-01-05"), "T1", "party_school", 2, 40, 2),  # M1, M2
    ]
    county = metrics.training_activities(con, metrics.Scope(W))
    assert list(county["activity_id"]) == ["TR6", "TR2", "TR3", "TR1"]
    assert county.loc[county["activity_id"] == "TR3", "township_id"].item() is None


@pytest.mark.parametrize(
    "township, expected",
    [
        # TR1 {M1, M2}, TR3 {M1, M4}, TR2 {M3}: 4 people in 5 person-times listed; TR4 last year
        (None, {"distinct_members": 4, "activities_recorded": 3, "attendance_records": 5}),
        ("T1", {"distinct_members": 2, "activities_recorded": 1, "attendance_records": 2}),
        # attendance is loaded, but none of T3's (no) activities has a list
        ("T3", {"distinct_members": 0, "activities_recorded": 0, "attendance_records": 0}),
    ],
)
def test_training_people(con, township, expected):
    assert metrics.training_people(con, metrics.Scope(W, township)) == expected
    assert (
        expected["distinct_members"]
        == metrics.summary(con, metrics.Scope(W, township))["training"]["distinct_members"]
    )


def test_training_people_without_attendance(empty_con):
    assert metrics.training_people(empty_con, metrics.Scope(W)) == {
        "distinct_members": None,
        "activities_recorded": 0,
        "attendance_records": 0,
    }


def test_checkpoints_the_week_after(con):
    # week of 01-17: d's last 4 hours (Mon 00-04, 3 staff, 2 of them party) and g2 (Mon
    # 08-12, 1 unit); d started in W, so only g2's 999 persons count
    c = metrics.summary(con, metrics.Scope(D("2022-01-17"), "T1"))["checkpoints"]
    assert (c["staffed_slots"], c["staff_hours"], c["party_share"], c["persons_checked"]) == (
        4 + 4,
        3 * 4 + 1 * 4.0,
        2 * 4 / 16,
        999,
    )


def test_checkpoint_weeks_at_once_equal_week_by_week(con):
    # the trend runs one query over several weeks; each week must equal its own summary
    from dashboard import queries

    weeks = queries.run(con, "checkpoint_coverage", week=D("2022-01-17"), weeks=3, township=None)
    for row in weeks.itertuples():
        c = metrics.summary(con, metrics.Scope(row.week_start.date()))["checkpoints"]
        assert (row.staffed_slots, row.staff_hours, row.persons_checked) == (
            c["staffed_slots"],
            c["staff_hours"],
            c["persons_checked"],
        )
        assert row.party_hours / row.staff_hours == c["party_share"]


def test_query_results_come_as_duckdb_would_give_them():
    """queries.run fetches through Arrow (half the CPU of .df() on large results); the frames
    must be the ones .df() gives, down to the dtypes the pages rely on: NULLs in integer and
    boolean columns, sums (HUGEINT), dates, lists, a text column with no value, no rows."""
    import duckdb
    import pandas as pd

    from dashboard import queries

    con = duckdb.connect()
    for sql in (
        "SELECT 1::INT AS a, NULL::INT AS b, true AS c, NULL::BOOLEAN AS d, 2::BIGINT AS e, "
        "DATE '2021-01-04' AS f, TIMESTAMP '2021-01-04 08:30:00' AS g, NULL::VARCHAR AS h, "
        "'娜允镇' AS i, ['c1', 'c2'] AS j, 0.5::DOUBLE AS k",
        "SELECT sum(x::BIGINT) AS s, count(*) AS n FROM range(5) AS t(x)",
        "SELECT * FROM (VALUES (1, 'a', DATE '2021-01-04'), (NULL, NULL, NULL)) AS t(x, y, z)",
        "SELECT 1::INT AS a, 'x' AS b, DATE '2021-01-04' AS c WHERE false",
    ):
        got = queries._frame(con.execute(sql).to_arrow_table())
        want = con.execute(sql).df()
        assert list(got.dtypes) == list(want.dtypes), sql
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
