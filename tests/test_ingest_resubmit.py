"""A township's weekly form as the clerk sends it (issue 21 §3, §4, §7): rows left as the
prefilled form gave them are not reported yet (未填), a resubmission replaces the township's
rows of the weeks it carries, and codes typed full-width are the codes they show."""

from __future__ import annotations

import io

import openpyxl
import pytest

from dashboard import contract, desk, ingest, template
from dashboard.store import Store

from conftest import TINY, csv_text, table_rows, write_county

WEEK = "2021-05-10"  # the week after TINY's week: the form lays out TINY's shift a week on


def grid_row(grid: str, week: str = WEEK, visited: int = 20) -> dict:
    return dict(
        week_start=week,
        grid_id=grid,
        households_visited=visited,
        residents_checked=50,
        travel_registered=0,
        vaccinated=40,
        issues_found=1,
        issues_resolved=1,
    )


def training(aid: str, township: str, held_on: str = "2021-05-12") -> dict:
    return dict(TINY["trainings"][0], activity_id=aid, township_id=township, held_on=held_on)


@pytest.fixture
def county(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "base")], store).version == 1
    return store


def submit(tmp_path, store, township, table, rows, **kw):
    path = tmp_path / f"{table}.csv"
    path.write_text(csv_text(table, rows))
    return ingest.load([path], store, township=township, by="clerk", **kw)


def form(store: Store, township: str = "T1", week: str = WEEK) -> openpyxl.Workbook:
    con = store.connect()
    try:
        return openpyxl.load_workbook(io.BytesIO(template.township_xlsx_bytes(con, township, week)))
    finally:
        con.close()


def upload(store: Store, wb: openpyxl.Workbook, **kw) -> ingest.LoadResult:
    buf = io.BytesIO()
    wb.save(buf)
    return ingest.load_uploads([("周报.xlsx", buf.getvalue())], store, township="T1", by="clerk", **kw)


def fill_grids(wb, values=(10, 30, 0, 20, 1, 0)) -> None:
    ws = wb["网格周报"]
    for r in range(2, ws.max_row + 1):
        for c, v in enumerate(values, start=3):
            ws.cell(r, c, v)


# ------------------------------------------------------------------ §3 rows left unfilled
def test_to_fill_columns_are_the_ones_the_form_leaves_empty(county):
    wb = form(county)
    for sheet, table in (("网格周报", "grid_weekly"), ("卡点值守", "checkpoint_shifts")):
        ws = wb[sheet]
        assert ws.max_row >= 2, sheet
        names = contract.TABLES[table].column_names
        for i, name in enumerate(names, start=1):
            filled = {ws.cell(r, i).value is not None for r in range(2, ws.max_row + 1)}
            assert filled == {name not in contract.to_fill(table)}, (table, name)


def test_a_form_with_the_shift_rows_untouched_loads_the_grids_and_lists_the_shifts_as_not_filled(county):
    wb = form(county)
    fill_grids(wb)
    shift_rows = wb["卡点值守"].max_row - 1
    res = upload(county, wb)
    assert res.ok, [str(e) for e in res.errors]
    assert res.changes["grid_weekly"]["added"] == 2
    assert "checkpoint_shifts" not in res.changes or not sum(res.changes["checkpoint_shifts"].values())
    shifts = [r for r in table_rows(county, "checkpoint_shifts") if str(r[1]).startswith(WEEK)]
    assert shifts == []  # not reported yet: nothing of the week stored
    (item,) = res.report["unfilled"]
    assert (item["table"], item["count"], item["rows"]) == (
        "checkpoint_shifts",
        shift_rows,
        list(range(2, 2 + shift_rows)),
    )
    summary = desk.import_summary(res.report, "zh").to_dict("records")
    row = next(r for r in summary if r["事项"].startswith("未填"))
    assert row["表"] == "卡点值守" and row["数量"] == shift_rows and row["行号"].startswith("2")
    en = desk.import_summary(res.report, "en")
    assert any(w.startswith("Not filled") for w in en["What"])
    assert any("Not filled" in line for line in ingest.summary_lines(res.report))


def test_a_partly_filled_row_is_an_error_naming_each_empty_cell_and_nothing_loads(county):
    wb = form(county)
    fill_grids(wb)
    wb["卡点值守"].cell(2, 4, 2)  # staff_party only: staff_unit, staff_volunteer, persons_checked empty
    res = upload(county, wb)
    assert not res.ok and county.current() == 1
    empty = sorted(e.column for e in res.errors if e.row == 2 and e.table == "checkpoint_shifts")
    assert empty == ["persons_checked", "staff_unit", "staff_volunteer"]
    assert {e.message.key for e in res.errors} == {"intake.required_missing"}


def test_a_grid_row_left_unfilled_is_not_reported_and_the_rest_load(county):
    wb = form(county)
    fill_grids(wb)
    ws = wb["网格周报"]
    for c in range(3, 9):
        ws.cell(3, c).value = None  # the second grid left as the form gave it
    res = upload(county, wb)
    assert res.ok and res.changes["grid_weekly"]["added"] == 1
    assert [(u["table"], u["rows"]) for u in res.report["unfilled"]] == [
        ("grid_weekly", [3]),
        ("checkpoint_shifts", [2]),
    ]


# ------------------------------------------------------------------ §4 resubmission replaces
def test_a_corrected_form_without_a_row_removes_it_and_nothing_else(tmp_path, county):
    shift = dict(TINY["checkpoint_shifts"][0], shift_start="2021-05-11 00:00", shift_end="2021-05-11 08:00")
    first = submit(tmp_path, county, "T1", "grid_weekly", [grid_row("G1"), grid_row("G2")])
    assert first.ok and first.changes["grid_weekly"]["added"] == 2
    assert submit(tmp_path, county, "T1", "checkpoint_shifts", [shift]).ok
    before = table_rows(county, "grid_weekly")
    # G2 was sent by mistake: the corrected form has G1 only (and a new figure for it)
    res = submit(tmp_path, county, "T1", "grid_weekly", [grid_row("G1", visited=25)])
    assert res.ok, [str(e) for e in res.errors]
    assert res.changes["grid_weekly"] == {"added": 0, "changed": 1, "removed": 1}
    assert res.report["removed"] == [{"table": "grid_weekly", "count": 1, "keys": [f"{WEEK} / G2"]}]
    after = table_rows(county, "grid_weekly")
    assert [r[1] for r in after if str(r[0]) == WEEK] == ["G1"]
    # the other week (TINY's 2021-05-03 row) and the table the file does not carry stay
    assert [r for r in after if str(r[0]) != WEEK] == [r for r in before if str(r[0]) != WEEK]
    assert (
        len([r for r in table_rows(county, "checkpoint_shifts") if str(r[1]).startswith("2021-05-11")]) == 1
    )
    # the version record counts the removed row
    assert county.record(county.current())["tables"]["grid_weekly"]["removed"] == 1


def test_the_preview_shows_the_rows_a_correction_would_remove(tmp_path, county):
    assert submit(tmp_path, county, "T1", "grid_weekly", [grid_row("G1"), grid_row("G2")]).ok
    version = county.current()
    res = submit(tmp_path, county, "T1", "grid_weekly", [grid_row("G1")], dry_run=True)
    assert res.ok and res.changes["grid_weekly"]["removed"] == 1 and county.current() == version
    zh = desk.import_summary(res.report, "zh").to_dict("records")
    removed = next(r for r in zh if r["事项"].startswith("删除"))
    assert removed["数量"] == 1 and removed["记录"] == f"{WEEK} / G2" and removed["表"] == "网格周报"
    changes = desk.change_table(res.changes, "zh").to_dict("records")
    assert changes[0]["删除"] == 1


def test_a_resubmission_never_touches_other_townships_or_weeks(tmp_path, county):
    rows = [training("A2", "T1"), training("A3", "T1"), training("A9", "T1", held_on="2021-05-19")]
    assert submit(tmp_path, county, "T1", "trainings", rows).ok
    assert submit(tmp_path, county, "T2", "trainings", [training("A4", "T2")]).ok
    res = submit(tmp_path, county, "T1", "trainings", [training("A2", "T1")])
    assert res.ok and res.changes["trainings"]["removed"] == 1
    held = {r[0]: r[2] for r in table_rows(county, "trainings")}
    # A3 removed; A9 (T1, another week), A4 (T2, same week), A1 (county-level) stay
    assert sorted(held) == ["A1", "A2", "A4", "A9"]


def test_a_county_load_still_upserts(tmp_path, county):
    path = tmp_path / "grid_weekly.csv"
    path.write_text(csv_text("grid_weekly", [grid_row("G1"), grid_row("G2")]))
    assert ingest.load([path], county).ok
    path.write_text(csv_text("grid_weekly", [grid_row("G1", visited=5)]))
    res = ingest.load([path], county)
    assert res.ok and res.changes["grid_weekly"]["removed"] == 0
    assert len([r for r in table_rows(county, "grid_weekly") if str(r[0]) == WEEK]) == 2


# ------------------------------------------------------------------ §7 codes normalised
def test_codes_typed_full_width_are_read_as_the_code(tmp_path, county):
    res = submit(tmp_path, county, "T1", "grid_weekly", [grid_row("Ｇ１"), grid_row("G２ ")])
    assert res.ok, [str(e) for e in res.errors]
    assert sorted(r[1] for r in table_rows(county, "grid_weekly") if str(r[0]) == WEEK) == ["G1", "G2"]
    assert res.report["converted"]["code"] == 2
    zh = desk.import_summary(res.report, "zh").to_dict("records")
    assert any(r["事项"].startswith("转换：全角") and "代码" in r["事项"] and r["数量"] == 2 for r in zh)


def test_a_full_width_code_that_is_still_unknown_is_an_unknown_reference(tmp_path, county):
    res = submit(tmp_path, county, "T1", "grid_weekly", [grid_row("Ｇ９")])
    assert not res.ok
    assert [(e.column, e.value) for e in res.errors] == [("grid_id", "G9")]


# ------------------------------------------------------------------ §8 words a clerk understands
def test_errors_read_by_file_sheet_and_row_with_knock_on_errors_after_their_cause(tmp_path, county):
    bad_grid = dict(TINY["grids"][0], grid_id="G7", households="四十")  # the row that fails
    (tmp_path / "grids.csv").write_text(csv_text("grids", [bad_grid]))
    ref = dict(grid_row("G8"))  # G8 exists nowhere: an unknown reference
    (tmp_path / "grid_weekly.csv").write_text(csv_text("grid_weekly", [ref, grid_row("G1", visited="x")]))
    res = ingest.load([tmp_path / "grid_weekly.csv", tmp_path / "grids.csv"], county)
    keys = [(e.file, e.row, e.message.key) for e in res.errors]
    assert keys == [
        ("grid_weekly.csv", 3, "intake.bad_format"),
        ("grids.csv", 2, "intake.bad_format"),
        ("grid_weekly.csv", 2, "intake.not_in_table"),  # after the grids' own error
    ]
    whole = ingest.load([tmp_path / "nothing.csv"], county).errors[0]
    assert desk.error_table([whole], "zh").iloc[0]["行号"] == "整个文件"


def test_roster_warnings_are_the_countys_to_fix():
    from dashboard import quality

    county_kinds = {k for k in quality.KINDS if quality.county_fixes(k)}
    assert county_kinds == {"grid_no_chief", "grid_many_chiefs", "member_links", "grid_overlinked"}
