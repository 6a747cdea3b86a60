"""Load the county's files (the tables and rules of docs/data-contract.md) into a new store version.

A load reads every file into a private staging database and checks every row
there, without the store's lock; then, holding the lock, it merges the rows into
a draft copy of the live version, checks the rules across tables and publishes
only when nothing is wrong. Each error names the file, table, row as the sender
sees it (the file's own row number), column, value and reason: an `i18n.Msg` of the
label table (intake.*), shown in Chinese, English or both. `LoadResult.report` says what the
reader did (rows read, skipped, values read from another form) before anything is committed.

SQL here is generated from the contract: identifiers come from
`contract` (an allow-list) or are names this module makes up (`c0`, `p3`);
every value, including constants such as enum codes, is a bound parameter.

The package is split by job: `rows` (header finding and row staging, shared by the readers),
`read` (CSV and GeoJSON into staging tables, limits against hostile files), `sheets` (xlsx and
xls, streamed), `check` (typing, the forgiving reading, row rules),
`merge` (batches, upsert, rules across tables), `summary` (the report as a table for the page and
as lines for the command line); this
module runs a load, with the township scope of a reporter's submission.
"""

from __future__ import annotations

import errno
import re
import tempfile
import time
from pathlib import Path

import duckdb

from .. import contract
from ..i18n import Msg
from ..store import Store
from .check import stage_typed
from .common import (
    MAX_ERRORS,
    NOTES_SHEETS,
    REPORTER_TABLES,
    STORED,
    Errors,
    LoadError,
    LoadResult,
    Source,
    clip,
    not_allowed,
    qcol,
    type_name,
)
from .merge import TOWNSHIP_OF, build_batch, check_merged, merge_geo, merge_table, sample
from .read import expand_paths, read_csv, read_geojson, sha256
from .sheets import read_xls, read_xlsx
from .summary import summary_lines, summary_table

# What callers use. The readers and merge steps load() calls are module globals too, so that
# a test can stand in for one (monkeypatch ingest.read_csv, ingest.stage_typed,
# ingest.merge_table); they are not part of the package's interface.
__all__ = [
    "NOTES_SHEETS",
    "REPORTER_TABLES",
    "STORED",
    "LoadError",
    "LoadResult",
    "expand_paths",
    "load",
    "load_uploads",
    "ordered",
    "summary_lines",
    "summary_table",
    "type_name",
]

MAX_NAME_BYTES = 200  # an uploaded file's name


def load(
    paths,
    store: Store | None = None,
    by: str = "",
    replace: bool = False,
    dry_run: bool = False,
    names: dict | None = None,
    township: str | None = None,
) -> LoadResult:
    """Check and apply a load; publish a new version when it is valid and changes something.

    `names` maps a path to the file name the sender knows (uploads land in temp files).
    With dry_run, everything is checked and counted but nothing is published.
    `township` makes it a township reporter's submission: only REPORTER_TABLES, and every
    row must belong to that township.

    Files are read, typed and checked row by row in a private staging database before
    the store's lock is taken; the lock is held only to copy the live version, merge,
    check the rules across tables and publish.
    """
    store = store or Store()
    names = {str(k): v for k, v in (names or {}).items()}
    errors = Errors()
    files = expand_paths(paths)
    result = LoadResult(ok=False)
    allowed = set(REPORTER_TABLES) if township is not None else None
    if not files:
        errors.add("", None, None, None, None, Msg("intake.no_files"))
    plan = []  # (path, display name, kind, table-or-layer)
    for path in files:
        name = names.get(str(path), path.name)
        if not path.is_file():
            errors.add(name, None, None, None, None, Msg("intake.no_such_file"))
            continue
        suffix, stem = path.suffix.lower(), Path(name).stem
        table = contract.table_by_label(stem)
        if suffix in (".et", ".ods"):
            errors.add(name, None, None, None, None, Msg("intake.wps_format", suffix=suffix))
        elif suffix in (".xlsx", ".xls"):
            plan.append((path, name, suffix[1:], None))
        elif suffix == ".csv" and table:
            if allowed is not None and table.name not in allowed:
                errors.add(name, table.name, None, None, None, not_allowed(table))
            else:
                plan.append((path, name, "csv", table))
        elif suffix in (".geojson", ".json") and table and table.name in contract.GEO_LAYERS:
            if allowed is not None:
                errors.add(name, table.name, None, None, None, not_allowed(table))
            else:
                plan.append((path, name, "geojson", table.name))
        elif suffix in (".geojson", ".json") and _outline_layer(stem):
            if allowed is not None:
                errors.add(name, None, None, None, None, Msg("intake.reporter_no_outline"))
            else:
                plan.append((path, name, "geojson", _outline_layer(stem)))
        else:
            errors.add(name, None, None, None, None, Msg("intake.unknown_file"))
        result.files.append({"name": name, "sha256": sha256(path) if path.is_file() else None})
    if township is not None and replace:
        errors.add("", None, None, None, None, Msg("intake.reporter_replace"))
    if errors:
        return _finish(result, errors)
    try:
        with tempfile.TemporaryDirectory(prefix="load-") as tmp:
            return _load_staged(Path(tmp), plan, store, by, replace, dry_run, township, result, errors)
    except OSError as e:
        errors.add("", None, None, None, None, _disk_message(e, store))
        return _finish(result, errors)
    except duckdb.IOException as e:
        errors.add("", None, None, None, None, _disk_message(e, store))
        return _finish(result, errors)


def _outline_layer(stem: str) -> str | None:
    """The geometry layer without a table (county, border) a file stem names, if any."""
    stems = {v[0]: k for k, v in contract.GEO_LAYERS.items() if k not in contract.TABLES}
    return stems.get(contract.norm_label(stem))


def _disk_message(e: Exception, store: Store) -> Msg:
    """What happened and what to do, when the disk refuses a write (issue 11 item 10)."""
    text = str(e)
    if isinstance(e, OSError) and e.errno == errno.ENOSPC or "No space left" in text:
        return Msg("intake.disk_full")
    if (
        isinstance(e, OSError)
        and e.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
        or any(w in text for w in ("Read-only", "Permission denied", "not permitted"))
    ):
        return Msg("intake.disk_readonly", root=str(store.root))
    return Msg("intake.disk_error", error=clip(text, 200))


def _load_staged(
    tmp: Path,
    plan,
    store: Store,
    by: str,
    replace: bool,
    dry_run: bool,
    township: str | None,
    result: LoadResult,
    errors: Errors,
) -> LoadResult:
    report = result.report
    allowed = set(REPORTER_TABLES) if township is not None else None
    staging = tmp / "staging.duckdb"
    t_stage = time.perf_counter()
    con = duckdb.connect(str(staging), config={"memory_limit": "1GB", "temp_directory": str(tmp / "spill")})
    counter = iter(range(1, 1 << 30))
    next_stage = lambda: f"s{next(counter)}"  # noqa: E731
    sources: list[Source] = []
    geo: list[tuple[str, str, list]] = []
    unreadable: set[str] = set()  # tables whose file could not be read at all
    try:
        for path, name, kind, target in plan:
            before = len(errors)
            if kind == "csv":
                s = read_csv(con, path, name, target, next_stage(), errors, report)
                sources += [s] if s else []
                if s is None:
                    unreadable.add(target.name)
            elif kind in ("xlsx", "xls"):
                reader = read_xlsx if kind == "xlsx" else read_xls
                sources += reader(con, path, name, errors, next_stage, report, allowed)
                unreadable |= {e.table for e in errors[before:] if e.table}
            else:
                feats = read_geojson(path, name, target, errors)
                if feats is not None:
                    geo.append((name, target, feats))
        for s in sources:
            stage_typed(con, s, errors, report)
        batches = []
        for tname in contract.TABLE_ORDER:
            mine = [s for s in sources if s.table.name == tname]
            if mine:
                t = contract.TABLES[tname]
                build_batch(con, t, mine, errors, temp=False)
                rows = con.execute(f"SELECT count(*) FROM batch_{tname}").fetchone()[0]
                report["tables"].setdefault(tname, {"rows": 0})["rows"] = int(rows)
                batches.append(t)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if not batches and not geo:
        return _finish(result, errors)
    t_wait = time.perf_counter()
    result.timings["stage"] = t_wait - t_stage

    with store.writer() as draft:
        t_merge = time.perf_counter()
        result.timings.update(draft.timings, wait=t_merge - t_wait - draft.timings.get("copy", 0))
        con = draft.con
        con.execute("ATTACH $p AS stg (READ_ONLY)", {"p": str(staging)})
        for t in batches:
            con.execute(f"CREATE TEMP VIEW batch_{t.name} AS SELECT * FROM stg.batch_{t.name}")
        if township is not None:
            _check_township(con, township, batches, errors)
            result.weeks = _check_locked(con, township, batches, errors, store.state)
        touched = {t.name for t in batches}
        for t in batches:
            if dry_run:
                result.samples[t.name] = sample(con, t)
            result.changes[t.name] = merge_table(con, t, replace, township, result.report)
        check_merged(con, touched, unreadable, errors)
        for file, layer, feats in geo:
            result.changes[f"{layer}.geojson"] = merge_geo(con, layer, feats, file, replace, errors)
        for t in batches:
            con.execute(f"DROP VIEW batch_{t.name}")
        con.execute("DETACH stg")
        if errors or dry_run:
            return _finish(result, errors)
        result.ok = True
        if not result.changed:
            return result
        record = {
            "action": "replace" if replace else "load",
            "by": by,
            "files": result.files,
            "tables": result.changes,
        }
        if township is not None:
            record["township"] = township
        result.timings["merge"] = time.perf_counter() - t_merge
        result.version = store.publish(draft, record)
        result.timings.update(draft.timings)
    return result


def _check_township(con, township: str, batches, errors: Errors) -> None:
    """Every row of a reporter's submission belongs to its township (all or nothing)."""
    for t in batches:
        if t.name not in TOWNSHIP_OF:
            continue
        column, join, tw = TOWNSHIP_OF[t.name]
        join, tw = join.format(a="b"), tw.format(a="b")
        rows = con.execute(
            f"SELECT b._file, b._row, b.{qcol(column)}, {tw} FROM batch_{t.name} b {join} "
            f"WHERE {tw} IS DISTINCT FROM $t ORDER BY 1, 2 LIMIT $lim",
            {"t": township, "lim": MAX_ERRORS + 1},
        ).fetchall()
        for file, row, value, other in rows:
            if other is None and t.name == "trainings":
                message = Msg("intake.township_blank", township=township)
            else:
                message = Msg("intake.township_other", other=other, township=township)
            errors.add(file, t.name, row, column, value, message)
        if t.name == "trainings":
            # An activity code already used by another township (or the county) is not yours
            # to overwrite.
            rows = con.execute(
                "SELECT b._file, b._row, b.activity_id, s.township_id FROM batch_trainings b "
                "JOIN trainings s ON s.activity_id = b.activity_id "
                "WHERE s.township_id IS DISTINCT FROM $t ORDER BY 1, 2 LIMIT $lim",
                {"t": township, "lim": MAX_ERRORS + 1},
            ).fetchall()
            for file, row, value, other in rows:
                errors.add(
                    file,
                    t.name,
                    row,
                    "activity_id",
                    value,
                    Msg("intake.activity_taken", owner=other or Msg("intake.county_level")),
                )


# The week a reporter's row falls in: (table, column named in the error, SQL of its date).
_WEEK_OF = {
    "grid_weekly": ("week_start", "b.week_start"),
    "checkpoint_shifts": ("shift_start", "CAST(b.shift_start AS DATE)"),
    "trainings": ("held_on", "b.held_on"),
    "branch_assessments": ("assessed_on", "b.assessed_on"),
}


def _check_locked(con, township: str, batches, errors: Errors, state_dir) -> list:
    """The weeks (Mondays) a reporter's rows fall in; a row of a week that was approved
    (dashboard.review: locked against reporters' changes) refuses the whole upload, naming
    the file, the week and the township, once per file and week (at its first row)."""
    from .. import review

    weeks = set()
    name = con.execute("SELECT name FROM townships WHERE township_id = $t", {"t": township}).fetchone()
    for t in batches:
        if t.name not in _WEEK_OF:
            continue
        column, day = _WEEK_OF[t.name]
        rows = con.execute(
            f"SELECT b._file, CAST(date_trunc('week', {day}) AS DATE) AS w, min(b._row) "
            f"FROM batch_{t.name} b WHERE {day} IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
        for file, week, row in rows:
            weeks.add(week)
            if review.locked(state_dir, township, week):
                errors.add(
                    file,
                    t.name,
                    row,
                    column,
                    week.isoformat(),
                    Msg(
                        "intake.week_locked",
                        week=week.isoformat(),
                        township=name[0] if name else township,
                        code=township,
                    ),
                )
    return sorted(weeks)


def _finish(result: LoadResult, errors: Errors) -> LoadResult:
    result.ok = not errors
    result.truncated = errors.full
    result.errors = ordered(list(errors))[:MAX_ERRORS]
    return result


def _knock_on(e: LoadError, failed: set[str]) -> bool:
    """An unknown reference into a table that has errors of its own in this load: most likely
    the row that would have held the code is one of those errors."""
    if e.message.key != "intake.not_in_table" or e.table not in contract.TABLES or not e.column:
        return False
    col = (
        contract.TABLES[e.table].column(e.column)
        if e.column in contract.TABLES[e.table].column_names
        else None
    )
    return col is not None and col.fk in failed


def ordered(errors: list[LoadError]) -> list[LoadError]:
    """Errors as the sender reads them: whole-file errors first, then by file, sheet (in the
    workbook's order) and row; a knock-on error (an unknown reference into a table with errors
    of its own) after the errors that caused it."""
    failed = {e.table for e in errors if e.table and e.message.key != "intake.not_in_table"}
    seen: dict[str, int] = {}
    for e in errors:
        seen.setdefault(e.file, len(seen))

    def base(file: str) -> str:
        return file.split(" [", 1)[0]

    first_of_base: dict[str, int] = {}
    for f, i in seen.items():
        first_of_base.setdefault(base(f), i)
    return sorted(
        errors,
        key=lambda e: (
            _knock_on(e, failed),
            e.file == STORED,
            first_of_base[base(e.file)],
            seen[e.file],
            -1 if e.row is None else e.row,
        ),
    )


def _bad_upload_name(name: str) -> Msg | None:
    """Why an uploaded file's name is refused (NUL, '..', control characters, too long)."""
    parts = re.split(r"[\\/]", name)
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        return Msg("intake.name_control")
    if ".." in parts or parts[-1] in ("", "."):
        return Msg("intake.name_dots")
    if len(parts[-1].encode("utf-8")) > MAX_NAME_BYTES:
        return Msg("intake.name_long", limit=MAX_NAME_BYTES)
    return None


def load_uploads(files: list[tuple[str, bytes]], store: Store | None = None, **kwargs) -> LoadResult:
    """Load files that arrived as (name, content) pairs, e.g. browser uploads.

    Each is written to a private temporary folder under its base name only, so a
    name can never point elsewhere; errors name the file as the sender called it.
    A name with NUL, control characters or '..' refuses the whole upload with a message.
    """
    errors = Errors()
    for name, _ in files:
        why = _bad_upload_name(str(name))
        if why:
            shown = str(name).replace("\x00", "\\0")
            errors.add(
                clip("".join(ch if ord(ch) >= 32 else "\ufffd" for ch in shown), 120),
                None,
                None,
                None,
                None,
                why,
            )
    if errors:
        return _finish(LoadResult(ok=False), errors)
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        paths, names = [], {}
        for i, (name, content) in enumerate(files):
            base = Path(name.replace("\\", "/")).name or f"file{i}"
            folder = Path(tmp) / str(i)  # one folder per file: equal names cannot collide
            folder.mkdir()
            path = folder / base
            path.write_bytes(content)
            paths.append(path)
            names[str(path)] = base
        return load(paths, store, names=names, **kwargs)
