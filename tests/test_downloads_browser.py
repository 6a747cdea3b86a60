"""Table downloads in a real browser: the files are made when the button is clicked (not on
every run of the page), and what arrives is the table the page shows, in full, with formula
cells neutralised. Run with `pytest -m browser`."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from dashboard import metrics

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

TIMEOUT = 120_000


@pytest.fixture
def page(browser):
    ctx = browser.new_context(
        viewport={"width": 1366, "height": 2400},
        accept_downloads=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    ctx.set_default_timeout(TIMEOUT)
    page = ctx.new_page()
    yield page
    ctx.close()


def download(page, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).first.click()
    return open(info.value.path(), "rb").read()


def test_grid_table_downloads_as_csv_and_xlsx(page, server, demo_store):
    page.goto(server + "/grids")
    page.get_by_role("button", name="下载 CSV").first.wait_for()
    con = demo_store.connect()
    try:
        grids = metrics.grid_visit_rates(con)
    finally:
        con.close()

    data = download(page, "下载 CSV")
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(grids) == 612
    assert {r["网格代码"] for r in rows} == set(grids["grid_id"])
    not_reported = set(grids.loc[~grids["reported"], "grid_id"])
    assert {r["网格代码"] for r in rows[: len(not_reported)]} == not_reported  # worst first

    book = openpyxl.load_workbook(io.BytesIO(download(page, "下载 Excel")), read_only=True)
    sheet = book.worksheets[0]
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[0] == "网格" and len(body) == 612
