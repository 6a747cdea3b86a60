"""The briefing's content: every figure, list and chart it shows, gathered from
dashboard.metrics on the live version (the same computation as the pages and
`summary --json`), the key figures read through dashboard.kpis. No HTML here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from .. import contract, i18n, kpis, ledger, metrics, places, quality, reporting
from ..charts import branches as branch_charts
from ..charts import checkpoints as cp_charts
from ..charts import common, print_map
from ..charts import training as training_charts
from ..store import Store
from .brief import join, ledger_paragraph, township_brief

LIST_CAP = 12  # rows of an attention list before "…及其他N项"
TREND_WEEKS = 12
CHART_WIDTH = 686  # px: A4 (210 mm) less 2 × 14 mm margins, at 96 px per inch


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


@dataclass
class KpiRow:
    """A row of the key-figures table, as printed."""

    label: str
    value: str
    detail: str = ""
    target: str = "—"
    status: str = "—"
    tone: str = ""  # good / warn / bad / "" (no target)
    change: str = "—"


@dataclass
class Briefing:
    lang: str
    scope: str  # the county or the township's name
    township: str | None
    week: dt.date | None = None
    version: int | None = None
    version_text: str = ""
    base_text: str = ""
    base_kind: str | None = None
    kpis: list[KpiRow] = field(default_factory=list)
    scope_notes: list[str] = field(default_factory=list)
    training: list[list[str]] = field(default_factory=list)
    indicators: list[tuple[str, str]] = field(default_factory=list)
    briefs: list[tuple[str, str]] = field(default_factory=list)
    attention: list[dict] = field(default_factory=list)
    quality: str = ""  # data quality warnings counted per kind (issue 10 §3)
    # the rectification ledger (issue 20 §1): title, paragraph, columns, rows (the most
    # serious open items), more (a line saying the rows are the first of how many, or "");
    # {} on an empty store
    ledger: dict = field(default_factory=dict)
    charts: list[tuple[str, go.Figure]] = field(default_factory=list)


def kpi_rows(s: dict, change: dict, base: dict | None, targets: dict, lang: str) -> list[KpiRow]:
    """Every key figure of dashboard.kpis the scope has, with target, status and change, in
    the list's order (the overview's). Figures of an empty scope (a township without grids,
    checkpoints or branches) are left out rather than shown as "—" rows."""
    return [
        KpiRow(
            r.label,
            r.value,
            r.detail,
            r.target_text,
            r.status_text,
            r.status.tone,
            r.change.amount if r.change is not None else i18n.t("na", lang),
        )
        for r in kpis.readings(s, targets, change, base, lang)
    ]


def training_rows(training: dict, targets: dict, lang: str) -> list[list[str]]:
    """Per training kind: kind, sessions, target, person-times, target, status; then totals."""
    rows = []
    for code in contract.TRAINING_KINDS:
        done = training[code]
        t_s = targets.get(f"training.{code}.sessions")
        t_a = targets.get(f"training.{code}.attendees")
        checks = [
            kpis.status(done[k], tgt, year_to_date=True)
            for k, tgt in (("sessions", t_s), ("attendees", t_a))
            if tgt is not None
        ]
        # Both targets met is done; otherwise the one still short speaks.
        said = next((st for st in checks if not st.met), checks[0] if checks else kpis.Status("none"))
        status, tone = kpis.status_text(said, lang, year_to_date=True), said.tone
        rows.append(
            [
                i18n.enum_label(contract.TRAINING_KINDS, code, lang),
                i18n.fmt_int(done["sessions"]),
                i18n.fmt_num(t_s, lang),
                i18n.fmt_int(done["attendees"]),
                i18n.fmt_num(t_a, lang),
                status,
                tone,
            ]
        )
    rows.append(
        [
            i18n.t("report.col.total", lang),
            i18n.fmt_int(training["sessions"]),
            "",
            i18n.fmt_int(training["attendees"]),
            "",
            "",
            "",
        ]
    )
    return rows


def _capped(rows: list[list[str]], lang: str) -> tuple[list[list[str]], str]:
    if len(rows) <= LIST_CAP:
        return rows, ""
    return rows[:LIST_CAP], i18n.t("report.more", lang, n=len(rows) - LIST_CAP)


def attention_lists(
    noncompliant: pd.DataFrame,
    gaps: pd.DataFrame,
    grids: pd.DataFrame,
    towns: pd.DataFrame,
    totals: dict,
    lang: str,
    county: bool,
) -> list[dict]:
    """The three lists of the overview's "needs attention", as table rows: non-compliant
    branches and their failed criteria, checkpoint gaps (from, to, hours, short by), grids not
    reporting, unstaffed or below target. Long lists are cut at LIST_CAP rows. A list is left
    out ("skip") where the scope has no branches, checkpoints or grids at all; totals: summary().
    """
    out = []
    names = places.township_names(towns, lang)

    table = branch_charts.noncompliant_table(noncompliant, towns, lang)
    table = table.drop(
        columns=[i18n.t("branches.col.code", lang)] + ([] if county else [i18n.t("col.township", lang)])
    )
    rows, more = _capped([[str(v) for v in r] for r in table.itertuples(index=False)], lang)
    out.append(
        {
            "title": i18n.t("attention.branches", lang, n=len(noncompliant)),
            "columns": list(table.columns),
            "rows": rows,
            "more": more,
            "empty": i18n.t("report.none_branches", lang, n=i18n.fmt_int(totals["branches"]["total"])),
            "count": len(noncompliant),
            "num_cols": set(),
            "name_cols": {0},
            "skip": not totals["branches"]["total"],
        }
    )

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
    out.append(
        {
            "title": i18n.t(
                "attention.gaps",
                lang,
                n=len(gaps),
                hours=i18n.fmt_int(gaps["hours"].sum() if len(gaps) else 0),
            ),
            "columns": list(table.columns),
            "rows": rows,
            "more": more,
            "empty": i18n.t("report.none_gaps", lang),
            "count": len(gaps),
            "num_cols": {len(table.columns) - 2, len(table.columns) - 1},
            "name_cols": {0},
            "skip": not totals["checkpoints"]["total"],
        }
    )

    order = {r: i for i, r in enumerate(metrics.GRID_REASONS)}
    ranked = grids.assign(_rank=[order[r] for r in grids["reason"]]).sort_values(
        ["_rank", "visit_rate", "grid_id"], na_position="first"
    )
    columns = ([i18n.t("col.township", lang)] if county else []) + [
        i18n.t("col.grid", lang),
        i18n.t("col.reason", lang),
        i18n.t("col.visit_rate", lang),
        i18n.t("col.visited", lang),
    ]
    rows = []
    for r in ranked.itertuples():
        reasons = join([i18n.t(f"reason.{k}", lang) for k in r.reasons], lang)
        visited = f"{i18n.fmt_int(r.households_visited)} / {i18n.fmt_int(r.households)}"
        rows.append(
            ([names.get(r.township_id, r.township_id)] if county else [])
            + [r.name, reasons, i18n.fmt_rate(r.visit_rate, lang), visited]
        )
    rows, more = _capped(rows, lang)
    out.append(
        {
            "title": i18n.t("attention.grids", lang, n=len(grids)),
            "columns": columns,
            "rows": rows,
            "more": more,
            "empty": i18n.t("report.none_grids", lang),
            "count": len(grids),
            "skip": not totals["grids"]["total"],
            "num_cols": {len(columns) - 2, len(columns) - 1},
            "name_cols": {len(columns) - 4},
        }
    )
    return out


def _for(df: pd.DataFrame, township: str) -> pd.DataFrame:
    return df[df["township_id"] == township]


def _sized(fig: go.Figure, height: int | None = None, top: int = 10) -> go.Figure:
    """A page-wide figure; the chart's title is the HTML heading above it, so the plot needs
    room on top only for a legend or axis labels placed there."""
    fig.update_layout(
        width=CHART_WIDTH, margin=dict(l=10, r=10, t=top, b=10), **({"height": height} if height else {})
    )
    return fig


LEDGER_ROWS = 12


def ledger_section(store: Store, week: dt.date, township: str | None, names: dict, lang: str) -> dict:
    """The ledger as of the week's reporting deadline (capped at now): a paragraph written
    from its counts, and its most serious open items (escalated and overdue first)."""
    found = ledger.items(store, as_of=ledger.page_as_of(week), township=township)
    pinned = store.last_pinned(before=store.current())
    closed = len(ledger.closed_since(store, found, pinned))
    live = [i for i in found if i.status != "closed"]
    rows = [
        [
            i18n.t(f"ledger.status.{i.status}", lang)
            + (f" · {i18n.t('ledger.escalated', lang)}" if i.escalated else ""),
            names.get(i.township_id, i.township_id),
            i18n.t(f"ledger.kind.{i.kind}", lang),
            i.name + (f" · {i18n.enum_label(contract.CRITERIA, i.criterion, lang)}" if i.criterion else ""),
            i18n.fmt_date(i.deadline, lang),
        ]
        for i in live[:LEDGER_ROWS]
    ]
    return {
        "title": i18n.t("page.ledger", lang),
        "paragraph": ledger_paragraph(ledger.counts(found), closed, pinned is not None, lang),
        "columns": [
            i18n.t(f"ledger.col.{c}", lang) for c in ("state", "township", "kind", "what", "deadline")
        ],
        "rows": rows,
        "more": i18n.t("table.first_rows", lang, n=i18n.fmt_int(len(rows)), total=i18n.fmt_int(len(live)))
        if len(live) > len(rows)
        else "",
    }


def collect(
    store: Store,
    week: dt.date | None = None,
    township: str | None = None,
    lang: str = i18n.DEFAULT_LANG,
    now: dt.datetime | None = None,
) -> Briefing:
    """Everything the briefing shows, from dashboard.metrics on the live version; `now` (the
    real clock by default) tells a half-reported week."""
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown language {lang!r} (use {' or '.join(i18n.LANGS)})")
    version = store.current()
    con = store.connect()
    try:
        towns = metrics.townships(con)
        if township is not None and township not in set(towns["township_id"]):
            raise ValueError(f"no township {township!r} (known: {', '.join(sorted(towns['township_id']))})")
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
        brief.version_text = i18n.t(
            "report.version", lang, version=version, at=_stamp(record.get("created_at"))
        )
        if pin:
            brief.version_text += i18n.t("report.version_pinned", lang, label=pin["label"])
        base_week = i18n.fmt_date(base["week"], lang)
        brief.base_text = (
            i18n.t("report.base_meeting", lang, version=base["version"], label=base["label"], week=base_week)
            if base["kind"] == "pinned"
            else i18n.t("report.base_week", lang, week=base_week)
        )

        brief.kpis = kpi_rows(s, change, base, targets, lang)
        coverage = reporting.week_coverage(con, week, now or dt.datetime.now(reporting.TZ), township=township)
        if not coverage["all_in"]:  # a half-reported week: who is left out of the rates
            brief.scope_notes.append(
                i18n.t("week.coverage", lang, reported=coverage["reported"], expected=coverage["expected"])
                + i18n.t(
                    "week.kiosk_rule",
                    lang,
                    names=i18n.t("mapview.sep", lang).join(names.get(t, t) for t in coverage["not_reported"]),
                )
            )
        if not county:
            for part, key in (
                ("branches", "report.no_branches"),
                ("grids", "report.no_grids"),
                ("checkpoints", "report.no_checkpoints"),
            ):
                if not s[part]["total"]:
                    brief.scope_notes.append(i18n.t(key, lang))
        brief.training = training_rows(s["training"], targets, lang)
        brief.indicators = [
            (i18n.enum_label(contract.INDICATORS, k, lang), i18n.fmt_num(v, lang))
            for k, v in s["indicators"].items()
            if v is not None
        ]

        noncompliant = metrics.noncompliant_branches(con, metrics.Scope(week, township))
        gaps = metrics.checkpoint_gaps(con, metrics.Scope(week, township))
        grids = metrics.grids_needing_attention(con, metrics.Scope(week, township))
        cp_status = metrics.checkpoint_status(con, metrics.Scope(week, township))

        # Briefing notes: the scope first, then (for the county) every township.
        brief.briefs.append(
            (
                scope,
                township_brief(s, change, base["kind"], targets, noncompliant, gaps, cp_status, grids, lang),
            )
        )
        if county:
            for t in towns["township_id"]:
                s_t = metrics.summary(con, metrics.Scope(week, t))
                base_t = metrics.baseline_summary(con, metrics.Scope(week, t), store=store)
                brief.briefs.append(
                    (
                        names[t],
                        township_brief(
                            s_t,
                            metrics.summary_change(s_t, base_t["summary"]),
                            base_t["kind"],
                            metrics.targets(con, metrics.Scope(week, t)),
                            _for(noncompliant, t),
                            _for(gaps, t),
                            _for(cp_status, t),
                            _for(grids, t),
                            lang,
                        ),
                    )
                )

        brief.attention = attention_lists(noncompliant, gaps, grids, towns, s, lang, county)
        brief.quality = quality.summary_line(quality.warnings(con, week, township), lang)
        brief.ledger = ledger_section(store, week, township, names, lang)
        brief.charts = charts(con, s, targets, week, township, towns, cp_status, lang)
        return brief
    finally:
        con.close()


def charts(
    con,
    s: dict,
    targets: dict,
    week: dt.date,
    township: str | None,
    towns: pd.DataFrame,
    cp_status: pd.DataFrame,
    lang: str,
) -> list[tuple[str, go.Figure]]:
    """(title, figure) of the briefing's charts, built by dashboard.charts."""
    out = []

    trend = metrics.weekly_trend(con, metrics.Scope(week, township), weeks=TREND_WEEKS)
    cols = ["compliance_rate", "visit_rate", "coverage_rate"]
    if trend[cols].notna().any().any():
        fig = _sized(common.weekly_trend(trend, lang), 270, top=30)
        # A township without grids (or checkpoints) has no such line: no empty legend entry.
        fig.data = [tr for tr in fig.data if tr.y is None or any(v is not None and v == v for v in tr.y)]
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
                metrics.compliance_by_township(con, metrics.Scope(week)), towns, target, lang
            )
            out.append(
                (i18n.t("branches.by_township", lang), _sized(fig, max(160, 40 + 40 * len(fig.data[0].y))))
            )
        else:
            ctrend = metrics.compliance_trend(con, metrics.Scope(week, township))
            if len(ctrend):
                out.append(
                    (
                        i18n.t("branches.trend", lang),
                        _sized(branch_charts.compliance_trend(ctrend, target, lang), 300),
                    )
                )

    gap_rows = cp_charts.heatmap_shown(cp_charts.heatmap_rows(cp_status, only_gaps=True))
    if len(gap_rows):
        hourly = metrics.checkpoint_hourly(
            con, metrics.Scope(week, township), checkpoints=tuple(gap_rows["checkpoint_id"])
        )
        out.append(
            (
                i18n.t("report.chart.gaps", lang),
                _sized(cp_charts.heatmap(hourly, gap_rows, week, lang), top=40)
                # The 6-hour marks point into the plot, not through the day labels above it.
                .update_xaxes(minor_ticks="inside"),
            )
        )

    geo = metrics.geo_features(con, layer="townships")
    status = metrics.branch_status(con, metrics.Scope(week, township))
    if len(status) or len(cp_status):  # nothing to place on a bare outline
        map_towns = towns if township is None else _for(towns, township)
        fig = print_map.county_map(
            geo, map_towns, status, cp_status, lang, township, width=CHART_WIDTH, height=440, fit_height=True
        )
        out.append((i18n.t("report.chart.map", lang), fig))
    return out
