"""Reading files: CSV (UTF-8 or GB18030) and GeoJSON outlines here, xlsx and xls
workbooks in `sheets`, the header finding and row skipping all of them share in `rows`.

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
    Errors,
    Refused,
    Source,
    clip,
)
from .rows import col_letter, find_header, header_and_title_rows, map_header, prepare, stage_sheet, too_long

LOADABLE = (".csv", ".xlsx", ".xls", ".geojson", ".json", ".et", ".ods")


def _too_wide(row, n) -> Refused:
    return Refused(row, None, Msg("intake.row_too_wide", n=n, limit=MAX_COLUMNS))


# ---------------------------------------------------------------- files
def sha256(path: Path) -> str:
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


def _decode_to_utf8(path: Path, errors: Errors, name: str) -> Path | None:
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
                raise Refused(rn + 1, None, Msg("intake.csv_long_or_quote", limit=MAX_CELL_CHARS)) from None
            rn += 1
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(rn, len(cells))
            for i, cell in enumerate(cells):
                if len(cell) > MAX_CELL_CHARS:
                    raise too_long(rn, col_letter(i + 1), len(cell))
            yield rn, cells


def _has_blank_lines(path: Path) -> bool:
    import mmap

    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            body = m.find(b"\n")
            return body >= 0 and (m.find(b"\n\n", body) >= 0 or m.find(b"\n\r\n", body) >= 0)


def _csv_diagnose(path: Path, name: str, table: Table, hrow: int, width: int, errors: Errors) -> None:
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
                clip(",".join(cells)),
                Msg("intake.csv_cells", n=len(cells), width=width),
            )
            found += 1
            if found > MAX_ERRORS:
                return
    except Refused as e:
        errors.add(name, table.name, e.row, e.column, None, e.message)


def read_csv(
    con, path: Path, name: str, table: Table, stage: str, errors: Errors, report: dict | None = None
) -> Source | None:
    report = report if report is not None else {"tables": {}, "skipped": [], "ignored_columns": []}
    utf8 = _decode_to_utf8(path, errors, name)
    if utf8 is None:
        return None
    try:
        if _has_blank_lines(utf8):
            # DuckDB's reader drops blank lines, which would shift every row number after
            # them; such files (rare) are read record by record instead.
            return stage_sheet(
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
        except Refused as e:
            errors.add(name, table.name, e.row, e.column, None, e.message)
            return None
        found = find_header(head, table)
        if found is None:
            errors.add(name, None, None, None, None, Msg("intake.empty_file"))
            return None
        hrow, headers = found
        mapped = map_header(headers, table, name, errors, hrow, report)
        if mapped is None:
            return None
        header_and_title_rows(head, hrow, name, table, report)
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
        src = Source(
            name,
            table,
            stage,
            [c for c in mapped if c],
            {c: f"c{i}" for i, c in enumerate(mapped) if c},
            hrow,
            row_expr=f"(rowid + {int(hrow) + 1})",
        )
        if not prepare(con, src, width, mapped, errors, report, check_length=True):
            return None
        return src
    except Exception as e:  # a malformed file must give a message, never a traceback
        errors.add(name, table.name, None, None, None, Msg("intake.csv_unreadable", error=clip(e, 200)))
        return None
    finally:
        if utf8 != path:
            utf8.unlink(missing_ok=True)


# ---------------------------------------------------------------- geometry
def read_geojson(path: Path, name: str, layer: str, errors: Errors) -> list[tuple] | None:
    id_prop = contract.GEO_LAYERS[layer][1]
    kinds = contract.GEO_TYPES.get(layer, ("Polygon", "MultiPolygon"))
    limit = contract.GEO_MAX_BYTES.get(layer, MAX_GEOJSON_BYTES)
    if path.stat().st_size > limit:
        errors.add(name, layer, None, None, None, Msg("intake.geo_too_large", mb=f"{limit / 1024 / 1024:g}"))
        return None
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        errors.add(name, layer, None, None, None, Msg("intake.geo_invalid", error=clip(e)))
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
