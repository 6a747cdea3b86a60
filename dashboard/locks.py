"""One writer at a time between processes: an exclusive flock on a lock file, for the store's
writer (<store>/lock), the user file (<state>/users.lock) and the meeting screens' state."""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path


@contextlib.contextmanager
def exclusive(path: Path | str):
    """Hold an exclusive lock on `path` for the block (the file, and its folder, are made when
    missing); another process asking for the same path waits until the block ends."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
