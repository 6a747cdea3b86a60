"""Reading xlsx and xls workbooks: one staging table per sheet, streamed in chunks, with
Excel's limits, the sheet's declared size, columns per row and characters per cell checked
as the rows come (see `rows` for the header finding and row skipping every reader shares)."""

from __future__ import annotations

import contextlib
import re
import zipfile
from pathlib import Path

from .. import contract
from ..contract import Table
from ..i18n import Msg
from .common import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_XLS_BYTES,
    MAX_XLSX_PART,
    MAX_XLSX_UNCOMPRESSED,
    NOTES_SHEETS,
    Errors,
    Refused,
    Source,
    clip,
    not_allowed,
)
from .rows import col_letter, stage_sheet, too_long


def _checked_values(rn: int, cells) -> list:
    """Values of a row given as (column number, value) pairs, with the per-row limits."""
    vals: list = []
    for col, v in cells:
        if v is None:
            continue
        if col > MAX_COLUMNS:
            raise Refused(
                rn,
                col_letter(col),
                Msg("intake.column_beyond_limit", column=col_letter(col), limit=MAX_COLUMNS),
            )
        if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
            raise too_long(rn, col_letter(col), len(v))
        if col > len(vals):
            vals.extend([None] * (col - len(vals)))
        vals[col - 1] = v
    return vals


def _row_limit(rn: int, declared: int | None) -> None:
    if rn > EXCEL_MAX_ROWS:
        raise Refused(rn, None, Msg("intake.row_beyond_excel", row=rn, limit=EXCEL_MAX_ROWS))
    if declared is not None and rn > declared:
        raise Refused(rn, None, Msg("intake.row_beyond_declared", row=rn, declared=declared))


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
            raise Refused(
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
        raise Refused(EXCEL_MAX_ROWS + 1, None, Msg("intake.sheet_too_many_rows", limit=EXCEL_MAX_ROWS))
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
                raise Refused(rn, None, Msg("intake.sheet_too_many_columns", limit=EXCEL_MAX_COLUMNS))
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


def _sheet_table(title: str, where: str, errors: Errors, allowed) -> Table | None | bool:
    """The table of a sheet; False for a notes sheet; None (with an error) otherwise."""
    if contract.norm_label(title) in NOTES_SHEETS:
        return False
    table = contract.table_by_label(title)
    if table is None:
        errors.add(where, None, None, None, title, Msg("intake.unknown_sheet"))
        return None
    if allowed is not None and table.name not in allowed:
        errors.add(where, table.name, None, None, title, not_allowed(table))
        return None
    return table


def read_xlsx(
    con, path: Path, name: str, errors: Errors, next_stage, report: dict | None = None, allowed=None
) -> list[Source]:
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
            errors.add(name, None, None, None, None, Msg("intake.xlsx_unopenable", error=clip(e, 200)))
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
                    s = stage_sheet(con, rows, where, table, next_stage(), errors, report, cells_seen)
                except Refused as e:
                    errors.add(where, table.name, e.row, e.column, e.value, e.message)
                    s = None
                if s:
                    sources.append(s)
        except Exception as e:
            errors.add(name, None, None, None, None, Msg("intake.xlsx_unreadable", error=clip(e, 200)))
        finally:
            book.archive.close()
        return sources


def read_xls(
    con, path: Path, name: str, errors: Errors, next_stage, report: dict | None = None, allowed=None
) -> list[Source]:
    """An .xls workbook (Excel 97–2003, as WPS and LibreOffice save it) via xlrd."""
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    if path.stat().st_size > MAX_XLS_BYTES:
        errors.add(name, None, None, None, None, Msg("intake.xls_too_large", limit=MAX_XLS_BYTES // 2**20))
        return []
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as e:
        errors.add(name, None, None, None, None, Msg("intake.xls_invalid", error=clip(e, 200)))
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
            s = stage_sheet(
                con, _xls_rows(book, sheet), where, table, next_stage(), errors, report, cells_seen
            )
            sources += [s] if s else []
            book.unload_sheet(i)
    except Exception as e:
        errors.add(name, None, None, None, None, Msg("intake.xls_unreadable", error=clip(e, 200)))
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
