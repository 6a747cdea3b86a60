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
