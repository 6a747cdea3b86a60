"""A township reporter's week in a real browser (issue 10 §2): log in, download the prefilled
form, fill it by script, upload it, see the import summary, commit; the board shows the
township as submitted; an upload carrying another township's row is refused with the row
named. Screenshots of the reporter's data page and of the board (1366×768 and 1920×1080) land
in artifacts/screenshots/submissions-*.png. Run with `pytest -m browser`.

Needs the loader's township scope (issue 10 §1, reader part): skips while it is missing."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from benchmarks.pagewait import wait_drawn
from dashboard import auth, i18n
from dashboard.store import Store

from conftest import streamlit_server
from test_submissions import PASSWORD, fill

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser

TIMEOUT = 120_000
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
SIZES = ((1366, 768), (1920, 1080))


@pytest.fixture(scope="module")
def subs_server(demo_store, tmp_path_factory, request):
    """A server of its own over a copy of the demo county with a 娜允镇 (T01) reporter and an
    administrator (the test publishes a version)."""
    root = tmp_path_factory.mktemp("subs-browser") / "store"
    shutil.copytree(demo_store.root, root)
    users = auth.Users(Store(root).state)
    users.add("nayun_clerk", "reporter", PASSWORD, township="T01")
    users.add("admin", "admin", PASSWORD)
    log = tmp_path_factory.mktemp("subs-server") / "streamlit.log"
    with streamlit_server(root, log, request, name="subs_server") as url:
        yield url, Store(root)


def new_page(browser, size=SIZES[0]):
    ctx = browser.new_context(
        viewport={"width": size[0], "height": size[1]},
        accept_downloads=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    ctx.set_default_timeout(TIMEOUT)
    return ctx, ctx.new_page()


def login(page, base: str, name: str, to: str | None = None) -> None:
    page.goto(base)
    page.get_by_label(i18n.t("auth.name")).fill(name)
    page.get_by_label(i18n.t("auth.password")).fill(PASSWORD)
    page.get_by_role("button", name=i18n.t("auth.submit")).click()
    page.locator("[data-testid=stSidebar]").wait_for()
    wait_drawn(page)
    if to:
        go(page, to)


def go(page, to: str) -> None:
    """Open a page through the sidebar (a new URL would be a new, logged-out session)."""
    page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t(f"page.{to}")).click()
    page.locator("h1", has_text=i18n.t(f"page.{to}")).wait_for()
    wait_drawn(page)


def tab(page, key: str) -> None:
    page.get_by_role("tab", name=i18n.t(key)).click()


def grid_text(page) -> str:
    """The text of every table on the page (st.dataframe keeps an accessible copy of its
    visible cells in the DOM; the errors are an st.table, whose text wraps)."""
    return (
        " ".join(page.locator("[data-testid=stDataFrame], [data-testid=stTable]").all_inner_texts())
        + " "
        + " ".join(
            page.locator(
                "[data-testid=stDataFrame] [role=gridcell], [data-testid=stDataFrame] td"
            ).all_inner_texts()
        )
    )


def upload(page, path: Path) -> None:
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(path))
    page.get_by_text(path.name).first.wait_for()
    page.get_by_role("button", name=i18n.t("data.check")).click()
    wait_drawn(page)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(
        path=str(SHOTS / f"submissions-{name}-{size['width']}x{size['height']}.png"), full_page=True
    )


def test_reporter_downloads_fills_uploads_and_the_board_says_submitted(subs_server, browser, tmp_path):
    base, store = subs_server
    ctx, page = new_page(browser)
    try:
        login(page, base, "nayun_clerk", "data")
        expect(page.get_by_role("tab")).to_have_count(3)  # upload, prefilled form, board
        assert page.get_by_role("tab", name=i18n.t("data.tab_history")).count() == 0
        shot(page, "reporter-upload")

        # the prefilled form of the week being reported (the first offered: 2022-01-03)
        tab(page, "data.tab_form")
        with page.expect_download() as info:
            page.get_by_role("button", name=i18n.t("sub.form_download")).click()
        form = Path(info.value.path()).read_bytes()
        assert info.value.suggested_filename.startswith("娜允镇2022-01-03")
        shot(page, "reporter-form")

        filled = tmp_path / "娜允镇周报.xlsx"
        filled.write_bytes(fill(form))
        tab(page, "data.tab_upload")
        upload(page, filled)
        expect(page.get_by_text(i18n.t("sub.summary"))).to_be_visible()
        expect(page.get_by_text(i18n.t("data.valid"))).to_be_visible()
        page.get_by_text(i18n.t("sub.summary")).scroll_into_view_if_needed()
        shot(page, "reporter-checked")
        page.get_by_role("button", name=i18n.t("sub.commit")).click()
        expect(page.get_by_text(i18n.t("sub.submitted", version=2))).to_be_visible()
        assert store.current() == 2
        # the newest submission (the review's own line, 待审核, follows it)
        event = next(e for e in auth.Users(store.state).audit_log() if e["event"] == "submit")
        assert (event["event"], event["user"], event["township"], event["version"]) == (
            "submit",
            "nayun_clerk",
            "T01",
            2,
        )
        assert event["files"][0]["name"] == filled.name and len(event["files"][0]["sha256"]) == 64

        # the board: the reporter's own row, submitted
        go(page, "submissions")
        expect(page.get_by_text(i18n.t("sub.status_submitted")).first).to_be_visible()
        status = i18n.t(
            "sub.own_row", week=i18n.fmt_week(dt.date(2022, 1, 3)), status=i18n.t("sub.status_submitted")
        ).replace("**", "")
        expect(page.locator("[data-testid=stMarkdownContainer]", has_text=status)).to_be_visible()
        shot(page, "reporter-board")

        # another township's row: refused, the row named, nothing stored
        wb = openpyxl.load_workbook(io.BytesIO(fill(form)))
        wb["卡点值守"].cell(5, 1, "CP116")  # a 公信乡 checkpoint, on row 5
        bad = tmp_path / "错乡镇.xlsx"
        wb.save(bad)
        go(page, "data")
        upload(page, bad)
        expect(page.get_by_text(re.compile(r"发现 \d+\+? 个错误")).first).to_be_visible()
        text = grid_text(page)
        assert "CP116" in text and "5" in text
        page.locator("[data-testid=stAlert]").last.scroll_into_view_if_needed()
        shot(page, "reporter-refused")
        assert store.current() == 2
    finally:
        ctx.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_board_for_an_administrator(subs_server, browser, size):
    base, _ = subs_server
    ctx, page = new_page(browser, size)
    try:
        login(page, base, "admin", "submissions")
        expect(page.locator("h1", has_text=i18n.t("page.submissions"))).to_be_visible()
        assert page.locator("[data-testid=stException]").count() == 0
        expect(page.locator("[data-testid=stDataFrame]")).to_have_count(1)
        shot(page, "admin-board")
        go(page, "data")
        tab(page, "data.tab_board")
        wait_drawn(page)
        shot(page, "admin-data-board")
    finally:
        ctx.close()
