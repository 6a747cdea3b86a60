"""Versioned DuckDB snapshots (docs/architecture.md, "The store").

    <root>/versions/000001.duckdb   immutable once published
    <root>/versions/000001.json     its record: when, by whom, files, rows per table
    <root>/CURRENT                  the live version's number, replaced with os.replace
    <root>/pins.json                pinned versions and their labels
    <root>/lock                     one writer at a time (flock)

What the running dashboard itself writes (users and their lock-outs, the audit log, the
meeting screens' state) goes to the store's *state* folder: the root itself unless
`$DASHBOARD_STATE` names another, so that replicas can read the versions from a share
mounted read-only while they write their state to a folder they share read-write.

A writer never touches a published file: it copies the live version to a
temporary file, changes that, checkpoints and closes it, renames it into
versions/, then swaps CURRENT. A crash at any point leaves the old version live.
A version numbered above CURRENT is a leftover of such a crash and is ignored.

Publishing also builds the version's weekly tables (dashboard.queries.build_aggregates: one row
per week and checkpoint, and per week and grid) inside the same file, so a version's figures
and its tables are never out of step. A connection comes with the shared SQL macros installed
(dashboard.queries.install).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import contract, locks, queries, retention

DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "data" / "store"


def default_root() -> Path:
    return Path(os.environ.get("DASHBOARD_STORE") or DEFAULT_ROOT)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass
class Draft:
    """A writable copy of the live version, open inside `Store.writer()`."""

    con: duckdb.DuckDBPyConnection
    base: int | None
    path: Path
    # Seconds spent per step (copy, aggregates, checkpoint, fsync, publish): for
    # benchmarks/submit.py, and cheap enough to keep always.
    timings: dict = field(default_factory=dict)


class Store:
    def __init__(self, root: str | os.PathLike | None = None, state: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.versions_dir = self.root / "versions"
        # users.json, audit.jsonl, screens/: written while the dashboard serves.
        self.state = Path(state or os.environ.get("DASHBOARD_STATE") or self.root)

    # ---- reading -------------------------------------------------------
    def current(self) -> int | None:
        try:
            text = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return int(text) if text else None

    def path(self, version: int) -> Path:
        return self.versions_dir / f"{version:06d}.duckdb"

    def connect(self, version: int | None = None) -> duckdb.DuckDBPyConnection:
        """A read-only connection to a version (default: the live one).

        On an empty store, an in-memory database with the contract's empty tables.
        """
        version = self.current() if version is None else version
        if version is None:
            con = duckdb.connect(":memory:")
            for stmt in contract.ddl():
                con.execute(stmt)
            return queries.install(con)
        # The reader's lease first, so that a prune cannot take the file between the two.
        release = retention.hold(self, version)
        try:
            con = duckdb.connect(str(self.path(version)), read_only=True)
        except duckdb.Error:
            release()
            self._refuse_pruned(version)
            raise
        retention.tie(con, release)
        return queries.install(con)

    def record(self, version: int) -> dict:
        return json.loads((self.versions_dir / f"{version:06d}.json").read_text("utf-8"))

    def _refuse_pruned(self, version: int) -> None:
        """Raise retention.VersionPruned when retention removed `version`'s file."""
        if not self.path(version).exists():
            with contextlib.suppress(FileNotFoundError, ValueError):
                pruned = self.record(version).get("pruned")
                if pruned:
                    raise retention.VersionPruned(version, pruned)

    def versions(self) -> list[dict]:
        """Published versions, newest first, each with its pin label (or None); a version
        retention pruned is listed with its record's "pruned" (when, by whom, bytes)."""
        cur = self.current()
        if cur is None:
            return []
        pins = self.pins()
        out = []
        for p in sorted(self.versions_dir.glob("[0-9]*.json"), reverse=True):
            v = int(p.stem)
            if v > cur:
                continue
            rec = json.loads(p.read_text("utf-8"))
            if not self.path(v).exists():
                if not rec.get("pruned"):
                    continue
            else:
                rec.pop("pruned", None)  # a prune cut short before removing the file
            rec["pinned"] = pins.get(str(v))
            rec["current"] = v == cur
            out.append(rec)
        return out

    def pins(self) -> dict[str, dict]:
        try:
            return json.loads((self.root / "pins.json").read_text("utf-8"))
        except FileNotFoundError:
            return {}

    def last_pinned(self, before: int | None = None) -> int | None:
        """The newest pinned version (below `before` if given)."""
        vs = [int(v) for v in self.pins() if before is None or int(v) < before]
        return max(vs) if vs else None

    # ---- writing -------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self):
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        with locks.exclusive(self.root / "lock"):
            yield

    @contextlib.contextmanager
    def writer(self, base: int | None = None, memory_limit: str = "1GB"):
        """Hold the write lock and yield a Draft: a copy of `base` (default live).

        Publish with `publish(draft, record)`; leaving without publishing discards it.
        """
        with self._lock():
            self._clean_leftovers()
            base = self.current() if base is None else base
            tmp = self.versions_dir / f".draft-{os.getpid()}.duckdb"
            tmp.unlink(missing_ok=True)
            t0 = time.perf_counter()
            if base is not None:
                shutil.copyfile(self.path(base), tmp)
                os.chmod(tmp, 0o644)
            con = duckdb.connect(str(tmp), config={"memory_limit": memory_limit})
            draft = Draft(con=con, base=base, path=tmp, timings={"copy": time.perf_counter() - t0})
            try:
                if base is None:
                    for stmt in contract.ddl():
                        con.execute(stmt)
                yield draft
            finally:
                with contextlib.suppress(Exception):
                    draft.con.close()
                tmp.unlink(missing_ok=True)
                Path(str(tmp) + ".wal").unlink(missing_ok=True)

    def publish(self, draft: Draft, record: dict) -> int:
        """Make the draft the next live version, with its weekly tables built from its rows.
        Call inside `writer()`."""
        t = draft.timings
        t0 = time.perf_counter()
        queries.build_aggregates(draft.con)
        t1 = time.perf_counter()
        draft.con.execute("CHECKPOINT")
        draft.con.close()
        t2 = time.perf_counter()
        with open(draft.path, "rb+") as f:
            os.fsync(f.fileno())
        t3 = time.perf_counter()
        t.update(aggregates=t1 - t0, checkpoint=t2 - t1, fsync=t3 - t2)
        version = (self.current() or 0) + 1
        record = dict(
            record, version=version, created_at=record.get("created_at") or now_iso(), base=draft.base
        )
        _write_atomic(
            self.versions_dir / f"{version:06d}.json", json.dumps(record, ensure_ascii=False, indent=1)
        )
        os.chmod(draft.path, 0o444)
        os.replace(draft.path, self.path(version))
        _fsync_dir(self.versions_dir)
        _write_atomic(self.root / "CURRENT", f"{version}\n")
        t["publish"] = time.perf_counter() - t3
        retention.after_publish(self)  # the retention policy, with the write lock still held
        return version

    def restore(self, version: int, by: str = "") -> int:
        """Publish the content of an earlier version as a new version."""
        cur = self.current()
        if cur is None or version > cur or not self.path(version).exists():
            self._refuse_pruned(version)
            raise LookupError(f"no version {version}")
        with self.writer(base=version) as draft:
            return self.publish(
                draft, {"action": "restore", "restored_from": version, "by": by, "files": [], "tables": {}}
            )

    def pin(self, version: int, label: str, by: str = "") -> None:
        cur = self.current()
        if cur is None or version > cur or not self.path(version).exists():
            self._refuse_pruned(version)
            raise LookupError(f"no version {version}")
        with self._lock():
            self._refuse_pruned(version)  # pruned while this waited for the lock
            pins = self.pins()
            pins[str(version)] = {"label": label, "by": by, "at": now_iso()}
            _write_atomic(self.root / "pins.json", json.dumps(pins, ensure_ascii=False, indent=1))

    def unpin(self, version: int) -> None:
        with self._lock():
            pins = self.pins()
            pins.pop(str(version), None)
            _write_atomic(self.root / "pins.json", json.dumps(pins, ensure_ascii=False, indent=1))

    def _clean_leftovers(self) -> None:
        """Remove drafts and never-published versions a crash left (lock held)."""
        cur = self.current() or 0
        for p in self.versions_dir.glob(".draft-*"):
            p.unlink(missing_ok=True)
        for p in self.versions_dir.glob("[0-9]*.*"):
            if p.stem.isdigit() and int(p.stem) > cur:
                p.unlink(missing_ok=True)


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
