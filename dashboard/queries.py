"""Named SQL: one file in queries/ per query, named for what it returns.

Values are bound as $name parameters, never formatted into the text. A line
`-- include: _fragment` is replaced by queries/_fragment.sql: CTEs that several
queries share (a fragment is a static file of this folder, never input).
"""
from __future__ import annotations

import re
import warnings
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"


INCLUDE = re.compile(r"^-- include: (_[a-z0-9_]+)[ \t]*$", re.MULTILINE)


@cache
def sql(name: str) -> str:
    """The text of queries/<name>.sql, its `-- include:` lines replaced by their fragments."""
    path = QUERY_DIR / f"{name}.sql"
    if path.parent != QUERY_DIR or not path.is_file():
        raise KeyError(f"no query named {name!r}")
    text = path.read_text(encoding="utf-8")
    return INCLUDE.sub(lambda m: sql(m[1]).rstrip(), text)


@cache
def _param_names(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"\$([A-Za-z_]\w*)", sql(name)))


# Queries with a row per grid, branch, checkpoint (hour) or activity come through Arrow: with
# DuckDB 2.0 and pandas 3 that costs half the CPU of .df() or less on tens of thousands of rows
# (checkpoint_hourly at 100x: 1,453 -> 467 ms), close to fetching the Arrow table alone. For
# the small results of the others, .df() is cheaper (Arrow's conversion costs ~0.5 ms a query).
# Both give the same frames (tests/test_metrics.py). DuckDB warns that Arrow from an execute()
# result copies the rows once; the warning is filtered here, once (warnings.catch_warnings per
# call is not thread-safe, and Streamlit runs sessions in threads).
LARGE_RESULTS = frozenset({"checkpoint_hourly", "checkpoint_status", "checkpoint_places",
                           "grid_visit_rates", "grid_places", "grid_history", "branch_status",
                           "training_activities"})
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
_US = np.dtype("datetime64[us]")
_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(),
             pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
             pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype()}
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
    for col, arrow_col in zip(df.columns, table.columns):
        s = df[col]
        if isinstance(s.dtype, pd.api.extensions.ExtensionDtype) and s.dtype in _NUMPY_OF \
                and arrow_col.null_count == 0:
            df[col] = s.to_numpy(dtype=_NUMPY_OF[s.dtype])
        elif isinstance(s.dtype, np.dtype) and s.dtype.kind == "M" and s.dtype != _US:
            df[col] = s.astype(_US)
        elif pd.api.types.is_string_dtype(s.dtype) and s.dtype != object and not s.notna().any():
            df[col] = pd.Series([None] * len(s), index=s.index, dtype=object)
    return df


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql on a cursor of `con`, binding only the parameters it names."""
    text = sql(name)
    bound = {k: v for k, v in params.items() if k in _param_names(name)}
    cur = con.cursor()
    try:
        result = cur.execute(text, bound)
        return _frame(result.to_arrow_table()) if name in LARGE_RESULTS else result.df()
    finally:
        cur.close()
