"""The shared SQL (queries/_macros.sql) and the weekly tables a version is published with
(queries/_aggregates.sql): same figures with the tables, without them (a version made before
they existed), and on a read-only connection."""

from __future__ import annotations

import re
import shutil

import duckdb
import pandas as pd
import pytest

from dashboard import metrics, queries, submissions
from dashboard.store import Store


def _without_aggregates(store: Store, tmp_path, format: int | None = None) -> Store:
    """A copy of `store` whose live version has no weekly tables (or, with `format`, tables
    claiming that format), as a store published before they existed."""
    root = tmp_path / "old_store"
    shutil.copytree(store.root, root)
    old = Store(root)
    path = old.path(old.current())
    path.chmod(0o644)
    con = duckdb.connect(str(path))
    try:
        if format is None:
            for table in queries.AGGREGATE_TABLES:
                con.execute(f"DROP TABLE {table}")
        else:
            con.execute("UPDATE agg_info SET format = $f", {"f": format})
    finally:
        con.close()
    return old


def _figures(store: Store) -> dict:
    con = store.connect()
    try:
        week = metrics.latest_week(con)
        out = {}
        for township in (None, "T01", "T04"):
            out[("summary", township)] = metrics.summary(con, metrics.Scope(week, township))
            out[("trend", township)] = metrics.weekly_trend(con, metrics.Scope(week, township), weeks=12)
            out[("status", township)] = metrics.checkpoint_status(con, metrics.Scope(week, township))
            out[("grids", township)] = metrics.grid_visit_rates(con, metrics.Scope(week, township))
            out[("board", township)] = submissions.board(con, week, township)
        # a week before the first data and a week spanning the turn of the year
        out["early"] = metrics.weekly_trend(con, metrics.Scope(week), weeks=60)
        return out
    finally:
        con.close()


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], pd.DataFrame):
            pd.testing.assert_frame_equal(a[key], b[key], check_exact=True, obj=str(key))
        else:
            assert a[key] == b[key], key


def test_a_published_version_has_its_weekly_tables(demo_store):
    con = demo_store.connect()
    try:
        assert queries.has_aggregates(con)
        weeks, checkpoints = con.execute(
            "SELECT count(DISTINCT week_start), count(DISTINCT checkpoint_id) FROM agg_checkpoint_week"
        ).fetchone()
        assert weeks > 20 and checkpoints == con.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
        assert (
            con.execute("SELECT count(*) FROM agg_grid_week").fetchone()
            == con.execute("SELECT count(*) FROM grid_weekly").fetchone()
        )
    finally:
        con.close()


def test_a_version_without_weekly_tables_gives_the_same_figures(demo_store, tmp_path):
    old = _without_aggregates(demo_store, tmp_path)
    con = old.connect()
    try:
        assert not queries.has_aggregates(con)
    finally:
        con.close()
    _assert_same(_figures(demo_store), _figures(old))


def test_weekly_tables_of_another_format_are_not_read(demo_store, tmp_path):
    old = _without_aggregates(demo_store, tmp_path, format=queries.AGGREGATES_FORMAT + 1)
    con = old.connect()
    try:
        assert not queries.has_aggregates(con)
        # the stale rows are there, but the figures are computed
        con.execute("SELECT count(*) FROM agg_checkpoint_week").fetchone()
    finally:
        con.close()
    _assert_same(_figures(demo_store), _figures(old))


def test_restore_of_an_old_version_publishes_the_tables(demo_store, tmp_path):
    old = _without_aggregates(demo_store, tmp_path)
    version = old.restore(old.current(), by="test")
    con = old.connect(version)
    try:
        assert queries.has_aggregates(con)
    finally:
        con.close()
    _assert_same(_figures(demo_store), _figures(old))


def test_macros_work_on_a_read_only_connection_and_its_cursors(demo_store):
    con = duckdb.connect(str(demo_store.path(demo_store.current())), read_only=True)
    try:
        # queries.run installs the macros on the cursors it runs queries on
        towns = queries.run(con, "checkpoint_places", township="T01")
        assert len(towns) and set(towns["township_id"]) == {"T01"}
        # and Store.connect on the connection itself, for SQL run directly
        con2 = demo_store.connect()
        n = con2.execute("SELECT count(*) FROM checkpoints_in_scope($t)", {"t": "T01"}).fetchone()
        assert n[0] == len(towns)
        assert con2.execute("SELECT hours_per_week()").fetchone()[0] == 168
        con2.close()
    finally:
        con.close()


def test_every_query_has_the_same_header_and_a_final_cte():
    names = sorted(p.stem for p in queries.QUERY_DIR.glob("[a-z]*.sql"))
    assert len(names) > 30
    for name in names:
        text = queries.sql(name)
        head = text.split("\n")[0]
        assert head.startswith(f"-- {name}: "), name
        assert re.search(r"^-- Parameters: ", text, re.MULTILINE), name
        assert re.search(r"^(WITH )?final AS \(", text, re.MULTILINE), name
        assert re.search(r"^SELECT\b[^;]*?\bFROM final\b", text, re.MULTILINE), name


def test_no_magic_number_left_in_the_queries():
    for path in queries.QUERY_DIR.glob("*.sql"):
        code = "\n".join(line.split("--")[0] for line in path.read_text("utf-8").splitlines())
        if path.stem == "_macros":  # where they are named
            continue
        for number in ("168", "3.6e9", "604800000000", "3600000000"):
            assert number not in code, (path.name, number)


@pytest.mark.parametrize("township", [None, "T02"])
def test_hourly_slots_add_up_to_the_status_counts(demo, township):
    week = metrics.latest_week(demo)
    hourly = metrics.checkpoint_hourly(demo, metrics.Scope(week, township))
    status = metrics.checkpoint_status(demo, metrics.Scope(week, township)).set_index("checkpoint_id")
    per = hourly.groupby("checkpoint_id").agg(
        staffed=("staffed", "sum"), empty=("staff", lambda s: int((s == 0).sum()))
    )
    assert (per["staffed"] == status.loc[per.index, "staffed_slots"]).all()
    assert (per["empty"] == status.loc[per.index, "empty_slots"]).all()
    assert (
        int(status["staffed_slots"].sum())
        == metrics.summary(demo, metrics.Scope(week, township))["checkpoints"]["staffed_slots"]
    )
