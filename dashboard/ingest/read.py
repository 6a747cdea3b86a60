"""Reading files: CSV (UTF-8 or GB18030) and GeoJSON outlines here, xlsx and xls
workbooks in `sheets`; the header finding and row skipping all of them share.

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
import hashlib
import json
import os
import tempfile
from pathlib import Path

from .. import contract
from ..contract import Table
from ..i18n import ByLang, Msg, t
from .common import (
    HEADER_ROWS,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ERRORS,
    MAX_GEOJSON_BYTES,
    MAX_ROWS_PER_FILE,
    MAX_SKIPPED_LISTED,
    REFERENCE_MARK,
    SERIAL_HEADERS,
    SKIP_PARAMS,
    _clip,
    _Errors,
    _Refused,
    _Source,
)

LOADABLE = (".csv", ".xlsx", ".xls", ".geojson", ".json", ".et", ".ods")
CHUNK_ROWS = 50_000


def _col_letter(i: int) -> str:
    """Excel column letter of a 1-based column number."""
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _too_long(row, column, n) -> _Refused:
    return _Refused(row, column, Msg("intake.cell_too_long", n=n, limit=MAX_CELL_CHARS))


def _too_wide(row, n) -> _Refused:
    return _Refused(row, None, Msg("intake.row_too_wide", n=n, limit=MAX_COLUMNS))


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


def _map_header(
    headers: list, table: Table, name: str, errors: _Errors, row: int = 1, report: dict | None = None
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


def _skip(report: dict, file: str, table: Table, row: int, reason: str) -> None:
    t = report["tables"].setdefault(table.name, {"rows": 0})
    t["skipped"] = t.get("skipped", 0) + 1
    if sum(1 for s in report["skipped"] if s["file"] == file) < MAX_SKIPPED_LISTED:
        report["skipped"].append({"file": file, "table": table.name, "row": row, "reason": reason})


def _header_and_title_rows(head, hrow, name, table, report) -> None:
    for rn, cells in head:
        if rn >= hrow:
            break
        empty = not any(x is not None and str(x).strip() for x in cells)
        _skip(report, name, table, rn, "empty" if empty else "title")


def _prepare(
    con, src: _Source, width: int, mapped: list, errors: _Errors, report: dict, check_length: bool
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
            e = _too_long(row, mapped[i] or _col_letter(i + 1), lengths[i])
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
            _skip(report, src.file, t, row, "empty")
        elif footer:
            _skip(report, src.file, t, row, "footer")
        elif key_hits:
            k = keys[key_hits[0]][0]
            errors.add(src.file, t.name, row, k, None, Msg("intake.total_with_codes"))
        else:
            _skip(report, src.file, t, row, "total")
    src.skip_where = cond  # uses the parameters of SKIP_PARAMS
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
            out += sorted(q for q in p.iterdir() if q.is_file() and q.suffix.lower() in LOADABLE)
        else:
            out.append(p)
    return out


def _decode_to_utf8(path: Path, errors: _Errors, name: str) -> Path | None:
    """Path of a UTF-8 copy (or the file itself when it is UTF-8 already)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head.strip():
        errors.add(name, None, None, None, None, Msg("intake.empty_file"))
        return None
    if b"\x00" in head:
        errors.add(name, None, None, None, None, Msg("intake.not_text"))
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
        with (
            open(path, encoding="gb18030", newline="") as src,
            os.fdopen(fd, "w", encoding="utf-8", newline="") as dst,
        ):
            for chunk in iter(lambda: src.read(1 << 22), ""):
                dst.write(chunk)
        return Path(tmp)
    errors.add(name, None, None, None, None, Msg("intake.bad_encoding"))
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
        # Lines are handed over at most 1M characters at a time, so a one-line file of
        # hundreds of MB is never held whole: its first piece breaks a limit already.
        reader = csv.reader(iter(lambda: f.readline(1 << 20), ""))
        rn = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise _Refused(rn + 1, None, Msg("intake.csv_long_or_quote", limit=MAX_CELL_CHARS)) from None
            rn += 1
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(rn, len(cells))
            for i, cell in enumerate(cells):
                if len(cell) > MAX_CELL_CHARS:
                    raise _too_long(rn, _col_letter(i + 1), len(cell))
            yield rn, cells


def _has_blank_lines(path: Path) -> bool:
    import mmap

    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            body = m.find(b"\n")
            return body >= 0 and (m.find(b"\n\n", body) >= 0 or m.find(b"\n\r\n", body) >= 0)


def _csv_diagnose(path: Path, name: str, table: Table, hrow: int, width: int, errors: _Errors) -> None:
    """Why DuckDB refused the file: rows whose cell count differs from the header's."""
    found = 0
    try:
        for rn, cells in _csv_records(path):
            if rn <= hrow or len(cells) == width or cells == []:
                continue
            errors.add(
                name,
                table.name,
                rn,
                None,
                _clip(",".join(cells)),
                Msg("intake.csv_cells", n=len(cells), width=width),
            )
            found += 1
            if found > MAX_ERRORS:
                return
    except _Refused as e:
        errors.add(name, table.name, e.row, e.column, None, e.message)


def _read_csv(
    con, path: Path, name: str, table: Table, stage: str, errors: _Errors, report: dict | None = None
) -> _Source | None:
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    utf8 = _decode_to_utf8(path, errors, name)
    if utf8 is None:
        return None
    try:
        if _has_blank_lines(utf8):
            # DuckDB's reader drops blank lines, which would shift every row number after
            # them; such files (rare) are read record by record instead.
            from .sheets import _stage_sheet

            return _stage_sheet(
                con,
                _csv_records(utf8),
                name,
                table,
                stage,
                errors,
                report,
                [0],
                max_cells=MAX_ROWS_PER_FILE * MAX_COLUMNS,
            )
        head = []
        try:
            for rn, cells in _csv_records(utf8):
                head.append((rn, cells))
                if rn >= HEADER_ROWS:
                    break
        except _Refused as e:
            errors.add(name, table.name, e.row, e.column, None, e.message)
            return None
        found = _find_header(head, table)
        if found is None:
            errors.add(name, None, None, None, None, Msg("intake.empty_file"))
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
                {
                    "path": str(utf8),
                    "cols": cols,
                    "skip": hrow,
                    "mls": max(1 << 20, MAX_COLUMNS * MAX_CELL_CHARS * 4),
                },
            )
        except Exception:  # noqa: BLE001 -- DuckDB says only that some row is wrong
            before = len(errors)
            _csv_diagnose(utf8, name, table, hrow, width, errors)
            if len(errors) == before:
                raise
            return None
        n = con.execute(f"SELECT count(*) FROM raw_{stage}").fetchone()[0]
        if n > MAX_ROWS_PER_FILE:
            errors.add(
                name, table.name, None, None, None, Msg("intake.too_many_rows", limit=MAX_ROWS_PER_FILE)
            )
            return None
        src = _Source(
            name,
            table,
            stage,
            [c for c in mapped if c],
            {c: f"c{i}" for i, c in enumerate(mapped) if c},
            hrow,
            row_expr=f"(rowid + {int(hrow) + 1})",
        )
        if not _prepare(con, src, width, mapped, errors, report, check_length=True):
            return None
        return src
    except Exception as e:  # a malformed file must give a message, never a traceback
        errors.add(name, table.name, None, None, None, Msg("intake.csv_unreadable", error=_clip(e, 200)))
        return None
    finally:
        if utf8 != path:
            utf8.unlink(missing_ok=True)


# ---------------------------------------------------------------- geometry
def _read_geojson(path: Path, name: str, layer: str, errors: _Errors) -> list[tuple] | None:
    id_prop = contract.GEO_LAYERS[layer][1]
    kinds = contract.GEO_TYPES.get(layer, ("Polygon", "MultiPolygon"))
    limit = contract.GEO_MAX_BYTES.get(layer, MAX_GEOJSON_BYTES)
    if path.stat().st_size > limit:
        errors.add(name, layer, None, None, None, Msg("intake.geo_too_large", mb=f"{limit / 1024 / 1024:g}"))
        return None
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        errors.add(name, layer, None, None, None, Msg("intake.geo_invalid", error=_clip(e)))
        return None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        errors.add(name, layer, None, None, None, Msg("intake.geo_not_collection"))
        return None
    out = []
    for i, feat in enumerate(doc["features"], start=1):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        props = feat.get("properties") if isinstance(feat, dict) else None
        fid = props.get(id_prop) if isinstance(props, dict) else None
        if fid is None or str(fid).strip() == "":
            errors.add(name, layer, i, id_prop, None, Msg("intake.geo_no_id", prop=id_prop))
            continue
        if (
            not isinstance(geom, dict)
            or geom.get("type") not in kinds
            or not _coords_ok(geom.get("coordinates"), geom.get("type"))
        ):
            errors.add(
                name,
                layer,
                i,
                "geometry",
                str(fid),
                Msg(
                    "intake.geo_bad_geometry",
                    kinds=ByLang(*(t("list.or", lang).join(kinds) for lang in ("zh", "en"))),
                ),
            )
            continue
        out.append((layer, str(fid), json.dumps(geom, separators=(",", ":")), i))
    return out


def _coords_ok(coords, kind) -> bool:
    if kind in ("LineString", "MultiLineString"):  # a line: one "ring" of at least 2 points
        polys = [[coords]] if kind == "LineString" else [[c] for c in coords or []]
        least = 2
    else:
        polys = [coords] if kind == "Polygon" else coords
        least = 4
    try:
        for poly in polys:
            for ring in poly:
                if len(ring) < least:
                    return False
                for pt in ring:
                    lon, lat = float(pt[0]), float(pt[1])
                    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                        return False
        return bool(polys)
    except (TypeError, ValueError, IndexError):
        return False
