"""The figures (defined in docs/data-contract.md) and the lists the pages show beside them.

Every function takes an open DuckDB connection to the store (read-only is enough) and a
`Scope`: the week (`week_start`, a Monday; None for the latest) and the township (a
township_id, or None for the whole county); anything else is a keyword: `fn(con, scope, **kw)`.
The SQL lives in queries/*.sql; this module binds parameters, converts results to plain Python
values and puts the figures together. What each figure of summary() means (labels, unit,
definition) is declared in metric_definitions.FIGURES, re-exported here. It does not import
streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from numbers import Integral, Real

import duckdb
import numpy as np
import pandas as pd

from . import contract, queries
from .metric_definitions import FIGURES, HOURS_PER_WEEK  # noqa: F401  (what each figure means)

DEFAULT_VISIT_TARGET = 0.9  # grids.visit_rate target when the targets table has none
CRITERIA = list(contract.CRITERIA)

# Reasons a grid needs attention, most serious first (codes; labels belong to i18n).
GRID_REASONS = ("not_reported", "unstaffed", "below_target")


@dataclass(frozen=True)
class Scope:
    """What a figure is about: the week (its Monday; None = the latest complete week,
    reporting.latest_complete_week) and the township (a township_id; None = the whole county).
    `withheld`: township_ids whose part of the scope's week is not to be counted (e.g. waiting
    for review); townships that did not report the week are left out of its rates by the SQL
    itself (dashboard.reporting). Every function the pages call takes `(con, scope, **kw)`;
    the few that need neither (townships, latest_week, ...) ignore it."""

    week: dt.date | None = None
    township: str | None = None
    withheld: tuple[str, ...] = ()


DEFAULT_SCOPE = Scope()  # the latest week, the whole county


# -- helpers -------------------------------------------------------------------------------


def _plain(value):
    """A DataFrame cell as a JSON-serialisable Python value (None for NULL/NaN)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        value = float(value)
        return None if math.isnan(value) else value
    return value


def _row(df: pd.DataFrame) -> dict:
    """The single row of a one-row query as a dict of plain values."""
    return {k: _plain(df[k].iloc[0]) for k in df.columns}


def _rate(part, whole) -> float | None:
    """part / whole, or None over an empty scope (never 0 or 1 for nothing)."""
    if part is None or not whole:
        return None
    return part / whole


def _monday(week) -> dt.date:
    if isinstance(week, str):
        week = dt.date.fromisoformat(week)
    if isinstance(week, dt.datetime):
        if week.time() != dt.time():
            raise ValueError(f"week must be a date, not a time of day: {week}")
        week = week.date()
    if not isinstance(week, dt.date):
        raise TypeError(f"week must be a date, got {type(week).__name__}")
    if week.weekday() != 0:
        raise ValueError(f"week must start on a Monday: {week} is a {week:%A}")
    return week


def _resolve(con, scope: Scope) -> tuple[dt.date, str | None]:
    """(week, township) of a scope, the week checked to be a Monday or the latest with data."""
    if not isinstance(scope, Scope):
        raise TypeError(f"scope must be a metrics.Scope, got {type(scope).__name__}")
    return _week_or_latest(con, scope.week), scope.township


def _withheld(scope: Scope) -> list[str] | None:
    """The scope's withheld townships as the $withheld list the SQL binds (NULL for none)."""
    return list(scope.withheld) or None


def _week_or_latest(con, week) -> dt.date:
    """The given week (checked to be a Monday), else the latest complete week by the real
    clock (reporting.latest_complete_week: what the pages open on), else this week."""
    if week is not None:
        return _monday(week)
    from . import reporting

    latest = reporting.latest_complete_week(con, dt.datetime.now(reporting.TZ))
    if latest is not None:
        return latest
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday())


def _dates(values: pd.Series) -> pd.Series:
    """A column of dates or timestamps as datetime.date objects (None for NULL), without a
    Python call per row."""
    values = pd.to_datetime(values)
    return values.dt.date.astype(object).where(values.notna(), None)


def _to_date(value) -> dt.date | None:
    value = _plain(value)
    if isinstance(value, dt.datetime):
        return value.date()
    return value


# -- the summary ---------------------------------------------------------------------------


def latest_complete_week(
    con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE, *, now: dt.datetime | None = None
) -> dt.date | None:
    """The week pages and `summary` open on (reporting.latest_complete_week); `now` defaults
    to the real clock."""
    from . import reporting

    return reporting.latest_complete_week(con, now or dt.datetime.now(reporting.TZ))


def week_coverage(
    con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE, *, now: dt.datetime | None = None
) -> dict:
    """reporting.week_coverage of the scope's week, township and withheld townships."""
    from . import reporting

    week, township = _resolve(con, scope)
    return reporting.week_coverage(
        con, week, now or dt.datetime.now(reporting.TZ), withheld=scope.withheld, township=township
    )


def latest_week(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> dt.date | None:
    """Monday of the latest week with data (grid reports first, else shifts, assessments,
    trainings); None on an empty store."""
    return _to_date(queries.run(con, "latest_week")["week_start"].iloc[0])


# summary()'s six queries run at once, each on a cursor of its own: DuckDB runs a query without
# holding Python's GIL, so on two or more cores the call takes about as long as its slowest
# query rather than the sum of all six (the figures are the same).
QUERY_THREADS = 6
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _run_together(con: duckdb.DuckDBPyConnection, calls: list[tuple[str, dict]]) -> list[pd.DataFrame]:
    """queries.run(con, name, **params) for each (name, params), at once; results in order."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="dashboard-query")
    futures = [_pool.submit(queries.run, con, name, **params) for name, params in calls]
    # every query finished before any error is raised: none may still run on `con` when the
    # caller goes on (or closes the connection)
    wait(futures)
    return [f.result() for f in futures]


def summary(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> dict:
    """Every figure of `metric_definitions.FIGURES` for one week and scope, nested at the dots.

    The scope's week defaults to the latest week with data (the current week on an empty store);
    it must be a Monday. Rates are floats in 0..1, None over an empty scope.
    """
    week, township = _resolve(con, scope)
    p = {"week": week, "weeks": 1, "township": township, "withheld": _withheld(scope)}

    branch_rows, grid_rows, checkpoint_rows, kind_rows, distinct_rows, indicator_rows = _run_together(
        con,
        [
            ("compliance_by_township", {"criteria": CRITERIA, **p}),
            ("grid_coverage", p),
            ("checkpoint_coverage", p),
            ("training_ytd", p),
            ("training_distinct_members", p),
            ("indicator_latest", p),
        ],
    )
    b = {k: int(branch_rows[k].sum()) for k in ("total", "compliant", "model", "linked")}
    g = _row(grid_rows)
    c = _row(checkpoint_rows)
    kinds = {r.kind: (int(r.sessions), int(r.attendees)) for r in kind_rows.itertuples()}
    distinct = _row(distinct_rows)["distinct_members"]
    values = {r.indicator: _plain(r.value) for r in indicator_rows.itertuples()}

    # Rates of the week count only the townships that reported it (reporting.py): slots,
    # households and grids of the others are left out of the denominators.
    slots = c["counted_total"] * HOURS_PER_WEEK
    training = {
        "sessions": sum(n for n, _ in kinds.values()),
        "attendees": sum(a for _, a in kinds.values()),
        "distinct_members": distinct,
    }
    for kind in contract.TRAINING_KINDS:
        sessions, attendees = kinds.get(kind, (0, 0))
        training[kind] = {"sessions": sessions, "attendees": attendees}

    return {
        "week_start": week.isoformat(),
        "township_id": township,
        "branches": {
            "total": b["total"],
            "compliant": b["compliant"],
            "compliance_rate": _rate(b["compliant"], b["total"]),
            "model": b["model"],
            "link_coverage_rate": _rate(b["linked"], b["total"]),
        },
        "grids": {
            "total": g["total"],
            "staffed": g["staffed"],
            "staffed_rate": _rate(g["staffed"], g["total"]),
            "households": g["households"],
            "households_visited": g["households_visited"],
            "visit_rate": _rate(g["households_visited"], g["counted_households"]),
            "reporting_rate": _rate(g["reporting"], g["counted_total"]),
        },
        "members": {
            "reported": g["members_reported"],
            "assigned": g["members_assigned"],
            "households_linked": g["members_households_linked"],
        },
        "checkpoints": {
            "total": c["total"],
            "slots": slots,
            "staffed_slots": c["staffed_slots"],
            "coverage_rate": _rate(c["staffed_slots"], slots),
            "staff_hours": c["staff_hours"],
            "party_share": _rate(c["party_hours"], c["staff_hours"]),
            "persons_checked": c["persons_checked"],
        },
        "training": training,
        "indicators": {code: values.get(code) for code in contract.INDICATORS},
    }


def weekly_trend(
    con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE, *, weeks: int = 12
) -> pd.DataFrame:
    """One row per week, oldest first, for the `weeks` weeks ending with the scope's week
    (default the latest week): week_start (date), compliance_rate, staffed_rate, visit_rate,
    reporting_rate, coverage_rate. Same queries and rates as summary(), over several weeks."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    until, township = _resolve(con, scope)
    p = {"week": until, "weeks": int(weeks), "township": township, "withheld": _withheld(scope)}
    branches = (
        queries.run(con, "compliance_by_township", criteria=CRITERIA, **p)
        .groupby("week_start")[["total", "compliant"]]
        .sum()
    )
    grids = queries.run(con, "grid_coverage", **p).set_index("week_start")
    slots = queries.run(con, "checkpoint_coverage", **p).set_index("week_start")

    rows = []
    for week_start in grids.index:  # every week of the range, oldest first
        b = branches.loc[week_start] if week_start in branches.index else None
        g, c = grids.loc[week_start], slots.loc[week_start]
        rows.append(
            {
                "week_start": _to_date(week_start),
                "compliance_rate": None if b is None else _rate(int(b["compliant"]), int(b["total"])),
                "staffed_rate": _rate(int(g["staffed"]), int(g["total"])),
                "visit_rate": _rate(int(g["households_visited"]), int(g["counted_households"])),
                "reporting_rate": _rate(int(g["reporting"]), int(g["counted_total"])),
                "coverage_rate": _rate(int(c["staffed_slots"]), int(c["counted_total"]) * HOURS_PER_WEEK),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "week_start",
            "compliance_rate",
            "staffed_rate",
            "visit_rate",
            "reporting_rate",
            "coverage_rate",
        ],
    )


def targets(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE, *, year: int | None = None) -> dict:
    """Metric code -> target for `year` (default the year of the scope's week).

    For the county, the county-wide rows. For a township, its own rows for every metric, and
    the county-wide row only for a rate (contract.RATE_METRICS): a county-wide count (sessions,
    attendees, members) is the whole county's and must not be held against one township."""
    township = scope.township
    if year is None:
        year = _resolve(con, scope)[0].year
    df = queries.run(con, "targets", year=int(year), township=township)
    return {
        r.metric: float(r.target)
        for r in df.itertuples()
        if township is None or r.own_row or r.metric in contract.RATE_METRICS
    }


# -- lists that need attention ---------------------------------------------------------------


def checkpoint_gaps(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Runs of consecutive unstaffed hour slots per checkpoint in the week: checkpoint_id, name,
    township_id, kind, gap_start, gap_end (exclusive; timestamps), hours, shortfall (largest
    required_staff - staff over the run). Ordered by township, checkpoint, start."""
    week, township = _resolve(con, scope)
    return queries.run(con, "checkpoint_gaps", week=week, township=township, withheld=_withheld(scope))


def noncompliant_branches(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Branches not compliant at the week's end: branch_id, name, township_id, village,
    last_assessed_on (date, None if never), failed_criteria (list of criterion codes in
    contract order; [] if never assessed), never_assessed."""
    status = branch_status(con, scope)
    out = status.loc[
        ~status["compliant"],
        ["branch_id", "name", "township_id", "village", "last_assessed_on", "failed_criteria"],
    ].copy()
    out["never_assessed"] = out["last_assessed_on"].isna()
    return out.reset_index(drop=True)


def grids_needing_attention(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Grids that did not report, have no member assigned, or were visited below the
    grids.visit_rate target: grid_id, name, township_id, community_id, zone_id, households,
    households_visited, visit_rate, visit_target, reported, staffed, reason (the most serious
    of GRID_REASONS), reasons (all that apply)."""
    grids = grid_visit_rates(con, scope)
    # A township that sent no grid report for the week is 未报 as a whole (one line of the
    # page, reporting.week_coverage), not hundreds of grids that did not report.
    grids = grids[grids["township_reported"].astype(bool)].reset_index(drop=True)
    flags = pd.DataFrame(
        {  # columns in the order of GRID_REASONS
            "not_reported": ~grids["reported"].astype(bool),
            "unstaffed": ~grids["staffed"].astype(bool),
            "below_target": (grids["visit_rate"] < grids["visit_target"]).fillna(False).astype(bool),
        }
    )
    needed = flags.any(axis=1)
    out = grids.loc[
        needed,
        [
            "grid_id",
            "name",
            "township_id",
            "community_id",
            "zone_id",
            "households",
            "households_visited",
            "visit_rate",
            "visit_target",
            "reported",
            "staffed",
        ],
    ].reset_index(drop=True)
    flags = flags[needed].reset_index(drop=True)
    out["reasons"] = [
        [r for r, f in zip(GRID_REASONS, row, strict=False) if f]
        for row in flags[list(GRID_REASONS)].itertuples(index=False)
    ]
    out["reason"] = [r[0] for r in out["reasons"]]
    return out


# -- series and tables for the pages ---------------------------------------------------------


def branch_status(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """One row per branch in scope at the week's end: branch_id, name, township_id, village,
    group_name, on_border_line, party_members, is_model, linked (all four link_* true), lon,
    lat, last_assessed_on (date or None), failed_criteria (list), compliant."""
    week, township = _resolve(con, scope)
    df = queries.run(con, "branch_status", week=week, township=township, criteria=CRITERIA)
    df["failed_criteria"] = [list(v) for v in df["failed_criteria"]]
    df["last_assessed_on"] = _dates(df["last_assessed_on"])
    return df


def compliance_by_township(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """One row per township with branches in scope: township_id, name, total, compliant,
    compliance_rate, model, link_coverage_rate."""
    week, township = _resolve(con, scope)
    df = queries.run(con, "compliance_by_township", week=week, weeks=1, township=township, criteria=CRITERIA)
    names = queries.run(con, "townships").set_index("township_id")["name"]
    return pd.DataFrame(
        {
            "township_id": df["township_id"],
            "name": [names.get(t) for t in df["township_id"]],
            "total": df["total"],
            "compliant": df["compliant"],
            "compliance_rate": [_rate(c, t) for c, t in zip(df["compliant"], df["total"], strict=False)],
            "model": df["model"],
            "link_coverage_rate": [_rate(n, t) for n, t in zip(df["linked"], df["total"], strict=False)],
        }
    )


def grid_visit_rates(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """One row per grid in scope for the week (for the map and table): grid_id, name,
    township_id, community_id, zone_id, unit_id, lon, lat, households, households_visited,
    visit_rate (NaN if no households, or if the grid's township sent no grid report for the
    week), reported, members, staffed, visit_target, township_reported."""
    week, township = _resolve(con, scope)
    df = queries.run(
        con,
        "grid_visit_rates",
        week=week,
        township=township,
        default_visit_target=DEFAULT_VISIT_TARGET,
        withheld=_withheld(scope),
    )
    return df  # a grid of a township not reported has no visit rate (未报): the SQL says so


def checkpoint_hourly(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = DEFAULT_SCOPE,
    *,
    checkpoints: tuple[str, ...] | list[str] | None = None,
) -> pd.DataFrame:
    """Checkpoint x hour slot of the week, for the heatmap: checkpoint_id, name, township_id,
    kind, slot (0..167), slot_start, required_staff, staff, staffed. `checkpoints` narrows it to
    those ids (a heatmap shows a few rows; a province has thousands of checkpoints)."""
    week, township = _resolve(con, scope)
    return queries.run(
        con,
        "checkpoint_hourly",
        week=week,
        township=township,
        checkpoints=None if checkpoints is None else list(checkpoints),
    )


def training_by_kind_month(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Trainings year to date by month and kind: month (first day), kind, sessions, attendees."""
    week, township = _resolve(con, scope)
    return queries.run(con, "training_by_kind_month", week=week, township=township)


def townships(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """All townships: township_id, name, name_en, lon, lat, is_border."""
    return queries.run(con, "townships")


def available_weeks(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> list[dt.date]:
    """Mondays the week picker offers, oldest first: weeks with grid reports or shifts,
    plus latest_week() when only other tables have data."""
    weeks = [_to_date(v) for v in queries.run(con, "available_weeks")["week_start"]]
    latest = latest_week(con)
    if latest is not None and latest not in weeks:
        weeks = sorted(set(weeks) | {latest})
    return weeks


def geo_features(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE, *, layer: str) -> pd.DataFrame:
    """Outlines loaded from <layer>.geojson: feature_id, geometry (GeoJSON text)."""
    if layer not in contract.GEO_LAYERS:
        raise ValueError(f"unknown layer {layer!r}")
    return queries.run(con, "geo_features", layer=layer)


# -- branches and training pages -------------------------------------------------------------


def compliance_trend(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Branch compliance per week, oldest first, from the week of the first assessment in the
    store to `week`: week_start (date), total, compliant, compliance_rate, link_coverage_rate.
    Same query and rule as summary(). No rows when nothing was assessed by then or the scope
    has no branches (weeks before any assessment would only read 0%)."""
    week, township = _resolve(con, scope)
    columns = ["week_start", "total", "compliant", "compliance_rate", "link_coverage_rate"]
    first = _to_date(queries.run(con, "first_assessment_week")["week_start"].iloc[0])
    if first is None or first > week:
        return pd.DataFrame(columns=columns)
    df = queries.run(
        con,
        "compliance_by_township",
        week=week,
        weeks=(week - first).days // 7 + 1,
        township=township,
        criteria=CRITERIA,
    )
    weekly = df.groupby("week_start")[["total", "compliant", "linked"]].sum()
    return pd.DataFrame(
        [
            {
                "week_start": _to_date(w),
                "total": int(r.total),
                "compliant": int(r.compliant),
                "compliance_rate": _rate(int(r.compliant), int(r.total)),
                "link_coverage_rate": _rate(int(r.linked), int(r.total)),
            }
            for w, r in weekly.iterrows()
        ],
        columns=columns,
    )


def failed_criteria_counts(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Criteria failed in the latest assessment of branches in scope at the week's end:
    criterion (code), branches (how many failed it). Only criteria failed at least once, most
    failed first (ties in contract order); no rows when every assessed branch passed all."""
    status = branch_status(con, scope)
    counts = {c: 0 for c in CRITERIA}
    for failed in status["failed_criteria"]:
        for c in failed:
            counts[c] += 1
    rows = sorted(((c, n) for c, n in counts.items() if n), key=lambda cn: (-cn[1], CRITERIA.index(cn[0])))
    return pd.DataFrame(rows, columns=["criterion", "branches"])


def training_by_township(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Trainings year to date by township and kind: township_id (None = county-level
    activities), kind, sessions, attendees. County-level activities come first."""
    week, township = _resolve(con, scope)
    df = queries.run(con, "training_by_township", week=week, township=township)
    df["township_id"] = df["township_id"].astype(object).where(df["township_id"].notna(), None)
    return df


def training_activities(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """The year's activities in scope up to the week's end, newest first: activity_id,
    held_on (date), township_id (None = county-level), kind, title, sessions, attendees,
    attendance_records (0 where no attendance was loaded for the activity)."""
    week, township = _resolve(con, scope)
    df = queries.run(con, "training_activities", week=week, township=township)
    df["held_on"] = _dates(df["held_on"])
    df["township_id"] = df["township_id"].astype(object).where(df["township_id"].notna(), None)
    return df


def training_people(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> dict:
    """Distinct people beside person-times, year to date in scope: distinct_members (None when
    no attendance is loaded at all, as in summary()), activities_recorded (activities with
    attendance records), attendance_records (person-times those records cover)."""
    week, township = _resolve(con, scope)
    p = {"week": week, "township": township}
    distinct = _row(queries.run(con, "training_distinct_members", **p))["distinct_members"]
    records = queries.run(con, "training_activities", **p)["attendance_records"]
    return {
        "distinct_members": distinct,
        "activities_recorded": int((records > 0).sum()),
        "attendance_records": int(records.sum()),
    }


# -- grid and checkpoint pages ---------------------------------------------------------------


def grid_list(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = DEFAULT_SCOPE,
    *,
    community: str | None = None,
    zone: str | None = None,
    geometry: bool = True,
) -> pd.DataFrame:
    """grid_visit_rates() of the scope, narrowed to one community and/or zone when given, with
    where each grid sits: community_name, zone_name, leader_title, unit_name, residents and
    geometry (GeoJSON text, None without an outline, or for every grid if not `geometry`).
    Same rows and rates as the overview."""
    grids = grid_visit_rates(con, scope)
    places = queries.run(con, "grid_places", township=scope.township, geometry=bool(geometry))
    out = grids.merge(
        places.drop(columns=["township_id", "community_id", "zone_id"]), on="grid_id", how="left"
    )
    if community:
        out = out[out["community_id"] == community]
    if zone:
        out = out[out["zone_id"] == zone]
    out["geometry"] = out["geometry"].astype(object).where(out["geometry"].notna(), None)
    return out.reset_index(drop=True)


def grid_areas(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Communities and zones that have grids in scope, for the drill-down: township_id,
    community_id, community_name, zone_id, zone_name, grids (how many)."""
    return queries.run(con, "grid_areas", township=scope.township)


def grid_history(
    con: duckdb.DuckDBPyConnection,
    scope: Scope = DEFAULT_SCOPE,
    *,
    grid_id: str | None = None,
    weeks: int = 12,
) -> pd.DataFrame:
    """One grid's weekly visits, oldest first, for the `weeks` weeks ending with `week` (none
    before the first week with any grid report): week_start (date), households,
    households_visited (0 where it did not report), visit_rate, reported. No rows when the
    grid is unknown or outside the township scope."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    week, township = _resolve(con, scope)
    df = queries.run(con, "grid_history", grid_id=grid_id, week=week, weeks=int(weeks), township=township)
    df["week_start"] = pd.Series([_to_date(v) for v in df["week_start"]], index=df.index, dtype=object)
    return df


def checkpoint_status(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """One row per checkpoint in scope for the week, worst covered first (for the heatmap's
    order and the map): checkpoint_id, name, township_id, community_id, kind, required_staff,
    lon, lat, staffed_slots, short_slots (some staff, fewer than required), empty_slots
    (nobody), gap_hours (short + empty), coverage_rate (staffed_slots / 168). The slots are
    those of checkpoint_hourly(), so they add up to summary()'s staffed_slots."""
    week, township = _resolve(con, scope)
    places = queries.run(con, "checkpoint_places", township=township)
    slots = queries.run(con, "checkpoint_status", week=week, township=township, withheld=_withheld(scope))
    out = places.merge(slots, on="checkpoint_id", how="left")
    for col in ("staffed_slots", "short_slots", "empty_slots"):
        out[col] = out[col].fillna(0).astype(int)
    out["reported"] = out["reported"].fillna(False).astype(bool)
    # A checkpoint of a township that did not report the week is 未报: no coverage, no gap.
    out["gap_hours"] = (HOURS_PER_WEEK - out["staffed_slots"]).where(out["reported"], 0)
    out["coverage_rate"] = (out["staffed_slots"] / HOURS_PER_WEEK).where(out["reported"])
    return out.sort_values(
        ["coverage_rate", "empty_slots", "checkpoint_id"], ascending=[True, False, True], na_position="last"
    ).reset_index(drop=True)


def checkpoint_daily(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE) -> pd.DataFrame:
    """Checkpoint duty per day of the week (7 rows): day (date), party_hours, unit_hours,
    volunteer_hours, persons_checked. The days add up to summary()'s staff_hours (the party
    part to its party_share) and persons_checked."""
    week, township = _resolve(con, scope)
    df = queries.run(con, "checkpoint_daily", week=week, township=township)
    df["day"] = _dates(df["day"])
    return df


def summary_change(now: dict, before: dict | None) -> dict:
    """now - before for every number of two summary() results, nested the same way;
    None where either side is None (an empty scope) or `before` is missing."""
    out = {}
    for key, value in now.items():
        old = (before or {}).get(key)
        if isinstance(value, dict):
            out[key] = summary_change(value, old if isinstance(old, dict) else None)
        elif (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and isinstance(old, (int, float))
            and not isinstance(old, bool)
        ):
            out[key] = value - old
        else:
            out[key] = None
    return out


def baseline_summary(con: duckdb.DuckDBPyConnection, scope: Scope = DEFAULT_SCOPE, *, store) -> dict:
    """What the figures are compared with ("since the last meeting"):
    the last pinned version (older than the live one) at its own latest week, or,
    when nothing is pinned, the previous week of the live data.

    Returns {"kind": "pinned" | "previous_week" | None, "version", "label", "week", "summary"}.
    """
    week, township = _resolve(con, scope)
    live = store.current()
    pinned = store.last_pinned(before=live) if live else None
    if pinned is not None:
        base = store.connect(pinned)
        try:
            base_week = latest_week(base)
            summ = summary(base, Scope(min(base_week, week) if base_week else week, township))
        finally:
            base.close()
        return {
            "kind": "pinned",
            "version": pinned,
            "label": store.pins()[str(pinned)]["label"],
            "week": summ["week_start"],
            "summary": summ,
        }
    previous = week - dt.timedelta(days=7)
    return {
        "kind": "previous_week",
        "version": live,
        "label": None,
        "week": previous.isoformat(),
        "summary": summary(con, Scope(previous, township)),
    }
