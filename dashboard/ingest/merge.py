"""Merging into a version: the batch of each table, duplicate keys, upsert or replace,
the rules across tables on the merged result, and GeoJSON outlines."""

from __future__ import annotations

import pandas as pd

from .. import contract
from ..contract import Table
from ..i18n import ByLang, Msg
from .common import MAX_ERRORS, MAX_REMOVED_LISTED, STORED, Errors, Params, Source, qcol


def _key_match(t: Table, a: str, b: str) -> str:
    return " AND ".join(f"{a}.{qcol(k)} IS NOT DISTINCT FROM {b}.{qcol(k)}" for k in t.key)


def build_batch(con, t: Table, sources: list[Source], errors: Errors, temp: bool = True) -> None:
    """batch_<table>: every row of the load for table t, with _file and _row.

    In the load's staging database it is a stored table (temp=False), which the draft
    attaches under the store's lock."""
    cols = ", ".join(qcol(c) for c in t.column_names)
    parts = []
    p = Params()
    for s in sources:
        parts.append(f"SELECT {p.bind(s.file)} AS _file, _row, {cols} FROM typed_{s.stage}")
    kind = "TEMP TABLE" if temp else "TABLE"
    con.execute(f"CREATE {kind} batch_{t.name} AS {' UNION ALL '.join(parts)}", p)
    keys = ", ".join(qcol(k) for k in t.key)
    dups = con.execute(
        f"SELECT _file, _row, first_file, first_row, {keys} FROM ("
        f"  SELECT *, first_value(_file) OVER w AS first_file, first_value(_row) OVER w AS first_row,"
        f"         row_number() OVER w AS n FROM batch_{t.name}"
        f"  WINDOW w AS (PARTITION BY {keys} ORDER BY _file, _row)) WHERE n > 1 "
        f"ORDER BY _file, _row LIMIT $lim",
        {"lim": MAX_ERRORS + 1},
    ).fetchall()
    for file, row, ffile, frow, *key in dups:
        errors.add(
            file,
            t.name,
            row,
            ",".join(t.key),
            "/".join(map(str, key)),
            Msg("intake.duplicate_key", row=frow)
            if ffile == file
            else Msg("intake.duplicate_key_file", row=frow, file=ffile),
        )


SAMPLE_ROWS = 5


def sample(con, t: Table) -> pd.DataFrame:
    """A few rows of the batch that are new or differ from what is stored (before the merge)."""
    cols = ", ".join(f"b.{qcol(c)}" for c in t.column_names)
    diff = " OR ".join(f"s.{qcol(c)} IS DISTINCT FROM b.{qcol(c)}" for c in t.column_names)
    return con.execute(
        f"SELECT b._file, b._row, {cols}, s._stored IS NULL AS _new FROM batch_{t.name} b "
        f"LEFT JOIN (SELECT *, true AS _stored FROM {qcol(t.name)}) s ON {_key_match(t, 's', 'b')} "
        f"WHERE s._stored IS NULL OR ({diff}) ORDER BY b._file, b._row LIMIT $n",
        {"n": SAMPLE_ROWS},
    ).df()


def merge_table(
    con, t: Table, replace: bool, township: str | None = None, report: dict | None = None
) -> dict:
    """Apply batch_<table> to the table (upsert by key, or replace it whole); count the rows.

    A township's submission (`township`) replaces that township's rows of the weeks the batch
    carries (`contract.WEEK_OF`): a stored row of those weeks that the batch does not hold is
    removed, its key listed in `report["removed"]` (issue 21 §4). Other townships, other
    weeks and the tables the load does not carry are never touched."""
    cols = ", ".join(qcol(c) for c in t.column_names)
    tbl, batch = qcol(t.name), f"batch_{t.name}"
    km = _key_match(t, "s", "b")
    diff = " OR ".join(f"s.{qcol(c)} IS DISTINCT FROM b.{qcol(c)}" for c in t.column_names)
    added, changed = con.execute(
        f"SELECT count(*) FILTER (WHERE s._stored IS NULL), "
        f"count(*) FILTER (WHERE s._stored AND ({diff})) "
        f"FROM {batch} b LEFT JOIN (SELECT *, true AS _stored FROM {tbl}) s ON {km}"
    ).fetchone()
    removed = 0
    if replace:
        removed = con.execute(f"SELECT count(*) FROM {tbl} s ANTI JOIN {batch} b ON {km}").fetchone()[0]
        con.execute(f"DELETE FROM {tbl}")
    else:
        if township is not None and t.name in contract.WEEK_OF:
            removed = _remove_superseded(con, t, township, report)
        con.execute(f"DELETE FROM {tbl} s USING {batch} b WHERE {km}")
    con.execute(f"INSERT INTO {tbl} ({cols}) SELECT {cols} FROM {batch}")
    return {"added": int(added), "changed": int(changed), "removed": int(removed)}


# How a row of a township's weekly table finds its township: (column named in an error, SQL
# joining the table aliased {a} to the row's township, that township as SQL). A row whose
# parent does not exist has no township (the reference check names it).
TOWNSHIP_OF = {
    "grid_weekly": (
        "grid_id",
        "JOIN grids g ON g.grid_id = {a}.grid_id "
        "JOIN zones z ON z.zone_id = g.zone_id "
        "JOIN communities c ON c.community_id = z.community_id",
        "c.township_id",
    ),
    "checkpoint_shifts": (
        "checkpoint_id",
        "JOIN checkpoints k ON k.checkpoint_id = {a}.checkpoint_id",
        "k.township_id",
    ),
    "branch_assessments": ("branch_id", "JOIN branches r ON r.branch_id = {a}.branch_id", "r.township_id"),
    "trainings": ("township_id", "", "{a}.township_id"),
}


def week_sql(t: Table, alias: str) -> str:
    """The Monday of the week a row of a weekly table belongs to (contract.WEEK_OF)."""
    return f"CAST(date_trunc('week', {alias}.{qcol(contract.WEEK_OF[t.name])}) AS DATE)"


def _key_text(t: Table, alias: str) -> str:
    """A row's key as the sender reads it: "2021-05-10 / G2" (times to the minute)."""
    parts = []
    for k in t.key:
        c = t.column(k)
        if c.type == contract.TIMESTAMP:
            parts.append(f"strftime({alias}.{qcol(k)}, '%Y-%m-%d %H:%M')")
        else:
            parts.append(f"coalesce(CAST({alias}.{qcol(k)} AS VARCHAR), '')")
    return f"concat_ws(' / ', {', '.join(parts)})"


def _remove_superseded(con, t: Table, township: str, report: dict | None) -> int:
    """Delete the township's stored rows of the batch's weeks that the batch does not hold;
    list their keys (at most MAX_REMOVED_LISTED) in the report. The number removed."""
    _, join, tw = TOWNSHIP_OF[t.name]
    tbl, batch = qcol(t.name), f"batch_{t.name}"
    keys = ", ".join(f"s.{qcol(k)}" for k in t.key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE gone_{t.name} AS SELECT {keys}, {_key_text(t, 's')} AS _key "
        f"FROM {tbl} s {join.format(a='s')} WHERE {tw.format(a='s')} = $t "
        f"AND {week_sql(t, 's')} IN (SELECT DISTINCT {week_sql(t, 'b')} FROM {batch} b) "
        f"AND NOT EXISTS (SELECT 1 FROM {batch} b WHERE {_key_match(t, 's', 'b')})",
        {"t": township},
    )
    gone = f"gone_{t.name}"
    n = con.execute(f"SELECT count(*) FROM {gone}").fetchone()[0]
    if n:
        listed = [
            r[0]
            for r in con.execute(
                f"SELECT _key FROM {gone} ORDER BY _key LIMIT $n", {"n": MAX_REMOVED_LISTED}
            ).fetchall()
        ]
        con.execute(f"DELETE FROM {tbl} s USING {gone} b WHERE {_key_match(t, 's', 'b')}")
        if report is not None:
            report.setdefault("removed", []).append({"table": t.name, "count": int(n), "keys": listed})
    con.execute(f"DROP TABLE {gone}")
    return int(n)


def _where_from(con, t: Table, alias: str, loaded: bool) -> tuple[str, str]:
    """SQL pieces that find a stored row's file and row in the batch, if it came from there."""
    if not loaded:
        return "NULL, NULL", ""
    return "b._file, b._row", f"LEFT JOIN batch_{t.name} b ON {_key_match(t, alias, 'b')}"


def check_merged(con, touched: set[str], unreadable: set[str], errors: Errors) -> None:
    """Rules across tables, on the merged result.

    References into or out of a table whose file could not be read are not
    checked: they would only repeat that file's error.
    """
    for t in contract.TABLES.values():
        for c in t.columns:
            if not c.fk or errors.full:
                continue
            if t.name not in touched and c.fk not in touched or {t.name, c.fk} & unreadable:
                continue
            parent = contract.TABLES[c.fk]
            pk = c.fk_column or parent.key[0]
            src, join = _where_from(con, t, "s", t.name in touched)
            rows = con.execute(
                f"SELECT {src}, s.{qcol(c.name)} FROM {qcol(t.name)} s {join} "
                f"WHERE s.{qcol(c.name)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                f"{qcol(parent.name)} p WHERE p.{qcol(pk)} = s.{qcol(c.name)}) "
                f"ORDER BY 1, 2 LIMIT $lim",
                {"lim": MAX_ERRORS + 1},
            ).fetchall()
            for file, row, value in rows:
                errors.add(
                    file or STORED,
                    t.name,
                    row,
                    c.name,
                    value,
                    Msg("intake.not_in_table", table=ByLang(parent.zh, parent.name)),
                )
    for t in contract.TABLES.values():
        for c in t.columns:
            if c.unique and t.name in touched:
                src, join = _where_from(con, t, "s", True)
                rows = con.execute(
                    f"SELECT {src}, s.{qcol(c.name)} FROM {qcol(t.name)} s {join} WHERE s.{qcol(c.name)} IN "
                    f"(SELECT {qcol(c.name)} FROM {qcol(t.name)} GROUP BY 1 HAVING count(*) > 1) "
                    f"ORDER BY 1, 2 LIMIT $lim",
                    {"lim": MAX_ERRORS + 1},
                ).fetchall()
                for file, row, value in rows:
                    errors.add(file or STORED, t.name, row, c.name, value, Msg("intake.not_unique"))
    if {"grid_weekly", "grids"} & touched:
        gw = contract.TABLES["grid_weekly"]
        src, join = _where_from(con, gw, "s", "grid_weekly" in touched)
        rows = con.execute(
            f"SELECT {src}, s.households_visited, g.households FROM grid_weekly s "
            f"JOIN grids g USING (grid_id) {join} WHERE s.households_visited > g.households "
            f"ORDER BY 1, 2 LIMIT $lim",
            {"lim": MAX_ERRORS + 1},
        ).fetchall()
        for file, row, visited, households in rows:
            errors.add(
                file or STORED,
                "grid_weekly",
                row,
                "households_visited",
                visited,
                Msg("intake.visits_over_households", households=households),
            )
    if "branch_assessments" in touched:
        ba = contract.TABLES["branch_assessments"]
        rows = con.execute(
            "SELECT min(b._file), min(b._row), s.branch_id, s.assessed_on, "
            "list_sort(list_distinct(list(s.criterion))) FROM branch_assessments s "
            f"LEFT JOIN batch_branch_assessments b ON {_key_match(ba, 's', 'b')} "
            "GROUP BY s.branch_id, s.assessed_on HAVING count(DISTINCT s.criterion) < $n "
            "ORDER BY 1, 2 LIMIT $lim",
            {"n": len(contract.CRITERIA), "lim": MAX_ERRORS + 1},
        ).fetchall()
        for file, row, branch, on, have in rows:
            missing = [k for k in contract.CRITERIA if k not in (have or [])]
            errors.add(
                file or STORED,
                "branch_assessments",
                row,
                "criterion",
                f"{branch} {on}",
                Msg(
                    "intake.criteria_missing",
                    n=len(contract.CRITERIA),
                    missing=[
                        ByLang(Msg("intake.code_named", code=k, name=contract.CRITERIA[k][0]), k)
                        for k in missing
                    ],
                ),
            )


# ---------------------------------------------------------------- geometry
def merge_geo(
    con, layer: str, features: list[tuple], file: str, replace: bool, errors: Errors
) -> dict[str, int]:
    import pandas as pd

    frame = pd.DataFrame(features, columns=["layer", "feature_id", "geometry", "_row"])
    con.register("geo_batch", frame)
    table, id_col = layer, contract.GEO_LAYERS[layer][1]
    for fid, row in (
        []
        if table not in contract.TABLES
        else con.execute(
            f"SELECT feature_id, _row FROM geo_batch g WHERE NOT EXISTS (SELECT 1 FROM "
            f"{qcol(table)} t WHERE t.{qcol(id_col)} = g.feature_id) ORDER BY _row LIMIT $lim",
            {"lim": MAX_ERRORS + 1},
        ).fetchall()
    ):
        errors.add(
            file,
            layer,
            int(row),
            id_col,
            fid,
            Msg("intake.not_in_table", table=ByLang(contract.TABLES[table].zh, table)),
        )
    for fid, row in con.execute(
        "SELECT feature_id, max(_row) FROM geo_batch GROUP BY 1 HAVING count(*) > 1 ORDER BY 2 LIMIT $lim",
        {"lim": MAX_ERRORS + 1},
    ).fetchall():
        errors.add(file, layer, int(row), id_col, fid, Msg("intake.geo_duplicate"))
    added, changed = con.execute(
        "SELECT count(*) FILTER (WHERE s.feature_id IS NULL), "
        "count(*) FILTER (WHERE s.geometry IS DISTINCT FROM g.geometry AND s.feature_id IS NOT NULL) "
        "FROM geo_batch g LEFT JOIN geo_features s ON s.layer = g.layer AND s.feature_id = g.feature_id"
    ).fetchone()
    removed = 0
    if replace:
        removed = con.execute(
            "SELECT count(*) FROM geo_features s WHERE layer = $layer AND feature_id NOT IN "
            "(SELECT feature_id FROM geo_batch)",
            {"layer": layer},
        ).fetchone()[0]
        con.execute("DELETE FROM geo_features WHERE layer = $layer", {"layer": layer})
    else:
        con.execute(
            "DELETE FROM geo_features s WHERE EXISTS (SELECT 1 FROM geo_batch g "
            "WHERE g.layer = s.layer AND g.feature_id = s.feature_id)"
        )
    con.execute("INSERT INTO geo_features SELECT layer, feature_id, geometry FROM geo_batch")
    con.unregister("geo_batch")
    return {"added": int(added), "changed": int(changed), "removed": int(removed)}
