"""Soak: one server process under a steady stream of browser sessions for a while; does its
memory level off?

    .venv/bin/python -m benchmarks.soak [--minutes 30] [--sessions K] [--store DIR | --scale N]
                                       [--sample 20] [--out benchmarks/results]

Starts `streamlit run app.py` on the store (`--store DIR`, or the demo county at `--scale N`
generated and loaded into a temporary folder under /tmp, default 1×), warms it with one visit
of each page, then for `--minutes` keeps K sessions going: each of K workers opens a page
(cycling overview, grids, branches, training, checkpoints) in a new browser context, waits
until it is drawn (benchmarks/pagewait.py), closes the context and starts the next. Every
`--sample` seconds it records the server's RSS (VmRSS of the process and its children), the
sessions done and failed, and the page times of that interval. Stops by itself at the end
(sessions still open are awaited, at most one visit timeout) and writes
`<out>/soak-latest.{md,json}` (and a timestamped copy).

Plateau rule: the run plateaus when (a) the highest RSS of its last third exceeds the highest
RSS of the first two thirds by at most PLATEAU_MB (20 MB) — a leak keeps setting new highs,
while a cache filling up or the allocator settling does not after the first part of the run —
and (b) the least-squares slope of RSS over the last third is at most PLATEAU_SLOPE (1 MB per
minute, 60 MB an hour). A run with failed visits does not pass either.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import browser

ROOT = Path(__file__).resolve().parent.parent
PLATEAU_MB = 20.0
PLATEAU_SLOPE = 1.0  # MB per minute over the last third


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def make_store(scale: int, tmp: Path) -> Path:
    py = sys.executable
    log(f"generating and loading the demo county at {scale}×")
    for cmd in (
        [py, "-m", "dashboard", "demo", "--out", str(tmp / "csv"), "--scale", str(scale)],
        [py, "-m", "dashboard", "--store", str(tmp / "store"), "load", str(tmp / "csv"), "--by", "soak"],
    ):
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    shutil.rmtree(tmp / "csv", ignore_errors=True)
    return tmp / "store"


async def soak(store: Path, tmp: Path, minutes: float, sessions: int, sample_s: float) -> dict:
    from playwright.async_api import async_playwright

    samples, visits = [], []
    async with async_playwright() as pw:
        b = await browser.launch(pw)
        try:
            with browser.Server(browser.APP, store, tmp / "streamlit-soak.log") as srv:
                ctx = await browser.new_context(b)
                for page in browser.SESSION_PAGES:  # warm the server's caches
                    await browser.visit(ctx, srv.url, page)
                await ctx.close()
                t0 = time.monotonic()
                deadline = t0 + minutes * 60
                cpu0 = srv.cpu_s()
                counter = iter(range(10**9))

                async def worker():
                    while time.monotonic() < deadline:
                        i = next(counter)
                        page = browser.SESSION_PAGES[i % len(browser.SESSION_PAGES)]
                        c = await browser.new_context(b)
                        try:
                            v = await browser.visit(c, srv.url, page)
                        finally:
                            await c.close()
                        v["t"] = time.monotonic() - t0
                        visits.append({k: v.get(k) for k in ("page", "ok", "s", "t", "error")})

                def take(final: bool = False) -> None:
                    t = time.monotonic() - t0
                    prev_t = samples[-1]["t_s"] if samples else 0.0
                    recent = [v["s"] for v in visits if v["ok"] and prev_t < v["t"] <= t]
                    samples.append(
                        {
                            "t_s": t,
                            "rss_mb": srv.rss_mb(),
                            "cpu_s": srv.cpu_s() - cpu0,
                            "done": sum(v["ok"] for v in visits),
                            "errors": sum(not v["ok"] for v in visits),
                            "p50_s": statistics.median(recent) if recent else None,
                            "max_s": max(recent, default=None),
                            "loadavg": os.getloadavg()[0],
                            "final": final,
                        }
                    )
                    s = samples[-1]
                    log(
                        f"soak {t / 60:5.1f} min: RSS {s['rss_mb']:.0f} MB, {s['done']} done, "
                        f"{s['errors']} errors, p50 {browser.fmt_s(s['p50_s'])} s, "
                        f"load {s['loadavg']:.1f}"
                    )

                take()
                tasks = [asyncio.create_task(worker()) for _ in range(sessions)]
                while time.monotonic() < deadline:
                    await asyncio.sleep(min(sample_s, max(0.0, deadline - time.monotonic())))
                    if time.monotonic() < deadline - 1:
                        take()
                await asyncio.gather(*tasks)
                take(final=True)
                log_tail = srv.tail(30) if any(not v["ok"] for v in visits) else None
        finally:
            await b.close()
    return {"samples": samples, "visits": visits, "log_tail": log_tail}


def plateau(samples: list[dict]) -> dict:
    """The plateau rule of the module docstring, on the samples after the start."""
    pts = [(s["t_s"], s["rss_mb"]) for s in samples]
    if len(pts) < 4:
        return {"ok": None, "reason": "fewer than 4 samples"}
    end = pts[-1][0]
    early = [r for t, r in pts if t <= end * 2 / 3]
    late = [(t, r) for t, r in pts if t > end * 2 / 3]
    if not early or len(late) < 2:
        return {"ok": None, "reason": "too few samples in a third"}
    growth = max(r for _, r in late) - max(early)
    mt = statistics.mean(t for t, _ in late)
    mr = statistics.mean(r for _, r in late)
    var = sum((t - mt) ** 2 for t, _ in late)
    slope = sum((t - mt) * (r - mr) for t, r in late) / var * 60 if var else 0.0
    return {
        "ok": growth <= PLATEAU_MB and slope <= PLATEAU_SLOPE,
        "late_growth_mb": growth,
        "slope_mb_per_min": slope,
        "bound_mb": PLATEAU_MB,
        "bound_slope_mb_per_min": PLATEAU_SLOPE,
    }


def markdown(doc: dict) -> str:
    m, samples, pl = doc["meta"], doc["samples"], doc["plateau"]
    visits = doc["visits"]
    ok = [v["s"] for v in visits if v["ok"]]
    errors = [v for v in visits if not v["ok"]]
    L = [
        "# Soak: one server, sessions opening and closing pages",
        "",
        f"{m['when']} · git {m['git']} · store {m['store']} · {m['minutes']:g} min · "
        f"{m['sessions']} sessions at a time · sample every {m['sample_s']:g} s · "
        f"{m['cpus']} CPUs · load average at start {m['loadavg_start'][0]:.1f}, "
        f"at end {m['loadavg_end'][0]:.1f}",
        "",
        f"Visits: {len(visits)}, {len(ok)} drawn, {len(errors)} failed; page time p50 "
        f"{browser.fmt_s(statistics.median(ok) if ok else None)} s, p95 "
        f"{browser.fmt_s(browser._pct(ok, 0.95))} s.",
        "",
        "| min | RSS MB | server CPU s | sessions done | errors | p50 s (interval) "
        "| max s (interval) | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in samples:
        L.append(
            f"| {s['t_s'] / 60:.1f}{' (end)' if s['final'] else ''} | {s['rss_mb']:.0f} | "
            f"{s['cpu_s']:.0f} | {s['done']} | {s['errors']} | {browser.fmt_s(s['p50_s'])} | "
            f"{browser.fmt_s(s['max_s'])} | {s['loadavg']:.1f} |"
        )
    L += [
        "",
        "## Verdict",
        "",
        f"Rule: plateau when the highest RSS of the last third of the run exceeds the highest"
        f" of the first two thirds by at most {PLATEAU_MB:g} MB and RSS rises by at most"
        f" {PLATEAU_SLOPE:g} MB/min over the last third (least squares); no failed visit.",
        "",
    ]
    if pl["ok"] is None:
        L.append(f"- ❔ plateau not judged: {pl['reason']}")
    else:
        n = max(1, sum(v["ok"] for v in visits))
        L.append(
            f"- {'✅ plateau' if pl['ok'] else '❌ no plateau'}: new high in the last third "
            f"{pl['late_growth_mb']:+.1f} MB (≤ {PLATEAU_MB:g}), slope there "
            f"{pl['slope_mb_per_min']:+.2f} MB/min (≤ {PLATEAU_SLOPE:g}); RSS "
            f"{samples[0]['rss_mb']:.0f} → {samples[-1]['rss_mb']:.0f} MB over the run "
            f"({(samples[-1]['rss_mb'] - samples[0]['rss_mb']) / n:+.2f} MB per visit)"
        )
    if errors:
        kinds = sorted({v["error"] or "?" for v in errors})
        L.append(f"- ❌ {len(errors)} visits failed: {'; '.join(kinds)}")
    else:
        L.append("- ✅ no failed visit")
    return "\n".join(L) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--minutes", type=float, default=30.0, help="how long (default 30)")
    ap.add_argument("--sessions", type=int, default=3, help="sessions open at a time (default 3)")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--store", help="serve this store (read only)")
    where.add_argument(
        "--scale",
        type=int,
        default=1,
        help="else: the demo county at this scale, in a temp folder (default 1)",
    )
    ap.add_argument("--sample", type=float, default=20.0, help="seconds between RSS samples (default 20)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--tmp", default="/tmp")
    args = ap.parse_args(argv)
    if args.minutes <= 0 or args.sessions < 1 or args.sample <= 0:
        ap.error("--minutes, --sessions and --sample must be positive")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from benchmarks.run import git_version

    tmp = Path(tempfile.mkdtemp(prefix="dashboard-soak-", dir=args.tmp))
    try:
        store = Path(args.store) if args.store else make_store(args.scale, tmp)
        info = {
            "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "git": git_version(),
            "store": str(store) if args.store else f"demo {args.scale}×",
            "minutes": args.minutes,
            "sessions": args.sessions,
            "sample_s": args.sample,
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg(),
        }
        log(f"soak: {args.minutes:g} min, {args.sessions} sessions, store {info['store']}")
        res = asyncio.run(soak(store, tmp, args.minutes, args.sessions, args.sample))
        info["loadavg_end"] = os.getloadavg()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    doc = {
        "meta": info,
        "plateau_rule_mb": PLATEAU_MB,
        "plateau_rule_slope": PLATEAU_SLOPE,
        **res,
        "plateau": plateau(res["samples"]),
    }
    md = markdown(doc)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = info["when"].replace(":", "").replace("-", "")[:15]
    for name in ("soak-latest", f"soak-{stamp}"):
        (out / f"{name}.md").write_text(md, encoding="utf-8")
        (out / f"{name}.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    print(md)
    errors = any(not v["ok"] for v in res["visits"])
    return 0 if doc["plateau"]["ok"] is not False and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
