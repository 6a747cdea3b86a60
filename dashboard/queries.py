"""Named SQL: one file in queries/ per query, named for what it returns.

Values are bound as $name parameters, never formatted into the text. What several queries
share (the scopes, the week generator, the hour-slot chain, the named numbers) is declared once
as DuckDB macros in queries/_macros.sql (TEMP macros: they belong to one connection, and work
read-only). `run` creates on each cursor it uses the macros the query needs; `install(con)`
creates them all (Store.connect does, so that SQL from queries/ also runs on it directly).

A version is published with weekly tables (queries/_aggregates.sql, built by
`build_aggregates(con)` from Store.publish): one row per week and checkpoint, and per week and
grid. The macros checkpoint_weeks and grid_weeks read them; on a version without them (made
before they existed) they compute the same rows from the shifts and reports instead
(the macros' default): the same figures, at the old speed.
"""

from __future__ import annotations

import re
import threading
import warnings
import weakref
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"


# The format of the weekly tables (agg_info.format): raise it whenever queries/_aggregates.sql
# changes what they hold, so that versions published before are read as having none.
AGGREGATES_FORMAT = 1
AGGREGATE_TABLES = ("agg_info", "agg_checkpoint_week", "agg_grid_week")
PARAM = re.compile(r"\$([A-Za-z_]\w*)")
STATEMENT_END = re.compile(r"^;[ \t]*$", re.MULTILINE)


@cache
def sql(name: str) -> str:
    """The text of queries/<name>.sql (a name starting with _ is a script of statements)."""
    path = QUERY_DIR / f"{name}.sql"
    if path.parent != QUERY_DIR or not path.is_file():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


@cache
def _param_names(name: str) -> frozenset[str]:
    return frozenset(PARAM.findall(sql(name)))


@cache
def statements(name: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The statements of the script queries/<name>.sql (split at lines holding only `;`), each
    with the $parameters it names."""
    out = []
    for part in STATEMENT_END.split(sql(name)):
        code = "\n".join(line for line in part.splitlines() if not line.lstrip().startswith("--"))
        if code.strip():
            out.append((part.strip(), frozenset(PARAM.findall(code))))
    return tuple(out)


def _script(con: duckdb.DuckDBPyConnection, name: str, **params) -> None:
    for text, names in statements(name):
        con.execute(text, {k: v for k, v in params.items() if k in names})


def has_aggregates(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database `con` reads was published with weekly tables of this format."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' AND table_name IN $names",
        {"names": list(AGGREGATE_TABLES)},
    ).fetchone()[0]
    if found != len(AGGREGATE_TABLES):
        return False
    return con.execute("SELECT max(format) FROM agg_info").fetchone()[0] == AGGREGATES_FORMAT


def install(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Create every shared macro of queries/_macros.sql on `con` (a connection or cursor;
    read-only is enough), reading the weekly tables if the version has them, else computing
    them. Store.connect does this, so that SQL from queries/ can also be run on its connections
    directly; `run` creates on its cursors only the macros each query needs."""
    stored = has_aggregates(con)
    for macro in MACRO_ORDER:
        con.execute(_macro_text(macro, stored))
    return con


MACRO = re.compile(r"^CREATE OR REPLACE TEMP MACRO (\w+)\(", re.MULTILINE)


@cache
def _macros(name: str) -> dict[str, str]:
    """macro name -> its CREATE statement, in the order of the script queries/<name>.sql."""
    return {MACRO.search(text)[1]: text for text, _ in statements(name)}


MACRO_ORDER = tuple(_macros("_macros"))


def _macro_text(macro: str, stored: bool) -> str:
    return (_macros("_macros_stored") if stored else {}).get(macro) or _macros("_macros")[macro]


@cache
def _needs(text: str, stored: bool) -> frozenset[str]:
    """The macros `text` calls, and the macros they call, recursively."""
    found = {m for m in MACRO_ORDER if re.search(rf"\b{m}\(", text)}
    for m in list(found):
        found |= _needs(_macro_text(m, stored).split(" AS ", 1)[1], stored)
    return frozenset(found)


@cache
def _needed(name: str, stored: bool) -> tuple[str, ...]:
    """The macros queries/<name>.sql needs, in the order they may be created."""
    needs = _needs(sql(name), stored)
    return tuple(m for m in MACRO_ORDER if m in needs)


def build_aggregates(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build the weekly tables of queries/_aggregates.sql in the writable database `con`,
    from its current rows. Store.publish calls it on the draft it is about to publish."""
    for macro in MACRO_ORDER:
        con.execute(_macro_text(macro, stored=False))
    span = con.execute(sql("shift_span")).fetchone()
    _script(con, "_aggregates", first_week=span[0], weeks=span[1], format=AGGREGATES_FORMAT)


# Queries with a row per grid, branch, checkpoint (hour) or activity come through Arrow: with
# DuckDB and pandas 3 that costs far less CPU than .df() on tens of thousands of rows, close to
# fetching the Arrow table alone. For the small results of the others, .df() is cheaper
# (Arrow's conversion has a fixed cost per query). Figures: benchmarks/RESULTS-2026-12-02.md.
# Both give the same frames (tests/test_metrics.py). DuckDB warns that Arrow from an execute()
# result copies the rows once; the warning is filtered here, once (warnings.catch_warnings per
# call is not thread-safe, and Streamlit runs sessions in threads).
LARGE_RESULTS = frozenset(
    {
        "checkpoint_hourly",
        "checkpoint_status",
        "checkpoint_places",
        "grid_visit_rates",
        "grid_places",
        "grid_history",
        "branch_status",
        "training_activities",
    }
)
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
_US = np.dtype("datetime64[us]")
_NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
_NUMPY_OF = {dtype: np.dtype(dtype.numpy_dtype) for dtype in _NULLABLE.values()}


def _frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow result as the DataFrame .df() would give: DATE and TIMESTAMP as datetime64[us],
    DECIMAL/HUGEINT (sums) as float64, and a text column with no value at all (or no row) as
    objects with None, as DuckDB makes it, rather than pandas' NaN."""
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    # Integers and booleans with a NULL become pandas' nullable Int64/boolean, as from .df().
    df = table.to_pandas(date_as_object=False, types_mapper=_NULLABLE.get)
    for col, arrow_col in zip(df.columns, table.columns, strict=False):
        s = df[col]
        if (
            isinstance(s.dtype, pd.api.extensions.ExtensionDtype)
            and s.dtype in _NUMPY_OF
            and arrow_col.null_count == 0
        ):
            df[col] = s.to_numpy(dtype=_NUMPY_OF[s.dtype])
        elif isinstance(s.dtype, np.dtype) and s.dtype.kind == "M" and s.dtype != _US:
            df[col] = s.astype(_US)
        elif pd.api.types.is_string_dtype(s.dtype) and s.dtype != object and not s.notna().any():
            df[col] = pd.Series([None] * len(s), index=s.index, dtype=object)
    return df


# Cursors kept per connection for the next query, with the macros created on them so far: a
# connection refuses concurrent calls, so each query runs on a cursor of its own, and creating
# a macro costs about a millisecond, so each cursor gets only those its queries need, once.
# The cursors go with their connection (a cursor does not keep it alive, and closing the
# connection closes them).
class _Cursor:
    __slots__ = ("cur", "stored", "made")

    def __init__(self, cur: duckdb.DuckDBPyConnection, stored: bool):
        self.cur, self.stored, self.made = cur, stored, set()

    def prepare(self, name: str) -> duckdb.DuckDBPyConnection:
        for macro in _needed(name, self.stored):
            if macro not in self.made:
                self.cur.execute(_macro_text(macro, self.stored))
                self.made.add(macro)
        return self.cur


_idle: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_idle_lock = threading.Lock()
MAX_IDLE_CURSORS = 8


def _take_cursor(con: duckdb.DuckDBPyConnection) -> tuple[_Cursor, list]:
    with _idle_lock:
        idle = _idle.get(con)
        if idle is None:
            idle = _idle[con] = []
        if idle:
            return idle.pop(), idle
    cur = con.cursor()
    try:
        return _Cursor(cur, has_aggregates(cur)), idle
    except BaseException:
        cur.close()
        raise


# Parameters a caller may leave out, bound to these values: $withheld (township_ids whose week
# is not counted, metrics.Scope.withheld) is NULL for callers that predate it.
OPTIONAL_PARAMS = {"withheld": None}


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql on a cursor of `con`, binding only the parameters it names
    (OPTIONAL_PARAMS when not given)."""
    text = sql(name)
    names = _param_names(name)
    bound = {k: v for k, v in {**OPTIONAL_PARAMS, **params}.items() if k in names}
    cursor, idle = _take_cursor(con)
    try:
        result = cursor.prepare(name).execute(text, bound)
        df = _frame(result.to_arrow_table()) if name in LARGE_RESULTS else result.df()
    except BaseException:
        cursor.cur.close()
        raise
    with _idle_lock:
        if len(idle) < MAX_IDLE_CURSORS:
            idle.append(cursor)
            cursor = None
    if cursor is not None:
        cursor.cur.close()
    return df
