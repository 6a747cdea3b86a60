"""Checking rows: every cell typed by the contract, every row rule, errors by row and column."""

from __future__ import annotations

import re
import unicodedata

from .. import contract
from ..contract import BOOL, DATE, ENUM, FLOAT, INT, TEXT, TIMESTAMP
from ..i18n import ByLang, Msg
from .common import (
    FULLWIDTH,
    HALFWIDTH,
    INT_PATTERN,
    MAX_ERRORS,
    MAX_UNFILLED_LISTED,
    SKIP_PARAMS,
    Errors,
    Params,
    Source,
    qcol,
    type_name,
)

# The forgiving reader (issue 10 §1). A cell is first read strictly, as before, which is
# what nearly every cell of a clean file needs; only cells that fail are read again in the
# forms clerks type, in one UPDATE of those rows, and counted by kind for the report.
GROUPED_INT = r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.0*)?"
GROUPED_FLOAT = r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?"
NON_ASCII = r"[^\x00-\x7F]"
UNIT_AFTER_NUMBER = r"[+-]?[0-9][0-9,.]*\s*[^0-9\s,.+-].*"


def _plain(raw: str, p: Params) -> str:
    """The cell with full-width digits, signs and spaces made half-width, trimmed."""
    return f"trim(translate({raw}, {p.bind(FULLWIDTH)}, {p.bind(HALFWIDTH)}))"


def _lenient(c: contract.Column, raw: str, p: Params) -> tuple[str, list] | None:
    """(SQL value read in the forms clerks type, [(kind, SQL condition), ...]) or None."""
    if c.type not in (INT, FLOAT, BOOL, DATE, TIMESTAMP):
        return None
    x = _plain(raw, p)
    if c.type in (INT, FLOAT):
        grouped = p.bind(GROUPED_INT if c.type == INT else GROUPED_FLOAT)
        nosep = f"replace({x}, ',', '')"
        if c.type == INT:
            pat = p.bind(INT_PATTERN)
            value = (
                f"CASE WHEN regexp_full_match({x}, {pat}) THEN CAST(split_part({x}, '.', 1) AS BIGINT) "
                f"WHEN regexp_full_match({x}, {grouped}) "
                f"THEN CAST(split_part({nosep}, '.', 1) AS BIGINT) END"
            )
        else:
            d = (
                f"CASE WHEN regexp_full_match({x}, {grouped}) THEN TRY_CAST({nosep} AS DOUBLE) "
                f"ELSE TRY_CAST({x} AS DOUBLE) END"
            )
            value = f"CASE WHEN isfinite({d}) THEN {d} END"
        return value, [("fullwidth", f"{x} <> {raw}"), ("separator", f"regexp_full_match({x}, {grouped})")]
    if c.type == BOOL:
        lx = f"lower({x})"
        t = p.bind(list(contract.BOOL_TRUE + contract.BOOL_TRUE_MARKS))
        f = p.bind(list(contract.BOOL_FALSE + contract.BOOL_FALSE_MARKS))
        marks = p.bind(list(contract.BOOL_TRUE_MARKS + contract.BOOL_FALSE_MARKS))
        value = f"CASE WHEN list_contains({t}, {lx}) THEN true WHEN list_contains({f}, {lx}) THEN false END"
        return value, [
            ("bool_symbol", f"list_contains({marks}, {lx})"),
            ("fullwidth", f"NOT list_contains({marks}, {lx}) AND {x} <> {raw}"),
        ]
    if c.type in (DATE, TIMESTAMP):
        forms = contract.LENIENT_TIMESTAMP_FORMATS
        ts = (
            f"CASE WHEN regexp_full_match({x}, '[0-9]{{8}}') THEN try_strptime({x}, '%Y%m%d') "
            f"ELSE try_strptime({x}, {p.bind(list(forms))}) END"
        )
        value = f"CAST({ts} AS DATE)" if c.type == DATE else ts
        return value, [("date", "true")]
    return None


def _typed_expr(c: contract.Column, p: Params) -> str:
    """SQL turning the text cell `v` of column c into its type (NULL when it does not parse)."""
    v = f"NULLIF(trim({qcol(c.name)}), '')"
    if c.type == TEXT:
        return v
    if c.type == INT:
        pattern = p.bind(INT_PATTERN)
        return f"CASE WHEN regexp_full_match({v}, {pattern}) THEN CAST(split_part({v}, '.', 1) AS BIGINT) END"
    if c.type == FLOAT:
        return f"CASE WHEN isfinite(TRY_CAST({v} AS DOUBLE)) THEN TRY_CAST({v} AS DOUBLE) END"
    if c.type == BOOL:
        return (
            f"CASE WHEN list_contains({p.bind(list(contract.BOOL_TRUE))}, lower({v})) THEN true "
            f"WHEN list_contains({p.bind(list(contract.BOOL_FALSE))}, lower({v})) THEN false END"
        )
    if c.type == DATE:
        return f"CAST(try_strptime({v}, {p.bind(list(contract.DATE_FORMATS))}) AS DATE)"
    if c.type == TIMESTAMP:
        return f"try_strptime({v}, {p.bind(list(contract.TIMESTAMP_FORMATS + contract.DATE_FORMATS))})"
    if c.type == ENUM:
        codes, labels = [], []
        for code, (zh, en) in c.enum.items():
            for label in (code, zh, en.lower()):
                codes.append(code)
                labels.append(label.lower())
        return f"({p.bind(codes)})[list_position({p.bind(labels)}, lower({v}))]"
    raise ValueError(c.type)


def stage_typed(con, src: Source, errors: Errors, report: dict | None = None) -> None:
    """Create typed_<stage> from raw_<stage>, reporting every cell that breaks a rule."""
    t, p = src.table, Params()
    cells = ", ".join(f"{cell} AS {qcol(col)}" for col, cell in src.cells.items())
    where = ""
    if src.skip_where:
        p.update(SKIP_PARAMS)
        where = f"WHERE NOT ({src.skip_where})"
    source = f"(SELECT {src.row_expr} AS _row, {cells} FROM raw_{src.stage} {where})"
    sel = []
    for c in t.columns:
        if c.name in src.columns:
            sel.append(
                f"{_typed_expr(c, p)} AS {qcol(c.name)}, "
                f"NULLIF(trim({qcol(c.name)}), '') AS {qcol(c.name + '__raw')}"
            )
        else:
            sel.append(
                f"CAST(NULL AS {contract.SQL_TYPES[c.type]}) AS {qcol(c.name)}, "
                f"CAST(NULL AS VARCHAR) AS {qcol(c.name + '__raw')}"
            )
    con.execute(f"CREATE TEMP TABLE typed_{src.stage} AS SELECT _row, {', '.join(sel)} FROM {source}", p)
    con.execute(f"DROP TABLE raw_{src.stage}")
    _read_leniently(con, src, report)
    _normalise_codes(con, src, report)
    _skip_unfilled(con, src, report)
    typed = f"typed_{src.stage}"
    p = Params()
    checks = []  # (column, condition, message)
    for c in t.columns:
        col, raw = qcol(c.name), qcol(c.name + "__raw")
        if c.required:
            checks.append((c.name, f"{raw} IS NULL", Msg("intake.required_missing")))
        kind = type_name(c.type)
        if c.type == ENUM:
            allowed = [ByLang(Msg("intake.code_named", code=k, name=zh), k) for k, (zh, _) in c.enum.items()]
            checks.append(
                (
                    c.name,
                    f"{raw} IS NOT NULL AND {col} IS NULL",
                    Msg("intake.not_allowed_value", allowed=allowed),
                )
            )
        elif c.type in (INT, FLOAT):
            unit = (
                f"{raw} IS NOT NULL AND {col} IS NULL AND "
                f"regexp_full_match({_plain(raw, p)}, {p.bind(UNIT_AFTER_NUMBER)})"
            )
            checks.append((c.name, unit, Msg("intake.unit_after_number", type=kind)))
            checks.append(
                (
                    c.name,
                    f"{raw} IS NOT NULL AND {col} IS NULL AND NOT ({unit})",
                    Msg("intake.bad_format", type=kind),
                )
            )
        elif c.type in (DATE, TIMESTAMP):
            # strptime's %Y takes the "22" of 22.3.7 or 11/1/21 as the year 0022 / 0011: a
            # year of fewer than four digits is no date (one check, no extra scan)
            checks.append(
                (
                    c.name,
                    f"({raw} IS NOT NULL AND {col} IS NULL) OR year({col}) < 1000",
                    Msg("intake.bad_format", type=kind),
                )
            )
        elif c.type != TEXT:
            checks.append(
                (c.name, f"{raw} IS NOT NULL AND {col} IS NULL", Msg("intake.bad_format", type=kind))
            )
        if c.min is not None:
            checks.append((c.name, f"{col} < {p.bind(c.min)}", Msg("intake.below_min", min=c.min)))
        if c.max is not None:
            checks.append((c.name, f"{col} > {p.bind(c.max)}", Msg("intake.above_max", max=c.max)))
    row_rules = {  # rule -> (column named, condition); the message is intake.rule.<rule>
        "monday": ("week_start", '"week_start" IS NOT NULL AND isodow("week_start") <> 1'),
        "vaccinated_le_checked": ("vaccinated", '"vaccinated" > "residents_checked"'),
        "shift_span": (
            "shift_end",
            ('"shift_end" <= "shift_start" OR "shift_end" > "shift_start" + INTERVAL 24 HOUR'),
        ),
        "metric_code": ("metric", '"metric" IS NOT NULL AND NOT list_contains($metric_codes, "metric")'),
    }
    checks += [(*row_rules[r], Msg(f"intake.rule.{r}")) for r in t.rules if r in row_rules]
    if "metric_code" in t.rules:
        p["metric_codes"] = list(contract.METRIC_CODES)
    # One scan per check, all in one statement; each check stops at the error cap.
    parts = [
        f"(SELECT _row, {qcol(col + '__raw')} AS v, {i} AS k FROM {typed} WHERE {cond} "
        f"ORDER BY _row LIMIT {p.bind(MAX_ERRORS + 1)})"
        for i, (col, cond, _) in enumerate(checks)
    ]
    found = con.execute(" UNION ALL ".join(parts) + " ORDER BY _row, k", p).fetchall()
    for row, value, k in found:
        col, _, message = checks[k]
        errors.add(src.file, t.name, row, col, value, message)


def _used(sql: str, params: dict) -> dict:
    """The parameters a statement refers to (DuckDB refuses unused ones)."""
    names = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
    return {k: v for k, v in params.items() if k in names}


def _read_leniently(con, src: Source, report: dict | None) -> None:
    """Read again, in the forms clerks type, the cells the strict reading left empty."""
    typed, p = f"typed_{src.stage}", Params()
    todo = []
    for c in src.table.columns:
        if c.name not in src.columns:
            continue
        raw, col = qcol(c.name + "__raw"), qcol(c.name)
        got = _lenient(c, raw, p)
        if got:
            todo.append((c, raw, col, *got))
    if not todo:
        return
    failed = " OR ".join(f"({raw} IS NOT NULL AND {col} IS NULL)" for _, raw, col, _, _ in todo)
    aggs, keys = [], []
    for i, (_c, raw, col, value, kinds) in enumerate(todo):
        aggs.append(f"count(*) FILTER (WHERE {raw} IS NOT NULL AND {col} IS NULL)")
        keys.append((i, None))
        for kind, cond in kinds:
            aggs.append(
                f"count(*) FILTER (WHERE {raw} IS NOT NULL AND {col} IS NULL "
                f"AND ({value}) IS NOT NULL AND ({cond}))"
            )
            keys.append((i, kind))
    if not con.execute(f"SELECT EXISTS (SELECT 1 FROM {typed} WHERE {failed})").fetchone()[0]:
        return  # a clean file: every cell was read strictly
    sql = f"SELECT {', '.join(aggs)} FROM {typed} WHERE {failed}"
    counts = con.execute(sql, _used(sql, p)).fetchone()
    if not any(counts):
        return
    for (_i, kind), n in zip(keys, counts, strict=False):
        if kind and n and report is not None:
            report["converted"][kind] = report["converted"].get(kind, 0) + int(n)
    for i, (c, raw, col, _, _) in enumerate(todo):
        if counts[keys.index((i, None))]:
            q = Params()
            value = _lenient(c, raw, q)[0]
            sql = f"UPDATE {typed} SET {col} = {value} WHERE {raw} IS NOT NULL AND {col} IS NULL"
            con.execute(sql, _used(sql, q))


def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def _normalise_codes(con, src: Source, report: dict | None) -> None:
    """Codes read NFKC-normalised (ＷＧ０１ is WG01), counted as read from another form. Only the
    distinct codes with a character outside ASCII go through Python (a clean file pays one
    scan per code column); they are mapped back by bound lists."""
    typed, total = f"typed_{src.stage}", 0
    for name in (c for c in contract.code_columns(src.table) if c in src.columns):
        col = qcol(name)
        odd = con.execute(
            f"SELECT DISTINCT {col} FROM {typed} WHERE regexp_matches({col}, $pat)", {"pat": NON_ASCII}
        ).fetchall()
        pairs = [(v, _nfkc(v)) for (v,) in odd if _nfkc(v) != v]
        if not pairs:
            continue
        args = {"src": [a for a, _ in pairs], "dst": [b or None for _, b in pairs]}
        n = con.execute(
            f"UPDATE {typed} SET {col} = ($dst)[list_position($src, {col})] WHERE list_contains($src, {col})",
            args,
        ).fetchone()[0]
        total += int(n)
    if total and report is not None:
        report["converted"]["code"] = report["converted"].get("code", 0) + total


def _skip_unfilled(con, src: Source, report: dict | None) -> None:
    """Rows left as the prefilled form gave them (every column to fill empty) are not reported
    yet: left out of the load and listed as 未填 (issue 21 §3). A row with some of them filled
    stays, and the required-value check names each empty cell."""
    fill = contract.to_fill(src.table.name)
    if not fill:
        return
    typed = f"typed_{src.stage}"
    empty = " AND ".join(f"{qcol(c + '__raw')} IS NULL" for c in fill)
    rows = [
        r[0]
        for r in con.execute(
            f"SELECT _row FROM {typed} WHERE {empty} ORDER BY _row LIMIT $n", {"n": MAX_UNFILLED_LISTED}
        ).fetchall()
    ]
    if not rows:
        return
    n = con.execute(f"DELETE FROM {typed} WHERE {empty}").fetchone()[0]
    if report is not None:
        report.setdefault("unfilled", []).append(
            {"file": src.file, "table": src.table.name, "count": int(n), "rows": rows}
        )
