"""Named SQL: one file in queries/ per query, named for what it returns.

Values are bound as $name parameters, never formatted into the text. A line
`-- include: _fragment` is replaced by queries/_fragment.sql: CTEs that several
queries share (a fragment is a static file of this folder, never input).
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

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


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql on a cursor of `con`, binding only the parameters it names."""
    text = sql(name)
    bound = {k: v for k, v in params.items() if k in _param_names(name)}
    cur = con.cursor()
    try:
        return cur.execute(text, bound).df()
    finally:
        cur.close()
