"""The meeting screen (`?kiosk=1`) in headless Chromium at 1920 x 1080, on servers of its own
over copies of the demo county (a presenter and a load write into the store; the shared
`server` is read-only): it rotates through its slides without a click, shows no Streamlit
chrome, nothing is cut off, a load published from the command line while it runs appears on
it, and the presenter page switches its township and slide.

Screenshots of each slide land in artifacts/screenshots/kiosk-<slide>.png (Chinese) and
kiosk-<slide>-en.png. Run with `pytest -m browser`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.pagewait import KIOSK_STABLE_MS, wait_drawn
from dashboard import contract, i18n, screens
from dashboard.store import Store

from conftest import ROOT, streamlit_server

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser

SHOTS = ROOT / "artifacts" / "screenshots"
FULL_HD = {"width": 1920, "height": 1080}
TIMEOUT = 90_000  # ms; generous: the machine may be busy
DECK_MS = 8_000  # ms to paint a map in software WebGL (no GPU here)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


# ------------------------------------------------------------------ servers and pages
def copy_of(demo_store: Store, folder: Path) -> Store:
    shutil.copytree(demo_store.root, folder / "store")
    return Store(folder / "store")


@pytest.fixture(scope="module")
def kiosk_store(demo_store, tmp_path_factory) -> Store:
    return copy_of(demo_store, tmp_path_factory.mktemp("kiosk"))


@pytest.fixture(scope="module")
def kiosk_server(kiosk_store, tmp_path_factory, request):
    log = tmp_path_factory.mktemp("kiosk-server") / "streamlit.log"
    with streamlit_server(kiosk_store.root, log, request, name="kiosk_server") as url:
        yield url


@pytest.fixture
def fresh_kiosk(demo_store, tmp_path, request):
    """A server of its own over a copy of its own, for a test that publishes a version:
    yields (base URL, store)."""
    store = copy_of(demo_store, tmp_path)
    with streamlit_server(store.root, tmp_path / "streamlit.log", request, name="fresh_kiosk") as url:
        yield url, store


@pytest.fixture
def browser_context(browser):
    ctx = browser.new_context(viewport=FULL_HD, locale="zh-CN", timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(TIMEOUT)
    yield ctx
    ctx.close()


class Screen:
    """A browser tab on the meeting screen, recording every request it makes."""

    def __init__(self, context, base: str, **query):
        self.page = context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        query = {"kiosk": "1", **query}
        self.page.goto(base + "/?" + "&".join(f"{k}={v}" for k, v in query.items()))
        self.line("kiosk-title").wait_for()

    def line(self, key: str):
        return self.page.locator(f".st-key-{key}")

    def text(self, key: str) -> str:
        return self.line(key).inner_text().strip()

    def drawn(self) -> Screen:
        # the script idle, every chart and map drawn, the page unchanged a moment
        wait_drawn(self.page, KIOSK_STABLE_MS)  # benchmarks/pagewait.py
        return self

    def box(self, key: str) -> dict:
        return self.line(key).bounding_box()

    def outside_requests(self) -> list[str]:
        return [
            u
            for u in self.requests
            if not u.startswith(("data:", "blob:", "about:"))
            and re.match(r"^\w+://([^/:]+)", u).group(1) not in LOCAL_HOSTS
        ]


# ------------------------------------------------------------------ tests
def test_rotates_through_every_slide_without_a_click(kiosk_server, browser_context):
    screen = Screen(browser_context, kiosk_server, interval=3, screen="rotation")
    titles = {i18n.t(f"page.{s}"): s for s in screens.SLIDES}
    read = """() => ['kiosk-title', 'kiosk-position'].map(
        k => (document.querySelector('.st-key-' + k) || {}).innerText)"""
    seen, last, started = [], None, time.monotonic()
    while len(seen) < len(screens.SLIDES) + 1 and time.monotonic() - started < 180:
        now = tuple(screen.page.evaluate(read))
        # title and position are drawn one after the other: count a pair read twice running
        if now == last and now[0] in titles and (not seen or seen[-1][0] != titles[now[0]]):
            seen.append((titles[now[0]], now[1].strip()))
        last = now
        time.sleep(0.1)
    n = len(screens.SLIDES)
    assert seen == [(s, f"{i} / {n}") for i, s in enumerate(screens.SLIDES, 1)] + [("overview", f"1 / {n}")]
    assert screen.page.locator("[data-testid=stException]").count() == 0
    assert screen.outside_requests() == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_slide_fills_the_screen_without_chrome_or_cut_offs(kiosk_server, browser_context, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for slide in screens.SLIDES:
        query = {"slides": slide, "interval": 600, "screen": f"shots-{lang}"}
        screen = Screen(browser_context, kiosk_server, **query, **({"lang": lang} if lang == "en" else {}))
        screen.drawn()
        page = screen.page
        if page.locator("[data-testid=stDeckGlJsonChart]").count():
            page.wait_for_timeout(DECK_MS)  # a map's canvas exists before it is painted
        assert page.locator("[data-testid=stException]").count() == 0
        assert screen.text("kiosk-title") == i18n.t(f"page.{slide}", lang)
        for chrome in (
            "stHeader",
            "stToolbar",
            "stSidebar",
            "stMainMenu",
            "stStatusWidget",
            "stSidebarCollapsedControl",
        ):
            assert not page.locator(f"[data-testid={chrome}]").is_visible(), chrome
        # the slide ends above the status line, which sits on the bottom edge, all inside 16:9
        slide_box, foot = screen.box(f"slide-{slide}"), screen.box("kiosk-foot")
        assert foot["y"] + foot["height"] == pytest.approx(1080, abs=1)
        assert slide_box["y"] + slide_box["height"] <= foot["y"] + 1
        assert page.evaluate("""() => [document.scrollingElement, document.querySelector(
            '[data-testid=stMain]')].every(e => e.scrollHeight <= e.clientHeight + 1)""")
        overflow = page.evaluate("""() => Array.from(document.querySelectorAll(
            '[class*=st-key-t] p, [class*=st-key-kiosk] p, [class*=st-key-lg-] p'))
            .filter(p => p.getBoundingClientRect().right > window.innerWidth + 1
                      || p.scrollWidth > p.clientWidth + 1).map(p => p.innerText)""")
        assert overflow == []
        # always on the screen: week, version, refresh time, township, position
        status = screen.text("kiosk-status")
        assert i18n.t("kiosk.version", lang, version=1) in status
        assert re.search(r"\d\d:\d\d:\d\d", status)
        assert screen.text("kiosk-place") == i18n.t("filter.county", lang)
        assert screen.text("kiosk-position") == "1 / 1"
        page.screenshot(path=str(SHOTS / f"kiosk-{slide}{'-en' if lang == 'en' else ''}.png"))
        assert screen.outside_requests() == []
        page.close()


def test_a_load_from_the_command_line_appears_while_the_screen_runs(fresh_kiosk, browser_context, tmp_path):
    base, store = fresh_kiosk
    screen = Screen(browser_context, base, slides="overview", interval=3)
    expect(screen.line("tvalue-compliance")).to_have_text("122 / 122")
    expect(screen.line("kiosk-status")).to_contain_text(i18n.t("kiosk.version", version=1))

    first = list(contract.CRITERIA)[0]
    rows = [f"B001,2021-12-28,{c},{'false' if c == first else 'true'}," for c in contract.CRITERIA]
    changed = tmp_path / "branch_assessments.csv"
    changed.write_text("branch_id,assessed_on,criterion,passed,note\n" + "\n".join(rows) + "\n", "utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "--store",
            str(store.root),
            "load",
            str(changed),
            "--by",
            "tests",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert store.current() == 2

    # nobody touches the screen: its next tick shows the new version
    expect(screen.line("tvalue-compliance")).to_have_text("121 / 122", timeout=30_000)
    expect(screen.line("kiosk-status")).to_contain_text(i18n.t("kiosk.version", version=2))
    expect(screen.line("tile-bad-compliance")).to_be_visible()
    assert screen.page.locator("[data-testid=stException]").count() == 0


def test_presenter_switches_the_screens_township_and_slide(kiosk_server, browser_context):
    screen = Screen(browser_context, kiosk_server, interval=60, screen="presenter-test")
    expect(screen.line("kiosk-place")).to_have_text("全县")
    expect(screen.line("kiosk-title")).to_have_text(i18n.t("page.overview"))

    panel = browser_context.new_page()
    panel.goto(f"{kiosk_server}/presenter?screen=presenter-test")
    expect(panel.locator("[data-testid=stMain] h1")).to_contain_text("presenter-test")
    panel.locator(
        f"[data-testid=stMain] input[role=combobox][aria-label='{i18n.t('presenter.township')}']"
    ).click()
    panel.get_by_role("option", name="公信乡", exact=True).click()
    expect(panel.locator("[data-testid=stAlert]", has_text=i18n.t("presenter.running"))).to_contain_text(
        "公信乡"
    )

    # the screen follows on its next tick (at most screens.POLL seconds), untouched
    expect(screen.line("kiosk-place")).to_have_text("公信乡", timeout=(screens.POLL + 15) * 1000)
    # 公信乡 has no community grids: the grid slide is left out of its 7
    expect(screen.line("kiosk-position")).to_have_text("1 / 6")

    panel.get_by_role("button", name=i18n.t("page.checkpoints"), exact=True).click()
    expect(screen.line("kiosk-title")).to_have_text(
        i18n.t("page.checkpoints"), timeout=(screens.POLL + 15) * 1000
    )
    panel.get_by_role("button", name=i18n.t("presenter.pause")).click()
    expect(screen.line("kiosk-paused")).to_have_text(
        i18n.t("kiosk.paused"), timeout=(screens.POLL + 15) * 1000
    )

    panel.get_by_role("button", name=i18n.t("presenter.release")).click()
    expect(screen.line("kiosk-place")).to_have_text("全县", timeout=(screens.POLL + 15) * 1000)
    assert screen.page.locator("[data-testid=stException]").count() == 0
    assert panel.locator("[data-testid=stException]").count() == 0
    panel.close()
