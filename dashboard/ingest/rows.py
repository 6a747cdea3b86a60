"""Header finding and row staging, shared by every reader (CSV in `read`, xlsx and xls in
`sheets`): the header among the first rows, each header cell's contract column, the title,
empty, total and signature rows skipped and listed in the report, and a sheet's rows streamed
into a staging table `raw_<stage>` in chunks."""

from __future__ import annotations

import datetime as dt
import math

from .. import contract
from ..contract import Table
from ..i18n import ByLang, Msg
from .common import (
    HEADER_ROWS,
    MAX_CELL_CHARS,
    MAX_SKIPPED_LISTED,
    MAX_XLSX_CELLS,
    REFERENCE_MARK,
    SERIAL_HEADERS,
    SKIP_PARAMS,
    Errors,
    Refused,
    Source,
    clip,
)

CHUNK_ROWS = 50_000


def col_letter(i: int) -> str:
    """Excel column letter of a 1-based column number."""
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def too_long(row, column, n) -> Refused:
    return Refused(row, column, Msg("intake.cell_too_long", n=n, limit=MAX_CELL_CHARS))


# ---------------------------------------------------------------- header
def find_header(head: list[tuple[int, list]], table: Table) -> tuple[int, list] | None:
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


def map_header(
    headers: list, table: Table, name: str, errors: Errors, row: int = 1, report: dict | None = None
) -> list[str | None] | None:
    """Canonical column for each header cell (None: ignored); None when the header is unusable."""
    known = contract.header_map(table)
    mapped, ok = [], True
    for h in headers:
        h = str(h or "").strip().lstrip("\ufeff")
        key = contract.norm_label(h)
        col = known.get(key)
        why = None
        if col is None:
            why = (
                "blank_header"
                if key == ""
                else "serial"
                if key in SERIAL_HEADERS
                else "reference"
                if REFERENCE_MARK in key
                else None
            )
        if why:
            mapped.append(None)
            if report is not None and why != "blank_header":
                report["ignored_columns"].append(
                    {"file": name, "table": table.name, "row": row, "column": h, "reason": why}
                )
            continue
        if col is None:
            ok = False
            if contract.looks_personal(h):
                errors.add(name, table.name, row, h, None, Msg("intake.personal_column"))
            else:
                errors.add(
                    name,
                    table.name,
                    row,
                    h,
                    None,
                    Msg(
                        "intake.unknown_column",
                        table=ByLang(table.zh, table.name),
                        columns=[ByLang(c.zh, c.name) for c in table.columns],
                    ),
                )
        elif col in mapped:
            ok = False
            errors.add(name, table.name, row, h, None, Msg("intake.duplicate_column"))
        mapped.append(col)
    for c in table.columns:
        if c.required and c.name not in mapped:
            ok = False
            errors.add(
                name, table.name, row, c.name, None, Msg("intake.missing_column", column=ByLang(c.zh, c.name))
            )
    return mapped if ok else None


def skip_row(report: dict, file: str, table: Table, row: int, reason: str) -> None:
    t = report["tables"].setdefault(table.name, {"rows": 0})
    t["skipped"] = t.get("skipped", 0) + 1
    if sum(1 for s in report["skipped"] if s["file"] == file) < MAX_SKIPPED_LISTED:
        report["skipped"].append({"file": file, "table": table.name, "row": row, "reason": reason})


def header_and_title_rows(head, hrow, name, table, report) -> None:
    for rn, cells in head:
        if rn >= hrow:
            break
        empty = not any(x is not None and str(x).strip() for x in cells)
        skip_row(report, name, table, rn, "empty" if empty else "title")


def prepare(
    con, src: Source, width: int, mapped: list, errors: Errors, report: dict, check_length: bool
) -> bool:
    """Find the empty and total rows of raw_<stage> (a total row with key values is an error)
    and set `src.skip_where` so the typing leaves them out; for CSV, check the cell length
    first. False when the file is refused."""
    t = src.table
    raw = f"(SELECT {src.row_expr} AS _row, * FROM raw_{src.stage})"
    cells = [f"c{i}" for i in range(width)]
    if check_length:
        hit = con.execute(
            f"SELECT _row, [{', '.join(f'length({c})' for c in cells)}] FROM {raw} "
            f"WHERE {' OR '.join(f'(strlen({c}) > $n AND length({c}) > $n)' for c in cells)} "
            "ORDER BY _row LIMIT 1",
            {"n": MAX_CELL_CHARS},
        ).fetchone()
        if hit:
            row, lengths = hit
            i = max(range(width), key=lambda k: lengths[k] or 0)
            e = too_long(row, mapped[i] or col_letter(i + 1), lengths[i])
            errors.add(src.file, t.name, e.row, e.column, None, e.message)
            return False
    first = f"coalesce({', '.join(f'NULLIF(trim({c}), {chr(39)}{chr(39)})' for c in cells)})"
    keys = [(k, src.cells[k]) for k in t.key if k in src.cells]
    key_vals = (
        ", ".join(
            f"CASE WHEN NULLIF(trim({c}), '') IS NOT NULL AND NOT regexp_full_match({c}, $tre) THEN {i} END"
            for i, (k, c) in enumerate(keys)
        )
        or "NULL"
    )
    # Only a row whose first cell is empty, holds 计 or a colon can be an empty, total or
    # signature (footer) row: that cheap test spares the other rows (nearly all) the rest.
    cond = (
        f"(NULLIF(trim(c0), '') IS NULL OR contains(c0, $tmark) OR contains(c0, $wcolon) "
        f"OR contains(c0, ':')) AND ({first} IS NULL OR "
        f"(contains({first}, $tmark) AND regexp_full_match({first}, $tre)) OR "
        f"regexp_full_match({first}, $fre))"
    )
    found = con.execute(
        f"SELECT _row, {first} IS NULL, regexp_full_match({first}, $fre), "
        f"list_filter([{key_vals}], lambda x: x IS NOT NULL) "
        f"FROM {raw} WHERE {cond} ORDER BY _row",
        SKIP_PARAMS,
    ).fetchall()
    if not found:
        return True
    for row, empty, footer, key_hits in found:
        if empty:
            skip_row(report, src.file, t, row, "empty")
        elif footer:
            skip_row(report, src.file, t, row, "footer")
        elif key_hits:
            k = keys[key_hits[0]][0]
            errors.add(src.file, t.name, row, k, None, Msg("intake.total_with_codes"))
        else:
            skip_row(report, src.file, t, row, "total")
    src.skip_where = cond  # uses the parameters of SKIP_PARAMS
    return True


# ---------------------------------------------------------------- sheets
def cell_text(v) -> str | None:
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


def stage_sheet(
    con,
    rows,
    where: str,
    table: Table,
    stage: str,
    errors: Errors,
    report: dict,
    cells_seen: list,
    max_cells: int = MAX_XLSX_CELLS,
) -> Source | None:
    """Stage one sheet's rows (an iterator of (row number, [values])) as raw_<stage>.

    The iterator raises Refused at a limit; rows stream into DuckDB in chunks."""
    import pyarrow as pa

    try:
        head, pending = [], None
        for rn, vals in rows:
            if rn > HEADER_ROWS:
                pending = (rn, vals)
                break
            head.append((rn, [cell_text(v) for v in vals]))
        found = find_header(head, table)
        if found is None:
            return None  # an empty sheet: nothing to load
        hrow, headers = found
        mapped = map_header(headers, table, where, errors, hrow, report)
        if mapped is None:
            return None
        header_and_title_rows(head, hrow, where, table, report)
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
                yield pending[0], [cell_text(v) for v in pending[1]]
                for rn, vals in rows:
                    yield rn, [cell_text(v) for v in vals]

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
                errors.add(where, table.name, rn, None, clip(extra[0]), Msg("intake.right_of_header"))
            for e in empties:
                skip_row(report, where, table, e, "empty")
            if hidden[0]:
                t = report["tables"].setdefault(table.name, {"rows": 0})
                t["skipped"] = t.get("skipped", 0) + hidden[0]
            empties.clear()
            hidden[0] = 0
            cells_seen[0] += len(vals)
            if cells_seen[0] > max_cells:
                raise Refused(rn, None, Msg("intake.too_many_cells", limit=max_cells))
            row = vals[:width] + [None] * (width - len(vals))
            chunk.append([rn] + row)
            if len(chunk) >= CHUNK_ROWS:
                flush()
        flush()
        src = Source(
            where,
            table,
            stage,
            [c for c in mapped if c],
            {c: f"c{i}" for i, c in enumerate(mapped) if c},
            hrow,
        )
        if not prepare(con, src, width, mapped, errors, report, check_length=False):
            return None
        return src
    except Refused as e:
        errors.add(where, table.name, e.row, e.column, e.value, e.message)
        return None
