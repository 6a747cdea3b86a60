"""Reading files: CSV (UTF-8 or GB18030), xlsx and xls workbooks and GeoJSON outlines.

Each CSV file or sheet becomes a staging table `raw_<stage>` of text cells (`_row`, the row
number the sender sees, then `c0`, `c1`, ... as in the file) in the load's private staging
database, outside the store's lock. The reader takes files as clerks keep them: the header
is the first of the first 10 rows that holds the table's required columns, compared
leniently (`contract.norm_label`); serial columns (序号/编号), reference columns (参考) and
columns without a header are ignored; title, empty and total rows (合计/总计/小计) are
skipped and listed in the report. Every limit against hostile files (columns per row,
characters per cell, Excel's rows and columns, the sheet's declared size) is checked as the
rows stream in, so a refused file costs little time and memory.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import json
import math
import os
import re
import tempfile
import zipfile
from pathlib import Path

from .. import contract
from ..contract import Table
from .common import (EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, HEADER_ROWS, MAX_CELL_CHARS,
                     MAX_COLUMNS, MAX_ERRORS, MAX_GEOJSON_BYTES, MAX_ROWS_PER_FILE,
                     MAX_SKIPPED_LISTED, MAX_XLS_BYTES, MAX_XLSX_CELLS, MAX_XLSX_PART,
                     MAX_XLSX_UNCOMPRESSED, NOTES_SHEETS, TOTAL_RE, _clip, _Errors, _Refused, _Source)

LOADABLE = (".csv", ".xlsx", ".xls", ".geojson", ".json", ".et", ".ods")
SERIAL_HEADERS = {"序号", "编号"}
REFERENCE_MARK = "参考"
TOTAL_WORDS = ("合计", "总计", "小计")
CHUNK_ROWS = 50_000


def _col_letter(i: int) -> str:
    """Excel column letter of a 1-based column number."""
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _too_long(row, column, n) -> _Refused:
    return _Refused(row, column,
                    f"单元格内容过长（{n} 个字符，上限 {MAX_CELL_CHARS}），请检查该单元格",
                    f"the cell is too long ({n} characters, limit {MAX_CELL_CHARS}); check this cell")


def _too_wide(row, n) -> _Refused:
    return _Refused(row, None,
                    f"该行有 {n} 列，超过上限 {MAX_COLUMNS} 列，文件被拒绝",
                    f"the row has {n} cells, more than the limit of {MAX_COLUMNS}; file refused")


def _is_total(text: str | None) -> bool:
    if not text:
        return False
    s = "".join(text.split()).rstrip(":：")
    return s in TOTAL_WORDS


# ---------------------------------------------------------------- header
def _find_header(head: list[tuple[int, list]], table: Table) -> tuple[int, list] | None:
    """The header among the first rows: the first holding every required column; else the
    row with most known columns; else the first non-empty row."""
    known = contract.header_map(table)
    required = {c.name for c in table.columns if c.required}
    best, best_n = None, 0
    for rn, cells in head:
        names = {known.get(contract.norm_label(x)) for x in cells if x}
        if required <= names:
            return rn, cells
        n = len(names - {None})
        if n > best_n:
            best, best_n = (rn, cells), n
    if best:
        return best
    for rn, cells in head:
        if any(x and str(x).strip() for x in cells):
            return rn, cells
    return None


def _map_header(headers: list, table: Table, name: str, errors: _Errors, row: int = 1,
                report: dict | None = None) -> list[str | None] | None:
    """Canonical column for each header cell (None: ignored); None when the header is unusable."""
    known = contract.header_map(table)
    mapped, ok = [], True
    for h in headers:
        h = str(h or "").strip().lstrip("\ufeff")
        key = contract.norm_label(h)
        col = known.get(key)
        why = None
        if col is None:
            why = ("blank_header" if key == "" else "serial" if key in SERIAL_HEADERS
                   else "reference" if REFERENCE_MARK in key else None)
        if why:
            mapped.append(None)
            if report is not None and why != "blank_header":
                report["ignored_columns"].append({"file": name, "table": table.name, "row": row,
                                                  "column": h, "reason": why})
            continue
        if col is None:
            ok = False
            if contract.looks_personal(h):
                errors.add(name, table.name, row, h, None,
                           "疑似个人信息列（姓名、身份证、电话、住址等），请删除该列后再报送；本系统只保存编号和数量",
                           "this column looks like personal data (name, ID number, phone, address);"
                           " remove it and send again: the dashboard keeps only codes and counts")
            else:
                errors.add(name, table.name, row, h, None,
                           f"未知的列（{table.zh}表的列为：{'、'.join(c.zh for c in table.columns)}）",
                           f"unknown column (the columns of {table.name} are: "
                           f"{', '.join(table.column_names)})")
        elif col in mapped:
            ok = False
            errors.add(name, table.name, row, h, None, "列重复", "duplicate column")
        mapped.append(col)
    for c in table.columns:
        if c.required and c.name not in mapped:
            ok = False
            errors.add(name, table.name, row, c.name, None,
                       f"缺少必填列「{c.zh}」", f"required column {c.name} is missing")
    return mapped if ok else None


def _skip(report: dict, file: str, table: Table, row: int, reason: str,
          last: int | None = None) -> None:
    """Rows row..last (default: just row) skipped; each counted, the first ones listed."""
    last = row if last is None else last
    t = report["tables"].setdefault(table.name, {"rows": 0})
    t["skipped"] = t.get("skipped", 0) + last - row + 1
    room = MAX_SKIPPED_LISTED - sum(1 for s in report["skipped"] if s["file"] == file)
    for r in range(row, min(last, row + room - 1) + 1):
        report["skipped"].append({"file": file, "table": table.name, "row": r, "reason": reason})


def _header_and_title_rows(head, hrow, name, table, report) -> None:
    present = {rn: cells for rn, cells in head}
    for rn in range(1, hrow):   # a row missing from an xlsx file is an empty row in Excel
        cells = present.get(rn, [])
        empty = not any(x is not None and str(x).strip() for x in cells)
        _skip(report, name, table, rn, "empty" if empty else "title")


def _prepare(con, src: _Source, width: int, mapped: list, errors: _Errors, report: dict,
             check_length: bool) -> bool:
    """Find the empty and total rows of raw_<stage> (a total row with key values is an error)
    and set `src.skip_where` so the typing leaves them out; for CSV, check the cell length
    first. False when the file is refused."""
    t = src.table
    raw = f"(SELECT {src.row_expr} AS _row, * FROM raw_{src.stage})"
    cells = [f"c{i}" for i in range(width)]
    if check_length:
        hit = con.execute(
            f"SELECT _row, [{', '.join(f'length({c})' for c in cells)}] FROM {raw} "
            f"WHERE {' OR '.join(f'length({c}) > $n' for c in cells)} ORDER BY _row LIMIT 1",
            {"n": MAX_CELL_CHARS}).fetchone()
        if hit:
            row, lengths = hit
            i = max(range(width), key=lambda k: lengths[k] or 0)
            e = _too_long(row, mapped[i] or _col_letter(i + 1), lengths[i])
            errors.add(src.file, t.name, e.row, e.column, None, e.zh, e.en)
            return False
    first = f"coalesce({', '.join(f'NULLIF(trim({c}), {chr(39)}{chr(39)})' for c in cells)})"
    keys = [(k, src.cells[k]) for k in t.key if k in src.cells]
    key_vals = ", ".join(
        f"CASE WHEN NULLIF(trim({c}), '') IS NOT NULL AND NOT regexp_full_match({c}, $tre) "
        f"THEN {i} END" for i, (k, c) in enumerate(keys)) or "NULL"
    cond = (f"{first} IS NULL OR (contains({first}, '计') AND "
            f"regexp_full_match({first}, $tre))")
    found = con.execute(
        f"SELECT _row, {first} IS NULL, list_filter([{key_vals}], lambda x: x IS NOT NULL) "
        f"FROM {raw} WHERE {cond} ORDER BY _row", {"tre": TOTAL_RE}).fetchall()
    if not found:
        return True
    for row, empty, key_hits in found:
        if empty:
            _skip(report, src.file, t, row, "empty")
        elif key_hits:
            k = keys[key_hits[0]][0]
            errors.add(src.file, t.name, row, k, None,
                       "合计/小计行不应填写代码或日期；请删除该行，或清空该行的代码",
                       "a total row (合计/小计) must not carry codes or dates; remove the row"
                       " or clear its codes")
        else:
            _skip(report, src.file, t, row, "total")
    src.skip_where = cond      # uses the parameter $tre (TOTAL_RE)
    return True


# ---------------------------------------------------------------- files
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def expand_paths(paths) -> list[Path]:
    """Files named, and the loadable files inside folders named."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.is_file()
                          and q.suffix.lower() in LOADABLE)
        else:
            out.append(p)
    return out


def _decode_to_utf8(path: Path, errors: _Errors, name: str) -> Path | None:
    """Path of a UTF-8 copy (or the file itself when it is UTF-8 already)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head.strip():
        errors.add(name, None, None, None, None, "文件为空", "the file is empty")
        return None
    if b"\x00" in head:
        errors.add(name, None, None, None, None, "不是文本文件（CSV）",
                   "not a text (CSV) file")
        return None
    for enc in ("utf-8-sig", "gb18030"):
        dec = codecs.getincrementaldecoder(enc)()
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 22), b""):
                    dec.decode(chunk)
                dec.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            return path
        fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="load-")
        with open(path, "r", encoding="gb18030", newline="") as src, \
                os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            for chunk in iter(lambda: src.read(1 << 22), ""):
                dst.write(chunk)
        return Path(tmp)
    errors.add(name, None, None, None, None,
               "无法识别文件编码（应为 UTF-8 或 GB18030）",
               "cannot decode the file (expected UTF-8 or GB18030)")
    return None




# ---------------------------------------------------------------- CSV
@contextlib.contextmanager
def _field_limit(n: int):
    old = csv.field_size_limit()
    csv.field_size_limit(n)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _csv_records(path: Path):
    """(row number, cells) of a UTF-8 CSV file, refusing wide rows and long cells at once
    (the column of a long cell is given as a spreadsheet letter: A, B, ...)."""
    with open(path, encoding="utf-8-sig", newline="") as f, _field_limit(1 << 20):
        reader = csv.reader(f)
        rn = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise _Refused(rn + 1, None,
                               f"有单元格超过 {MAX_CELL_CHARS} 个字符，或引号未闭合，请检查逗号和引号",
                               f"a cell is longer than {MAX_CELL_CHARS} characters, or a quote is"
                               " not closed; check commas and quotes") from None
            rn += 1
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(rn, len(cells))
            for i, cell in enumerate(cells):
                if len(cell) > MAX_CELL_CHARS:
                    raise _too_long(rn, _col_letter(i + 1), len(cell))
            yield rn, cells


def _csv_diagnose(path: Path, name: str, table: Table, hrow: int, width: int,
                  errors: _Errors) -> None:
    """Why DuckDB refused the file: rows whose cell count differs from the header's."""
    found = 0
    try:
        for rn, cells in _csv_records(path):
            if rn <= hrow or len(cells) == width or cells == []:
                continue
            errors.add(name, table.name, rn, None, _clip(",".join(cells)),
                       f"该行有 {len(cells)} 列，表头有 {width} 列，请检查逗号和引号",
                       f"the row does not have as many cells as the header ({len(cells)}, not"
                       f" {width}); check commas and quotes")
            found += 1
            if found > MAX_ERRORS:
                return
    except _Refused as e:
        errors.add(name, table.name, e.row, e.column, None, e.zh, e.en)


def _read_csv(con, path: Path, name: str, table: Table, stage: str,
              errors: _Errors, report: dict | None = None) -> _Source | None:
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    utf8 = _decode_to_utf8(path, errors, name)
    if utf8 is None:
        return None
    try:
        head = []
        try:
            for rn, cells in _csv_records(utf8):
                head.append((rn, cells))
                if rn >= HEADER_ROWS:
                    break
        except _Refused as e:
            errors.add(name, table.name, e.row, e.column, None, e.zh, e.en)
            return None
        found = _find_header(head, table)
        if found is None:
            errors.add(name, None, None, None, None, "文件为空", "the file is empty")
            return None
        hrow, headers = found
        mapped = _map_header(headers, table, name, errors, hrow, report)
        if mapped is None:
            return None
        _header_and_title_rows(head, hrow, name, table, report)
        width = len(mapped)
        cols = {f"c{i}": "VARCHAR" for i in range(width)}
        try:
            con.execute(
                f"CREATE TEMP TABLE raw_{stage} AS SELECT * FROM read_csv($path, header=false, "
                "skip=$skip, auto_detect=false, delim=',', quote='\"', escape='\"', "
                "columns=$cols, max_line_size=$mls)",
                {"path": str(utf8), "cols": cols, "skip": hrow,
                 "mls": max(1 << 20, MAX_COLUMNS * MAX_CELL_CHARS * 4)})
        except Exception:   # noqa: BLE001 -- DuckDB says only that some row is wrong
            before = len(errors)
            _csv_diagnose(utf8, name, table, hrow, width, errors)
            if len(errors) == before:
                raise
            return None
        n = con.execute(f"SELECT count(*) FROM raw_{stage}").fetchone()[0]
        if n > MAX_ROWS_PER_FILE:
            errors.add(name, table.name, None, None, None,
                       f"行数超过上限 {MAX_ROWS_PER_FILE}", f"more than {MAX_ROWS_PER_FILE} rows")
            return None
        src = _Source(name, table, stage, [c for c in mapped if c],
                      {c: f"c{i}" for i, c in enumerate(mapped) if c}, hrow,
                      row_expr=_csv_row_expr(con, utf8, stage, hrow, report, name, table))
        if not _prepare(con, src, width, mapped, errors, report, check_length=True):
            return None
        return src
    except Exception as e:  # a malformed file must give a message, never a traceback
        errors.add(name, table.name, None, None, None,
                   f"无法读取该 CSV 文件：{_clip(e, 200)}", f"cannot read this CSV file: {_clip(e, 200)}")
        return None
    finally:
        if utf8 != path:
            utf8.unlink(missing_ok=True)


def _has_blank_line(path: Path) -> bool:
    """Whether the file has an empty line before its last record (read in large chunks: no
    Python work per line; empty lines at the end change no row number)."""
    pending = False     # an empty line seen, not yet followed by a record
    tail = b""
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            buf = tail + chunk
            if pending and buf.strip(b"\r\n"):
                return True
            i = max(buf.rfind(b"\n\n"), buf.rfind(b"\n\r\n"))
            if i >= 0:
                if buf[i:].strip(b"\r\n"):
                    return True
                pending = True
            tail = buf[-2:]
    return False


# Clerks' files are small; a huge file with empty lines keeps DuckDB's numbering rather than
# a Python pass over every line (hostile files stay cheap).
MAX_BLANK_SCAN_BYTES = 32 * 1024 * 1024


def _csv_row_expr(con, path: Path, stage: str, hrow: int, report: dict, name: str,
                  table: Table) -> str:
    """SQL for the row number the sender sees of each record of raw_<stage>. DuckDB's reader
    leaves out empty lines after the header, so where the file has some, each record's rowid
    is shifted by the empty lines before it (found by one pass of Python's csv reader, only
    for such files); those before the last record are reported as empty rows."""
    first = int(hrow) + 1
    if path.stat().st_size > MAX_BLANK_SCAN_BYTES or not _has_blank_line(path):
        return f"(rowid + {first})"
    blanks, last = [], 0
    for rn, cells in _csv_records(path):
        if rn > hrow and not cells:
            blanks.append(rn)
        elif cells:
            last = rn
    if not blanks:
        return f"(rowid + {first})"
    for rn in blanks:
        if rn < last:
            _skip(report, name, table, rn, "empty")
    # the j-th empty line (row b) comes after b - first - j records of the data
    con.execute(f"CREATE TEMP TABLE blanks_{stage} AS SELECT unnest($t)::BIGINT AS t",
                {"t": [b - first - j for j, b in enumerate(blanks)]})
    return (f"(rowid + {first} + (SELECT count(*) FROM blanks_{stage} AS b "
            f"WHERE b.t <= raw_{stage}.rowid))")


# ---------------------------------------------------------------- workbooks
def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time() else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 2**53:
            return str(int(v))
        return repr(v)
    return str(v)


def _stage_sheet(con, rows, where: str, table: Table, stage: str, errors: _Errors,
                 report: dict, cells_seen: list) -> _Source | None:
    """Stage one sheet's rows (an iterator of (row number, [values])) as raw_<stage>.

    The iterator raises _Refused at a limit; rows stream into DuckDB in chunks."""
    import pyarrow as pa
    try:
        head, pending = [], None
        for rn, vals in rows:
            if rn > HEADER_ROWS:
                pending = (rn, vals)
                break
            head.append((rn, [_cell_text(v) for v in vals]))
        found = _find_header(head, table)
        if found is None:
            return None            # an empty sheet: nothing to load
        hrow, headers = found
        mapped = _map_header(headers, table, where, errors, hrow, report)
        if mapped is None:
            return None
        _header_and_title_rows(head, hrow, where, table, report)
        while mapped and mapped[-1] is None and not str(headers[len(mapped) - 1] or "").strip():
            mapped.pop()
        width = len(mapped)
        names = [f"c{i}" for i in range(width)]
        con.execute(f"CREATE TEMP TABLE raw_{stage} (_row BIGINT, "
                    + ", ".join(f"{c} VARCHAR" for c in names) + ")")
        chunk: list[list] = []
        empties: list[tuple[int, int]] = []   # runs of empty rows (first, last)
        prev = hrow

        def flush():
            if not chunk:
                return
            cols = list(zip(*chunk))
            tbl = pa.table([pa.array(cols[0], pa.int64())]
                           + [pa.array(c, pa.string()) for c in cols[1:]],
                           names=["_row"] + names)
            con.register(f"chunk_{stage}", tbl)
            con.execute(f"INSERT INTO raw_{stage} SELECT * FROM chunk_{stage}")
            con.unregister(f"chunk_{stage}")
            chunk.clear()

        def body():
            for rn, vals in head:
                if rn > hrow:
                    yield rn, vals
            if pending:
                yield pending[0], [_cell_text(v) for v in pending[1]]
                for rn, vals in rows:
                    yield rn, [_cell_text(v) for v in vals]

        for rn, vals in body():
            if rn > prev + 1:      # rows an xlsx file leaves out are empty rows in Excel
                empties.append((prev + 1, rn - 1))
            prev = rn
            if not any(v is not None and v.strip() for v in vals):
                empties.append((rn, rn))
                continue
            extra = [v for v in vals[width:] if v is not None and v.strip()]
            if extra:
                errors.add(where, table.name, rn, None, _clip(extra[0]),
                           "表头之外的列有内容", "a cell to the right of the header has content")
            for first, last in empties:
                _skip(report, where, table, first, "empty", last)
            empties.clear()
            cells_seen[0] += len(vals)
            if cells_seen[0] > MAX_XLSX_CELLS:
                raise _Refused(rn, None, f"单元格数超过上限 {MAX_XLSX_CELLS}",
                               f"more than {MAX_XLSX_CELLS} cells")
            row = vals[:width] + [None] * (width - len(vals))
            chunk.append([rn] + row)
            if len(chunk) >= CHUNK_ROWS:
                flush()
        flush()
        src = _Source(where, table, stage, [c for c in mapped if c],
                      {c: f"c{i}" for i, c in enumerate(mapped) if c}, hrow)
        if not _prepare(con, src, width, mapped, errors, report, check_length=False):
            return None
        return src
    except _Refused as e:
        errors.add(where, table.name, e.row, e.column, e.value, e.zh, e.en)
        return None


def _checked_values(rn: int, cells) -> list:
    """Values of a row given as (column number, value) pairs, with the per-row limits."""
    vals: list = []
    for col, v in cells:
        if v is None:
            continue
        if col > MAX_COLUMNS:
            raise _Refused(rn, _col_letter(col),
                           f"第 {_col_letter(col)} 列有内容，超过上限 {MAX_COLUMNS} 列，文件被拒绝",
                           f"a cell in column {_col_letter(col)} has content: more than the limit"
                           f" of {MAX_COLUMNS} columns; file refused")
        if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
            raise _too_long(rn, _col_letter(col), len(v))
        if col > len(vals):
            vals.extend([None] * (col - len(vals)))
        vals[col - 1] = v
    return vals


def _row_limit(rn: int, declared: int | None) -> None:
    if rn > EXCEL_MAX_ROWS:
        raise _Refused(rn, None,
                       f"行号 {rn} 超过 Excel 工作表的上限 {EXCEL_MAX_ROWS} 行，文件被拒绝",
                       f"row number {rn} is beyond Excel's limit of {EXCEL_MAX_ROWS} rows"
                       " per sheet; file refused")
    if declared is not None and rn > declared:
        raise _Refused(rn, None,
                       f"第 {rn} 行超出了工作表声明的范围（{declared} 行），文件可能已损坏，请用 Excel 重新保存",
                       f"row {rn} is beyond the sheet's declared size ({declared} rows): the file"
                       " may be damaged; save it again with Excel")


_DIMENSION = re.compile(rb'<(?:[A-Za-z0-9_]+:)?dimension\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def _declared_size(z: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(rows, columns) the sheet declares in <dimension>, which comes before the data."""
    from openpyxl.utils.cell import range_boundaries
    with z.open(part) as f:
        head = f.read(1 << 16)
    m = _DIMENSION.search(head.split(b"<sheetData", 1)[0])
    if not m:
        return None
    ref = m.group(1).decode()
    _, _, max_col, max_row = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
    return max_row, max_col


def _count_rows_beyond_limit(z: zipfile.ZipFile, part: str) -> bool:
    """True when the sheet's XML holds more <row> elements than a sheet can (streamed,
    stopping at the limit: a few seconds at most)."""
    n, tail = 0, b""
    with z.open(part) as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            buf = tail + chunk
            n += buf.count(b"<row ") + buf.count(b"<row>") + buf.count(b":row ")
            tail = buf[-8:]
            n -= tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ")
            if n > EXCEL_MAX_ROWS:
                return True
    return False


def _xlsx_rows(book, part: str, z: zipfile.ZipFile):
    """(row number, [values]) of a sheet, streamed; limits checked before and while reading.

    openpyxl's own read-only worksheet is not used: it fills every missing row of a gap
    and, without a <dimension>, parses the whole sheet just to size it."""
    from openpyxl.worksheet._reader import WorkSheetParser
    size = _declared_size(z, part)
    declared = None
    if size and size != (1, 1):
        declared = size[0]
        if size[0] > EXCEL_MAX_ROWS or size[1] > EXCEL_MAX_COLUMNS:
            raise _Refused(None, None,
                           f"工作表声明的范围（{size[0]} 行 × {size[1]} 列）超过 Excel 的上限"
                           f"（{EXCEL_MAX_ROWS} 行 × {EXCEL_MAX_COLUMNS} 列），文件被拒绝",
                           f"the sheet declares {size[0]} rows × {size[1]} columns, beyond"
                           f" Excel's limits ({EXCEL_MAX_ROWS} × {EXCEL_MAX_COLUMNS}); file refused")
    elif _count_rows_beyond_limit(z, part):
        raise _Refused(EXCEL_MAX_ROWS + 1, None,
                       f"工作表的行数超过 Excel 的上限 {EXCEL_MAX_ROWS} 行，文件被拒绝",
                       f"the sheet has more rows than Excel's limit of {EXCEL_MAX_ROWS}; file refused")
    wb = book.wb
    with z.open(part) as src:
        parser = WorkSheetParser(src, book.shared_strings, data_only=True, epoch=wb.epoch,
                                 date_formats=wb._date_formats,
                                 timedelta_formats=wb._timedelta_formats)
        for rn, cells in parser.parse():
            _row_limit(rn, declared)
            if cells and cells[-1]["column"] > EXCEL_MAX_COLUMNS:
                raise _Refused(rn, None, f"列数超过 Excel 的上限 {EXCEL_MAX_COLUMNS} 列，文件被拒绝",
                               f"more columns than Excel's limit of {EXCEL_MAX_COLUMNS}; file refused")
            yield rn, _checked_values(rn, ((c["column"], c["value"]) for c in cells))


def _open_xlsx(path: Path):
    """openpyxl's reader up to, not including, its worksheets: strings, workbook, styles."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    book = ExcelReader(str(path), read_only=True, data_only=True)
    try:
        book.read_manifest()
        book.read_strings()
        book.read_workbook()
        apply_stylesheet(book.archive, book.wb)
        sheets = [(sheet.name, rel.target) for sheet, rel in book.parser.find_sheets()
                  if rel.target in book.valid_files and "chartsheet" not in rel.Type]
    except BaseException:
        book.archive.close()
        raise
    return book, sheets


def _sheet_table(title: str, where: str, errors: _Errors, allowed) -> Table | None | bool:
    """The table of a sheet; False for a notes sheet; None (with an error) otherwise."""
    if contract.norm_label(title) in NOTES_SHEETS:
        return False
    table = contract.table_by_label(title)
    if table is None:
        errors.add(where, None, None, None, title,
                   "工作表名不是已知的表名（应为表的中文或英文名，如「网格」或 grids）",
                   "the sheet name is not a table name (use the table's Chinese or"
                   " English name, e.g. 网格 or grids)")
        return None
    if allowed is not None and table.name not in allowed:
        errors.add(where, table.name, None, None, title, *_not_allowed(table))
        return None
    return table


def _not_allowed(table: Table) -> tuple[str, str]:
    from .common import REPORTER_TABLES
    zh = "、".join(contract.TABLES[t].zh for t in REPORTER_TABLES)
    return (f"乡镇填报员只能报送本乡镇的{zh}，不能报送「{table.zh}」表",
            f"a township reporter may submit only {', '.join(REPORTER_TABLES)}, not {table.name}")


def _read_xlsx(con, path: Path, name: str, errors: _Errors, next_stage,
               report: dict | None = None, allowed=None) -> list[_Source]:
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    try:
        z = zipfile.ZipFile(path)
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, OSError):
        errors.add(name, None, None, None, None, "不是有效的 Excel（xlsx）文件",
                   "not a valid Excel (xlsx) file")
        return []
    with z:
        if total > MAX_XLSX_UNCOMPRESSED:
            errors.add(name, None, None, None, None,
                       f"Excel 文件解压后过大（{total // 2**20} MB，上限 {MAX_XLSX_UNCOMPRESSED // 2**20} MB）",
                       f"the workbook is too large uncompressed ({total // 2**20} MB,"
                       f" limit {MAX_XLSX_UNCOMPRESSED // 2**20} MB)")
            return []
        big = [i for i in infos if i.file_size > MAX_XLSX_PART and "worksheets/" not in i.filename]
        if big:
            errors.add(name, None, None, None, big[0].filename,
                       f"Excel 文件的文本或样式部分过大（{big[0].file_size // 2**20} MB，上限 "
                       f"{MAX_XLSX_PART // 2**20} MB），可能有单元格内容过长",
                       f"a text or style part of the workbook is too large ({big[0].file_size // 2**20}"
                       f" MB, limit {MAX_XLSX_PART // 2**20} MB): a cell may hold far too much text")
            return []
        sources = []
        try:
            book, sheets = _open_xlsx(path)   # openpyxl parses with defusedxml when installed
        except Exception as e:
            errors.add(name, None, None, None, None, f"无法打开 Excel 文件：{_clip(e, 200)}",
                       f"cannot open the workbook: {_clip(e, 200)}")
            return []
        try:
            cells_seen = [0]
            for title, part in sheets:
                title = title.strip()
                where = f"{name} [{title}]"
                table = _sheet_table(title, where, errors, allowed)
                if not table:
                    continue
                try:
                    rows = _xlsx_rows(book, part, z)
                    s = _stage_sheet(con, rows, where, table, next_stage(), errors, report,
                                     cells_seen)
                except _Refused as e:
                    errors.add(where, table.name, e.row, e.column, e.value, e.zh, e.en)
                    s = None
                if s:
                    sources.append(s)
        except Exception as e:
            errors.add(name, None, None, None, None, f"无法读取 Excel 文件：{_clip(e, 200)}",
                       f"cannot read the workbook: {_clip(e, 200)}")
        finally:
            book.archive.close()
        return sources


def _read_xls(con, path: Path, name: str, errors: _Errors, next_stage,
              report: dict | None = None, allowed=None) -> list[_Source]:
    """An .xls workbook (Excel 97–2003, as WPS and LibreOffice save it) via xlrd."""
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    if path.stat().st_size > MAX_XLS_BYTES:
        errors.add(name, None, None, None, None,
                   f"xls 文件过大（上限 {MAX_XLS_BYTES // 2**20} MB），请另存为 xlsx",
                   f"the .xls file is too large (limit {MAX_XLS_BYTES // 2**20} MB); save it as xlsx")
        return []
    import xlrd
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as e:
        errors.add(name, None, None, None, None,
                   f"不是有效的 Excel 97-2003（xls）文件：{_clip(e, 200)}",
                   f"not a valid Excel 97-2003 (.xls) file: {_clip(e, 200)}")
        return []
    sources, cells_seen = [], [0]
    try:
        for i in range(book.nsheets):
            sheet = book.sheet_by_index(i)
            title = sheet.name.strip()
            where = f"{name} [{title}]"
            table = _sheet_table(title, where, errors, allowed)
            if not table:
                continue
            s = _stage_sheet(con, _xls_rows(book, sheet), where, table, next_stage(), errors,
                             report, cells_seen)
            sources += [s] if s else []
            book.unload_sheet(i)
    except Exception as e:
        errors.add(name, None, None, None, None, f"无法读取 xls 文件：{_clip(e, 200)}",
                   f"cannot read the .xls file: {_clip(e, 200)}")
    finally:
        book.release_resources()
    return sources


def _xls_rows(book, sheet):
    import xlrd
    for r in range(sheet.nrows):
        out = []
        for c, cell in enumerate(sheet.row(r), start=1):
            kind, v = cell.ctype, cell.value
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            if kind == xlrd.XL_CELL_DATE:
                try:
                    v = xlrd.xldate_as_datetime(v, book.datemode)
                except Exception:   # noqa: BLE001 -- a date cell out of range stays a number
                    pass
            elif kind == xlrd.XL_CELL_BOOLEAN:
                v = bool(v)
            elif kind == xlrd.XL_CELL_ERROR:
                v = xlrd.error_text_from_code.get(v, "#ERROR")
            out.append((c, v))
        yield r + 1, _checked_values(r + 1, out)


# ---------------------------------------------------------------- geometry
def _read_geojson(path: Path, name: str, layer: str, errors: _Errors) -> list[tuple] | None:
    id_prop = contract.GEO_LAYERS[layer][1]
    if path.stat().st_size > MAX_GEOJSON_BYTES:
        errors.add(name, layer, None, None, None, "文件过大", "the file is too large")
        return None
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        errors.add(name, layer, None, None, None, f"不是有效的 GeoJSON：{_clip(e)}",
                   f"not valid GeoJSON: {_clip(e)}")
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" \
            or not isinstance(doc.get("features"), list):
        errors.add(name, layer, None, None, None, "应为 GeoJSON FeatureCollection",
                   "expected a GeoJSON FeatureCollection")
        return None
    out = []
    for i, feat in enumerate(doc["features"], start=1):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        props = feat.get("properties") if isinstance(feat, dict) else None
        fid = props.get(id_prop) if isinstance(props, dict) else None
        if fid is None or str(fid).strip() == "":
            errors.add(name, layer, i, id_prop, None, f"要素缺少属性 {id_prop}",
                       f"feature has no properties.{id_prop}")
            continue
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon") \
                or not _coords_ok(geom.get("coordinates"), geom.get("type")):
            errors.add(name, layer, i, "geometry", str(fid),
                       "几何图形应为有效的 Polygon 或 MultiPolygon（经度-180..180，纬度-90..90）",
                       "geometry must be a valid Polygon or MultiPolygon (lon -180..180, lat -90..90)")
            continue
        out.append((layer, str(fid), json.dumps(geom, separators=(",", ":")), i))
    return out


def _coords_ok(coords, kind) -> bool:
    polys = [coords] if kind == "Polygon" else coords
    try:
        for poly in polys:
            for ring in poly:
                if len(ring) < 4:
                    return False
                for pt in ring:
                    lon, lat = float(pt[0]), float(pt[1])
                    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                        return False
        return bool(polys)
    except (TypeError, ValueError, IndexError):
        return False
