"""Issue 11 items 5 and 7: loads and restores leave an audit line even when the process dies
right after publishing; the data page's audit tab says how many damaged lines it skipped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import auth, desk, i18n, ui
from dashboard.store import Store

from conftest import ROOT, write_county

KILLED_AFTER_PUBLISH = """
import os, sys
from dashboard import store
publish = store.Store.publish
def publish_then_die(self, *args, **kwargs):
    version = publish(self, *args, **kwargs)
    os._exit(9)                     # killed right after the new version went live
store.Store.publish = publish_then_die
from dashboard.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("command", ["load", "restore"])
def test_a_load_or_restore_killed_right_after_publishing_has_its_audit_line(tmp_path, command):
    store = Store(tmp_path / "store")
    folder = write_county(tmp_path / "county")
    if command == "restore":
        assert (
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "dashboard",
                    "--store",
                    str(store.root),
                    "load",
                    str(folder),
                    "--by",
                    "clerk",
                ],
                cwd=ROOT,
            ).returncode
            == 0
        )
        args = ["restore", "1", "--by", "clerk"]
    else:
        args = ["load", str(folder), "--by", "clerk"]
    before = len(auth.Users(store.root).audit_log())
    out = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_PUBLISH, "--store", str(store.root), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 9
    assert store.current() == (1 if command == "load" else 2)  # it was published
    log = auth.Users(store.root).audit_log()
    assert len(log) == before + 1
    assert (log[0]["event"], log[0]["user"], log[0]["state"], log[0]["via"]) == (
        command,
        "clerk",
        "pending",
        "cli",
    )


@pytest.mark.slow
def test_cli_load_and_restore_write_pending_then_done(tmp_path):
    store = Store(tmp_path / "store")
    folder = write_county(tmp_path / "county")
    for args in (["load", str(folder)], ["restore", "1"]):
        out = subprocess.run(
            [sys.executable, "-m", "dashboard", "--store", str(store.root), *args, "--by", "clerk"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
    log = auth.Users(store.root).audit_log()
    assert [(e["event"], e["state"], e.get("version")) for e in log] == [
        ("restore", "done", 2),
        ("restore", "pending", None),
        ("load", "done", 1),
        ("load", "pending", None),
    ]
    assert log[0]["op"] == log[1]["op"] and log[2]["op"] == log[3]["op"]


class Upload:
    def __init__(self, path: Path):
        self.name, self._data = path.name, path.read_bytes()

    def getvalue(self) -> bytes:
        return self._data


@pytest.mark.slow
def test_a_page_upload_is_audited_before_and_after_with_the_address(tmp_path):
    store = Store(tmp_path / "store")
    folder = write_county(tmp_path / "county")
    token = auth.REQUEST.set({"address": "10.3.4.5", "via": "page"})
    try:
        result = desk.commit_upload(
            store, [Upload(p) for p in sorted(folder.iterdir())], replace=False, by="admin"
        )
    finally:
        auth.REQUEST.reset(token)
    assert result.ok and result.version == 1
    log = auth.Users(store.root).audit_log()
    assert [(e["event"], e["state"]) for e in log] == [("load", "done"), ("load", "pending")]
    assert all(e["address"] == "10.3.4.5" and e["user"] == "admin" for e in log)
    assert log[0]["version"] == 1 and "townships.csv" in log[0]["files"]


def test_the_audit_tab_says_how_many_damaged_lines_it_skipped(open_app, demo_store, tmp_path):
    shutil.copytree(demo_store.root, tmp_path / "store")
    store = Store(tmp_path / "store")
    users = auth.Users(store.root)
    users.add("admin", "admin", "border-2021")
    with open(users.audit_path, "ab") as f:
        f.write(b'{"at": "2026-12-01T10:00:00+08:00", "event": "lo')  # a full disk's half line
    at = open_app(store=store)
    at.text_input[0].input("admin")
    at.text_input[1].input("border-2021")
    at = at.button[0].click().run()
    at.switch_page(ui.PAGE_FILES["data"]).run()
    assert not at.exception
    assert i18n.t("auth.audit_skipped", n=1) in [w.value for w in at.warning]
    shown = at.dataframe[-1].value
    assert list(shown.iloc[:, 1])[:1] == [i18n.t("desk.event_login")]
    assert [w.max_chars for w in open_app(store=store).text_input] == [auth.MAX_NAME, auth.MAX_PASSWORD]


@pytest.mark.slow
def test_pin_and_unpin_from_the_command_line_are_audited(tmp_path):
    store = Store(tmp_path / "store")
    folder = write_county(tmp_path / "county")
    for args in (["load", str(folder)], ["pin", "1", "例会"], ["unpin", "1"]):
        out = subprocess.run(
            [sys.executable, "-m", "dashboard", "--store", str(store.root), *args, "--by", "clerk"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
    log = auth.Users(store.root).audit_log()
    assert [(e["event"], e["user"], e.get("version")) for e in log[:2]] == [
        ("unpin", "clerk", 1),
        ("pin", "clerk", 1),
    ]
