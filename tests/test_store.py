"""The versioned store: atomic publish, crash safety, readers during loads, restore, pins."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dashboard import ingest
from dashboard.store import Store

from conftest import TINY, write_county

ROOT = Path(__file__).resolve().parent.parent


def grid_households(store: Store, version: int | None = None) -> list[int]:
    con = store.connect(version)
    try:
        return [r[0] for r in con.execute("SELECT households FROM grids ORDER BY grid_id").fetchall()]
    finally:
        con.close()


def variant(tmp_path: Path, n: int) -> Path:
    """The tiny county with every grid's households set to n (a recognisable version)."""
    data = copy.deepcopy(TINY)
    for g in data["grids"]:
        g["households"] = n
    for w in data["grid_weekly"]:
        w["households_visited"] = min(w["households_visited"], n)
    return write_county(tmp_path / f"v{n}", data)


def test_empty_store_reads_as_empty_tables(store):
    assert store.current() is None and store.versions() == []
    assert grid_households(store) == []


def test_restore_publishes_old_content_as_new_version(store, tmp_path):
    ingest.load([variant(tmp_path, 40)], store, by="a")
    ingest.load([variant(tmp_path, 50)], store, by="b")
    assert grid_households(store) == [50, 50]
    v = store.restore(1, by="admin")
    assert v == 3 and store.current() == 3 and grid_households(store) == [40, 40]
    rec = store.versions()[0]
    assert rec["action"] == "restore" and rec["restored_from"] == 1 and rec["by"] == "admin"
    assert grid_households(store, 2) == [50, 50]  # nothing is lost
    with pytest.raises(LookupError):
        store.restore(9)


def test_pin_labels_a_version(store, tmp_path):
    ingest.load([variant(tmp_path, 40)], store)
    ingest.load([variant(tmp_path, 50)], store)
    store.pin(1, "11-22 例会")
    assert store.last_pinned() == 1 and store.last_pinned(before=1) is None
    assert [v["pinned"]["label"] if v["pinned"] else None for v in store.versions()] == [None, "11-22 例会"]
    store.unpin(1)
    assert store.last_pinned() is None


def test_published_versions_are_read_only_files(store, tmp_path):
    ingest.load([variant(tmp_path, 40)], store)
    assert not os.stat(store.path(1)).st_mode & 0o222


KILLED_LOADER = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from dashboard import store as store_mod, ingest
    stage = sys.argv[1]
    real_replace = os.replace
    def dying_replace(src, dst):
        if stage == "before-db-rename" and str(dst).endswith(".duckdb"):
            os.kill(os.getpid(), signal.SIGKILL)
        real_replace(src, dst)
        if stage == "after-db-rename" and str(dst).endswith(".duckdb"):
            os.kill(os.getpid(), signal.SIGKILL)
    store_mod.os.replace = dying_replace
    if stage == "mid-merge":
        real_merge = ingest.merge_table
        def dying_merge(con, t, *args, **kwargs):
            if t.name == "grids":
                os.kill(os.getpid(), signal.SIGKILL)
            return real_merge(con, t, *args, **kwargs)
        ingest.merge_table = dying_merge
    ingest.load([sys.argv[2]], store_mod.Store(sys.argv[3]))
""")


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["mid-merge", "before-db-rename", "after-db-rename"])
def test_loader_killed_mid_publish_leaves_old_version_serving(store, tmp_path, stage):
    ingest.load([variant(tmp_path, 40)], store)
    script = tmp_path / "die.py"
    script.write_text(KILLED_LOADER.format(root=str(ROOT)))
    proc = subprocess.run(
        [sys.executable, str(script), stage, str(variant(tmp_path, 50)), str(store.root)], capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL
    assert store.current() == 1 and grid_households(store) == [40, 40]
    assert [v["version"] for v in store.versions()] == [1]
    # The next load cleans up and publishes normally.
    assert ingest.load([variant(tmp_path, 60)], store).version == 2
    assert grid_households(store) == [60, 60]
    assert not list(store.versions_dir.glob(".draft-*"))


READER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from dashboard.store import Store
    store = Store(sys.argv[1])
    seen, errors = set(), 0
    stop, deadline = sys.argv[2], time.time() + 120
    import os
    while time.time() < deadline and not os.path.exists(stop):
        try:
            con = store.connect()
            # Both tables must come from the same version: a mix would show two values.
            vals = con.execute("SELECT DISTINCT households FROM grids UNION "
                               "SELECT DISTINCT residents_checked FROM grid_weekly").fetchall()
            con.close()
            if len(vals) != 1:
                print("MIX", vals, flush=True)
                errors += 1
            seen.add(vals[0][0])
        except Exception as e:
            print("ERROR", type(e).__name__, e, flush=True)
            errors += 1
    print("SEEN", sorted(seen), "ERRORS", errors, flush=True)
""")


@pytest.mark.slow
def test_reader_process_sees_whole_versions_while_loads_publish(store, tmp_path):
    def county(n):
        data = copy.deepcopy(TINY)
        for g in data["grids"]:
            g["households"] = n
        for w in data["grid_weekly"]:
            w["households_visited"] = 0
            w["residents_checked"] = n
            w["vaccinated"] = 0
        return write_county(tmp_path / f"c{n}", data)

    ingest.load([county(100)], store)
    script = tmp_path / "reader.py"
    script.write_text(READER.format(root=str(ROOT)))
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, str(script), str(store.root), str(stop)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    time.sleep(1.0)
    for n in (101, 102, 103, 104, 105):
        assert ingest.load([county(n)], store).ok
    time.sleep(0.5)
    stop.touch()
    outs = [r.communicate(timeout=60)[0] for r in readers]
    for out in outs:
        last = out.strip().splitlines()[-1]
        assert last.endswith("ERRORS 0"), out
    seen = set()
    for out in outs:
        seen |= set(eval(out.strip().splitlines()[-1].split("SEEN ")[1].split(" ERRORS")[0]))
    assert 105 in seen and seen <= {100, 101, 102, 103, 104, 105}


@pytest.mark.slow
def test_state_folder_keeps_what_the_dashboard_writes_apart(tmp_path, tiny_dir, monkeypatch):
    """With a state folder, users, the audit log and the screens live there and the store
    folder gets only versions: replicas can read the versions from a read-only share."""
    import subprocess
    import sys

    from dashboard import auth, screens

    store_dir, state_dir = tmp_path / "store", tmp_path / "state"
    run = [sys.executable, "-m", "dashboard", "--store", str(store_dir), "--state", str(state_dir)]
    subprocess.run(run + ["load", str(tiny_dir), "--by", "clerk"], check=True, capture_output=True)
    subprocess.run(
        run + ["user", "add", "gongxin-clerk", "--role", "admin"],
        input="s3cret-pass\n",
        text=True,
        check=True,
        capture_output=True,
    )
    assert (state_dir / "users.json").exists() and (state_dir / "audit.jsonl").exists()
    assert not (store_dir / "users.json").exists() and not (store_dir / "audit.jsonl").exists()

    monkeypatch.setenv("DASHBOARD_STATE", str(state_dir))
    s = Store(store_dir)
    assert s.state == state_dir and s.current() == 1
    assert auth.Users(s.state).any()
    screens.Screens(s.state).update("main", by="leader", paused=True)
    assert (state_dir / "screens" / "main.json").exists()
    assert not (store_dir / "screens").exists()
    monkeypatch.delenv("DASHBOARD_STATE")
    assert Store(store_dir).state == store_dir
