"""The loader against every rule of the data contract (docs/data-contract.md: input files,
tables, loading rules)."""

from __future__ import annotations

import copy
import zipfile

import openpyxl
import pytest

from dashboard import contract, ingest
from dashboard.store import Store

from conftest import TINY, table_rows, write_county


def snapshot(store: Store) -> tuple:
    return (
        store.current(),
        [v["version"] for v in store.versions()],
        {t: table_rows(store, t) for t in contract.TABLES} if store.current() else None,
    )


def test_tiny_county_loads_with_counts(store, tiny_dir):
    res = ingest.load([tiny_dir], store, by="clerk")
    assert res.ok and res.errors == []
    assert res.version == 1 and store.current() == 1
    assert res.changes["grids"] == {"added": 2, "changed": 0, "removed": 0}
    rec = store.versions()[0]
    assert rec["by"] == "clerk"
    assert {f["name"] for f in rec["files"]} == {f"{t}.csv" for t in TINY}
    assert all(len(f["sha256"]) == 64 for f in rec["files"])
    # typed values: booleans, dates, enum labels mapped to codes, blanks to null
    assert table_rows(store, "units") == [
        ("U1", "县委组织部", "county"),
        ("U2", "孟连边境管理大队", "stationed"),
    ]
    (g1, g2) = table_rows(store, "grids")
    assert g2[4] is None and g2[5] is None
    assert table_rows(store, "townships")[1][5] is True
    assert str(table_rows(store, "branch_assessments")[0][1]) == "2021-05-20"


def test_same_files_twice_change_nothing(store, tiny_dir):
    assert ingest.load([tiny_dir], store).version == 1
    res = ingest.load([tiny_dir], store)
    assert res.ok and res.version is None and not res.changed
    assert [v["version"] for v in store.versions()] == [1]


def test_upsert_counts_changed_rows_and_keeps_others(store, tiny_dir, tmp_path):
    ingest.load([tiny_dir], store)
    data = {"grids": copy.deepcopy(TINY["grids"])}
    data["grids"][0]["households"] = 45
    data["grids"].append(dict(grid_id="G3", zone_id="Z1", name="三网格", households=10, lon=99.61, lat=22.35))
    res = ingest.load([write_county(tmp_path / "upd", data)], store)
    assert res.version == 2
    assert res.changes["grids"] == {"added": 1, "changed": 1, "removed": 0}
    assert [r[0] for r in table_rows(store, "grids")] == ["G1", "G2", "G3"]
    assert table_rows(store, "members")  # untouched tables are kept


def test_replace_swaps_the_table_and_checks_references(store, tiny_dir, tmp_path):
    ingest.load([tiny_dir], store)
    # Replacing grids without G1 would orphan the stored member and weekly report of G1.
    data = {"grids": [TINY["grids"][1]]}
    res = ingest.load([write_county(tmp_path / "r1", data)], store, replace=True)
    assert not res.ok
    assert {(e.table, e.column, e.value) for e in res.errors} >= {
        ("members", "grid_id", "G1"),
        ("grid_weekly", "grid_id", "G1"),
    }
    assert all(e.file == ingest.STORED for e in res.errors)
    # A replace of units with the same rows plus one more adds one and removes none.
    data = {"units": TINY["units"] + [dict(unit_id="U3", name="县财政局", kind="county")]}
    res = ingest.load([write_county(tmp_path / "r2", data)], store, replace=True)
    assert res.ok and res.changes["units"] == {"added": 1, "changed": 0, "removed": 0}
    data = {"units": TINY["units"]}
    res = ingest.load([write_county(tmp_path / "r3", data)], store, replace=True)
    assert res.ok and res.changes["units"] == {"added": 0, "changed": 0, "removed": 1}
    assert [r[0] for r in table_rows(store, "units")] == ["U1", "U2"]


@pytest.mark.slow
def test_gb18030_with_chinese_headers_and_file_names(tmp_path):
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    assert ingest.load([write_county(tmp_path / "utf8")], a).ok
    gb = write_county(tmp_path / "gb", chinese=True, encoding="gb18030")
    assert (gb / "网格.csv").read_bytes().startswith("网格代码".encode("gb18030"))
    res = ingest.load([gb], b)
    assert res.ok, [str(e) for e in res.errors]
    for t in contract.TABLES:
        assert table_rows(a, t) == table_rows(b, t), t


def test_utf8_bom_is_accepted(store, tmp_path):
    folder = write_county(tmp_path / "bom", encoding="utf-8-sig")
    assert (folder / "grids.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert ingest.load([folder], store).ok


def _workbook(path, data, chinese_sheets=True, typed_cells=True):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    notes = wb.create_sheet("说明")
    notes.append(["这是说明页"])
    import datetime as dt

    for table, rows in data.items():
        t = contract.TABLES[table]
        ws = wb.create_sheet(t.zh if chinese_sheets else t.name)
        ws.append([c.zh for c in t.columns])
        for r in rows:
            vals = []
            for c in t.columns:
                v = r.get(c.name, "")
                if v == "":
                    v = None
                elif typed_cells and c.type == contract.DATE:
                    v = dt.datetime.strptime(str(v).replace("/", "-"), "%Y-%m-%d")
                elif typed_cells and c.type == contract.TIMESTAMP:
                    v = dt.datetime.strptime(str(v), "%Y-%m-%d %H:%M")
                elif typed_cells and c.type in (contract.INT, contract.FLOAT):
                    v = float(v)
                vals.append(v)
            ws.append(vals)
    wb.save(path)
    return path


@pytest.mark.slow
def test_xlsx_workbook_equals_csv(tmp_path):
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    assert ingest.load([write_county(tmp_path / "csv")], a).ok
    res = ingest.load([_workbook(tmp_path / "county.xlsx", TINY)], b)
    assert res.ok, [str(e) for e in res.errors]
    for t in contract.TABLES:
        assert table_rows(a, t) == table_rows(b, t), t


def test_xlsx_error_names_sheet_and_row(store, tmp_path):
    data = copy.deepcopy(TINY)
    data["grids"][1]["households"] = -5
    res = ingest.load([_workbook(tmp_path / "bad.xlsx", data)], store)
    assert not res.ok
    (e,) = res.errors
    assert (e.file, e.table, e.row, e.column) == ("bad.xlsx [网格]", "grids", 3, "households")
    assert store.current() is None


def test_file_referencing_another_file_of_the_same_load(store, tmp_path):
    # members.csv refers to grids.csv and units.csv of the same load; nothing stored yet.
    res = ingest.load([write_county(tmp_path / "x")], store)
    assert res.ok


# (table, row index in TINY, column, bad value, expected words in the English reason)
ROW_RULES = [
    ("grids", 0, "households", "many", "not a whole number"),
    ("grids", 0, "households", "-1", "at least 0"),
    ("grids", 1, "households", "3.5", "not a whole number"),
    ("grids", 0, "name", "", "required value is missing"),
    ("grids", 0, "lon", "200", "at most 180"),
    ("grids", 0, "lat", "north", "not a number"),
    ("grids", 0, "zone_id", "Z9", "does not exist in table zones"),
    ("grids", 0, "unit_id", "U9", "does not exist in table units"),
    ("townships", 0, "is_border", "maybe", "not yes/no"),
    ("units", 0, "kind", "province", "not an allowed value"),
    ("members", 0, "households_linked", "51", "at most 50"),
    ("members", 0, "reported_on", "2021-13-01", "not a date"),
    ("members", 0, "reported_on", "06/05/2021", "not a date"),
    ("members", 0, "role", "leader", "not an allowed value"),
    ("grid_weekly", 0, "week_start", "2021-05-04", "must be a Monday"),
    ("grid_weekly", 0, "households_visited", "41", "more than the grid's households"),
    ("grid_weekly", 0, "vaccinated", "81", "must not exceed residents_checked"),
    ("checkpoints", 0, "required_staff", "0", "at least 1"),
    ("checkpoint_shifts", 0, "shift_end", "2021-05-02 23:00", "after shift_start"),
    ("checkpoint_shifts", 0, "shift_end", "2021-05-04 08:00", "at most 24 h later"),
    ("checkpoint_shifts", 0, "shift_start", "yesterday", "not a time"),
    ("branch_assessments", 0, "criterion", "hygiene", "not an allowed value"),
    ("trainings", 0, "sessions", "0", "at least 1"),
    ("trainings", 0, "kind", "party", "not an allowed value"),
    ("targets", 0, "metric", "branches.happiness", "not a metric code"),
    ("indicators", 0, "value", "-3", "at least 0"),
    ("training_attendance", 0, "member_id", "M9", "does not exist in table members"),
]


@pytest.mark.slow
@pytest.mark.parametrize("table,index,column,value,reason", ROW_RULES)
def test_row_rule_names_row_and_column(tmp_path, table, index, column, value, reason):
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "base")], store).version == 1
    before = snapshot(store)
    data = copy.deepcopy(TINY)
    data[table][index][column] = value
    res = ingest.load([write_county(tmp_path / "bad", data)], store)
    assert not res.ok
    hits = [e for e in res.errors if e.column == column and reason in e.en]
    assert hits, [str(e) for e in res.errors]
    e = hits[0]
    assert (e.file, e.table, e.row) == (f"{table}.csv", table, index + 2)
    assert e.zh and any("\u4e00" <= ch <= "\u9fff" for ch in e.zh)
    assert snapshot(store) == before


def test_partial_assessment_is_refused(store, tmp_path):
    data = copy.deepcopy(TINY)
    data["branch_assessments"] = data["branch_assessments"][:6]
    res = ingest.load([write_county(tmp_path / "x", data)], store)
    (e,) = res.errors
    assert e.column == "criterion" and "missing: funding, role" in e.en and e.row == 2


def test_duplicate_key_and_unique_name(store, tmp_path):
    data = copy.deepcopy(TINY)
    data["units"].append(dict(unit_id="U1", name="重复", kind="county"))
    data["townships"][1]["name"] = "娜允镇"
    res = ingest.load([write_county(tmp_path / "x", data)], store)
    got = {(e.table, e.row, e.column) for e in res.errors}
    assert ("units", 4, "unit_id") in got
    assert ("townships", 2, "name") in got and ("townships", 3, "name") in got


@pytest.mark.parametrize(
    "header,reason",
    [
        ("姓名", "personal data"),
        ("身份证号", "personal data"),
        ("phone", "personal data"),
        ("家庭住址", "personal data"),
        ("colour", "unknown column"),
    ],
)
def test_extra_columns_are_refused(store, tmp_path, header, reason):
    folder = write_county(tmp_path / "x")
    text = (folder / "members.csv").read_text().splitlines()
    text = [text[0] + "," + header, text[1] + ",x"]
    (folder / "members.csv").write_text("\n".join(text) + "\n")
    res = ingest.load([folder], store)
    (e,) = res.errors
    assert (e.file, e.row, e.column) == ("members.csv", 1, header) and reason in e.en


def test_missing_required_column(store, tmp_path):
    folder = write_county(tmp_path / "x")
    lines = (folder / "units.csv").read_text().splitlines()
    (folder / "units.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    (e,) = ingest.load([folder], store).errors
    assert (e.row, e.column) == (1, "kind") and "missing" in e.en


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "not a text"),
        (b"\xff\xfe\xfd\x80\x81" * 100, "cannot decode"),
        ("unit_id,name,kind\nU1,县委组织部,county,extra\n".encode(), "as many cells"),
        ('unit_id,name,kind\nU1,"县委组织部,county\n'.encode(), "check commas and quotes"),
    ],
)
def test_garbage_files_give_messages_not_tracebacks(store, tmp_path, content, reason):
    path = tmp_path / "units.csv"
    path.write_bytes(content)
    res = ingest.load([path], store)
    assert not res.ok and any(reason in e.en for e in res.errors), [str(e) for e in res.errors]
    assert store.current() is None


def test_unknown_file_name_and_bad_workbook(store, tmp_path):
    (tmp_path / "网格周报表.csv").write_text("a\n1\n")
    (tmp_path / "book.xlsx").write_bytes(b"not a zip")
    res = ingest.load([tmp_path / "网格周报表.csv", tmp_path / "book.xlsx"], store)
    assert [("not a table name" in e.en) for e in res.errors] == [True]
    res = ingest.load([tmp_path / "book.xlsx"], store)
    assert "not a valid Excel" in res.errors[0].en


def test_xlsx_uncompressed_size_is_capped_before_parsing(store, tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    monkeypatch.setattr(ingest.sheets, "MAX_XLSX_UNCOMPRESSED", 1_000_000)
    res = ingest.load([path], store)
    assert "too large" in res.errors[0].en


def test_error_list_is_capped_at_200(store, tmp_path):
    rows = [dict(unit_id=f"U{i}", name="x", kind="nope") for i in range(500)]
    res = ingest.load([write_county(tmp_path / "x", {"units": rows})], store)
    assert len(res.errors) == 200 and res.truncated
    assert res.errors[0].row == 2 and res.errors[-1].row == 201


def test_geojson_outlines(store, tmp_path):
    import json

    folder = write_county(tmp_path / "g")
    square = [[[99.5, 22.3], [99.6, 22.3], [99.6, 22.4], [99.5, 22.3]]]
    feats = [
        {
            "type": "Feature",
            "properties": {"grid_id": "G1"},
            "geometry": {"type": "Polygon", "coordinates": square},
        }
    ]
    (folder / "grids.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    res = ingest.load([folder], store)
    assert res.ok and res.changes["grids.geojson"]["added"] == 1
    feats.append(
        {
            "type": "Feature",
            "properties": {"grid_id": "G7"},
            "geometry": {"type": "Polygon", "coordinates": square},
        }
    )
    feats.append(
        {
            "type": "Feature",
            "properties": {"grid_id": "G2"},
            "geometry": {"type": "Point", "coordinates": [1, 2]},
        }
    )
    (folder / "grids.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    res = ingest.load([folder / "grids.geojson"], store)
    assert {(e.row, e.column) for e in res.errors} == {(2, "grid_id"), (3, "geometry")}
