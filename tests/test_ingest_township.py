"""A township reporter's submission (issue 10 §2, the loader's part): only the weekly tables
of ingest.REPORTER_TABLES, and only rows of the reporter's own township; all or nothing."""

from __future__ import annotations

import openpyxl
import pytest

from dashboard import contract, ingest
from dashboard.store import Store

from conftest import TINY, csv_text, write_county

WEEK2 = dict(
    week_start="2021-05-10",
    grid_id="G1",
    households_visited=20,
    residents_checked=50,
    travel_registered=0,
    vaccinated=40,
    issues_found=1,
    issues_resolved=1,
)


@pytest.fixture
def county(tmp_path) -> Store:
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "base")], store).version == 1
    return store


def submit(tmp_path, store, township, table, rows, **kw):
    path = tmp_path / f"{table}.csv"
    path.write_text(csv_text(table, rows))
    return ingest.load([path], store, township=township, by="clerk", **kw)


def test_reporter_tables_are_the_weekly_four():
    assert set(ingest.REPORTER_TABLES) == {
        "grid_weekly",
        "checkpoint_shifts",
        "trainings",
        "branch_assessments",
    }


@pytest.mark.slow
def test_own_township_rows_are_stored(tmp_path, county):
    res = submit(tmp_path, county, "T1", "grid_weekly", [WEEK2])
    assert res.ok and res.version == 2, [str(e) for e in res.errors]
    assert county.record(2)["township"] == "T1"
    shift = dict(TINY["checkpoint_shifts"][0], shift_start="2021-05-10 00:00", shift_end="2021-05-10 08:00")
    assert submit(tmp_path, county, "T1", "checkpoint_shifts", [shift]).version == 3
    training = dict(TINY["trainings"][0], activity_id="A2", township_id="T1")
    assert submit(tmp_path, county, "T1", "trainings", [training]).version == 4


@pytest.mark.parametrize(
    "table,row,column,value",
    [
        ("grid_weekly", WEEK2, "grid_id", "G1"),  # G1 is in T1
        (
            "checkpoint_shifts",
            dict(TINY["checkpoint_shifts"][0], shift_start="2021-05-10 00:00", shift_end="2021-05-10 08:00"),
            "checkpoint_id",
            "K1",
        ),
        ("trainings", dict(TINY["trainings"][0], activity_id="A2", township_id="T1"), "township_id", "T1"),
    ],
)
def test_a_row_of_another_township_refuses_the_whole_upload(tmp_path, county, table, row, column, value):
    res = submit(tmp_path, county, "T2", table, [row])
    assert not res.ok and county.current() == 1
    (e,) = res.errors
    assert (e.file, e.table, e.row, e.column, e.value) == (f"{table}.csv", table, 2, column, value)
    assert "another township (T1)" in e.en and "T1" in e.zh


def test_assessments_of_another_townships_branch(tmp_path, county):
    rows = [dict(r, assessed_on="2021-06-01") for r in TINY["branch_assessments"]]
    assert submit(tmp_path, county, "T2", "branch_assessments", rows).ok  # B1 is in T2
    res = submit(
        tmp_path,
        county,
        "T1",
        "branch_assessments",
        [dict(r, assessed_on="2021-07-01") for r in TINY["branch_assessments"]],
    )
    assert not res.ok and len(res.errors) == 8 and res.errors[0].column == "branch_id"
    assert county.current() == 2


def test_county_level_or_taken_training_codes_are_refused(tmp_path, county):
    blank = dict(TINY["trainings"][0], activity_id="A3", township_id="")
    (e,) = submit(tmp_path, county, "T1", "trainings", [blank]).errors
    assert (e.row, e.column) == (2, "township_id") and "blank" in e.en
    # A1 is a county-level activity already stored: a reporter cannot take it over.
    taken = dict(TINY["trainings"][0], township_id="T1")
    (e,) = submit(tmp_path, county, "T1", "trainings", [taken]).errors
    assert (e.row, e.column, e.value) == (2, "activity_id", "A1") and "already used" in e.en
    assert county.current() == 1


def test_county_tables_are_refused_by_file_and_by_sheet(tmp_path, county):
    res = submit(tmp_path, county, "T1", "grids", TINY["grids"])
    (e,) = res.errors
    assert (e.file, e.table) == ("grids.csv", "grids") and "grid_weekly" in e.en and "网格" in e.zh
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "网格周报"
    ws.append([c.zh for c in contract.TABLES["grid_weekly"].columns])
    ws.append([WEEK2[c] for c in contract.TABLES["grid_weekly"].column_names])
    grids = wb.create_sheet("网格")
    grids.append(["网格代码"])
    wb.save(tmp_path / "book.xlsx")
    res = ingest.load([tmp_path / "book.xlsx"], county, township="T1")
    (e,) = res.errors
    assert e.file == "book.xlsx [网格]" and e.table == "grids"
    assert county.current() == 1


def test_reporter_cannot_replace(tmp_path, county):
    res = submit(tmp_path, county, "T1", "grid_weekly", [WEEK2], replace=True)
    assert not res.ok and "replace" in res.errors[0].en and county.current() == 1


@pytest.mark.parametrize(
    "name",
    [
        "grid_weekly\x00.csv",
        "../grid_weekly.csv",
        "..\\..\\grid_weekly.csv",
        "..",
        "a/../grid_weekly.csv",
        "grid\x07weekly.csv",
        "网" * 80 + ".csv",
    ],
)
def test_upload_names_with_nul_or_dotdot_are_refused_cleanly(tmp_path, county, name):
    """Issue 11 item 11: refused with a message, never an exception; nothing loaded."""
    good = csv_text("grid_weekly", [WEEK2]).encode()
    res = ingest.load_uploads([("grid_weekly.csv", good), (name, good)], county, by="clerk")
    assert not res.ok and county.current() == 1
    (e,) = res.errors
    assert "rename the file" in e.en and "改名" in e.zh
    assert "\x00" not in e.file


def test_plain_upload_names_still_load(tmp_path, county):
    good = csv_text("grid_weekly", [WEEK2]).encode()
    res = ingest.load_uploads([("C:\\clerk\\grid_weekly.csv", good)], county, township="T1")
    assert res.ok and res.version == 2 and res.files[0]["name"] == "grid_weekly.csv"
