"""Who was expected to report a week, who did, and on time (issue 21 §1-2, issue 20 §3).
No streamlit here.

Expected submissions. What a township is expected to send each week follows from what it has:
grids -> a weekly report of its grids (the grid part), checkpoints -> checkpoint shifts (the
checkpoint part). A part is in when any grid of the township has a report for the week / a
shift of one of its checkpoints starts in the week (queries/expected_submissions.sql).
  not_required 无需报送  nothing expected (no grids, no checkpoints): never submitted, never missing;
  submitted    已报送    every expected part is in;
  partial      部分报送  some expected part is in, not all;
  missing      未报送    nothing expected is in.

Unreported is not zero. A part not in for a week is 未报 that week: the figures of the week
leave that township's grids (or checkpoints) out of their rates (the SQL itself:
counted_grid_townships / counted_checkpoint_townships in queries/_macros.sql), and the pages
say so beside the figure ("仅计已报送的 x 个乡镇"). `metrics.Scope.withheld` leaves more
townships out of the scope's week (e.g. waiting for review).

Deadline. A week's submission is due DEADLINE after the week's Monday, in TZ (default the
Monday after the week, 12:00 Asia/Shanghai); set DASHBOARD_DEADLINE_DAYS (days from the week's
Monday, default 7) and DASHBOARD_DEADLINE_HOUR (0-23, default 12) to change it.

On time. A township "submitted" a week at the time of the first published version in which
every part it is expected to send was in (and stayed in, up to the live version), as the
submission board finds versions (dashboard.submissions: the audit log's submit/load event of
that version, else the version's record). A later correction does not move that time, so a
week sent on time and corrected after the deadline stays on time. A township whose week has
been in since before the oldest version looked at (submissions.MAX_VERSIONS) is dated by that
oldest version: an upper bound.
  on_time 按时  fully in at or before the deadline;
  late    迟报  fully in after it;
  pending 待报  not fully in yet, deadline not passed;
  missing 未报  not fully in, deadline passed (a partly sent week is missing its other part);
  not_required  nothing expected.
`now` is always passed in: tests give a fixed time, pages the real clock.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from . import queries

TZ = ZoneInfo("Asia/Shanghai")
STATES = ("submitted", "partial", "missing", "not_required")
TIMELINESS = ("on_time", "late", "pending", "missing", "not_required")


@dataclass(frozen=True)
class Deadline:
    """A week's submission is due `days` after its Monday at `hour`:00 in TZ."""

    days: int = 7
    hour: int = 12


def _deadline_from_env() -> Deadline:
    days = int(os.environ.get("DASHBOARD_DEADLINE_DAYS", "7"))
    hour = int(os.environ.get("DASHBOARD_DEADLINE_HOUR", "12"))
    if days < 0 or not 0 <= hour <= 23:
        raise ValueError(
            f"DASHBOARD_DEADLINE_DAYS must be >= 0 and DASHBOARD_DEADLINE_HOUR 0-23: {days}, {hour}"
        )
    return Deadline(days, hour)


DEADLINE = _deadline_from_env()  # declared once: every page, the ledger and the reminders read it


def _monday(week) -> dt.date:
    if isinstance(week, str):
        week = dt.date.fromisoformat(week)
    if isinstance(week, dt.datetime):
        week = week.date()
    if week.weekday() != 0:
        raise ValueError(f"week must start on a Monday: {week}")
    return week


def _aware(now: dt.datetime) -> dt.datetime:
    if not isinstance(now, dt.datetime):
        raise TypeError(f"now must be a datetime, got {type(now).__name__}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def deadline(week, rule: Deadline | None = None) -> dt.datetime:
    """When the submission of the week starting `week` is due (tz-aware, in TZ)."""
    rule = rule or DEADLINE
    day = _monday(week) + dt.timedelta(days=rule.days)
    return dt.datetime.combine(day, dt.time(rule.hour), tzinfo=TZ)


def state(grids: int, checkpoints: int, grids_in: bool, checkpoints_in: bool) -> str:
    """The submission state of one township-week (see the module's rule)."""
    parts = [(grids > 0, bool(grids_in)), (checkpoints > 0, bool(checkpoints_in))]
    wanted = [got for expected, got in parts if expected]
    if not wanted:
        return "not_required"
    if all(wanted):
        return "submitted"
    return "partial" if any(wanted) else "missing"


def expected(con, week, township: str | None = None) -> pd.DataFrame:
    """One row per township in scope: township_id, grids, checkpoints (how many it has),
    grids_expected, checkpoints_expected, grids_in, checkpoints_in (bool) and state."""
    df = queries.run(con, "expected_submissions", week=_monday(week), township=township)
    df["grids_expected"] = df["grids"] > 0
    df["checkpoints_expected"] = df["checkpoints"] > 0
    df["grids_in"] = df["grids_in"].astype(bool)
    df["checkpoints_in"] = df["checkpoints_in"].astype(bool)
    df["state"] = [
        state(g, k, gi, ki)
        for g, k, gi, ki in zip(
            df["grids"], df["checkpoints"], df["grids_in"], df["checkpoints_in"], strict=True
        )
    ]
    return df[
        [
            "township_id",
            "grids",
            "checkpoints",
            "grids_expected",
            "checkpoints_expected",
            "grids_in",
            "checkpoints_in",
            "state",
        ]
    ]


def counted_townships(con, week, withheld=(), township: str | None = None) -> frozenset[str]:
    """The townships whose week counts in rates: some part they are expected to send is in,
    minus `withheld`. (Each part counts on its own in the SQL: a township that sent its grid
    reports but no shifts counts for grids only.)"""
    df = expected(con, week, township)
    sent = df["state"].isin(("submitted", "partial"))
    return frozenset(df.loc[sent, "township_id"]) - frozenset(withheld)


def week_coverage(con, week, now: dt.datetime, withheld=(), township: str | None = None) -> dict:
    """{"reported": x, "expected": y, "complete": bool, "all_in": bool, "deadline": datetime,
    "not_reported": [township_id...]} for the "x / y 个乡镇已报送" mark: y townships are
    expected to send something this week, x of them sent all of it (and are not withheld).
    complete: every one of them has, or the deadline has passed (the week pages may open on);
    all_in: every one of them has (no mark needed)."""
    now = _aware(now)
    df = expected(con, week, township)
    df = df[df["state"] != "not_required"]
    withheld = set(withheld)
    done = df[(df["state"] == "submitted") & ~df["township_id"].isin(withheld)]
    due = deadline(week)
    all_in = len(done) == len(df)
    return {
        "reported": len(done),
        "expected": len(df),
        "all_in": all_in,
        "complete": all_in or now >= due,
        "deadline": due,
        "not_reported": sorted(set(df["township_id"]) - set(done["township_id"])),
    }


def latest_complete_week(con, now: dt.datetime) -> dt.date | None:
    """The week pages and `summary` open on: the newest week with data that is complete
    (week_coverage), else the oldest week with data; None on an empty store. A newer,
    half-reported week stays reachable through the week picker."""
    from . import metrics  # metrics' default week is this function

    weeks = metrics.available_weeks(con)
    if not weeks:
        return None
    for week in reversed(weeks):
        if week_coverage(con, week, now)["complete"]:
            return week
    return weeks[0]


# ---------------------------------------------------------------- on time, late, missing
_states_cache: OrderedDict = OrderedDict()
_states_lock = threading.Lock()


def _states(store, version: int | None, week: dt.date) -> dict[str, str]:
    """township -> state of the week in version `version` ({} for none). Versions never
    change, so results are kept (a few hundred, the newest)."""
    if version is None:
        return {}
    key = (str(store.root), version, week)
    with _states_lock:
        if key in _states_cache:
            _states_cache.move_to_end(key)
            return _states_cache[key]
    con = store.connect(version)
    try:
        df = expected(con, week)
    finally:
        con.close()
    out = dict(zip(df["township_id"], df["state"], strict=True))
    with _states_lock:
        _states_cache[key] = out
        while len(_states_cache) > 512:
            _states_cache.popitem(last=False)
    return out


def _parse(at) -> dt.datetime | None:
    if not at:
        return None
    try:
        when = dt.datetime.fromisoformat(str(at))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=TZ)


def first_complete(store, week) -> dict[str, dict]:
    """township -> {"version", "at" (datetime or None), "by", "via", "bounded"} of the first
    version from which its week has been fully in up to the live one; only townships fully in
    now. bounded: it was already in at the oldest version looked at."""
    from . import submissions

    week = _monday(week)
    v = store.current()
    if v is None:
        return {}
    pending = {tw for tw, s in _states(store, v, week).items() if s == "submitted"}
    first: dict[str, int] = {}
    steps = 0
    while pending and v is not None and steps < submissions.MAX_VERSIONS:
        steps += 1
        base = submissions.base_version(store, v)
        before = _states(store, base, week)
        for tw in list(pending):
            if before.get(tw) != "submitted":
                first[tw] = v
                pending.discard(tw)
        if base is None:
            break
        v = base
    bounded = set(pending)
    for tw in pending:
        first[tw] = v
    out = {}
    events = submissions._audit_by_version(store) if first else {}
    for tw, version in first.items():
        who = submissions.version_event(store, version, tw, events)
        out[tw] = {**who, "at": _parse(who.get("at")), "bounded": tw in bounded}
    return out


def timeliness(store, week, now: dt.datetime) -> dict[str, dict]:
    """township_id -> {"state": on_time|late|pending|missing|not_required, "submitted_at":
    datetime|None, "deadline": datetime, "submission": state of expected()} for the week in the
    live version (see the module's rule)."""
    now = _aware(now)
    week = _monday(week)
    due = deadline(week)
    v = store.current()
    if v is None:
        return {}
    states = _states(store, v, week)
    firsts = first_complete(store, week)
    out = {}
    for tw, sub in states.items():
        at = (firsts.get(tw) or {}).get("at")
        if sub == "not_required":
            code = "not_required"
        elif sub == "submitted":
            code = "late" if at is not None and at > due else "on_time"
        else:
            code = "missing" if now >= due else "pending"
        out[tw] = {
            "state": code,
            "submitted_at": at if sub == "submitted" else None,
            "deadline": due,
            "submission": sub,
        }
    return out


def rates(timely: dict[str, dict]) -> dict:
    """DHIS2's reporting rate (actual / expected) and reporting rate on time (on time /
    expected) of one week's timeliness(): {"expected", "actual", "on_time", "reporting_rate",
    "on_time_rate"}; rates None when nothing is expected. Pending townships count as expected
    (the week's rate grows as they send)."""
    codes = [v["state"] for v in timely.values() if v["state"] != "not_required"]
    actual = sum(c in ("on_time", "late") for c in codes)
    on_time = sum(c == "on_time" for c in codes)
    n = len(codes)
    return {
        "expected": n,
        "actual": actual,
        "on_time": on_time,
        "reporting_rate": actual / n if n else None,
        "on_time_rate": on_time / n if n else None,
    }
