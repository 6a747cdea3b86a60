"""The weekly briefing (周报) for the weekly meeting: one A4 portrait PDF.

`build_pdf(store, week, township, lang)` puts the week's figures (dashboard.metrics, the same
computation as the pages and `summary --json`), their targets and the change since the last
meeting, the lists that need attention, a short briefing note per township written from the
figures by fixed rules, and a few charts (the plotly builders of dashboard.charts) into one
self-contained HTML page, and prints it to PDF with the system's headless Chromium.

Offline by construction: plotly.js is inlined from the installed plotly package, fonts are the
system's (Noto Sans CJK, embedded into the PDF by Chromium), the page's Content-Security-Policy
allows no fetch, and Chromium resolves no host name. Every data string goes into the HTML
escaped. No streamlit here.
"""
from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.offline

from . import contract, i18n, metrics, places, quality
from .charts import branches as branch_charts
from .charts import checkpoints as cp_charts
from .charts import common, print_map
from .charts import training as training_charts
from .store import Store

CHROMIUM_ENV = "DASHBOARD_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_TIMEOUT = 120          # seconds for one print
LIST_CAP = 12                   # rows of an attention list before "…及其他N项"
TREND_WEEKS = 12
CHART_WIDTH = 686               # px: A4 (210 mm) less 2 × 14 mm margins, at 96 px per inch
NIGHT = (22, 6)                 # a gap hour in [22:00, 06:00) is a night gap


class ReportError(RuntimeError):
    """The PDF could not be made (no Chromium, Chromium failed)."""


# ---------------------------------------------------------------- formatting
def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _pts(delta: float) -> float:
    """A rate change in percentage points, rounded as printed (one decimal)."""
    return round(delta * 100, 1) + 0.0          # + 0.0 turns -0.0 into 0.0


def fmt_change(delta, rate: bool, lang: str) -> str:
    """A KPI's change: "+1.5个百分点" / "+1.5 pts" for a rate, "+3" for a count, "持平" when
    nothing changed, "—" when there is nothing to compare with."""
    if delta is None:
        return i18n.t("na", lang)
    if rate:
        pts = _pts(delta)
        if pts == 0:
            return i18n.t("report.same", lang)
        return f"{pts:+.1f}{i18n.t('change.points', lang)}"
    if abs(delta) < 1e-9:
        return i18n.t("report.same", lang)
    return f"{delta:+,.0f}" if float(delta).is_integer() else f"{delta:+,.1f}"


def _stamp(iso: str | None) -> str:
    """An ISO timestamp of the store as "2021-12-27 09:30"."""
    if not iso:
        return "—"
    try:
        return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _slot_text(ts, lang: str) -> str:
    """A gap's start or end: "周二 12-28 08:00" / "Tue 28 Dec 08:00"."""
    ts = pd.Timestamp(ts)
    return f"{cp_charts.day_label(ts.date(), lang)} {ts:%H:%M}"


def _join(items: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


def _clauses(parts: list[str], lang: str) -> str:
    """Clauses of one sentence, joined and closed."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    if lang == "zh":
        return "；".join(parts) + "。"
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


# ---------------------------------------------------------------- the briefing's content
@dataclass
class Kpi:
    label: str
    value: str
    detail: str = ""
    target: str = "—"
    status: str = "—"
    tone: str = ""                   # good / warn / bad / "" (no target)
    change: str = "—"


@dataclass
class Briefing:
    lang: str
    scope: str                       # the county or the township's name
    township: str | None
    week: dt.date | None = None
    version: int | None = None
    version_text: str = ""
    base_text: str = ""
    base_kind: str | None = None
    kpis: list[Kpi] = field(default_factory=list)
    scope_notes: list[str] = field(default_factory=list)
    training: list[list[str]] = field(default_factory=list)
    indicators: list[tuple[str, str]] = field(default_factory=list)
    briefs: list[tuple[str, str]] = field(default_factory=list)
    attention: list[dict] = field(default_factory=list)
    quality: str = ""                # data quality warnings counted per kind (issue 10 §3)
    charts: list[tuple[str, go.Figure]] = field(default_factory=list)


def _status(value, target, lang: str, year_to_date: bool = False) -> tuple[str, str]:
    """(text, tone) of a figure against its target. A year's target is not failed before
    the year is out: short of it reads "完成80%" in amber, not "未达标"."""
    if target is None or value is None:
        return i18n.t("na", lang), ""
    if year_to_date:
        if value >= target - 1e-9:
            return i18n.t("report.status.done", lang), "good"
        share = i18n.fmt_rate(value / target, lang, digits=0) if target else "—"
        return i18n.t("report.status.share", lang, share=share), "warn"
    if value >= target - 1e-9:
        return i18n.t("on_target", lang), "good"
    return i18n.t("below_target", lang), "bad"


def kpi_rows(s: dict, change: dict, targets: dict, lang: str, county: bool) -> list[Kpi]:
    """The key figures of summary() with target, status and change, in the overview's order.
    Figures of an empty scope (a township without grids, checkpoints or branches) are left
    out rather than shown as "—" rows."""
    b, g, m, c, tr = s["branches"], s["grids"], s["members"], s["checkpoints"], s["training"]
    db, dg, dm, dc, dtr = (change[k] for k in ("branches", "grids", "members", "checkpoints",
                                                "training"))
    rows: list[Kpi] = []

    def add(label, value, detail="", *, metric=None, figure=None, delta=None, rate=False,
            ytd=False):
        target = targets.get(metric) if metric else None
        status, tone = _status(figure, target, lang, ytd)
        if target is None:
            shown = i18n.t("na", lang)
        elif metric in contract.RATE_METRICS:
            shown = i18n.fmt_rate(target, lang, digits=0)
        else:
            shown = i18n.fmt_num(target, lang)
        rows.append(Kpi(label, value, detail, shown, status, tone, fmt_change(delta, rate, lang)))

    if b["total"]:
        add(i18n.t("kpi.compliance", lang),
            f"{i18n.fmt_int(b['compliant'])} / {i18n.fmt_int(b['total'])}",
            i18n.fmt_rate(b["compliance_rate"], lang),
            metric="branches.compliance_rate", figure=b["compliance_rate"],
            delta=db["compliant"])
        add(i18n.t("report.kpi.links", lang), i18n.fmt_rate(b["link_coverage_rate"], lang),
            metric="branches.link_coverage_rate", figure=b["link_coverage_rate"],
            delta=db["link_coverage_rate"], rate=True)
        add(i18n.t("branches.tile_model", lang), i18n.fmt_int(b["model"]), delta=db["model"])
    if county or g["total"]:
        add(i18n.t("kpi.members", lang), i18n.fmt_int(m["reported"]),
            i18n.t("kpi.assigned", lang, assigned=i18n.fmt_int(m["assigned"]),
                   households=i18n.fmt_int(m["households_linked"])),
            metric="members.reported", figure=m["reported"], delta=dm["reported"])
    if g["total"]:
        add(i18n.t("kpi.grids_staffed", lang), i18n.fmt_rate(g["staffed_rate"], lang),
            f"{i18n.fmt_int(g['staffed'])} / {i18n.fmt_int(g['total'])} {i18n.t('unit.grids', lang)}",
            metric="grids.staffed_rate", figure=g["staffed_rate"], delta=dg["staffed_rate"],
            rate=True)
        add(i18n.t("kpi.visit_rate", lang), i18n.fmt_rate(g["visit_rate"], lang),
            i18n.t("kpi.visited_of", lang, visited=i18n.fmt_int(g["households_visited"]),
                   households=i18n.fmt_int(g["households"])),
            metric="grids.visit_rate", figure=g["visit_rate"], delta=dg["visit_rate"], rate=True)
        add(i18n.t("kpi.reporting_rate", lang), i18n.fmt_rate(g["reporting_rate"], lang),
            metric="grids.reporting_rate", figure=g["reporting_rate"],
            delta=dg["reporting_rate"], rate=True)
    if c["total"]:
        add(i18n.t("kpi.coverage", lang), i18n.fmt_rate(c["coverage_rate"], lang),
            i18n.t("kpi.slots_of", lang, staffed=i18n.fmt_int(c["staffed_slots"]),
                   slots=i18n.fmt_int(c["slots"])),
            metric="checkpoints.coverage_rate", figure=c["coverage_rate"],
            delta=dc["coverage_rate"], rate=True)
        add(i18n.t("cp.kpi.party_share", lang), i18n.fmt_rate(c["party_share"], lang),
            i18n.t("cp.kpi.party_hours", lang,
                   hours=i18n.fmt_int((c["party_share"] or 0) * c["staff_hours"])),
            metric="checkpoints.party_share", figure=c["party_share"],
            delta=dc["party_share"], rate=True)
        add(i18n.t("cp.kpi.persons_checked", lang), i18n.fmt_int(c["persons_checked"]),
            delta=dc["persons_checked"])
    add(i18n.t("report.kpi.sessions", lang), i18n.fmt_int(tr["sessions"]),
        metric="training.sessions", figure=tr["sessions"], delta=dtr["sessions"], ytd=True)
    add(i18n.t("report.kpi.attendees", lang), i18n.fmt_int(tr["attendees"]),
        metric="training.attendees", figure=tr["attendees"], delta=dtr["attendees"], ytd=True)
    if tr["distinct_members"] is not None and (county or tr["distinct_members"]):
        add(i18n.t("training.tile_people", lang), i18n.fmt_int(tr["distinct_members"]),
            delta=dtr["distinct_members"])
    return rows


def training_rows(training: dict, targets: dict, lang: str) -> list[list[str]]:
    """Per training kind: kind, sessions, target, person-times, target, status; then totals."""
    rows = []
    for code in contract.TRAINING_KINDS:
        done = training[code]
        t_s = targets.get(f"training.{code}.sessions")
        t_a = targets.get(f"training.{code}.attendees")
        checks = [_status(done[k], tgt, lang, year_to_date=True)
                  for k, tgt in (("sessions", t_s), ("attendees", t_a)) if tgt is not None]
        # Both targets met is done; otherwise the one still short speaks.
        status, tone = next((st for st in checks if st[1] != "good"),
                            checks[0] if checks else (i18n.t("na", lang), ""))
        rows.append([i18n.enum_label(contract.TRAINING_KINDS, code, lang),
                     i18n.fmt_int(done["sessions"]), i18n.fmt_num(t_s, lang),
                     i18n.fmt_int(done["attendees"]), i18n.fmt_num(t_a, lang), status, tone])
    rows.append([i18n.t("report.col.total", lang), i18n.fmt_int(training["sessions"]), "",
                 i18n.fmt_int(training["attendees"]), "", "", ""])
    return rows


def _rate_change(delta, base_kind: str | None, lang: str) -> str:
    if delta is None or base_kind is None:
        return ""
    base = i18n.t("brief.base_meeting" if base_kind == "pinned" else "brief.base_week", lang)
    pts = _pts(delta)
    if pts == 0:
        return i18n.t("brief.same", lang, base=base)
    return i18n.t("brief.up" if pts > 0 else "brief.down", lang, base=base, pts=f"{abs(pts):.1f}")


def _night_gap(start, end) -> bool:
    """Whether any hour of the gap [start, end) falls in the night."""
    hour, stop = pd.Timestamp(start), pd.Timestamp(end)
    while hour < stop:
        if hour.hour >= NIGHT[0] or hour.hour < NIGHT[1]:
            return True
        hour += pd.Timedelta(hours=1)
    return False


def township_brief(s: dict, change: dict, base_kind: str | None, targets: dict,
                   noncompliant: pd.DataFrame, gaps: pd.DataFrame, cp_status: pd.DataFrame,
                   grids: pd.DataFrame, lang: str) -> str:
    """A 工作简报-style note on one scope, written from its figures by fixed rules. A clause
    appears only where the figures support it: a township without grids, checkpoints or
    branches has no such clause, a change only where there is something to compare with.

    s, change: summary() and summary_change() of the scope; noncompliant, gaps, cp_status,
    grids: noncompliant_branches, checkpoint_gaps, checkpoint_status and
    grids_needing_attention of the same scope and week."""
    b, g, c, tr = s["branches"], s["grids"], s["checkpoints"], s["training"]
    sentences = []

    if b["total"]:
        rate = i18n.fmt_rate(b["compliance_rate"], lang)
        delta = change["branches"]["compliance_rate"]
        all_ok = b["compliant"] == b["total"]
        # "All up to standard, unchanged" says nothing twice: the change only when there is one.
        moved = ("" if all_ok and (delta is None or _pts(delta) == 0)
                 else _rate_change(delta, base_kind, lang))
        parts = [i18n.t("brief.branches_all", lang, total=i18n.fmt_int(b["total"]), rate=rate,
                        change=moved) if all_ok else
                 i18n.t("brief.branches", lang, total=i18n.fmt_int(b["total"]),
                        compliant=i18n.fmt_int(b["compliant"]), rate=rate, change=moved)]
        assessed = noncompliant[~noncompliant["never_assessed"]]
        if len(assessed):
            counts = pd.Series([k for ks in assessed["failed_criteria"] for k in ks]).value_counts()
            items = [i18n.t("brief.item_count", lang,
                            item=i18n.enum_label(contract.CRITERIA, k, lang), n=int(counts[k]))
                     for k in sorted(counts.index, key=lambda k: (-counts[k],
                                                                  list(contract.CRITERIA).index(k)))]
            parts.append(i18n.t("brief.branches_failed", lang, n=len(assessed),
                                items=_join(items, lang)))
        never = int(noncompliant["never_assessed"].sum())
        if never:
            parts.append(i18n.t("brief.branches_never", lang, n=never))
        parts.append(i18n.t("brief.model_links", lang, model=i18n.fmt_int(b["model"]),
                            links=i18n.fmt_rate(b["link_coverage_rate"], lang)))
        sentences.append(_clauses(parts, lang))

    if g["total"]:
        parts = [i18n.t("brief.grids", lang, total=i18n.fmt_int(g["total"]),
                        staffed=i18n.fmt_int(g["staffed"]),
                        visited=i18n.fmt_int(g["households_visited"]),
                        rate=i18n.fmt_rate(g["visit_rate"], lang),
                        change=_rate_change(change["grids"]["visit_rate"], base_kind, lang))]
        reasons = [set(r) for r in grids["reasons"]]
        not_reported = sum("not_reported" in r for r in reasons)
        unstaffed = sum("unstaffed" in r for r in reasons)
        below = sum("below_target" in r and "not_reported" not in r for r in reasons)
        issues = []
        if not_reported:
            issues.append(i18n.t("brief.grids_not_reported", lang, n=not_reported))
        if unstaffed:
            issues.append(i18n.t("brief.grids_unstaffed", lang, n=unstaffed))
        if below:
            target = grids["visit_target"].dropna()
            target_text = (i18n.fmt_rate(float(target.iloc[0]), lang, digits=0)
                           if target.nunique() == 1 else i18n.t("target", lang))
            issues.append(i18n.t("brief.grids_below", lang, n=below, target=target_text))
        parts.append(_join(issues, lang) if issues else i18n.t("brief.grids_ok", lang))
        sentences.append(_clauses(parts, lang))

    if c["total"]:
        parts = [i18n.t("brief.checkpoints", lang, total=i18n.fmt_int(c["total"]),
                        rate=i18n.fmt_rate(c["coverage_rate"], lang),
                        change=_rate_change(change["checkpoints"]["coverage_rate"], base_kind,
                                            lang))]
        if len(gaps):
            gap_text = i18n.t("brief.cp_gaps", lang, n=gaps["checkpoint_id"].nunique(),
                              gaps=len(gaps), hours=i18n.fmt_int(gaps["hours"].sum()))
            night = {r.checkpoint_id for r in gaps.itertuples()
                     if _night_gap(r.gap_start, r.gap_end)}
            empty = int((cp_status["empty_slots"] > 0).sum())
            extra = []
            if night:
                extra.append(i18n.t("brief.cp_night", lang, n=len(night)))
            if empty:
                extra.append(i18n.t("brief.cp_empty", lang, n=empty))
            if extra:
                gap_text += ("，" if lang == "zh" else ", ") + ("，" if lang == "zh" else ", ").join(extra)
            parts.append(gap_text)
        else:
            parts.append(i18n.t("brief.cp_ok", lang))
        parts.append(i18n.t("brief.cp_checked", lang, n=i18n.fmt_int(c["persons_checked"])))
        sentences.append(_clauses(parts, lang))

    if tr["sessions"]:
        items = [i18n.t("brief.training_item", lang,
                        kind=i18n.enum_label(contract.TRAINING_KINDS, k, lang),
                        n=i18n.fmt_int(tr[k]["sessions"]), unit=i18n.t(f"report.unit.{k}", lang))
                 for k in contract.TRAINING_KINDS if tr[k]["sessions"]]
        parts = [i18n.t("brief.training", lang, sessions=i18n.fmt_int(tr["sessions"]),
                        attendees=i18n.fmt_int(tr["attendees"]), items=_join(items, lang))]
        met, short = [], []
        for k in contract.TRAINING_KINDS:
            target = targets.get(f"training.{k}.sessions")
            if target:
                (met if tr[k]["sessions"] >= target else short).append((k, tr[k]["sessions"] / target))
        if met:
            parts.append(i18n.t("brief.training_met", lang, kinds=_join(
                [i18n.enum_label(contract.TRAINING_KINDS, k, lang) for k, _ in met], lang)))
        if short:
            parts.append(i18n.t("brief.training_progress", lang, items=_join(
                [i18n.t("brief.training_share", lang,
                        kind=i18n.enum_label(contract.TRAINING_KINDS, k, lang),
                        share=i18n.fmt_rate(share, lang, digits=0)) for k, share in short], lang)))
        sentences.append(_clauses(parts, lang))

    shown = [(k, v) for k, v in s["indicators"].items() if v is not None]
    if shown:
        items = [i18n.t(f"brief.ind.{k}", lang, n=i18n.fmt_num(v, lang)) for k, v in shown]
        sentences.append(_clauses([i18n.t("brief.indicators", lang, items=_join(items, lang))],
                                  lang))

    if not sentences:
        return i18n.t("brief.no_data", lang)
    return ("" if lang == "zh" else " ").join(sentences)


def _capped(rows: list[list[str]], lang: str) -> tuple[list[list[str]], str]:
    if len(rows) <= LIST_CAP:
        return rows, ""
    return rows[:LIST_CAP], i18n.t("report.more", lang, n=len(rows) - LIST_CAP)


def attention_lists(noncompliant: pd.DataFrame, gaps: pd.DataFrame, grids: pd.DataFrame,
                    towns: pd.DataFrame, totals: dict, lang: str, county: bool) -> list[dict]:
    """The three lists of the overview's "needs attention", as table rows: non-compliant
    branches and their failed criteria, checkpoint gaps (from, to, hours, short by), grids not
    reporting, unstaffed or below target. Long lists are cut at LIST_CAP rows. A list is left
    out ("skip") where the scope has no branches, checkpoints or grids at all; totals: summary().
    """
    out = []
    names = places.township_names(towns, lang)

    table = branch_charts.noncompliant_table(noncompliant, towns, lang)
    table = table.drop(columns=[i18n.t("branches.col.code", lang)]
                       + ([] if county else [i18n.t("col.township", lang)]))
    rows, more = _capped([[str(v) for v in r] for r in table.itertuples(index=False)], lang)
    out.append({"title": i18n.t("attention.branches", lang, n=len(noncompliant)),
                "columns": list(table.columns), "rows": rows, "more": more,
                "empty": i18n.t("report.none_branches", lang,
                                n=i18n.fmt_int(totals["branches"]["total"])),
                "count": len(noncompliant), "num_cols": set(), "name_cols": {0},
                "skip": not totals["branches"]["total"]})

    table = cp_charts.gap_table(gaps, towns, lang, with_township=county)
    rows = []
    for r in table.itertuples(index=False):
        r = list(r)
        start_col = 2 if county else 1
        r[start_col] = _slot_text(r[start_col], lang)
        r[start_col + 1] = _slot_text(r[start_col + 1], lang)
        r[-2], r[-1] = i18n.fmt_int(r[-2]), i18n.fmt_int(r[-1])
        rows.append([str(v) for v in r])
    rows, more = _capped(rows, lang)
    out.append({"title": i18n.t("attention.gaps", lang, n=len(gaps),
                                hours=i18n.fmt_int(gaps["hours"].sum() if len(gaps) else 0)),
                "columns": list(table.columns), "rows": rows, "more": more,
                "empty": i18n.t("report.none_gaps", lang), "count": len(gaps),
                "num_cols": {len(table.columns) - 2, len(table.columns) - 1}, "name_cols": {0},
                "skip": not totals["checkpoints"]["total"]})

    order = {r: i for i, r in enumerate(metrics.GRID_REASONS)}
    ranked = grids.assign(_rank=[order[r] for r in grids["reason"]]).sort_values(
        ["_rank", "visit_rate", "grid_id"], na_position="first")
    columns = ([i18n.t("col.township", lang)] if county else []) + [
        i18n.t("col.grid", lang), i18n.t("col.reason", lang), i18n.t("col.visit_rate", lang),
        i18n.t("col.visited", lang)]
    rows = []
    for r in ranked.itertuples():
        reasons = _join([i18n.t(f"reason.{k}", lang) for k in r.reasons], lang)
        visited = f"{i18n.fmt_int(r.households_visited)} / {i18n.fmt_int(r.households)}"
        rows.append(([names.get(r.township_id, r.township_id)] if county else [])
                    + [r.name, reasons, i18n.fmt_rate(r.visit_rate, lang), visited])
    rows, more = _capped(rows, lang)
    out.append({"title": i18n.t("attention.grids", lang, n=len(grids)), "columns": columns,
                "rows": rows, "more": more, "empty": i18n.t("report.none_grids", lang),
                "count": len(grids), "skip": not totals["grids"]["total"],
                "num_cols": {len(columns) - 2, len(columns) - 1},
                "name_cols": {len(columns) - 4}})
    return out


def _for(df: pd.DataFrame, township: str) -> pd.DataFrame:
    return df[df["township_id"] == township]


def _sized(fig: go.Figure, height: int | None = None, top: int = 10) -> go.Figure:
    """A page-wide figure; the chart's title is the HTML heading above it, so the plot needs
    room on top only for a legend or axis labels placed there."""
    fig.update_layout(width=CHART_WIDTH, margin=dict(l=10, r=10, t=top, b=10),
                      **({"height": height} if height else {}))
    return fig


def collect(store: Store, week: dt.date | None = None, township: str | None = None,
            lang: str = i18n.DEFAULT_LANG) -> Briefing:
    """Everything the briefing shows, from dashboard.metrics on the live version."""
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown language {lang!r} (use {' or '.join(i18n.LANGS)})")
    version = store.current()
    con = store.connect()
    try:
        towns = metrics.townships(con)
        if township is not None and township not in set(towns["township_id"]):
            raise ValueError(f"no township {township!r} (known: "
                             f"{', '.join(sorted(towns['township_id']))})")
        names = places.township_names(towns, lang)
        scope = names[township] if township else i18n.t("filter.county", lang)
        brief = Briefing(lang=lang, scope=scope, township=township, version=version)
        if version is None:
            return brief
        county = township is None

        s = metrics.summary(con, metrics.Scope(week, township))
        week = dt.date.fromisoformat(s["week_start"])
        brief.week = week
        targets = metrics.targets(con, metrics.Scope(week, township))
        base = metrics.baseline_summary(con, metrics.Scope(week, township), store=store)
        change = metrics.summary_change(s, base["summary"])
        brief.base_kind = base["kind"]

        record = store.record(version)
        pin = store.pins().get(str(version))
        brief.version_text = i18n.t("report.version", lang, version=version,
                                    at=_stamp(record.get("created_at")))
        if pin:
            brief.version_text += i18n.t("report.version_pinned", lang, label=pin["label"])
        base_week = i18n.fmt_date(base["week"], lang)
        brief.base_text = (i18n.t("report.base_meeting", lang, version=base["version"],
                                  label=base["label"], week=base_week)
                           if base["kind"] == "pinned" else
                           i18n.t("report.base_week", lang, week=base_week))

        brief.kpis = kpi_rows(s, change, targets, lang, county)
        if not county:
            for part, key in (("branches", "report.no_branches"), ("grids", "report.no_grids"),
                              ("checkpoints", "report.no_checkpoints")):
                if not s[part]["total"]:
                    brief.scope_notes.append(i18n.t(key, lang))
        brief.training = training_rows(s["training"], targets, lang)
        brief.indicators = [(i18n.enum_label(contract.INDICATORS, k, lang), i18n.fmt_num(v, lang))
                            for k, v in s["indicators"].items() if v is not None]

        noncompliant = metrics.noncompliant_branches(con, metrics.Scope(week, township))
        gaps = metrics.checkpoint_gaps(con, metrics.Scope(week, township))
        grids = metrics.grids_needing_attention(con, metrics.Scope(week, township))
        cp_status = metrics.checkpoint_status(con, metrics.Scope(week, township))

        # Briefing notes: the scope first, then (for the county) every township.
        brief.briefs.append((scope, township_brief(s, change, base["kind"], targets, noncompliant,
                                                   gaps, cp_status, grids, lang)))
        if county:
            for t in towns["township_id"]:
                s_t = metrics.summary(con, metrics.Scope(week, t))
                base_t = metrics.baseline_summary(con, metrics.Scope(week, t), store=store)
                brief.briefs.append((names[t], township_brief(
                    s_t, metrics.summary_change(s_t, base_t["summary"]), base_t["kind"],
                    metrics.targets(con, metrics.Scope(week, t)), _for(noncompliant, t), _for(gaps, t),
                    _for(cp_status, t), _for(grids, t), lang)))

        brief.attention = attention_lists(noncompliant, gaps, grids, towns, s, lang, county)
        brief.quality = quality.summary_line(quality.warnings(con, week, township), lang)
        brief.charts = charts(con, s, targets, week, township, towns, cp_status, lang)
        return brief
    finally:
        con.close()


def charts(con, s: dict, targets: dict, week: dt.date, township: str | None,
           towns: pd.DataFrame, cp_status: pd.DataFrame, lang: str) -> list[tuple[str, go.Figure]]:
    """(title, figure) of the briefing's charts, built by dashboard.charts."""
    out = []

    trend = metrics.weekly_trend(con, metrics.Scope(week, township), weeks=TREND_WEEKS)
    cols = ["compliance_rate", "visit_rate", "coverage_rate"]
    if trend[cols].notna().any().any():
        fig = _sized(common.weekly_trend(trend, lang), 270, top=30)
        # A township without grids (or checkpoints) has no such line: no empty legend entry.
        fig.data = [tr for tr in fig.data
                    if tr.y is None or any(v is not None and v == v for v in tr.y)]
        # On paper the weeks' differences must show: the axis starts near the lowest rate.
        low = min(float(v) for c in cols for v in trend[c] if v is not None and v == v)
        floor = max(0.0, min(0.9, int(low * 20) / 20 - 0.05))
        fig.update_yaxes(range=[floor, 1.015], dtick=0.05 if floor >= 0.5 else None)
        out.append((i18n.t("report.chart.trend", lang), fig))

    if s["training"]["sessions"]:
        fig = _sized(training_charts.kind_progress(s["training"], targets, "sessions", lang), 230)
        out.append((i18n.t("training.progress_sessions", lang), fig))

    if s["branches"]["total"]:
        target = targets.get("branches.compliance_rate")
        if township is None:
            fig = branch_charts.compliance_by_township(
                metrics.compliance_by_township(con, metrics.Scope(week)), towns, target, lang)
            out.append((i18n.t("branches.by_township", lang),
                        _sized(fig, max(160, 40 + 40 * len(fig.data[0].y)))))
        else:
            ctrend = metrics.compliance_trend(con, metrics.Scope(week, township))
            if len(ctrend):
                out.append((i18n.t("branches.trend", lang),
                            _sized(branch_charts.compliance_trend(ctrend, target, lang), 300)))

    gap_rows = cp_charts.heatmap_shown(cp_charts.heatmap_rows(cp_status, only_gaps=True))
    if len(gap_rows):
        hourly = metrics.checkpoint_hourly(con, metrics.Scope(week, township),
                                           checkpoints=tuple(gap_rows["checkpoint_id"]))
        out.append((i18n.t("report.chart.gaps", lang),
                    _sized(cp_charts.heatmap(hourly, gap_rows, week, lang), top=40)
                    # The 6-hour marks point into the plot, not through the day labels above it.
                    .update_xaxes(minor_ticks="inside")))

    geo = metrics.geo_features(con, layer="townships")
    status = metrics.branch_status(con, metrics.Scope(week, township))
    if len(status) or len(cp_status):            # nothing to place on a bare outline
        map_towns = towns if township is None else _for(towns, township)
        fig = print_map.county_map(geo, map_towns, status, cp_status, lang, township,
                                   width=CHART_WIDTH, height=440, fit_height=True)
        out.append((i18n.t("report.chart.map", lang), fig))
    return out


# ---------------------------------------------------------------- HTML
CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm;
        @bottom-center { content: counter(page) " / " counter(pages);
                         font: 8pt "Noto Sans CJK SC", sans-serif; color: #757575; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font-size: 10pt; line-height: 1.5; color: #212121; }
header { border-bottom: 3px solid #b71c1c; padding-bottom: 6px; margin-bottom: 10px; }
h1 { font-size: 20pt; margin: 0; color: #b71c1c; letter-spacing: 0.04em; }
.scope { font-size: 13pt; font-weight: bold; margin-top: 2px; }
.meta { font-size: 8.5pt; color: #616161; }
h2 { font-size: 13pt; margin: 14px 0 6px; padding-left: 8px; border-left: 5px solid #b71c1c;
     break-after: avoid; }
h3 { font-size: 10.5pt; margin: 8px 0 4px; break-after: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid #cfd8dc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eceff1; font-weight: bold; white-space: nowrap; }
td.status { white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.name { white-space: nowrap; }
td .detail { display: block; font-size: 7.5pt; color: #616161; }
.good { color: #2e7d32; font-weight: bold; }
.warn { color: #e65100; font-weight: bold; }
.bad { color: #c62828; font-weight: bold; }
td.more { text-align: left; color: #616161; font-style: italic; }
.note { font-size: 8.5pt; color: #616161; margin: 4px 0 0; }
.block { break-inside: avoid; }
.indicators { display: grid; grid-template-columns: repeat(4, 1fr); gap: 4px; }
.indicators div { border: 1px solid #cfd8dc; padding: 3px 6px; font-size: 8.5pt; }
.indicators b { display: block; font-size: 11pt; }
.brief { margin: 0 0 7px; line-height: 1.6; text-align: justify; }
.brief b { color: #b71c1c; }
.list { break-inside: avoid-page; margin-bottom: 8px; }
.list h3.alert { color: #c62828; }
.list p { margin: 2px 0; }
.chart { break-inside: avoid; margin-bottom: 6px; }
.chart .plot { width: 686px; }
.page-break { break-before: page; }
"""

SCRIPT = """
document.querySelectorAll('[data-figure]').forEach(function (el) {
  var fig = JSON.parse(document.getElementById(el.dataset.figure).textContent);
  try {
    Plotly.newPlot(el, fig.data, fig.layout, {staticPlot: true, displayModeBar: false});
  } catch (e) {
    el.textContent = 'chart failed: ' + e;
  }
});
"""


@cache
def _plotly_js() -> str:
    return plotly.offline.get_plotlyjs()


def _figure_json(fig: go.Figure) -> str:
    """A figure as JSON safe inside <script>: no "<", ">" or "&" (JSON escapes them)."""
    return (fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _table(columns: list[str], rows: list[list], num_cols: set[int] = frozenset(),
           more: str = "", name_cols: set[int] = frozenset()) -> str:
    """An HTML table; num_cols align right, name_cols (names of places) never wrap."""
    def cls(i):
        return "num" if i in num_cols else "name" if i in name_cols else ""
    head = "".join(f'<th class="{"num" if i in num_cols else ""}">{_esc(c)}</th>'
                   for i, c in enumerate(columns))
    body = []
    for row in rows:
        body.append("<tr>" + "".join(f'<td class="{cls(i)}">{_esc(v)}</td>'
                                     for i, v in enumerate(row)) + "</tr>")
    if more:
        body.append(f'<tr><td class="more" colspan="{len(columns)}">{_esc(more)}</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(brief: Briefing) -> str:
    """The briefing as one self-contained HTML page (inline CSS, plotly.js and figures)."""
    lang = brief.lang
    t = lambda key, **kw: i18n.t(key, lang, **kw)          # noqa: E731
    parts = ["<header>", f"<h1>{_esc(t('report.title'))}</h1>",
             f'<div class="scope">{_esc(brief.scope)}'
             + (" · " + _esc(t("data.as_of", start=i18n.fmt_date(brief.week, lang),
                               end=i18n.fmt_date(brief.week + dt.timedelta(days=6), lang)))
                if brief.week else "") + "</div>"]
    meta = []
    if brief.version_text:
        meta.append(brief.version_text)
    meta.append(t("report.generated", at=dt.datetime.now().strftime("%Y-%m-%d %H:%M")))
    parts.append(f'<div class="meta">{" · ".join(_esc(m) for m in meta)}</div></header>')

    if brief.version is None:
        parts.append(f"<p>{_esc(t('report.empty'))}</p>")
        return _page(parts, [], lang)

    # Key figures
    change_col = t("report.col.change_meeting" if brief.base_kind == "pinned"
                   else "report.col.change_week")
    head = [t("report.col.metric"), t("report.col.value"), t("report.col.target"),
            t("report.col.status"), change_col]
    rows = []
    for k in brief.kpis:
        detail = f'<span class="detail">{_esc(k.detail)}</span>' if k.detail else ""
        rows.append(f"<tr><td>{_esc(k.label)}</td><td class=\"num\">{_esc(k.value)}{detail}</td>"
                    f'<td class="num">{_esc(k.target)}</td>'
                    f'<td class="status {k.tone}">{_esc(k.status)}</td>'
                    f'<td class="num">{_esc(k.change)}</td></tr>')
    heads = "".join(f'<th class="{"num" if i in (1, 2, 4) else ""}">{_esc(h)}</th>'
                    for i, h in enumerate(head))
    parts.append(f"<h2>{_esc(t('report.kpi'))}</h2>")
    parts.append(f"<table class=\"kpi\"><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}"
                 "</tbody></table>")
    for note in [brief.base_text, *brief.scope_notes]:
        parts.append(f'<p class="note">{_esc(note)}</p>')

    # Training against the year's targets, then the border-defence indicators
    parts.append(f'<div class="block"><h2>{_esc(t("report.training"))}</h2>')
    head = [t("report.col.kind"), t("report.col.sessions"), t("report.col.target"),
            t("report.col.attendees"), t("report.col.target"), t("report.col.status")]
    body = []
    for *cells, tone in brief.training:
        body.append("<tr>" + "".join(
            f'<td class="{"num" if 1 <= i <= 4 else tone if i == 5 else ""}">{_esc(v)}</td>'
            for i, v in enumerate(cells)) + "</tr>")
    heads = "".join(f'<th class="{"num" if 1 <= i <= 4 else ""}">{_esc(h)}</th>'
                    for i, h in enumerate(head))
    parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    if brief.township is not None:
        parts.append(f'<p class="note">{_esc(t("training.county_note"))}</p>')
    parts.append("</div>")
    if brief.indicators:
        parts.append(f'<div class="block"><h2>{_esc(t("overview.indicators"))}</h2>'
                     '<div class="indicators">')
        parts += [f"<div>{_esc(label)}<b>{_esc(value)}</b></div>" for label, value in brief.indicators]
        parts.append("</div></div>")

    # Briefing notes
    parts.append(f"<h2>{_esc(t('report.briefs'))}</h2>")
    sep = "：" if lang == "zh" else ": "
    for name, text in brief.briefs:
        parts.append(f'<p class="brief"><b>{_esc(name)}</b>{sep}{_esc(text)}</p>')

    # Needs attention
    parts.append(f"<h2>{_esc(t('report.attention'))}</h2>")
    if all(item["skip"] for item in brief.attention):
        parts.append(f"<p>{_esc(t('overview.attention_none'))}</p>")
    for item in brief.attention:
        if item["skip"]:
            continue
        parts.append('<div class="list">')
        if item["count"]:
            parts.append(f'<h3 class="alert">{_esc(item["title"])}</h3>')
            parts.append(_table(item["columns"], item["rows"], item["num_cols"], item["more"],
                                item.get("name_cols", set())))
        else:
            parts.append(f"<p>{_esc(item['empty'])}</p>")
        parts.append("</div>")
    if brief.quality:
        parts.append(f'<p class="note quality">{_esc(brief.quality)}</p>')

    # Charts
    figures = []
    if brief.charts:
        parts.append(f'<h2>{_esc(t("report.charts"))}</h2>')
        for i, (title, fig) in enumerate(brief.charts):
            figures.append((f"fig-{i}", fig))
            parts.append(f'<div class="chart"><h3>{_esc(title)}</h3>'
                         f'<div class="plot" data-figure="fig-{i}"></div></div>')
    return _page(parts, figures, lang)


# Chinese is set in Noto Sans CJK throughout; English in Liberation Sans (its quotes and
# spacing are Latin ones), with Noto Sans CJK for the Chinese proper names in the data.
FONTS = {"zh": '"Noto Sans CJK SC", "Noto Sans CJK", "Source Han Sans SC", sans-serif',
         "en": '"Liberation Sans", Arial, "Noto Sans CJK SC", "Noto Sans CJK", sans-serif'}


def _page(parts: list[str], figures: list[tuple[str, go.Figure]], lang: str) -> str:
    for _, fig in figures:
        fig.update_layout(font_family=FONTS[lang].replace('"', ""))
    data = "".join(f'<script type="application/json" id="{fid}">{_figure_json(fig)}</script>'
                   for fid, fig in figures)
    scripts = (f"<script>{_plotly_js()}</script>{data}<script>{SCRIPT}</script>"
               if figures else "")
    return ("<!DOCTYPE html>\n"
            f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            # Nothing may be fetched: inline styles and scripts only, images from data: URLs.
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:\">"
            f"<title>{_esc(i18n.t('report.title', lang))}</title><style>{CSS}"
            f"body {{ font-family: {FONTS[lang]}; }}"
            + ("" if lang == "zh" else ".brief { text-align: left; }") + "</style></head>"
            f"<body>{''.join(parts)}{scripts}</body></html>")


# ---------------------------------------------------------------- PDF
def chromium_path() -> str:
    """The Chromium to print with: $DASHBOARD_CHROMIUM, default /usr/bin/chromium."""
    wanted = os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM
    found = shutil.which(wanted)
    if not found:
        raise ReportError(
            f"未找到 Chromium（{wanted}），无法生成 PDF。请安装 Debian 软件包 chromium，"
            f"或用环境变量 {CHROMIUM_ENV} 指定其路径。 / "
            f"Chromium not found at {wanted!r}: cannot print the PDF. Install the Debian package "
            f"chromium, or set {CHROMIUM_ENV} to its path.")
    return found


def html_to_pdf(page: str, timeout: float = CHROMIUM_TIMEOUT) -> bytes:
    """Print an HTML page to an A4 PDF with headless Chromium (no network, own profile)."""
    chromium = chromium_path()
    with tempfile.TemporaryDirectory(prefix="dashboard-report-") as tmp:
        tmp = Path(tmp)
        source, out = tmp / "briefing.html", tmp / "briefing.pdf"
        source.write_text(page, encoding="utf-8")
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--no-default-browser-check", "--disable-sync",
               "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--user-data-dir={tmp / 'profile'}", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", "--virtual-time-budget=3000", source.as_uri()]
        env = dict(os.environ, HOME=str(tmp), XDG_CONFIG_HOME=str(tmp / "config"),
                   XDG_CACHE_HOME=str(tmp / "cache"))
        # Its own process group, so that a hung Chromium is stopped with all its children.
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ReportError(f"Chromium did not finish printing within {timeout:.0f} s") from None
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-5:]
            raise ReportError(f"Chromium failed to print the PDF (exit {proc.returncode}): "
                              + " | ".join(tail))
        return out.read_bytes()


def build_html(store: Store, week: dt.date | None = None, township: str | None = None,
               lang: str = i18n.DEFAULT_LANG) -> str:
    return render_html(collect(store, week, township, lang))


def build_pdf(store: Store, week: dt.date | None = None, township: str | None = None,
              lang: str = i18n.DEFAULT_LANG) -> bytes:
    """The weekly briefing of `township` (None: the whole county) for `week` (None: the latest
    week with data) as A4 PDF bytes, in Chinese or English. Raises ValueError for a week that
    is not a Monday or an unknown township, ReportError when Chromium cannot print."""
    chromium_path()                     # fail before the work when there is nothing to print with
    page = build_html(store, week, township, lang)
    return html_to_pdf(page)
