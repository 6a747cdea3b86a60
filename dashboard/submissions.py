"""The submission board (报送情况): for one week, what each township has sent, read from the
store and the audit log. No streamlit here.

Per township and week (queries/submission_board.sql):
  grids reported (of the township's grids), checkpoint-days covered (a checkpoint and a day of
  the week on which some shift of that checkpoint starts, of 7 x checkpoints), trainings held
  and branches assessed in the week.
Status (the page's rule says it):
  not_required 无需报送 the township has no grids and no checkpoints: nothing is expected of it
                        (dashboard.reporting), so it is never 未报送, and 0 / 0 is not 已报送;
  missing   未报送   nothing it is expected to send (grid reports, shifts) for the week;
  submitted 已报送   every grid reported and every checkpoint-day covered;
  partial   部分报送 anything else.
On time (dashboard.reporting.timeliness, shown beside it): 按时 / 迟报 / 待报 / 未报.
Last submission: the newest version that changed what the township has stored for the week
(found by comparing each version's fingerprint of that week with its base's,
queries/submission_fingerprints.sql), with who and when from the audit log's "submit" (a
township reporter's upload) or "load" event of that version, else from the version's record
(a county load from the command line, or a restore).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

import pandas as pd

from . import i18n, places, queries, reporting
from .auth import audit
from .i18n import t
from .store import Store

STATUSES = ("submitted", "partial", "missing", "not_required")
MAX_VERSIONS = 60  # how far back the last submission is looked for
AUDIT_LINES = 5000  # audit lines read to name who made a version
# The tables queries/submission_fingerprints.sql reads: a load that changed none of them
# changed no township's fingerprint.
FINGERPRINTED = (
    "grid_weekly",
    "checkpoint_shifts",
    "trainings",
    "branch_assessments",
    "grids",
    "zones",
    "communities",
    "checkpoints",
    "branches",
)


def _monday(week) -> dt.date:
    if isinstance(week, str):
        week = dt.date.fromisoformat(week)
    if isinstance(week, dt.datetime):
        week = week.date()
    if week.weekday() != 0:
        raise ValueError(f"week must start on a Monday: {week}")
    return week


def status(row) -> str:
    """missing / submitted / partial for one row of the board (see the module's rule)."""
    if not row["grids_total"] and not row["checkpoints_total"]:
        return "not_required"
    if not (row["grids_reported"] or row["checkpoint_days"]):
        return "missing"
    if row["grids_reported"] >= row["grids_total"] and row["checkpoint_days"] >= 7 * row["checkpoints_total"]:
        return "submitted"
    return "partial"


def board(con, week, township: str | None = None) -> pd.DataFrame:
    """One row per township (or only `township`): the counts of submission_board.sql and
    `status`."""
    df = queries.run(con, "submission_board", week=_monday(week), township=township)
    df["status"] = [status(r) for r in df.to_dict("records")] if len(df) else []
    return df


# ---------------------------------------------------------------- who sent it, and when
_fp_cache: OrderedDict = OrderedDict()
_fp_lock = threading.Lock()


def fingerprints(store: Store, version: int | None, week: dt.date) -> dict[str, tuple]:
    """township -> (rows, digest) of what version `version` stores for the week; {} for none.
    Versions never change, so results are kept (a few hundred, the newest)."""
    if version is None:
        return {}
    key = (str(store.root), version, week)
    with _fp_lock:
        if key in _fp_cache:
            _fp_cache.move_to_end(key)
            return _fp_cache[key]
    con = store.connect(version)
    try:
        df = queries.run(con, "submission_fingerprints", week=week)
    finally:
        con.close()
    fp = {r.township_id: (int(r.rows), r.digest) for r in df.itertuples()}
    with _fp_lock:
        _fp_cache[key] = fp
        while len(_fp_cache) > 512:
            _fp_cache.popitem(last=False)
    return fp


def _audit_by_version(store: Store) -> dict[int, dict]:
    """The audit log's submit and load events, by the version they published."""
    out = {}
    for e in reversed(audit.read(store.state, AUDIT_LINES)[0]):  # oldest first
        if e.get("event") in ("submit", "load") and isinstance(e.get("version"), int):
            out[e["version"]] = e
    return out


def base_version(store: Store, version: int) -> int | None:
    """The version `version` was made from (None for the first, or one no longer stored)."""
    base = store.record(version).get("base")
    if base is not None and not store.path(base).exists():
        return None
    return base


def version_event(store: Store, version: int, township: str, events: dict | None = None) -> dict:
    """{"version", "at", "by", "via"} of the version that brought `township`'s rows: from the
    audit log's "submit" event of that township (a township reporter's upload) or "load"
    event of that version, else from the version's record (a county load from the command
    line, or a restore). `events`: _audit_by_version(store), when already read."""
    rec = store.record(version)
    e = (events if events is not None else _audit_by_version(store)).get(version)
    if e is not None and (e.get("event") == "load" or e.get("township") == township):
        via = "submit" if e.get("event") == "submit" else rec.get("action", "load")
        return {"version": version, "at": e.get("at"), "by": e.get("user"), "via": via}
    return {
        "version": version,
        "at": rec.get("created_at"),
        "by": rec.get("by"),
        "via": rec.get("action", "load"),
    }


def last_submissions(store: Store, week) -> dict[str, dict]:
    """township -> {"version", "at", "by", "via"} of the newest version that changed the
    township's stored rows of the week; via is "submit" (a township reporter's upload),
    "load", "replace" or "restore". A township whose rows came before the MAX_VERSIONS
    newest versions gets {"version": None, "before": oldest version looked at}."""
    week = _monday(week)
    v = store.current()
    if v is None:
        return {}
    pending = set(fingerprints(store, v, week))
    found: dict[str, dict] = {}
    events = None
    steps = 0
    while pending and v is not None and steps < MAX_VERSIONS:
        steps += 1
        rec = store.record(v)
        base = base_version(store, v)
        if (
            base is not None
            and rec.get("action") in ("load", "replace")
            and not any(sum((rec.get("tables") or {}).get(tb, {}).values()) for tb in FINGERPRINTED)
        ):
            v = base  # its record says it changed nothing the fingerprint reads
            continue
        now, before = fingerprints(store, v, week), fingerprints(store, base, week)
        changed = {tw for tw in pending if now.get(tw) != before.get(tw)}
        if changed:
            if events is None:
                events = _audit_by_version(store)
            for tw in changed:
                found[tw] = version_event(store, v, tw, events)
            pending -= changed
        v = base
    for tw in pending:
        found[tw] = {"version": None, "before": v}
    return found


# ---------------------------------------------------------------- for the page
def status_label(code: str, lang: str) -> str:
    return t(f"sub.status_{code}", lang)


def _local(when: dt.datetime | None) -> str:
    return when.astimezone(reporting.TZ).strftime("%Y-%m-%d %H:%M") if when else "—"


def board_table(
    df: pd.DataFrame,
    last: dict[str, dict],
    lang: str,
    timely: dict | None = None,
    reviews: dict[str, dict] | None = None,
) -> pd.DataFrame:
    """The board as the page shows it, in the user's language; with `timely`
    (reporting.timeliness of the week), the on-time column and when it was first fully in;
    with `reviews` (dashboard.review.states of the week), each township's review state
    beside its status."""
    rows = []
    names = places.place_names(df["name"], df.get("name_en"), lang)
    for r, name in zip(df.to_dict("records"), names, strict=False):
        sent = last.get(r["township_id"]) or {}
        if sent.get("version") is not None:
            when = (sent.get("at") or "")[:16].replace("T", " ")
            who = sent.get("by") or "—"
            via = (
                t(f"sub.via_{sent['via']}", lang, version=sent["version"])
                if f"sub.via_{sent['via']}" in i18n.LABELS
                else f"{sent['via']} v{sent['version']}"
            )
        elif sent:
            when, who, via = t("sub.before", lang, version=sent.get("before")), "—", "—"
        else:
            when, who, via = "—", "—", "—"
        on_time = {}
        if timely is not None:
            tm = timely.get(r["township_id"]) or {}
            on_time = {
                t("sub.col_on_time", lang): t(f"sub.timely_{tm.get('state', 'not_required')}", lang),
                t("sub.col_first", lang): _local(tm.get("submitted_at")),
            }
        rows.append(
            {
                t("sub.col_township", lang): name,
                t("sub.col_status", lang): status_label(r["status"], lang),
                **(
                    {}
                    if reviews is None
                    else {
                        t("sub.col_review", lang): t(
                            f"review.state_{(reviews.get(r['township_id']) or {}).get('state') or 'none'}",
                            lang,
                        )
                    }
                ),
                **on_time,
                t("sub.col_grids", lang): f"{r['grids_reported']:,} / {r['grids_total']:,}",
                t(
                    "sub.col_checkpoint_days", lang
                ): f"{r['checkpoint_days']:,} / {7 * r['checkpoints_total']:,}",
                t("sub.col_trainings", lang): int(r["trainings"]),
                t("sub.col_assessed", lang): int(r["branches_assessed"]),
                t("sub.col_when", lang): when,
                t("sub.col_by", lang): who,
                t("sub.col_via", lang): via,
            }
        )
    return pd.DataFrame(rows)


def status_counts(df: pd.DataFrame) -> dict[str, int]:
    return {s: int((df["status"] == s).sum()) if len(df) else 0 for s in STATUSES}


def report_weeks(latest: dt.date | None, today: dt.date | None = None, n: int = 8) -> list[dt.date]:
    """Weeks the board and the prefilled form offer, newest first: the week after the latest
    with data (the one being reported), then the `n` before it; this calendar week when no
    data is loaded yet."""
    if latest is None:
        today = today or dt.date.today()
        latest = today - dt.timedelta(days=today.weekday() + 7)
    nxt = latest + dt.timedelta(days=7)
    return [nxt - dt.timedelta(days=7 * i) for i in range(n + 1)]
