"""Server memory with N protocol sessions, and whether it comes back after they close
(issue 14 §3: 10 sessions at 100× grow the server by at most 300 MB, returned within a
minute of the sessions closing).

    .venv/bin/python -m benchmarks.settle --store DIR [--sessions 10] [--duration 30]
                                          [--after 120] [--sample 5] [--ttl S] [--json out.json]

One fresh `streamlit run app.py` on the store (benchmarks.browser.Server, this checkout's
app and .streamlit/config.toml); one session visits the five pages (the caches fill: the
cold round of benchmarks.protocol); then benchmarks.protocol's load — N sessions at once, each
clicking through the five pages and replaced when done, for --duration seconds; then, with
every session closed, the server's VmRSS every --sample seconds for --after seconds.
`--ttl S` starts the server with `server.disconnectedSessionTTL` = S (through the environment,
STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL) instead of the config file's value.

Reported (stderr, and --json): RSS at start, after the cold round ("before"), the peak under
load, at close, and after close at each sample; growth = peak − before; kept = RSS − before at
60 s after close and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks import browser, protocol


async def measure(
    store: Path, tmp: Path, n: int, duration: float, after: float, sample: float, timeout: float
) -> dict:
    with browser.Server(browser.APP, store, tmp / "streamlit-settle.log") as srv:
        out = {"sessions": n, "rss_start_mb": srv.rss_mb()}
        cold = await protocol.click_through(srv.url, protocol.PAGES, srv.pid)
        out["cold_ok"] = all(v["ok"] for v in cold)
        await asyncio.sleep(2)
        out["rss_before_mb"] = srv.rss_mb()
        browser.log(
            f"settle: start {out['rss_start_mb']:.0f} MB, after the cold round {out['rss_before_mb']:.0f} MB"
        )
        ld = await protocol.load(srv.url, srv.pid, n, duration, timeout)
        out["load"] = {
            k: ld[k]
            for k in (
                "n",
                "ok",
                "success",
                "p50_s",
                "p95_s",
                "views_per_s",
                "server_cpu_s",
                "rss_before_mb",
                "rss_peak_mb",
                "rss_open_mb",
                "errors",
            )
        }
        out["rss_peak_mb"] = max(ld["rss_peak_mb"], out["rss_before_mb"])
        closed = time.monotonic()
        curve = []
        while True:
            t = time.monotonic() - closed
            curve.append((round(t, 1), srv.rss_mb()))
            if t >= after:
                break
            await asyncio.sleep(min(sample, after - t))
        out["after_close"] = curve
        out["log_tail"] = srv.tail(10)
    before = out["rss_before_mb"]
    out["growth_mb"] = out["rss_peak_mb"] - before
    at60 = [r for t, r in curve if t >= 60]
    out["kept_60s_mb"] = (at60[0] - before) if at60 else None
    out["kept_end_mb"] = curve[-1][1] - before
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--duration", type=float, default=protocol.DURATION_S)
    ap.add_argument("--after", type=float, default=120.0)
    ap.add_argument("--sample", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=protocol.VIEW_TIMEOUT_S)
    ap.add_argument(
        "--ttl",
        type=float,
        default=None,
        help="server.disconnectedSessionTTL for the server (default: the config's)",
    )
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.ttl is not None:
        os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = f"{args.ttl:g}"
    with tempfile.TemporaryDirectory(prefix="dashboard-settle-") as tmp:
        res = asyncio.run(
            measure(
                args.store, Path(tmp), args.sessions, args.duration, args.after, args.sample, args.timeout
            )
        )
    res.update(ttl=args.ttl, loadavg=os.getloadavg(), when=time.strftime("%Y-%m-%d %H:%M:%S"))
    ld = res["load"]
    browser.log(
        f"settle: {args.sessions} sessions, {ld['ok']}/{ld['n']} views ok, p95 "
        f"{browser.fmt_s(ld['p95_s'])} s; RSS before {res['rss_before_mb']:.0f} MB, peak "
        f"{res['rss_peak_mb']:.0f} (+{res['growth_mb']:.0f}), after close "
        + ", ".join(f"{t:.0f}s {r:.0f}" for t, r in res["after_close"])
        + f"; kept at 60 s {res['kept_60s_mb'] if res['kept_60s_mb'] is None else round(res['kept_60s_mb'])}"
        f" MB, at the end {res['kept_end_mb']:.0f} MB"
    )
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, default=str), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
