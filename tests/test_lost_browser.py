"""Stale links and the uploader's own words (issue 21 §8, §9), in the browser: an old address
such as /overview, or a path no page has, never shows Streamlit's English "Page not found"
dialog; the data page's uploader speaks the user's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from benchmarks.pagewait import wait_drawn
from dashboard import i18n

pytestmark = pytest.mark.browser

TIMEOUT = 90_000


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    ctx.set_default_timeout(TIMEOUT)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def test_the_overviews_old_address_opens_the_overview_without_a_dialog(server, page):
    page.goto(server + "/overview")
    wait_drawn(page)
    expect(page.locator("h1").first).to_contain_text(i18n.t("page.overview", "zh"))
    assert page.locator("[role=dialog]").count() == 0
    assert "Page not found" not in page.inner_text("body")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_unknown_path_says_so_in_the_users_language(server, page, lang):
    page.goto(server + "/no-such-page" + ("?lang=en" if lang == "en" else ""))
    wait_drawn(page)
    expect(page.locator("h1").first).to_contain_text(i18n.t("lost.title", lang))
    body = page.inner_text("body")
    assert "/no-such-page" in body and "Page not found" not in body
    assert page.locator("[role=dialog]").count() == 0
    page.get_by_test_id("stPageLink-NavLink").filter(has_text=i18n.t("lost.to_overview", lang)).click()
    wait_drawn(page)
    expect(page.locator("h1").first).to_contain_text(i18n.t("page.overview", lang))


def test_the_uploader_speaks_chinese_and_lists_what_it_takes(server, page):
    page.goto(server + "/data")
    wait_drawn(page)
    zone = page.locator(".st-key-uploader")
    expect(zone).to_contain_text("可上传：CSV、Excel .xlsx、Excel .xls")
    text = zone.inner_text()
    for english in ("Upload", "Drag and drop", "per file", "Browse"):
        assert english not in text, english
    assert ".ods" not in text  # taken only to be refused with advice: not listed
    button = zone.locator("[data-testid=stFileUploaderDropzone] button")
    after = button.evaluate("b => getComputedStyle(b, '::after').content")
    assert i18n.t("upload.browse", "zh") in after
