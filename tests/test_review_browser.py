"""The reviewer's queue in a real browser (issue 21 §6): a reviewer logs in, finds the
township-weeks waiting oldest first on the data page, returns one with a reason and approves
the other; the reporter then reads the reason, as text, on their data page. Screenshots at
1366×768 in Chinese land in artifacts/screenshots/review-*.png. Run with `pytest -m browser`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.pagewait import wait_drawn
from dashboard import auth, desk, i18n, review
from dashboard.store import Store

from conftest import streamlit_server
from test_review_pages import Upload
from test_submissions_browser import PASSWORD, go, login, new_page

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
LAST = dt.date(2021, 12, 27)
WEEK = dt.date(2022, 1, 3)
REASON = "<b>网格 G0002</b> 的走访户数为 0，请核实后重报 **谢谢**"


def grid_csv(week: dt.date, grids: list[str]) -> bytes:
    n = len(grids)
    return (
        pd.DataFrame(
            {
                "week_start": [week.isoformat()] * n,
                "grid_id": grids,
                "households_visited": [3] * n,
                "residents_checked": [5] * n,
                "travel_registered": [0] * n,
                "vaccinated": [1] * n,
                "issues_found": [0] * n,
                "issues_resolved": [0] * n,
            }
        )
        .to_csv(index=False)
        .encode()
    )


@pytest.fixture(scope="module")
def review_server(demo_store, tmp_path_factory, request):
    """A copy of the demo county with a reviewer and a 娜允镇 (T01) reporter who has submitted
    two weeks (the older first), served by a server of its own."""
    root = tmp_path_factory.mktemp("review-browser") / "store"
    shutil.copytree(demo_store.root, root)
    store = Store(root)
    users = auth.Users(store.state)
    users.add("shen", "reviewer", PASSWORD)
    users.add("nayun_clerk", "reporter", PASSWORD, township="T01")
    for week, grids in ((LAST, ["G0001"]), (WEEK, ["G0001", "G0002", "G0003"])):
        up = Upload("网格周报.csv", grid_csv(week, grids))
        assert desk.commit_upload(store, [up], False, "nayun_clerk", "T01").ok
    log = tmp_path_factory.mktemp("review-server") / "streamlit.log"
    with streamlit_server(root, log, request, name="review_server") as url:
        yield url, store


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"review-{name}-{size['width']}x{size['height']}.png"), full_page=True)


def test_reviewer_returns_and_approves_from_the_queue_and_the_reporter_reads_why(review_server, browser):
    base, store = review_server
    ctx, page = new_page(browser)
    try:
        login(page, base, "shen", "data")
        # the board, the ledger (read-only) and the data page (its review section)
        links = page.locator("[data-testid=stSidebarNav] a").all_inner_texts()
        assert sorted(x.strip() for x in links) == sorted(
            [i18n.t("page.submissions"), i18n.t("page.ledger"), i18n.t("page.data")]
        )
        expect(page.get_by_role("heading", name=i18n.t("review.queue_title", n=2))).to_be_visible()
        assert page.locator("[data-testid=stFileUploader]").count() == 0
        items = page.locator(".st-key-rq-T01-2021-12-27, .st-key-rq-T01-2022-01-03")
        expect(items).to_have_count(2)
        # oldest first: the week of 27 Dec above the week of 3 Jan
        first = page.locator(".st-key-rq-T01-2021-12-27").bounding_box()
        second = page.locator(".st-key-rq-T01-2022-01-03").bounding_box()
        assert first["y"] < second["y"]
        newer = page.locator(".st-key-rq-T01-2022-01-03")
        expect(newer).to_contain_text("网格周报 3 / 612")
        shot(page, "queue")

        newer.get_by_label(i18n.t("review.reason")).fill(REASON)
        newer.get_by_label(i18n.t("review.reason")).blur()
        wait_drawn(page)
        newer.get_by_role("button", name=i18n.t("review.return_button")).click()
        expect(page.get_by_text("已退回：娜允镇")).to_be_visible()
        wait_drawn(page)
        page.locator(".st-key-rq-T01-2021-12-27").get_by_role(
            "button", name=i18n.t("review.approve_button")
        ).click()
        expect(page.get_by_text("已审核通过：娜允镇")).to_be_visible()
        expect(page.get_by_role("heading", name=i18n.t("review.queue_title", n=0))).to_be_visible()
        assert review.state(store.state, "T01", WEEK) == "returned"
        assert review.state(store.state, "T01", LAST) == "approved"
        assert review.states(store.state, WEEK)["T01"]["reason"] == REASON
        shot(page, "decided")

        go(page, "submissions")
        expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible()
    finally:
        ctx.close()

    ctx, page = new_page(browser)
    try:
        login(page, base, "nayun_clerk", "data")
        alert = page.locator("[data-testid=stAlertContentError]").first
        expect(alert).to_contain_text("这一周的报送已被退回")
        # the reason reads as typed: tags and asterisks are text, nothing is bold or a tag
        expect(alert).to_contain_text(REASON)
        assert alert.locator("b").count() == 0
        assert alert.locator("strong").count() == 1  # the notice's own bold lead only
        expect(page.get_by_text("已审核锁定：")).to_be_visible()
        shot(page, "reporter-returned")
    finally:
        ctx.close()
