"""Reading xlsx and xls workbooks: one staging table per sheet, streamed in chunks, with
Excel's limits, the sheet's declared size, columns per row and characters per cell checked
as the rows come (see `read` for the header finding and row skipping they share)."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import zipfile
from pathlib import Path

from .. import contract
from ..contract import Table
from ..i18n import ByLang, Msg
from .common import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    HEADER_ROWS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_SKIPPED_LISTED,
    MAX_XLS_BYTES,
    MAX_XLSX_CELLS,
    MAX_XLSX_PART,
    MAX_XLSX_UNCOMPRESSED,
    NOTES_SHEETS,
    _clip,
    _Errors,
    _Refused,
    _Source,
)
from .read import (
    CHUNK_ROWS,
    _col_letter,
    _find_header,
    _header_and_title_rows,
    _map_header,
    _prepare,
    _skip,
    _too_long,
)


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


def _stage_sheet(
    con,
    rows,
    where: str,
    table: Table,
    stage: str,
    errors: _Errors,
    report: dict,
    cells_seen: list,
    max_cells: int = MAX_XLSX_CELLS,
) -> _Source | None:
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
            return None  # an empty sheet: nothing to load
        hrow, headers = found
        mapped = _map_header(headers, table, where, errors, hrow, report)
        if mapped is None:
            return None
        _header_and_title_rows(head, hrow, where, table, report)
        while mapped and mapped[-1] is None and not str(headers[len(mapped) - 1] or "").strip():
            mapped.pop()
        width = len(mapped)
        names = [f"c{i}" for i in range(width)]
        con.execute(
            f"CREATE TEMP TABLE raw_{stage} (_row BIGINT, " + ", ".join(f"{c} VARCHAR" for c in names) + ")"
        )
        chunk: list[list] = []
        empties: list[int] = []
        hidden = [0]  # empty rows of a gap counted, not named

        def flush():
            if not chunk:
                return
            cols = list(zip(*chunk, strict=False))
            tbl = pa.table(
                [pa.array(cols[0], pa.int64())] + [pa.array(c, pa.string()) for c in cols[1:]],
                names=["_row"] + names,
            )
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

        prev = hrow
        for rn, vals in body():
            # An xlsx file leaves empty rows out; Excel shows them, so they are empty rows too
            # (at most MAX_SKIPPED_LISTED of a gap named, the rest counted).
            gap = range(prev + 1, rn)
            empties.extend(gap[:MAX_SKIPPED_LISTED])
            hidden[0] += max(0, len(gap) - MAX_SKIPPED_LISTED)
            prev = rn
            if not any(v is not None and v.strip() for v in vals):
                empties.append(rn)
                continue
            extra = [v for v in vals[width:] if v is not None and v.strip()]
            if extra:
                errors.add(where, table.name, rn, None, _clip(extra[0]), Msg("intake.right_of_header"))
            for e in empties:
                _skip(report, where, table, e, "empty")
            if hidden[0]:
                t = report["tables"].setdefault(table.name, {"rows": 0})
                t["skipped"] = t.get("skipped", 0) + hidden[0]
            empties.clear()
            hidden[0] = 0
            cells_seen[0] += len(vals)
            if cells_seen[0] > max_cells:
                raise _Refused(rn, None, Msg("intake.too_many_cells", limit=max_cells))
            row = vals[:width] + [None] * (width - len(vals))
            chunk.append([rn] + row)
            if len(chunk) >= CHUNK_ROWS:
                flush()
        flush()
        src = _Source(
            where,
            table,
            stage,
            [c for c in mapped if c],
            {c: f"c{i}" for i, c in enumerate(mapped) if c},
            hrow,
        )
        if not _prepare(con, src, width, mapped, errors, report, check_length=False):
            return None
        return src
    except _Refused as e:
        errors.add(where, table.name, e.row, e.column, e.value, e.message)
        return None


def _checked_values(rn: int, cells) -> list:
    """Values of a row given as (column number, value) pairs, with the per-row limits."""
    vals: list = []
    for col, v in cells:
        if v is None:
            continue
        if col > MAX_COLUMNS:
            raise _Refused(
                rn,
                _col_letter(col),
                Msg("intake.column_beyond_limit", column=_col_letter(col), limit=MAX_COLUMNS),
            )
        if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
            raise _too_long(rn, _col_letter(col), len(v))
        if col > len(vals):
            vals.extend([None] * (col - len(vals)))
        vals[col - 1] = v
    return vals


def _row_limit(rn: int, declared: int | None) -> None:
    if rn > EXCEL_MAX_ROWS:
        raise _Refused(rn, None, Msg("intake.row_beyond_excel", row=rn, limit=EXCEL_MAX_ROWS))
    if declared is not None and rn > declared:
        raise _Refused(rn, None, Msg("intake.row_beyond_declared", row=rn, declared=declared))


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
            raise _Refused(
                None,
                None,
                Msg(
                    "intake.sheet_declared_too_large",
                    rows=size[0],
                    columns=size[1],
                    max_rows=EXCEL_MAX_ROWS,
                    max_columns=EXCEL_MAX_COLUMNS,
                ),
            )
    elif _count_rows_beyond_limit(z, part):
        raise _Refused(EXCEL_MAX_ROWS + 1, None, Msg("intake.sheet_too_many_rows", limit=EXCEL_MAX_ROWS))
    wb = book.wb
    with z.open(part) as src:
        parser = WorkSheetParser(
            src,
            book.shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for rn, cells in parser.parse():
            _row_limit(rn, declared)
            if cells and cells[-1]["column"] > EXCEL_MAX_COLUMNS:
                raise _Refused(rn, None, Msg("intake.sheet_too_many_columns", limit=EXCEL_MAX_COLUMNS))
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
        sheets = [
            (sheet.name, rel.target)
            for sheet, rel in book.parser.find_sheets()
            if rel.target in book.valid_files and "chartsheet" not in rel.Type
        ]
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
        errors.add(where, None, None, None, title, Msg("intake.unknown_sheet"))
        return None
    if allowed is not None and table.name not in allowed:
        errors.add(where, table.name, None, None, title, _not_allowed(table))
        return None
    return table


def _not_allowed(table: Table) -> Msg:
    from .common import REPORTER_TABLES

    return Msg(
        "intake.reporter_table",
        table=ByLang(table.zh, table.name),
        tables=[ByLang(contract.TABLES[t].zh, t) for t in REPORTER_TABLES],
    )


def _read_xlsx(
    con, path: Path, name: str, errors: _Errors, next_stage, report: dict | None = None, allowed=None
) -> list[_Source]:
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    try:
        z = zipfile.ZipFile(path)
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, OSError):
        errors.add(name, None, None, None, None, Msg("intake.xlsx_invalid"))
        return []
    with z:
        if total > MAX_XLSX_UNCOMPRESSED:
            errors.add(
                name,
                None,
                None,
                None,
                None,
                Msg("intake.xlsx_too_large", mb=total // 2**20, limit=MAX_XLSX_UNCOMPRESSED // 2**20),
            )
            return []
        big = [i for i in infos if i.file_size > MAX_XLSX_PART and "worksheets/" not in i.filename]
        if big:
            errors.add(
                name,
                None,
                None,
                None,
                big[0].filename,
                Msg("intake.xlsx_part_too_large", mb=big[0].file_size // 2**20, limit=MAX_XLSX_PART // 2**20),
            )
            return []
        sources = []
        try:
            book, sheets = _open_xlsx(path)  # openpyxl parses with defusedxml when installed
        except Exception as e:
            errors.add(name, None, None, None, None, Msg("intake.xlsx_unopenable", error=_clip(e, 200)))
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
                    s = _stage_sheet(con, rows, where, table, next_stage(), errors, report, cells_seen)
                except _Refused as e:
                    errors.add(where, table.name, e.row, e.column, e.value, e.message)
                    s = None
                if s:
                    sources.append(s)
        except Exception as e:
            errors.add(name, None, None, None, None, Msg("intake.xlsx_unreadable", error=_clip(e, 200)))
        finally:
            book.archive.close()
        return sources


def _read_xls(
    con, path: Path, name: str, errors: _Errors, next_stage, report: dict | None = None, allowed=None
) -> list[_Source]:
    """An .xls workbook (Excel 97–2003, as WPS and LibreOffice save it) via xlrd."""
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    if path.stat().st_size > MAX_XLS_BYTES:
        errors.add(name, None, None, None, None, Msg("intake.xls_too_large", limit=MAX_XLS_BYTES // 2**20))
        return []
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as e:
        errors.add(name, None, None, None, None, Msg("intake.xls_invalid", error=_clip(e, 200)))
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
            s = _stage_sheet(
                con, _xls_rows(book, sheet), where, table, next_stage(), errors, report, cells_seen
            )
            sources += [s] if s else []
            book.unload_sheet(i)
    except Exception as e:
        errors.add(name, None, None, None, None, Msg("intake.xls_unreadable", error=_clip(e, 200)))
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
                # a date cell out of range stays a number
                with contextlib.suppress(Exception):
                    v = xlrd.xldate_as_datetime(v, book.datemode)
            elif kind == xlrd.XL_CELL_BOOLEAN:
                v = bool(v)
            elif kind == xlrd.XL_CELL_ERROR:
                v = xlrd.error_text_from_code.get(v, "#ERROR")
            out.append((c, v))
        yield r + 1, _checked_values(r + 1, out)
