"""What the page tests (AppTest) share: opening app.py on a store, signing in, and reading what a
page shows (tiles, Plotly charts). Fixtures live in conftest.py; this module holds plain
functions, imported as `from helpers import ...` (tests/ is on sys.path, as for conftest)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Chinese text and punctuation
PASSWORD = "border-2021"  # the password the tests give the users they add


def app(monkeypatch, store, timeout: float = 60, **query_params):
    """app.py in AppTest on `store` (a Store; DASHBOARD_STORE points to its root), Streamlit's
    caches cleared first (they hold the previous store), opened with the URL parameters given
    (lang=, township=, week=, ...), already run once."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DASHBOARD_STORE", str(store.root))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(query_params)
    return at.run()


def login(at, name: str, password: str = PASSWORD):
    """Fill in the login form of `at` and submit it; the app after that run."""
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def tiles(at) -> dict[str, str]:
    """Metric label -> the figure shown."""
    return {m.label: m.value for m in at.metric}


def charts(at) -> dict[str, dict]:
    """Plotly specs by the chart's element key (e.g. compliance_trend, cp_heatmap)."""
    return {c.proto.id.split("-", 2)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def numbers(values) -> list:
    """A plotly array: a list, or numbers packed as {"dtype": ..., "bdata": base64} (with a
    "shape", such as "4, 168", when it has more than one dimension)."""
    if isinstance(values, dict):
        arr = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        if "shape" in values:
            arr = arr.reshape([int(n) for n in str(values["shape"]).split(",")])
        return arr.tolist()
    return list(values)


def progress_bars(at) -> list[tuple[str, str, str, int]]:
    """The training progress bars (ui.kind_progress), in page order: (kind, "done / target
    (share)" as read, its tone: good (green) / warn (amber) / none (grey), how full in %)."""
    import html

    return [
        (html.unescape(kind), html.unescape(said), tone, int(value))
        for m in at.markdown
        for value, kind, said, tone in re.findall(
            r'role="progressbar"[^>]*aria-valuenow="(\d+)" aria-label="(.*?): (.*?)" data-tone="(\w+)"',
            m.value,
        )
    ]


def is_bars(text: str) -> bool:
    """Whether a markdown element is ui.kind_progress's HTML (its words: progress_bars)."""
    return 'role="progressbar"' in text


def open_boxes(at, *keys: str):
    """Open the charts drawn on request (ui.on_request) under `keys`, as a leader clicking on
    them does, and run the page again."""
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def heatmap(text: str) -> dict | None:
    """The checkpoints heatmap drawn in HTML (charts.checkpoints.heatmap_html) as a user sees
    it, or None when `text` is not one: names (top first), days (the labels on top), legend
    [(label, colour)], state (rows x 168 hours: 0 nobody on duty, 1 short, 2 staffed, NaN no
    slot; read from each cell's colour and width), colour (rows x 168 colours), tips
    [(row, first hour, hours, tooltip)], row_px (a row's height)."""
    from html.parser import HTMLParser

    if 'data-heatmap="checkpoints"' not in text:
        return None
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    colours = dict(re.findall(r"\.cph \.(\w+)\{background:([#\w]+)\}", style))
    row_px = int(re.search(r"\.cph \.h\{[^}]*height:(\d+)px", style).group(1))
    by_colour = {colours["e"]: 0.0, colours["s"]: 1.0, colours["ok"]: 2.0}

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack, self.names, self.days, self.legend, self.rows = [], [], [], [], []
            self.where = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            cls = a.get("class", "")
            parent = self.stack[-1] if self.stack else ""
            self.stack.append(cls)
            if cls == "n":
                self.names.append("")
                self.where = "name"
            elif cls == "h":
                self.rows.append([])
            elif tag == "i" and parent == "h":
                span = int(re.search(r"flex:(\d+)", a["style"]).group(1))
                self.rows[-1].append((colours.get(cls, "transparent"), span, a.get("title")))
            elif tag == "i" and "k" in self.stack[:-1]:
                self.legend.append(["", colours[cls]])
                self.where = "legend"
            elif tag == "span" and parent == "d" and len(self.days) < 7:
                self.days.append("")
                self.where = "day"

        def handle_endtag(self, tag):
            if self.stack:
                self.stack.pop()
            if tag in ("div", "span") and self.where in ("name", "day", "legend"):
                self.where = None

        def handle_data(self, data):
            if self.where == "name":
                self.names[-1] += data
            elif self.where == "day":
                self.days[-1] += data
            elif self.where == "legend" and self.legend:
                self.legend[-1][0] += data

    r = Reader()
    r.feed(text)
    state = np.full((len(r.rows), 168), np.nan)
    colour = np.full((len(r.rows), 168), "", dtype=object)
    tips = []
    for i, cells in enumerate(r.rows):
        hour = 0
        for c, span, tip in cells:
            state[i, hour : hour + span] = by_colour.get(c, np.nan)
            colour[i, hour : hour + span] = c
            if tip is not None:
                tips.append((i, hour, span, tip))  # the parser decoded its entities
            hour += span
        assert hour == 168, f"row {i}: {hour} hours"
    return {
        "names": r.names,
        "days": r.days,
        "legend": [tuple(x) for x in r.legend],
        "state": state,
        "colour": colour,
        "tips": tips,
        "row_px": row_px,
    }


def page_heatmap(at) -> dict | None:
    """heatmap() of the page's heatmap element (a markdown element), or None if it has none."""
    found = [h for h in (heatmap(m.value) for m in at.markdown) if h is not None]
    assert len(found) <= 1
    return found[0] if found else None


# ------------------------------------------------------------------ the quick maps (charts.svgmap)
SVG = "{http://www.w3.org/2000/svg}"


def is_quick_map(text: str) -> bool:
    """Whether a markdown element is a quick map (the SVG drawn on load)."""
    return 'class="svgmap"' in text


def quick_map(at):
    """The <svg> element of the page's quick map (xml.etree), None when none is drawn."""
    import xml.etree.ElementTree as ET

    maps = [m.value for m in at.markdown if is_quick_map(m.value)]
    assert len(maps) <= 1, "one map per page"
    return ET.fromstring(maps[0])[0] if maps else None


def quick_map_marks(at, cls: str) -> list:
    """The marks (paths or circles) of the quick map's group `cls` (grids, branches,
    checkpoints, grid-townships …)."""
    svg = quick_map(at)
    return [el for g in svg.iter(SVG + "g") if g.get("class") == cls for el in g]


def quick_map_texts(at) -> list[str]:
    """The words of the quick map a user reads as labels: the hover texts without their first
    line (the grid's, branch's or checkpoint's own name) and the names written on the map."""
    svg = quick_map(at)
    if svg is None:
        return []
    out = ["\n".join((t.text or "").split("\n")[1:]) for t in svg.iter(SVG + "title")]
    return [*out, *(t.text or "" for t in svg.iter(SVG + "text") if t.get("class") != "area-name")]


def interactive_map(at, key: str):
    """Choose the interactive map (the switch above the map, `key`) and run the page again."""
    at.session_state[key] = "interactive"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit_next_week(store, township: str, week: str = "2021-12-27", by: str = "clerk") -> int:
    """A township reporter's submission of the week after `week`: its grid reports and
    checkpoint shifts of `week` again, a week later (tests/test_ingest_township.py's way).
    Returns the version published; the other townships have not reported that week."""
    import datetime as dt
    import tempfile

    from dashboard import contract, ingest

    from conftest import csv_text

    con = store.connect()
    try:
        grids = con.execute(
            "SELECT r.* FROM grid_weekly r JOIN grids_in_scope($t) g USING (grid_id) WHERE r.week_start = $w",
            {"t": township, "w": week},
        ).df()
        shifts = con.execute(
            "SELECT s.* FROM checkpoint_shifts s JOIN checkpoints c USING (checkpoint_id)"
            " WHERE c.township_id = $t AND s.shift_start >= $w::TIMESTAMP"
            " AND s.shift_start < $w::TIMESTAMP + INTERVAL 7 DAY",
            {"t": township, "w": week},
        ).df()
    finally:
        con.close()
    later = dt.timedelta(days=7)
    folder = Path(tempfile.mkdtemp(prefix="next-week-"))
    paths = []
    for table, df, moved in (
        ("grid_weekly", grids, ("week_start",)),
        ("checkpoint_shifts", shifts, ("shift_start", "shift_end")),
    ):
        if not len(df):
            continue
        rows = []
        for r in df.to_dict("records"):
            for col in moved:
                r[col] = (r[col] + later).strftime("%Y-%m-%d %H:%M" if col != "week_start" else "%Y-%m-%d")
            rows.append({c: r.get(c) for c in contract.TABLES[table].column_names})
        path = folder / f"{table}.csv"
        path.write_text(csv_text(table, rows))
        paths.append(path)
    result = ingest.load(paths, store, township=township, by=by)
    assert result.ok, [str(e) for e in result.errors]
    return result.version
