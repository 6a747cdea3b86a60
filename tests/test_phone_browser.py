"""The phone a warning lands on (issue 20 §4), in headless Chromium at 390×844 (mobile, touch):
every page of every role fits the screen without sideways scrolling, with the sidebar closed
and no map label under 11 px; the overview shows what needs attention in its first screen,
and on a laptop (1366×768) above the fold; the sidebar closes again after a township is picked
and at the next visit of a leader who left it open. One server, one browser, a context per role.

Run with `pytest -m browser tests/test_phone_browser.py`.
"""

from __future__ import annotations

import shutil

import pytest

from benchmarks.pagewait import wait_drawn
from dashboard import auth, i18n, ui
from dashboard.store import Store

from conftest import streamlit_server

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser

PASSWORD = "border-2021"
TIMEOUT = 90_000
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
ROLES = ("open", "admin", "leader", "township", "reporter")

MEASURE = """() => {
  const att = document.querySelector('.st-key-attention');
  const bar = document.querySelector('[data-testid=stSidebar]');
  const visible = e => e.getClientRects().length > 0;
  const labels = Array.from(document.querySelectorAll('.svgmap text')).filter(visible)
      .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  return {scroll: document.documentElement.scrollWidth, attention: att && att.getBoundingClientRect().top,
          collapsed: bar ? bar.getAttribute('data-collapsed') : 'none',
          sidebarRight: bar ? bar.getBoundingClientRect().right : 0, labels: labels};
}"""


@pytest.fixture(scope="module")
def servers(demo_store, tmp_path_factory, request):
    """(open URL, URL with users): the demo county without users (demo mode), and a copy with
    one user of each role."""
    root = tmp_path_factory.mktemp("phone")
    shutil.copytree(demo_store.root, root / "store")
    users = auth.Users(Store(root / "store").root)
    users.add("admin", "admin", PASSWORD)
    users.add("leader", "leader", PASSWORD)
    users.add("township", "township", PASSWORD, "T01")
    users.add("reporter", "reporter", PASSWORD, "T01")
    with (
        streamlit_server(demo_store.root, root / "open.log", request, name="servers") as open_url,
        streamlit_server(root / "store", root / "users.log", request, name="servers_users") as users_url,
    ):
        yield open_url, users_url


def pages_of(role: str) -> tuple[str, ...]:
    pages = ui.PAGES + ui.SCREEN_PAGES + ui.BOARD_PAGES
    return pages + ui.ADMIN_PAGES if role in ("open", "admin", "reporter") else pages


def sign_in(page, base: str, role: str) -> None:
    page.goto(base + "/")
    if role == "open":
        return
    page.get_by_label(i18n.t("auth.name")).fill(role)
    page.get_by_label(i18n.t("auth.password")).fill(PASSWORD)
    page.get_by_role("button", name=i18n.t("auth.submit")).click()
    expect(page.get_by_text(f"当前用户：{role}")).to_be_visible(timeout=TIMEOUT)
    wait_drawn(page)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_with_the_sidebar_closed(servers, browser, role):
    base = servers[0] if role == "open" else servers[1]
    ctx = browser.new_context(**PHONE, locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        sign_in(page, base, role)
        for name in pages_of(role):
            page.goto(base + ("/" if name == "overview" else f"/{name}"))
            wait_drawn(page)
            m = page.evaluate(MEASURE)
            assert m["scroll"] <= 390, (role, name, m)
            assert m["collapsed"] in ("true", "none") and m["sidebarRight"] <= 0, (role, name, m)
            assert all(size >= 11 for size in m["labels"]), (role, name, m["labels"])
            if name == "overview":
                assert m["attention"] is not None and m["attention"] < 844 - 100, (role, m)
                first = page.locator(".st-key-attention [data-testid=stText]").first
                expect(first).to_be_visible()
                assert first.bounding_box()["y"] < 844, role
    finally:
        ctx.close()


def test_the_sidebar_closes_after_a_pick_and_at_the_next_visit(servers, browser):
    ctx = browser.new_context(**PHONE, locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        page.goto(servers[0] + "/grids")
        wait_drawn(page)
        bar = page.locator("[data-testid=stSidebar]")
        expect(bar).to_have_attribute("data-collapsed", "true")
        page.locator("[data-testid=stExpandSidebarButton]").click()
        expect(bar).to_have_attribute("data-collapsed", "false")
        page.locator("[data-testid=stSidebar] input[role=combobox]").first.click()
        page.get_by_role("option", name="勐马镇").click()
        expect(page.locator("[data-testid=stMain] h1").first).to_contain_text("勐马镇")
        expect(bar).to_have_attribute("data-collapsed", "true")
        # opened and left open: Streamlit remembers it, the next visit closes it again
        page.locator("[data-testid=stExpandSidebarButton]").click()
        expect(bar).to_have_attribute("data-collapsed", "false")
        again = ctx.new_page()
        again.goto(servers[0] + "/")
        wait_drawn(again)
        expect(again.locator("[data-testid=stSidebar]")).to_have_attribute("data-collapsed", "true")
    finally:
        ctx.close()


def test_on_a_laptop_the_attention_list_starts_above_the_fold(servers, browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT)
    try:
        page = ctx.new_page()
        page.goto(servers[0] + "/")
        wait_drawn(page)
        top = page.evaluate(MEASURE)["attention"]
        assert top is not None and top < 768 - 150, top
        # most serious first: a grid that did not report before one visited below target
        titles = page.locator(".st-key-attention [data-testid=stMarkdownContainer] strong").all_inner_texts()
        titles = [x for x in titles if not x.startswith("整改台账")]  # the ledger's line comes first
        assert "本周未报送" in titles[0] and "走访率低于目标" in titles[-1], titles
        assert page.locator("[data-testid=stSidebar]").get_attribute("data-collapsed") == "false"
    finally:
        ctx.close()
