"""Checking rows: every cell typed by the contract, every row rule, errors by row and column."""
from __future__ import annotations

from .. import contract
from ..contract import BOOL, DATE, ENUM, FLOAT, INT, TEXT, TIMESTAMP
from .common import INT_PATTERN, MAX_ERRORS, TYPE_NAMES, _Errors, _Params, _q, _Source

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
