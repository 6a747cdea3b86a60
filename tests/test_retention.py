"""Retention (dashboard/retention.py, issue 19 §2): each rule of the policy keeps what it says;
prune and its dry run (what would go, the bytes, the audit line); the same after each publish;
a version a reader holds open, in this process or another, stays until the reader lets go or
dies; a pruned version is listed as pruned and refused, in Chinese and English, when restored,
pinned or opened; and the ledger and "since the last meeting" read the same after a prune."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import auth, cli, desk, ingest, ledger, metrics, retention
from dashboard.retention import Policy
from dashboard.store import Store

from conftest import write_county
from test_ledger import COUNTY, SECOND, W0, W1, W2, W3, _assessment, _report, _shift

ROOT = Path(__file__).resolve().parent.parent
TZ = retention.TZ
NOTHING = Policy(keep_last=1, weekly_days=0)  # only what must stay: pinned, live, held


def _empty_versions(store: Store, n: int) -> None:
    """Publish `n` versions quickly (the contract's empty tables; only their numbers matter)."""
    for _ in range(n):
        with store.writer() as draft:
            store.publish(draft, {"action": "load", "by": "tests", "files": [], "tables": {}})


@pytest.fixture
def versions(tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv("DASHBOARD_RETENTION", "off")  # these tests prune by hand
    store = Store(tmp_path / "store")
    _empty_versions(store, 6)
    return store


def _rec(v: int, day: str) -> dict:
    return {"version": v, "created_at": f"{day}T10:00:00+08:00"}


# ---------------------------------------------------------------- the rules
def test_each_rule_keeps_what_it_says():
    now = dt.datetime(2026, 12, 7, 12, tzinfo=TZ)  # a Monday
    records = [
        _rec(1, "2025-06-02"),  # more than a year ago: only a pin keeps it
        _rec(2, "2025-06-03"),  # the same, pinned
        _rec(3, "2026-03-02"),  # week of 2026-03-02, not its last
        _rec(4, "2026-03-05"),  # week of 2026-03-02, its last
        _rec(5, "2026-11-30"),
        _rec(6, "2026-12-01"),
        _rec(7, "2026-12-02"),  # week of 2026-11-30, its last
        _rec(8, "2026-12-07"),  # live
    ]
    got = retention.decide(records, 8, {2}, Policy(keep_last=2, weekly_days=365), now)
    assert got == {
        8: ["live", "recent", "weekly"],
        7: ["recent", "weekly"],
        6: [],
        5: [],
        4: ["weekly"],
        3: [],
        2: ["pinned"],
        1: [],
    }
    # the defaults a county would choose: the last 20, and a year of weeks
    assert (retention.POLICY.keep_last, retention.POLICY.weekly_days) == (20, 365)
    many = [_rec(v, "2026-12-07") for v in range(1, 31)]
    kept = {v for v, r in retention.decide(many, 30, set(), None, now).items() if r}
    assert kept == set(range(11, 31))


# ---------------------------------------------------------------- prune and its dry run
def test_dry_run_lists_what_would_go_and_changes_nothing(versions, capsys):
    sizes = {v: versions.path(v).stat().st_size for v in range(1, 7)}
    versions.pin(2, "第一次例会")
    before = sorted(p.name for p in versions.versions_dir.iterdir())
    result = retention.prune(versions, dry_run=True, policy=Policy(keep_last=2, weekly_days=0))
    assert [v for v, _ in result.pruned] == [1, 3, 4]
    assert result.freed == sizes[1] + sizes[3] + sizes[4]
    assert sorted(p.name for p in versions.versions_dir.iterdir()) == before
    assert not [e for e in auth.Users(versions.state).audit_log() if e["event"] == "prune"]


def test_prune_removes_the_files_keeps_the_records_and_writes_an_audit_line(versions):
    versions.pin(2, "第一次例会")
    freed = sum(versions.path(v).stat().st_size for v in (1, 3, 4))
    result = retention.prune(versions, by="admin", policy=Policy(keep_last=2, weekly_days=0))
    assert [v for v, _ in result.pruned] == [1, 3, 4]
    assert result.keep == {2: ["pinned"], 5: ["recent"], 6: ["live", "recent", "weekly"]}
    assert [v for v in range(1, 7) if versions.path(v).exists()] == [2, 5, 6]
    listed = {v["version"]: v for v in versions.versions()}
    assert sorted(listed) == [1, 2, 3, 4, 5, 6]  # every version still listed
    assert [v for v in sorted(listed) if listed[v].get("pruned")] == [1, 3, 4]
    assert listed[3]["pruned"]["by"] == "admin"
    (line,) = [e for e in auth.Users(versions.state).audit_log() if e["event"] == "prune"]
    assert (line["user"], line["versions"], line["bytes"], line["held"]) == ("admin", [1, 3, 4], freed, [])
    # a second prune finds nothing more to do, and writes no line
    assert retention.prune(versions, policy=Policy(keep_last=2, weekly_days=0)).pruned == []
    assert len([e for e in auth.Users(versions.state).audit_log() if e["event"] == "prune"]) == 1


def test_command_line_prune_and_its_dry_run(versions, capsys):
    root = str(versions.root)
    retention.POLICY, saved = Policy(keep_last=3, weekly_days=0), retention.POLICY
    try:
        assert cli.main(["--store", root, "versions", "prune", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert [line.split("\t")[0] for line in out.splitlines() if "would go" in line] == ["1", "2", "3"]
        assert "试运行" in out and "dry run" in out and "MB" in out
        assert all(versions.path(v).exists() for v in range(1, 7))
        assert cli.main(["--store", root, "versions", "prune", "--by", "clerk"]) == 0
        assert "已清理 3 个版本" in capsys.readouterr().out
    finally:
        retention.POLICY = saved
    assert [v for v in range(1, 7) if versions.path(v).exists()] == [4, 5, 6]
    assert cli.main(["--store", root, "versions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines if "[pruned " in line] == ["3", "2", "1"]


def test_prune_after_each_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_RETENTION", "on")
    monkeypatch.setattr(retention, "POLICY", Policy(keep_last=3, weekly_days=0))
    store = Store(tmp_path / "store")
    _empty_versions(store, 5)
    assert [v for v in range(1, 6) if store.path(v).exists()] == [3, 4, 5]
    lines = [e for e in auth.Users(store.state).audit_log() if e["event"] == "prune"]
    assert [(e["user"], e["versions"]) for e in reversed(lines)] == [("publish", [1]), ("publish", [2])]


# ---------------------------------------------------------------- readers
def test_a_connection_open_in_this_process_keeps_its_version(versions):
    con = versions.connect(1)
    result = retention.prune(versions, policy=NOTHING)
    assert 1 in result.held and versions.path(1).exists()
    assert con.execute("SELECT count(*) FROM townships").fetchone() == (0,)  # still reads
    con.close()
    del con
    gc.collect()
    assert [v for v, _ in retention.prune(versions, policy=NOTHING).pruned] == [1]


HOLDER = """
import sys, time
from dashboard.store import Store
con = Store(sys.argv[1]).connect(int(sys.argv[2]))
print("ready", flush=True)
sys.stdin.readline()  # the test prunes meanwhile
print(con.execute("SELECT count(*) FROM grids").fetchone()[0], flush=True)
time.sleep(600)
"""


def test_a_reader_in_another_process_keeps_its_version_until_it_is_killed(versions):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(versions.root), "2"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        result = retention.prune(versions, policy=NOTHING)
        assert [v for v, _ in result.pruned] == [1, 3, 4, 5]
        assert result.held == [2] and versions.path(2).exists()
        (line,) = [e for e in auth.Users(versions.state).audit_log() if e["event"] == "prune"]
        assert line["held"] == [2]
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "0"  # the reader on the old file kept working
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    # a killed reader holds nothing: the kernel dropped its lock
    assert [v for v, _ in retention.prune(versions, policy=NOTHING).pruned] == [2]
    assert not retention.lease_path(versions, 2).exists()


# ---------------------------------------------------------------- a pruned version
def test_a_pruned_version_is_refused_clearly_in_both_languages(versions, capsys):
    retention.prune(versions, policy=NOTHING)
    with pytest.raises(retention.VersionPruned) as e:
        versions.restore(3, by="admin")
    assert "版本 3" in e.value.zh and "已" in e.value.zh and "清理" in e.value.zh
    assert "Version 3" in e.value.en and "pruned" in e.value.en
    assert versions.current() == 6  # nothing was published
    with pytest.raises(retention.VersionPruned):
        versions.pin(3, "例会")
    with pytest.raises(retention.VersionPruned):
        versions.connect(3)
    assert versions.pins() == {}
    # the command line says it in both languages and fails; a version never published is
    # still "no version"
    assert cli.main(["--store", str(versions.root), "restore", "3"]) == 1
    err = capsys.readouterr().err
    assert "按保留规则清理" in err and "was pruned" in err
    assert cli.main(["--store", str(versions.root), "restore", "9"]) == 1
    assert "no version 9" in capsys.readouterr().err


def test_the_data_page_version_list_marks_pruned_versions(versions):
    versions.pin(2, "第一次例会")
    retention.prune(versions, policy=NOTHING)
    zh = desk.version_history(versions, "zh")
    marks = dict(zip(zh["版本"], zh["数据文件"], strict=True))
    today = dt.date.today().isoformat()
    assert marks == {
        6: "保留",
        5: f"已清理（{today}）",
        4: f"已清理（{today}）",
        3: f"已清理（{today}）",
        2: "保留",
        1: f"已清理（{today}）",
    }
    assert zh.attrs["stored"] == [6, 2]  # what the restore and pin pickers offer
    en = desk.version_history(versions, "en")
    assert set(en["File"]) == {"kept", f"pruned ({today})"}


# ---------------------------------------------------------------- the ledger
def _load(store: Store, folder: Path, data: dict) -> int:
    result = ingest.load([write_county(folder, data)], store, by="tests")
    assert result.ok, result.errors
    return store.current()


def _ledger_and_meeting(store: Store) -> dict:
    """Everything the ledger and "since the last meeting" show, as of each week."""
    ledger._cache.clear()  # read the versions again, not what a former call kept
    out = {}
    for week in (W0, W1, W2, W3):
        found = ledger.items(store, as_of=ledger.week_as_of(week))
        pinned = store.last_pinned(before=store.current())
        out[week] = {
            "items": [i.as_dict() for i in found],
            "closed_since_meeting": [i.key for i in ledger.closed_since(store, found, pinned)],
        }
    con = store.connect()
    try:
        base = metrics.baseline_summary(con, metrics.Scope(W3), store=store)
    finally:
        con.close()
    out["baseline"] = json.dumps(base, default=str, sort_keys=True)
    out["lineage"] = ledger.lineage(store)
    return out


def test_pruning_never_changes_the_ledger_or_since_the_last_meeting(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_RETENTION", "off")
    store = Store(tmp_path / "store")
    assert _load(store, tmp_path / "v1", COUNTY) == 1
    store.pin(1, "第一次例会")
    assert _load(store, tmp_path / "v2", SECOND) == 2
    store.pin(2, "第二次例会")
    full_week = [_shift(W3 + dt.timedelta(days=d), 24) for d in range(7)]
    assert (
        _load(store, tmp_path / "v3", {"grid_weekly": [_report("G1", W3)], "checkpoint_shifts": full_week})
        == 3
    )
    assert _load(store, tmp_path / "v4", {"grid_weekly": [_report("G2", W3)]}) == 4
    assert _load(store, tmp_path / "v5", {"grid_weekly": [_report("G3", W1)]}) == 5
    assert _load(store, tmp_path / "v6", {"branch_assessments": _assessment("2021-05-26", {"venue"})}) == 6
    before = _ledger_and_meeting(store)
    items = [i for w in (W0, W1, W2, W3) for i in before[w]["items"]]
    # the comparison means something: items were opened and closed by versions about to go
    assert 3 in {i["opened_version"] for i in items}
    assert 3 in {i["closed_version"] for i in items}
    assert before[W3]["closed_since_meeting"] == ["checkpoint_gap|K1|"]  # closed by version 3

    result = retention.prune(store, policy=NOTHING)
    assert [v for v, _ in result.pruned] == [3, 4, 5]
    assert [v for v in range(1, 7) if store.path(v).exists()] == [1, 2, 6]
    assert _ledger_and_meeting(store) == before
