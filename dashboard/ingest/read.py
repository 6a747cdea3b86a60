"""Reading files: CSV (UTF-8 or GB18030), xlsx workbooks and GeoJSON outlines, into
staging tables of text cells with the row numbers the sender sees."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import math
import os
import tempfile
import zipfile
from pathlib import Path

from .. import contract
from ..contract import Table
from .common import (MAX_ERRORS, MAX_GEOJSON_BYTES, MAX_ROWS_PER_FILE, MAX_XLSX_CELLS,
                     MAX_XLSX_UNCOMPRESSED, NOTES_SHEETS, _clip, _Errors, _q, _Source)

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
                          and q.suffix.lower() in (".csv", ".xlsx", ".geojson", ".json"))
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


def _map_header(headers: list[str], table: Table, name: str,
                errors: _Errors) -> list[str | None] | None:
    """Canonical column for each header cell; None when the header is unusable."""
    known = contract.header_map(table)
    mapped, ok = [], True
    for i, h in enumerate(headers):
        h = (h or "").strip().lstrip("\ufeff")
        col = known.get(h) or known.get(h.lower())
        if col is None and h == "":
            mapped.append(None)
            continue
        if col is None:
            ok = False
            if contract.looks_personal(h):
                errors.add(name, table.name, 1, h, None,
                           "疑似个人信息列（姓名、身份证、电话、住址等），请删除该列后再报送；本系统只保存编号和数量",
                           "this column looks like personal data (name, ID number, phone, address);"
                           " remove it and send again: the dashboard keeps only codes and counts")
            else:
                errors.add(name, table.name, 1, h, None,
                           f"未知的列（{table.zh}表的列为：{'、'.join(c.zh for c in table.columns)}）",
                           f"unknown column (the columns of {table.name} are: "
                           f"{', '.join(table.column_names)})")
        elif col in mapped:
            ok = False
            errors.add(name, table.name, 1, h, None, "列重复", "duplicate column")
        mapped.append(col)
    for c in table.columns:
        if c.required and c.name not in mapped:
            ok = False
            errors.add(name, table.name, 1, c.name, None,
                       f"缺少必填列「{c.zh}」", f"required column {c.name} is missing")
    return mapped if ok else None


def _read_csv(con, path: Path, name: str, table: Table, stage: str,
              errors: _Errors) -> _Source | None:
    utf8 = _decode_to_utf8(path, errors, name)
    if utf8 is None:
        return None
    try:
        with open(utf8, encoding="utf-8-sig", newline="") as f:
            headers = next(csv.reader(f), [])
        mapped = _map_header(headers, table, name, errors)
        if mapped is None:
            return None
        cols = {f"c{i}": "VARCHAR" for i in range(len(mapped))}
        con.execute(
            f"CREATE TEMP TABLE raw_{stage} AS SELECT * FROM read_csv($path, header=false, "
            "skip=1, auto_detect=false, delim=',', quote='\"', escape='\"', "
            "columns=$cols, store_rejects=true, rejects_table=$rej, rejects_scan=$scan)",
            {"path": str(utf8), "cols": cols, "rej": f"rej_{stage}", "scan": f"rejscan_{stage}"})
        rejects = con.execute(
            f"SELECT line, error_type, csv_line FROM rej_{stage} ORDER BY line LIMIT $n",
            {"n": MAX_ERRORS}).fetchall()
        for line, kind, text in rejects:
            errors.add(name, table.name, int(line), None, _clip(text or ""),
                       f"该行列数与表头不一致（{kind}），请检查逗号和引号",
                       f"the row does not have as many cells as the header ({kind});"
                       " check commas and quotes")
        if rejects:
            return None
        n = con.execute(f"SELECT count(*) FROM raw_{stage}").fetchone()[0]
        if n > MAX_ROWS_PER_FILE:
            errors.add(name, table.name, None, None, None,
                       f"行数超过上限 {MAX_ROWS_PER_FILE}", f"more than {MAX_ROWS_PER_FILE} rows")
            return None
        sel = ", ".join(f"c{i} AS {_q(c)}" for i, c in enumerate(mapped) if c)
        con.execute(f"CREATE TEMP TABLE src_{stage} AS "
                    f"SELECT rowid + 2 AS _row, {sel} FROM raw_{stage}")
        con.execute(f"DROP TABLE raw_{stage}")
        return _Source(name, table, stage, [c for c in mapped if c])
    except Exception as e:  # a malformed file must give a message, never a traceback
        errors.add(name, table.name, None, None, None,
                   f"无法读取该 CSV 文件：{_clip(e, 200)}", f"cannot read this CSV file: {_clip(e, 200)}")
        return None
    finally:
        if utf8 != path:
            utf8.unlink(missing_ok=True)


def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d") if v.time() == dt.time() else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        if math.isfinite(v) and v == int(v) and abs(v) < 2**53:
            return str(int(v))
        return repr(v)
    return str(v)


def _read_xlsx(con, path: Path, name: str, errors: _Errors, next_stage) -> list[_Source]:
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        errors.add(name, None, None, None, None, "不是有效的 Excel（xlsx）文件",
                   "not a valid Excel (xlsx) file")
        return []
    if total > MAX_XLSX_UNCOMPRESSED:
        errors.add(name, None, None, None, None,
                   f"Excel 文件解压后过大（{total // 2**20} MB，上限 {MAX_XLSX_UNCOMPRESSED // 2**20} MB）",
                   f"the workbook is too large uncompressed ({total // 2**20} MB,"
                   f" limit {MAX_XLSX_UNCOMPRESSED // 2**20} MB)")
        return []
    import openpyxl  # openpyxl parses with defusedxml when it is installed
    import pandas as pd
    sources = []
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        errors.add(name, None, None, None, None, f"无法打开 Excel 文件：{_clip(e, 200)}",
                   f"cannot open the workbook: {_clip(e, 200)}")
        return []
    try:
        cells = 0
        for ws in wb.worksheets:
            title = ws.title.strip()
            where = f"{name} [{title}]"
            if title.lower() in NOTES_SHEETS:
                continue
            table = contract.table_by_label(title)
            if table is None:
                errors.add(where, None, None, None, title,
                           "工作表名不是已知的表名（应为表的中文或英文名，如「网格」或 grids）",
                           "the sheet name is not a table name (use the table's Chinese or"
                           " English name, e.g. 网格 or grids)")
                continue
            rows = ws.iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                continue
            mapped = _map_header([_cell_text(h) or "" for h in header], table, where, errors)
            if mapped is None:
                continue
            keep = [i for i, c in enumerate(mapped) if c]
            cols = [mapped[i] for i in keep]
            data, rownums = [], []
            for rn, row in enumerate(rows, start=2):
                vals = [_cell_text(row[i]) if i < len(row) else None for i in keep]
                if all(v is None or not v.strip() for v in vals):
                    continue
                extra = [v for v in row[len(mapped):] if v is not None and str(v).strip()]
                if extra:
                    errors.add(where, table.name, rn, None, _clip(extra[0]),
                               "表头之外的列有内容", "a cell to the right of the header has content")
                data.append(vals)
                rownums.append(rn)
                cells += len(row)
                if cells > MAX_XLSX_CELLS:
                    errors.add(where, table.name, rn, None, None,
                               f"单元格数超过上限 {MAX_XLSX_CELLS}", f"more than {MAX_XLSX_CELLS} cells")
                    return sources
            stage = next_stage()
            frame = pd.DataFrame(data, columns=cols, dtype=object)
            frame.insert(0, "_row", rownums)
            frame = frame.astype({c: "object" for c in cols})
            con.register(f"xl_{stage}", frame)
            sel = ", ".join(f"CAST({_q(c)} AS VARCHAR) AS {_q(c)}" for c in cols)
            con.execute(f"CREATE TEMP TABLE src_{stage} AS "
                        f"SELECT CAST(_row AS BIGINT) AS _row, {sel} FROM xl_{stage}")
            con.unregister(f"xl_{stage}")
            sources.append(_Source(where, table, stage, cols))
    except Exception as e:
        errors.add(name, None, None, None, None, f"无法读取 Excel 文件：{_clip(e, 200)}",
                   f"cannot read the workbook: {_clip(e, 200)}")
    finally:
        wb.close()
    return sources


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
