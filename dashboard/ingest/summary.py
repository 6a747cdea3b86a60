"""The import summary as text lines, Chinese then English (for the command line).

The page shows the same `LoadResult.report` dict in its own way."""
from __future__ import annotations

from .. import contract

REASONS = {"title": ("标题行", "title"), "total": ("合计行", "total"),
           "footer": ("签字行（填报人、审核人等）", "signature (footer)"),
           "empty": ("空行", "empty"), "blank_header": ("无表头", "no header")}
KINDS = {"date": ("其他写法的日期", "dates in another form"),
         "fullwidth": ("全角数字或符号", "full-width digits or signs"),
         "separator": ("千位分隔符", "thousands separators"),
         "bool_symbol": ("√/× 等符号", "√/× marks")}
COLUMN_REASONS = {"serial": ("序号列", "serial number"), "reference": ("参考列", "reference")}


def _rows(rows: list[int], n: int = 12) -> str:
    s = ", ".join(map(str, rows[:n]))
    return s + (f" … (+{len(rows) - n})" if len(rows) > n else "")


def summary_lines(report: dict) -> list[str]:
    out = ["导入摘要 / Import summary:"]
    for name, t in report.get("tables", {}).items():
        zh = contract.TABLES[name].zh if name in contract.TABLES else name
        skipped = t.get("skipped", 0)
        zh_more, en_more = (f"，跳过 {skipped} 行", f", {skipped} skipped") if skipped else ("", "")
        out.append(f"  {zh} {name}: 读取 {t['rows']} 行{zh_more} / {t['rows']} rows read{en_more}")
    by_file: dict[tuple, list[int]] = {}
    for s in report.get("skipped", []):
        by_file.setdefault((s["file"], s["reason"]), []).append(s["row"])
    for (file, reason), rows in by_file.items():
        zh, en = REASONS.get(reason, (reason, reason))
        out.append(f"  跳过 {file} 的{zh}：第 {_rows(rows)} 行 / skipped {en} rows of {file}:"
                   f" {_rows(rows)}")
    for c in report.get("ignored_columns", []):
        zh, en = COLUMN_REASONS.get(c["reason"], (c["reason"], c["reason"]))
        out.append(f"  忽略 {c['file']} 的{zh}「{c['column']}」 / ignored the {en} column"
                   f" \"{c['column']}\" of {c['file']}")
    conv = {k: v for k, v in report.get("converted", {}).items() if v}
    if conv:
        out.append("  按其他写法读取 / read from another form: " + "; ".join(
            f"{KINDS.get(k, (k, k))[0]} {v} / {KINDS.get(k, (k, k))[1]} {v}"
            for k, v in conv.items()))
    return out
