"""Where the messages come from: the ledger (dashboard.ledger.items) and the submissions
(dashboard.reporting.timeliness), read from the live version at the pass's time, and the
review's returns (dashboard.review.returned_since, from the state folder). Each source
returns Messages; the outbox keeps each (rule, township, period) once, so a source may offer
the same message on every pass."""

from __future__ import annotations

import datetime as dt

from . import messages

REMIND_BEFORE = dt.timedelta(hours=24)  # reminders go out in the last day before the deadline
# Returns older than this are not pushed: a channel added today does not get last month's
# returns, and the reporter has long read them on the data page.
RETURNED_WITHIN = dt.timedelta(days=7)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def ledger_source(ctx) -> list[messages.Message]:
    """(a) Per township: items opened in the live version, and items newly overdue. After a
    publish the digest is rule "ledger", period v<N>; later in the same version, items that
    turn overdue go out as rule "overdue", period the local day."""
    from .. import ledger

    version = ctx.store.current() if ctx.store is not None else None
    if version is None:
        return []
    by_town: dict[str, list] = {}
    for item in ledger.items(ctx.store, as_of=ctx.now):
        if item.status != "closed":
            by_town.setdefault(item.township_id, []).append(item)
    out = []
    for town, items in sorted(by_town.items()):
        said = ctx.outbox.announced(town)
        opened = [
            i for i in items if i.opened_version == version and messages.announce_key(i, "opened") not in said
        ]
        overdue = [
            i for i in items if i.status == "overdue" and messages.announce_key(i, "overdue") not in said
        ]
        first = f"ledger|{town}|v{version}" not in ctx.outbox.messages
        rule, period = ("ledger", f"v{version}") if first else ("overdue", ctx.now.date().isoformat())
        if not first:
            opened = []
        m = messages.ledger_digest(
            town, ctx.names.get(town, town), period, opened, overdue, ctx.public_url, rule=rule
        )
        if m is not None:
            out.append(m)
    return out


def reminder_source(ctx) -> list[messages.Message]:
    """(b) In the last REMIND_BEFORE before a week's deadline: each township not (fully) in."""
    from .. import reporting

    if ctx.store is None or ctx.store.current() is None:
        return []
    out = []
    this = _monday(ctx.now.date())
    for week in (this - dt.timedelta(days=14), this - dt.timedelta(days=7), this):
        due = reporting.deadline(week)
        if not (due - REMIND_BEFORE <= ctx.now < due):
            continue
        for town, s in sorted(reporting.timeliness(ctx.store, week, ctx.now).items()):
            if s["state"] == "pending":
                state = "partial" if s.get("submission") == "partial" else "pending"
                out.append(
                    messages.reminder(town, ctx.names.get(town, town), week, due, state, ctx.public_url)
                )
    return out


def county_source(ctx) -> list[messages.Message]:
    """(c) Once a week's deadline has passed: the county's digest of that week."""
    from .. import ledger, reporting

    if ctx.store is None or ctx.store.current() is None:
        return []
    week = _monday(ctx.now.date()) - dt.timedelta(days=7)
    if reporting.deadline(week) > ctx.now:
        week -= dt.timedelta(days=7)
    if f"county|county|{week.isoformat()}" in ctx.outbox.messages:
        return []
    subs = {
        t: s
        for t, s in reporting.timeliness(ctx.store, week, ctx.now).items()
        if s["state"] != "not_required"
    }
    items = ledger.items(ctx.store, as_of=ctx.now)
    return [messages.county_digest(week, items, subs, ctx.names, ctx.public_url)]


def returned_source(ctx) -> list[messages.Message]:
    """(d) Each return of a township's submission in the last RETURNED_WITHIN, with its
    reason, to that township: one message per return event (period: its week and the time of
    the return, so a week returned twice is two messages, and every pass offers the same)."""
    from .. import review

    if ctx.state_dir is None:
        return []
    out = []
    for e in review.returned_since(ctx.state_dir, ctx.now - RETURNED_WITHIN):
        town, week, at = e.get("township"), e.get("week"), e.get("at")
        try:
            day = dt.date.fromisoformat(str(week))
        except ValueError:
            continue  # a hand-written line: nothing sensible to say
        if not town or not at:
            continue
        out.append(
            messages.returned(town, ctx.names.get(town, town), day, e.get("reason") or "", at, ctx.public_url)
        )
    return out


def default_sources() -> list:
    return [ledger_source, reminder_source, county_source, returned_source]
