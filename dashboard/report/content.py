"""The briefing's content: every figure, list and chart it shows, gathered from
dashboard.metrics on the live version (the same computation as the pages and
`summary --json`), the key figures read through dashboard.kpis, laid out as a 简报's
sections (一、总体情况 二、存在问题 三、下步工作) that every rendering (HTML/PDF, docx) walks
in order. No HTML here.

A briefing covers a Period: one week (简报), a month (月报) or a quarter (季度报告). A period's
weeks are the weeks whose Monday falls in it; its figures are those of its last week with data,
compared with its first week; its trainings are the activities held within its dates.
第 N 期 (the issue number) is the ISO week of the year for a week (2021-12-27 is 2021年第52期),
the month for a month and the quarter for a quarter.
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
from . import sections as rules
from .brief import join, ledger_paragraph, township_parts

TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, the date a briefing is issued on
LIST_CAP = 12  # rows of an attention list before "…及其他N项"
TREND_WEEKS = 12
CHART_WIDTH = 590  # px: the text width of A4 less the 公文 margins (210 - 28 - 26 mm), at 96 px per inch


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


@dataclass(frozen=True)
class Period:
    """What a briefing covers: kind "week" | "month" | "quarter", its first and last day."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def issue(self) -> tuple[int, int]:
        """(year, number) of 第 N 期: ISO week, month or quarter of the year."""
        if self.kind == "week":
            iso = self.start.isocalendar()
            return iso.year, iso.week
        if self.kind == "month":
            return self.start.year, self.start.month
        return self.start.year, (self.start.month - 1) // 3 + 1

    def mondays(self) -> list[dt.date]:
        """The Mondays in the period (a week belongs to the period its Monday falls in)."""
        first = self.start + dt.timedelta(days=(7 - self.start.weekday()) % 7)
        out = []
        while first <= self.end:
            out.append(first)
            first += dt.timedelta(days=7)
        return out


def week_period(week: dt.date) -> Period:
    return Period("week", week, week + dt.timedelta(days=6))


def month_period(text: str) -> Period:
    """ "2021-11" -> November 2021."""
    try:
        year, month = (int(x) for x in text.split("-"))
        start = dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"not a month {text!r} (use YYYY-MM, e.g. 2021-11)") from None
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period("month", start, nxt - dt.timedelta(days=1))


def quarter_period(text: str) -> Period:
    """ "2021Q4" -> October to December 2021."""
    try:
        year, q = text.upper().split("Q")
        year, q = int(year), int(q)
        if not 1 <= q <= 4:
            raise ValueError
    except ValueError:
        raise ValueError(f"not a quarter {text!r} (use YYYYQn, e.g. 2021Q4)") from None
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return Period("quarter", start, end)


@dataclass
class Block:
    """One piece of a section: "sub" a （一） heading, "para" a body paragraph, "named" a
    paragraph led by a place's name, "note" a line in small print, "table" one of the
    briefing's tables (text names it: kpis, training, period_training, attention, ledger)."""

    kind: str
    text: str = ""
    name: str = ""


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
    period: Period | None = None
    first_week: dt.date | None = None  # a month's or quarter's first week with data
    issued_on: dt.date = field(default_factory=lambda: dt.datetime.now(TZ).date())
    sections: list[tuple[str, list[Block]]] = field(default_factory=list)
    period_training: list[list[str]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.period.kind if self.period else "week"

    @property
    def title(self) -> str:
        return i18n.t(f"report.title.{self.kind}", self.lang)

    @property
    def issue_text(self) -> str:
        """ "2021年第52期" (empty on an empty store)."""
        if self.period is None:
            return ""
        year, n = self.period.issue
        return i18n.t("report.issue", self.lang, year=year, n=n)

    @property
    def date_text(self) -> str:
        return i18n.fmt_date(self.issued_on, self.lang)

    @property
    def file_stem(self) -> str:
        """The file name a clerk keeps: 孟连县边境党建工作简报-2021年第52期 (a township's
        adds its name)."""
        year, n = self.period.issue if self.period else (self.issued_on.year, 0)
        scope = i18n.t("report.file_scope", self.lang, name=self.scope) if self.township else ""
        return i18n.t(f"report.file.{self.kind}", self.lang, scope=scope, year=year, n=n)


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


def ledger_section(
    store: Store, week: dt.date, township: str | None, names: dict, lang: str, period: Period | None = None
) -> dict:
    """The ledger as of the week's reporting deadline (capped at now): a paragraph written
    from its counts, and its most serious open items (escalated and overdue first); for the
    briefing's table, its overdue items; for a month or a quarter, how many items were opened
    and closed within the period's weeks."""
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
        "overdue": [r for r, i in zip(rows, live, strict=False) if i.status == "overdue"],
        "overdue_total": sum(i.status == "overdue" for i in live),
        "overdue_towns": _ranked_towns([i.township_id for i in live if i.status == "overdue"], names),
        "period": None
        if period is None or period.kind == "week"
        else {
            "opened": sum(period.start <= i.opened_week <= period.end for i in found),
            "closed": sum(
                i.closed_week is not None and period.start <= i.closed_week <= period.end for i in found
            ),
        },
    }


def _ranked_towns(township_ids: list[str], names: dict) -> list[str]:
    """Township names, the one with the most items first (then in the county's order)."""
    order = list(names)
    counts = pd.Series(township_ids, dtype=object).value_counts()
    return [
        names.get(t, t)
        for t in sorted(counts.index, key=lambda t: (-counts[t], order.index(t) if t in order else 99))
    ]


def collect(
    store: Store,
    week: dt.date | None = None,
    township: str | None = None,
    lang: str = i18n.DEFAULT_LANG,
    period: Period | None = None,
    now: dt.datetime | None = None,
) -> Briefing:
    """Everything the briefing shows, from dashboard.metrics on the live version: the week's
    (`week`, None: the latest complete week) or, with `period`, a month's or a quarter's; `now`
    (the real clock by default) tells a half-reported week."""
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
        brief = Briefing(lang=lang, scope=scope, township=township, version=version, period=period)
        if version is None:
            return brief
        county = township is None

        first = None
        if period is not None and period.kind != "week":
            available = set(metrics.available_weeks(con, metrics.Scope(None, township)))
            weeks = [w for w in period.mondays() if w in available]
            if not weeks:
                raise ValueError(
                    f"no week with data from {period.start} to {period.end}"
                    f" / {i18n.fmt_date(period.start, 'zh')}至{i18n.fmt_date(period.end, 'zh')}没有数据"
                )
            first, week = weeks[0], weeks[-1]
            brief.first_week = first

        s = metrics.summary(con, metrics.Scope(week, township))
        week = dt.date.fromisoformat(s["week_start"])
        brief.week = week
        if brief.period is None:
            brief.period = week_period(week)
        kind = brief.kind
        targets = metrics.targets(con, metrics.Scope(week, township))
        if first is None:
            base = metrics.baseline_summary(con, metrics.Scope(week, township), store=store)
        else:  # a month or a quarter: its last week against its first
            base = {
                "kind": kind,
                "summary": metrics.summary(con, metrics.Scope(first, township)),
                "week": first,
                "label": i18n.t(f"brief.base_{kind}", lang),
                "version": version,
            }
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
            else i18n.t(f"report.base_{kind}", lang, week=base_week)
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
        scope_parts = township_parts(
            s, change, base["kind"], targets, noncompliant, gaps, cp_status, grids, lang
        )
        brief.briefs.append((scope, _note(scope_parts, lang)))
        facts = []
        for t in towns["township_id"] if county else [township]:
            if county:
                s_t = metrics.summary(con, metrics.Scope(week, t))
                base_t = (
                    metrics.baseline_summary(con, metrics.Scope(week, t), store=store)
                    if first is None
                    else {"kind": kind, "summary": metrics.summary(con, metrics.Scope(first, t))}
                )
                parts_t = township_parts(
                    s_t,
                    metrics.summary_change(s_t, base_t["summary"]),
                    base_t["kind"],
                    metrics.targets(con, metrics.Scope(week, t)),
                    _for(noncompliant, t),
                    _for(gaps, t),
                    _for(cp_status, t),
                    _for(grids, t),
                    lang,
                    county=s,
                    name=names[t],
                )
                brief.briefs.append((names[t], _note(parts_t, lang)))
            else:
                s_t = s
            facts.append(
                rules.TownFacts(t, names[t], s_t, _for(noncompliant, t), _for(gaps, t), _for(grids, t))
            )

        brief.attention = attention_lists(noncompliant, gaps, grids, towns, s, lang, county)
        brief.quality = quality.summary_line(quality.warnings(con, week, township), lang)
        if first is not None:
            brief.period_training, period_sentence = period_training(
                metrics.training_activities(con, metrics.Scope(week, township)), brief.period, lang
            )
            compliance_sentence = period_compliance(con, brief.period, weeks, township, lang)
        else:
            period_sentence = compliance_sentence = ""
        brief.ledger = ledger_section(store, week, township, names, lang, brief.period)
        found = rules.findings(facts, lang)
        brief.sections = _sections(
            brief, scope_parts, found, period_sentence, compliance_sentence, county, lang
        )
        brief.charts = charts(
            con,
            s,
            targets,
            week,
            township,
            towns,
            cp_status,
            lang,
            trend_weeks=TREND_WEEKS if first is None else (week - first).days // 7 + 1,
        )
        return brief
    finally:
        con.close()


def _note(parts: list[tuple[str, str]], lang: str) -> str:
    if not parts:
        return i18n.t("brief.no_data", lang)
    return i18n.t("report.sep.sentence", lang).join(text for _, text in parts)


def period_training(activities: pd.DataFrame, period: Period, lang: str) -> tuple[list[list[str]], str]:
    """The trainings held within the period's dates: table rows per kind (kind, sessions,
    person-times, then the total) and the sentence that says them."""
    held = activities[(activities["held_on"] >= period.start) & (activities["held_on"] <= period.end)]
    sums = held.groupby("kind")[["sessions", "attendees"]].sum()
    when = i18n.t(f"report.in_{period.kind}", lang)
    rows, items = [], []
    for code in contract.TRAINING_KINDS:
        n, a = (
            (int(sums.loc[code, "sessions"]), int(sums.loc[code, "attendees"]))
            if code in sums.index
            else (0, 0)
        )
        rows.append([i18n.enum_label(contract.TRAINING_KINDS, code, lang), i18n.fmt_int(n), i18n.fmt_int(a)])
        if n:
            items.append(
                i18n.t(
                    "brief.training_item",
                    lang,
                    kind=i18n.enum_label(contract.TRAINING_KINDS, code, lang),
                    n=i18n.fmt_int(n),
                    unit=i18n.t(f"report.unit.{code}", lang),
                )
            )
    sessions, attendees = int(held["sessions"].sum()), int(held["attendees"].sum())
    rows.append([i18n.t("report.col.total", lang), i18n.fmt_int(sessions), i18n.fmt_int(attendees)])
    if not len(held):
        return rows, i18n.t("period.training_none", lang, when=when)
    return rows, i18n.t(
        "period.training",
        lang,
        when=when,
        sessions=i18n.fmt_int(sessions),
        attendees=i18n.fmt_int(attendees),
        items=join(items, lang),
    )


def period_compliance(con, period: Period, weeks: list[dt.date], township: str | None, lang: str) -> str:
    """Branch compliance over the period's weeks with data: in how many weeks every branch was
    up to standard, the lowest rate and its week, and how many branches fell short at any time
    of the period and still do at its end."""
    rates, short, last = [], set(), set()
    for w in weeks:
        s = metrics.summary(con, metrics.Scope(w, township))
        if not s["branches"]["total"]:
            continue
        rates.append((w, s["branches"]["compliance_rate"]))
        ids = set(metrics.noncompliant_branches(con, metrics.Scope(w, township))["branch_id"])
        short |= ids
        last = ids
    if not rates:
        return ""
    when = i18n.t(f"report.in_{period.kind}", lang)
    full = sum(1 for _, r in rates if r == 1)
    if full == len(rates):
        return i18n.t("period.compliance_all", lang, when=when, weeks=len(rates))
    low_week, low = min(rates, key=lambda x: (x[1], x[0]))
    return i18n.t(
        "period.compliance" if last else "period.compliance_end_ok",
        lang,
        when=when,
        weeks=len(rates),
        full=full,
        low=i18n.fmt_rate(low, lang),
        low_week=i18n.fmt_week(low_week, lang),
        short=len(short),
        still=len(last),
    )


SUBS = {  # a note's part -> its （一） heading
    "branches": "section.sub.branches",
    "grids": "section.sub.grids",
    "checkpoints": "section.sub.checkpoints",
    "training": "section.sub.training",
    "indicators": "section.sub.indicators",
}


def _sections(
    brief: Briefing,
    parts: list[tuple[str, str]],
    found: list,
    period_sentence: str,
    compliance_sentence: str,
    county: bool,
    lang: str,
) -> list[tuple[str, list[Block]]]:
    """The 简报's sections, in order: 一、总体情况 (the key figures, then the scope's note part
    by part under （一）…, then each township's paragraph), 二、存在问题, 三、下步工作."""
    kind = brief.kind
    numbers = i18n.t("section.numbers", lang).split(",")
    overview: list[Block] = []
    if kind != "week":
        overview.append(
            Block(
                "para",
                i18n.t(
                    "period.intro",
                    lang,
                    start=i18n.fmt_date(brief.period.start, lang),
                    end=i18n.fmt_date(brief.period.end, lang),
                    first=i18n.fmt_week(brief.first_week, lang),
                    last=i18n.fmt_week(brief.week, lang),
                    base=i18n.t(f"brief.base_{kind}", lang),
                ),
            )
        )
    overview.append(Block("table", "kpis"))
    by_part = dict(parts)
    if kind != "week":
        by_part["training"] = period_sentence
        if compliance_sentence:
            by_part["branches"] = by_part.get("branches", "") + compliance_sentence
    n = 0
    for part in SUBS:
        if not by_part.get(part):
            continue
        overview.append(Block("sub", numbers[n] + i18n.t(SUBS[part], lang)))
        n += 1
        overview.append(Block("para", by_part[part]))
        if part == "training":
            overview.append(Block("table", "training" if kind == "week" else "period_training"))
    if county and len(brief.briefs) > 1:
        overview.append(Block("sub", numbers[n] + i18n.t("section.sub.towns", lang)))
        overview += [Block("named", text, name) for name, text in brief.briefs[1:]]

    when = i18n.t(f"report.when_{kind}", lang)
    problems = [Block("para", text) for text in rules.problems(found, when, lang)]
    if any(not item["skip"] and item["count"] for item in brief.attention):
        problems.append(Block("table", "attention"))
    if brief.quality:  # what the data itself lacks (issue 10 §3), under the lists
        problems.append(Block("note", brief.quality))
    led = brief.ledger
    extra = []
    if led:  # the rectification ledger (issue 20): its paragraph, its overdue items
        problems.append(Block("para", led["paragraph"]))
        if led.get("period"):
            problems.append(
                Block(
                    "para",
                    i18n.t("period.ledger", lang, when=i18n.t(f"report.in_{kind}", lang), **led["period"]),
                )
            )
        if led.get("overdue"):
            problems.append(Block("table", "ledger"))
        if led.get("overdue_total"):
            extra.append(
                i18n.t(
                    "sections.step.ledger",
                    lang,
                    towns=join(led["overdue_towns"], lang),
                    n=i18n.fmt_int(led["overdue_total"]),
                )
            )
    steps = [Block("para", text) for text in rules.next_steps(found, lang, extra)]
    heads = [i18n.t(f"section.{k}.{kind}", lang) for k in ("overview", "problems", "steps")]
    return list(zip(heads, [overview, problems, steps], strict=True))


def charts(
    con,
    s: dict,
    targets: dict,
    week: dt.date,
    township: str | None,
    towns: pd.DataFrame,
    cp_status: pd.DataFrame,
    lang: str,
    trend_weeks: int = TREND_WEEKS,
) -> list[tuple[str, go.Figure]]:
    """(title, figure) of the briefing's charts, built by dashboard.charts."""
    out = []

    trend = metrics.weekly_trend(con, metrics.Scope(week, township), weeks=trend_weeks)
    cols = ["compliance_rate", "visit_rate", "coverage_rate"]
    if trend[cols].notna().any().any():
        fig = _sized(common.weekly_trend(trend, lang), 270, top=30)
        # A township without grids (or checkpoints) has no such line: no empty legend entry.
        fig.data = [tr for tr in fig.data if tr.y is None or any(v is not None and v == v for v in tr.y)]
        # On paper the weeks' differences must show: the axis starts near the lowest rate.
        low = min(float(v) for c in cols for v in trend[c] if v is not None and v == v)
        floor = max(0.0, min(0.9, int(low * 20) / 20 - 0.05))
        fig.update_yaxes(range=[floor, 1.015], dtick=0.05 if floor >= 0.5 else None)
        title = (
            i18n.t("report.chart.trend", lang)
            if trend_weeks == TREND_WEEKS
            else i18n.t("report.chart.trend_n", lang, n=trend_weeks)
        )
        out.append((title, fig))

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
