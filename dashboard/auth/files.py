"""The state folder's private files: owner-only, replaced whole, one lock for them all."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path

from .. import locks

LOCK = "users.lock"  # one lock for every file of this package (a user, a throttle, a ticket...)


def locked(root: Path):
    """The lock every change to the state folder's auth files is made under."""
    return locks.exclusive(Path(root) / LOCK)


def now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def private(path: Path) -> None:
    """Owner-only access to a file of the state folder (a file made by an older version)."""
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except FileNotFoundError:
        pass


def read_json(path: Path, default):
    """The parsed file, or `default` when it is missing or damaged."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return default


def write_json(path: Path, data) -> None:
    """Replace `path` whole (a temporary file, fsync, rename, fsync of the folder), readable by
    the owner only: after a return the new content survives a power cut."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
