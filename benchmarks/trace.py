"""Where the browser's time goes, per element: `python -m benchmarks.trace`.

Every page (overview, grids, branches, training, checkpoints, submissions and the meeting
screen) is opened in headless Chromium against one `streamlit run app.py` on the demo county
(1×, or `--store DIR`), beside a blank Streamlit page (benchmarks/blank_app.py) on a second
server, in the same run. For each page, in one browser context (so every measured visit is a
warm one: HTTP cache, code cache and the server's caches filled by a first visit):

- **plain visits** (`--repeat`, default 3), alternating with a visit of the blank page:
  navigation start → drawn (benchmarks/pagewait.py), the renderer's own counters from CDP
  `Performance.getMetrics` (TaskDuration, ScriptDuration, LayoutDuration + RecalcStyleDuration,
  ThreadTime = CPU of the renderer's main thread, ProcessTime = CPU of the renderer process)
  and the CPU of every Chromium process from /proc (with the GPU process, which rasterises
  and runs WebGL in software here).
- **serialised traced visits** (`--traces`, default 2) with a Chrome performance trace
  (Playwright's `browser.start_tracing`; categories devtools.timeline, toplevel, v8.execute,
  blink.user_timing). The page's websocket is routed through Playwright
  (`page.route_web_socket`): every message from the server is passed on unchanged and in
  order, but before and after each *heavy element* (a Plotly chart, a pydeck/deck.gl map, a
  dataframe/glide grid, a table, an iframe/component, a metric tile with a sparkline) the
  benchmark waits until the page is
  quiet (nothing left to draw, no long task and no delayed timer for QUIET_MS) and sets a
  `performance.mark`. The browser time between the two marks of an element is that
  element's; everything else (loading the front end, the sidebar, headings, metric tiles,
  text, the script-state bookkeeping) is the Streamlit framework and the light elements.
  Times are thread CPU (`tdur` of the top-level tasks) on the renderer's main thread, plus
  the other renderer threads and the GPU process in a second column.

`--lab` measures benchmarks/element_lab.py's drawing variants (one synthetic figure drawn in
the ways issue 14 §2 weighs) the same way, instead of the pages.

Nothing in the product is changed or switched off; the element's message is the one the
server sent. See benchmarks/README.md ("Per element") for what the method can and cannot say.
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
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.browser import (
    KIOSK_VIEWPORT,
    VIEWPORT,
    Server,
    client_cpu_s,
    launch,
    new_context,
)
from benchmarks.browser import PAGES as BROWSER_PAGES
from benchmarks.pagewait import KIOSK_STABLE_MS, STABLE_MS, wait_drawn_async

ROOT = Path(__file__).resolve().parent.parent
APP = "app.py"
BLANK_APP = "benchmarks/blank_app.py"
LAB_APP = "benchmarks/element_lab.py"
PAGES = {
    **BROWSER_PAGES,
    "submissions": "/submissions",
    # the meeting screen's richer slides, each shown alone (it has a minute per slide)
    **{
        f"kiosk-{s}": f"/?kiosk=1&interval=600&screen=benchmark&slides={s}"
        for s in ("grids", "branches", "checkpoints", "training")
    },
}
# Streamlit element types measured one by one (the key of Element's `type` oneof -> label)
HEAVY = {
    "plotly_chart": "plotly",
    "deck_gl_json_chart": "pydeck",
    "dataframe": "dataframe",
    "table": "table",
    "vega_lite_chart": "vega",
    "iframe": "iframe",
    "component_instance": "component",
    "bidi_component": "component",
    "echarts_chart": "echarts",
    "graphviz_chart": "graphviz",
}
# a metric tile with a sparkline (st.metric chart_data) is drawn by a chart library too
SPARK = "metric"
CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "toplevel",
    "v8.execute",
    "blink.user_timing",
    "__metadata",
]
QUIET_MS = 400  # the page counts as quiet after this long without work
SETTLE_MAX_MS = 15_000  # ... or after this long in any case (recorded as not settled)
VISIT_TIMEOUT_MS = 90_000

# Installed before any script of the page runs: records the end of every long task.
INIT_JS = """
window.__bench = {lastLong: 0};
try {
  new PerformanceObserver(l => { for (const e of l.getEntries())
      window.__bench.lastLong = Math.max(window.__bench.lastLong, e.startTime + e.duration); })
    .observe({type: 'longtask', buffered: true});
} catch (e) {}
"""
# Resolves once every chart/map/grid on the page has drawn and then nothing ran for `quiet`
# ms: no long task, and a 50 ms timer never came more than 40 ms late.
SETTLE_JS = """([quiet, max]) => new Promise(resolve => {
  const t0 = performance.now();
  let last = t0, quietSince = t0;
  const drawn = (sel, inner) => Array.from(document.querySelectorAll(sel)).every(e => e.querySelector(inner));
  function tick() {
    const now = performance.now();
    const lastLong = (window.__bench && window.__bench.lastLong) || 0;
    const ready = !document.querySelector('[data-testid=stSkeleton]')
      && drawn('[data-testid=stPlotlyChart]', 'svg.main-svg')
      && drawn('[data-testid=stDeckGlJsonChart]', 'canvas');
    if (now - last > 90 || lastLong > quietSince || !ready) quietSince = Math.max(now, lastLong);
    last = now;
    if (now - quietSince >= quiet) resolve({ok: true, ms: now - t0});
    else if (now - t0 > max) resolve({ok: false, ms: now - t0});
    else setTimeout(tick, 50);
  }
  setTimeout(tick, 50);
})"""

# main-thread trace event names -> what kind of work (self time)
WORK = {
    "script": (
        "FunctionCall",
        "EvaluateScript",
        "v8.compile",
        "v8.compileModule",
        "v8.evaluateModule",
        "v8.run",
        "RunMicrotasks",
        "TimerFire",
        "FireAnimationFrame",
        "EventDispatch",
        "V8.Execute",
        "v8.callFunction",
        "AnimationFrame::Script::Execute",
        "BlinkScheduler_PerformMicrotaskCheckpoint",
        "V8.GC_MC_INCREMENTAL",
        "MajorGC",
        "MinorGC",
        "V8.GC_SCAVENGER",
    ),
    "layout": (
        "UpdateLayoutTree",
        "Layout",
        "RecalculateStyles",
        "ParseAuthorStyleSheet",
        "AnimationFrame::StyleAndLayout",
    ),
    "paint": (
        "Paint",
        "PrePaint",
        "Layerize",
        "UpdateLayer",
        "CompositeLayers",
        "Commit",
        "PaintImage",
        "Decode Image",
        "ImageDecodeTask",
        "RasterTask",
        "AnimationFrame::Render",
    ),
}
# evaluating a script or module (a lazily loaded library's code: Plotly, deck.gl, glide)
LOAD = ("EvaluateScript", "v8.compile", "v8.compileModule", "v8.evaluateModule")
WORK_OF = {name: kind for kind, names in WORK.items() for name in names}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- what an element is
def describe(el) -> dict:
    """Kind, title and size of a heavy element from its Streamlit protobuf."""
    kind = el.WhichOneof("type")
    out = {"type": kind, "kind": HEAVY.get(kind, kind)}
    try:
        if kind == "plotly_chart":
            spec = json.loads(el.plotly_chart.spec or "{}")
            layout, data = spec.get("layout", {}), spec.get("data", [])
            title = layout.get("title")
            title = title.get("text") if isinstance(title, dict) else title
            points = 0
            for tr in data:
                n = max(
                    (
                        len(tr[k])
                        for k in ("x", "y", "z", "lat", "lon", "values", "r")
                        if isinstance(tr.get(k), list)
                    ),
                    default=0,
                )
                if isinstance(tr.get("z"), list) and tr["z"] and isinstance(tr["z"][0], list):
                    n = sum(len(r) for r in tr["z"])
                points += n
            ya = layout.get("yaxis", {}).get("title")
            names = [str(tr.get("name")) for tr in data if tr.get("name")]
            out.update(
                title=title or ", ".join(names[:3]) + ("…" if len(names) > 3 else ""),
                traces=len(data),
                points=points,
                trace_types=sorted({tr.get("type", "scatter") for tr in data}),
                y_title=(ya.get("text") if isinstance(ya, dict) else ya) or "",
                height=layout.get("height"),
                static=bool(json.loads(el.plotly_chart.config or "{}").get("staticPlot")),
                bytes=len(el.plotly_chart.spec),
            )
        elif kind == "deck_gl_json_chart":
            spec = json.loads(el.deck_gl_json_chart.json or "{}")
            layers = [
                (
                    ly.get("@@type", "?"),
                    len(ly["data"])
                    if isinstance(ly.get("data"), list)
                    else len(ly["data"].get("features", []))
                    if isinstance(ly.get("data"), dict)
                    else 0,
                )
                for ly in spec.get("layers", [])
            ]
            out.update(
                title=", ".join(f"{t}×{n}" for t, n in layers),
                layers=layers,
                points=sum(n for _, n in layers),
                bytes=len(el.deck_gl_json_chart.json),
                selectable=bool(el.deck_gl_json_chart.selection_mode),
            )
        elif kind == "dataframe":
            import pyarrow as pa

            arrow = el.dataframe.arrow_data
            table = pa.ipc.open_stream(arrow.data).read_all() if arrow.data else None
            cols = [
                c
                for c in (table.column_names if table is not None else [])
                if not c.startswith("__index_level")
            ]
            out.update(
                title=", ".join(cols[:3]) + ("…" if len(cols) > 3 else ""),
                rows=table.num_rows if table is not None else 0,
                cols=len(cols),
                points=(table.num_rows * len(cols)) if table is not None else 0,
                bytes=len(arrow.data),
            )
        elif kind == SPARK:
            out.update(
                kind="metric sparkline",
                title=el.metric.label,
                points=len(el.metric.chart_data),
                bytes=el.ByteSize(),
            )
        else:
            out.update(title="", points=0, bytes=el.ByteSize())
    except Exception as e:  # a label is not worth a crash
        out.update(title=f"({type(e).__name__})", points=0)
    return out


# ---------------------------------------------------------------- one visit
def _stable_ms(page: str) -> int:
    return KIOSK_STABLE_MS if page.startswith("kiosk") else STABLE_MS


async def plain_visit(context, base: str, page: str, servers: set[int]) -> dict:
    """Open `page` (a key of PAGES or "blank") in a new tab, wait until drawn; the renderer's
    counters (CDP Performance.getMetrics) and the CPU of the browser's processes."""
    path = "/" if page == "blank" else PAGES[page]
    tab = await context.new_page()
    cdp = await context.new_cdp_session(tab)
    await cdp.send("Performance.enable")
    m0 = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    c0 = client_cpu_s(servers)
    out = {"page": page, "ok": False}
    try:
        await tab.goto(base + path, timeout=VISIT_TIMEOUT_MS)
        ms = await wait_drawn_async(tab, _stable_ms(page), timeout=VISIT_TIMEOUT_MS)
        out["s"] = ms / 1000 if ms is not None else None
        out["ok"] = out["s"] is not None and not await tab.locator("[data-testid=stException]").count()
        m1 = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
        out["browser_cpu_s"] = client_cpu_s(servers) - c0
        for k in (
            "TaskDuration",
            "ScriptDuration",
            "LayoutDuration",
            "RecalcStyleDuration",
            "ThreadTime",
            "ProcessTime",
        ):
            # the counters restart when the tab's renderer process changes at navigation
            v0, v1 = m0.get(k, 0.0), m1.get(k, 0.0)
            out[k] = v1 - v0 if v1 >= v0 else v1
        out["nodes"] = m1.get("Nodes")
    except Exception as e:
        out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    await cdp.detach()
    await tab.close()
    return out


async def traced_visit(browser, context, base: str, page: str) -> dict:
    """One visit with the server's messages passed on one heavy element at a time, traced."""
    tab = await context.new_page()
    await tab.add_init_script(INIT_JS)
    elements: list[dict] = []
    finished = asyncio.Event()
    state = {"pending": 0, "error": None, "settle_fail": 0}
    queue: asyncio.Queue = asyncio.Queue()
    cache: dict[str, object] = {}  # ForwardMsg hash -> element (for ref_hash messages)

    async def settle() -> None:
        r = await tab.evaluate(SETTLE_JS, [QUIET_MS, SETTLE_MAX_MS])
        if not r["ok"]:
            state["settle_fail"] += 1

    async def pump(ws) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            while True:
                raw = await queue.get()
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                el = None
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    el = msg.delta.new_element
                    if msg.hash:
                        cache[msg.hash] = el
                elif kind == "ref_hash":
                    el = cache.get(msg.ref_hash)
                if el is not None and el.WhichOneof("type") == "heading":
                    state["heading"] = el.heading.body
                if el is not None and (
                    el.WhichOneof("type") in HEAVY
                    or (el.WhichOneof("type") == SPARK and len(el.metric.chart_data))
                ):
                    k = len(elements)
                    info = describe(el)
                    info["heading"] = state.get("heading", "")
                    info["path"] = list(msg.metadata.delta_path)
                    await settle()
                    await tab.evaluate(f"performance.mark('bench:start:{k}')")
                    ws.send(raw)
                    await settle()
                    await tab.evaluate(f"performance.mark('bench:end:{k}')")
                    elements.append(info)
                else:
                    ws.send(raw)
                if kind == "script_finished":
                    finished.set()
                queue.task_done()
        except Exception as e:  # the page closed under us, or a bug: say so
            state["error"] = f"{type(e).__name__}: {e}"
            finished.set()

    def handler(ws) -> None:
        server = ws.connect_to_server()
        server.on_message(queue.put_nowait)
        ws.on_message(server.send)
        state["pump"] = asyncio.ensure_future(pump(ws))

    await tab.route_web_socket("**/_stcore/stream", handler)
    out = {"page": page, "ok": False}
    await browser.start_tracing(page=tab, categories=CATEGORIES)
    trace = None
    try:
        await tab.goto(base + PAGES.get(page, "/"), timeout=VISIT_TIMEOUT_MS)
        await asyncio.wait_for(finished.wait(), VISIT_TIMEOUT_MS / 1000)
        await asyncio.wait_for(queue.join(), VISIT_TIMEOUT_MS / 1000)
        await settle()
        await wait_drawn_async(tab, _stable_ms(page), timeout=VISIT_TIMEOUT_MS)
        await tab.evaluate("performance.mark('bench:done')")
        out["ok"] = state["error"] is None
    except Exception as e:
        out["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    finally:
        trace = await browser.stop_tracing()
        if state.get("pump"):
            state["pump"].cancel()
        await tab.close()
    if state["error"]:
        out["error"] = state["error"]
    out["settle_fail"] = state["settle_fail"]
    out["elements"] = elements
    if trace:
        try:
            out.update(attribute(json.loads(trace), len(elements)))
        except Exception as e:
            out["ok"], out["error"] = False, f"trace: {type(e).__name__}: {e}"
    return out


# ---------------------------------------------------------------- reading the trace
def _top_level(events: list[dict]) -> list[dict]:
    """The complete events of one thread not nested in another (its tasks)."""
    events = sorted(events, key=lambda e: (e["ts"], -e["dur"]))
    out, end = [], -1
    for e in events:
        if e["ts"] >= end:
            out.append(e)
            end = e["ts"] + e["dur"]
    return out


def _in_window(tasks: list[dict], t0: float, t1: float, cpu: bool = True) -> float:
    """ms of the tasks inside [t0, t1) (CPU `tdur`, else wall `dur`; a task cut by an edge
    counts in proportion)."""
    total = 0.0
    for e in tasks:
        a, b = e["ts"], e["ts"] + e["dur"]
        if b <= t0 or a >= t1 or e["dur"] <= 0:
            continue
        share = (min(b, t1) - max(a, t0)) / e["dur"]
        total += share * (e.get("tdur", e["dur"]) if cpu else e["dur"])
    return total / 1000


def _self_times(events: list[dict]) -> list[tuple[float, float, str]]:
    """(start, self time µs, work kind) of every complete event of one thread; thread CPU
    (`tdur`) where the event has it, else wall time."""
    events = sorted(events, key=lambda e: (e["ts"], -e["dur"]))
    out, stack = [], []  # stack of [event, children's time]

    def cost(e) -> float:
        return e.get("tdur", e["dur"])

    def close(item):
        e, child = item
        out.append((e["ts"], max(0.0, cost(e) - child), WORK_OF.get(e["name"], "other")))

    for e in events:
        while stack and e["ts"] >= stack[-1][0]["ts"] + stack[-1][0]["dur"]:
            close(stack.pop())
        if stack:
            stack[-1][1] += cost(e)
        stack.append([e, 0.0])
    while stack:
        close(stack.pop())
    return out


def attribute(doc, n_elements: int) -> dict:
    """Per-element windows (between the bench:start:k / bench:end:k marks) and the rest."""
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    marks = {
        e["name"]: e
        for e in events
        if e.get("name", "").startswith("bench:") and "user_timing" in e.get("cat", "")
    }
    if "bench:done" not in marks:
        raise ValueError("no bench:done mark in the trace")
    pid, tid = marks["bench:done"]["pid"], marks["bench:done"]["tid"]
    procs = {
        e["pid"]: e["args"]["name"] for e in events if e.get("ph") == "M" and e.get("name") == "process_name"
    }
    gpu = {p for p, n in procs.items() if n == "GPU Process"}
    done = marks["bench:done"]["ts"]
    # the start of the navigation the marks were set in (a deck.gl map starts navigations
    # of its own, without a URL, in the same renderer)
    nav_id = (marks["bench:done"].get("args", {}).get("data") or {}).get("navigationId")
    navs = [
        e for e in events if e.get("name") == "navigationStart" and e.get("pid") == pid and e["ts"] < done
    ]
    ours = [
        e["ts"]
        for e in navs
        if nav_id and (e.get("args", {}).get("data") or {}).get("navigationId") == nav_id
    ]
    t_nav = min(
        ours
        or [e["ts"] for e in navs]
        or [min(e["ts"] for e in events if e.get("pid") == pid and e.get("ts"))]
    )
    main, others = [], {}
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        if e["pid"] == pid and e["tid"] == tid:
            main.append(e)
        elif e["pid"] == pid or e["pid"] in gpu:
            others.setdefault((e["pid"], e["tid"]), []).append(e)
    main_tasks = _top_level(main)
    other_tasks = [t for evs in others.values() for t in _top_level(evs)]
    selfs = _self_times(main)

    loads = _top_level([e for e in main if e["name"] in LOAD])

    def window(t0, t1) -> dict:
        work = {"script": 0.0, "layout": 0.0, "paint": 0.0, "other": 0.0}
        for ts, self_us, kind in selfs:
            if t0 <= ts < t1:
                work[kind] += self_us / 1000
        return {
            "main_ms": _in_window(main_tasks, t0, t1),
            "load_ms": _in_window(loads, t0, t1),
            "main_wall_ms": _in_window(main_tasks, t0, t1, cpu=False),
            "other_ms": _in_window(other_tasks, t0, t1),
            "work_wall_ms": work,
        }

    total = window(t_nav, done)
    per = []
    for k in range(n_elements):
        a, b = marks.get(f"bench:start:{k}"), marks.get(f"bench:end:{k}")
        per.append(window(a["ts"], b["ts"]) if a and b else None)
    rest = {
        key: total[key] - sum(p[key] for p in per if p)
        for key in ("main_ms", "main_wall_ms", "other_ms", "load_ms")
    }
    rest["work_wall_ms"] = {
        k: total["work_wall_ms"][k] - sum(p["work_wall_ms"][k] for p in per if p)
        for k in total["work_wall_ms"]
    }
    return {"total": total, "per_element": per, "rest": rest, "span_ms": (done - t_nav) / 1000}


# ---------------------------------------------------------------- the run
def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


async def measure(
    store: Path | None, tmp: Path, pages: list[str], repeat: int, traces: int, app_file: str = APP
) -> dict:
    from playwright.async_api import async_playwright

    out = {"pages": {}, "loadavg_start": os.getloadavg()}
    with (
        Server(BLANK_APP, None, tmp / "streamlit-blank.log") as blank,
        Server(app_file, store, tmp / "streamlit-app.log") as app,
    ):
        servers = {blank.pid, app.pid}
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                blank_ctx = await new_context(browser)
                await plain_visit(blank_ctx, blank.url, "blank", servers)  # warm-up
                for page in pages:
                    ctx = await new_context(browser, "kiosk" if page.startswith("kiosk") else page)
                    first = await plain_visit(ctx, app.url, page, servers)  # the first visit
                    plain, blanks, traced = [], [], []
                    load0 = os.getloadavg()[0]
                    for _ in range(repeat):
                        plain.append(await plain_visit(ctx, app.url, page, servers))
                        blanks.append(await plain_visit(blank_ctx, blank.url, "blank", servers))
                    for _ in range(traces):
                        traced.append(await traced_visit(browser, ctx, app.url, page))
                    await ctx.close()
                    out["pages"][page] = {
                        "first": first,
                        "plain": plain,
                        "blank": blanks,
                        "traced": traced,
                        "loadavg": load0,
                        "server_log": app.tail(10) if not all(v["ok"] for v in plain + traced) else None,
                    }
                    p = summarise(out["pages"][page])
                    log(
                        f"{page}: warm {fmt(p['warm_s'])} s (blank {fmt(p['blank_s'])} s, "
                        f"{fmt(p['ratio'])}×), browser CPU {fmt(p['browser_cpu_s'])} s, "
                        f"main thread {fmt(p['ThreadTime'])} s, {len(p['elements'])} elements"
                    )
                await blank_ctx.close()
            finally:
                await browser.close()
    out["loadavg_end"] = os.getloadavg()
    return out


def summarise(p: dict) -> dict:
    """Medians of one page's visits; per element the median over the traced visits."""
    ok = [v for v in p["plain"] if v["ok"]]
    bl = [v for v in p["blank"] if v["ok"]]
    s = {
        k: _median([v.get(k) for v in ok])
        for k in (
            "s",
            "browser_cpu_s",
            "TaskDuration",
            "ScriptDuration",
            "LayoutDuration",
            "RecalcStyleDuration",
            "ThreadTime",
            "ProcessTime",
            "nodes",
        )
    }
    s["warm_s"], s["warm_min_s"], s["warm_max_s"] = (
        s.pop("s"),
        min((v["s"] for v in ok), default=None),
        max((v["s"] for v in ok), default=None),
    )
    s["blank_s"] = _median([v["s"] for v in bl])
    s["blank_cpu_s"] = _median([v["browser_cpu_s"] for v in bl])
    s["blank_ThreadTime"] = _median([v["ThreadTime"] for v in bl])
    s["ratio"] = s["warm_s"] / s["blank_s"] if s["warm_s"] and s["blank_s"] else None
    s["cpu_ratio"] = (
        s["browser_cpu_s"] / s["blank_cpu_s"] if s["browser_cpu_s"] and s["blank_cpu_s"] else None
    )
    s["ok"] = f"{len(ok)}/{len(p['plain'])}"
    tr = [t for t in p["traced"] if t.get("ok") and t.get("per_element") is not None]
    s["traced_ok"] = f"{len(tr)}/{len(p['traced'])}"
    s["elements"] = []
    if tr:
        n = min(len(t["elements"]) for t in tr)
        for k in range(n):
            info = dict(tr[0]["elements"][k])
            vals = [t["per_element"][k] for t in tr if t["per_element"][k]]
            info["main_ms"] = _median([v["main_ms"] for v in vals])
            info["other_ms"] = _median([v["other_ms"] for v in vals])
            info["load_ms"] = _median([v["load_ms"] for v in vals])
            info["work_wall_ms"] = {
                w: _median([v["work_wall_ms"][w] for v in vals])
                for w in ("script", "layout", "paint", "other")
            }
            s["elements"].append(info)
        s["rest_main_ms"] = _median([t["rest"]["main_ms"] for t in tr])
        s["rest_other_ms"] = _median([t["rest"]["other_ms"] for t in tr])
        s["rest_load_ms"] = _median([t["rest"]["load_ms"] for t in tr])
        s["traced_main_ms"] = _median([t["total"]["main_ms"] for t in tr])
        s["traced_other_ms"] = _median([t["total"]["other_ms"] for t in tr])
        s["settle_fail"] = sum(t.get("settle_fail", 0) for t in tr)
    s["errors"] = sorted({v["error"] for v in p["plain"] + p["traced"] + [p["first"]] if v.get("error")})
    return s


# ---------------------------------------------------------------- report
def fmt(v, digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _cell(text, width: int) -> str:
    text = str(text or "").replace("|", "/").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def markdown(doc: dict) -> str:
    m = doc["meta"]
    L = [
        f"# Browser time per page and per element ({m['when']})",
        "",
        f"`python -m benchmarks.trace {' '.join(m['argv'])}` · git {m['git']} · store "
        f"{m['store']} · {m['cpus']} CPUs · load average {m['loadavg_start'][0]:.1f} → "
        f"{m['loadavg_end'][0]:.1f} · {m['repeat']} plain + {m['traces']} traced warm visits "
        "per page",
        "",
        "## Per page (warm, plain visits; medians)",
        "",
        "Page s: navigation start → drawn (benchmarks/pagewait.py). Ratio: page / blank Streamlit"
        " page, visited alternately in the same run. Browser CPU: all Chromium processes (and"
        " Playwright's driver) per visit, from /proc. CDP Performance.getMetrics of the page's"
        " renderer: TaskDuration (wall time of its main-thread tasks), ScriptDuration, Layout"
        " (Layout + RecalcStyle), ThreadTime (main-thread CPU).",
        "",
        "| page | warm s (min–max) | blank s | ratio | browser CPU s | blank CPU s | CPU ratio "
        "| TaskDuration s | ScriptDuration s | Layout s | main-thread CPU s | blank main-thread "
        "CPU s | DOM nodes | load |",
        "|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, p in doc["summary"].items():
        L.append(
            f"| {name} | {fmt(p['warm_s'])} ({fmt(p['warm_min_s'])}–{fmt(p['warm_max_s'])})"
            f" | {fmt(p['blank_s'])} | {fmt(p['ratio'])}× | {fmt(p['browser_cpu_s'])} | "
            f"{fmt(p['blank_cpu_s'])} | {fmt(p['cpu_ratio'])}× | {fmt(p['TaskDuration'])} | "
            f"{fmt(p['ScriptDuration'])} | "
            f"{fmt((p['LayoutDuration'] or 0) + (p['RecalcStyleDuration'] or 0))} | "
            f"{fmt(p['ThreadTime'])} | {fmt(p['blank_ThreadTime'])} | {fmt(p['nodes'], 0)} | "
            f"{doc['pages'][name]['loadavg']:.1f} |"
        )
    L += [
        "",
        "## Per element (warm, serialised traced visits; medians)",
        "",
        "Main ms: CPU of the renderer's main thread between the marks set before and after the"
        " element was handed to the page (see benchmarks/README.md). Other ms: the renderer's"
        " other threads and the GPU process in the same window. Share: of the page's traced"
        " main-thread total. Script / layout / paint: split of the main thread's wall time in"
        " the window by trace event (self time). Points: plotted values (Plotly), features or"
        " rows (deck.gl layers), cells (dataframe).",
        "",
        "| page | # | element | under heading | title / traces / layers | points | main ms "
        "| share | of which code load ms | other ms | script / layout / paint / other ms |",
        "|:--|---:|:--|:--|:--|---:|---:|---:|---:|---:|:--|",
    ]
    for name, p in doc["summary"].items():
        tot = p.get("traced_main_ms")
        for k, e in enumerate(p["elements"]):
            w = e["work_wall_ms"]
            L.append(
                f"| {name} | {k + 1} | {e['kind']}{' (static)' if e.get('static') else ''}"
                f" | {_cell(e.get('heading'), 30)} | {_cell(e.get('title'), 60)} | "
                f"{e.get('points', 0)} | {fmt(e['main_ms'], 0)} | "
                f"{fmt(100 * e['main_ms'] / tot if tot and e['main_ms'] else None, 0)} % | "
                f"{fmt(e['load_ms'], 0)} | {fmt(e['other_ms'], 0)} | "
                f"{fmt(w['script'], 0)} / {fmt(w['layout'], 0)} / "
                f"{fmt(w['paint'], 0)} / {fmt(w['other'], 0)} |"
            )
        if tot is not None:
            rest = p["rest_main_ms"]
            L.append(
                f"| {name} | | *Streamlit framework + light elements* | | | | {fmt(rest, 0)} |"
                f" {fmt(100 * rest / tot if tot else None, 0)} % | {fmt(p['rest_load_ms'], 0)}"
                f" | {fmt(p['rest_other_ms'], 0)} | |"
            )
            L.append(
                f"| {name} | | **traced total** | | | | **{fmt(tot, 0)}** | 100 % | | "
                f"{fmt(p['traced_other_ms'], 0)} | |"
            )
    errs = [f"- {n}: {'; '.join(p['errors'])}" for n, p in doc["summary"].items() if p["errors"]]
    fails = [
        f"- {n}: {p['settle_fail']} settle waits ran out ({SETTLE_MAX_MS} ms)"
        for n, p in doc["summary"].items()
        if p.get("settle_fail")
    ]
    if errs or fails:
        L += ["", "## Problems", "", *errs, *fails]
    return "\n".join(L) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.trace",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--pages", default=",".join(PAGES), help=f"comma-separated, of {', '.join(PAGES)} (default all)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="plain warm visits per page (3)")
    ap.add_argument("--traces", type=int, default=2, help="traced warm visits per page (2)")
    ap.add_argument("--store", help="serve this store (read only); else the demo county at 1×")
    ap.add_argument(
        "--lab", action="store_true", help="measure benchmarks/element_lab.py's variants instead of the pages"
    )
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    ap.add_argument("--tmp", default="/tmp")
    args = ap.parse_args(argv)
    if args.lab:
        from benchmarks.element_lab import VARIANTS

        PAGES.clear()
        PAGES.update({f"lab-{v}": f"/?v={v}" for v in VARIANTS})
        if args.pages == ap.get_default("pages"):
            args.pages = ",".join(PAGES)
    pages = [p for p in args.pages.split(",") if p]
    if unknown := [p for p in pages if p not in PAGES]:
        ap.error(f"unknown pages: {', '.join(unknown)}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from benchmarks.run import git_version
    from benchmarks.soak import make_store

    tmp = Path(tempfile.mkdtemp(prefix="dashboard-trace-", dir=args.tmp))
    try:
        store = None if args.lab else Path(args.store) if args.store else make_store(1, tmp)
        meta = {
            "when": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "argv": list(argv if argv is not None else sys.argv[1:]),
            "git": git_version(),
            "store": "none (lab)" if args.lab else str(store) if args.store else "demo 1×",
            "cpus": os.cpu_count(),
            "repeat": args.repeat,
            "traces": args.traces,
            "viewport": VIEWPORT,
            "kiosk_viewport": KIOSK_VIEWPORT,
        }
        res = asyncio.run(measure(store, tmp, pages, args.repeat, args.traces, LAB_APP if args.lab else APP))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta["loadavg_start"], meta["loadavg_end"] = res["loadavg_start"], res["loadavg_end"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = meta["when"].replace(":", "").replace("-", "")[:15]
    (out / f"trace-{stamp}-raw.json").write_text(
        json.dumps({"meta": meta, "pages": res["pages"]}, ensure_ascii=False, default=str), encoding="utf-8"
    )
    doc = {"meta": meta, "pages": res["pages"], "summary": {n: summarise(p) for n, p in res["pages"].items()}}
    md = markdown(doc)
    for name in ("lab-latest" if args.lab else "trace-latest", f"trace-{stamp}"):
        (out / f"{name}.md").write_text(md, encoding="utf-8")
        (out / f"{name}.json").write_text(
            json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
    print(md)
    return 0 if all(not p["errors"] for p in doc["summary"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
