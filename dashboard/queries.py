"""Named SQL: one file in queries/ per query, named for what it returns.

Values are bound as $name parameters, never formatted into the text.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"


@cache
def sql(name: str) -> str:
    path = QUERY_DIR / f"{name}.sql"
    if path.parent != QUERY_DIR or not path.is_file():
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


@cache
def _param_names(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"\$([A-Za-z_]\w*)", sql(name)))


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql on a cursor of `con`, binding only the parameters it names."""
    text = sql(name)
    bound = {k: v for k, v in params.items() if k in _param_names(name)}
    cur = con.cursor()
    try:
        return cur.execute(text, bound).df()
    finally:
        cur.close()
