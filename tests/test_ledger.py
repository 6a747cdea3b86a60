"""The rectification ledger (dashboard/ledger.py) on a small county built here over several
weeks and versions: which items open, when they turn amber, red and 督办, which close and in
which version (against an independent week-by-week computation from dashboard.metrics and the
submission board), a restore, township scoping, notes that survive SIGKILL, and that nothing
opens for a township that has not reported yet."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import contract, ingest, ledger, metrics, submissions
from dashboard.auth import User, Users
from dashboard.store import Store

from conftest import write_county

ROOT = Path(__file__).resolve().parent.parent
W0, W1, W2, W3 = (dt.date(2021, 5, 3) + dt.timedelta(days=7 * i) for i in range(4))
TZ = ledger.TZ


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), TZ)


def _shift(day: dt.date, hours: int, staff: int = 1) -> dict:
    start = dt.datetime.combine(day, dt.time(0))
    return dict(
        checkpoint_id="K1",
        shift_start=f"{start:%Y-%m-%d %H:%M}",
        shift_end=f"{start + dt.timedelta(hours=hours):%Y-%m-%d %H:%M}",
        staff_party=staff,
        staff_unit=0,
        staff_volunteer=0,
        persons_checked=10,
    )


def _report(grid: str, week: dt.date) -> dict:
    return dict(
        week_start=week.isoformat(),
        grid_id=grid,
        households_visited=10,
        residents_checked=20,
        travel_registered=0,
        vaccinated=0,
        issues_found=0,
        issues_resolved=0,
    )


def _assessment(day: str, failing: set[str]) -> list[dict]:
    return [
        dict(branch_id="B1", assessed_on=day, criterion=c, passed=str(c not in failing).lower(), note="")
        for c in contract.CRITERIA
    ]


# T1: grids G1, G2 and checkpoint K1; T2: branch B1 only (nothing to submit weekly);
# T3: grid G3, which reports the first week only.
COUNTY = {
    "townships": [
        dict(township_id="T1", name="甲镇", name_en="Jia", lon=99.59, lat=22.33, is_border="true"),
        dict(township_id="T2", name="乙乡", name_en="Yi", lon=99.8, lat=22.28, is_border="true"),
        dict(township_id="T3", name="丙乡", name_en="Bing", lon=99.7, lat=22.3, is_border="false"),
    ],
    "communities": [
        dict(community_id="C1", township_id="T1", name="一社区"),
        dict(community_id="C3", township_id="T3", name="三社区"),
    ],
    "zones": [
        dict(zone_id="Z1", community_id="C1", name="一片区", leader_title="县委副书记"),
        dict(zone_id="Z3", community_id="C3", name="三片区", leader_title="副县长"),
    ],
    "units": [dict(unit_id="U1", name="县委组织部", kind="county")],
    "grids": [
        dict(
            grid_id=g,
            zone_id=z,
            name=f"{g}网格",
            households=40,
            residents=100,
            unit_id="U1",
            lon=99.6,
            lat=22.3,
        )
        for g, z in (("G1", "Z1"), ("G2", "Z1"), ("G3", "Z3"))
    ],
    "members": [
        dict(
            member_id=m, unit_id="U1", grid_id=g, role="chief", reported_on="2021-05-03", households_linked=8
        )
        for m, g in (("M1", "G1"), ("M3", "G3"))
    ],
    "grid_weekly": [_report("G1", W0), _report("G1", W1), _report("G2", W0), _report("G3", W0)],
    "checkpoints": [
        dict(
            checkpoint_id="K1",
            township_id="T1",
            community_id="C1",
            name="一号卡点",
            kind="community",
            required_staff=1,
            lon=99.59,
            lat=22.33,
        )
    ],
    # W0: 8 hours on duty (a gap); W1: every hour covered
    "checkpoint_shifts": [_shift(W0, 8)] + [_shift(W1 + dt.timedelta(days=d), 24) for d in range(7)],
    "branches": [
        dict(
            branch_id="B1",
            township_id="T2",
            village="芒国村",
            group_name="一组",
            name="芒国村一组党支部",
            on_border_line="Y",
            party_members=12,
            is_model="N",
            link_county_leader=1,
            link_unit=1,
            link_township=1,
            link_village_team=0,
            lon=99.8,
            lat=22.28,
        )
    ],
    "branch_assessments": _assessment("2021-05-06", {"venue"}),
}

# version 2: W2 comes in for T1 (G1, G2 report; G2 gets its chief; K1 has a gap again) and
# B1 passes every criterion on a new assessment; T3 still sends nothing.
SECOND = {
    "grid_weekly": [_report("G1", W2), _report("G2", W2)],
    "members": [
        dict(
            member_id="M2",
            unit_id="U1",
            grid_id="G2",
            role="chief",
            reported_on="2021-05-19",
            households_linked=6,
        )
    ],
    "checkpoint_shifts": [_shift(W2, 12)],
    "branch_assessments": _assessment("2021-05-19", set()),
}


def _load(store: Store, folder: Path, data: dict) -> int:
    result = ingest.load([write_county(folder, data)], store, by="tests")
    assert result.ok, result.errors
    return store.current()


@pytest.fixture
def county(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    assert _load(store, tmp_path / "v1", COUNTY) == 1
    assert _load(store, tmp_path / "v2", SECOND) == 2
    return store


def _by_key(found):
    return {i.key: i for i in found}


# ---------------------------------------------------------------- an independent computation
def independent(store: Store, until: dt.date) -> dict[str, tuple]:
    """key -> (opened_week, closed_week, episodes) of the branch, grid and checkpoint kinds,
    walking the weeks one by one with the pages' own functions: a township's week counts only
    if the submission board shows grid reports (grid kinds) or checkpoint days (checkpoint
    kinds) or either (branches; every week for a township with nothing to submit)."""
    con = store.connect()
    try:
        weeks = [w for w in metrics.available_weeks(con) if w <= until]
        state: dict[str, dict] = {}
        for week in weeks:
            board = {r["township_id"]: r for r in submissions.board(con, week).to_dict("records")}

            def seen(township, domain, board=board):
                r = board[township]
                grids, cps = r["grids_reported"] > 0, r["checkpoint_days"] > 0
                if domain == "grid":
                    return grids
                if domain == "checkpoint":
                    return cps
                nothing_due = not r["grids_total"] and not r["checkpoints_total"]
                return grids or cps or nothing_due

            present: dict[str, tuple[str, str]] = {}  # key -> (township, domain)
            scope = metrics.Scope(week)
            status = metrics.branch_status(con, scope)
            for r in status.itertuples():
                for c in r.failed_criteria:
                    present[f"branch_criterion|{r.branch_id}|{c}"] = (r.township_id, "any")
            for r in metrics.grids_needing_attention(con, scope).itertuples():
                if "not_reported" in r.reasons:
                    present[f"grid_not_reported|{r.grid_id}|"] = (r.township_id, "grid")
                if "unstaffed" in r.reasons:
                    present[f"grid_unstaffed|{r.grid_id}|"] = (r.township_id, "any")
            for r in metrics.checkpoint_status(con, scope).itertuples():
                if r.gap_hours > 0:
                    present[f"checkpoint_gap|{r.checkpoint_id}|"] = (r.township_id, "checkpoint")
            for key, (township, domain) in present.items():
                if not seen(township, domain):
                    continue
                s = state.setdefault(key, {"township": township, "domain": domain, "episodes": 0})
                if s["episodes"] == 0 or s["closed"] is not None:
                    s.update(opened=week, closed=None, episodes=s["episodes"] + 1)
            for key, s in state.items():
                if key not in present and s["closed"] is None and seen(s["township"], s["domain"]):
                    s["closed"] = week
        return {k: (s["opened"], s["closed"], s["episodes"]) for k, s in state.items()}
    finally:
        con.close()


KINDS_COMPARED = ("branch_criterion", "grid_not_reported", "grid_unstaffed", "checkpoint_gap")


@pytest.mark.parametrize("week", [W0, W1, W2])
def test_items_match_an_independent_computation(county, week):
    found = ledger.items(county, as_of=ledger.week_as_of(week))
    got = {i.key: (i.opened_week, i.closed_week, i.episodes) for i in found if i.kind in KINDS_COMPARED}
    assert got == independent(county, week)


def test_which_items_open_and_close_and_in_which_version(county):
    found = _by_key(ledger.items(county, as_of=ledger.week_as_of(W2)))
    b = found["branch_criterion|B1|venue"]
    assert (b.opened_week, b.status, b.closed_week, b.closed_version) == (W0, "closed", W2, 2)
    assert b.links == {
        "link_county_leader": True,
        "link_unit": True,
        "link_township": True,
        "link_village_team": False,
    }
    g = found["grid_not_reported|G2|"]
    assert (g.opened_week, g.closed_week, g.closed_version) == (W1, W2, 2)
    u = found["grid_unstaffed|G2|"]
    assert (u.opened_week, u.closed_week, u.closed_version, u.opened_version) == (W0, W2, 2, 1)
    # the gap of W0 closed by the full week W1 (version 1) and came back in W2
    k = found["checkpoint_gap|K1|"]
    assert (k.opened_week, k.status, k.episodes, k.reopened, k.closed_version) == (W2, "open", 2, True, None)
    # as of version 1's data only, the same items stood open
    before = _by_key(ledger.items(county, as_of=ledger.week_as_of(W1)))
    assert before["branch_criterion|B1|venue"].status == "open"
    assert before["checkpoint_gap|K1|"].closed_week == W1
    assert before["checkpoint_gap|K1|"].closed_version == 1


def test_nothing_opens_for_a_township_that_has_not_reported(county):
    # T3 reported W0 only (the reporting module agrees). Before W1's deadline (Monday 17 May,
    # 12:00) nothing of T3 is open.
    from dashboard import reporting

    con = county.connect()
    assert "T3" not in reporting.counted_townships(con, W1) | reporting.counted_townships(con, W2)
    con.close()
    assert reporting.deadline(W1) == at("2021-05-17", 12)
    early = ledger.items(county, as_of=at("2021-05-17", 11))
    assert [i for i in early if i.township_id == "T3"] == []
    # after it, the missing submission is one item; its grid is never "not reported"
    late = ledger.items(county, as_of=at("2021-05-17", 13))
    t3 = [i for i in late if i.township_id == "T3"]
    assert [(i.kind, i.entity, i.opened_week) for i in t3] == [("submission_missing", "T3", W1)]
    later = ledger.items(county, as_of=ledger.week_as_of(W2))
    assert {i.kind for i in later if i.township_id == "T3"} == {"submission_missing"}
    # T1 (grids and a checkpoint) and T2 (nothing due) never get a missing-submission item
    assert {i.entity for i in later if i.kind == "submission_missing"} == {"T3"}


def test_colours_as_the_deadline_comes_and_goes(tmp_path):
    store = Store(tmp_path / "store")
    _load(store, tmp_path / "v1", COUNTY)  # B1 fails "venue" on 6 May and is never reassessed

    def venue(day):
        it = _by_key(ledger.items(store, as_of=at(day)))["branch_criterion|B1|venue"]
        return it.status, it.colour, it.escalated

    # seen in week W0, open from Monday 10 May, 30 days: deadline 9 June
    item = _by_key(ledger.items(store, as_of=at("2021-05-10")))["branch_criterion|B1|venue"]
    assert item.deadline == dt.date(2021, 6, 9)
    assert venue("2021-05-10") == ("open", "green", False)
    assert venue("2021-06-02") == ("open", "green", False)
    assert venue("2021-06-03") == ("open", "amber", False)  # the last fifth: 6 days
    assert venue("2021-06-09") == ("open", "amber", False)
    assert venue("2021-06-10") == ("overdue", "red", False)
    assert venue("2021-07-08") == ("overdue", "red", False)
    assert venue("2021-07-09") == ("overdue", "red", True)  # 30 days past the deadline: 督办


def test_grade_rule():
    d = dt.date(2021, 6, 9)
    assert ledger.grade(d, 30, d - dt.timedelta(days=7)) == ("green", False)
    assert ledger.grade(d, 30, d - dt.timedelta(days=6)) == ("amber", False)
    assert ledger.grade(d, 2, d) == ("amber", False)
    assert ledger.grade(d, 2, d + dt.timedelta(days=1)) == ("red", False)
    assert ledger.grade(d, 2, d + dt.timedelta(days=2)) == ("red", True)


def test_a_restore_recomputes_the_ledger(county):
    as_of = ledger.week_as_of(W2)
    assert _by_key(ledger.items(county, as_of=as_of))["grid_unstaffed|G2|"].status == "closed"
    assert county.restore(1, by="tests") == 3
    found = _by_key(ledger.items(county, as_of=as_of))
    # version 2's fixes are gone with its data: open again
    assert found["grid_unstaffed|G2|"].status == "overdue"
    assert found["branch_criterion|B1|venue"].closed_week is None
    # W1 was first published by version 1: the restored version's lineage runs through it
    k = found["checkpoint_gap|K1|"]
    assert (k.status, k.closed_week, k.closed_version) == ("closed", W1, 1)
    assert ledger.lineage(county) == [3, 1]


def test_township_scoping(county):
    as_of = ledger.week_as_of(W2)
    everyone = ledger.items(county, as_of=as_of)
    assert {i.township_id for i in everyone} == {"T1", "T2", "T3"}
    own = ledger.scoped(county, User("t1", "township", "T1"), as_of=as_of, township="T3")
    assert own and {i.township_id for i in own} == {"T1"}
    assert {i.township_id for i in ledger.scoped(county, User("boss", "leader"), as_of=as_of)} == {
        "T1",
        "T2",
        "T3",
    }


def test_notes_by_whom_and_not_on_closed_items(county):
    as_of = ledger.week_as_of(W2)
    key = "checkpoint_gap|K1|"
    with pytest.raises(ledger.NoteRefused) as e:
        ledger.note(county, User("t3", "reporter", "T3"), key, "补排班", as_of=as_of)
    assert "没有这一项" in e.value.zh  # another township's item: not even its existence
    with pytest.raises(ledger.NoteRefused) as e:
        ledger.note(county, User("boss", "leader"), key, "补排班", as_of=as_of)
    assert "本乡镇" in e.value.zh
    assert ledger.read_notes(county.state) == ({}, 0)
    with pytest.raises(ledger.NoteRefused):
        ledger.note(county, User("t1", "township", "T1"), key, "长" * 501, as_of=as_of)
    item = ledger.note(county, User("t1", "township", "T1"), key, "已补排夜班 <b>两人</b>", as_of=as_of)
    assert (item.status, item.note, item.note_count) == ("in_progress", "已补排夜班 <b>两人</b>", 1)
    # an admin may write on any township's items; nobody on a closed one
    ledger.note(county, User("root", "admin"), "submission_missing|T3|", "已电话催报", as_of=as_of)
    with pytest.raises(ledger.NoteRefused) as e:
        ledger.note(county, User("root", "admin"), "grid_unstaffed|G2|", "x", as_of=as_of)
    assert "销号" in e.value.zh
    audit = [e for e in Users(county.state).audit_log() if e["event"] == "ledger_note"]
    assert [(e["user"], e["key"]) for e in audit] == [("root", "submission_missing|T3|"), ("t1", key)]
    # a note of an earlier episode does not mark the item once it comes back
    ledger.add_note(county.state, "grid_unstaffed|G2|", "旧措施", "root", opened_week=W1)
    assert _by_key(ledger.items(county, as_of=as_of))["grid_unstaffed|G2|"].status == "closed"


WRITER = """
import sys
from dashboard import ledger
i = 0
while True:
    ledger.add_note(sys.argv[1], f"checkpoint_gap|K{i}|", "整改措施" * 20 + str(i), "w")
    i += 1
    if i == 20:
        print("ready", flush=True)
"""


def test_notes_survive_sigkill_and_damaged_lines_are_skipped(tmp_path):
    state = tmp_path / "state"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(state)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.2)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    raw = ledger.notes_path(state).read_bytes()
    lines = [line for line in raw.split(b"\n") if line]
    notes, skipped = ledger.read_notes(state)
    complete = sum(len(v) for v in notes.values())
    assert complete >= 20 and skipped == len(lines) - complete <= 1
    numbers = sorted(int(n["text"][len("整改措施") * 20 :]) for v in notes.values() for n in v)
    assert numbers[: complete - 1] == list(range(complete - 1))  # none lost before the last
    # a line cut short (a full disk, a crash of another writer) and a foreign line
    with open(ledger.notes_path(state), "ab") as f:
        f.write(b'{"key": "checkpoint_gap|K1|", "te')
    ledger.add_note(state, "checkpoint_gap|K1|", "后来的一条", "w")
    with open(ledger.notes_path(state), "ab") as f:
        f.write(json.dumps(["not", "a", "note"]).encode() + b"\n")
    notes2, skipped2 = ledger.read_notes(state)
    assert skipped2 == skipped + 2
    assert notes2["checkpoint_gap|K1|"][-1]["text"] == "后来的一条"
    assert oct(ledger.notes_path(state).stat().st_mode & 0o777) == "0o600"


def test_command_line(county, capsys):
    from dashboard import cli

    assert (
        cli.main(["--store", str(county.root), "ledger", "--status", "all", "--week", str(W2), "--json"]) == 0
    )
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    b = rows["branch_criterion|B1|venue"]
    assert (b["status"], b["closed_week"], b["closed_version"], b["opened_week"]) == (
        "closed",
        str(W2),
        2,
        str(W0),
    )
    assert rows["submission_missing|T3|"]["escalated"] is True
    assert cli.main(["--store", str(county.root), "ledger", "--township", "T1", "--week", str(W2)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "checkpoint_gap\tK1\t-\tT1\topened 2021-05-17\tdeadline 2021-05-26\topen\tgreen",
    ]
    assert cli.main(["--store", str(county.root), "ledger", "--township", "T9"]) == 2


def test_the_page_shows_a_township_user_their_own_items_only(monkeypatch, county):
    import helpers

    users = Users(county.state)
    users.add("t1user", "township", helpers.PASSWORD, township="T1")
    at = helpers.login(helpers.app(monkeypatch, county, week=str(W2), township="T3"), "t1user")
    at.switch_page("views/ledger.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table.iloc[:, 1]) == {"甲镇"}  # the URL asked for 丙乡: the user's own township
    assert "一号卡点" in set(table.iloc[:, 3])
    # the note form is there, for the user's own items, and a note marks the item 整改中
    at.text_area[0].input("已补排夜班")
    at.button[0].click().run()
    assert not at.exception and at.success
    assert "整改中" in set(at.dataframe[0].value.iloc[:, 0])
