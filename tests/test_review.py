"""Review of township submissions (issue 21 §5): every rule of dashboard.review, the loader's
lock on an approved township-week, the submission that makes a week wait for review, the
audit of every step, the setting, and the command line; negative cases included."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from dashboard import auth, cli, desk, ingest, review
from dashboard.store import Store

from conftest import csv_text, write_county

WEEK = dt.date(2021, 5, 10)
OTHER = dt.date(2021, 5, 17)
ADMIN = auth.User("admin", "admin")
REVIEWER = auth.User("shen", "reviewer")


class Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def grid_rows(week: dt.date, visited: int = 30, grids=("G1",)) -> bytes:
    rows = [
        dict(
            week_start=week.isoformat(),
            grid_id=g,
            households_visited=visited,
            residents_checked=80,
            travel_registered=2,
            vaccinated=50,
            issues_found=3,
            issues_resolved=2,
        )
        for g in grids
    ]
    return csv_text("grid_weekly", rows).encode()


@pytest.fixture
def county(tmp_path) -> Store:
    """The tiny county (T1 has grids G1, G2), loaded by the county (version 1)."""
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "tiny")], store, by="county").ok
    return store


def submit(store: Store, week: dt.date = WEEK, visited: int = 30, grids=("G1",), by="clerk"):
    """A T1 reporter's submission of its grid reports of `week`, as the data page commits it."""
    up = Upload("网格周报.csv", grid_rows(week, visited, grids))
    return desk.commit_upload(store, [up], False, by, "T1")


# ------------------------------------------------------------------ states
def test_a_submission_waits_for_review_and_an_approval_locks_it(county):
    assert review.state(county.state, "T1", WEEK) is None
    result = submit(county)
    assert result.ok and result.version == 2 and result.weeks == [WEEK]
    s = review.states(county.state, WEEK)["T1"]
    assert (s["state"], s["submitted_by"], s["version"]) == ("pending", "clerk", 2)
    assert not review.locked(county.state, "T1", WEEK)
    assert review.approve(county.state, "T1", WEEK, REVIEWER)["state"] == "approved"
    assert review.locked(county.state, "T1", WEEK)
    assert review.state(county.state, "T1", OTHER) is None  # other weeks untouched
    assert review.state(county.state, "T2", WEEK) is None  # other townships untouched


def test_a_county_load_puts_nothing_under_review(county):
    up = Upload("grid_weekly.csv", grid_rows(WEEK, 12))
    assert desk.commit_upload(county, [up], False, "admin").version == 2
    assert review.states(county.state, WEEK) == {}


def test_an_unchanged_resubmission_leaves_the_state_alone(county):
    submit(county)
    review.send_back(county.state, "T1", WEEK, REVIEWER, "请核对")
    again = submit(county)  # the same file: nothing changes, no version
    assert again.ok and again.version is None
    assert review.state(county.state, "T1", WEEK) == "returned"


def test_only_the_weeks_a_submission_changed_wait_for_review(county):
    submit(county, WEEK)
    review.approve(county.state, "T1", WEEK, ADMIN)
    review.unlock(county.state, "T1", WEEK, ADMIN, "更正")
    review.approve(county.state, "T1", WEEK, ADMIN)
    # a file with WEEK unchanged would be refused as locked; OTHER alone is new
    result = submit(county, OTHER)
    assert result.ok
    assert review.state(county.state, "T1", OTHER) == "pending"
    assert review.state(county.state, "T1", WEEK) == "approved"


def test_returned_with_a_reason_then_resubmitted_waits_again(county):
    submit(county)
    s = review.send_back(county.state, "T1", WEEK, REVIEWER, "  G1 走访户数与上周差异过大，请核实  ")
    assert s["state"] == "returned" and s["reason"] == "G1 走访户数与上周差异过大，请核实"
    assert s["by"] == "shen"
    assert submit(county, visited=31).version == 3
    s = review.states(county.state, WEEK)["T1"]
    assert s["state"] == "pending" and s["reason"] is None and s["version"] == 3


def test_a_returned_week_may_still_be_approved_but_not_returned_twice(county):
    submit(county)
    review.send_back(county.state, "T1", WEEK, REVIEWER, "请核对")
    with pytest.raises(review.ReviewError) as e:
        review.send_back(county.state, "T1", WEEK, REVIEWER, "again")
    assert "已退回" in e.value.zh and "Returned" in e.value.en
    assert review.approve(county.state, "T1", WEEK, REVIEWER)["state"] == "approved"


def test_an_approved_week_is_neither_approved_nor_returned_again(county):
    submit(county)
    review.approve(county.state, "T1", WEEK, REVIEWER)
    for act in (
        lambda: review.approve(county.state, "T1", WEEK, REVIEWER),
        lambda: review.send_back(county.state, "T1", WEEK, REVIEWER, "x"),
    ):
        with pytest.raises(review.ReviewError) as e:
            act()
        assert "已审核" in e.value.zh and "T1" in e.value.en and "2021-05-10" in e.value.en


@pytest.mark.parametrize("step", ["approve", "return", "unlock"])
def test_acting_on_a_week_never_submitted_is_refused(county, step):
    # the county loaded data of WEEK for T1, but no reporter submitted it
    call = {
        "approve": lambda: review.approve(county.state, "T1", WEEK, ADMIN),
        "return": lambda: review.send_back(county.state, "T1", WEEK, ADMIN, "why"),
        "unlock": lambda: review.unlock(county.state, "T1", WEEK, ADMIN, "why"),
    }[step]
    with pytest.raises(review.ReviewError) as e:
        call()
    assert "没有乡镇报送" in e.value.zh and "has not submitted" in e.value.en
    assert "T1" in e.value.zh and "2021-05-10" in e.value.zh
    assert review.events(county.state) == ([], 0)  # nothing written
    assert not any(x["event"].startswith("review_") for x in auth.Users(county.state).audit_log())


def test_a_week_that_is_not_a_monday_is_refused(county):
    submit(county)
    for bad in ("2021-05-11", "2021-13-01", "next week"):
        with pytest.raises(review.ReviewError) as e:
            review.approve(county.state, "T1", bad, ADMIN)
        assert bad in e.value.zh and "Monday" in e.value.en


@pytest.mark.parametrize("role", ["leader", "township", "reporter"])
def test_only_admins_and_reviewers_review(county, role):
    submit(county)
    someone = auth.User("x", role, "T1" if role in auth.TOWNSHIP_ROLES else None)
    assert not someone.may_review
    with pytest.raises(review.ReviewError) as e:
        review.approve(county.state, "T1", WEEK, someone)
    assert "审核员" in e.value.zh
    with pytest.raises(review.ReviewError):
        review.send_back(county.state, "T1", WEEK, someone, "no")
    assert review.state(county.state, "T1", WEEK) == "pending"


def test_unlocking_is_an_admins_act_with_a_reason(county):
    submit(county)
    review.approve(county.state, "T1", WEEK, REVIEWER)
    with pytest.raises(review.ReviewError) as e:
        review.unlock(county.state, "T1", WEEK, REVIEWER, "更正")
    assert "管理员" in e.value.zh and "administrator" in e.value.en
    with pytest.raises(review.ReviewError):
        review.unlock(county.state, "T1", WEEK, ADMIN, "   ")
    assert review.locked(county.state, "T1", WEEK)
    s = review.unlock(county.state, "T1", WEEK, ADMIN, "乡镇发现 G1 数字填错")
    assert s["state"] == "pending" and s["reason"] == "乡镇发现 G1 数字填错"
    assert not review.locked(county.state, "T1", WEEK)
    assert submit(county, visited=29).ok  # the reporter may correct it now
    with pytest.raises(review.ReviewError):
        review.unlock(county.state, "T1", WEEK, ADMIN, "not approved now")


def test_a_reason_is_needed_at_most_500_characters_and_kept_as_typed(county):
    submit(county)
    with pytest.raises(review.ReviewError) as e:
        review.send_back(county.state, "T1", WEEK, REVIEWER, "")
    assert "原因" in e.value.zh
    with pytest.raises(review.ReviewError) as e:
        review.send_back(county.state, "T1", WEEK, REVIEWER, "字" * 501)
    assert "501" in e.value.zh and "500" in e.value.en
    assert review.state(county.state, "T1", WEEK) == "pending"
    markup = "<script>alert(1)</script> **粗体** [链接](http://x) " + "字" * 440
    assert len(markup) <= 500
    s = review.send_back(county.state, "T1", WEEK, REVIEWER, markup + "\x00\x07")
    assert s["reason"] == markup  # control characters dropped, markup kept as text
    line = (county.state / review.EVENTS_FILE).read_text("utf-8").splitlines()[-1]
    assert json.loads(line)["reason"] == markup


def test_every_step_is_audited(county):
    submit(county)
    review.send_back(county.state, "T1", WEEK, REVIEWER, "请核对")
    submit(county, visited=40)
    review.approve(county.state, "T1", WEEK, REVIEWER)
    review.unlock(county.state, "T1", WEEK, ADMIN, "更正")
    log = [e for e in reversed(auth.Users(county.state).audit_log()) if e["event"].startswith("review_")]
    assert [(e["event"], e["user"]) for e in log] == [
        ("review_submitted", "clerk"),
        ("review_returned", "shen"),
        ("review_submitted", "clerk"),
        ("review_approved", "shen"),
        ("review_unlocked", "admin"),
    ]
    assert all(e["township"] == "T1" and e["week"] == "2021-05-10" for e in log)
    assert log[1]["reason"] == "请核对" and log[4]["reason"] == "更正"
    table = desk.audit_table(county, "zh")
    assert {"退回报送", "审核通过", "解锁已审核周", "报送待审核"} <= set(table["事件"])


def test_the_event_file_is_append_only_private_and_damaged_lines_are_counted(county):
    submit(county)
    path = county.state / review.EVENTS_FILE
    assert os.stat(path).st_mode & 0o777 == 0o600
    with open(path, "ab") as f:
        f.write(b'{"event": "approved", "township": "T1", "week": "2021-05-1')  # cut short
    with open(path, "ab") as f:
        f.write(b'\n["not an event"]\n{"event": "approved"}\n')
    entries, skipped = review.events(county.state)
    assert len(entries) == 1 and skipped == 3
    assert review.state(county.state, "T1", WEEK) == "pending"  # the damaged approval did not count
    review.approve(county.state, "T1", WEEK, REVIEWER)  # written after a newline of its own
    assert review.events(county.state)[1] == 3 and review.locked(county.state, "T1", WEEK)


def test_the_queue_is_oldest_first_and_holds_only_waiting_weeks(county):
    for w in (OTHER, WEEK, dt.date(2021, 5, 24)):
        submit(county, w)
    review.approve(county.state, "T1", dt.date(2021, 5, 24), REVIEWER)
    q = review.queue(county.state)
    assert [r["week"] for r in q] == [OTHER, WEEK]  # in the order they began waiting
    assert all(r["township"] == "T1" and r["submitted_by"] == "clerk" for r in q)
    review.send_back(county.state, "T1", OTHER, REVIEWER, "请核对")
    assert [r["week"] for r in review.queue(county.state)] == [WEEK]
    assert review.queue(county.state, township="T2") == []


def test_returned_since_gives_the_notify_branch_the_reason_and_time(county):
    submit(county)
    before = dt.datetime.now().astimezone() - dt.timedelta(seconds=2)
    review.send_back(county.state, "T1", WEEK, REVIEWER, "请补报卡点")
    (e,) = review.returned_since(county.state, before)
    assert (e["township"], e["week"], e["reason"], e["by"]) == ("T1", "2021-05-10", "请补报卡点", "shen")
    assert dt.datetime.fromisoformat(e["at"]) >= before
    assert review.returned_since(county.state, dt.datetime.now().astimezone() + dt.timedelta(hours=1)) == []


# ------------------------------------------------------------------ the loader's lock
def test_a_reporters_upload_touching_an_approved_week_is_refused_changing_nothing(county):
    submit(county)
    review.approve(county.state, "T1", WEEK, REVIEWER)
    before = county.current()
    up = Upload("网格周报.csv", grid_rows(WEEK, 35, grids=("G1", "G2")))
    for result in (
        desk.check_upload(county, [up], False, "T1")["result"],
        desk.commit_upload(county, [up], False, "clerk", "T1"),
    ):
        assert not result.ok and result.version is None
        (err,) = result.errors
        assert err.file == "网格周报.csv" and err.row == 2 and err.column == "week_start"
        assert "2021-05-10" in err.zh and "娜允镇" in err.zh and "T1" in err.zh and "锁定" in err.zh
        assert "2021-05-10" in err.en and "T1" in err.en and "locked" in err.en
    assert county.current() == before
    assert review.state(county.state, "T1", WEEK) == "approved"
    # another week of the same township still goes in
    assert submit(county, OTHER).ok


def test_the_lock_binds_reporters_only(county):
    submit(county)
    review.approve(county.state, "T1", WEEK, REVIEWER)
    up = Upload("grid_weekly.csv", grid_rows(WEEK, 37))
    assert desk.commit_upload(county, [up], False, "admin").ok  # a county correction


def test_a_shift_or_training_of_a_locked_week_is_refused_too(county):
    shifts = csv_text(
        "checkpoint_shifts",
        [
            dict(
                checkpoint_id="K1",
                shift_start="2021-05-16 20:00",  # Sunday of WEEK, running past midnight
                shift_end="2021-05-17 04:00",
                staff_party=1,
                staff_unit=1,
                staff_volunteer=0,
                persons_checked=10,
            )
        ],
    ).encode()
    assert desk.commit_upload(county, [Upload("卡点值守.csv", shifts)], False, "clerk", "T1").ok
    assert review.state(county.state, "T1", WEEK) == "pending"
    review.approve(county.state, "T1", WEEK, REVIEWER)
    again = desk.check_upload(county, [Upload("卡点值守.csv", shifts.replace(b",10", b",11"))], False, "T1")
    assert not again["result"].ok and again["result"].errors[0].column == "shift_start"


# ------------------------------------------------------------------ the setting
def test_the_setting_defaults_to_submitted_and_only_admins_change_it(county):
    submit(county)
    assert review.show_mode(county.state) == "submitted"
    assert review.withheld(county.state, WEEK) == ()
    with pytest.raises(review.ReviewError):
        review.set_show_mode(county.state, "approved", REVIEWER)
    with pytest.raises(review.ReviewError):
        review.set_show_mode(county.state, "sometimes", ADMIN)
    (county.state / "settings.json").write_text('{"other": 1}', "utf-8")
    review.set_show_mode(county.state, "approved", ADMIN)
    assert json.loads((county.state / "settings.json").read_text("utf-8")) == {
        "other": 1,
        "review_show": "approved",
    }
    assert review.withheld(county.state, WEEK) == ("T1",)
    review.approve(county.state, "T1", WEEK, REVIEWER)
    assert review.withheld(county.state, WEEK) == ()
    assert auth.Users(county.state).audit_log()[1]["event"] == "review_show"
    (county.state / "settings.json").write_text("{not json", "utf-8")
    assert review.show_mode(county.state) == "submitted"


# ------------------------------------------------------------------ the command line
def run(store: Store, *args) -> int:
    return cli.main(["--store", str(store.root), "review", *args])


def test_cli_lists_approves_returns_and_unlocks(county, capsys):
    auth.Users(county.state).add("shen", "reviewer", "border-2021")
    auth.Users(county.state).add("clerk", "reporter", "border-2021", township="T1")
    submit(county)
    submit(county, OTHER)
    capsys.readouterr()
    assert run(county, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split("\t")[:3] for ln in lines] == [
        ["T1", "2021-05-10", "pending"],
        ["T1", "2021-05-17", "pending"],
    ]
    assert run(county, "--by", "clerk", "approve", "T1", "2021-05-10") == 1  # a reporter
    assert "审核员" in capsys.readouterr().err
    assert run(county, "--by", "shen", "return", "T1", "2021-05-10", "--reason", "请核对 <b>") == 0
    assert run(county, "--by", "shen", "approve", "T1", "2021-05-17") == 0
    assert run(county, "--by", "shen", "unlock", "T1", "2021-05-17", "--reason", "x") == 1
    assert run(county, "--by", "ops", "unlock", "T1", "2021-05-17", "--reason", "更正") == 0
    assert run(county, "approve", "T2", "2021-05-10") == 1
    assert "没有乡镇报送" in capsys.readouterr().err
    assert run(county, "list", "--week", "2021-05-10") == 0
    (line,) = capsys.readouterr().out.splitlines()
    fields = line.split("\t")
    assert (fields[2], fields[4], fields[5]) == ("returned", "shen", "请核对 <b>")
    assert run(county, "show") == 0 and capsys.readouterr().out.strip() == "submitted"
    assert run(county, "--by", "shen", "show", "approved") == 1
    assert run(county, "show", "approved") == 0 and review.show_mode(county.state) == "approved"
