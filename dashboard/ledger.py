"""The rectification ledger (整改台账, issue 20 §1): the problems the pages find, followed from
the week they first appear to the week the data shows them gone. No streamlit here.

An item is a (kind, entity, criterion): a branch failing a criterion, a grid without a 网格长,
a checkpoint with uncovered hour slots, a township that has not submitted by the deadline, a
roster warning. The same problem in later weeks is the same item. Everything about an item is
derived, and deterministic:

  from the live version   queries/ledger_episodes.sql finds, over every week up to the week
                          asked for, each problem's latest run of consecutive observed weeks
                          (opened_week .. last_week) and the next observed week without it
                          (closed_week). A week is observed for a township only once the
                          township reported it, so nothing opens (or closes) for a township
                          that simply has not reported yet; a missing submission is observed
                          only once the week's reporting deadline has passed.
  from the version chain  the version that closed an item: the first version of the live one's
                          lineage (record["base"], back from the live version) that published
                          the township's closing week (queries/ledger_reported_weeks.sql, read
                          once per version: versions never change).
  from the notes file     <state>/ledger_notes.jsonl: 整改措施 notes, append-only (dashboard.jsonl:
                          one write per line, fsync, damaged lines skipped and counted). A note
                          may mark an item 整改中 for the episode it was written in; nothing in
                          the file can close an item.
  from `as_of`            status and colour are evaluated as of a moment, not the wall clock:
                          the demo data is from 2021. The command line's --week W is as of that
                          week's reporting deadline (`week_as_of`); a page is as of the week it
                          shows, capped at now. Only weeks that ended by `as_of` are read.

Restoring an old version publishes it as a new version whose lineage runs through the restored
one, so the ledger is recomputed from it: what it did not have yet is open again.

Dates: an item opens on the Monday after its first week (the day that week is reported: a
problem cannot be acted on before it is seen), its deadline is RULES[kind].days after that;
amber in the deadline's last fifth, red once past it, 督办 (escalated) once past it by as long
again as the rule's days.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import contract, jsonl, queries, reporting, retention
from .auth import User, audit
from .i18n import Explained, Msg
from .quality import LINKS_MAX, LINKS_MIN
from .store import Store

TZ = reporting.TZ
NOTES_FILE = "ledger_notes.jsonl"
MAX_NOTE = 500  # characters of a 整改措施 note
MAX_LINEAGE = 60  # versions walked back to find the one that closed an item
STATUSES = ("open", "in_progress", "overdue", "closed")
COLOURS = ("green", "amber", "red")
NOTE_ROLES = ("admin", "township", "reporter")  # who may write a note (the last two: own township)


@dataclass(frozen=True)
class Rule:
    """How long a kind of problem may stay open: `days` from the day it is seen; the page
    that shows it; `help`, the label key of its line of help (i18n)."""

    days: int
    page: str
    help: str


def _rule(kind: str, days: int, page: str) -> Rule:
    return Rule(days, page, f"ledger.help.{kind}")


# Declared once: kind -> its deadline (days), the page that shows it and its line of help. A
# county changes a deadline here and nowhere else.
RULES: dict[str, Rule] = {
    kind: _rule(kind, days, page)
    for kind, days, page in (
        ("branch_criterion", 30, "branches"),
        ("grid_no_chief", 14, "grids"),
        ("grid_unstaffed", 7, "grids"),
        ("grid_not_reported", 10, "grids"),
        ("checkpoint_gap", 2, "checkpoints"),
        ("submission_missing", 1, "submissions"),
        ("roster_grid_many_chiefs", 14, "grids"),
        ("roster_grid_overlinked", 14, "grids"),
        ("roster_member_links", 14, "grids"),
        ("roster_branch_never_assessed", 30, "branches"),
    )
}
KINDS = tuple(RULES)


@dataclass(frozen=True)
class Item:
    key: str  # "kind|entity|criterion" (criterion empty when None)
    kind: str
    entity: str
    criterion: str | None
    township_id: str
    name: str  # the entity's name as loaded (its code when it has none)
    opened_week: dt.date  # first week of the latest episode
    opened_version: int | None  # the version that first published that week for the township
    last_week: dt.date  # the last week it was seen
    deadline: dt.date
    status: str  # open | in_progress | overdue | closed
    colour: str  # green | amber | red (closed: green)
    escalated: bool  # 督办: overdue by as long again as the rule's days
    closed_week: dt.date | None
    closed_version: int | None
    note: str | None  # the latest note's text
    note_count: int
    episodes: int  # > 1: it closed and came back (reopened)
    links: dict = field(default_factory=dict)  # a branch's 4+N links as loaded: column -> bool
    page: str = ""  # the page that shows the problem

    @property
    def reopened(self) -> bool:
        return self.episodes > 1

    @property
    def days(self) -> int:
        return RULES[self.kind].days

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "kind": self.kind,
            "entity": self.entity,
            "criterion": self.criterion,
            "township_id": self.township_id,
            "name": self.name,
            "opened_week": self.opened_week.isoformat(),
            "opened_version": self.opened_version,
            "last_week": self.last_week.isoformat(),
            "deadline": self.deadline.isoformat(),
            "status": self.status,
            "colour": self.colour,
            "escalated": self.escalated,
            "closed_week": self.closed_week.isoformat() if self.closed_week else None,
            "closed_version": self.closed_version,
            "note": self.note,
            "notes": self.note_count,
            "reopened": self.reopened,
            "links": self.links,
            "page": self.page,
        }


def make_key(kind: str, entity: str, criterion: str | None) -> str:
    return f"{kind}|{entity}|{criterion or ''}"


class NoteRefused(Explained, Exception):
    def __init__(self, message: Msg):
        super().__init__(message.en)
        self.message = message


# ---------------------------------------------------------------- as of when
def _report_deadline(week: dt.date) -> dt.datetime:
    """When a week's submission is due (dashboard.reporting.DEADLINE, declared there once)."""
    return reporting.deadline(week)


def week_as_of(week: dt.date) -> dt.datetime:
    """The moment the ledger of a week is read at (the command line's --week): the week's
    reporting deadline, when its data is due in."""
    return _report_deadline(week)


def page_as_of(week: dt.date | None, now: dt.datetime | None = None) -> dt.datetime:
    """A page's moment: as of the week it shows, never later than now."""
    now = now or dt.datetime.now(TZ)
    return now if week is None else min(week_as_of(week), now)


def _local(as_of: dt.datetime) -> dt.datetime:
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    return as_of.astimezone(TZ)


def weeks_read(as_of: dt.datetime) -> tuple[dt.date, dt.date | None]:
    """(the last week that ended by `as_of`, the last week whose reporting deadline passed by
    then, or None)."""
    local = _local(as_of)
    monday = local.date() - dt.timedelta(days=local.weekday())
    until = monday - dt.timedelta(days=7)  # this week has not ended yet
    missing = until
    while _report_deadline(missing) > local:
        missing -= dt.timedelta(days=7)
    return until, missing


def grade(deadline: dt.date, days: int, as_of: dt.date) -> tuple[str, bool]:
    """(colour, escalated) of an open item: green before the deadline's last fifth, amber in
    it, red past the deadline, escalated past it by `days` more."""
    left = (deadline - as_of).days
    if left < 0:
        return "red", -left >= days
    if left * 5 <= days:
        return "amber", False
    return "green", False


# ---------------------------------------------------------------- per version, cached
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 64


def _stamp(store: Store, version: int) -> tuple:
    st = os.stat(store.path(version))
    return (str(store.path(version)), st.st_ino, st.st_mtime_ns)


def _cached(key, compute):
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = compute()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def _episodes(store: Store, version: int, until: dt.date, missing_until: dt.date | None) -> list[dict]:
    def compute():
        con = store.connect(version)
        try:
            df = queries.run(
                con,
                "ledger_episodes",
                until=until,
                missing_until=missing_until,
                criteria=list(contract.CRITERIA),
                min_links=LINKS_MIN,
                max_links=LINKS_MAX,
            )
        finally:
            con.close()
        return df.to_dict("records")

    return _cached(("episodes", *_stamp(store, version), until, missing_until), compute)


def _reported(store: Store, version: int) -> frozenset:
    if not store.path(version).exists():  # pruned: retention kept this much of it
        return _cached(
            ("reported-kept", str(store.root), version), lambda: retention.reported_weeks(store, version)
        )

    def compute():
        con = store.connect(version)
        try:
            df = queries.run(con, "ledger_reported_weeks")
        finally:
            con.close()
        return frozenset(zip(df["township_id"], (_date(w) for w in df["week_start"]), strict=True))

    return _cached(("reported", *_stamp(store, version)), compute)


def lineage(store: Store, version: int | None = None) -> list[int]:
    """The live version (or `version`) and the versions it was made from, newest first: each
    version's record names its base (a restore's base is the version it restored)."""
    v = store.current() if version is None else version
    out = []
    while v is not None and len(out) < MAX_LINEAGE and retention.walkable(store, v):
        out.append(v)
        try:
            v = store.record(v).get("base")
        except FileNotFoundError:
            break
    return out


def first_published(store: Store, chain: list[int], township: str, week: dt.date) -> int | None:
    """The oldest version of `chain` (newest first) from which on, up to the live one, the
    township's week was reported: the version that published it as it is now seen."""
    found = None
    for v in chain:
        if (township, week) in _reported(store, v):
            found = v
        else:
            break
    return found


def _date(value) -> dt.date | None:
    if value is None or value != value:  # None or NaN/NaT
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value


# ---------------------------------------------------------------- notes
def notes_path(state_dir: str | os.PathLike) -> Path:
    return Path(state_dir) / NOTES_FILE


def _valid_note(e) -> bool:
    return isinstance(e, dict) and isinstance(e.get("key"), str) and isinstance(e.get("text"), str)


def read_notes(state_dir: str | os.PathLike) -> tuple[dict[str, list[dict]], int]:
    """(key -> its notes, oldest first; the number of damaged lines skipped)."""
    entries, skipped = jsonl.read(notes_path(state_dir), _valid_note)
    out: dict[str, list[dict]] = {}
    for e in entries:
        out.setdefault(e["key"], []).append(e)
    return out, skipped


def _check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise NoteRefused(Msg("ledger.note_empty"))
    text = text.strip()
    if len(text) > MAX_NOTE:
        raise NoteRefused(Msg("ledger.note_too_long", limit=MAX_NOTE, n=len(text)))
    return text


def add_note(
    state_dir: str | os.PathLike,
    key: str,
    text: str,
    by: str,
    *,
    mark_in_progress: bool = True,
    opened_week: dt.date | None = None,
) -> dict:
    """Append a 整改措施 note (plain text, at most MAX_NOTE characters) to an item; with
    `mark_in_progress` it marks the item 整改中 for its episode that opened `opened_week`
    (a note of an earlier episode does not mark a reopened item). Who may write it is
    `note()`'s check; this only writes the line."""
    text = _check_text(text)
    kind = key.split("|", 1)[0]
    if kind not in RULES or key.count("|") != 2:
        raise NoteRefused(Msg("ledger.note_no_item"))
    record = {
        "at": dt.datetime.now(TZ).isoformat(timespec="seconds"),
        "key": key,
        "text": text,
        "by": by,
        "in_progress": bool(mark_in_progress),
        "opened_week": opened_week.isoformat() if opened_week else None,
    }
    jsonl.append(notes_path(state_dir), record, mode=0o600)
    return record


def may_note(user: User | None, item: Item) -> bool:
    """An admin for any item; a township user or reporter for their own township's only."""
    if user is None or user.role not in NOTE_ROLES:
        return False
    return user.is_admin or (user.township_bound and user.township == item.township_id)


def note(store: Store, user: User, key: str, text: str, *, as_of: dt.datetime, mark_in_progress=True) -> Item:
    """The pages' way to add a note: checks on the server that the item exists as of `as_of`,
    that the user may write on it and that it is not closed, writes the note and its audit
    line (auth.audit.write), and returns the item as it now stands."""
    found = {i.key: i for i in items(store, as_of=as_of, township=user.scope(None))}
    item = found.get(key)
    if item is None:
        raise NoteRefused(Msg("ledger.note_no_item"))
    if not may_note(user, item):
        raise NoteRefused(Msg("ledger.note_forbidden"))
    if item.status == "closed":
        raise NoteRefused(Msg("ledger.note_closed"))
    add_note(
        store.state, key, text, user.name, mark_in_progress=mark_in_progress, opened_week=item.opened_week
    )
    audit.write(
        store.state,
        "ledger_note",
        user.name,
        key=key,
        township=item.township_id,
        in_progress=bool(mark_in_progress),
        chars=len(text.strip()),
    )
    return {i.key: i for i in items(store, as_of=as_of, township=item.township_id)}[key]


# ---------------------------------------------------------------- the items
LINK_COLUMNS = tuple(c for c in contract.TABLES["branches"].column_names if c.startswith("link_"))


def _base_items(store: Store, version: int, as_of: dt.datetime) -> list[Item]:
    """The items of a version as of a moment, before notes: cached per (version, day)."""
    until, missing_until = weeks_read(as_of)
    today = _local(as_of).date()

    def compute():
        chain = lineage(store, version)
        out = []
        for r in _episodes(store, version, until, missing_until):
            kind, township = r["kind"], r["township_id"]
            rule = RULES[kind]
            opened, last, closed = _date(r["opened_week"]), _date(r["last_week"]), _date(r["closed_week"])
            deadline = opened + dt.timedelta(days=7 + rule.days)
            if closed is not None:
                status, colour, escalated = "closed", "green", False
                closed_version = first_published(store, chain, township, closed)
            else:
                colour, escalated = grade(deadline, rule.days, today)
                status = "overdue" if colour == "red" else "open"
                closed_version = None
            links = {}
            if kind in ("branch_criterion", "roster_branch_never_assessed"):
                links = {c: bool(r[c]) for c in LINK_COLUMNS if c in r and r[c] is not None}
            criterion = r["criterion"] if isinstance(r["criterion"], str) else None
            out.append(
                Item(
                    key=make_key(kind, r["entity"], criterion),
                    kind=kind,
                    entity=r["entity"],
                    criterion=criterion,
                    township_id=township,
                    name=r["name"] if isinstance(r["name"], str) else r["entity"],
                    opened_week=opened,
                    opened_version=(
                        None
                        if kind == "submission_missing"
                        else first_published(store, chain, township, opened)
                    ),
                    last_week=last,
                    deadline=deadline,
                    status=status,
                    colour=colour,
                    escalated=escalated,
                    closed_week=closed,
                    closed_version=closed_version,
                    note=None,
                    note_count=0,
                    episodes=int(r["episodes"]),
                    links=links,
                    page=rule.page,
                )
            )
        return out

    return _cached(("items", *_stamp(store, version), until, missing_until, today), compute)


def _notes_stamp(state_dir) -> tuple:
    try:
        st = os.stat(notes_path(state_dir))
    except FileNotFoundError:
        return (0, 0)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _notes_of(state_dir: str, stamp: tuple) -> tuple[dict, int]:
    return read_notes(state_dir)


def notes_skipped(store: Store) -> int:
    """Damaged lines the notes file has (skipped when read)."""
    return _notes_of(str(store.state), _notes_stamp(store.state))[1]


def items(store: Store, *, as_of: dt.datetime, township: str | None = None) -> list[Item]:
    """The ledger of the live version as of `as_of` (tz-aware), of one township or all, in
    the order of the list a leader acts on: escalated, overdue, open (amber first), in
    progress, closed; the oldest first within each."""
    version = store.current()
    if version is None:
        return []
    base = _base_items(store, version, as_of)
    notes, _ = _notes_of(str(store.state), _notes_stamp(store.state))
    out = []
    for it in base:
        if township is not None and it.township_id != township:
            continue
        own = notes.get(it.key)
        if own:
            marked = any(
                n.get("in_progress") and n.get("opened_week") in (None, it.opened_week.isoformat())
                for n in own
            )
            status = "in_progress" if marked and it.status == "open" else it.status
            it = replace(it, note=own[-1]["text"], note_count=len(own), status=status)
        out.append(it)
    out.sort(key=order)
    return out


_STATUS_ORDER = {"overdue": 1, "open": 2, "in_progress": 3, "closed": 4}
_COLOUR_ORDER = {"red": 0, "amber": 1, "green": 2}


def order(it: Item):
    return (
        0 if it.escalated else _STATUS_ORDER[it.status],
        _COLOUR_ORDER[it.colour],
        it.deadline,
        it.township_id,
        it.kind,
        it.entity,
        it.criterion or "",
    )


def scoped(store: Store, user: User | None, *, as_of: dt.datetime, township: str | None = None) -> list[Item]:
    """items() as a user may see them: a township user or reporter their own township only,
    whatever `township` asks."""
    if user is not None:
        township = user.scope(township)
    return items(store, as_of=as_of, township=township)


def select(
    found: list[Item],
    *,
    kind: str | None = None,
    status: str | None = None,
    colour: str | None = None,
    township: str | None = None,
) -> list[Item]:
    """Narrow a list: status "open" means not closed (open, in progress, overdue), "all" or
    None everything; colour "escalated" the 督办 items."""
    out = []
    for it in found:
        if kind and it.kind != kind:
            continue
        if township and it.township_id != township:
            continue
        if status and status != "all":
            if status == "open" and it.status == "closed":
                continue
            if status not in ("open",) and it.status != status:
                continue
        if colour:
            if colour == "escalated" and not it.escalated:
                continue
            if colour != "escalated" and (it.colour != colour or it.status == "closed"):
                continue
        out.append(it)
    return out


def counts(found: list[Item]) -> dict[str, int]:
    """How many: open (not closed), overdue, escalated, amber, closed."""
    live = [i for i in found if i.status != "closed"]
    return {
        "open": len(live),
        "overdue": sum(i.status == "overdue" for i in live),
        "escalated": sum(i.escalated for i in live),
        "amber": sum(i.colour == "amber" for i in live),
        "in_progress": sum(i.status == "in_progress" for i in live),
        "closed": len(found) - len(live),
    }


def by_township(found: list[Item]) -> dict[str, dict[str, int]]:
    """township_id -> counts() of its items."""
    groups: dict[str, list[Item]] = {}
    for it in found:
        groups.setdefault(it.township_id, []).append(it)
    return {tw: counts(v) for tw, v in groups.items()}


def closed_since(store: Store, found: list[Item], version: int | None) -> list[Item]:
    """Items closed by a version newer than `version` (the last pinned: "since the last
    meeting"); every closed item when `version` is None."""
    return [
        i for i in found if i.status == "closed" and (version is None or (i.closed_version or 0) > version)
    ]
