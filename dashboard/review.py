"""Review of township submissions (审核、退回、锁定). No streamlit.

A township-week a reporter submits (a data-page upload that changed the township's rows of
that week) is 待审核 `pending` until an administrator or a 审核员 (`reviewer`) approves it
(已审核 `approved`, which locks it: the loader refuses a reporter's upload touching it) or
returns it (已退回 `returned`) with a reason the reporter reads on their data page.

    submitted   (a reporter's submission)  None | pending | returned -> pending
    approved    (admin, reviewer)          pending | returned        -> approved
    returned    (admin, reviewer; reason)  pending                   -> returned
    unlocked    (admin only; reason)       approved                  -> pending

A week no reporter submitted (county loads only) is not under review (state None): acting on
it is refused, and it always counts. Events live in `<state>/review.jsonl`, append-only (one
write per line, fsync, damaged lines skipped and counted: dashboard.jsonl, as the audit
log); every step is also audited (auth.audit.write). A check and the event it allows are
made under one lock (`<state>/review.lock`), so two reviewers cannot both act on one state.

The setting SHOW (declared once, kept in `<state>/settings.json` as "review_show", changed by
an administrator on the data page or with `review show`): "submitted" (default: pages show a
submission at once, marked 待审核) or "approved" (pages count only approved township-weeks;
`ui` puts the others into metrics.Scope.withheld).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

from . import jsonl, locks
from .auth import User, audit, files
from .i18n import Explained, Msg

STATES = ("pending", "approved", "returned")
MAX_REASON = 500  # characters of a reason (return, unlock)
EVENTS_FILE = "review.jsonl"
SETTINGS_FILE = "settings.json"
SHOW_KEY = "review_show"
SHOW_MODES = ("submitted", "approved")
SHOW_DEFAULT = "submitted"
# The events each state may come from.
_FROM = {
    "submitted": (None, "pending", "returned", "approved"),
    "approved": ("pending", "returned"),
    "returned": ("pending",),
    "unlocked": ("approved",),
}
_TO = {"submitted": "pending", "approved": "approved", "returned": "returned", "unlocked": "pending"}


class ReviewError(Explained, Exception):
    """A refusal to show the user: `message` (a label, review.err.*), as `zh`, `en`."""

    def __init__(self, message: Msg):
        super().__init__(message.en)
        self.message = message


def _week(week) -> dt.date:
    if isinstance(week, str):
        try:
            week = dt.date.fromisoformat(week)
        except ValueError:
            raise ReviewError(Msg("review.err.bad_week", week=week)) from None
    if isinstance(week, dt.datetime):
        week = week.date()
    if not isinstance(week, dt.date) or week.weekday() != 0:
        raise ReviewError(Msg("review.err.bad_week", week=week))
    return week


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _path(state_dir) -> Path:
    return Path(state_dir) / EVENTS_FILE


# ---------------------------------------------------------------- reading
_cache: dict[str, tuple[tuple, tuple[list[dict], int]]] = {}
_cache_lock = threading.Lock()


def events(state_dir) -> tuple[list[dict], int]:
    """(every review event, oldest first; the number of damaged lines skipped). The parse is
    kept while the file's (mtime, size, inode) stay the same: pages ask on every run."""
    path = _path(state_dir)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return [], 0
    sig = (st.st_mtime_ns, st.st_size, st.st_ino)
    with _cache_lock:
        hit = _cache.get(str(path))
    if hit is not None and hit[0] == sig:
        return hit[1]
    entries, skipped = jsonl.read(path, lambda e: isinstance(e, dict) and isinstance(e.get("event"), str))
    good = []
    for e in entries:
        if e["event"] in _TO and isinstance(e.get("township"), str) and isinstance(e.get("week"), str):
            good.append(e)
        else:
            skipped += 1
    with _cache_lock:
        _cache[str(path)] = (sig, (good, skipped))
    return good, skipped


def _fold(entries: list[dict]) -> dict[tuple[str, str], dict]:
    """(township, week iso) -> its state now: state, reason (of the return, while returned;
    of the unlock, while pending after one), by and at (the last step), since (when it began
    waiting), submitted_by, submitted_at, version (of the last submission)."""
    out: dict[tuple[str, str], dict] = {}
    for seq, e in enumerate(entries):
        key = (e["township"], e["week"])
        cur = out.get(key)
        if (cur["state"] if cur else None) not in _FROM[e["event"]]:
            continue  # a step its state did not allow (written by hand): ignored
        new = dict(cur or {})
        new.update(state=_TO[e["event"]], by=e.get("by"), at=e.get("at"), reason=e.get("reason"))
        if e["event"] == "submitted":
            new.update(submitted_by=e.get("by"), submitted_at=e.get("at"), version=e.get("version"))
        if new["state"] == "pending" and (cur is None or cur["state"] != "pending"):
            new["since"] = e.get("at")
            new["order"] = seq  # the file's order: seconds alone do not order a quick series
        out[key] = new
    return out


def all_states(state_dir) -> dict[tuple[str, str], dict]:
    """(township, week "YYYY-MM-DD") -> its state (see _fold) for every township-week ever
    submitted."""
    return _fold(events(state_dir)[0])


def states(state_dir, week) -> dict[str, dict]:
    """township -> {"state", "reason", "by", "at", "since", "submitted_by", "submitted_at",
    "version"} for the townships of `week` that were ever submitted."""
    w = _week(week).isoformat()
    return {tw: s for (tw, wk), s in all_states(state_dir).items() if wk == w}


def state(state_dir, township: str, week) -> str | None:
    """ "pending", "approved", "returned", or None (never submitted)."""
    s = all_states(state_dir).get((township, _week(week).isoformat()))
    return s["state"] if s else None


def locked(state_dir, township: str, week) -> bool:
    """Whether reporters may no longer change the township-week (approved)."""
    return state(state_dir, township, week) == "approved"


def not_approved(state_dir, week) -> tuple[str, ...]:
    """The townships whose `week` was submitted and is not approved (pending or returned),
    sorted: what approved-only pages leave out (metrics.Scope.withheld)."""
    return tuple(sorted(tw for tw, s in states(state_dir, week).items() if s["state"] != "approved"))


def queue(state_dir, township: str | None = None, week=None) -> list[dict]:
    """The township-weeks waiting for review, oldest first (by when they began waiting):
    {"township", "week" (date), "since", "submitted_by", "submitted_at", "version", ...}."""
    w = _week(week).isoformat() if week is not None else None
    rows = [
        {"township": tw, "week": dt.date.fromisoformat(wk), **s}
        for (tw, wk), s in all_states(state_dir).items()
        if s["state"] == "pending" and (township is None or tw == township) and (w is None or wk == w)
    ]
    return sorted(rows, key=lambda r: r.get("order", 0))


def history(state_dir, township: str | None = None, week=None) -> list[dict]:
    """The review events, newest first (of one township and/or week when given)."""
    w = _week(week).isoformat() if week is not None else None
    return [
        e
        for e in reversed(events(state_dir)[0])
        if (township is None or e["township"] == township) and (w is None or e["week"] == w)
    ]


def returned_since(state_dir, since: dt.datetime | None = None) -> list[dict]:
    """The "returned" events at or after `since` (all when None), oldest first: what the
    notify branch pushes to the township. Each: {"at", "township", "week", "by", "reason"}."""
    out = []
    for e in events(state_dir)[0]:
        if e["event"] != "returned":
            continue
        if since is not None:
            try:
                at = dt.datetime.fromisoformat(e.get("at") or "")
            except ValueError:
                continue
            if at.tzinfo is None:
                at = at.astimezone()
            if at < (since if since.tzinfo else since.astimezone()):
                continue
        out.append({k: e.get(k) for k in ("at", "township", "week", "by", "reason")})
    return out


# ---------------------------------------------------------------- steps
def clean_reason(reason) -> str:
    """The reason as it will be kept: the text typed, without control characters other than
    line breaks and tabs, trimmed. Refused when empty or longer than MAX_REASON."""
    text = "".join(ch for ch in str(reason or "") if ch in "\n\t" or ord(ch) >= 32).strip()
    if not text:
        raise ReviewError(Msg("review.err.no_reason"))
    if len(text) > MAX_REASON:
        raise ReviewError(Msg("review.err.reason_long", n=len(text), limit=MAX_REASON))
    return text


def _step(state_dir, event: str, township: str, week, by: str | None, **details) -> dict:
    """Check that `event` may follow the township-week's state, audit it and append it, under
    the review lock. The new state (see _fold)."""
    w = _week(week)
    if not isinstance(township, str) or not township:
        raise ReviewError(Msg("review.err.never_submitted", township=township, week=w.isoformat()))
    with locks.exclusive(Path(state_dir) / "review.lock"):
        now = all_states(state_dir).get((township, w.isoformat()))
        cur = now["state"] if now else None
        if cur not in _FROM[event]:
            if cur is None:
                raise ReviewError(Msg("review.err.never_submitted", township=township, week=w.isoformat()))
            raise ReviewError(
                Msg(
                    f"review.err.not_{event}",
                    township=township,
                    week=w.isoformat(),
                    state=Msg(f"review.state_{cur}"),
                )
            )
        record = {
            "at": _now().isoformat(timespec="seconds"),
            "event": event,
            "township": township,
            "week": w.isoformat(),
            "by": by,
            **details,
        }
        # Audited first: a step that could not be audited is not taken.
        audit.write(state_dir, f"review_{event}", by, township=township, week=w.isoformat(), **details)
        jsonl.append(_path(state_dir), record)
    return states(state_dir, w)[township]


def _may_review(actor: User) -> None:
    if actor is None or actor.role not in ("admin", "reviewer"):
        raise ReviewError(Msg("review.err.not_reviewer"))


def submitted(state_dir, township: str, week, by: str, version: int | None = None) -> dict:
    """A reporter's submission changed the township's rows of `week` (recorded by
    dashboard.desk after publishing): the township-week waits for review again."""
    return _step(state_dir, "submitted", township, week, by, version=version)


def approve(state_dir, township: str, week, actor: User) -> dict:
    """已审核: the township-week counts and is locked against reporters' changes."""
    _may_review(actor)
    return _step(state_dir, "approved", township, week, actor.name)


def send_back(state_dir, township: str, week, actor: User, reason: str) -> dict:
    """已退回 with `reason` (at most MAX_REASON characters), shown to the township's reporter."""
    _may_review(actor)
    return _step(state_dir, "returned", township, week, actor.name, reason=clean_reason(reason))


def unlock(state_dir, township: str, week, actor: User, reason: str) -> dict:
    """An approved township-week open again for the reporter (an administrator's act, with a
    reason); it waits for review again."""
    if actor is None or not actor.is_admin:
        raise ReviewError(Msg("review.err.not_admin"))
    return _step(state_dir, "unlocked", township, week, actor.name, reason=clean_reason(reason))


# ---------------------------------------------------------------- the setting
def show_mode(state_dir) -> str:
    """SHOW: "submitted" (pages show what was submitted at once, marked 待审核) or
    "approved" (pages count approved township-weeks only). A missing or unreadable setting is
    the default."""
    try:
        data = json.loads((Path(state_dir) / SETTINGS_FILE).read_text("utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return SHOW_DEFAULT
    mode = data.get(SHOW_KEY) if isinstance(data, dict) else None
    return mode if mode in SHOW_MODES else SHOW_DEFAULT


def set_show_mode(state_dir, mode: str, actor: User) -> None:
    """Change SHOW (an administrator's act, audited); other settings of the file are kept."""
    if actor is None or not actor.is_admin:
        raise ReviewError(Msg("review.err.not_admin"))
    if mode not in SHOW_MODES:
        raise ReviewError(Msg("review.err.bad_mode", modes=list(SHOW_MODES)))
    path = Path(state_dir) / SETTINGS_FILE
    with locks.exclusive(Path(state_dir) / "settings.lock"):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        old = data.get(SHOW_KEY, SHOW_DEFAULT)
        audit.write(state_dir, "review_show", actor.name, mode=mode, before=old)
        data[SHOW_KEY] = mode
        files.write_json(path, data)


def withheld(state_dir, week) -> tuple[str, ...]:
    """What the pages leave out of `week` under the setting: the not-approved townships in
    approved-only mode, nothing in the default mode."""
    if week is None or show_mode(state_dir) != "approved":
        return ()
    return not_approved(state_dir, week)
