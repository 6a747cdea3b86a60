"""Township submissions (issue 10 §2): the reporter's data page, prefilled weekly forms, the
submission board 报送情况 and its meeting-screen slide, the import summary, the "submit" audit.

Tests that need the loader's township scope (`ingest.load(..., township=)`, the reader part of
issue 10) skip while the loader lacks it."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, cli, contract, desk, ingest, queries, submissions, template
from dashboard.store import Store

import helpers

PASSWORD = "border-2021"
WEEK = dt.date(2022, 1, 3)  # the week after the demo's last (the one being reported)
LAST = dt.date(2021, 12, 27)  # the demo's last week with grid reports


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def users_store(demo_store, tmp_path_factory) -> Store:
    """A copy of the demo county with an admin, a leader, a 公信乡 (T06) township user and
    reporters of 娜允镇 (T01) and 公信乡 (T06). Read-only for tests."""
    root = tmp_path_factory.mktemp("subs") / "store"
    shutil.copytree(demo_store.root, root)
    users = auth.Users(root)
    users.add("admin", "admin", PASSWORD)
    users.add("leader", "leader", PASSWORD)
    users.add("gongxin", "township", PASSWORD, township="T06")
    users.add("nayun_clerk", "reporter", PASSWORD, township="T01")
    users.add("gongxin_clerk", "reporter", PASSWORD, township="T06")
    return Store(root)


class Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    def getvalue(self) -> bytes:
        return self._data


def fill(book_bytes: bytes, *, staff=(1, 1, 1, 30)) -> bytes:
    """Fill a prefilled form as a clerk would: numbers only, in the empty cells."""
    wb = openpyxl.load_workbook(io.BytesIO(book_bytes))
    g = wb["网格周报"]
    for r in range(2, g.max_row + 1):
        # households_visited, residents_checked, travel_registered, vaccinated, issues x2
        for c, v in zip(range(3, 9), (1, 10, 0, 5, 1, 1), strict=False):
            g.cell(r, c, v)
    s = wb["卡点值守"]
    for r in range(2, s.max_row + 1):
        for c, v in zip(range(4, 8), staff, strict=False):
            s.cell(r, c, v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ prefilled forms
@pytest.fixture(scope="module")
def t01_form(demo):
    return openpyxl.load_workbook(io.BytesIO(template.township_xlsx_bytes(demo, "T01", WEEK)))


def test_prefilled_form_has_the_townships_grids_with_reference_columns(t01_form, demo):
    assert t01_form.sheetnames == ["说明", "网格周报", "卡点值守", "培训宣讲", "达标评估"]
    ws = t01_form["网格周报"]
    header = [c.value for c in ws[1]]
    cols = contract.TABLES["grid_weekly"].columns
    assert header == [c.zh for c in cols] + ["网格名称（参考）", "片区（参考）", "社区（参考）"]
    grids = queries.run(demo, "grid_places", township="T01", geometry=False)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == len(grids) == 612
    assert {r[1] for r in rows} == set(grids["grid_id"])
    assert all(r[0].date() == WEEK for r in rows)  # a date cell, the Monday
    assert all(v is None for r in rows for v in r[2:8])  # numbers left to the clerk
    first = dict(zip(header, rows[0], strict=False))
    g = demo.execute(
        "SELECT g.name, z.name, c.name FROM grids g JOIN zones z USING (zone_id) "
        "JOIN communities c USING (community_id) WHERE grid_id = $g",
        {"g": first["网格代码"]},
    ).fetchone()
    assert (first["网格名称（参考）"], first["片区（参考）"], first["社区（参考）"]) == g
    # reference cells are greyed, the county's filled cells are not the clerk's white
    assert ws.cell(2, 9).fill.fgColor.rgb.endswith("E7E6E6")
    assert ws.cell(2, 3).fill.fgColor.rgb in ("00000000", None)


def test_prefilled_shifts_repeat_last_weeks_pattern_one_week_on(t01_form, demo):
    ws = t01_form["卡点值守"]
    header = [c.value for c in ws[1]]
    assert header[-1] == "卡点名称（参考）"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    last = demo.execute(
        "SELECT checkpoint_id, shift_start, shift_end FROM checkpoint_shifts JOIN checkpoints "
        "USING (checkpoint_id) WHERE township_id = 'T01' AND shift_start >= $a AND shift_start < $b "
        "ORDER BY 1, 2",
        {"a": LAST, "b": WEEK},
    ).fetchall()
    assert len(rows) == len(last) == 2510
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (k, s + dt.timedelta(days=7), e + dt.timedelta(days=7)) for k, s, e in last
    ]
    assert all(v is None for r in rows for v in r[3:7])  # staff and persons empty
    assert all(WEEK <= r[1].date() < WEEK + dt.timedelta(days=7) for r in rows)


def test_prefilled_form_has_headers_dropdowns_and_notes(t01_form):
    for sheet, table in (("培训宣讲", "trainings"), ("达标评估", "branch_assessments")):
        ws = t01_form[sheet]
        assert ws.max_row == 1
        assert [c.value for c in ws[1]] == [c.zh for c in contract.TABLES[table].columns]
    lists = {
        sheet: [dv.formula1 for dv in t01_form[sheet].data_validations.dataValidation]
        for sheet in ("培训宣讲", "达标评估")
    }
    assert any("火塘夜校" in f for f in lists["培训宣讲"])  # training kinds
    assert any("组织设置" in f for f in lists["达标评估"])  # criteria
    assert any(f == '"是,否"' for f in lists["达标评估"])  # passed: yes/no
    notes = [c.value for row in t01_form["说明"].iter_rows() for c in row if c.value]
    assert any("T01" in str(v) and "乡镇代码" in str(v) for v in notes)
    assert {"说明"} <= ingest.NOTES_SHEETS


@pytest.mark.parametrize(
    "week, township, says",
    [
        ("2022-01-04", "T01", "不是星期一"),
        ("2022-13-01", "T01", "不是日期"),
        ("2022-01-03", "T99", "T99"),
        (dt.date(2022, 1, 5), "T01", "not a Monday"),
    ],
)
def test_prefilled_form_refuses_a_bad_week_or_township(demo, week, township, says):
    with pytest.raises(template.FormError) as e:
        template.township_workbook(demo, township, week)
    assert says in str(e.value) and e.value.zh and e.value.en


def test_cli_template_writes_the_prefilled_form_or_the_county_template(demo_store, tmp_path, capsys):
    out = tmp_path / "f.xlsx"
    assert (
        cli.main(
            [
                "--store",
                str(demo_store.root),
                "template",
                "--township",
                "T06",
                "--week",
                "2022-01-03",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    wb = openpyxl.load_workbook(out)
    assert wb["卡点值守"].max_row - 1 == 170 and wb["网格周报"].max_row == 1  # 公信乡: no grids
    assert (
        cli.main(
            [
                "--store",
                str(demo_store.root),
                "template",
                "--township",
                "T06",
                "--week",
                "2022-01-04",
                "--out",
                str(tmp_path / "g.xlsx"),
            ]
        )
        == 2
    )
    assert "不是星期一" in capsys.readouterr().err and not (tmp_path / "g.xlsx").exists()
    assert (
        cli.main(["--store", str(demo_store.root), "template", "--week", "2022-01-03", "--out", str(out)])
        == 2
    )
    assert cli.main(["--store", str(demo_store.root), "template", "--out", str(out)]) == 0
    assert "网格" in openpyxl.load_workbook(out).sheetnames  # the county template


@pytest.mark.slow
def test_a_filled_form_loads_as_it_is_for_its_township(copy_store):
    con = copy_store.connect()
    form = template.township_xlsx_bytes(con, "T01", WEEK)
    con.close()
    result = ingest.load_uploads(
        [("娜允镇周报.xlsx", fill(form))], copy_store, township="T01", by="nayun_clerk"
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.changes["grid_weekly"]["added"] == 612
    assert result.changes["checkpoint_shifts"]["added"] == 2510
    con = copy_store.connect()
    board = submissions.board(con, WEEK, "T01").iloc[0]
    con.close()
    assert (board["grids_reported"], board["checkpoint_days"], board["status"]) == (612, 805, "submitted")


def test_a_form_with_another_townships_row_is_refused_naming_the_row(copy_store):
    con = copy_store.connect()
    form = openpyxl.load_workbook(io.BytesIO(fill(template.township_xlsx_bytes(con, "T06", WEEK))))
    con.close()
    form["卡点值守"].cell(5, 1, "CP001")  # a 娜允镇 checkpoint, on row 5
    buf = io.BytesIO()
    form.save(buf)
    result = desk.check_upload(copy_store, [Upload("公信乡.xlsx", buf.getvalue())], False, "T06")["result"]
    assert not result.ok and any(e.row == 5 for e in result.errors)
    assert copy_store.current() == 1


# ------------------------------------------------------------------ submissions and the audit
def test_a_submission_is_scoped_to_the_users_township_and_audited(copy_store, monkeypatch):
    calls = []

    def fake(files, store, **kw):
        calls.append(kw)
        return ingest.LoadResult(
            ok=True,
            version=7,
            changes={"grid_weekly": {"added": 3, "changed": 0, "removed": 0}},
            files=[{"name": "周报.xlsx", "sha256": "ab" * 32}],
        )

    monkeypatch.setattr(
        ingest,
        "load",
        lambda paths, store=None, by="", replace=False, dry_run=False, names=None, township=None: None,
    )
    monkeypatch.setattr(ingest, "load_uploads", fake)
    result = desk.commit_upload(copy_store, [Upload("周报.xlsx", b"x")], False, "nayun_clerk", "T01")
    assert result.ok and calls[0]["township"] == "T01" and not calls[0].get("dry_run")
    event = auth.Users(copy_store.state).audit_log()[0]
    assert event["event"] == "submit" and event["user"] == "nayun_clerk"
    assert event["township"] == "T01" and event["version"] == 7
    assert event["files"] == [{"name": "周报.xlsx", "sha256": "ab" * 32}]
    assert event["at"]
    desk.check_upload(copy_store, [Upload("周报.xlsx", b"x")], False, "T01")
    assert calls[1]["township"] == "T01" and calls[1]["dry_run"] is True


# ------------------------------------------------------------------ the import summary
def test_import_summary_says_what_the_reader_did_in_the_users_language():
    report = {
        "tables": {"grid_weekly": {"rows": 612}, "checkpoint_shifts": {"rows": 170}},
        "skipped": [
            {"file": "a.xlsx [网格周报]", "table": "grid_weekly", "row": r, "reason": why}
            for r, why in (
                (1, "title"),
                (2, "title"),
                (615, "total"),
                (40, "empty"),
                (42, "empty"),
                (41, "empty"),
            )
        ],
        "converted": {"date": 3, "fullwidth": 2, "separator": 0, "bool_symbol": 1},
    }
    zh = desk.import_summary(report, "zh")
    rows = {r["事项"]: r for r in zh.to_dict("records")}
    assert [r["数量"] for r in zh.to_dict("records") if r["事项"] == "读取的记录"] == [612, 170]
    assert rows["跳过：标题行"]["行号"] == "1–2" and rows["跳过：标题行"]["表"] == "网格周报"
    assert rows["跳过：空行"]["行号"] == "40–42" and rows["跳过：空行"]["数量"] == 3
    assert rows["跳过：合计行"]["行号"] == "615"
    assert rows["转换：其他格式的日期"]["数量"] == 3 and "转换：带千位分隔符的数字" not in rows
    en = desk.import_summary(report, "en")
    assert list(en.columns) == ["What", "Table", "File", "Count", "Rows"]
    assert "Skipped: total rows" in set(en["What"]) and "Grid weekly reports" in set(en["Table"])
    only_read = desk.import_summary({"tables": {"trainings": {"rows": 2}}}, "en")
    assert list(only_read.columns) == ["What", "Table", "Count"]
    for empty in (None, {}, {"tables": {}, "skipped": [], "converted": {}}):
        assert desk.import_summary(empty, "zh").empty


# ------------------------------------------------------------------ the board
def test_board_counts_are_the_stores(demo):
    board = submissions.board(demo, LAST).set_index("township_id")
    for tw in ("T01", "T06"):
        grids = demo.execute(
            "SELECT count(*), count(w.grid_id) FROM grids g JOIN zones z USING (zone_id) "
            "JOIN communities c USING (community_id) LEFT JOIN grid_weekly w "
            "ON w.grid_id = g.grid_id AND w.week_start = $w WHERE c.township_id = $t",
            {"w": LAST, "t": tw},
        ).fetchone()
        shifts = demo.execute(
            "SELECT s.checkpoint_id, s.shift_start FROM checkpoint_shifts s JOIN checkpoints k "
            "USING (checkpoint_id) WHERE k.township_id = $t",
            {"t": tw},
        ).df()
        in_week = shifts[
            (shifts.shift_start >= pd.Timestamp(LAST))
            & (shifts.shift_start < pd.Timestamp(LAST + dt.timedelta(days=7)))
        ]
        days = len({(k, s.date()) for k, s in zip(in_week.checkpoint_id, in_week.shift_start, strict=False)})
        trainings = demo.execute(
            "SELECT count(*) FROM trainings WHERE township_id = $t AND held_on BETWEEN $a AND $b",
            {"t": tw, "a": LAST, "b": LAST + dt.timedelta(days=6)},
        ).fetchone()[0]
        row = board.loc[tw]
        assert (row.grids_total, row.grids_reported) == grids
        assert row.checkpoint_days == days
        assert row.trainings == trainings
    assert (board.loc["T01", "grids_reported"], board.loc["T01", "grids_total"]) == (601, 612)
    assert board.loc["T06", "checkpoint_days"] == 56 == 7 * board.loc["T06", "checkpoints_total"]
    assert dict(board["status"]) == {
        "T01": "partial",
        "T02": "not_required",  # no grids, no checkpoints: 无需报送, not 0 / 0 已报送
        "T03": "not_required",
        "T04": "not_required",
        "T05": "not_required",
        "T06": "submitted",
    }
    # a week nobody has sent yet
    assert set(submissions.board(demo, WEEK)["status"]) == {"missing", "not_required"}
    assert list(submissions.board(demo, LAST, "T06")["township_id"]) == ["T06"]


@pytest.mark.parametrize(
    "counts, expected",
    [
        ((10, 10, 2, 14, 0, 0), "submitted"),
        ((10, 9, 2, 14, 0, 0), "partial"),
        ((10, 10, 2, 13, 0, 0), "partial"),
        ((10, 0, 2, 0, 1, 0), "missing"),  # a training is not the grid reports or shifts due
        ((10, 0, 2, 0, 0, 0), "missing"),
        ((0, 0, 0, 0, 0, 1), "not_required"),  # nothing expected of it
        ((0, 0, 0, 0, 0, 0), "not_required"),
    ],
)
def test_status_rule(counts, expected):
    keys = (
        "grids_total",
        "grids_reported",
        "checkpoints_total",
        "checkpoint_days",
        "trainings",
        "branches_assessed",
    )
    assert submissions.status(dict(zip(keys, counts, strict=False))) == expected


def test_last_submission_is_the_version_that_brought_the_week(copy_store):
    rows = pd.DataFrame(
        {
            "week_start": [str(WEEK)] * 2,
            "grid_id": ["G0001", "G0002"],
            "households_visited": [1, 1],
            "residents_checked": [2, 2],
            "travel_registered": [0, 0],
            "vaccinated": [1, 1],
            "issues_found": [0, 0],
            "issues_resolved": [0, 0],
        }
    )
    upload = Upload("grid_weekly.csv", rows.to_csv(index=False).encode())
    result = desk.commit_upload(copy_store, [upload], False, "admin")
    assert result.ok and result.version == 2
    last = submissions.last_submissions(copy_store, WEEK)
    assert set(last) == {"T01"}
    assert last["T01"]["version"] == 2 and last["T01"]["by"] == "admin" and last["T01"]["via"] == "load"
    old = submissions.last_submissions(copy_store, LAST)  # untouched by version 2
    assert old["T01"]["version"] == 1 and old["T06"]["version"] == 1
    copy_store.restore(1, by="admin")  # v3 takes the week away
    assert submissions.last_submissions(copy_store, WEEK) == {}
    table = submissions.board_table(submissions.board(copy_store.connect(), LAST), old, "en")
    assert list(table["Status"])[:2] == ["Partly submitted", "Nothing to report"]
    assert table.loc[0, "How"] == "county load v1" and table.loc[2, "Last sent"] == "—"


def test_report_weeks_start_with_the_week_being_reported():
    assert submissions.report_weeks(LAST, n=2) == [WEEK, LAST, LAST - dt.timedelta(days=7)]
    assert submissions.report_weeks(None, today=dt.date(2026, 12, 2), n=0) == [dt.date(2026, 11, 30)]


# ------------------------------------------------------------------ who sees what (AppTest)
def app(monkeypatch, store: Store, name: str, **query) -> AppTest:
    return helpers.login(helpers.app(monkeypatch, store, timeout=90, **query), name, PASSWORD)


def board_tables(at, status_column: str) -> list:
    """The board's tables on the page (other tables, e.g. data quality warnings, aside)."""
    return [d.value for d in at.dataframe if status_column in d.value.columns]


@pytest.mark.slow
def test_reporter_sees_upload_form_and_own_row_only(monkeypatch, users_store):
    # a link naming another township changes nothing: the scope is the logged-in user's
    at = app(monkeypatch, users_store, "gongxin_clerk", township="T01")
    at.switch_page("views/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.endswith("公信乡")
    assert [t.label for t in at.tabs] == ["上传报表", "预填报表", "报送情况"]
    assert not at.checkbox  # no replace, no restore
    assert "公信乡" in at.markdown[0].value or any("公信乡" in m.value for m in at.markdown)
    assert [b.proto.label for b in at.get("download_button")] == ["下载预填报表（xlsx）"]
    boards = board_tables(at, "状态")
    assert len(boards) == 1 and list(boards[0]["乡镇"]) == ["公信乡"]
    at.switch_page("views/submissions.py").run()
    assert not at.exception and list(board_tables(at, "状态")[0]["乡镇"]) == ["公信乡"]


def test_reporter_pages_in_english(monkeypatch, users_store):
    at = app(monkeypatch, users_store, "nayun_clerk", lang="en")
    at.switch_page("views/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.label for t in at.tabs] == ["Upload", "Prefilled form", "Submissions"]
    assert "(Nayun)" in at.markdown[0].value
    (board,) = board_tables(at, "Status")
    assert list(board.columns)[:5] == ["Township", "Status", "On time", "Complete at", "Grid reports"]
    assert list(board["Township"]) == ["Nayun"] and list(board["Status"]) == ["Partly submitted"]
    assert board["Grid reports"].iloc[0] == "601 / 612"


@pytest.mark.parametrize(
    "name, data_page, rows", [("admin", True, 6), ("leader", False, 6), ("gongxin", False, 1)]
)
def test_board_page_for_admins_leaders_and_township_users(monkeypatch, users_store, name, data_page, rows):
    at = app(monkeypatch, users_store, name)
    at.switch_page("views/submissions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("报送情况")
    (board,) = board_tables(at, "状态")
    assert len(board) == rows
    assert any("已报送" in c.value for c in at.caption)  # the rule is on the page
    if data_page:
        at.switch_page("views/data.py").run()
        assert [t.label for t in at.tabs][:2] == ["上传报表", "报送情况"]
        assert at.checkbox  # admins keep replace
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("views/data.py").run()


def test_reporter_role_sees_the_data_page():
    assert auth.User("r", "reporter", "T01").sees_data_page
    assert auth.User("a", "admin").sees_data_page
    assert not auth.User("l", "leader").sees_data_page
    assert not auth.User("t", "township", "T01").sees_data_page
