"""Review on the pages (issue 21 §5, §6), in AppTest: a reporter submits, a reviewer returns the
week with a reason, the reporter reads the reason (as text), resubmits, the reviewer approves,
and the reporter's next upload of that week is refused as locked; the board and the queue
show each step's figures and states. Who sees what: the reviewer's pages and sections."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

from dashboard import auth, desk, i18n, review, submissions
from dashboard.store import Store

import helpers

PASSWORD = helpers.PASSWORD
WEEK = dt.date(2022, 1, 3)  # the week after the demo's last: the one being reported
REASON = "<script>alert(1)</script> **G0003 走访户数** [看这里](http://example.com) 请核实后重报"


class Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def grid_csv(grids: list[str], visited: int) -> bytes:
    return (
        pd.DataFrame(
            {
                "week_start": [WEEK.isoformat()] * len(grids),
                "grid_id": grids,
                "households_visited": [visited] * len(grids),
                "residents_checked": [2] * len(grids),
                "travel_registered": [0] * len(grids),
                "vaccinated": [1] * len(grids),
                "issues_found": [0] * len(grids),
                "issues_resolved": [0] * len(grids),
            }
        )
        .to_csv(index=False)
        .encode()
    )


@pytest.fixture
def flow_store(demo_store, tmp_path) -> Store:
    root = tmp_path / "store"
    shutil.copytree(demo_store.root, root)
    users = auth.Users(root)
    users.add("admin", "admin", PASSWORD)
    users.add("shen", "reviewer", PASSWORD)
    users.add("nayun_clerk", "reporter", PASSWORD, township="T01")
    return Store(root)


def t01_grids(store: Store, n: int) -> list[str]:
    con = store.connect()
    try:
        return list(
            con.execute("SELECT grid_id FROM grids_in_scope('T01') ORDER BY grid_id LIMIT $n", {"n": n}).df()[
                "grid_id"
            ]
        )
    finally:
        con.close()


def stored_visits(store: Store) -> tuple[int, int]:
    """(grid reports, households visited) of T01 in WEEK, straight from the live version."""
    con = store.connect()
    try:
        return con.execute(
            "SELECT count(*), coalesce(sum(households_visited), 0) FROM grid_weekly w "
            "JOIN grids_in_scope('T01') g USING (grid_id) WHERE w.week_start = $w",
            {"w": WEEK},
        ).fetchone()
    finally:
        con.close()


def open_as(monkeypatch, store: Store, name: str, page: str = "data", **query):
    at = helpers.login(helpers.app(monkeypatch, store, timeout=90, **query), name)
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at) -> str:
    return "\n".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [e.value for e in at.error]
        + [e.value for e in at.info]
        + [e.value for e in at.success]
    )


def board_row(at, township: str = "娜允镇") -> dict:
    (board,) = [d.value for d in at.dataframe if "审核" in d.value.columns and "状态" in d.value.columns]
    return board.set_index("乡镇").loc[township].to_dict()


@pytest.mark.slow
def test_submit_return_resubmit_approve_then_locked(monkeypatch, flow_store):
    grids = t01_grids(flow_store, 5)
    # 1. the reporter submits three grids' reports (what the data page's commit calls)
    first = desk.commit_upload(
        flow_store, [Upload("网格周报.csv", grid_csv(grids[:3], 7))], False, "nayun_clerk", "T01"
    )
    assert first.ok and first.version == 2
    assert stored_visits(flow_store) == (3, 21)
    assert review.state(flow_store.state, "T01", WEEK) == "pending"

    # 2. the reviewer: the board and the review section only; the queue holds the week
    at = open_as(monkeypatch, flow_store, "shen")
    assert not at.get("file_uploader") and not at.tabs  # nothing of loading
    assert at.subheader[0].value == "待审核队列（1）"
    said = texts(at)
    assert "**娜允镇** · 1月3日—1月9日（2022）" in said
    assert "网格周报 3 / 612" in said and "提交人 nayun\\_clerk" in said
    at.text_area(key="rv-reason-T01-2022-01-03").input(REASON)
    at.button(key="rv-return-T01-2022-01-03").click().run()
    assert not at.exception
    assert "已退回：娜允镇 1月3日—1月9日（2022）" in [s.value for s in at.success][0]
    assert at.subheader[0].value == "待审核队列（0）" and "没有待审核的报送。" in texts(at)
    (history,) = [d.value for d in at.dataframe if "原因" in d.value.columns]
    assert list(history["操作"]) == ["退回"] and history["原因"].iloc[0] == REASON
    assert review.states(flow_store.state, WEEK)["T01"]["reason"] == REASON
    at.switch_page("views/submissions.py").run()
    assert board_row(at)["审核"] == "已退回" and board_row(at)["网格周报"] == "3 / 612"

    # 3. the reporter reads the reason on their data page: as text, markup and all
    at = open_as(monkeypatch, flow_store, "nayun_clerk")
    (returned,) = [e.value for e in at.error]
    assert "1月3日—1月9日（2022） 这一周的报送已被退回" in returned and "shen" in returned
    assert returned.endswith(i18n.md_escape(REASON))  # every markup character escaped
    assert "<script>" not in returned.replace("\\<", "").replace("\\>", "")

    # 4. the reporter resubmits with five grids: the week waits for review again
    second = desk.commit_upload(
        flow_store, [Upload("网格周报.csv", grid_csv(grids, 8))], False, "nayun_clerk", "T01"
    )
    assert second.ok and second.version == 3
    assert stored_visits(flow_store) == (5, 40)
    at = open_as(monkeypatch, flow_store, "nayun_clerk")
    assert not at.error and "待审核：1月3日—1月9日（2022）" in texts(at)

    # 5. the reviewer approves it
    at = open_as(monkeypatch, flow_store, "shen")
    assert "网格周报 5 / 612" in texts(at)
    at.button(key="rv-approve-T01-2022-01-03").click().run()
    assert "已审核通过：娜允镇 1月3日—1月9日（2022）（该周已锁定）" in [s.value for s in at.success][0]
    at.switch_page("views/submissions.py").run()
    row = board_row(at)
    assert (row["审核"], row["网格周报"], row["状态"]) == ("已审核", "5 / 612", "部分报送")

    # 6. the reporter's next upload of that week is refused as locked, and changes nothing
    at = open_as(monkeypatch, flow_store, "nayun_clerk")
    assert "已审核锁定：1月3日—1月9日（2022）" in texts(at)
    third = desk.check_upload(flow_store, [Upload("网格周报.csv", grid_csv(grids, 9))], False, "T01")[
        "result"
    ]
    assert not third.ok and "已审核锁定" in third.errors[0].zh and "locked" in third.errors[0].en
    assert flow_store.current() == 3 and stored_visits(flow_store) == (5, 40)
    log = [
        e["event"]
        for e in reversed(auth.Users(flow_store.state).audit_log())
        if e["event"].startswith("review")
    ]
    assert log == ["review_submitted", "review_returned", "review_submitted", "review_approved"]


@pytest.mark.slow
def test_admin_reviews_and_unlocks_on_the_data_pages_review_tab(monkeypatch, flow_store):
    grids = t01_grids(flow_store, 2)
    desk.commit_upload(flow_store, [Upload("网格周报.csv", grid_csv(grids, 7))], False, "nayun_clerk", "T01")
    at = open_as(monkeypatch, flow_store, "admin")
    assert [t.label for t in at.tabs][:3] == ["上传报表", "报送情况", "审核"]
    at.button(key="rv-return-T01-2022-01-03").click().run()  # no reason: refused, nothing changes
    assert "请填写原因" in [e.value for e in at.error][0]
    assert review.state(flow_store.state, "T01", WEEK) == "pending"
    at.button(key="rv-approve-T01-2022-01-03").click().run()
    assert review.state(flow_store.state, "T01", WEEK) == "approved"
    at.text_area(key="rv-unlock-reason").input("乡镇发现 G0001 填错")
    at.button(key="rv-unlock").click().run()
    assert "已解锁：娜允镇" in [s.value for s in at.success][0]
    s = review.states(flow_store.state, WEEK)["T01"]
    assert (s["state"], s["by"], s["reason"]) == ("pending", "admin", "乡镇发现 G0001 填错")


def test_the_reviewer_role_is_county_level_and_sees_two_pages(monkeypatch, flow_store):
    u = auth.Users(flow_store.state).get("shen")
    assert u.role == "reviewer" and u.township is None and not u.township_bound
    assert u.may_review and u.sees_data_page and not u.is_admin and not u.is_reporter
    with pytest.raises(auth.AuthError):
        auth.Users(flow_store.state).add("shen2", "reviewer", PASSWORD, township="T01")
    at = helpers.login(helpers.app(monkeypatch, flow_store, timeout=90), "shen")
    assert not at.exception
    at.switch_page("views/data.py").run()
    assert at.title[0].value.startswith("数据管理")
    for page in ("overview", "grids", "presenter"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(f"views/{page}.py").run()
    at.switch_page("views/submissions.py").run()
    assert not at.exception
    assert len([d for d in at.dataframe if "审核" in d.value.columns]) == 1


def test_board_table_has_the_review_state_beside_the_status(demo):
    df = submissions.board(demo, dt.date(2021, 12, 27))
    reviews = {"T01": {"state": "pending"}, "T02": {"state": "approved"}, "T06": {"state": "returned"}}
    zh = submissions.board_table(df, {}, "zh", reviews=reviews)
    assert list(zh.columns)[:3] == ["乡镇", "状态", "审核"]
    assert list(zh["审核"]) == ["待审核", "已审核", "—", "—", "—", "已退回"]
    en = submissions.board_table(df, {}, "en", reviews=reviews)
    assert list(en["Review"])[:2] == ["Awaiting review", "Approved"]
    assert "Review" not in submissions.board_table(df, {}, "en").columns
