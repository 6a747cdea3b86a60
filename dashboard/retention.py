"""Which versions the store keeps, and pruning the rest (issue 19 §2; docs/architecture.md,
"Retention").

The policy is declared once (POLICY). A version is kept when it is

  pinned     a meeting's pin (pins.json): "since the last meeting" reads it;
  live       the one CURRENT names;
  recent     one of the `keep_last` newest;
  weekly     the newest version published in its week (Monday to Sunday, Asia/Shanghai),
             for the weeks of the last `weekly_days` days;
  held       open in a reader right now (below): a reader on an old file keeps working until
             it moves on to a newer version, and the file goes at a later prune.

Everything else is pruned: its .duckdb file is removed, its record (000123.json) stays, marked
with "pruned" (when, by whom, the bytes freed), so the version list still shows it and a restore
of it says it was pruned. `python -m dashboard versions prune [--dry-run]` prunes on demand, and
Store.publish prunes after each publish (under the write lock it already holds).

What the ledger needs of a pruned version. The ledger walks the live version's lineage (each
record's base) and asks of each version one thing: which township-weeks it had reported
(queries/ledger_reported_weeks.sql), to find the version that first published a week. Before a
file goes, that set is written beside the record (000123.weeks, JSON), and the ledger reads it
there (reported_weeks). So pruning never changes the ledger's output; the live and pinned
versions, which it and "since the last meeting" read in full, are never pruned.

Readers' leases. Store.connect takes a shared flock on <state>/readers/000123.lease before it
opens a version and keeps it as long as the connection object lives. Prune takes the same lock
exclusively without waiting: when it cannot, a reader holds the version and it stays. The kernel
drops a dead process's locks, so a killed reader holds nothing. The lease folder is the state
folder's (read-write for every replica, like the audit log): prune must run with the same
$DASHBOARD_STATE / --state as the replicas.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import sys
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .i18n import Explained, Msg
from .reporting import TZ  # the county's weeks

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class Policy:
    """How many versions a county keeps: see the module's rules."""

    keep_last: int = 20
    weekly_days: int = 365


POLICY = Policy()
REASONS = ("pinned", "live", "recent", "weekly", "held")


class VersionPruned(Explained, LookupError):
    """A version whose file retention removed: it can be listed, not opened or restored."""

    def __init__(self, version: int, pruned: dict | None = None):
        pruned = pruned or {}
        self.version = version
        self.message = Msg(
            "retention.pruned_refused",
            version=version,
            at=str(pruned.get("at", "?"))[:10],
            n=POLICY.keep_last,
            days=POLICY.weekly_days,
        )
        super().__init__(self.message.both())

    def __str__(self) -> str:
        return self.message.both()


# ---------------------------------------------------------------- leases
def lease_path(store: Store, version: int) -> Path:
    return Path(store.state) / "readers" / f"{version:06d}.lease"


def hold(store: Store, version: int):
    """Take a reader's lease on `version` (a shared flock); returns `release()`. Never fails
    the read: a state folder that cannot be written only loses the lease (said on stderr)."""
    path = lease_path(store, version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        print(f"dashboard: no reader lease for version {version}: {e}", file=sys.stderr)
        return lambda: None
    fcntl.flock(fd, fcntl.LOCK_SH)

    def release(fd=fd):
        with contextlib.suppress(OSError):
            os.close(fd)  # closing the descriptor drops its flock

    return release


def tie(con, release) -> None:
    """Release the lease when the connection object is gone (closed and dropped)."""
    weakref.finalize(con, release)


@contextlib.contextmanager
def _exclusive_if_free(store: Store, version: int):
    """Yield True holding the version's lease exclusively when no reader holds it, else False."""
    path = lease_path(store, version)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        yield True  # never opened through a lease
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def held(store: Store, version: int) -> bool:
    with _exclusive_if_free(store, version) as free:
        return not free


# ---------------------------------------------------------------- the policy
def _week_of(created_at: str) -> dt.date | None:
    try:
        when = dt.datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return None
    day = (when if when.tzinfo else when.replace(tzinfo=TZ)).astimezone(TZ).date()
    return day - dt.timedelta(days=day.weekday())


def decide(
    records: list[dict],
    current: int,
    pinned: set[int],
    policy: Policy | None = None,
    now: dt.datetime | None = None,
) -> dict[int, list[str]]:
    """version -> the rules that keep it (empty: prune), for the stored (not pruned) versions
    `records`, by policy alone (held is checked when pruning)."""
    policy = policy or POLICY
    now = (now or dt.datetime.now(TZ)).astimezone(TZ)
    since = now.date() - dt.timedelta(days=policy.weekly_days)
    numbers = sorted((r["version"] for r in records), reverse=True)
    recent = set(numbers[: policy.keep_last])
    newest_of_week: dict[dt.date, int] = {}
    for r in records:
        week = _week_of(r.get("created_at", ""))
        if week is None or week + dt.timedelta(days=6) < since:
            continue
        newest_of_week[week] = max(newest_of_week.get(week, 0), r["version"])
    weekly = set(newest_of_week.values())
    out = {}
    for v in numbers:
        out[v] = [
            name
            for name, keep in (
                ("pinned", v in pinned),
                ("live", v == current),
                ("recent", v in recent),
                ("weekly", v in weekly),
            )
            if keep
        ]
    return out


@dataclass
class Plan:
    keep: dict[int, list[str]] = field(default_factory=dict)  # version -> reasons
    prune: list[tuple[int, int]] = field(default_factory=list)  # (version, bytes), oldest first
    held: list[int] = field(default_factory=list)  # would go, but a reader holds it

    @property
    def freed(self) -> int:
        return sum(b for _, b in self.prune)


def stored(store: Store) -> list[dict]:
    """The records of the published versions whose file is still there."""
    return [v for v in store.versions() if not v.get("pruned")]


def plan(store: Store, policy: Policy | None = None, now: dt.datetime | None = None) -> Plan:
    cur = store.current()
    out = Plan()
    if cur is None:
        return out
    records = stored(store)
    pinned = {int(v) for v in store.pins()}
    for v, reasons in sorted(decide(records, cur, pinned, policy, now).items()):
        if reasons:
            out.keep[v] = reasons
        elif held(store, v):
            out.keep[v] = ["held"]
            out.held.append(v)
        else:
            out.prune.append((v, store.path(v).stat().st_size))
    return out


# ---------------------------------------------------------------- pruning
def weeks_path(store: Store, version: int) -> Path:
    return store.versions_dir / f"{version:06d}.weeks"


def _write_atomic(path: Path, text: str) -> None:
    from .store import _write_atomic as write

    write(path, text)


def _keep_ledger_facts(store: Store, version: int) -> None:
    """Write what the ledger reads of `version` (its reported township-weeks) beside it."""
    import duckdb

    from . import queries

    # Not Store.connect: its shared lease would wait on the exclusive one prune holds.
    con = queries.install(duckdb.connect(str(store.path(version)), read_only=True))
    try:
        df = queries.run(con, "ledger_reported_weeks")
    finally:
        con.close()
    pairs = sorted(
        {(str(t), w.isoformat()[:10]) for t, w in zip(df["township_id"], df["week_start"], strict=True)}
    )
    _write_atomic(weeks_path(store, version), json.dumps({"version": version, "reported_weeks": pairs}))


def reported_weeks(store: Store, version: int) -> frozenset:
    """{(township_id, week_start date)} a pruned version had reported (what the ledger needs)."""
    data = json.loads(weeks_path(store, version).read_text("utf-8"))
    return frozenset((t, dt.date.fromisoformat(w)) for t, w in data["reported_weeks"])


def walkable(store: Store, version: int) -> bool:
    """The ledger can read `version`: its file, or what was kept of it when it was pruned."""
    return store.path(version).exists() or weeks_path(store, version).exists()


def _prune_one(store: Store, version: int, size: int, by: str, at: str) -> bool:
    with _exclusive_if_free(store, version) as free:
        if not free:
            return False
        _keep_ledger_facts(store, version)
        rec = store.record(version)
        rec["pruned"] = {"at": at, "by": by, "bytes": size}
        _write_atomic(
            store.versions_dir / f"{version:06d}.json", json.dumps(rec, ensure_ascii=False, indent=1)
        )
        store.path(version).unlink(missing_ok=True)
    lease_path(store, version).unlink(missing_ok=True)
    return True


@dataclass
class Result:
    dry_run: bool
    pruned: list[tuple[int, int]]  # (version, bytes)
    held: list[int]
    keep: dict[int, list[str]]

    @property
    def freed(self) -> int:
        return sum(b for _, b in self.pruned)


def prune(
    store: Store,
    *,
    dry_run: bool = False,
    by: str = "",
    policy: Policy | None = None,
    now: dt.datetime | None = None,
    locked: bool = False,
) -> Result:
    """Prune what the policy lets go (or, with `dry_run`, only say what would go). Takes the
    store's write lock unless `locked` (Store.publish holds it). A real prune that removed or
    skipped anything writes one audit line ("prune": versions, bytes, held)."""
    from .store import now_iso

    policy = policy or POLICY
    if dry_run:
        p = plan(store, policy, now)
        return Result(True, p.prune, p.held, p.keep)
    ctx = contextlib.nullcontext() if locked else store._lock()
    with ctx:
        p = plan(store, policy, now)
        at = now_iso()
        done, skipped = [], list(p.held)
        for v, size in p.prune:
            if _prune_one(store, v, size, by, at):
                done.append((v, size))
            else:
                skipped.append(v)  # a reader opened it since the plan
        if done:
            from .store import _fsync_dir

            _fsync_dir(store.versions_dir)
    result = Result(False, done, sorted(skipped), p.keep)
    if done or skipped:
        from .auth import Users

        Users(store.state).audit(
            "prune",
            by or None,
            versions=[v for v, _ in done],
            bytes=result.freed,
            held=result.held,
            policy={"keep_last": policy.keep_last, "weekly_days": policy.weekly_days},
        )
    return result


def after_publish(store: Store) -> None:
    """Store.publish's prune (lock held). The version is already live: a failure to prune
    must not fail the publish, so it is said on stderr and left for the next prune.

    Opt-in for now (DASHBOARD_RETENTION=on): the board's on-time walk
    (reporting.first_complete, submissions.last_submissions) still stops at a pruned version,
    so a pruned first-complete version could turn a week's 按时 into 迟报. Until those keep
    what they need beside a pruned version (as the ledger's weeks are kept), pruning is what
    an admin runs (`versions prune`), knowing that."""
    if os.environ.get("DASHBOARD_RETENTION", "off").strip().lower() != "on":
        return
    try:
        prune(store, by="publish", locked=True)
    except Exception as e:  # noqa: BLE001 — the publish succeeded; the next prune retries
        print(f"dashboard: prune after publish failed: {type(e).__name__}: {e}", file=sys.stderr)
