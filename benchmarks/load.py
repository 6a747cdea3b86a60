"""Time a full load from the command line, as a user runs it (issue 10: reader cost).

    .venv/bin/python -m benchmarks.load [--scales 1,100] [--repeat 3] [--tmp /tmp] [--root DIR]
                                        [--before DIR] [--data CSV_DIR]

For each scale: `python -m dashboard demo --scale N --out TMP/csv` once, then `--repeat`
times `python -m dashboard --store TMP/storeK load TMP/csv` into an empty store, each in a
child process: wall time, CPU time and peak RSS of exactly that child (os.wait4). `--root`
runs the loader of another checkout (e.g. an older commit exported with `git archive`);
`--before DIR` times that checkout's loader too, alternating run by run with this one on
the same files, so a busy shared machine hits both alike (compare the CPU columns). Prints one
markdown table; the median wall time is the figure to compare (target: the forgiving
reader costs at most 1.3x the previous load).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], cwd: Path) -> tuple[float, float, float, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, proc.returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="1,100")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--root", default=str(ROOT), help="checkout whose loader is timed")
    ap.add_argument("--before", help="another checkout's loader, timed alternately with --root")
    ap.add_argument("--data", help="use this folder of CSV files instead of a demo (one scale)")
    args = ap.parse_args(argv)
    roots = [Path(args.root).resolve()]
    if args.before:
        roots = [Path(args.before).resolve()] + roots
    py = sys.executable
    rows = []
    for scale in [int(s) for s in args.scales.split(",") if s]:
        tmp = Path(tempfile.mkdtemp(prefix=f"loadbench-{scale}x-", dir=args.tmp))
        try:
            data = Path(args.data) if args.data else tmp / "csv"
            if not args.data:
                run([py, "-m", "dashboard", "demo", "--scale", str(scale), "--out", str(data)], ROOT)
            got = {r: ([], [], []) for r in roots}
            for k in range(args.repeat):
                for root in roots:
                    store = tmp / f"store{k}"
                    w, c, r, _ = run([py, "-m", "dashboard", "--store", str(store), "load", str(data)], root)
                    for lst, v in zip(got[root], (w, c, r), strict=False):
                        lst.append(v)
                    shutil.rmtree(store, ignore_errors=True)
                    print(
                        f"{scale}x {root.name} run {k + 1}: {w:.2f} s wall, {c:.2f} s CPU, {r:.0f} MB",
                        file=sys.stderr,
                    )
            for root in roots:
                walls, cpus, rss = got[root]
                rows.append(
                    (
                        scale,
                        root,
                        statistics.median(walls),
                        min(walls),
                        max(walls),
                        statistics.median(cpus),
                        max(rss),
                        os.getloadavg()[0],
                    )
                )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("| scale | loader | load s (median) | min–max s | CPU s (median) | peak RSS MB | load avg |")
    print("|---:|:--|---:|---:|---:|---:|---:|")
    for s, root, med, lo, hi, cpu, rss, la in rows:
        print(f"| {s}× | {root} | {med:.2f} | {lo:.2f}–{hi:.2f} | {cpu:.2f} | {rss:.0f} | {la:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
