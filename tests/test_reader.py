"""The forgiving reader (issue 10 §1): files as township clerks keep them, CSV, xlsx and xls alike."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io

import openpyxl
import pytest

from dashboard import contract, ingest
from dashboard.store import Store

from conftest import TINY, write_county
from conftest import table_rows as rows_of

GW = [
    "week_start",
    "grid_id",
    "households_visited",
    "residents_checked",
    "travel_registered",
    "vaccinated",
    "issues_found",
    "issues_resolved",
]
ZH = {c.name: c.zh for c in contract.TABLES["grid_weekly"].columns}


def base_store(tmp_path) -> Store:
    """The tiny county with a second grid week to fill: G1 and G2 in the week of 2021-05-10."""
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "base")], store).version == 1
    return store


# The sheet a clerk keeps: a title, a 填报单位 line, a blank line, a header with a 序号 column,
# a reference column, full-width brackets and spaces; dates, digits and separators as typed;
# a 合计 row at the end. Row numbers in the file: title 1, unit line 2, blank 3, header 4.
HEADER = [
    "序号",
    "周起始日",
    "网格代码",
    "网格名称（参考）",
    "走访 户数",
    "排查人数",
    "进出县登记人数",
    "已接种人数",
    "发现问题数",
    "解决问题数",
]
MESSY = [
    ["孟连县网格周报表（2021年第19周）"] + [""] * 9,
    ["填报单位：娜允镇党委　填报人：张三　日期：2021年5月14日"] + [""] * 9,
    [""] * 10,
    HEADER,
    ["1", "2021年5月10日", "G1", "一网格", "３０", "1,080", "2", "1，050", " 3 ", "2"],
    ["2", "2021.05.10", "G2", "二网格", "40", "90", "0", "88", "1", "1"],
    ["合计", "", "", "", "70", "1170", "2", "1138", "4", "3"],
]
EXPECTED = [
    (dt.date(2021, 5, 10), "G1", 30, 1080, 2, 1050, 3, 2),
    (dt.date(2021, 5, 10), "G2", 40, 90, 0, 88, 1, 1),
]


def write_csv(path, rows) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_xlsx(path, sheet, rows, merged_title=True) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append([None if v == "" else v for v in r])
    if merged_title:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[3]))
    wb.save(path)


def write_xls(path, sheet, rows) -> None:
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if isinstance(v, dt.date):
                ws.write(i, j, v, date_style)
            elif v != "":
                ws.write(i, j, v)
    wb.save(str(path))


def grid_weekly(store) -> list[tuple]:
    return [r for r in rows_of(store, "grid_weekly") if r[0] == dt.date(2021, 5, 10)]


def check_report(res, file, table="grid_weekly"):
    rep = res.report
    assert rep["tables"][table]["rows"] == 2
    skipped = {(s["row"], s["reason"]) for s in rep["skipped"] if s["file"] == file}
    assert skipped == {(1, "title"), (2, "title"), (3, "empty"), (7, "total")}, rep["skipped"]
    ignored = {(c["column"], c["reason"]) for c in rep["ignored_columns"]}
    assert ignored == {("序号", "serial"), ("网格名称（参考）", "reference")}
    return rep


def test_messy_csv_loads_like_a_clean_one(tmp_path):
    store = base_store(tmp_path)
    write_csv(tmp_path / "网格周报.csv", MESSY)
    res = ingest.load([tmp_path / "网格周报.csv"], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store) == EXPECTED
    rep = check_report(res, "网格周报.csv")
    # two dates in another form; ３０ and 1，050 full-width; 1,080 and 1，050 with separators
    assert rep["converted"]["date"] == 2
    assert rep["converted"]["fullwidth"] == 2
    assert rep["converted"]["separator"] == 2


def test_messy_xlsx_with_merged_title_and_date_cells(tmp_path):
    store = base_store(tmp_path)
    rows = copy.deepcopy(MESSY)
    rows[4][1] = dt.datetime(2021, 5, 10)  # an Excel date cell
    rows[5][1] = dt.datetime(2021, 5, 10, 0, 0)  # a date-time cell at midnight
    rows[5][4] = 40.0  # Excel numbers are floats
    write_xlsx(tmp_path / "乡镇.xlsx", "网格周报", rows)
    res = ingest.load([tmp_path / "乡镇.xlsx"], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store) == EXPECTED
    check_report(res, "乡镇.xlsx [网格周报]")


def test_messy_xls_reads_like_xlsx(tmp_path):
    store = base_store(tmp_path)
    rows = copy.deepcopy(MESSY)
    rows[4][1] = dt.date(2021, 5, 10)
    write_xls(tmp_path / "乡镇.xls", "网格周报", rows)
    res = ingest.load([tmp_path / "乡镇.xls"], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store) == EXPECTED
    check_report(res, "乡镇.xls [网格周报]")


@pytest.mark.parametrize("suffix", [".et", ".ods"])
def test_et_and_ods_ask_for_xlsx_or_csv(store, tmp_path, suffix):
    path = tmp_path / f"网格周报{suffix}"
    path.write_bytes(b"PK\x03\x04 not really")
    (e,) = ingest.load([path], store).errors
    assert "xlsx" in e.en and "CSV" in e.en and "xlsx" in e.zh and store.current() is None


@pytest.mark.parametrize(
    "value,reason,row",
    [
        ("11/1/2021", "not a date", 5),  # ambiguous: month or day first
        ("1/11/2021", "not a date", 5),
        ("2021-13-01", "not a date", 5),
    ],
)
def test_ambiguous_or_bad_dates_stay_errors_with_the_files_row(tmp_path, value, reason, row):
    store = base_store(tmp_path)
    rows = copy.deepcopy(MESSY)
    rows[4][1] = value
    write_csv(tmp_path / "grid_weekly.csv", rows)
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    assert not res.ok and store.current() == 1
    (e,) = res.errors
    assert (e.row, e.column, e.value) == (row, "week_start", value) and reason in e.en


def test_a_unit_in_a_number_is_an_error_with_a_hint(tmp_path):
    store = base_store(tmp_path)
    rows = copy.deepcopy(MESSY)
    rows[5][4] = "12人"
    write_csv(tmp_path / "grid_weekly.csv", rows)
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    (e,) = res.errors
    assert (e.row, e.column, e.value) == (6, "households_visited", "12人")
    assert "unit" in e.en and "12人" in e.en and "单位" in e.zh
    assert store.current() == 1


def test_a_total_row_with_a_grid_code_is_an_error(tmp_path):
    store = base_store(tmp_path)
    rows = copy.deepcopy(MESSY)
    rows[6][2] = "G1"
    write_csv(tmp_path / "grid_weekly.csv", rows)
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    (e,) = res.errors
    assert (e.row, e.column) == (7, "grid_id") and "total row" in e.en
    assert store.current() == 1


def test_total_label_in_the_first_column_is_skipped(tmp_path):
    store = base_store(tmp_path)
    rows = [r[1:] for r in MESSY]  # no 序号 column: 合 计 sits in 周起始日
    rows[6][0] = "合 计："
    write_csv(tmp_path / "grid_weekly.csv", rows)
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store) == EXPECTED
    assert {"file": "grid_weekly.csv", "table": "grid_weekly", "row": 7, "reason": "total"} in res.report[
        "skipped"
    ]


FOOTER = ["填报人：张三　审核人：李四　日期：2021年5月14日"] + [""] * 9


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_signature_line_under_the_table_is_skipped_and_its_names_kept_nowhere(tmp_path, kind):
    store = base_store(tmp_path)
    rows = MESSY + [FOOTER, ["", "审核人：李四", "", "", "", "", "", "", "", ""]]
    path = tmp_path / f"grid_weekly.{kind}"
    (write_csv(path, rows) if kind == "csv" else write_xlsx(path, "网格周报", rows))
    res = ingest.load([path], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store) == EXPECTED
    footers = {s["row"] for s in res.report["skipped"] if s["reason"] == "footer"}
    assert footers == {8, 9}
    con = store.connect()
    try:
        stored = con.execute(
            "SELECT count(*) FROM grid_weekly WHERE grid_id LIKE '%李四%' OR grid_id LIKE '%张三%'"
        ).fetchone()[0]
    finally:
        con.close()
    assert stored == 0 and "张三" not in str(res.report)


def test_a_colon_in_a_data_row_is_not_a_signature_line(tmp_path):
    store = base_store(tmp_path)
    rows = [r[1:] for r in MESSY[:6]]  # no 序号: the week is the first cell
    rows[5][0] = "2021/5/10 0:00"  # a date with a time: a colon, still data
    write_csv(tmp_path / "grid_weekly.csv", rows)
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store) == EXPECTED


def test_yes_no_marks_and_timestamps_as_typed(tmp_path):
    store = Store(tmp_path / "s")
    data = copy.deepcopy(TINY)
    data["branches"][0].update(
        on_border_line="√",
        is_model="×",
        link_county_leader="✓",
        link_unit="有",
        link_township="无",
        link_village_team="✗",
    )
    data["checkpoint_shifts"][0].update(shift_start="2021年5月3日 00:00", shift_end="2021/5/3 8:00")
    data["townships"][0]["lon"] = "９９.５９"
    res = ingest.load([write_county(tmp_path / "x", data)], store)
    assert res.ok, [str(e) for e in res.errors]
    (b,) = rows_of(store, "branches")
    assert b[5:12] == (True, 12, False, True, True, False, False)
    (s,) = rows_of(store, "checkpoint_shifts")
    assert s[1:3] == (dt.datetime(2021, 5, 3, 0, 0), dt.datetime(2021, 5, 3, 8, 0))
    assert res.report["converted"]["bool_symbol"] == 6
    assert res.report["converted"]["date"] == 1  # 2021年5月3日 00:00; 2021/5/3 8:00 was read before
    assert res.report["converted"]["fullwidth"] == 1


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2021-05-10", dt.date(2021, 5, 10)),
        ("2021/5/10", dt.date(2021, 5, 10)),
        ("2021.05.10", dt.date(2021, 5, 10)),
        ("2021年5月10日", dt.date(2021, 5, 10)),
        ("20210510", dt.date(2021, 5, 10)),
        ("２０２１－０５－１０", dt.date(2021, 5, 10)),
        ("2021/5/10 8:00", dt.date(2021, 5, 10)),
        ("2021年5月10日 08:00", dt.date(2021, 5, 10)),
    ],
)
def test_every_date_form_listed(tmp_path, value, expected):
    store = base_store(tmp_path)
    rows = copy.deepcopy(MESSY)
    rows[4][1] = value
    write_csv(tmp_path / "grid_weekly.csv", rows)
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store)[0][0] == expected


def test_header_far_below_is_not_found(tmp_path):
    """The header must be within the first 10 rows; below that the file is refused."""
    store = base_store(tmp_path)
    rows = [["说明"] + [""] * 9] * 10 + MESSY[3:]
    write_csv(tmp_path / "grid_weekly.csv", rows)
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    assert not res.ok and store.current() == 1


def test_command_line_prints_the_import_summary_before_the_result(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    store = base_store(tmp_path)
    write_csv(tmp_path / "网格周报.csv", MESSY)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "--store",
            str(store.root),
            "load",
            str(tmp_path / "网格周报.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "导入摘要 / Import summary:"
    assert "  读取的记录：2（网格周报） / Rows read: 2 (Grid weekly reports)" in lines
    text = out.stdout
    assert "Skipped: title rows: 2 (网格周报.csv, rows 1–2)" in text and "第 1–2 行" in text
    assert "Skipped: total rows: 1 (网格周报.csv, row 7)" in text
    assert "Converted: dates in another form: 2" in text
    assert "Converted: numbers with separators: 2" in text
    assert text.index("Import summary") < text.index("stored as version 2")


def test_blank_lines_keep_the_files_row_numbers(store, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit_id,name,kind\nU1,a,county\n\nU2,b,bad\n,,\nU3,c,county\n")
    res = ingest.load([path], store)
    (e,) = res.errors
    assert (e.row, e.column, e.value) == (4, "kind", "bad")
    assert [(s["row"], s["reason"]) for s in res.report["skipped"]] == [(3, "empty"), (5, "empty")]


def test_a_damaged_xls_gives_a_message(store, tmp_path):
    path = tmp_path / "乡镇.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (e,) = ingest.load([path], store).errors
    assert "not a valid Excel 97-2003" in e.en and "xls" in e.zh and store.current() is None


@pytest.mark.parametrize(
    "header,ignored",
    [
        ("ｇｒｉｄ＿ｉｄ", None),  # full-width English name
        ("Grid_ID", None),
        ("网 格 代 码", None),  # spaces inside
        ("网格代码 ", "网格名称(参考)"),  # half-width brackets on a reference column
        ("网格代码", "编号"),  # a serial column by its other name
    ],
)
def test_headers_are_compared_leniently(tmp_path, header, ignored):
    store = base_store(tmp_path)
    cols = [ZH[c] for c in GW]
    cols[1] = header
    row = ["2021-05-10", "G1", "30", "80", "2", "50", "3", "2"]
    if ignored:
        cols.append(ignored)
        row.append("一网格")
    write_csv(tmp_path / "grid_weekly.csv", [cols, row])
    res = ingest.load([tmp_path / "grid_weekly.csv"], store)
    assert res.ok, [str(e) for e in res.errors]
    assert grid_weekly(store)[0][:3] == (dt.date(2021, 5, 10), "G1", 30)


FW = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _as_clerk_types(c, v, i):
    """A clean value as a clerk might type it (cycling through the forms by row index i)."""
    if v in ("", None):
        return ""
    v = str(v)
    if c.type == contract.DATE:
        d = dt.date.fromisoformat(v.replace("/", "-")) if "-" in v or "/" in v else None
        forms = [
            f"{d.year}年{d.month}月{d.day}日",
            f"{d.year}.{d.month:02d}.{d.day:02d}",
            f"{d.year}{d.month:02d}{d.day:02d}",
            f"{d.year}/{d.month}/{d.day}",
            dt.datetime(d.year, d.month, d.day),
        ]
        return forms[i % len(forms)]
    if c.type == contract.TIMESTAMP:
        t = dt.datetime.fromisoformat(v)
        forms = [
            f"{t.year}年{t.month}月{t.day}日 {t:%H:%M}",
            f"{t.year}/{t.month}/{t.day} {t.hour}:{t:%M}",
            t,
        ]
        return forms[i % len(forms)]
    if c.type == contract.INT:
        n = int(v)
        return [f"{n:,}", v.translate(FW), f" {v} ", f"{n:,}".replace(",", "，")][i % 4]
    if c.type == contract.BOOL:
        yes = v.lower() in contract.BOOL_TRUE
        return [("√" if yes else "×"), ("是" if yes else "否"), ("有" if yes else "无")][i % 3]
    return v


def _clerk_sheet(table: str, rows: list[dict], unit: str) -> list[list]:
    t = contract.TABLES[table]
    out = [
        [f"孟连县{t.zh}报表"] + [""] * len(t.columns),
        [f"填报单位：{unit}　填报人：　日期：2021年5月14日"] + [""] * len(t.columns),
        ["序号"] + [c.zh for c in t.columns],
    ]
    for i, r in enumerate(rows):
        out.append([str(i + 1)] + [_as_clerk_types(c, r.get(c.name, ""), i) for c in t.columns])
    out.append(["合计"] + [""] * len(t.columns))
    return out


def test_county_sent_as_clerks_workbooks_equals_a_clean_load(tmp_path):
    """One reference workbook and one workbook per township, every sheet as clerks keep
    it, one township's resaved as .xls: the same store as the clean CSV files give."""
    clean = Store(tmp_path / "clean")
    assert ingest.load([write_county(tmp_path / "csv")], clean).ok
    weekly = {"grid_weekly", "checkpoint_shifts", "branch_assessments", "trainings"}
    books = {
        "县委组织部（参考）.xlsx": [t for t in TINY if t not in weekly],
        "娜允镇.xlsx": ["grid_weekly", "checkpoint_shifts", "trainings"],
        "公信乡.xls": ["branch_assessments"],
    }
    paths = []
    for name, tables in books.items():
        path = tmp_path / name
        if name.endswith(".xls"):
            xlwt = pytest.importorskip("xlwt")
            wb = xlwt.Workbook()
            date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
            for table in tables:
                ws = wb.add_sheet(contract.TABLES[table].zh)
                for i, r in enumerate(_clerk_sheet(table, TINY[table], name[:-4])):
                    for j, v in enumerate(r):
                        if isinstance(v, dt.datetime):
                            ws.write(i, j, v, date_style)
                        elif v != "":
                            ws.write(i, j, v)
            wb.save(str(path))
        else:
            wb = openpyxl.Workbook()
            wb.remove(wb.active)
            for table in tables:
                ws = wb.create_sheet(contract.TABLES[table].zh)
                rows = _clerk_sheet(table, TINY[table], name[:-5])
                for r in rows:
                    ws.append([None if v == "" else v for v in r])
                ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[2]))
            wb.save(path)
        paths.append(path)
    messy = Store(tmp_path / "messy")
    res = ingest.load(paths, messy)
    assert res.ok, [str(e) for e in res.errors]
    for table in contract.TABLES:
        assert rows_of(messy, table) == rows_of(clean, table), table
    conv = res.report["converted"]
    assert conv["date"] and conv["fullwidth"] and conv["separator"] and conv["bool_symbol"]
    assert sum(1 for s in res.report["skipped"] if s["reason"] == "total") == len(TINY)
