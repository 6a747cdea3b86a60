"""The audit log, `<state>/audit.jsonl`: one JSON line per login, failed login, load, restore,
pin, review step, user change...; appended whole (one write of the encoded line, fsync),
mode 0600. Usable with the state folder alone (a loader, a review), without `auth.Users`.

    from dashboard.auth import audit
    audit.write(state_dir, "load", "admin", version=3)
"""

from __future__ import annotations

import contextlib
import contextvars
import secrets
import sys
from pathlib import Path

from .. import jsonl
from . import files

FILE = "audit.jsonl"

# Who acts through the pages (the client address), added to every audit line written in
# that context; set by dashboard.ui for each script run.
REQUEST = contextvars.ContextVar("dashboard_request", default=None)


def path(state_dir) -> Path:
    return Path(state_dir) / FILE


def write(state_dir, event: str, user: str | None, **details) -> None:
    """Append one line to the audit log: the whole line in one write, then fsync; a line
    a full disk cut short before is closed first, so it damages no other line. Raises
    OSError when the line could not be written."""
    request = REQUEST.get()
    if request:
        details = {**request, **details}
    jsonl.append(
        path(state_dir),
        {"at": files.now().isoformat(timespec="seconds"), "event": event, "user": user, **details},
    )


def write_quietly(state_dir, event: str, user: str | None, **details) -> None:
    """A line that must not stop what it records (a login: a full disk must not keep the
    right password out); a failure is told on stderr."""
    try:
        write(state_dir, event, user, **details)
    except OSError as e:
        print(f"dashboard: audit line not written ({event}): {e}", file=sys.stderr)


@contextlib.contextmanager
def audited(state_dir, event: str, user: str | None, **details):
    """Audit an action that publishes something: a "pending" line before it, and after it
    a "done" line with what the block adds to the yielded dict (or "failed"). A process
    killed between publishing and the second line still left the first."""
    op = secrets.token_hex(6)
    write(state_dir, event, user, state="pending", op=op, **details)
    result: dict = {}
    try:
        yield result
    except BaseException as e:
        write_quietly(
            state_dir, event, user, **{**details, "state": "failed", "op": op, "error": type(e).__name__}
        )
        raise
    if result.get("skip"):
        write_quietly(state_dir, event, user, **{**details, "state": "nothing", "op": op})
    else:
        write(state_dir, event, user, **{**details, "state": "done", "op": op, **result})


def read(state_dir, limit: int = 500) -> tuple[list[dict], int]:
    """(the last `limit` lines, newest first; the number of damaged lines skipped in the
    whole log)."""
    log = path(state_dir)
    files.private(log)
    entries, skipped = jsonl.read(log, lambda e: isinstance(e, dict) and isinstance(e.get("event"), str))
    for e in entries:
        e.setdefault("at", "")
    return list(reversed(entries[-limit:])) if limit else [], skipped
