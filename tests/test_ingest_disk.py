"""Issue 11 item 10 for loads: a full disk or a read-only store gives a message in Chinese
and English and exit 1, never a traceback; nothing changes."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard import cli, ingest
from dashboard.store import Store

from conftest import write_county

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def county(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "base")], store).version == 1
    return store


def changed_county(tmp_path) -> Path:
    folder = write_county(tmp_path / "new")
    text = (folder / "units.csv").read_text()
    (folder / "units.csv").write_text(text + "U3,县财政局,county\n")
    return folder


def run_cli(capsys, store: Store, folder: Path) -> tuple[int, str]:
    code = cli.main(["--store", str(store.root), "load", str(folder), "--by", "clerk"])
    out = capsys.readouterr()
    return code, out.out + out.err


def full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def read_only(*args, **kwargs):
    raise OSError(errno.EROFS, "Read-only file system")


@pytest.mark.parametrize("where", ["publish", "lock", "staging"])
def test_full_disk_during_a_load(tmp_path, county, capsys, monkeypatch, where):
    if where == "publish":
        monkeypatch.setattr(Store, "publish", full_disk)
    elif where == "lock":
        monkeypatch.setattr(Store, "_lock", full_disk)
    else:  # DuckDB's own error when the staging database cannot grow

        def staging_full(*a, **k):
            raise duckdb.IOException(
                'IO Error: Could not write file "staging.duckdb": No space left on device'
            )

        monkeypatch.setattr(ingest, "stage_typed", staging_full)
    code, text = run_cli(capsys, county, changed_county(tmp_path))
    assert code == 1
    assert "Traceback" not in text
    assert "disk is full" in text and "磁盘空间已满" in text and "Free some disk space" in text
    assert county.current() == 1 and [v["version"] for v in county.versions()] == [1]


def test_read_only_store_in_process(tmp_path, county, capsys, monkeypatch):
    monkeypatch.setattr(Store, "_lock", read_only)
    code, text = run_cli(capsys, county, changed_county(tmp_path))
    assert code == 1 and "Traceback" not in text
    assert "cannot be written (read-only or no permission)" in text and "只读" in text
    assert str(county.root) in text
    assert county.current() == 1


def _make_read_only(paths):
    """chmod for a normal user; as root (who writes anyway) the immutable flag, chattr +i."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555)
        return lambda: [p.chmod(m) for p, m in modes.items()]
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True).returncode != 0
    ):
        pytest.skip("cannot make a folder read-only for root here")
    return lambda: subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


@pytest.mark.slow
def test_read_only_store_folder_from_the_command_line(tmp_path, county):
    folder = changed_county(tmp_path)
    undo = _make_read_only([county.root, county.versions_dir])
    try:
        out = subprocess.run(
            [sys.executable, "-m", "dashboard", "--store", str(county.root), "load", str(folder)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        undo()
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert "read-only or no permission" in out.stderr and "只读" in out.stderr
    assert county.current() == 1 and [v["version"] for v in county.versions()] == [1]


def test_audit_line_on_a_full_disk_after_publishing(tmp_path, county, capsys, monkeypatch):
    from dashboard import auth

    monkeypatch.setattr(auth.audit, "write", full_disk)
    code, text = run_cli(capsys, county, changed_county(tmp_path))
    assert code == 1 and "Traceback" not in text
    assert "version 2 is stored, but the audit log could not be written" in text
    assert county.current() == 2
