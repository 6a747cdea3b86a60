"""The rectification ledger's speed (issue 20: the county at 1x <= 50 ms warm, 100x <= 1 s).

    .venv/bin/python -m benchmarks.ledger --store /tmp/ledger-store [--repeat 15] [--json out.json]

against a loaded store (e.g. `python -m dashboard --store S demo --out D --scale 100` then
`python -m dashboard --store S load D`). Measures, as of the latest week's reporting deadline:
cold (first call in the process: both queries and the items built), warm (the same call again:
the per-version caches hit; the notes file re-read only when it changed), warm per township,
and a warm call right after a note was added (the notes re-read). Median and max of the warm
calls; the load average beside them (the machine is usually shared).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

from dashboard import ledger, metrics
from dashboard.store import Store

TARGET_WARM_1X = 0.050
TARGET_WARM_100X = 1.0


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def run(store: Store, repeat: int) -> dict:
    con = store.connect()
    try:
        week = metrics.latest_week(con)
        towns = list(metrics.townships(con)["township_id"])
    finally:
        con.close()
    as_of = ledger.week_as_of(week)
    out = {"week": week.isoformat(), "version": store.current(), "load": os.getloadavg()[0]}
    out["cold_s"] = _timed(lambda: ledger.items(store, as_of=as_of))
    found = ledger.items(store, as_of=as_of)
    out["items"] = len(found)
    out["counts"] = ledger.counts(found)
    warm = [_timed(lambda: ledger.items(store, as_of=as_of)) for _ in range(repeat)]
    out["warm_median_s"], out["warm_max_s"] = statistics.median(warm), max(warm)
    per = [_timed(lambda t=t: ledger.items(store, as_of=as_of, township=t)) for t in towns]
    out["warm_township_max_s"] = max(per)
    # a note makes the next call re-read the notes file (a copy of the state: the store untouched)
    with tempfile.TemporaryDirectory() as state:
        s2 = Store(store.root, state=state)
        ledger.items(s2, as_of=as_of)
        key = next((i.key for i in found if i.status != "closed"), None)
        if key:
            ledger.add_note(state, key, "benchmark", "bench")
        out["after_note_s"] = _timed(lambda: ledger.items(s2, as_of=as_of))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json")
    args = ap.parse_args()
    result = run(Store(args.store), args.repeat)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    for k, v in result.items():
        print(f"{k}\t{round(v * 1000, 2)} ms" if k.endswith("_s") else f"{k}\t{v}")


if __name__ == "__main__":
    main()
