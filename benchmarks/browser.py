"""The dashboard's pages in headless Chromium, against a blank Streamlit page, and many
sessions against one server (the targets: benchmarks/README.md). Called by benchmarks.run for each scale
(skip with --no-browser); the servers and helpers are also used by benchmarks.soak.

- Page timing: for each page (PAGES), a `streamlit run app.py` started for it alone on the
  scale's store (DASHBOARD_STORE, 127.0.0.1, a free port), and one blank Streamlit page
  (benchmarks/blank_app.py) on a second server for the whole run. Page time = from
  `page.goto` (the navigation's start) to "drawn" (benchmarks/pagewait.py; the moment the page
  was first seen drawn, without the stability wait). Cold = the first visit of the page on
  its just-started server in a new browser context (no HTTP cache, Streamlit caches empty);
  warm = median of `--browser-repeat` further visits, each in a new page (a new Streamlit
  session) of that context, alternating with visits of the blank page measured the same way.
  Ratio = page warm / blank warm (target ≤ 2×). Websocket payload = bytes of the frames
  received on /_stcore/stream during the visit (target ≤ 5 MB at 100×).
- Concurrency: N sessions (new browser contexts, cycling through the five pages) opened at
  once against one server process, freshly started and warmed by one visit of each page;
  success rate, p50/p95 page time, server RSS (VmRSS of the process and its children) before,
  at the peak (sampled every 0.2 s) and after the sessions closed. Targets: all succeed,
  p95 ≤ 5 s, RSS growth (peak − before) ≤ 100 MB.

The browser is Debian's /usr/bin/chromium through the Playwright async API, with the flags of
tests/conftest.py; nothing is requested from anywhere but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.pagewait import CHROMIUM, CHROMIUM_ARGS, KIOSK_STABLE_MS, STABLE_MS, wait_drawn_async

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
APP = "app.py"
BLANK_APP = "benchmarks/blank_app.py"

PAGES = {
    "overview": "/",
    "grids": "/grids",
    "branches": "/branches",
    "training": "/training",
    "checkpoints": "/checkpoints",
    # the meeting screen on its first slide (the overview), turning only every 10 minutes
    "kiosk": "/?kiosk=1&interval=600&screen=benchmark",
}
SESSION_PAGES = ("overview", "grids", "branches", "training", "checkpoints")
VIEWPORT = {"width": 1366, "height": 768}
KIOSK_VIEWPORT = {"width": 1920, "height": 1080}

# The project's targets (benchmarks/README.md). Scales missing from a mapping have no target.
TARGET_WARM_RATIO = 2.0  # page warm / blank Streamlit page warm, any scale
TARGET_WS_MB = {100: 5.0}  # websocket payload of one page visit
TARGET_SUCCESS = 1.0  # concurrent sessions: all succeed
TARGET_P95_S = 5.0
TARGET_RSS_GROWTH_MB = 100.0

VISIT_TIMEOUT_MS = 90_000  # a visit that is not drawn by then failed
SERVER_START_TIMEOUT = 60  # s until /_stcore/health must answer


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- processes
def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def descendants(pid: int) -> list[int]:
    """pid and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st:
                children.setdefault(int(st[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_mb(pid: int) -> float:
    """VmRSS of `pid` and its children, MB."""
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` and everything below it so far: utime + stime of
    each living process, plus cutime + cstime (children that exited and were waited for, such
    as Chromium's closed tabs)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in descendants(pid):
        st = _stat(p)
        if st:
            total += int(st[11]) + int(st[12]) + int(st[13]) + int(st[14])
    return total / tick


def client_cpu_s(servers: set[int]) -> float:
    """CPU seconds of this process's children other than the servers: Playwright's driver and
    the Chromium below it (the browser side of a page's time)."""
    me, total = os.getpid(), 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in servers:
            st = _stat(int(entry))
            if st and int(st[1]) == me:
                total += cpu_s(int(entry))
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run APP` on a free 127.0.0.1 port, as tests/conftest.py streamlit_server
    starts it; `with Server(...) as srv:` -> srv.url, srv.pid, srv.start_s."""

    def __init__(self, app: str, store: Path | None, log_path: Path):
        self.app, self.store, self.log_path = app, store, Path(log_path)
        self.proc = None

    def __enter__(self) -> Server:
        port = _free_port()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if self.store is not None:
            env["DASHBOARD_STORE"] = str(self.store)
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.app,
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ]
        self.log = open(self.log_path, "w", encoding="utf-8")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid, self.url = self.proc.pid, f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        try:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.tail()}")
                try:
                    with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"streamlit did not answer within {SERVER_START_TIMEOUT} s:\n{self.tail()}"
                    )
                time.sleep(0.1)
        except BaseException:
            self.__exit__()
            raise
        self.start_s = time.perf_counter() - t0
        return self

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def cpu_s(self) -> float:
        return cpu_s(self.pid)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        self.proc = None


# ---------------------------------------------------------------- one visit
async def launch(pw):
    return await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


async def new_context(browser, page: str | None = None):
    ctx = await browser.new_context(
        viewport=KIOSK_VIEWPORT if page == "kiosk" else VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    ctx.set_default_timeout(VISIT_TIMEOUT_MS)
    return ctx


async def visit(context, base: str, page: str, timeout_ms: int = VISIT_TIMEOUT_MS) -> dict:
    """Open `page` (a key of PAGES, or "blank") in a new tab of `context` (a new Streamlit
    session), wait until drawn, close the tab. Returns s (navigation start -> drawn), wall_s
    (goto call -> drawn detected, with the stability wait), ws_bytes / ws_frames received on
    /_stcore/stream until then, exceptions shown, ok, and error if the visit failed."""
    path = "/" if page == "blank" else PAGES[page]
    tab = await context.new_page()
    ws = {"bytes": 0, "frames": 0}

    def on_frame(payload) -> None:
        ws["bytes"] += len(payload.encode() if isinstance(payload, str) else payload)
        ws["frames"] += 1

    def on_websocket(sock) -> None:
        if "/_stcore/stream" in sock.url:
            sock.on("framereceived", on_frame)

    tab.on("websocket", on_websocket)
    out = {"page": page, "ok": False}
    t0 = time.perf_counter()
    try:
        await tab.goto(base + path, timeout=timeout_ms)
        drawn_ms = await wait_drawn_async(
            tab, KIOSK_STABLE_MS if page == "kiosk" else STABLE_MS, timeout=timeout_ms
        )
        out["wall_s"] = time.perf_counter() - t0
        out["s"] = drawn_ms / 1000 if drawn_ms is not None else None
        out["exceptions"] = await tab.locator("[data-testid=stException]").count()
        out["ok"] = out["s"] is not None and out["exceptions"] == 0
        if out["exceptions"]:
            out["error"] = "stException on the page"
    except Exception as e:
        out["wall_s"] = time.perf_counter() - t0
        out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    out["ws_bytes"], out["ws_frames"] = ws["bytes"], ws["frames"]
    with contextlib.suppress(Exception):
        await tab.close()
    return out


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _pct(values, q: float):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


# ---------------------------------------------------------------- page timing
async def page_timing(browser, store: Path, tmp: Path, repeat: int, pages=tuple(PAGES)) -> dict:
    out = {"pages": [], "loadavg_start": os.getloadavg()}
    with Server(BLANK_APP, None, tmp / "streamlit-blank.log") as blank:
        out["blank_start_s"] = blank.start_s
        ctx = await new_context(browser)
        out["blank_cold"] = await visit(ctx, blank.url, "blank")
        await ctx.close()
        blank_ctx = await new_context(browser)
        await visit(blank_ctx, blank.url, "blank")  # its HTTP cache, untimed
        blank_all = []
        for page in pages:
            with Server(APP, store, tmp / f"streamlit-{page}.log") as srv:
                servers = {blank.pid, srv.pid}
                cpu0, load0 = srv.cpu_s(), os.getloadavg()
                client0, blank0 = client_cpu_s(servers), blank.cpu_s()
                ctx = await new_context(browser, page)
                cold = await visit(ctx, srv.url, page)
                warm, blank_warm = [], []
                for _ in range(repeat):
                    warm.append(await visit(ctx, srv.url, page))
                    blank_warm.append(await visit(blank_ctx, blank.url, "blank"))
                await ctx.close()
                entry = summarise_page(page, cold, warm, blank_warm)
                entry.update(
                    server_start_s=srv.start_s,
                    server_cpu_s=srv.cpu_s() - cpu0,
                    blank_server_cpu_s=blank.cpu_s() - blank0,
                    client_cpu_s=client_cpu_s(servers) - client0,
                    server_rss_mb=srv.rss_mb(),
                    loadavg=load0,
                )
                if not (cold["ok"] and entry["warm_ok"] == repeat):
                    entry["log_tail"] = srv.tail(20)
            blank_all += blank_warm
            out["pages"].append(entry)
            log(
                f"browser {page}: cold {fmt_s(entry['cold_s'])} s, warm "
                f"{fmt_s(entry['warm_s'])} s, blank {fmt_s(entry['blank_warm_s'])} s, "
                f"ratio {fmt_x(entry['ratio'])}, ws {entry['ws_mb'] or 0:.2f} MB"
            )
        await blank_ctx.close()
    out["blank_warm_s"] = _median([v["s"] for v in blank_all if v["ok"]])
    out["loadavg_end"] = os.getloadavg()
    return out


def summarise_page(page: str, cold: dict, warm: list[dict], blank_warm: list[dict]) -> dict:
    ok = [v for v in warm if v["ok"]]
    w, b = _median([v["s"] for v in ok]), _median([v["s"] for v in blank_warm if v["ok"]])
    errors = sorted({v["error"] for v in [cold, *warm] if v.get("error")})
    return {
        "page": page,
        "path": PAGES[page],
        "cold_s": cold.get("s") if cold["ok"] else None,
        "cold_ok": cold["ok"],
        "cold_ws_mb": cold["ws_bytes"] / MB,
        "warm_s": w,
        "warm_min_s": min((v["s"] for v in ok), default=None),
        "warm_max_s": max((v["s"] for v in ok), default=None),
        "warm_ok": len(ok),
        "warm_n": len(warm),
        "ws_mb": _median([v["ws_bytes"] / MB for v in ok]),
        "ws_frames": _median([v["ws_frames"] for v in ok]),
        "blank_warm_s": b,
        "ratio": w / b if w and b else None,
        "errors": errors,
        "visits": [cold, *warm],
        "blank_visits": blank_warm,
    }


# ---------------------------------------------------------------- concurrency
async def concurrency(browser, store: Path, tmp: Path, n: int) -> dict:
    """n sessions at once against one freshly started, warmed server."""
    with Server(APP, store, tmp / f"streamlit-sessions-{n}.log") as srv:
        ctx = await new_context(browser)
        for page in SESSION_PAGES:  # warm the server's caches
            await visit(ctx, srv.url, page)
        await ctx.close()
        await asyncio.sleep(1)
        before, cpu0, load0 = srv.rss_mb(), srv.cpu_s(), os.getloadavg()
        client0 = client_cpu_s({srv.pid})
        peak = [before]
        done = asyncio.Event()

        async def sample():
            while not done.is_set():
                peak.append(srv.rss_mb())
                await asyncio.sleep(0.2)

        contexts = [await new_context(browser) for _ in range(n)]
        sampler = asyncio.create_task(sample())
        t0 = time.perf_counter()
        visits = await asyncio.gather(
            *(visit(c, srv.url, SESSION_PAGES[i % len(SESSION_PAGES)]) for i, c in enumerate(contexts))
        )
        wall = time.perf_counter() - t0
        with_open = srv.rss_mb()
        done.set()
        await sampler
        peak.append(with_open)
        cpu, client = srv.cpu_s() - cpu0, client_cpu_s({srv.pid}) - client0
        for c in contexts:
            await c.close()
        await asyncio.sleep(3)
        after = srv.rss_mb()
        tail = srv.tail(20)
    ok = [v for v in visits if v["ok"]]
    times = [v["s"] for v in ok]
    res = {
        "sessions": n,
        "ok": len(ok),
        "success": len(ok) / n,
        "p50_s": _pct(times, 0.5),
        "p95_s": _pct(times, 0.95),
        "max_s": max(times, default=None),
        "wall_s": wall,
        "rss_before_mb": before,
        "rss_peak_mb": max(peak),
        "rss_open_mb": with_open,
        "rss_after_close_mb": after,
        "rss_growth_mb": max(peak) - before,
        "server_cpu_s": cpu,
        "client_cpu_s": client,
        "loadavg": load0,
        "loadavg_end": os.getloadavg(),
        "errors": sorted({v["error"] for v in visits if v.get("error")}),
        "by_page": {p: _median([v["s"] for v in ok if v["page"] == p]) for p in SESSION_PAGES},
        "visits": visits,
    }
    if len(ok) < n:
        res["log_tail"] = tail
    log(
        f"browser {n} sessions: {len(ok)}/{n} ok, p50 {fmt_s(res['p50_s'])} s, p95 "
        f"{fmt_s(res['p95_s'])} s, RSS {before:.0f} -> peak {max(peak):.0f} MB"
    )
    return res


# ---------------------------------------------------------------- entry
async def _run(store: Path, tmp: Path, repeat: int, sessions: list[int]) -> dict:
    from playwright.async_api import async_playwright

    t_cpu0 = os.times()
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            res = await page_timing(browser, store, tmp, repeat)
            res["concurrency"] = []
            for n in sessions:
                res["concurrency"].append(await concurrency(browser, store, tmp, n))
        finally:
            await browser.close()
    t_cpu1 = os.times()
    # CPU of this process and of its waited-for children (not the browser, which Playwright's
    # driver owns): for reading the wall times on a shared machine.
    res["bench_cpu_s"] = (t_cpu1.user - t_cpu0.user) + (t_cpu1.system - t_cpu0.system)
    return res


def run(store: Path, scale: int, args, tmp: Path) -> dict:
    """Page timing and concurrency for one scale (called by benchmarks.run)."""
    t0 = time.perf_counter()
    res = asyncio.run(_run(Path(store), Path(tmp), args.browser_repeat, args.sessions))
    res["wall_s"] = time.perf_counter() - t0
    res["scale"] = scale
    return res


# ---------------------------------------------------------------- report
def fmt_s(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def fmt_x(v) -> str:
    return "—" if v is None else f"{v:.2f}×"


def _met(value, target) -> str:
    if target is None or value is None:
        return "—"
    return "✅ yes" if value <= target else "❌ NO"


def verdicts(b: dict, scale: int) -> list[str]:
    """Every browser target missed (without the scale prefix)."""
    if b.get("error"):
        return [f"browser benchmark failed: {b['error']}"]
    misses = []
    ws_target = TARGET_WS_MB.get(scale)
    for p in b["pages"]:
        if not p["cold_ok"] or p["warm_ok"] < p["warm_n"]:
            misses.append(
                f"page {p['page']}: {p['warm_n'] + 1 - p['warm_ok'] - p['cold_ok']} of "
                f"{p['warm_n'] + 1} visits failed ({'; '.join(p['errors'])})"
            )
        if p["ratio"] is None:
            misses.append(f"page {p['page']}: no warm ratio")
        elif p["ratio"] > TARGET_WARM_RATIO:
            misses.append(
                f"page {p['page']} warm {p['warm_s']:.2f} s = {p['ratio']:.2f}× the blank"
                f" page > {TARGET_WARM_RATIO:g}×"
            )
        if ws_target is not None and (p["ws_mb"] or 0) > ws_target:
            misses.append(f"page {p['page']} websocket {p['ws_mb']:.1f} MB > {ws_target:g} MB")
    for c in b.get("concurrency", []):
        n = c["sessions"]
        if c["success"] < TARGET_SUCCESS:
            misses.append(f"{n} sessions: {c['ok']}/{n} succeeded ({'; '.join(c['errors'])})")
        if c["p95_s"] is None or c["p95_s"] > TARGET_P95_S:
            misses.append(f"{n} sessions: p95 {fmt_s(c['p95_s'])} s > {TARGET_P95_S:g} s")
        if c["rss_growth_mb"] > TARGET_RSS_GROWTH_MB:
            misses.append(
                f"{n} sessions: RSS growth {c['rss_growth_mb']:.0f} MB > {TARGET_RSS_GROWTH_MB:g} MB"
            )
    return misses


def markdown(results: list[dict]) -> list[str]:
    L = [
        "",
        "## Pages in headless Chromium",
        "",
        "Navigation start → drawn (benchmarks/pagewait.py: script idle, charts and maps drawn,"
        " page unchanged; the stability wait not counted). Cold: first visit on a server just"
        " started for that page, new browser context. Warm: median (min–max) of further visits"
        " in new tabs (new Streamlit sessions), alternating with the blank Streamlit page"
        " (benchmarks/blank_app.py) on a second server; ratio = page warm / blank warm."
        " WS MB: websocket frames received on /_stcore/stream per warm visit (cold in"
        " brackets). CPU s per visit: the page's server process, and the browser (Playwright's"
        " driver and Chromium; this includes drawing the blank pages in between), divided by"
        " the page's visits (cold + warm).",
        "",
        "| scale | page | cold s | warm s | warm min–max s | blank s | ratio | ≤ 2× | WS MB "
        "| target | met | frames | server CPU s/visit | browser CPU s/visit | load avg |",
        "|---:|:--|---:|---:|---:|---:|---:|:--|---:|---:|:--|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r.get("browser")
        if not b or b.get("error"):
            continue
        target = TARGET_WS_MB.get(r["scale"])
        bc = b["blank_cold"]
        L.append(
            f"| {r['scale']}× | *blank page* | {fmt_s(bc.get('s'))} | "
            f"{fmt_s(b['blank_warm_s'])} | | | | | {bc['ws_bytes'] / MB:.3f} (cold) | | | "
            f"{bc['ws_frames']} | | | {b['loadavg_start'][0]:.1f} |"
        )
        for p in b["pages"]:
            fail = "" if p["warm_ok"] == p["warm_n"] else f" ({p['warm_ok']}/{p['warm_n']} ok)"
            L.append(
                f"| {r['scale']}× | {p['page']} | "
                f"{fmt_s(p['cold_s']) if p['cold_ok'] else '❌ failed'} | "
                f"{fmt_s(p['warm_s'])}{fail} | {fmt_s(p['warm_min_s'])}–"
                f"{fmt_s(p['warm_max_s'])} | {fmt_s(p['blank_warm_s'])} | "
                f"{fmt_x(p['ratio'])} | {_met(p['ratio'], TARGET_WARM_RATIO)} | "
                f"{p['ws_mb'] or 0:.2f} ({p['cold_ws_mb']:.2f}) | "
                f"{'—' if target is None else f'≤ {target:g}'} | "
                f"{_met(p['ws_mb'], target)} | {p['ws_frames'] or 0:.0f} | "
                f"{p['server_cpu_s'] / (p['warm_n'] + 1):.2f} | "
                f"{p['client_cpu_s'] / (p['warm_n'] + 1):.2f} | {p['loadavg'][0]:.1f} |"
            )
    L += [
        "",
        "## Concurrent browser sessions, one server process",
        "",
        "N new browser contexts open a page each at once (cycling overview, grids, branches,"
        " training, checkpoints) on a server freshly started and warmed by one visit of each"
        " page. Page time as above. RSS: VmRSS of the server process (and children), before"
        " (after the warm-up), peak (sampled every 0.2 s), after the sessions closed (+3 s);"
        " growth = peak − before. CPU s: the server and the browser during the burst; the"
        " browser runs on the same two cores as the server.",
        "",
        "| scale | sessions | ok | success | p50 s | p95 s | ≤ 5 s | max s | burst wall s "
        "| RSS before MB | peak MB | growth MB | ≤ 100 MB | after close MB | server CPU s "
        "| browser CPU s | load avg |",
        "|---:|---:|---:|:--|---:|---:|:--|---:|---:|---:|---:|---:|:--|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r.get("browser")
        if not b or b.get("error"):
            continue
        for c in b.get("concurrency", []):
            ok = "✅" if c["success"] >= TARGET_SUCCESS else "❌"
            L.append(
                f"| {r['scale']}× | {c['sessions']} | {c['ok']} | {ok} {c['success']:.0%} | "
                f"{fmt_s(c['p50_s'])} | {fmt_s(c['p95_s'])} | "
                f"{_met(c['p95_s'], TARGET_P95_S) if c['p95_s'] is not None else '❌ NO'} | "
                f"{fmt_s(c['max_s'])} | {c['wall_s']:.1f} | {c['rss_before_mb']:.0f} | "
                f"{c['rss_peak_mb']:.0f} | {c['rss_growth_mb']:.0f} | "
                f"{_met(c['rss_growth_mb'], TARGET_RSS_GROWTH_MB)} | "
                f"{c['rss_after_close_mb']:.0f} | {c['server_cpu_s']:.1f} | "
                f"{c['client_cpu_s']:.1f} | {c['loadavg'][0]:.1f} |"
            )
    for r in results:
        b = r.get("browser")
        if b and not b.get("error"):
            L += [
                "",
                f"{r['scale']}×: browser part took {b['wall_s']:.0f} s; server start "
                f"{_median([p['server_start_s'] for p in b['pages']]):.1f} s (median); load "
                f"average {b['loadavg_start'][0]:.1f} → {b['loadavg_end'][0]:.1f}.",
            ]
        elif b:
            L += ["", f"{r['scale']}×: ❌ browser benchmark failed: {b['error']}"]
    return L
