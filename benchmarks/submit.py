"""Township submissions against a big store (issue 19): one township's weekly grid report, with
where its time goes, and many townships submitting at once from separate processes.

    .venv/bin/python -m benchmarks.submit [--store /tmp/s7-store100] [--runs 3] [--concurrent 20]
                                          [--tmp /tmp] [--json out.json]

The source store is only read: each run works on its own copy (made under --tmp before the
clock starts, removed after). The submission is the week after the store's latest grid week,
one row per grid of the township (a Monday morning's report), written as grid_weekly.csv.

*single*: in a child process, `ingest.load([csv], Store(copy), township=T)` — wall and CPU of
that call (the child's interpreter start and imports not counted), with the steps
`LoadResult.timings` records: stage (read and check, outside the lock), wait (for the lock),
copy, merge (and the rules), aggregates, checkpoint, fsync, publish (records, renames).

*concurrent*: N townships' reports, one child process each, started together; end to end from
the start to the last child's answer, each child's own wall time, the CPU of all children, and
how many versions the store gained.

Each figure is the median of --runs runs; the load average (1 min) is taken before each run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _copy_store(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".draft-*", "lock"))


def _townships(store: Path, n: int) -> list[str]:
    """The first n townships with grids, by code."""
    sys.path.insert(0, str(ROOT))
    from dashboard.store import Store

    con = Store(store).connect()
    try:
        rows = con.execute(
            "SELECT c.township_id FROM grids g JOIN zones z USING (zone_id) "
            "JOIN communities c USING (community_id) GROUP BY 1 ORDER BY 1 LIMIT $n",
            {"n": n},
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _write_report(store: Path, township: str, out: Path) -> int:
    """The township's grid_weekly.csv for the week after the latest (copied from the latest
    week's rows); its number of rows."""
    from dashboard.store import Store

    con = Store(store).connect()
    try:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "grid_weekly.csv"
        con.execute(
            "COPY (SELECT r.week_start + 7 AS week_start, r.* EXCLUDE (week_start) FROM grid_weekly r "
            "JOIN grids g USING (grid_id) JOIN zones z USING (zone_id) JOIN communities c USING "
            "(community_id) WHERE c.township_id = $t AND r.week_start = "
            "(SELECT max(week_start) FROM grid_weekly) ORDER BY r.grid_id) TO '" + str(path) + "' "
            "(HEADER, DELIMITER ',')",
            {"t": township},
        )
        return sum(1 for _ in open(path)) - 1
    finally:
        con.close()


def child(store: str, csv: str, township: str, wait: bool) -> None:
    """One submission in this process: print its figures as one JSON line."""
    sys.path.insert(0, str(ROOT))
    from dashboard import ingest
    from dashboard.store import Store

    c0, t0 = time.process_time(), time.perf_counter()
    kwargs = {} if wait else {"wait": False}
    res = ingest.load([csv], Store(store), by="bench", township=township, **kwargs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        json.dumps(
            {
                "ok": res.ok,
                "version": res.version,
                "wall": wall,
                "cpu": cpu,
                "timings": getattr(res, "timings", {}),
                "errors": [str(e) for e in res.errors][:3],
            }
        )
    )


def _spawn(store: Path, csv: Path, township: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.submit", "--child", str(store), str(csv), township],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def _versions(store: Path) -> int:
    return int((store / "CURRENT").read_text())


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_single(src: Path, tmp: Path, csv: Path, township: str) -> dict:
    store = tmp / "store"
    shutil.rmtree(store, ignore_errors=True)
    _copy_store(src, store)
    os.sync()
    load = os.getloadavg()[0]
    p = _spawn(store, csv, township)
    out = json.loads(p.communicate()[0].strip().splitlines()[-1])
    shutil.rmtree(store, ignore_errors=True)
    out["load"] = load
    return out


def run_concurrent(src: Path, tmp: Path, reports: dict[str, Path]) -> dict:
    store = tmp / "store"
    shutil.rmtree(store, ignore_errors=True)
    _copy_store(src, store)
    os.sync()
    before = _versions(store)
    load = os.getloadavg()[0]
    cpu0 = _cpu_children()
    t0 = time.perf_counter()
    procs = [_spawn(store, csv, tw) for tw, csv in reports.items()]
    outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    wall = time.perf_counter() - t0
    cpu = _cpu_children() - cpu0
    versions = _versions(store) - before
    shutil.rmtree(store, ignore_errors=True)
    return {
        "load": load,
        "wall": wall,
        "cpu": cpu,
        "versions": versions,
        "ok": sum(o["ok"] for o in outs),
        "each_median": statistics.median(o["wall"] for o in outs),
        "each_max": max(o["wall"] for o in outs),
    }


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", default="/tmp/s7-store100")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--concurrent", type=int, default=20, help="townships at once (0: skip)")
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--json")
    ap.add_argument("--child", nargs=3, metavar=("STORE", "CSV", "TOWNSHIP"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child, wait=True)
        return 0
    src = Path(args.store)
    tmp = Path(tempfile.mkdtemp(prefix="groupcommit-bench-", dir=args.tmp))
    try:
        towns = _townships(src, max(1, args.concurrent))
        reports = {}
        for tw in towns:
            rows = _write_report(src, tw, tmp / f"sub-{tw}")
            reports[tw] = tmp / f"sub-{tw}" / "grid_weekly.csv"
            if tw == towns[0]:
                single_rows = rows
        single = []
        for i in range(args.runs):
            r = run_single(src, tmp, reports[towns[0]], towns[0])
            print(
                f"single run {i + 1}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, load {r['load']:.2f}, "
                + ", ".join(f"{k} {v:.2f}" for k, v in r["timings"].items()),
                file=sys.stderr,
            )
            if not r["ok"]:
                print(r["errors"], file=sys.stderr)
            single.append(r)
        conc = []
        for i in range(args.runs if args.concurrent else 0):
            r = run_concurrent(src, tmp, reports)
            print(
                f"concurrent run {i + 1}: {args.concurrent} townships, {r['wall']:.2f} s end to end, "
                f"{r['cpu']:.2f} s CPU, {r['versions']} versions, {r['ok']} ok, each median "
                f"{r['each_median']:.2f} s max {r['each_max']:.2f} s, load {r['load']:.2f}",
                file=sys.stderr,
            )
            conc.append(r)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    steps = sorted({k for r in single for k in r["timings"]}, key=list(single[0]["timings"]).index)
    lines = [
        f"store {src} ({sum(f.stat().st_size for f in (src / 'versions').glob('*.duckdb')) / 1e6:.0f} MB), "
        f"township {towns[0]}, {single_rows} rows; median of {args.runs} runs",
        "",
        "| one submission | wall s | CPU s | load | " + " | ".join(steps) + " |",
        "|---|---|---|---|" + "---|" * len(steps),
        f"| median | {_median(single, 'wall'):.2f} | {_median(single, 'cpu'):.2f} | "
        f"{_median(single, 'load'):.2f} | "
        + " | ".join(f"{statistics.median(r['timings'].get(k, 0) for r in single):.2f}" for k in steps)
        + " |",
    ]
    if conc:
        lines += [
            "",
            f"| {args.concurrent} townships at once | end to end s | CPU s (all) | versions | ok | "
            "each median s | each max s | load |",
            "|---|---|---|---|---|---|---|---|",
            f"| median | {_median(conc, 'wall'):.2f} | {_median(conc, 'cpu'):.2f} | "
            f"{_median(conc, 'versions'):.0f} | {_median(conc, 'ok'):.0f} | "
            f"{_median(conc, 'each_median'):.2f} | "
            f"{_median(conc, 'each_max'):.2f} | {_median(conc, 'load'):.2f} |",
        ]
    print("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps({"single": single, "concurrent": conc}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
