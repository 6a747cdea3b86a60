"""What every part of the loader shares: limits, errors, the result, small SQL helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import contract
from ..contract import Table
from ..i18n import ByLang, Explained, Msg, t

MAX_ERRORS = 200
MAX_ROWS_PER_FILE = 20_000_000
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024  # bytes, all parts of the zip together
MAX_XLSX_CELLS = 20_000_000
MAX_GEOJSON_BYTES = 200 * 1024 * 1024
# Hostile files (issue 11 item 1): every limit is checked while reading, before DuckDB
# or pandas see the data, so a small file can never cost minutes or gigabytes.
MAX_COLUMNS = 256  # cells in a row (the widest table has 14 columns)
MAX_CELL_CHARS = 2_000  # characters in one cell (a name is never that long)
EXCEL_MAX_ROWS = 1_048_576  # Excel's own limits for a sheet
EXCEL_MAX_COLUMNS = 16_384
MAX_XLSX_PART = 64 * 1024 * 1024  # shared strings, styles: parsed whole by openpyxl
MAX_XLS_BYTES = 64 * 1024 * 1024  # xlrd reads an .xls whole
HEADER_ROWS = 10  # the header is looked for in the first 10 rows
MAX_SKIPPED_LISTED = 200  # skipped rows named per file in the report
MAX_UNFILLED_LISTED = 20_000  # rows left unfilled named per sheet (a form lays out a few hundred)
MAX_REMOVED_LISTED = 200  # keys of rows a resubmission removed, named per table
INT_PATTERN = r"[+-]?[0-9]{1,18}(\.0*)?"  # Excel may write 3 as 3.0
STORED = t("intake.stored_file")  # the file of an error found in rows already stored
# What a township reporter may submit (issue 10 §2): its own township's weekly tables.
REPORTER_TABLES = ("grid_weekly", "checkpoint_shifts", "trainings", "branch_assessments")

# ---------------------------------------------------------------- data, not messages
# What the reader matches in the cells of a clerk's file: data, kept here in code. Every
# message is a label of dashboard/i18n/labels.toml (intake.*); this block is the only Chinese
# in dashboard/ingest outside comments (tests/test_i18n.py holds it to that).
NOTES_SHEETS = {"说明", "notes", "readme", "填写说明"}
SERIAL_HEADERS = {"序号", "编号"}  # a serial-number column, ignored
REFERENCE_MARK = "参考"  # in a header: a reference column (名称(参考)), ignored
# A total row's label, as a clerk types it: 合计, 合 计, 合计：, 总计, 小计
TOTAL_RE = r"[\s\x{3000}]*[合总小][\s\x{3000}]*计[\s\x{3000}:：]*"
# A signature line under a clerk's table: 填报人：…　审核人：…　日期：… (never data: a data
# row's first cell is a code, a date or a serial number). Skipped whatever else it holds.
FOOTER_RE = (
    r"[\s\x{3000}]*(填报人|填表人|制表人|审核人|审批人|负责人|单位负责人|联系人|联系电话|"
    r"填报日期|填表日期|报送日期)[\s\x{3000}]*[:：].*"
)
# The cheap test before those patterns: only a row whose first cell holds 计 or a colon can
# be a total or signature row. Bound as parameters of the reader's SQL ($tre, $fre, ...).
SKIP_PARAMS = {"tre": TOTAL_RE, "fre": FOOTER_RE, "tmark": "计", "wcolon": "："}
# Full-width digits, signs and spaces as clerks' input methods type them, and their
# half-width twins (check._plain).
FULLWIDTH = "０１２３４５６７８９＋－−．，：／　\u00a0\t"
HALFWIDTH = "0123456789+--.,:/   "


def type_name(column_type: str) -> Msg:
    """What a cell of a contract type should hold ("整数" / "a whole number")."""
    return Msg(f"intake.type.{column_type}")


def _words(key: str, **fields) -> str:
    """A label in both languages, side by side ("第2行 row 2"), for the command line."""
    m = Msg(key, **fields)
    return f"{m.zh} {m.en}"


@dataclass
class LoadError(Explained):
    """One problem, where the sender finds it (file, table, row, column, value), and why:
    `message`, rendered when shown (`zh`, `en`, or both in `str()`)."""

    file: str
    table: str | None
    row: int | None
    column: str | None
    value: str | None
    message: Msg

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "message"}
        return out | {"key": self.message.key, "zh": self.zh, "en": self.en}

    def __str__(self) -> str:
        where = [self.file]
        if self.table:
            where.append(f"{_words('intake.at_table')} {self.table}")
        if self.row is not None:
            where.append(_words("intake.at_row", row=self.row))
        if self.column:
            where.append(f"{_words('intake.at_column')} {self.column}")
        val = (
            ""
            if self.value is None
            else f" {_words('intake.at_value')}{t('intake.quoted', 'zh', value=clip(self.value))}"
        )
        return f"{', '.join(where)}:{val} {self.message.both()}"


@dataclass
class LoadResult:
    ok: bool
    errors: list[LoadError] = field(default_factory=list)
    truncated: bool = False  # more errors than MAX_ERRORS were found
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    version: int | None = None  # the version published, if any
    files: list[dict] = field(default_factory=list)
    samples: dict = field(default_factory=dict)  # table -> DataFrame of a few new/changed rows
    weeks: list = field(default_factory=list)  # a township submission's weeks (Mondays, dates)
    # What the reader did (issue 10 §1), filled before anything is committed:
    # {"tables": {table: {"rows": n}}, "skipped": [{"file", "table", "row", "reason"}],
    #  "converted": {"date": n, "fullwidth": n, "separator": n, "bool_symbol": n},
    #  "ignored_columns": [{"file", "table", "row", "column", "reason"}],
    #  "unfilled": [{"file", "table", "count", "rows"}] (rows left as the prefilled form gave them),
    #  "removed": [{"table", "count", "keys"}] (rows a resubmission removed; keys as "a / b")}
    report: dict = field(default_factory=lambda: new_report())
    # Seconds per step (stage, wait, copy, merge, aggregates, checkpoint, fsync, publish), for
    # benchmarks/submit.py.
    timings: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(sum(c.values()) for c in self.changes.values())


def new_report() -> dict:
    return {
        "tables": {},
        "skipped": [],
        "converted": {"date": 0, "fullwidth": 0, "separator": 0, "bool_symbol": 0},  # + "code" when any
        "ignored_columns": [],
        "unfilled": [],
        "removed": [],
    }


class Refused(Exception):
    """A limit hit while reading: the file is refused at once (row, column where known)."""

    def __init__(self, row, column, message: Msg, value=None):
        super().__init__(message.en)
        self.row, self.column, self.message, self.value = row, column, message, value


class Errors(list):
    def add(self, *args) -> None:
        if len(self) <= MAX_ERRORS:
            self.append(LoadError(*args))

    @property
    def full(self) -> bool:
        return len(self) > MAX_ERRORS


def clip(value, n: int = 80) -> str:
    s = str(value)
    return s if len(s) <= n else s[:n] + "…"


def qcol(name: str) -> str:
    """A quoted contract column, or its raw-text twin `<column>__raw` in staging tables."""
    base = name[:-5] if name.endswith("__raw") else name
    contract.quote_ident(base)
    return '"' + name + '"'


@dataclass
class Source:
    file: str  # the name the sender knows
    table: Table
    stage: str  # name of its staging table (raw_<stage>, columns c0, c1, ...)
    columns: list[str]  # canonical columns present in the file
    cells: dict = field(default_factory=dict)  # canonical column -> staging column c<i>
    header_row: int = 1
    row_expr: str = "_row"  # SQL for the sender's row number in raw_<stage>
    skip_where: str | None = None  # SQL of the empty and total rows to leave out


class Params(dict):
    """Bound parameters with names this module makes up."""

    def bind(self, value) -> str:
        key = f"p{len(self)}"
        self[key] = value
        return "$" + key


def not_allowed(table: Table) -> Msg:
    return Msg(
        "intake.reporter_table",
        table=ByLang(table.zh, table.name),
        tables=[ByLang(contract.TABLES[t].zh, t) for t in REPORTER_TABLES],
    )
