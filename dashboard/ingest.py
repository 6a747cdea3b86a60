"""Load the county's files (CONTRACT.md sections 1 and 3) into a new store version.

A load reads every file into a draft copy of the live version, checks every
rule there, and publishes only when nothing is wrong. Each error names the
file, table, row as the sender sees it (header = row 1), column, value and
reason, in Chinese and English.

SQL here is generated from the contract: identifiers come from
`contract` (an allow-list) or are names this module makes up (`c0`, `p3`);
every value, including constants such as enum codes, is a bound parameter.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import contract
from .contract import BOOL, DATE, ENUM, FLOAT, INT, TEXT, TIMESTAMP, Table
from .store import Store

MAX_ERRORS = 200
MAX_ROWS_PER_FILE = 20_000_000
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024   # bytes, all parts of the zip together
MAX_XLSX_CELLS = 20_000_000
MAX_GEOJSON_BYTES = 200 * 1024 * 1024
NOTES_SHEETS = {"说明", "notes", "readme", "填写说明"}
INT_PATTERN = r"[+-]?[0-9]{1,18}(\.0*)?"   # Excel may write 3 as 3.0
STORED = "（已存储数据 stored data）"

TYPE_NAMES = {TEXT: ("文本", "text"), INT: ("整数", "a whole number"),
              FLOAT: ("数字", "a number"), BOOL: ("是/否", "yes/no"),
              DATE: ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
              TIMESTAMP: ("时间（YYYY-MM-DD HH:MM）", "a time (YYYY-MM-DD HH:MM)"),
              ENUM: ("选项", "one of the listed codes")}


@dataclass
class LoadError:
    file: str
    table: str | None
    row: int | None
    column: str | None
    value: str | None
    zh: str
    en: str

    def as_dict(self) -> dict:
        return self.__dict__.copy()

    def __str__(self) -> str:
        where = [self.file]
        if self.table:
            where.append(f"表 table {self.table}")
        if self.row is not None:
            where.append(f"第{self.row}行 row {self.row}")
        if self.column:
            where.append(f"列 column {self.column}")
        val = "" if self.value is None else f" 值 value「{_clip(self.value)}」"
        return f"{', '.join(where)}:{val} {self.zh} / {self.en}"


@dataclass
class LoadResult:
    ok: bool
    errors: list[LoadError] = field(default_factory=list)
    truncated: bool = False          # more errors than MAX_ERRORS were found
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    version: int | None = None       # the version published, if any
    files: list[dict] = field(default_factory=list)
    samples: dict = field(default_factory=dict)   # table -> DataFrame of a few new/changed rows

    @property
    def changed(self) -> bool:
        return any(sum(c.values()) for c in self.changes.values())


class _Errors(list):
    def add(self, *args) -> None:
        if len(self) <= MAX_ERRORS:
            self.append(LoadError(*args))

    @property
    def full(self) -> bool:
        return len(self) > MAX_ERRORS


def _clip(value, n: int = 80) -> str:
    s = str(value)
    return s if len(s) <= n else s[:n] + "…"


def _q(name: str) -> str:
    """A quoted contract column, or its raw-text twin `<column>__raw` in staging tables."""
    base = name[:-5] if name.endswith("__raw") else name
    contract.quote_ident(base)
    return '"' + name + '"'


# ---------------------------------------------------------------- sources
@dataclass
class _Source:
    file: str               # the name the sender knows
    table: Table
    stage: str              # name of its staging table in the draft
    columns: list[str]      # canonical columns present in the file


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


# ---------------------------------------------------------------- row checks
class _Params(dict):
    """Bound parameters with names this module makes up."""

    def bind(self, value) -> str:
        key = f"p{len(self)}"
        self[key] = value
        return "$" + key


def _typed_expr(c: contract.Column, p: _Params) -> str:
    """SQL turning the text cell `v` of column c into its type (NULL when it does not parse)."""
    v = f"NULLIF(trim({_q(c.name)}), '')"
    if c.type == TEXT:
        return v
    if c.type == INT:
        pattern = p.bind(INT_PATTERN)
        return (f"CASE WHEN regexp_full_match({v}, {pattern}) "
                f"THEN CAST(split_part({v}, '.', 1) AS BIGINT) END")
    if c.type == FLOAT:
        return f"CASE WHEN isfinite(TRY_CAST({v} AS DOUBLE)) THEN TRY_CAST({v} AS DOUBLE) END"
    if c.type == BOOL:
        return (f"CASE WHEN list_contains({p.bind(list(contract.BOOL_TRUE))}, lower({v})) THEN true "
                f"WHEN list_contains({p.bind(list(contract.BOOL_FALSE))}, lower({v})) THEN false END")
    if c.type == DATE:
        return (f"CAST(try_strptime({v}, {p.bind(list(contract.DATE_FORMATS))}) AS DATE)")
    if c.type == TIMESTAMP:
        return (f"try_strptime({v}, "
                f"{p.bind(list(contract.TIMESTAMP_FORMATS + contract.DATE_FORMATS))})")
    if c.type == ENUM:
        codes, labels = [], []
        for code, (zh, en) in c.enum.items():
            for label in (code, zh, en.lower()):
                codes.append(code)
                labels.append(label.lower())
        return f"({p.bind(codes)})[list_position({p.bind(labels)}, lower({v}))]"
    raise ValueError(c.type)


def _stage_typed(con, src: _Source, errors: _Errors) -> None:
    """Create typed_<stage> from src_<stage>, reporting every cell that breaks a rule."""
    t, p = src.table, _Params()
    sel = []
    for c in t.columns:
        if c.name in src.columns:
            sel.append(f"{_typed_expr(c, p)} AS {_q(c.name)}, "
                       f"NULLIF(trim({_q(c.name)}), '') AS {_q(c.name + '__raw')}")
        else:
            sel.append(f"CAST(NULL AS {contract.SQL_TYPES[c.type]}) AS {_q(c.name)}, "
                       f"CAST(NULL AS VARCHAR) AS {_q(c.name + '__raw')}")
    con.execute(f"CREATE TEMP TABLE typed_{src.stage} AS SELECT _row, {', '.join(sel)} "
                f"FROM src_{src.stage}", p)
    con.execute(f"DROP TABLE src_{src.stage}")
    typed = f"typed_{src.stage}"
    p = _Params()
    checks = []   # (column, condition, zh, en)
    for c in t.columns:
        col, raw = _q(c.name), _q(c.name + "__raw")
        if c.required:
            checks.append((c.name, f"{raw} IS NULL", "必填项为空", "required value is missing"))
        tz, te = TYPE_NAMES[c.type]
        if c.type == ENUM:
            allowed = "、".join(f"{k}（{zh}）" for k, (zh, _) in c.enum.items())
            checks.append((c.name, f"{raw} IS NOT NULL AND {col} IS NULL",
                           f"不是允许的取值，应为：{allowed}",
                           f"not an allowed value; use one of: {', '.join(c.enum)}"))
        elif c.type != TEXT:
            checks.append((c.name, f"{raw} IS NOT NULL AND {col} IS NULL",
                           f"格式不正确，应为{tz}", f"not {te}"))
        if c.min is not None:
            checks.append((c.name, f"{col} < {p.bind(c.min)}", f"不能小于 {c.min:g}",
                           f"must be at least {c.min:g}"))
        if c.max is not None:
            checks.append((c.name, f"{col} > {p.bind(c.max)}", f"不能大于 {c.max:g}",
                           f"must be at most {c.max:g}"))
    row_rules = {
        "monday": ("week_start", '"week_start" IS NOT NULL AND isodow("week_start") <> 1',
                   "周起始日必须是星期一", "week_start must be a Monday"),
        "vaccinated_le_checked": ("vaccinated", '"vaccinated" > "residents_checked"',
                                  "已接种人数不能大于排查人数",
                                  "vaccinated must not exceed residents_checked"),
        "shift_span": ("shift_end", '"shift_end" <= "shift_start" OR '
                       '"shift_end" > "shift_start" + INTERVAL 24 HOUR',
                       "结束时间必须晚于开始时间，且不超过24小时",
                       "shift_end must be after shift_start and at most 24 h later"),
        "metric_code": ("metric", '"metric" IS NOT NULL AND NOT list_contains($metric_codes, "metric")',
                        "不是已知的指标代码（见 CONTRACT.md 第4节）",
                        "not a metric code of CONTRACT.md section 4"),
    }
    checks += [row_rules[r] for r in t.rules if r in row_rules]
    if "metric_code" in t.rules:
        p["metric_codes"] = list(contract.METRIC_CODES)
    # One scan per check, all in one statement; each check stops at the error cap.
    parts = [f"(SELECT _row, {_q(col + '__raw')} AS v, {i} AS k FROM {typed} WHERE {cond} "
             f"ORDER BY _row LIMIT {p.bind(MAX_ERRORS + 1)})"
             for i, (col, cond, _, _) in enumerate(checks)]
    found = con.execute(" UNION ALL ".join(parts) + " ORDER BY _row, k", p).fetchall()
    for row, value, k in found:
        col, _, zh, en = checks[k]
        errors.add(src.file, t.name, row, col, value, zh, en)


# ---------------------------------------------------------------- batch and merge
def _key_match(t: Table, a: str, b: str) -> str:
    return " AND ".join(f"{a}.{_q(k)} IS NOT DISTINCT FROM {b}.{_q(k)}" for k in t.key)


def _build_batch(con, t: Table, sources: list[_Source], errors: _Errors) -> None:
    """batch_<table>: every row of the load for table t, with _file and _row."""
    cols = ", ".join(_q(c) for c in t.column_names)
    parts = []
    p = _Params()
    for s in sources:
        parts.append(f"SELECT {p.bind(s.file)} AS _file, _row, {cols} FROM typed_{s.stage}")
    con.execute(f"CREATE TEMP TABLE batch_{t.name} AS {' UNION ALL '.join(parts)}", p)
    keys = ", ".join(_q(k) for k in t.key)
    dups = con.execute(
        f"SELECT _file, _row, first_file, first_row, {keys} FROM ("
        f"  SELECT *, first_value(_file) OVER w AS first_file, first_value(_row) OVER w AS first_row,"
        f"         row_number() OVER w AS n FROM batch_{t.name}"
        f"  WINDOW w AS (PARTITION BY {keys} ORDER BY _file, _row)) WHERE n > 1 "
        f"ORDER BY _file, _row LIMIT $lim", {"lim": MAX_ERRORS + 1}).fetchall()
    for file, row, ffile, frow, *key in dups:
        same = f"第{frow}行" if ffile == file else f"{ffile} 第{frow}行"
        errors.add(file, t.name, row, ",".join(t.key), "/".join(map(str, key)),
                   f"主键重复，与{same}相同", f"duplicate key, same as row {frow}"
                   + ("" if ffile == file else f" of {ffile}"))


SAMPLE_ROWS = 5


def _sample(con, t: Table) -> "pd.DataFrame":
    """A few rows of the batch that are new or differ from what is stored (before the merge)."""
    cols = ", ".join(f"b.{_q(c)}" for c in t.column_names)
    diff = " OR ".join(f"s.{_q(c)} IS DISTINCT FROM b.{_q(c)}" for c in t.column_names)
    return con.execute(
        f"SELECT b._file, b._row, {cols}, s._stored IS NULL AS _new FROM batch_{t.name} b "
        f"LEFT JOIN (SELECT *, true AS _stored FROM {_q(t.name)}) s ON {_key_match(t, 's', 'b')} "
        f"WHERE s._stored IS NULL OR ({diff}) ORDER BY b._file, b._row LIMIT $n",
        {"n": SAMPLE_ROWS}).df()


def _merge(con, t: Table, replace: bool) -> dict[str, int]:
    """Apply batch_<table> to the table (upsert by key, or replace it whole); count the rows."""
    cols = ", ".join(_q(c) for c in t.column_names)
    tbl, batch = _q(t.name), f"batch_{t.name}"
    km = _key_match(t, "s", "b")
    diff = " OR ".join(f"s.{_q(c)} IS DISTINCT FROM b.{_q(c)}" for c in t.column_names)
    added, changed = con.execute(
        f"SELECT count(*) FILTER (WHERE s._stored IS NULL), "
        f"count(*) FILTER (WHERE s._stored AND ({diff})) "
        f"FROM {batch} b LEFT JOIN (SELECT *, true AS _stored FROM {tbl}) s ON {km}").fetchone()
    removed = 0
    if replace:
        removed = con.execute(
            f"SELECT count(*) FROM {tbl} s ANTI JOIN {batch} b ON {km}").fetchone()[0]
        con.execute(f"DELETE FROM {tbl}")
    else:
        con.execute(f"DELETE FROM {tbl} s USING {batch} b WHERE {km}")
    con.execute(f"INSERT INTO {tbl} ({cols}) SELECT {cols} FROM {batch}")
    return {"added": int(added), "changed": int(changed), "removed": int(removed)}


def _where_from(con, t: Table, alias: str, loaded: bool) -> tuple[str, str]:
    """SQL pieces that find a stored row's file and row in the batch, if it came from there."""
    if not loaded:
        return "NULL, NULL", ""
    return "b._file, b._row", f"LEFT JOIN batch_{t.name} b ON {_key_match(t, alias, 'b')}"


def _check_merged(con, touched: set[str], unreadable: set[str], errors: _Errors) -> None:
    """Rules across tables, on the merged result.

    References into or out of a table whose file could not be read are not
    checked: they would only repeat that file's error.
    """
    for t in contract.TABLES.values():
        for c in t.columns:
            if not c.fk or errors.full:
                continue
            if t.name not in touched and c.fk not in touched or {t.name, c.fk} & unreadable:
                continue
            parent = contract.TABLES[c.fk]
            pk = c.fk_column or parent.key[0]
            src, join = _where_from(con, t, "s", t.name in touched)
            rows = con.execute(
                f"SELECT {src}, s.{_q(c.name)} FROM {_q(t.name)} s {join} "
                f"WHERE s.{_q(c.name)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                f"{_q(parent.name)} p WHERE p.{_q(pk)} = s.{_q(c.name)}) "
                f"ORDER BY 1, 2 LIMIT $lim", {"lim": MAX_ERRORS + 1}).fetchall()
            for file, row, value in rows:
                errors.add(file or STORED, t.name, row, c.name, value,
                           f"在「{parent.zh}」表中不存在", f"does not exist in table {parent.name}")
    for t in contract.TABLES.values():
        for c in t.columns:
            if c.unique and t.name in touched:
                src, join = _where_from(con, t, "s", True)
                rows = con.execute(
                    f"SELECT {src}, s.{_q(c.name)} FROM {_q(t.name)} s {join} WHERE s.{_q(c.name)} IN "
                    f"(SELECT {_q(c.name)} FROM {_q(t.name)} GROUP BY 1 HAVING count(*) > 1) "
                    f"ORDER BY 1, 2 LIMIT $lim", {"lim": MAX_ERRORS + 1}).fetchall()
                for file, row, value in rows:
                    errors.add(file or STORED, t.name, row, c.name, value,
                               "与其他行重复，必须唯一", "must be unique; another row has the same value")
    if {"grid_weekly", "grids"} & touched:
        gw = contract.TABLES["grid_weekly"]
        src, join = _where_from(con, gw, "s", "grid_weekly" in touched)
        rows = con.execute(
            f"SELECT {src}, s.households_visited, g.households FROM grid_weekly s "
            f"JOIN grids g USING (grid_id) {join} WHERE s.households_visited > g.households "
            f"ORDER BY 1, 2 LIMIT $lim", {"lim": MAX_ERRORS + 1}).fetchall()
        for file, row, visited, households in rows:
            errors.add(file or STORED, "grid_weekly", row, "households_visited", visited,
                       f"走访户数超过该网格户数（{households}）",
                       f"more than the grid's households ({households})")
    if "branch_assessments" in touched:
        ba = contract.TABLES["branch_assessments"]
        rows = con.execute(
            "SELECT min(b._file), min(b._row), s.branch_id, s.assessed_on, "
            "list_sort(list_distinct(list(s.criterion))) FROM branch_assessments s "
            f"LEFT JOIN batch_branch_assessments b ON {_key_match(ba, 's', 'b')} "
            "GROUP BY s.branch_id, s.assessed_on HAVING count(DISTINCT s.criterion) < $n "
            "ORDER BY 1, 2 LIMIT $lim",
            {"n": len(contract.CRITERIA), "lim": MAX_ERRORS + 1}).fetchall()
        for file, row, branch, on, have in rows:
            missing = [k for k in contract.CRITERIA if k not in (have or [])]
            errors.add(file or STORED, "branch_assessments", row, "criterion",
                       f"{branch} {on}",
                       "一次评估必须包含全部8个评估项目，缺少：" + "、".join(
                           f"{k}（{contract.CRITERIA[k][0]}）" for k in missing),
                       "an assessment must carry all 8 criteria; missing: " + ", ".join(missing))


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


def _merge_geo(con, layer: str, features: list[tuple], file: str, replace: bool,
               errors: _Errors) -> dict[str, int]:
    import pandas as pd
    frame = pd.DataFrame(features, columns=["layer", "feature_id", "geometry", "_row"])
    con.register("geo_batch", frame)
    table, id_col = layer, contract.GEO_LAYERS[layer][1]
    for fid, row in con.execute(
            f"SELECT feature_id, _row FROM geo_batch g WHERE NOT EXISTS (SELECT 1 FROM "
            f"{_q(table)} t WHERE t.{_q(id_col)} = g.feature_id) ORDER BY _row LIMIT $lim",
            {"lim": MAX_ERRORS + 1}).fetchall():
        errors.add(file, layer, int(row), id_col, fid, f"在「{contract.TABLES[table].zh}」表中不存在",
                   f"does not exist in table {table}")
    for fid, row in con.execute(
            "SELECT feature_id, max(_row) FROM geo_batch GROUP BY 1 HAVING count(*) > 1 "
            "ORDER BY 2 LIMIT $lim", {"lim": MAX_ERRORS + 1}).fetchall():
        errors.add(file, layer, int(row), id_col, fid, "要素重复", "duplicate feature")
    added, changed = con.execute(
        "SELECT count(*) FILTER (WHERE s.feature_id IS NULL), "
        "count(*) FILTER (WHERE s.geometry IS DISTINCT FROM g.geometry AND s.feature_id IS NOT NULL) "
        "FROM geo_batch g LEFT JOIN geo_features s ON s.layer = g.layer AND s.feature_id = g.feature_id"
    ).fetchone()
    removed = 0
    if replace:
        removed = con.execute(
            "SELECT count(*) FROM geo_features s WHERE layer = $layer AND feature_id NOT IN "
            "(SELECT feature_id FROM geo_batch)", {"layer": layer}).fetchone()[0]
        con.execute("DELETE FROM geo_features WHERE layer = $layer", {"layer": layer})
    else:
        con.execute("DELETE FROM geo_features s WHERE EXISTS (SELECT 1 FROM geo_batch g "
                    "WHERE g.layer = s.layer AND g.feature_id = s.feature_id)")
    con.execute("INSERT INTO geo_features SELECT layer, feature_id, geometry FROM geo_batch")
    con.unregister("geo_batch")
    return {"added": int(added), "changed": int(changed), "removed": int(removed)}


# ---------------------------------------------------------------- the load
def load(paths, store: Store | None = None, by: str = "", replace: bool = False,
         dry_run: bool = False, names: dict | None = None) -> LoadResult:
    """Check and apply a load; publish a new version when it is valid and changes something.

    `names` maps a path to the file name the sender knows (uploads land in temp files).
    With dry_run, everything is checked and counted but nothing is published.
    """
    store = store or Store()
    names = {str(k): v for k, v in (names or {}).items()}
    errors = _Errors()
    files = expand_paths(paths)
    result = LoadResult(ok=False)
    if not files:
        errors.add("", None, None, None, None, "没有可载入的文件", "no file to load")
    plan = []   # (path, display name, kind, table-or-layer)
    for path in files:
        name = names.get(str(path), path.name)
        if not path.is_file():
            errors.add(name, None, None, None, None, "文件不存在", "no such file")
            continue
        suffix, stem = path.suffix.lower(), Path(name).stem
        if suffix == ".xlsx":
            plan.append((path, name, "xlsx", None))
        elif suffix == ".csv" and contract.table_by_label(stem):
            plan.append((path, name, "csv", contract.table_by_label(stem)))
        elif suffix in (".geojson", ".json") and contract.table_by_label(stem) \
                and contract.table_by_label(stem).name in contract.GEO_LAYERS:
            plan.append((path, name, "geojson", contract.table_by_label(stem).name))
        else:
            errors.add(name, None, None, None, None,
                       "文件名不是已知的表名（如 网格.csv 或 grids.csv），或不是 CSV/xlsx/GeoJSON 文件",
                       "the file name is not a table name (e.g. grids.csv or 网格.csv),"
                       " or the file is not CSV, xlsx or GeoJSON")
        result.files.append({"name": name, "sha256": _sha256(path) if path.is_file() else None})
    if errors:
        return _finish(result, errors)

    with store.writer() as draft:
        con = draft.con
        counter = iter(range(1, 1 << 30))
        next_stage = lambda: f"s{next(counter)}"  # noqa: E731
        sources: list[_Source] = []
        geo: list[tuple[str, str, list]] = []
        unreadable: set[str] = set()   # tables whose file could not be read at all
        for path, name, kind, target in plan:
            before = len(errors)
            if kind == "csv":
                s = _read_csv(con, path, name, target, next_stage(), errors)
                sources += [s] if s else []
                if s is None:
                    unreadable.add(target.name)
            elif kind == "xlsx":
                sources += _read_xlsx(con, path, name, errors, next_stage)
                unreadable |= {e.table for e in errors[before:] if e.table}
            else:
                feats = _read_geojson(path, name, target, errors)
                if feats is not None:
                    geo.append((name, target, feats))
        for s in sources:
            _stage_typed(con, s, errors)
        touched = {s.table.name for s in sources}
        for name in contract.TABLE_ORDER:
            t = contract.TABLES[name]
            mine = [s for s in sources if s.table.name == name]
            if mine:
                _build_batch(con, t, mine, errors)
                if dry_run:
                    result.samples[name] = _sample(con, t)
                result.changes[name] = _merge(con, t, replace)
        _check_merged(con, touched, unreadable, errors)
        for file, layer, feats in geo:
            result.changes[f"{layer}.geojson"] = _merge_geo(con, layer, feats, file, replace, errors)
        if errors or dry_run:
            return _finish(result, errors)
        result.ok = True
        if not result.changed:
            return result
        record = {"action": "replace" if replace else "load", "by": by,
                  "files": result.files, "tables": result.changes}
        result.version = store.publish(draft, record)
    return result


def _finish(result: LoadResult, errors: _Errors) -> LoadResult:
    result.ok = not errors
    result.truncated = errors.full
    result.errors = list(errors[:MAX_ERRORS])
    return result


def load_uploads(files: list[tuple[str, bytes]], store: Store | None = None, **kwargs) -> LoadResult:
    """Load files that arrived as (name, content) pairs, e.g. browser uploads.

    Each is written to a private temporary folder under its base name only, so a
    name can never point elsewhere; errors name the file as the sender called it.
    """
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        paths, names = [], {}
        for i, (name, content) in enumerate(files):
            base = Path(name.replace("\\", "/")).name or f"file{i}"
            folder = Path(tmp) / str(i)      # one folder per file: equal names cannot collide
            folder.mkdir()
            path = folder / base
            path.write_bytes(content)
            paths.append(path)
            names[str(path)] = base
        return load(paths, store, names=names, **kwargs)
