"""Server capacity without a browser: N concurrent *protocol* sessions against one server
process (the targets: benchmarks/README.md). Called by benchmarks.run for each scale (the browser is not
needed: --no-browser keeps it, --only-protocol runs nothing else, --no-protocol skips it);
also on its own against an existing store:

    .venv/bin/python -m benchmarks.protocol --store /tmp/p1/store [--sessions 10,30,100]
                                            [--duration 30] [--json out.json]

A protocol session is what one browser tab does to the server, without drawing anything:
the HTTP requests of a tab whose static files are cached (`/`, `/_stcore/health`,
`/_stcore/host-config`), then the websocket `ws://127.0.0.1:PORT/_stcore/stream` with the
frontend's subprotocols (`streamlit`, then the XSRF token or the frontend's placeholder
`PLACEHOLDER_AUTH_TOKEN`), and on it the BackMsgs the frontend sends (its `sendRerunBackMsg`
in streamlit/static): a `rerun_script` whose ClientState carries the query string, the page
name from the URL path ("" for `/`, "grids" for `/grids`, …), the browser's context (time
zone Asia/Shanghai, zh-CN) and the hashes of the messages it has cached; a click in the
navigation then sends `rerun_script` with the clicked page's `page_script_hash` (from the
`navigation` ForwardMsg) and the query string the server last set (`page_info_changed`).
Like the frontend's ForwardMsg cache it remembers cacheable messages for
`max_cached_message_age` runs and resolves `ref_hash` messages against them.

A page view lasts from sending `rerun_script` to the `script_finished` ForwardMsg of that
run with FINISHED_SUCCESSFULLY: the moment the page's data and elements have all been sent
(the browser would still have to draw them). It fails on an exception element (a Delta whose
new element is an `exception`), a compile error, `page_not_found`, a cache miss, a closed
socket, or no `script_finished` within the timeout.

For each N, on a freshly started `streamlit run app.py` (benchmarks.browser.Server):
- cold round: one session visits the five pages in turn on the fresh server (Streamlit's
  caches and the dashboard's `st.cache_data` empty); this is also the warm-up;
- (first N only) solo: one session clicks through the five pages `--protocol-rounds` times,
  alone on the warm server: wall time, server CPU and bytes per page view, per page — where
  a page view's server time goes; the same against the blank Streamlit page
  (benchmarks/blank_app.py) on its own server gives Streamlit's floor per run;
- load: N sessions start at once, each opening one of the five pages (session i at page
  i mod 5, like links shared around) and clicking through the other four without pause; a
  session that has seen all five closes and a new one takes its place ("new sessions keep
  arriving"), until `--protocol-duration` seconds have passed (page views in flight then
  finish, bounded by the timeout) or MAX_VIEWS page views were made. Reported: success rate,
  p50/p95/max per page view (all, and the burst of the N first views, which is what the
  browser concurrency test times), page views per second, server CPU seconds (utime + stime
  of the server and its children, /proc/PID/stat) and CPU per page view, server VmRSS before /
  peak (sampled every RSS_SAMPLE_S) / after the sessions closed, the load average, and this
  process's own CPU (the client shares the machine's cores with the server).

Nothing is requested from anywhere but 127.0.0.1 (the websocket client is told not to use a
proxy from the environment).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks import browser

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024

PAGES = browser.SESSION_PAGES  # overview, grids, branches, training, checkpoints
# The page name the frontend sends for a first load: the URL path relative to the app's base
# ("/" -> "", "/grids" -> "grids"); url_path of app.py's st.Page (overview is the default page).
URL_PAGE_NAME = {
    "overview": "",
    "grids": "grids",
    "branches": "branches",
    "training": "training",
    "checkpoints": "checkpoints",
}
BLANK = "blank"

SESSIONS = (10, 30, 100)
DURATION_S = 30.0  # load phase per N; views in flight at the end still finish
VIEW_TIMEOUT_S = 60.0  # a page view without script_finished by then failed
OPEN_TIMEOUT_S = 30.0  # HTTP requests + websocket handshake of a new session
MAX_VIEWS = 5000  # page views per N at most (the load phase stops there)
SOLO_ROUNDS = 3  # solo click-throughs of the five pages on the warm server
RSS_SAMPLE_S = 0.5
USER_VIEW_INTERVAL_S = 30.0  # a reading user opens a page every ~30 s: users ≈ views/s × 30
CONTEXT = {
    "timezone": "Asia/Shanghai",
    "timezone_offset": -480,
    "locale": "zh-CN",
    "is_embedded": False,
    "color_scheme": "light",
}
SUBPROTOCOLS = ["streamlit", "PLACEHOLDER_AUTH_TOKEN"]
HTTP_PATHS = ("/", "/_stcore/health", "/_stcore/host-config")

log = browser.log


# ---------------------------------------------------------------- one session
async def http_get(host: str, port: int, path: str) -> int:
    """One GET over a fresh connection to 127.0.0.1 (as a tab with cached static files does
    before opening the websocket); returns the response size in bytes."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    status = data.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise RuntimeError(f"GET {path}: {status.decode(errors='replace')}")
    return len(data)


class Session:
    """One browser tab's conversation with the server, over Streamlit's websocket protocol."""

    def __init__(self, url: str):
        self.url = url
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.ws = None
        self.page_hash: dict[str, str] = {}  # url_pathname -> page_script_hash
        self.current_hash = ""
        self.query_string = ""
        self.cache: dict[str, int] = {}  # message hash -> run count last used
        self.run_count = 0
        self.max_age = 2
        self.open_s = None

    async def open(self) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: F401  (import cost not timed)
        from websockets.asyncio.client import connect

        t0 = time.perf_counter()
        async with asyncio.timeout(OPEN_TIMEOUT_S):
            for path in HTTP_PATHS:
                await http_get(self.host, self.port, path)
            self.ws = await connect(
                f"ws://{self.host}:{self.port}/_stcore/stream",
                subprotocols=SUBPROTOCOLS,
                max_size=None,
                proxy=None,
                open_timeout=OPEN_TIMEOUT_S,
                ping_interval=None,
                user_agent_header="benchmarks.protocol",
            )
        self.open_s = time.perf_counter() - t0

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    def _rerun(self, page: str, first: bool) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query_string
        path = URL_PAGE_NAME.get(page, "")
        if first or path not in self.page_hash:
            rs.page_name = path  # opened from the URL
        else:
            rs.page_script_hash = self.page_hash[path]  # a click in the navigation
        rs.cached_message_hashes.extend(self.cache)
        ci = rs.context_info
        ci.timezone, ci.timezone_offset = CONTEXT["timezone"], CONTEXT["timezone_offset"]
        ci.locale, ci.is_embedded = CONTEXT["locale"], CONTEXT["is_embedded"]
        ci.color_scheme = CONTEXT["color_scheme"]
        ci.url = f"{self.url}/{path}" + (f"?{self.query_string}" if self.query_string else "")
        return msg.SerializeToString()

    async def view(self, page: str, first: bool = False, timeout_s: float = VIEW_TIMEOUT_S) -> dict:
        """Ask for `page` and read the server's messages until that run's script_finished."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        out = {"page": page, "ok": False, "bytes": 0, "msgs": 0, "elements": 0, "refs": 0, "exceptions": 0}
        t0 = time.perf_counter()
        try:
            async with asyncio.timeout(timeout_s):
                await self.ws.send(self._rerun(page, first))
                while True:
                    data = await self.ws.recv()
                    out["bytes"] += len(data)
                    out["msgs"] += 1
                    fm = ForwardMsg()
                    fm.ParseFromString(data)
                    kind = fm.WhichOneof("type")
                    if kind == "delta":
                        self._delta(fm, out)
                    elif kind == "ref_hash":
                        if fm.ref_hash not in self.cache:
                            raise RuntimeError(f"cached message {fm.ref_hash} missing")
                        self.cache[fm.ref_hash] = self.run_count
                        out["refs"] += 1
                        out["elements"] += 1
                    elif kind == "new_session":
                        age = fm.new_session.config.max_cached_message_age
                        self.max_age = age if age > 0 else self.max_age
                    elif kind == "navigation":
                        nav = fm.navigation
                        self.page_hash = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
                        self.current_hash = nav.page_script_hash
                    elif kind == "page_info_changed":
                        self.query_string = fm.page_info_changed.query_string
                    elif kind == "page_not_found":
                        raise RuntimeError(f"page_not_found {fm.page_not_found.page_name!r}")
                    elif kind == "script_finished":
                        status = fm.script_finished
                        if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                            break
                        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                            raise RuntimeError("script finished with a compile error")
                        # FINISHED_EARLY_FOR_RERUN (st.rerun): the next run follows.
            out["s"] = time.perf_counter() - t0
            self._finished_run()
            out["ok"] = out["exceptions"] == 0
            if out["exceptions"]:
                out["error"] = f"exception element: {out.pop('exception_text', '')}"
        except TimeoutError:
            out["error"] = f"no script_finished within {timeout_s:g} s"
        except Exception as e:
            out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
        out.pop("exception_text", None)
        out["wall_s"] = time.perf_counter() - t0
        return out

    def _delta(self, fm, out: dict) -> None:
        delta = fm.delta
        if delta.WhichOneof("type") != "new_element":
            return
        out["elements"] += 1
        el = delta.new_element
        if el.WhichOneof("type") == "exception":
            out["exceptions"] += 1
            out.setdefault("exception_text", f"{el.exception.type}: {el.exception.message[:160]}")
        if fm.metadata.cacheable and fm.hash:
            self.cache[fm.hash] = self.run_count

    def _finished_run(self) -> None:
        """The frontend's ForwardMsgCache.incrementRunCount: forget messages not used for
        more than max_cached_message_age runs."""
        self.run_count += 1
        for h, last in list(self.cache.items()):
            if self.run_count - last > self.max_age:
                del self.cache[h]


# ---------------------------------------------------------------- statistics
def _pct(values, q: float):
    return browser._pct(values, q)


def _median(values):
    return browser._median(values)


def view_stats(views: list[dict]) -> dict:
    ok = [v for v in views if v["ok"]]
    times = [v["s"] for v in ok]
    return {
        "n": len(views),
        "ok": len(ok),
        "success": len(ok) / len(views) if views else 0.0,
        "p50_s": _pct(times, 0.5),
        "p95_s": _pct(times, 0.95),
        "max_s": max(times, default=None),
        "kb_median": _median([v["bytes"] / 1024 for v in ok]),
    }


# ---------------------------------------------------------------- phases
async def click_through(url: str, pages, pid: int | None = None, rounds: int = 1) -> list[dict]:
    """One session alone: `pages` in turn, `rounds` times; per view the server CPU it cost
    (the session is alone, so the server's CPU between send and finish is this view's)."""
    s = Session(url)
    await s.open()
    views = []
    try:
        for r in range(rounds):
            for i, page in enumerate(pages):
                c0 = browser.cpu_s(pid) if pid else None
                v = await s.view(page, first=(r == 0 and i == 0))
                if pid:
                    v["server_cpu_s"] = browser.cpu_s(pid) - c0
                views.append(v)
    finally:
        await s.close()
    return views


def per_page(views: list[dict], pages) -> list[dict]:
    out = []
    for page in pages:
        vs = [v for v in views if v["page"] == page]
        ok = [v for v in vs if v["ok"]]
        cpu = [v["server_cpu_s"] for v in ok if v.get("server_cpu_s") is not None]
        out.append(
            {
                "page": page,
                "n": len(vs),
                "ok": len(ok),
                "s": _median([v["s"] for v in ok]),
                "max_s": max((v["s"] for v in ok), default=None),
                "server_cpu_s": sum(cpu) / len(cpu) if cpu else None,
                "kb": _median([v["bytes"] / 1024 for v in ok]),
                "msgs": _median([v["msgs"] for v in ok]),
                "elements": _median([v["elements"] for v in ok]),
                "refs": _median([v["refs"] for v in ok]),
                "errors": sorted({v["error"] for v in vs if v.get("error")}),
            }
        )
    return out


async def load(
    url: str, pid: int, n: int, duration_s: float, timeout_s: float, max_views: int = MAX_VIEWS
) -> dict:
    """n sessions at once, each clicking through the five pages; replaced when done."""
    views: list[dict] = []
    sessions = {"opened": 0, "open_failed": 0, "complete": 0, "open_s": []}
    peak = [browser.rss_mb(pid)]
    stop_sampling = asyncio.Event()

    async def sample():
        while not stop_sampling.is_set():
            peak.append(browser.rss_mb(pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_sampling.wait(), RSS_SAMPLE_S)

    t0 = time.perf_counter()
    deadline = t0 + duration_s

    def more() -> bool:
        return time.perf_counter() < deadline and len(views) < max_views

    async def slot(i: int) -> None:
        k = 0
        while more():
            start = (i + k * n) % len(PAGES)
            order = PAGES[start:] + PAGES[:start]
            k += 1
            s = Session(url)
            try:
                await s.open()
            except Exception as e:
                sessions["open_failed"] += 1
                views.append(
                    {
                        "page": order[0],
                        "ok": False,
                        "bytes": 0,
                        "msgs": 0,
                        "elements": 0,
                        "refs": 0,
                        "exceptions": 0,
                        "s": None,
                        "t": time.perf_counter() - t0,
                        "burst": k == 1,
                        "error": f"open: {type(e).__name__}: {e}"[:200],
                    }
                )
                await asyncio.sleep(0.5)  # do not spin on a dead server
                continue
            sessions["opened"] += 1
            sessions["open_s"].append(s.open_s)
            done = 0
            try:
                for j, page in enumerate(order):
                    if j and not more():
                        break
                    v = await s.view(page, first=(j == 0), timeout_s=timeout_s)
                    v["t"], v["burst"] = time.perf_counter() - t0, (k == 1 and j == 0)
                    views.append(v)
                    if not v["ok"]:
                        break  # a user would reload: a new session
                    done += 1
            finally:
                await s.close()
            if done == len(order):
                sessions["complete"] += 1

    sampler = asyncio.create_task(sample())
    cpu0, load0, me0 = browser.cpu_s(pid), os.getloadavg(), os.times()
    try:
        # Bounded even if something hangs: every view has its timeout, opening has its own.
        async with asyncio.timeout(duration_s + timeout_s + OPEN_TIMEOUT_S + 30):
            await asyncio.gather(*(slot(i) for i in range(n)))
    finally:
        wall = time.perf_counter() - t0
        cpu, me1, load1 = browser.cpu_s(pid) - cpu0, os.times(), os.getloadavg()
        with_open = browser.rss_mb(pid)
        stop_sampling.set()
        await sampler
    await asyncio.sleep(3)
    after = browser.rss_mb(pid)
    done_views = [v for v in views if v.get("s") is not None]
    last = max((v["t"] for v in views), default=wall)
    st = view_stats(views)
    burst = view_stats([v for v in views if v.get("burst")])
    res = {
        "sessions": n,
        "duration_s": duration_s,
        "wall_s": wall,
        "active_s": last,
        **st,
        "burst": burst,
        "views_per_s": len(done_views) / last if last > 0 else None,
        "ok_views_per_s": st["ok"] / last if last > 0 else None,
        "sessions_opened": sessions["opened"],
        "sessions_open_failed": sessions["open_failed"],
        "sessions_complete": sessions["complete"],
        "open_p50_s": _pct(sessions["open_s"], 0.5),
        "open_p95_s": _pct(sessions["open_s"], 0.95),
        "server_cpu_s": cpu,
        "cpu_per_view_s": cpu / len(done_views) if done_views else None,
        "client_cpu_s": (me1.user - me0.user) + (me1.system - me0.system),
        "rss_before_mb": peak[0],
        "rss_peak_mb": max(peak + [with_open]),
        "rss_open_mb": with_open,
        "rss_after_close_mb": after,
        "rss_growth_mb": max(peak + [with_open]) - peak[0],
        "loadavg": load0,
        "loadavg_end": load1,
        "errors": sorted({v["error"] for v in views if v.get("error")})[:10],
        "by_page": {p: _median([v["s"] for v in views if v["ok"] and v["page"] == p]) for p in PAGES},
        "mb_sent": sum(v["bytes"] for v in views) / MB,
    }
    return res


async def one_n(store: Path, tmp: Path, n: int, args, solo: bool) -> dict:
    """A fresh server: cold round, (solo rounds), then the load with n sessions."""
    with browser.Server(browser.APP, store, tmp / f"streamlit-protocol-{n}.log") as srv:
        out = {"sessions": n, "server_start_s": srv.start_s, "rss_start_mb": srv.rss_mb()}
        c0, load0 = srv.cpu_s(), os.getloadavg()
        cold = await click_through(srv.url, PAGES, srv.pid)
        out["cold"] = {
            "views": cold,
            "pages": per_page(cold, PAGES),
            "server_cpu_s": srv.cpu_s() - c0,
            "loadavg": load0,
            "rss_mb": srv.rss_mb(),
        }
        log(
            f"protocol {n}: cold round "
            + ", ".join(f"{v['page']} {browser.fmt_s(v.get('s'))} s" for v in cold)
        )
        if solo:
            load0 = os.getloadavg()
            warm = await click_through(srv.url, PAGES, srv.pid, rounds=args.protocol_rounds)
            out["solo"] = {"pages": per_page(warm, PAGES), "loadavg": load0, "rounds": args.protocol_rounds}
            log(
                "protocol solo warm: "
                + ", ".join(
                    f"{p['page']} {browser.fmt_s(p['s'])} s / {p['server_cpu_s'] or 0:.3f} CPU s"
                    for p in out["solo"]["pages"]
                )
            )
        await asyncio.sleep(1)
        out["load"] = await load(srv.url, srv.pid, n, args.protocol_duration, args.protocol_timeout)
        if out["load"]["success"] < 1 or not all(v["ok"] for v in cold):
            out["log_tail"] = srv.tail(20)
    ld = out["load"]
    log(
        f"protocol {n} sessions: {ld['ok']}/{ld['n']} views ok, p50 {browser.fmt_s(ld['p50_s'])}"
        f" s, p95 {browser.fmt_s(ld['p95_s'])} s, {ld['views_per_s'] or 0:.1f} views/s, server "
        f"CPU {ld['server_cpu_s']:.1f} s ({(ld['cpu_per_view_s'] or 0) * 1000:.0f} ms/view), RSS "
        f"{ld['rss_before_mb']:.0f} -> peak {ld['rss_peak_mb']:.0f} MB, load "
        f"{ld['loadavg'][0]:.1f}"
    )
    return out


async def blank_solo(tmp: Path, rounds: int) -> dict:
    with browser.Server(browser.BLANK_APP, None, tmp / "streamlit-protocol-blank.log") as srv:
        await click_through(srv.url, [BLANK], srv.pid)  # warm-up
        load0 = os.getloadavg()
        views = await click_through(srv.url, [BLANK] * len(PAGES), srv.pid, rounds=rounds)
    return {"page": per_page(views, [BLANK])[0], "loadavg": load0}


async def _run(store: Path, tmp: Path, args) -> dict:
    res = {"loadavg_start": os.getloadavg(), "runs": []}
    try:
        res["blank"] = await blank_solo(tmp, args.protocol_rounds)
    except Exception as e:
        res["blank"] = {"error": f"{type(e).__name__}: {e}"}
    for i, n in enumerate(args.protocol_sessions):
        try:
            res["runs"].append(await one_n(store, tmp, n, args, solo=(i == 0)))
        except Exception as e:
            log(f"protocol {n} sessions failed: {e!r}")
            res["runs"].append({"sessions": n, "error": f"{type(e).__name__}: {e}"})
    res["loadavg_end"] = os.getloadavg()
    return res


def run(store: Path, scale: int, args, tmp: Path) -> dict:
    """The protocol sessions for one scale (called by benchmarks.run)."""
    t0 = time.perf_counter()
    res = asyncio.run(_run(Path(store), Path(tmp), args))
    res["wall_s"] = time.perf_counter() - t0
    res["scale"] = scale
    return res


# ---------------------------------------------------------------- report
fmt_s, _met = browser.fmt_s, browser._met


def _ms(v) -> str:
    return "—" if v is None else f"{v * 1000:.0f}"


def verdicts(p: dict, scale: int) -> list[str]:
    """Every protocol-session target missed (without the scale prefix)."""
    if p.get("error"):
        return [f"protocol sessions failed: {p['error']}"]
    misses = []
    for r in p["runs"]:
        n = r["sessions"]
        if r.get("error"):
            misses.append(f"protocol {n} sessions failed: {r['error']}")
            continue
        ld = r["load"]
        if ld["success"] < browser.TARGET_SUCCESS:
            misses.append(
                f"protocol {n} sessions: {ld['ok']}/{ld['n']} page views succeeded "
                f"({'; '.join(ld['errors'][:3])})"
            )
        if ld["p95_s"] is None or ld["p95_s"] > browser.TARGET_P95_S:
            misses.append(f"protocol {n} sessions: p95 {fmt_s(ld['p95_s'])} s > {browser.TARGET_P95_S:g} s")
        if ld["rss_growth_mb"] > browser.TARGET_RSS_GROWTH_MB:
            misses.append(
                f"protocol {n} sessions: RSS growth {ld['rss_growth_mb']:.0f} MB > "
                f"{browser.TARGET_RSS_GROWTH_MB:g} MB"
            )
        bad = [v for v in r["cold"]["views"] if not v["ok"]]
        if bad:
            misses.append(
                f"protocol {n}: cold round failed on "
                + ", ".join(f"{v['page']} ({v.get('error')})" for v in bad)
            )
    return misses


def markdown(results: list[dict]) -> list[str]:
    rows = [(r["scale"], r["protocol"]) for r in results if r.get("protocol")]
    if not rows:
        return []
    L = [
        "",
        "## Server capacity, protocol sessions (no browser)",
        "",
        "N sessions speak Streamlit's websocket protocol to one `streamlit run app.py` process"
        " as browser tabs would, without a browser (benchmarks/protocol.py): page view = "
        "`rerun_script` sent → that run's `script_finished` (all data and elements sent; no"
        " drawing). Each session opens one of the five pages and clicks through the other four"
        f" without pause; finished sessions are replaced, for the load phase's duration. Fresh"
        " server per N, warmed by the cold round (one visit per page). Burst p95: the N first"
        " views, sent at once (what the browser test times). Views/s: page views done per"
        " second of the load phase. Server CPU: utime + stime of the server process and its"
        " children (/proc/PID/stat) during the load; per view = that / views done. Users ≈"
        f" views/s × {USER_VIEW_INTERVAL_S:g} s (one page view per user every"
        f" {USER_VIEW_INTERVAL_S:g} s). Client CPU: this benchmark process (shares the cores).",
        "",
        "| scale | sessions | views | ok | success | p50 s | p95 s | ≤ 5 s | max s | burst p95 s "
        "| views/s | server CPU s | CPU ms/view | ≈ users | RSS before MB | peak MB "
        "| growth MB | ≤ 100 MB | after close MB | client CPU s | load avg start → end |",
        "|---:|---:|---:|---:|:--|---:|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--"
        "|---:|---:|:--|",
    ]
    for scale, p in rows:
        if p.get("error"):
            L.append(f"| {scale}× | ❌ failed: {p['error']} |")
            continue
        for r in p["runs"]:
            if r.get("error"):
                L.append(f"| {scale}× | {r['sessions']} | ❌ failed: {r['error']} |")
                continue
            ld = r["load"]
            ok = "✅" if ld["success"] >= browser.TARGET_SUCCESS else "❌"
            users = (ld["ok_views_per_s"] or 0) * USER_VIEW_INTERVAL_S
            L.append(
                f"| {scale}× | {r['sessions']} | {ld['n']} | {ld['ok']} | {ok} {ld['success']:.1%}"
                f" | {fmt_s(ld['p50_s'])} | {fmt_s(ld['p95_s'])} | "
                f"{_met(ld['p95_s'], browser.TARGET_P95_S) if ld['p95_s'] is not None else '❌ NO'}"
                f" | {fmt_s(ld['max_s'])} | {fmt_s(ld['burst']['p95_s'])} | "
                f"{ld['views_per_s'] or 0:.1f} | {ld['server_cpu_s']:.1f} | "
                f"{_ms(ld['cpu_per_view_s'])} | {users:.0f} | {ld['rss_before_mb']:.0f} | "
                f"{ld['rss_peak_mb']:.0f} | {ld['rss_growth_mb']:.0f} | "
                f"{_met(ld['rss_growth_mb'], browser.TARGET_RSS_GROWTH_MB)} | "
                f"{ld['rss_after_close_mb']:.0f} | {ld['client_cpu_s']:.1f} | "
                f"{ld['loadavg'][0]:.1f} → {ld['loadavg_end'][0]:.1f} |"
            )
    L += [
        "",
        "Per page: cold = the first visit on the fresh server of the first N (empty caches);"
        " solo = one session alone on the warm server, median of its visits; server CPU per"
        " view = the server's CPU between send and `script_finished` (one session alone, so"
        " it is that view's); KB / messages / elements = what the server sent for the view"
        " (refs: elements sent as a reference to the session's message cache). Load p50 ="
        " median per page during the first N's load. The blank Streamlit page"
        " (benchmarks/blank_app.py) is Streamlit's floor per script run.",
        "",
        "| scale | page | cold s | cold server CPU s | solo s | solo max s | solo server CPU ms "
        "| KB | messages | elements | refs | load p50 s | load avg |",
        "|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, p in rows:
        if p.get("error") or not p["runs"] or p["runs"][0].get("error"):
            continue
        first = p["runs"][0]
        solo = {e["page"]: e for e in first.get("solo", {}).get("pages", [])}
        b = p.get("blank") or {}
        if b.get("page"):
            e = b["page"]
            L.append(
                f"| {scale}× | *blank page* | | | {fmt_s(e['s'])} | {fmt_s(e['max_s'])} | "
                f"{_ms(e['server_cpu_s'])} | {e['kb'] or 0:.1f} | {e['msgs'] or 0:.0f} | "
                f"{e['elements'] or 0:.0f} | {e['refs'] or 0:.0f} | | "
                f"{b['loadavg'][0]:.1f} |"
            )
        for c in first["cold"]["pages"]:
            s = solo.get(c["page"], {})
            cold = fmt_s(c["s"]) if c["ok"] else "❌ " + "; ".join(c["errors"])
            L.append(
                f"| {scale}× | {c['page']} | {cold} | "
                f"{'—' if c['server_cpu_s'] is None else '{:.2f}'.format(c['server_cpu_s'])} | "
                f"{fmt_s(s.get('s'))} | {fmt_s(s.get('max_s'))} | "
                f"{_ms(s.get('server_cpu_s'))} | {s.get('kb') or 0:.1f} | "
                f"{s.get('msgs') or 0:.0f} | {s.get('elements') or 0:.0f} | "
                f"{s.get('refs') or 0:.0f} | {fmt_s(first['load']['by_page'].get(c['page']))}"
                f" | {first.get('solo', {}).get('loadavg', first['cold']['loadavg'])[0]:.1f} |"
            )
    for scale, p in rows:
        if p.get("error"):
            continue
        cold = [r["cold"]["server_cpu_s"] for r in p["runs"] if not r.get("error")]
        L += [
            "",
            f"{scale}×: protocol part took {p['wall_s']:.0f} s; server start "
            f"{_median([r['server_start_s'] for r in p['runs'] if not r.get('error')]) or 0:.1f}"
            f" s (median); cold round server CPU {', '.join(f'{c:.1f}' for c in cold)} s per "
            f"fresh server; load average {p['loadavg_start'][0]:.1f} → "
            f"{p['loadavg_end'][0]:.1f}.",
        ]
        for r in p["runs"]:
            if r.get("error"):
                continue
            errs = r["load"]["errors"]
            if errs:
                L.append(f"{scale}× {r['sessions']} sessions, errors: " + "; ".join(errs[:5]))
    return L


# ---------------------------------------------------------------- standalone
def add_arguments(ap: argparse.ArgumentParser, sessions_flag: str = "--protocol-sessions") -> None:
    ap.add_argument(
        sessions_flag,
        dest="protocol_sessions",
        default=",".join(map(str, SESSIONS)),
        help="concurrent protocol sessions against one server, comma-separated "
        f"(default {','.join(map(str, SESSIONS))}; empty to skip)",
    )
    ap.add_argument(
        "--protocol-duration",
        type=float,
        default=DURATION_S,
        help=f"seconds of load per N (default {DURATION_S:g}); page views in flight then still finish",
    )
    ap.add_argument(
        "--protocol-timeout",
        type=float,
        default=VIEW_TIMEOUT_S,
        help=f"seconds until a page view without script_finished fails (default {VIEW_TIMEOUT_S:g})",
    )
    ap.add_argument(
        "--protocol-rounds",
        type=int,
        default=SOLO_ROUNDS,
        help=f"solo click-throughs of the five pages (default {SOLO_ROUNDS})",
    )


def parse_sessions(text) -> list[int]:
    if isinstance(text, list):
        return text
    return [int(n) for n in str(text).split(",") if n.strip()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.protocol",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--store", required=True, help="a store folder (python -m dashboard load)")
    ap.add_argument("--scale", type=int, default=0, help="the store's demo scale, for the table")
    ap.add_argument("--json", help="also write the results here")
    add_arguments(ap, "--sessions")
    args = ap.parse_args(argv)
    args.protocol_sessions = parse_sessions(args.protocol_sessions)
    import signal
    import tempfile

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="dashboard-protocol-") as tmp:
        res = run(Path(args.store), args.scale, args, Path(tmp))
    if args.json:
        Path(args.json).write_text(
            json.dumps(res, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    print("\n".join(markdown([{"scale": args.scale, "protocol": res}])))
    misses = verdicts(res, args.scale)
    print("\n" + ("\n".join(f"- ❌ {m}" for m in misses) if misses else "All protocol targets met."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
