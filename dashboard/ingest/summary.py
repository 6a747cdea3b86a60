"""The import summary: what the reader did (`LoadResult.report`) -- rows read per table, rows
skipped and why, columns ignored, values read from another form -- as one list of items,
shown by the data page as a table in the user's language and by the command line as lines
in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import contract
from ..i18n import ByLang, Msg, Text, render, t

SKIP_REASONS = ("title", "total", "footer", "empty", "blank_header")
CONVERSIONS = ("date", "fullwidth", "separator", "bool_symbol", "code")
COLUMN_REASONS = ("serial", "reference")


@dataclass
class Item:
    what: Msg  # sub.sum_read, sub.sum_skipped_<reason>, ...
    count: int
    table: Text | str = ""  # the table's name (ByLang), if the item has one
    file: str = ""  # the file (and sheet) it concerns, if any
    rows: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # keys of the rows it concerns (rows removed)


def table_name(table: str) -> Text | str:
    """A table's name in either language ("网格" / "Grids"); GeoJSON layers marked; an
    unknown name as it is."""
    if table.endswith(".geojson") and table[:-8] in contract.TABLES:
        base = contract.TABLES[table[:-8]]
        return ByLang(f"{base.zh} (GeoJSON)", f"{base.en} (GeoJSON)")
    tbl = contract.TABLES.get(table)
    return table if tbl is None else ByLang(tbl.zh, tbl.en)


def row_list(rows: list) -> str:
    """3, 4, 7–9: row numbers, runs joined."""
    nums = sorted({int(r) for r in rows if r is not None})
    parts, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(parts)


def summary_items(report: dict | None) -> list[Item]:
    """The report as items: rows read per table, rows skipped per file, table and reason,
    columns ignored, values converted per kind (kinds with none left out)."""
    report = report or {}
    items = [
        Item(Msg("sub.sum_read"), int((info or {}).get("rows") or 0), table_name(name))
        for name, info in (report.get("tables") or {}).items()
    ]
    groups: dict[tuple, list] = {}
    for s in report.get("skipped") or []:
        groups.setdefault((s.get("file") or "", s.get("table") or "", s.get("reason") or ""), []).append(
            s.get("row")
        )
    for (file, table, reason), rows in groups.items():
        what = (
            Msg(f"sub.sum_skipped_{reason}")
            if reason in SKIP_REASONS
            else Msg("sub.sum_skipped_other", reason=reason)
        )
        items.append(Item(what, len(rows), table_name(table) if table else "", file, rows))
    ignored: dict[tuple, list] = {}  # columns ignored, per file, table and reason
    for c in report.get("ignored_columns") or []:
        ignored.setdefault((c.get("file") or "", c.get("table") or "", c.get("reason") or ""), []).append(c)
    for (file, table, reason), cols in ignored.items():
        names = [Msg("intake.quoted", value=c.get("column") or "") for c in cols]
        what = (
            Msg(f"intake.sum_ignored_{reason}", columns=names)
            if reason in COLUMN_REASONS
            else Msg("intake.sum_ignored_other", columns=names, reason=reason)
        )
        items.append(
            Item(
                what,
                len(cols),
                table_name(table) if table else "",
                file,
                [c["row"] for c in cols if c.get("row") is not None],
            )
        )
    for u in report.get("unfilled") or []:
        items.append(
            Item(Msg("sub.sum_unfilled"), int(u["count"]), table_name(u["table"]), u["file"], list(u["rows"]))
        )
    for r in report.get("removed") or []:
        keys = list(r["keys"]) + (["…"] if r["count"] > len(r["keys"]) else [])
        items.append(Item(Msg("sub.sum_removed"), int(r["count"]), table_name(r["table"]), keys=keys))
    for kind, n in (report.get("converted") or {}).items():
        if n:
            what = (
                Msg(f"sub.sum_converted_{kind}")
                if kind in CONVERSIONS
                else Msg("sub.sum_converted_other", kind=kind)
            )
            items.append(Item(what, int(n)))
    return items


def summary_table(report: dict | None, lang: str) -> pd.DataFrame:
    """The items as the data page's table in the user's language. The file and row columns
    only when some item names a file or rows; empty when there is nothing to say."""
    items = summary_items(report)
    if not items:
        return pd.DataFrame()
    what, table, file, count, rows, keys = (
        t("sub.sum_item", lang),
        t("desk.table", lang),
        t("desk.file", lang),
        t("sub.sum_count", lang),
        t("sub.sum_rows", lang),
        t("sub.sum_keys", lang),
    )
    out = pd.DataFrame(
        [
            {
                what: i.what.text(lang),
                table: render(i.table, lang),
                file: i.file,
                count: i.count,
                rows: row_list(i.rows),
                keys: "; ".join(i.keys),
            }
            for i in items
        ],
        columns=[what, table, file, count, rows, keys],
    )
    return out.drop(columns=[c for c in (file, rows, keys) if not out[c].astype(bool).any()])


def _line(item: Item) -> Msg:
    where = item.file or item.table
    if item.keys:
        return Msg(
            "intake.sum_line_keys", what=item.what, count=item.count, where=where, keys="; ".join(item.keys)
        )
    if item.rows:
        one = len(set(item.rows)) == 1
        return Msg(
            "intake.sum_line_row" if one else "intake.sum_line_rows",
            what=item.what,
            count=item.count,
            where=where,
            rows=row_list(item.rows),
        )
    if where:
        return Msg("intake.sum_line_where", what=item.what, count=item.count, where=where)
    return Msg("intake.sum_line", what=item.what, count=item.count)


def summary_lines(report: dict | None) -> list[str]:
    """The items as the command line prints them: a heading, then one line per item,
    "中文 / English"."""
    items = summary_items(report)
    if not items:
        return []
    title = Msg("intake.summary")
    return [f"{title.both()}:"] + ["  " + _line(i).both() for i in items]
