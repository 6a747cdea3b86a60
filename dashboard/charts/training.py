"""Charts and tables of the training page (培训宣讲): pure, DataFrame in, figure out.

Inputs are summary()["training"], metrics.targets, training_by_kind_month,
training_by_township, training_activities and training_people. Sessions (期/场次) and
person-times (人次) are two measures of the same activities; distinct people (人) come only from
attendance lists, and the builders never let one pass for another.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go

from .. import contract, i18n, kpis, places
from .common import (
    GOOD,
    MAX_TOWNSHIPS,
    NEUTRAL,
    SERIES,
    WARN,
    base_layout,
    plot_text,
    plot_texts,
    weakest_title,
)

MEASURES = ("sessions", "attendees")
KIND_COLOURS = dict(zip(contract.TRAINING_KINDS, SERIES, strict=False))
COUNTY_LEVEL = "__county__"  # the row key of county-level activities (township_id NULL)


def measure_label(measure: str, lang: str) -> str:
    """Sessions or person-times, as a picker or an axis names them."""
    return i18n.t(f"training.measure.{measure}", lang)


class KindRow(NamedTuple):
    """One training kind's year-to-date figure against its target, as the progress bars and
    the chart read it: `tone` is "good" (met), "warn" (short of it: a year's target is not
    failed in June) or "none" (the kind has no target); `text` is "206 / 200 (103%)", or the
    bare count without a target."""

    code: str
    label: str
    done: int
    target: float | None
    tone: str
    text: str


def kind_rows(kinds: dict, targets: dict, measure: str, lang: str) -> list[KindRow]:
    """Year-to-date `measure` per training kind against its target, in contract order.

    kinds: summary()["training"] (code -> {"sessions": n, "attendees": n});
    targets: metrics.targets (metric code -> target).
    """
    rows = []
    for code in contract.TRAINING_KINDS:
        done = (kinds.get(code) or {}).get(measure) or 0
        target = targets.get(f"training.{code}.{measure}")
        if target is None:
            tone, text = "none", f"{done:,}"
        else:
            tone = "good" if kpis.met(done, target) else "warn"
            share = i18n.fmt_rate(done / target, lang, digits=0) if target else "—"
            text = f"{done:,} / {target:,.0f} ({share})"
        rows.append(
            KindRow(code, i18n.enum_label(contract.TRAINING_KINDS, code, lang), done, target, tone, text)
        )
    return rows


def kind_progress(kinds: dict, targets: dict, measure: str, lang: str) -> go.Figure:
    """kind_rows as a Plotly chart (the meeting screen and the briefing; the pages draw
    them as progress bars): a pale bar for the target, the figure over it (green when met,
    amber while short of it, grey when the kind has no target)."""
    rows = kind_rows(kinds, targets, measure, lang)[::-1]  # first kind on top
    labels = plot_texts(r.label for r in rows)
    colours = [{"good": GOOD, "warn": WARN, "none": NEUTRAL}[r.tone] for r in rows]
    top = max([1, *(r.done for r in rows), *(r.target or 0 for r in rows)])
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=[r.target or 0 for r in rows],
        orientation="h",
        marker_color="#eceff1",
        name=i18n.t("target", lang),
        hoverinfo="skip",
    )
    fig.add_bar(
        y=labels,
        x=[r.done for r in rows],
        orientation="h",
        marker_color=colours,
        text=[r.text for r in rows],
        textposition="outside",
        cliponaxis=False,
        name=measure_label(measure, lang),
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    )
    fig.update_layout(barmode="overlay", bargap=0.3)
    fig.update_xaxes(showgrid=False, showticklabels=False, range=[0, top * 1.5])
    fig.update_yaxes(automargin=True)
    return base_layout(fig, height=300, legend=False)


def _month_label(month: dt.date, lang: str) -> str:
    return month.strftime("%b") if lang == "en" else f"{month.month}月"


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, m = [], dt.date(first.year, first.month, 1)
    while m <= last:
        months.append(m)
        m = dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return months


def by_month(df: pd.DataFrame, measure: str, lang: str) -> go.Figure:
    """Stacked bars: `measure` per month of the year so far, one colour per kind.

    df: metrics.training_by_kind_month (month, kind, sessions, attendees); months without
    activities between the first and the last show as empty bars, not as missing months."""
    df = df.assign(month=[pd.Timestamp(m).date() for m in df["month"]])
    months = _months_between(min(df["month"]), max(df["month"]))
    labels = [_month_label(m, lang) for m in months]
    fig = go.Figure()
    for code in contract.TRAINING_KINDS:
        part = df.loc[df["kind"] == code].set_index("month")[measure]
        if part.empty:
            continue
        fig.add_bar(
            x=labels,
            y=[int(part.get(m, 0)) for m in months],
            name=i18n.enum_label(contract.TRAINING_KINDS, code, lang),
            marker_color=KIND_COLOURS[code],
            hovertemplate="%{x} · %{fullData.name}: %{y:,}<extra></extra>",
        )
    totals = df.groupby("month")[measure].sum()
    fig.add_scatter(
        x=labels,
        y=[int(totals.get(m, 0)) for m in months],
        mode="text",
        text=[f"{int(totals.get(m, 0)):,}" for m in months],
        textposition="top center",
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )
    fig.update_layout(barmode="stack", bargap=0.3, legend_traceorder="normal")
    fig.update_xaxes(type="category")
    fig.update_yaxes(gridcolor="#e0e0e0", range=[0, max([1, *totals]) * 1.15])
    return base_layout(fig, height=380)


def by_township(df: pd.DataFrame, townships: pd.DataFrame, measure: str, lang: str) -> go.Figure:
    """Stacked horizontal bars: `measure` per township (county-level activities first, as
    县级 / County level), one colour per kind; every township shows, with nothing as 0.

    df: metrics.training_by_township (township_id None = county-level, kind, sessions,
    attendees); townships: metrics.townships. Past MAX_TOWNSHIPS townships (a province) only
    the weakest show — the fewest `measure`, fewest on top, without the county-level row —
    and the title says so."""
    names = places.township_names(townships, lang)
    df = df.assign(key=[COUNTY_LEVEL if t is None else t for t in df["township_id"]])
    every = len(townships)
    if every > MAX_TOWNSHIPS:
        towns = weakest_training(df, townships, measure)
        keys = list(towns)
        labels = plot_texts(names[t] for t in towns)
    else:
        keys = [COUNTY_LEVEL, *townships["township_id"]]
        labels = [
            plot_text(i18n.t("training.county_level", lang)),
            *plot_texts(names[t] for t in townships["township_id"]),
        ]
    keys, labels = keys[::-1], labels[::-1]  # county level on top
    fig = go.Figure()
    for code in contract.TRAINING_KINDS:
        part = df.loc[df["kind"] == code].set_index("key")[measure]
        if part.empty:
            continue
        fig.add_bar(
            y=labels,
            x=[int(part.get(k, 0)) for k in keys],
            orientation="h",
            name=i18n.enum_label(contract.TRAINING_KINDS, code, lang),
            marker_color=KIND_COLOURS[code],
            hovertemplate="%{y} · %{fullData.name}: %{x:,}<extra></extra>",
        )
    totals = df.groupby("key")[measure].sum()
    fig.add_scatter(
        y=labels,
        x=[int(totals.get(k, 0)) for k in keys],
        mode="text",
        text=[f"  {int(totals.get(k, 0)):,}" for k in keys],
        textposition="middle right",
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
    )
    fig.update_layout(barmode="stack", bargap=0.3, legend_traceorder="normal")
    fig.update_xaxes(
        title_text=measure_label(measure, lang), gridcolor="#e0e0e0", range=[0, max([1, *totals]) * 1.15]
    )
    fig.update_yaxes(automargin=True)
    if every <= MAX_TOWNSHIPS:
        return base_layout(fig, height=max(300, 110 + 42 * len(keys)))
    fig.update_layout(bargap=0.25)
    return weakest_title(
        base_layout(fig, height=110 + 26 * len(keys)),
        i18n.t(
            "weakest.training",
            lang,
            n=len(keys),
            total=i18n.fmt_int(every),
            measure=measure_label(measure, lang).lower(),
        ),
    )


def weakest_training(
    df: pd.DataFrame, townships: pd.DataFrame, measure: str, n: int = MAX_TOWNSHIPS
) -> list[str]:
    """The ids of the `n` townships with the fewest `measure` (none counts 0), fewest first.
    df: training_by_township with its `key` column (by_township adds it)."""
    totals = df.loc[df["key"] != COUNTY_LEVEL].groupby("key")[measure].sum()
    every = pd.DataFrame({"township_id": townships["township_id"]})
    every["total"] = [int(totals.get(t, 0)) for t in every["township_id"]]
    return list(every.sort_values(["total", "township_id"], kind="stable")["township_id"][:n])


def activities_table(df: pd.DataFrame, townships: pd.DataFrame, lang: str) -> pd.DataFrame:
    """metrics.training_activities as the page and the export show it: labelled columns, kinds
    by name, county-level activities as 县级 / County level."""
    names = places.township_names(townships, lang)
    county = i18n.t("training.county_level", lang)
    return pd.DataFrame(
        {
            i18n.t("training.col.date", lang): [d.isoformat() for d in df["held_on"]],
            i18n.t("col.township", lang): [
                county if t is None else names.get(t, t) for t in df["township_id"]
            ],
            i18n.t("training.col.kind", lang): [
                i18n.enum_label(contract.TRAINING_KINDS, k, lang) for k in df["kind"]
            ],
            i18n.t("training.col.title", lang): df["title"],
            i18n.t("training.col.sessions", lang): df["sessions"].astype(int),
            i18n.t("training.col.attendees", lang): df["attendees"].astype(int),
            i18n.t("training.col.records", lang): df["attendance_records"].astype(int),
            i18n.t("training.col.code", lang): df["activity_id"],
        }
    )


def people_figure(people: dict, lang: str) -> tuple[str, str]:
    """The distinct-people tile as (value, detail), from metrics.training_people: a count of
    人 only where attendance lists cover some of the activities in scope, never a 0 that
    only means "not recorded"."""
    if people["distinct_members"] is None:
        return i18n.t("training.no_attendance", lang), i18n.t("training.no_attendance_detail", lang)
    if not people["activities_recorded"]:
        return i18n.t("na", lang), i18n.t("training.no_attendance_here", lang)
    return (
        f"{i18n.fmt_int(people['distinct_members'])} {i18n.t('unit.people', lang)}",
        i18n.t(
            "training.people_detail",
            lang,
            n=i18n.fmt_int(people["activities_recorded"]),
            records=i18n.fmt_int(people["attendance_records"]),
        ),
    )
