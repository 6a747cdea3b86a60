"""Append-only JSON-lines files of the state folder (the audit log, the review events): one
write per line, fsync, owner-only; read back with damaged lines skipped and counted. No
streamlit, standard library only.

Written whole or not at all: each line goes out in one `write` of its encoded bytes under an
exclusive flock, then fsync. A line a full disk cut short before is closed (a newline first),
so it damages no other line; reading skips it and counts it.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path


def append(path: Path | str, record: dict) -> None:
    """Append `record` as one JSON line to `path` (made owner-only when missing). Raises
    OSError when the whole line could not be written."""
    path = Path(path)
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        st = os.fstat(fd)
        if st.st_mode & 0o077:
            os.fchmod(fd, 0o600)
        if st.st_size and os.pread(fd, 1, st.st_size - 1) != b"\n":
            line = b"\n" + line
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(28, f"{path.name} line cut short ({written} of {len(line)} bytes)")
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path | str, required: str) -> tuple[list[dict], int]:
    """(every whole line of `path` as a dict, oldest first; the number of damaged lines
    skipped). A line counts when it is a JSON object whose `required` field is a string."""
    path = Path(path)
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
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
        if not isinstance(e, dict) or not isinstance(e.get(required), str):
            skipped += 1
            continue
        entries.append(e)
    return entries, skipped
