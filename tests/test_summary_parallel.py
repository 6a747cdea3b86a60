"""summary() runs its queries at once on cursors of their own (metrics._run_together): the
figures are exactly those of the queries run one after another, also when several sessions
ask at the same time on the one connection the server shares."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard import metrics, queries


def one_by_one(con, calls):
    return [queries.run(con, name, **params) for name, params in calls]


@pytest.mark.parametrize("township", [None, "T01"])
def test_same_figures_as_one_query_after_another(demo, monkeypatch, township):
    scope = metrics.Scope(metrics.latest_week(demo), township)
    together = metrics.summary(demo, scope)
    monkeypatch.setattr(metrics, "_run_together", one_by_one)
    assert together == metrics.summary(demo, scope)
    assert together["branches"]["total"] > 0  # a scope with data: the comparison says something


def test_many_sessions_at_once_on_one_connection(demo, monkeypatch):
    week = metrics.latest_week(demo)
    scopes = [metrics.Scope(week, t) for t in (None, "T01", "T02", "T03")] * 4
    with ThreadPoolExecutor(8) as pool:
        at_once = list(pool.map(lambda s: metrics.summary(demo, s), scopes))
    monkeypatch.setattr(metrics, "_run_together", one_by_one)
    assert at_once == [metrics.summary(demo, s) for s in scopes]


def test_a_failing_query_fails_the_call(demo, monkeypatch):
    real = queries.run

    def broken(con, name, **params):
        if name == "checkpoint_coverage":
            raise RuntimeError("checkpoint_coverage failed")
        return real(con, name, **params)

    monkeypatch.setattr(queries, "run", broken)
    with pytest.raises(RuntimeError, match="checkpoint_coverage"):
        metrics.summary(demo, metrics.Scope(metrics.latest_week(demo)))
    # and no other query of the call is still running on the connection
    assert demo.execute("SELECT 1").fetchone() == (1,)
