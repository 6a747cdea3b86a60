"""Find where the time goes when a speed target (benchmarks/README.md) is missed.

    .venv/bin/python -m benchmarks.profile load DIR [--store TMP]
        Load DIR into a fresh store (a temp folder, removed afterwards, unless --store) under
        cProfile, with every DuckDB statement the loader runs timed and put in a step
        (CSV read, typing, validation, merge, checks, checkpoint, ...), per table.

    .venv/bin/python -m benchmarks.profile queries STORE [--township T] [--names a,b]
        For each query that summary() and the page data calls run (at the latest week),
        DuckDB's JSON profile: total, planner/optimizer time, and the slowest operators
        (the same information as EXPLAIN ANALYZE, machine-readable).

Nothing here changes dashboard/: the loader's connection is wrapped from outside.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import re
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

# (step, pattern) in order; the first match names a statement's step.
STEPS = [
    ("csv read (read_csv into raw_)", r"read_csv\("),
    ("csv row count", r"count\(\*\) FROM raw_"),
    ("typing (text → types)", r"CREATE TEMP TABLE typed_"),
    ("cell length / total and empty rows", r"FROM \(SELECT \(?(rowid|_row)"),
    (
        "lenient re-reading (count, update)",
        r"^UPDATE typed_|^SELECT EXISTS|count\(\*\) FILTER \(WHERE \"\w+__raw",
    ),
    ("row checks (validation)", r"FROM typed_\w+ WHERE"),
    ("batch (UNION of files, staging)", r"CREATE (TEMP )?TABLE batch_"),
    ("attach staging", r"^ATTACH|^CREATE TEMP VIEW|^DETACH|^DROP VIEW"),
    ("duplicate keys", r"first_value\(_file\)"),
    ("merge: count added/changed", r"true AS _stored"),
    ("merge: removed (replace)", r"ANTI JOIN"),
    ("merge: delete", r"^DELETE FROM"),
    ("merge: insert", r"^INSERT INTO"),
    ("check: foreign keys", r"NOT EXISTS \(SELECT 1 FROM"),
    ("check: unique", r"HAVING count\(\*\) > 1"),
    ("check: visited ≤ households", r"households_visited > g\.households"),
    ("check: assessment has 8 criteria", r"count\(DISTINCT s\.criterion\)"),
    ("geojson merge", r"geo_batch"),
    ("checkpoint", r"^CHECKPOINT"),
    ("drop temp tables", r"^DROP TABLE"),
    ("DDL", r"^CREATE TABLE|^CREATE (UNIQUE )?INDEX"),
]
TABLE_REF = re.compile(
    r'\b(?:raw|src|typed|rej)_(s\d+)\b|\bbatch_(\w+)|^(?:DELETE FROM|INSERT INTO) "?(\w+)"?'
)


def step_of(sql: str) -> str:
    s = sql.strip()
    for step, pat in STEPS:
        if re.search(pat, s):
            return step
    return "other SQL"


class TimedConnection:
    """Wraps a DuckDB connection; times every execute() with its SQL text, and records after it
    DuckDB's memory in use and the size of its temporary (spill) files."""

    def __init__(self, con, log: list, mem: list):
        self._con, self._log, self._mem = con, log, mem

    def execute(self, sql, params=None):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return self._con.execute(sql, params) if params is not None else self._con.execute(sql)
        finally:
            self._log.append((sql, time.perf_counter() - t0, time.process_time() - c0))
            if not sql.lstrip().upper().startswith("CHECKPOINT"):
                self._sample()

    def _sample(self):
        try:
            cur = self._con.cursor()
            try:
                mem = cur.execute(
                    "SELECT coalesce(sum(memory_usage_bytes), 0), "
                    "coalesce(sum(temporary_storage_bytes), 0) FROM duckdb_memory()"
                ).fetchone()
            finally:
                cur.close()
            self._mem.append(mem)
        except Exception:  # a closed connection, an older DuckDB
            pass

    def __getattr__(self, name):
        return getattr(self._con, name)


def profile_load(data_dir: Path, store_dir: Path, top: int = 25) -> dict:
    t_import = time.perf_counter()
    from dashboard import ingest
    from dashboard.store import Store

    import_s = time.perf_counter() - t_import

    log: list[tuple[str, float, float]] = []  # sql, wall s, CPU s of the process
    mem: list[tuple[int, int]] = []
    stages: dict[str, str] = {}
    original_writer, original_read_csv = Store.writer, ingest.read_csv
    original_duckdb = ingest.duckdb

    class TimedDuckDB:  # the load's staging database (files are read there, outside the lock)
        def __getattr__(self, name):
            return getattr(original_duckdb, name)

        def connect(self, *a, **kw):
            return TimedConnection(original_duckdb.connect(*a, **kw), log, mem)

    @contextlib.contextmanager
    def writer(self, *a, **kw):
        t0 = time.perf_counter()
        with original_writer(self, *a, **kw) as draft:
            log.append(
                ("-- writer(): lock, copy of the live version, connect", time.perf_counter() - t0, 0.0)
            )
            draft.con = TimedConnection(draft.con, log, mem)
            yield draft

    def read_csv(con, path, name, table, stage, errors, *rest):
        stages[stage] = table.name
        return original_read_csv(con, path, name, table, stage, errors, *rest)

    Store.writer, ingest.read_csv, ingest.duckdb = writer, read_csv, TimedDuckDB()
    prof = cProfile.Profile()
    try:
        t0 = time.perf_counter()
        prof.enable()
        res = ingest.load([str(data_dir)], Store(store_dir), by="profile")
        prof.disable()
        total = time.perf_counter() - t0
    finally:
        Store.writer, ingest.read_csv = original_writer, original_read_csv
        ingest.duckdb = original_duckdb
    if not res.ok:
        raise SystemExit("load failed:\n" + "\n".join(map(str, res.errors[:20])))

    by_step: dict[str, float] = defaultdict(float)
    cpu_step: dict[str, float] = defaultdict(float)
    by_table: dict[str, float] = defaultdict(float)
    slowest = []
    for sql, secs, cpu in log:
        step = "writer(): copy + connect" if sql.startswith("-- writer") else step_of(sql)
        by_step[step] += secs
        cpu_step[step] += cpu
        m = TABLE_REF.search(sql.strip())
        table = None
        if m:
            table = stages.get(m[1]) if m[1] else (m[2] or m[3])
        else:
            m2 = re.search(r'FROM "?(\w+)"? s\b', sql)
            table = m2[1] if m2 else None
        by_table[table or "(none)"] += secs
        slowest.append((secs, step, table, " ".join(sql.split())[:160]))
    sql_total = sum(s for _, s, _ in log)

    st = pstats.Stats(prof, stream=io.StringIO())
    funcs = []
    for (file, line, fn), (_cc, nc, tt, ct, _callers) in st.stats.items():
        if "dashboard" in file or fn in (
            "copyfile",
            "fsync",
            "<method 'execute' of '_duckdb.DuckDBPyConnection' objects>",
        ):
            funcs.append((ct, tt, nc, f"{Path(file).name}:{line} {fn}"))
    funcs.sort(reverse=True)
    return {
        "import_s": import_s,
        "load_s": total,
        "sql_s": sql_total,
        "peak_duckdb_memory_mb": max((m for m, _ in mem), default=0) / 2**20,
        "peak_duckdb_spill_mb": max((t for _, t in mem), default=0) / 2**20,
        "python_other_s": total - sql_total,
        "statements": len(log),
        "by_step": dict(sorted(by_step.items(), key=lambda kv: -kv[1])),
        "cpu_by_step": dict(cpu_step),
        "by_table": dict(sorted(by_table.items(), key=lambda kv: -kv[1])),
        "slowest": sorted(slowest, reverse=True)[:top],
        "functions": funcs[:top],
    }


def print_load(p: dict) -> None:
    print(
        f"import dashboard.ingest: {p['import_s']:.2f} s   ingest.load(): {p['load_s']:.2f} s "
        f"(DuckDB statements {p['sql_s']:.2f} s in {p['statements']}, "
        f"Python and other {p['python_other_s']:.2f} s)"
    )
    print(
        f"DuckDB memory in use, peak after a statement: {p['peak_duckdb_memory_mb']:.0f} MB; "
        f"temporary (spilled) storage, peak: {p['peak_duckdb_spill_mb']:.0f} MB\n"
    )
    print("by step (wall; CPU of all threads):")
    for k, v in p["by_step"].items():
        print(f"  {v:8.3f} s  {100 * v / p['load_s']:5.1f}%  CPU {p['cpu_by_step'].get(k, 0):8.3f} s  {k}")
    print("\nby table:")
    for k, v in list(p["by_table"].items())[:12]:
        print(f"  {v:8.3f} s  {k}")
    print("\nslowest statements:")
    for secs, step, table, sql in p["slowest"]:
        print(f"  {secs:8.3f} s  [{step}] {table or ''}: {sql}")
    print("\ncProfile, cumulative (dashboard functions, copyfile, fsync, execute):")
    for ct, tt, nc, name in p["functions"]:
        print(f"  {ct:8.3f} s cum  {tt:8.3f} s own  {nc:6d}×  {name}")


# ---------------------------------------------------------------- queries
def query_calls(con, week, township):
    """(label, query name, params) of every query summary() and the page calls run."""
    from benchmarks.run import PAGE_CALLS, capture
    from dashboard import metrics

    out, seen = [], set()
    _, calls = capture(lambda: metrics.summary(con, metrics.Scope(week, township)))
    for name, params in calls:
        out.append(("summary", name, params))
    for label, call in PAGE_CALLS.items():
        _, calls = capture(lambda call=call: call(con, week))
        for name, params in calls:
            out.append((label, name, params))
    uniq = []
    for label, name, params in out:
        key = (name, json.dumps({k: str(v) for k, v in sorted(params.items())}))
        if key not in seen:
            seen.add(key)
            uniq.append((label, name, params))
    return uniq


def profile_query(con, text: str, params: dict, out_json: Path, top: int = 6) -> dict:
    con.execute(text, params).fetchall()  # warm
    t0 = time.perf_counter()
    con.execute(text, params).fetchall()
    wall = time.perf_counter() - t0
    con.execute("PRAGMA enable_profiling='json'")
    con.execute(f"PRAGMA profiling_output='{out_json}'")
    try:
        con.execute(text, params).fetchall()
    finally:
        con.execute("PRAGMA disable_profiling")
    d = json.loads(out_json.read_text())
    ops = []

    def walk(n, path):
        info = n.get("extra_info") or {}
        what = info.get("Table") or info.get("Join Type") or info.get("Groups") or ""
        ops.append((n.get("timing", 0), n.get("type"), str(what)[:60], n.get("intermediate_rows")))
        for c in n.get("children", []):
            walk(c, path + 1)

    for c in d.get("operator", []):
        walk(c, 0)
    q = d.get("query", {})
    return {
        "wall_s": wall,
        "total_s": q.get("total_time"),
        "cpu_s": q.get("cpu_time"),
        "rows_scanned": q.get("total_rows_scanned"),
        "planner_s": d.get("planner", {}).get("total_time"),
        "optimizer_s": d.get("optimizer", {}).get("total_time"),
        "physical_planner_s": d.get("physical_planner", {}).get("total_time"),
        "operators_s": sum(o[0] for o in ops),
        "slowest_operators": sorted(ops, key=lambda o: -o[0])[:top],
    }


def profile_queries(store_dir: Path, township=None, names=None) -> list[dict]:
    from dashboard import metrics, queries
    from dashboard.store import Store

    con = Store(store_dir).connect()
    tmp = Path(tempfile.mkdtemp(prefix="dashboard-bench-prof-"))
    try:
        week = metrics.latest_week(con)
        rows = []
        for label, name, params in query_calls(con, week, township):
            if names and name not in names:
                continue
            text = queries.sql(name)
            used = set(re.findall(r"\$([A-Za-z_]\w*)", text))
            p = {k: v for k, v in params.items() if k in used}
            r = profile_query(con, text, p, tmp / f"{name}.json")
            r.update(query=name, caller=label, params={k: str(v) for k, v in p.items()})
            rows.append(r)
        return rows
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)


def print_queries(rows: list[dict]) -> None:
    ms = lambda s: "—" if s is None else f"{s * 1000:7.1f}"  # noqa: E731
    for r in sorted(rows, key=lambda r: -r["wall_s"]):
        print(f"{r['query']} (via {r['caller']}; {r['params']})")
        print(
            f"  wall {ms(r['wall_s'])} ms | profile total {ms(r['total_s'])} cpu {ms(r['cpu_s'])}"
            f" | planner {ms(r['planner_s'])} optimizer {ms(r['optimizer_s'])}"
            f" physical {ms(r['physical_planner_s'])} | operators {ms(r['operators_s'])}"
            f" | rows scanned {r['rows_scanned']}"
        )
        for t, typ, what, n in r["slowest_operators"]:
            print(f"      {ms(t)} ms  {typ} {what} → {n} rows")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("load", help="profile a full load of a folder")
    p.add_argument("dir")
    p.add_argument("--store", help="store folder to create (default: a temp folder, removed)")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("queries", help="DuckDB profile of every query of summary() and the pages")
    p.add_argument("store")
    p.add_argument("--township")
    p.add_argument("--names", help="comma-separated query names (default all)")
    p.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.what == "load":
        tmp = None if args.store else Path(tempfile.mkdtemp(prefix="dashboard-bench-prof-"))
        try:
            result = profile_load(Path(args.dir), Path(args.store) if args.store else tmp / "store")
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
        print(json.dumps(result, indent=1, default=str) if args.json else "", end="")
        if not args.json:
            print_load(result)
    else:
        names = set(args.names.split(",")) if args.names else None
        rows = profile_queries(Path(args.store), args.township, names)
        if args.json:
            print(json.dumps(rows, indent=1, default=str))
        else:
            print_queries(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
