"""What every part of the loader shares: limits, errors, the result, small SQL helpers."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import contract
from ..contract import BOOL, DATE, ENUM, FLOAT, INT, TEXT, TIMESTAMP, Table

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



@dataclass
class _Source:
    file: str               # the name the sender knows
    table: Table
    stage: str              # name of its staging table in the draft
    columns: list[str]      # canonical columns present in the file


class _Params(dict):
    """Bound parameters with names this module makes up."""

    def bind(self, value) -> str:
        key = f"p{len(self)}"
        self[key] = value
        return "$" + key
