"""Data quality warnings (issue 10 §3): rows a load accepts but someone should fix.

They never block a load. The data page shows them after each load (and for the current data)
in the user's scope; the weekly briefing counts them. Each kind names the rows to fix, with
their codes and names:

  grid_no_chief          grids with no 网格长 (no member with role 'chief')
  grid_many_chiefs       grids with more than one 网格长
  member_links           members linking fewer than 5 or more than 10 households (the county's
                         rule: each member links 5 to 10)
  grid_overlinked        grids whose members together link more households than the grid has
  checkpoint_no_shift    checkpoints with no shift in the week
  branch_never_assessed  branches with no assessment by the end of the week

The roster rules read the members as loaded (a chief who reported after the week counts: the
warning is about the roster, and a fixed roster clears it at once); the week's rules read that
week. Scope as the metrics: grids, members, checkpoints and branches of the township (members
through their grid; members not yet assigned to a grid only for the whole county).
The SQL is in queries/quality_*.sql (quality_grids.sql gives the rows of the three grid rules
at once). No streamlit here.
"""

from __future__ import annotations

import datetime as dt
import functools
import os

import duckdb
import pandas as pd

from . import contract, i18n, metrics, places, queries
from .store import Store

LINKS_MIN, LINKS_MAX = 5, 10  # households each member links (the county's rule)

KINDS = (
    "grid_no_chief",
    "grid_many_chiefs",
    "member_links",
    "grid_overlinked",
    "checkpoint_no_shift",
    "branch_never_assessed",
)

# The table whose rows a warning asks to fix. A township's reporter sends only its weekly
# tables (ingest.REPORTER_TABLES): a warning about the roster (members, grids) is the county's
# to fix, and the data page addresses it to the county, not the township's clerk (issue 21 §8).
FIXED_IN = {
    "grid_no_chief": "members",
    "grid_many_chiefs": "members",
    "member_links": "members",
    "grid_overlinked": "members",
    "checkpoint_no_shift": "checkpoint_shifts",
    "branch_never_assessed": "branch_assessments",
}


def county_fixes(kind: str) -> bool:
    """Whether only the county can fix a warning of this kind (its rows are not in the tables a
    township submits)."""
    from .ingest.common import REPORTER_TABLES

    return FIXED_IN[kind] not in REPORTER_TABLES


def week_of(con: duckdb.DuckDBPyConnection, week: dt.date | None = None) -> dt.date:
    """The week the warnings are for: `week` (a Monday), else the latest week with data."""
    return metrics._week_or_latest(con, week)


def warnings(
    con: duckdb.DuckDBPyConnection, week: dt.date | None = None, township: str | None = None
) -> dict[str, pd.DataFrame]:
    """kind -> the rows to fix (raw codes and names; an empty frame when none), for every kind
    of KINDS in that order. `week` defaults to the latest week with data."""
    week = week_of(con, week)
    p = {"week": week, "township": township, "min_links": LINKS_MIN, "max_links": LINKS_MAX}
    grids = queries.run(con, "quality_grids", **p)
    chief_cols, linked_cols = ["chiefs", "chief_ids"], ["households", "households_linked"]
    over = grids[grids["households_linked"] > grids["households"]]
    return {
        "grid_no_chief": grids[grids["chiefs"] == 0]
        .drop(columns=chief_cols + linked_cols)
        .reset_index(drop=True),
        "grid_many_chiefs": grids[grids["chiefs"] > 1].drop(columns=linked_cols).reset_index(drop=True),
        "member_links": queries.run(con, "quality_member_links", **p),
        # most households over first
        "grid_overlinked": over.assign(_over=over["households_linked"] - over["households"])
        .sort_values(["_over", "township_id", "grid_id"], ascending=[False, True, True], kind="stable")
        .drop(columns=chief_cols + ["_over"])
        .reset_index(drop=True),
        "checkpoint_no_shift": queries.run(con, "quality_checkpoint_no_shift", **p),
        "branch_never_assessed": queries.run(con, "quality_branch_never_assessed", **p),
    }


@functools.lru_cache(maxsize=32)
def _of_version(path: str, stamp: tuple, township: str | None):
    con = duckdb.connect(path, read_only=True)
    try:
        return week_of(con), warnings(con, None, township)
    finally:
        con.close()


def current(
    store: Store, version: int, township: str | None = None
) -> tuple[dt.date, dict[str, pd.DataFrame]]:
    """(week, warnings) of a published version at its latest week, for the data page: kept
    for the last 32 (version, scope) asked, as a published version never changes (the file's
    inode and mtime are part of the key all the same). Read the frames, do not change them."""
    path = store.path(version)
    info = os.stat(path)
    return _of_version(str(path), (info.st_ino, info.st_mtime_ns, info.st_size), township)


def counts(found: dict[str, pd.DataFrame]) -> dict[str, int]:
    """kind -> number of rows to fix."""
    return {kind: len(found[kind]) for kind in KINDS}


def title(kind: str, n: int, lang: str) -> str:
    """ "3 个网格没有网格长" / "Grids with no grid chief (网格长): 3"."""
    return i18n.t(f"quality.kind.{kind}", lang, n=i18n.fmt_int(n), low=LINKS_MIN, high=LINKS_MAX)


def summary_line(found: dict[str, pd.DataFrame], lang: str) -> str:
    """One short line with the count per kind (the weekly briefing), or that there are none."""
    n = counts(found)
    items = [
        i18n.t(f"quality.short.{k}", lang, n=i18n.fmt_int(n[k]), low=LINKS_MIN, high=LINKS_MAX)
        for k in KINDS
        if n[k]
    ]
    if not items:
        return i18n.t("quality.line_none", lang)
    return i18n.t("quality.line", lang, items=i18n.t("quality.sep", lang).join(items))


def _township(df: pd.DataFrame, lang: str) -> list[str]:
    names = places.place_names(df["township_name"], df["township_name_en"], lang)
    return [n if pd.notna(t) else "—" for t, n in zip(df["township_id"], names, strict=False)]


def _code(table: str, column: str, lang: str) -> str:
    return i18n.column_label(table, column, lang)


def table(kind: str, df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rows of one kind as the page shows them: labelled columns, codes beside names."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    if kind in ("grid_no_chief", "grid_many_chiefs", "grid_overlinked"):
        cols = {
            t("col.township"): _township(df, lang),
            t("col.community"): df["community_name"],
            t("col.zone"): df["zone_name"],
            t("col.grid"): df["name"],
            t("col.grid_id"): df["grid_id"],
            t("col.members"): df["members"],
        }
        if kind == "grid_many_chiefs":
            cols[t("quality.col.chiefs")] = df["chiefs"]
            cols[t("quality.col.chief_ids")] = df["chief_ids"]
        if kind == "grid_overlinked":
            cols[t("col.households")] = df["households"]
            cols[t("quality.col.linked_sum")] = df["households_linked"]
    elif kind == "member_links":
        cols = {
            _code("members", "member_id", lang): df["member_id"],
            _code("members", "role", lang): [
                i18n.enum_label(contract.MEMBER_ROLES, r, lang) for r in df["role"]
            ],
            t("quality.col.linked"): df["households_linked"],
            t("quality.col.unit"): df["unit_name"],
            t("col.grid"): df["grid_name"].where(df["grid_id"].notna(), t("quality.unassigned")),
            t("col.grid_id"): df["grid_id"].fillna("—"),
            t("col.township"): _township(df, lang),
        }
    elif kind == "checkpoint_no_shift":
        cols = {
            t("col.township"): _township(df, lang),
            t("col.checkpoint"): df["name"],
            _code("checkpoints", "checkpoint_id", lang): df["checkpoint_id"],
            _code("checkpoints", "kind", lang): [
                i18n.enum_label(contract.CHECKPOINT_KINDS, k, lang) for k in df["kind"]
            ],
            t("quality.col.last_shift"): [
                t("quality.no_shift_ever") if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")
                for v in df["last_shift"]
            ],
        }
    elif kind == "branch_never_assessed":
        cols = {
            t("col.township"): _township(df, lang),
            t("col.village"): df["village"],
            _code("branches", "group_name", lang): df["group_name"],
            t("col.branch"): df["name"],
            t("branches.col.code"): df["branch_id"],
        }
    else:
        raise KeyError(kind)
    return pd.DataFrame({k: list(v) for k, v in cols.items()})


def tables(found: dict[str, pd.DataFrame], lang: str) -> list[tuple[str, str, pd.DataFrame]]:
    """(kind, title with its count, labelled table) of each kind that has rows, in KINDS order."""
    return [(k, title(k, len(found[k]), lang), table(k, found[k], lang)) for k in KINDS if len(found[k])]
