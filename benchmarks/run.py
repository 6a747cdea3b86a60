"""Measure the dashboard against its speed and memory targets (benchmarks/README.md).

    .venv/bin/python -m benchmarks.run [--scales 1,10,100] [--out benchmarks/results]
                                       [--no-browser] [--browser-repeat 5] [--sessions 10,30]
                                       [--only-protocol | --no-protocol]
                                       [--protocol-sessions 10,30,100] [--protocol-duration 30]

For each scale: generate the demo county (`python -m dashboard demo`) into a temporary folder
under /tmp, load it into a fresh store (`python -m dashboard --store TMP load DIR`) in a child
process whose wall time and peak RSS are measured; then, on read-only connections and each
against the same SQL run directly through DuckDB: `metrics.summary()` per scope (cold and
warm), the data calls of every page per page and scope (PAGE_DATA, as views/*.py make them
through `ui.data`; cold and warm), and each page data call on its own. Then, unless
--no-browser, the pages in headless Chromium against a blank Streamlit page and N concurrent
sessions against one server (benchmarks/browser.py); and, browser or not (unless
--no-protocol), N concurrent protocol sessions speaking Streamlit's websocket protocol to one
server process, the server's own capacity (benchmarks/protocol.py). --only-protocol runs only
the demo generation, the load and the protocol sessions. Writes `<out>/latest.{md,json}` (and a
timestamped copy), prints the tables, and removes the temporary folder. See
benchmarks/README.md for what each column means; the soak test is benchmarks.soak.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import duckdb

from benchmarks import browser, protocol
from dashboard import metrics, page_data, queries
from dashboard.store import Store

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024

# The project's targets (benchmarks/README.md). Scales missing from a mapping have no target (shown as "—").
TARGET_LOAD_S = {1: 3.0, 100: 60.0}
TARGET_LOAD_RSS_MB = {100: 2048.0}
TARGET_SUMMARY_WARM_S = {1: 0.050, 100: 1.0}
TARGET_OVERHEAD = 1.3  # our Python layer / the same SQL run directly, any scale


# The data each page asks `ui.data()` for, as the page declares it (dashboard/page_data.py, which
# the page reads and tests/test_page_data.py checks against what the page asks for), in order:
# (metrics function, keyword arguments, county scope only). APP_CALLS are made by app.py itself
# (ui.resolve_context and the sidebar) before every page. Calls a page makes only after a click
# (grid_history: a grid picked on the map) or only for an empty scope are left out (on_open).
def _declared(page: type) -> tuple:
    return tuple((d.fn, dict(d.kwargs), d.county_only) for d in page_data.calls(page) if d.on_open)


APP_CALLS = _declared(page_data.App)
PAGE_DATA = {page: _declared(cls) for page, cls in page_data.PAGES.items()}


def page_calls(page: str, township: str | None) -> list[tuple]:
    """The distinct data calls of `page` for a scope (a call made twice is cached by ui.data)."""
    out, seen = [], set()
    for fn, kwargs, county_only in APP_CALLS + PAGE_DATA[page]:
        key = (fn, tuple(sorted(kwargs.items())))
        if (county_only and township is not None) or key in seen:
            continue
        seen.add(key)
        out.append((fn, kwargs))
    return out


def data_call(store: Store | None, con, fn, week, township, kwargs: dict):
    """fn(con, scope, **kwargs), a metrics function, as ui.data(call, ctx, **kwargs) calls it
    (dashboard/ui/data.py), without Streamlit's cache; baseline_summary as ui.baseline does."""
    scope = metrics.Scope(week, township)
    if fn is metrics.baseline_summary:
        return metrics.baseline_summary(con, scope, store=store)
    return fn(con, scope, **kwargs)


def run_page(store: Store, con, page: str, week, township, times: dict | None = None):
    """Every data call of `page`, in order; per-call wall times into `times` when given."""
    for fn, kwargs in page_calls(page, township):
        t0 = time.perf_counter()
        data_call(store, con, fn, week, township, kwargs)
        if times is not None:
            times[fn.__name__] = time.perf_counter() - t0


def _county_call(fn, kwargs: dict):
    return lambda con, w: data_call(None, con, fn, w, None, kwargs)


# Every distinct page data call at county scope, name -> call(con, week) (also used by
# benchmarks.profile). baseline_summary is summary() of the previous week: not repeated here.
PAGE_CALLS = {}
for _page in PAGE_DATA:
    for _fn, _kwargs in page_calls(_page, None):
        if _fn.__name__ not in PAGE_CALLS and _fn not in (metrics.summary, metrics.baseline_summary):
            PAGE_CALLS[_fn.__name__] = _county_call(_fn, _kwargs)

PARAM = re.compile(r"\$([A-Za-z_]\w*)")
COPY_PREFIX = re.compile(r"^K\d{3}-")  # demo ids of county copies 2..N (dashboard/demo.py)


# ---------------------------------------------------------------- helpers
def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_child(cmd: list[str], cwd: Path = ROOT) -> dict:
    """Run a command, wait for it with wait4 and return its wall time, CPU time, peak RSS.

    ru_maxrss from wait4 is the peak resident set of that one child (kB on Linux), unlike
    RUSAGE_CHILDREN, which is the largest of every child waited for so far.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{stderr[-4000:]}")
    return {
        "wall_s": wall,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "peak_rss_mb": ru.ru_maxrss / 1024,
        "stdout": stdout,
    }


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB


def stats(times: list[float], cpu: list[float]) -> dict:
    """Wall-clock statistics, and the median CPU time of this process (all DuckDB threads):
    the CPU figure hardly moves when other processes load the machine, the wall figure does."""
    ts = sorted(times)
    return {
        "n": len(ts),
        "median_s": statistics.median(ts),
        "min_s": ts[0],
        "max_s": ts[-1],
        "p90_s": ts[min(len(ts) - 1, int(round(0.9 * (len(ts) - 1))))],
        "cpu_median_s": statistics.median(cpu),
    }


def timed_pair(layer, raw, repeat: int, budget_s: float, min_repeat: int = 3) -> tuple[dict, dict]:
    """Median timings of `layer()` and `raw()`, called alternately (so drift hits both alike)
    after one untimed warm-up call each; stops early once `budget_s` is spent."""
    layer()
    raw()
    lt, rt, lc, rc = [], [], [], []
    deadline = time.perf_counter() + budget_s
    clock, cpu = time.perf_counter, time.process_time
    while len(lt) < repeat:
        c0, t0 = cpu(), clock()
        layer()
        c1, t1 = cpu(), clock()
        raw()
        c2, t2 = cpu(), clock()
        lt.append(t1 - t0)
        rt.append(t2 - t1)
        lc.append(c1 - c0)
        rc.append(c2 - c1)
        if len(lt) >= min_repeat and t2 > deadline:
            break
    return stats(lt, lc), stats(rt, rc)


@contextlib.contextmanager
def recorded_queries():
    """Record every (query name, parameters) that dashboard.metrics runs through queries.run."""
    calls: list[tuple[str, dict]] = []
    original = queries.run

    def recorder(con, name, **params):
        calls.append((name, params))
        return original(con, name, **params)

    queries.run = recorder
    try:
        yield calls
    finally:
        queries.run = original


def _to_arrow(result):
    fetch = getattr(result, "to_arrow_table", None) or result.fetch_arrow_table
    with warnings.catch_warnings():
        # DuckDB 2.0 warns that Arrow from an execute() result copies the rows once; it is
        # still the cheapest way to materialise a result (cheaper than .df() or .fetchall()).
        warnings.simplefilter("ignore", UserWarning)
        return fetch()


def raw_runner(con: duckdb.DuckDBPyConnection, calls: list[tuple[str, dict]]):
    """A function running the recorded queries directly on `con`: the same SQL text and the same
    bound parameters, results fetched as Arrow tables (DuckDB's columnar result, no pandas)."""
    prepared = []
    for name, params in calls:
        text = queries.sql(name)
        names = set(PARAM.findall(text))
        prepared.append((name, text, {k: v for k, v in params.items() if k in names}))

    def run():
        return [_to_arrow(con.execute(text, p)) for _, text, p in prepared]

    return run, prepared


def capture(fn):
    with recorded_queries() as calls:
        result = fn()
    return result, calls


def ms(seconds) -> str:
    if seconds is None:
        return "—"
    v = seconds * 1000
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def cpu_ratio(entry: dict) -> str:
    """Warm CPU / raw CPU: the same ratio in CPU time, steadier on a loaded machine."""
    raw = entry["raw"].get("cpu_median_s")
    return f"{entry['warm']['cpu_median_s'] / raw:.2f}×" if raw else "—"


def fmt_ratio(value) -> str:
    return "—" if value is None else f"{value:.2f}×"


def met(value, target) -> str:
    if target is None or value is None:
        return "—"
    return "✅ yes" if value <= target else "❌ NO"


# ---------------------------------------------------------------- one scale
def bench_scale(scale: int, args, tmp: Path) -> dict:
    res: dict = {"scale": scale, "loadavg_start": os.getloadavg()}
    started = time.perf_counter()
    csv_dir, store_dir = tmp / "csv", tmp / "store"
    py = sys.executable

    log(f"{scale}×: generating demo data")
    gen = run_child([py, "-m", "dashboard", "demo", "--out", str(csv_dir), "--scale", str(scale)])
    rows = {}
    for line in gen["stdout"].splitlines():
        m = re.match(r"^(\w+): (\d+)$", line.strip())
        if m:
            rows[m[1]] = int(m[2])
    res["generate"] = {k: gen[k] for k in ("wall_s", "cpu_s", "peak_rss_mb")}
    res["rows"] = rows
    res["csv_mb"] = dir_mb(csv_dir)
    log(f"{scale}×: generated {res['csv_mb']:.0f} MB in {gen['wall_s']:.1f} s; loading")

    load = run_child(
        [py, "-m", "dashboard", "--store", str(store_dir), "load", str(csv_dir), "--by", "benchmark"]
    )
    res["load"] = {k: load[k] for k in ("wall_s", "cpu_s", "peak_rss_mb")}
    res["store_mb"] = dir_mb(store_dir / "versions")
    res["load"]["target_s"] = TARGET_LOAD_S.get(scale)
    res["load"]["target_rss_mb"] = TARGET_LOAD_RSS_MB.get(scale)
    log(f"{scale}×: loaded in {load['wall_s']:.1f} s, peak RSS {load['peak_rss_mb']:.0f} MB")
    missed = load["wall_s"] > (res["load"]["target_s"] or float("inf")) or load["peak_rss_mb"] > (
        res["load"]["target_rss_mb"] or float("inf")
    )
    if args.profile == "always" or (args.profile == "missed" and missed):
        log(f"{scale}×: profiling the load (benchmarks.profile load)")
        prof = run_child([py, "-m", "benchmarks.profile", "load", str(csv_dir)])
        res["load_profile"] = write_profile(args, f"profile-{scale}x-load.txt", prof["stdout"])
    # The CSV is not needed any more: free the disk before the query benchmarks.
    shutil.rmtree(csv_dir, ignore_errors=True)

    if args.only_protocol:
        res.update(summary=[], summary_queries=[], pages=[], page_data=[], browser=None)
        res["protocol"] = run_protocol(store_dir, scale, args, tmp)
        res["loadavg_end"] = os.getloadavg()
        res["wall_s"] = time.perf_counter() - started
        res["git_end"] = git_version()
        return res

    store = Store(store_dir)
    con = store.connect()
    try:
        week = metrics.latest_week(con)
        res["week"] = week.isoformat()
        tdf = metrics.townships(con)
        ids = [t for t in tdf["township_id"] if args.all_townships or not COPY_PREFIX.match(t)]
        res["townships_total"] = len(tdf)
        scopes = [None] + ids
        # Warm the process (imports, SQL file cache, OS page cache) so that "cold" below means
        # a cold DuckDB connection, not a cold Python interpreter.
        metrics.summary(con, metrics.Scope(week))
    finally:
        con.close()

    target = TARGET_SUMMARY_WARM_S.get(scale)
    res["summary"] = []
    for township in scopes:
        entry = {"township": township, "target_s": target}
        t0 = time.perf_counter()
        fresh = store.connect()
        t1 = time.perf_counter()
        metrics.summary(fresh, metrics.Scope(week, township))
        t2 = time.perf_counter()
        fresh.close()
        entry["connect_s"], entry["cold_s"] = t1 - t0, t2 - t1
        res["summary"].append(entry)

    con = store.connect()
    try:
        for entry in res["summary"]:
            township = entry["township"]
            scope = metrics.Scope(week, township)
            _, calls = capture(lambda scope=scope: metrics.summary(con, scope))
            raw, prepared = raw_runner(con, calls)
            layer_st, raw_st = timed_pair(
                lambda scope=scope: metrics.summary(con, scope), raw, args.repeat, args.budget
            )
            entry.update(
                warm=layer_st,
                raw=raw_st,
                queries=[n for n, _, _ in prepared],
                ratio=layer_st["median_s"] / raw_st["median_s"],
            )
            log(
                f"{scale}×: summary {township or 'county'}: warm {ms(layer_st['median_s'])} ms, "
                f"raw {ms(raw_st['median_s'])} ms"
            )

        # Each query of the county summary on its own (where the time goes).
        _, calls = capture(lambda: metrics.summary(con, metrics.Scope(week)))
        res["summary_queries"] = []
        for name, params in calls:
            raw, prepared = raw_runner(con, [(name, params)])
            n_rows = raw()[0].num_rows
            one = lambda name=name, params=params: queries.run(con, name, **params)  # noqa: E731
            layer_st, raw_st = timed_pair(one, raw, args.repeat, args.budget)
            res["summary_queries"].append(
                {
                    "query": name,
                    "rows": n_rows,
                    "warm": layer_st,
                    "raw": raw_st,
                    "ratio": layer_st["median_s"] / raw_st["median_s"],
                }
            )

        res["pages"] = []
        for name, call in PAGE_CALLS.items():
            out, calls = capture(lambda call=call: call(con, week))
            raw, prepared = raw_runner(con, calls)
            layer_st, raw_st = timed_pair(lambda call=call: call(con, week), raw, args.repeat, args.budget)
            res["pages"].append(
                {
                    "call": name,
                    "rows": result_rows(out),
                    "warm": layer_st,
                    "raw": raw_st,
                    "queries": [n for n, _, _ in prepared],
                    "ratio": ratio(layer_st, raw_st),
                }
            )
            log(f"{scale}×: {name}: warm {ms(layer_st['median_s'])} ms, raw {ms(raw_st['median_s'])} ms")
    finally:
        con.close()

    res["page_data"] = bench_page_data(store, week, scopes, args, scale)
    slow = [
        e
        for e in res["summary"]
        if e["warm"]["median_s"] > (e["target_s"] or float("inf")) or e["ratio"] > TARGET_OVERHEAD
    ] + [p for p in res["pages"] + res["page_data"] if (p["ratio"] or 0) > TARGET_OVERHEAD]
    if args.profile == "always" or (args.profile == "missed" and slow):
        log(f"{scale}×: profiling the queries (benchmarks.profile queries)")
        prof = run_child([py, "-m", "benchmarks.profile", "queries", str(store_dir)])
        res["query_profile"] = write_profile(args, f"profile-{scale}x-queries.txt", prof["stdout"])
    if args.no_browser:
        res["browser"] = None
    else:
        log(f"{scale}×: browser page timing (benchmarks.browser)")
        try:
            res["browser"] = browser.run(store_dir, scale, args, tmp)
        except Exception as e:  # keep the other results; the verdict says it failed
            log(f"{scale}×: browser benchmark failed: {e!r}")
            res["browser"] = {"error": f"{type(e).__name__}: {e}"}
    res["protocol"] = run_protocol(store_dir, scale, args, tmp)
    res["loadavg_end"] = os.getloadavg()
    res["wall_s"] = time.perf_counter() - started
    res["git_end"] = git_version()  # a commit during the run mixes two versions
    return res


def run_protocol(store_dir: Path, scale: int, args, tmp: Path) -> dict | None:
    """The protocol sessions (benchmarks/protocol.py), unless --no-protocol or no N given."""
    if args.no_protocol or not args.protocol_sessions:
        return None
    log(f"{scale}×: server capacity, protocol sessions (benchmarks.protocol)")
    try:
        return protocol.run(store_dir, scale, args, tmp)
    except Exception as e:  # keep the other results; the verdict says it failed
        log(f"{scale}×: protocol sessions failed: {e!r}")
        return {"error": f"{type(e).__name__}: {e}"}


def bench_page_data(store: Store, week, scopes: list, args, scale: int) -> list[dict]:
    """Every page's data calls (PAGE_DATA) per scope at `week`: cold (the first calls on a fresh
    read-only connection; the raw SQL likewise on another fresh one) and warm (median of
    alternating layer / raw rounds on one connection), each against the raw SQL."""
    out = []
    repeat = max(3, args.repeat // 2)
    for page in PAGE_DATA:
        for township in scopes:
            entry = {"page": page, "township": township, "target_s": None}
            cold_con = store.connect()
            try:
                per_call: dict = {}
                t0 = time.perf_counter()
                _, calls = capture(
                    lambda c=cold_con, p=page, t=township, pc=per_call: run_page(store, c, p, week, t, pc)
                )
                entry["cold_s"] = time.perf_counter() - t0
                entry["cold_calls_s"] = per_call
            finally:
                cold_con.close()
            raw_con = store.connect()
            try:
                raw, _ = raw_runner(raw_con, calls)
                t0 = time.perf_counter()
                raw()
                entry["cold_raw_s"] = time.perf_counter() - t0
            finally:
                raw_con.close()
            con = store.connect()
            try:
                raw, prepared = raw_runner(con, calls)
                layer_st, raw_st = timed_pair(
                    lambda c=con, p=page, t=township: run_page(store, c, p, week, t),
                    raw,
                    repeat,
                    args.page_budget,
                )
            finally:
                con.close()
            entry.update(
                warm=layer_st,
                raw=raw_st,
                n_calls=len(page_calls(page, township)),
                n_queries=len(prepared),
                ratio=ratio(layer_st, raw_st),
                cold_ratio=(entry["cold_s"] / entry["cold_raw_s"] if entry["cold_raw_s"] > 1e-6 else None),
            )
            out.append(entry)
            log(
                f"{scale}×: page data {page} {township or 'county'}: cold {ms(entry['cold_s'])} ms,"
                f" warm {ms(layer_st['median_s'])} ms, raw {ms(raw_st['median_s'])} ms"
            )
    return out


def ratio(layer_st: dict, raw_st: dict) -> float | None:
    """warm / raw; None when the call ran no SQL (nothing to compare with)."""
    return layer_st["median_s"] / raw_st["median_s"] if raw_st["median_s"] > 1e-6 else None


def result_rows(value):
    return len(value) if hasattr(value, "__len__") and not isinstance(value, dict) else None


def write_profile(args, name: str, text: str) -> str:
    path = Path(args.out) / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------- report
def verdicts(results: list[dict]) -> list[str]:
    """Every target missed, as one line each."""
    misses = []
    for r in results:
        s, ld = r["scale"], r["load"]
        if ld["target_s"] is not None and ld["wall_s"] > ld["target_s"]:
            misses.append(f"{s}×: load {ld['wall_s']:.1f} s > {ld['target_s']:g} s")
        if ld["target_rss_mb"] is not None and ld["peak_rss_mb"] > ld["target_rss_mb"]:
            misses.append(f"{s}×: load peak RSS {ld['peak_rss_mb']:.0f} MB > {ld['target_rss_mb']:.0f} MB")
        for e in r["summary"]:
            scope = e["township"] or "county"
            if e["target_s"] is not None and e["warm"]["median_s"] > e["target_s"]:
                misses.append(
                    f"{s}×: summary({scope}) warm {ms(e['warm']['median_s'])} ms > {ms(e['target_s'])} ms"
                )
            if e["ratio"] > TARGET_OVERHEAD:
                misses.append(f"{s}×: summary({scope}) overhead {e['ratio']:.2f}× > {TARGET_OVERHEAD}×")
        for p in r["pages"]:
            if (p["ratio"] or 0) > TARGET_OVERHEAD:
                misses.append(f"{s}×: {p['call']} overhead {p['ratio']:.2f}× > {TARGET_OVERHEAD}×")
        for p in r.get("page_data", []):
            if (p["ratio"] or 0) > TARGET_OVERHEAD:
                misses.append(
                    f"{s}×: {p['page']} page data ({p['township'] or 'county'}) "
                    f"overhead {p['ratio']:.2f}× > {TARGET_OVERHEAD}×"
                )
        if r.get("browser"):
            misses += [f"{s}×: {m}" for m in browser.verdicts(r["browser"], s)]
        if r.get("protocol"):
            misses += [f"{s}×: {m}" for m in protocol.verdicts(r["protocol"], s)]
    return misses


def markdown(results: list[dict], meta: dict) -> str:
    L = [
        "# Benchmark results",
        "",
        f"{meta['when']} · git {meta['git']} · DuckDB {meta['duckdb']} · Python {meta['python']}"
        f" · {meta['cpus']} CPUs, {meta['mem_gb']:.0f} GB · repeat {meta['repeat']},"
        f" budget {meta['budget']:g} s per measurement ({meta.get('page_budget', 0):g} s per"
        f" page and scope) · browser: "
        + (
            f"{meta.get('browser_repeat')} warm visits per page, sessions "
            f"{', '.join(map(str, meta.get('sessions') or [])) or 'none'}"
            if meta.get("browser", True)
            else "skipped (--no-browser)"
        )
        + " · protocol sessions: "
        + (
            f"{', '.join(map(str, meta.get('protocol_sessions') or []))} for "
            f"{meta.get('protocol_duration', 0):g} s each"
            if meta.get("protocol_sessions")
            else "skipped"
        )
        + (
            " · only the load and the protocol sessions (--only-protocol)"
            if meta.get("only_protocol")
            else ""
        )
        + " · 1-minute load average at start → end of each scale, and its wall time: "
        + ", ".join(
            f"{r['scale']}× {r['loadavg_start'][0]:.1f} → "
            f"{r.get('loadavg_end', (0,))[0]:.1f} ({r.get('wall_s', 0) / 60:.1f} min)"
            for r in results
        ),
        "",
        *[
            f"⚠ {r['scale']}×: the checkout moved to {r['git_end']} during this scale (started"
            f" at {meta['git']}): its figures mix two versions of the code; servers import"
            f" dashboard/ once but re-read views/ on every run.\n"
            for r in results
            if r.get("git_end") and r["git_end"].split("+")[0] != meta["git"].split("+")[0]
        ],
        "## Demo generation and full load",
        "",
        "| scale | CSV MB | rows | generate s | load s | load CPU s | target | met "
        "| load peak RSS MB | target | met | store MB |",
        "|---:|---:|---:|---:|---:|---:|---:|:--|---:|---:|:--|---:|",
    ]
    for r in results:
        ld = r["load"]
        L.append(
            f"| {r['scale']}× | {r['csv_mb']:.0f} | {sum(r['rows'].values()):,} | "
            f"{r['generate']['wall_s']:.1f} | {ld['wall_s']:.2f} | {ld['cpu_s']:.2f} | "
            f"{'—' if ld['target_s'] is None else '≤ {:g}'.format(ld['target_s'])} | "
            f"{met(ld['wall_s'], ld['target_s'])} | {ld['peak_rss_mb']:.0f} | "
            f"{'—' if ld['target_rss_mb'] is None else '≤ {:.0f}'.format(ld['target_rss_mb'])} | "
            f"{met(ld['peak_rss_mb'], ld['target_rss_mb'])} | {r['store_mb']:.0f} |"
        )
    queries_from = len(L)
    L += [
        "",
        "## `summary(con, week, township)` at the latest week",
        "",
        "Cold: first call on a fresh read-only connection. Warm: median of repeated calls on one"
        " connection. Raw: the same queries (same SQL text and parameters) run directly"
        " through DuckDB, fetched as Arrow. Ratio = warm / raw (wall, judged); CPU ratio = the same"
        " in CPU time of the process (for reading a run on a loaded machine).",
        "",
        "| scale | scope | cold ms | warm ms (median) | warm p90 ms | warm CPU ms | target | met "
        "| raw DuckDB ms | ratio | ≤ 1.3× | CPU ratio |",
        "|---:|:--|---:|---:|---:|---:|---:|:--|---:|---:|:--|---:|",
    ]
    for r in results:
        for e in r["summary"]:
            w = e["warm"]
            L.append(
                f"| {r['scale']}× | {e['township'] or 'county'} | {ms(e['cold_s'])} | "
                f"{ms(w['median_s'])} | {ms(w['p90_s'])} | {ms(w['cpu_median_s'])} | "
                f"{'—' if e['target_s'] is None else '≤ ' + ms(e['target_s'])} | "
                f"{met(w['median_s'], e['target_s'])} | {ms(e['raw']['median_s'])} | "
                f"{e['ratio']:.2f}× | {met(e['ratio'], TARGET_OVERHEAD)} | {cpu_ratio(e)} |"
            )
    L += [
        "",
        "## Page data, per page and scope, at the latest week",
        "",
        "Every `ui.data()` call a page makes when it opens (app.py's own `townships` and"
        " `available_weeks` included; see PAGE_DATA in benchmarks/run.py), in order, without"
        " Streamlit's cache. Cold: all of them on a fresh read-only connection (raw: the same"
        " SQL on another fresh one). Warm: median of rounds on one connection, alternating with"
        " the raw SQL. The ratio target ≤ 1.3× applies to warm; `summary()` alone has its own"
        " target above.",
        "",
        "| scale | page | scope | calls | queries | cold ms | cold raw ms | cold ratio "
        "| warm ms | warm CPU ms | raw DuckDB ms | ratio | ≤ 1.3× | slowest cold call |",
        "|---:|:--|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--|:--|",
    ]
    for r in results:
        for p in r.get("page_data", []):
            slow = max(p["cold_calls_s"].items(), key=lambda kv: kv[1], default=(None, None))
            L.append(
                f"| {r['scale']}× | {p['page']} | {p['township'] or 'county'} | "
                f"{p['n_calls']} | {p['n_queries']} | {ms(p['cold_s'])} | "
                f"{ms(p['cold_raw_s'])} | {fmt_ratio(p['cold_ratio'])} | "
                f"{ms(p['warm']['median_s'])} | {ms(p['warm']['cpu_median_s'])} | "
                f"{ms(p['raw']['median_s'])} | {fmt_ratio(p['ratio'])} | "
                f"{met(p['ratio'], TARGET_OVERHEAD)} | "
                f"{slow[0] or '—'} {ms(slow[1]) if slow[1] is not None else ''} |"
            )
    L += [
        "",
        "## Page data calls, each on its own, county scope, warm",
        "",
        "Every distinct call of the pages above at county scope. No absolute target for"
        " a call on its own (the page target is end-to-end in a browser, below); the overhead target"
        " ≤ 1.3× raw DuckDB applies.",
        "",
        "| scale | call | rows | warm ms (median) | warm CPU ms | raw DuckDB ms | ratio | ≤ 1.3× "
        "| CPU ratio | queries |",
        "|---:|:--|---:|---:|---:|---:|---:|:--|---:|:--|",
    ]
    for r in results:
        for p in r["pages"]:
            rows = "—" if p["rows"] is None else f"{p['rows']:,}"
            L.append(
                f"| {r['scale']}× | {p['call']} | {rows} | {ms(p['warm']['median_s'])}"
                f" | {ms(p['warm']['cpu_median_s'])} | {ms(p['raw']['median_s'])} | "
                f"{fmt_ratio(p['ratio'])} | "
                f"{met(p['ratio'], TARGET_OVERHEAD)} | {cpu_ratio(p)} | {', '.join(p['queries'])} |"
            )
    L += [
        "",
        "## The queries of the county `summary()`, each on its own (warm)",
        "",
        "| scale | query | rows | `queries.run` ms | raw DuckDB ms | ratio |",
        "|---:|:--|---:|---:|---:|---:|",
    ]
    for r in results:
        for q in r["summary_queries"]:
            L.append(
                f"| {r['scale']}× | {q['query']} | {q['rows']:,} | {ms(q['warm']['median_s'])}"
                f" | {ms(q['raw']['median_s'])} | {q['ratio']:.2f}× |"
            )
    if not any(r["summary"] for r in results):
        del L[queries_from:]  # --only-protocol: no query benchmarks, no empty tables
    if any(r.get("browser") for r in results):
        L += browser.markdown(results)
    L += protocol.markdown(results)
    misses = verdicts(results)
    L += ["", "## Verdict", ""]
    L += [f"- ❌ {m}" for m in misses] if misses else ["All measured targets met."]
    return "\n".join(L) + "\n"


def git_version() -> str:
    try:
        git = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True, capture_output=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, text=True, capture_output=True
        ).stdout.strip()
        return git + ("+dirty" if dirty else "")
    except OSError:
        return "?"


def meta(args) -> dict:
    git = git_version()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "git": git,
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "mem_gb": mem,
        "repeat": args.repeat,
        "budget": args.budget,
        "page_budget": args.page_budget,
        "scales": args.scales,
        "browser": not args.no_browser,
        "browser_repeat": args.browser_repeat,
        "sessions": args.sessions,
        "only_protocol": args.only_protocol,
        "protocol_sessions": [] if args.no_protocol else args.protocol_sessions,
        "protocol_duration": args.protocol_duration,
    }


# ---------------------------------------------------------------- main
def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--scales", default="1,10,100", help="comma-separated demo scales (default 1,10,100)")
    ap.add_argument(
        "--out",
        default=str(ROOT / "benchmarks" / "results"),
        help="folder for latest.md / latest.json (default benchmarks/results)",
    )
    ap.add_argument("--repeat", type=int, default=15, help="warm calls timed per measurement (default 15)")
    ap.add_argument(
        "--budget",
        type=float,
        default=5.0,
        help="seconds after which a measurement stops repeating, once it has 3 samples (default 5)",
    )
    ap.add_argument(
        "--page-budget",
        type=float,
        default=2.0,
        help="like --budget, for each page's data calls per scope (default 2); "
        "those take max(3, repeat / 2) rounds at most",
    )
    ap.add_argument(
        "--no-browser",
        action="store_true",
        help="skip the browser page timing and the concurrent sessions (benchmarks.browser)",
    )
    ap.add_argument(
        "--browser-repeat", type=int, default=5, help="warm visits per page in the browser (default 5)"
    )
    ap.add_argument(
        "--sessions",
        default="10,30",
        help="concurrent browser sessions against one server, comma-separated (default 10,30; empty to skip)",
    )
    ap.add_argument(
        "--only-protocol",
        action="store_true",
        help="per scale, only generate, load and run the protocol sessions "
        "(benchmarks.protocol): no query benchmarks, no browser",
    )
    ap.add_argument(
        "--no-protocol",
        action="store_true",
        help="skip the protocol sessions (--no-browser does not skip them)",
    )
    protocol.add_arguments(ap)
    ap.add_argument(
        "--all-townships",
        action="store_true",
        help="time summary() for every township of every county copy, not only the six of copy 1",
    )
    ap.add_argument("--tmp", default="/tmp", help="where the temporary folders go (default /tmp)")
    ap.add_argument(
        "--profile",
        choices=("never", "missed", "always"),
        default="never",
        help="write profile-<scale>x-{load,queries}.txt next to the results with "
        "benchmarks.profile: never (default), when a target is missed, always",
    )
    args = ap.parse_args(argv)
    try:
        args.scales = [int(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        ap.error("--scales must be comma-separated integers")
    if not args.scales or min(args.scales) < 1:
        ap.error("--scales must be at least 1")
    try:
        args.sessions = [int(n) for n in args.sessions.split(",") if n.strip()]
    except ValueError:
        ap.error("--sessions must be comma-separated integers")
    try:
        args.protocol_sessions = protocol.parse_sessions(args.protocol_sessions)
    except ValueError:
        ap.error("--protocol-sessions must be comma-separated integers")
    if args.only_protocol:
        args.no_browser = True
        if args.no_protocol:
            ap.error("--only-protocol and --no-protocol exclude each other")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    # A TERM (e.g. `kill`) must still run the finally blocks that remove the temp folders.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    info = meta(args)
    results = []
    for scale in args.scales:
        tmp = Path(tempfile.mkdtemp(prefix=f"dashboard-bench-{scale}x-", dir=args.tmp))
        try:
            results.append(bench_scale(scale, args, tmp))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        # Write after every scale, so a long run leaves something if interrupted.
        write(out, info, results)
    md = write(out, info, results)
    print(md)
    return 0


def write(out: Path, info: dict, results: list[dict]) -> str:
    md = markdown(results, info)
    doc = {
        "meta": info,
        "targets": {
            "load_s": TARGET_LOAD_S,
            "load_peak_rss_mb": TARGET_LOAD_RSS_MB,
            "summary_warm_s": TARGET_SUMMARY_WARM_S,
            "overhead_ratio": TARGET_OVERHEAD,
            "page_warm_ratio": browser.TARGET_WARM_RATIO,
            "page_websocket_mb": browser.TARGET_WS_MB,
            "sessions_success": browser.TARGET_SUCCESS,
            "sessions_p95_s": browser.TARGET_P95_S,
            "sessions_rss_growth_mb": browser.TARGET_RSS_GROWTH_MB,
            "protocol_success": browser.TARGET_SUCCESS,
            "protocol_p95_s": browser.TARGET_P95_S,
            "protocol_rss_growth_mb": browser.TARGET_RSS_GROWTH_MB,
        },
        "results": results,
        "misses": verdicts(results),
    }
    stamp = info["when"].replace(":", "").replace("-", "")[:15]
    for name in ("latest", f"results-{stamp}"):
        (out / f"{name}.md").write_text(md, encoding="utf-8")
        (out / f"{name}.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    return md


if __name__ == "__main__":
    sys.exit(main())
