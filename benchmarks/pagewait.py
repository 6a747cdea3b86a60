"""When is a Streamlit page "drawn"? One definition, shared by the browser tests
(tests/test_browser.py, tests/test_kiosk_browser.py) and the browser benchmarks
(benchmarks/browser.py, benchmarks/soak.py).

A page is drawn when the script has run (`stApp` reports `data-test-script-state=notRunning`),
no lazily loaded element still shows its skeleton, every Plotly chart has its SVG and every
deck.gl map its canvas, and the page has then stayed unchanged (same number of elements, same
text length) for `stable_ms`. The script state turns idle before lazily loaded elements replace
their skeletons and charts draw, hence the extra conditions.

`window.__settle.since` (milliseconds of `performance.now()`, i.e. since the navigation of the
current document started) is the first moment the page was seen in its final, drawn state: the
benchmarks report it as the page time, so the `stable_ms` the wait adds is not counted.

Note: a deck.gl map's canvas exists before it is painted (software WebGL, no GPU here); the
predicate does not wait for the paint.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"  # Debian's chromium; Playwright never downloads a browser
# The same flags as tests/conftest.py (CHROMIUM_ARGS): nothing calls out from the browser.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

STABLE_MS = 300  # ms the page must stay unchanged to count as drawn (pages)
KIOSK_STABLE_MS = 700  # the meeting screen draws its slide in several steps
POLL_MS = 100  # how often the predicate is evaluated

_DRAWN = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid=stSkeleton]')) return false;
    const drawn = (sel, inner) =>
        Array.from(document.querySelectorAll(sel)).every(e => e.querySelector(inner));
    if (!drawn('[data-testid=stPlotlyChart]', 'svg.main-svg')) return false;
    if (!drawn('[data-testid=stDeckGlJsonChart]', 'canvas')) return false;
    const sig = document.getElementsByTagName('*').length + ':' + document.body.textContent.length;
    const now = performance.now(), last = window.__settle;
    if (!last || last.sig !== sig) { window.__settle = {sig: sig, since: now}; return false; }
    return now - last.since >= %d;
}"""

RESET = "window.__settle = null"
DRAWN_AT = "window.__settle ? window.__settle.since : null"


def drawn_predicate(stable_ms: int = STABLE_MS) -> str:
    """The JavaScript predicate for `page.wait_for_function`: true once the page is drawn and
    has stayed unchanged for `stable_ms`."""
    return _DRAWN % int(stable_ms)


DRAWN = drawn_predicate(STABLE_MS)
KIOSK_DRAWN = drawn_predicate(KIOSK_STABLE_MS)


def wait_drawn(
    page, stable_ms: int = STABLE_MS, timeout: float | None = None, polling: int = POLL_MS
) -> float | None:
    """Wait (Playwright sync API) until `page` is drawn; return when it first was, in ms since
    the current document's navigation started (None if the page cannot say)."""
    page.evaluate(RESET)
    page.wait_for_function(drawn_predicate(stable_ms), polling=polling, timeout=timeout)
    return page.evaluate(DRAWN_AT)


async def wait_drawn_async(
    page, stable_ms: int = STABLE_MS, timeout: float | None = None, polling: int = POLL_MS
) -> float | None:
    """The same for the Playwright async API."""
    await page.evaluate(RESET)
    await page.wait_for_function(drawn_predicate(stable_ms), polling=polling, timeout=timeout)
    return await page.evaluate(DRAWN_AT)
