"""Append-only JSON-lines files in the state folder (the audit log, the ledger's notes): one
line per record, written whole in one write and fsynced, so a process killed at any moment
leaves every earlier line intact and at most its own line cut short; a reader skips (and
counts) a line it cannot parse. No streamlit here."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path


def append(path: Path, record: dict, mode: int = 0o600) -> None:
    """Append `record` as one line: the whole line in one write under an exclusive lock, then
    fsync; a line a full disk or a killed writer cut short before is closed first, so it
    damages no other line. Raises OSError when the line could not be written."""
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        st = os.fstat(fd)
        if st.st_mode & 0o777 & ~mode:
            os.fchmod(fd, mode)
        if st.st_size and os.pread(fd, 1, st.st_size - 1) != b"\n":
            line = b"\n" + line
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(28, f"line cut short ({written} of {len(line)} bytes): {path.name}")
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path, valid=lambda e: isinstance(e, dict)) -> tuple[list[dict], int]:
    """(the records of the file, oldest first; the number of damaged lines skipped: not JSON,
    or not `valid`). A missing file has none."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    entries, skipped = [], 0
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            e = json.loads(line.decode("utf-8"))
        except ValueError:
            skipped += 1
            continue
        if not valid(e):
            skipped += 1
            continue
        entries.append(e)
    return entries, skipped
