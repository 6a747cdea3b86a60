"""Charts and tables of the branch compliance page (党组织达标): pure, DataFrame in, figure out.

Inputs are the frames of dashboard.metrics (compliance_trend, compliance_by_township,
failed_criteria_counts, branch_status, noncompliant_branches) and the townships table; every
label goes through i18n, so one builder serves the Chinese and the English view.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .. import contract, i18n, kpis, places
from . import maps
from .common import (
    BAD,
    GOOD,
    MAX_TOWNSHIPS,
    NEUTRAL,
    SERIES,
    base_layout,
    plot_texts,
    rate_axis,
    weakest_title,
)

# A branch on the map is one of these, in this order (legend order too), coloured as every map
# colours a rate against its target: compliant = met, not compliant = short, never = no rate.
STATUSES = ("compliant", "noncompliant", "never")
STATUS_COLOURS = {
    "compliant": maps.status_colour(1.0, 1.0),
    "noncompliant": maps.status_colour(0.0, 1.0),
    "never": maps.status_colour(None, 1.0),
}


def _status_colour(rate, target) -> str:
    if rate is None or rate != rate:
        return NEUTRAL
    return GOOD if target is None or kpis.met(rate, target) else BAD


def compliance_trend(trend: pd.DataFrame, target: float | None, lang: str) -> go.Figure:
    """Weekly compliance rate (a step: it changes when branches are assessed) against the target
    line; hover shows compliant / total."""
    fig = go.Figure()
    fig.add_scatter(
        x=trend["week_start"],
        y=trend["compliance_rate"],
        mode="lines+markers",
        line=dict(color=SERIES[1], width=3, shape="hv"),
        marker=dict(size=6),
        name=i18n.t("figure.branches.compliance_rate", lang),
        customdata=list(zip(trend["compliant"], trend["total"], strict=False)),
        hovertemplate="%{x|%Y-%m-%d}: %{y:.1%} (%{customdata[0]} / %{customdata[1]})<extra></extra>",
    )
    if target is not None:
        fig.add_hline(
            y=target,
            line_dash="dot",
            line_color=GOOD,
            line_width=2,
            annotation_text=i18n.t("kpi.target_is", lang, target=i18n.fmt_rate(target, lang, digits=0)),
            annotation_position="bottom left",
            annotation_font_color=GOOD,
        )
    fig.update_xaxes(tickformat="%m-%d", gridcolor="#f0f0f0")
    if len(trend) <= 10:  # a few weeks: one tick per week, not per day
        fig.update_xaxes(tickvals=list(trend["week_start"]))
    return rate_axis(base_layout(fig, height=320, legend=False))


def compliance_by_township(
    df: pd.DataFrame, townships: pd.DataFrame, target: float | None, lang: str, most: int = MAX_TOWNSHIPS
) -> go.Figure:
    """One horizontal bar per township with branches: its compliance rate, green when on
    target, red when not; "compliant / total (rate)" in a column right of the 100% mark.
    Past `most` townships (a province) only the `most` weakest show, lowest rate on top, and
    the title says so."""
    names = places.township_names(townships, lang)
    every = len(df)
    if every > most:
        df = weakest_compliance(df, most)
    df = df.iloc[::-1]  # first township on top
    labels = plot_texts(names.get(t, t) for t in df["township_id"])
    rates = [None if r is None or r != r else r for r in df["compliance_rate"]]
    text = [
        f"{c:,} / {n:,} ({i18n.fmt_rate(r, lang, digits=0)})"
        for c, n, r in zip(df["compliant"], df["total"], rates, strict=False)
    ]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=rates,
        orientation="h",
        marker_color=[_status_colour(r, target) for r in rates],
        customdata=text,
        hovertemplate="%{y}: %{customdata}<extra></extra>",
    )
    fig.add_scatter(
        y=labels,
        x=[1.04] * len(labels),
        mode="text",
        text=text,
        textposition="middle right",
        cliponaxis=False,
        showlegend=False,
        hoverinfo="skip",
    )
    if target is not None:
        fig.add_vline(x=target, line_dash="dot", line_color=GOOD, line_width=2)
    fig.update_layout(bargap=0.35)
    fig.update_xaxes(
        tickformat=".0%", range=[0, 1.6], gridcolor="#e0e0e0", tickvals=[0, 0.25, 0.5, 0.75, 1.0]
    )
    fig.update_yaxes(automargin=True)
    if every <= most:
        return base_layout(fig, height=max(220, 60 + 48 * len(df)), legend=False)
    fig.update_layout(bargap=0.25)
    return weakest_title(
        base_layout(fig, height=60 + 28 * len(df), legend=False),
        i18n.t("weakest.compliance", lang, n=len(df), total=i18n.fmt_int(every)),
    )


def weakest_compliance(df: pd.DataFrame, n: int = MAX_TOWNSHIPS) -> pd.DataFrame:
    """The `n` townships of metrics.compliance_by_township with the lowest compliance rate
    (then the most branches short of it), weakest first."""
    short = df["total"] - df["compliant"]
    order = df.assign(_rate=df["compliance_rate"].astype(float).fillna(-1.0), _short=-short)
    order = order.sort_values(["_rate", "_short", "township_id"], kind="stable")
    return df.loc[order.index[:n]]


def failed_criteria(counts: pd.DataFrame, lang: str) -> go.Figure:
    """Branches failing each criterion (most failed on top), criteria by their names."""
    df = counts.iloc[::-1]
    labels = plot_texts(i18n.enum_label(contract.CRITERIA, c, lang) for c in df["criterion"])
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=df["branches"],
        orientation="h",
        marker_color=BAD,
        text=[f"{n:,}" for n in df["branches"]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    )
    fig.update_layout(bargap=0.35)
    fig.update_xaxes(
        title_text=i18n.t("branches.axis_branches", lang),
        gridcolor="#e0e0e0",
        range=[0, max([*df["branches"], 1]) * 1.2],
        rangemode="tozero",
    )
    fig.update_yaxes(automargin=True)
    return base_layout(fig, height=max(220, 80 + 40 * len(df)), legend=False)


def _failed_text(failed: list, never: bool, lang: str) -> str:
    if never:
        return i18n.t("attention.never", lang)
    sep = "、" if lang == "zh" else ", "
    return sep.join(i18n.enum_label(contract.CRITERIA, c, lang) for c in failed)


def noncompliant_table(df: pd.DataFrame, townships: pd.DataFrame, lang: str) -> pd.DataFrame:
    """metrics.noncompliant_branches as the page and the export show it: labelled columns,
    criteria by name, never-assessed branches said so."""
    names = places.township_names(townships, lang)
    return pd.DataFrame(
        {
            i18n.t("col.township", lang): [names.get(t, t) for t in df["township_id"]],
            i18n.t("col.village", lang): df["village"],
            i18n.t("col.branch", lang): df["name"],
            i18n.t("col.failed", lang): [
                _failed_text(f, n, lang)
                for f, n in zip(df["failed_criteria"], df["never_assessed"], strict=False)
            ],
            i18n.t("col.last_assessed", lang): [
                i18n.fmt_date(d, lang) if d is not None else i18n.t("attention.never", lang)
                for d in df["last_assessed_on"]
            ],
            i18n.t("branches.col.code", lang): df["branch_id"],
        }
    )


def model_table(status: pd.DataFrame, townships: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The model branches (示范党组织) of metrics.branch_status, labelled."""
    names = places.township_names(townships, lang)
    df = status.loc[status["is_model"]]
    return pd.DataFrame(
        {
            i18n.t("col.township", lang): [names.get(t, t) for t in df["township_id"]],
            i18n.t("col.village", lang): df["village"],
            i18n.t("col.branch", lang): df["name"],
            i18n.t("col.members", lang): df["party_members"],
            i18n.t("branches.col.on_border", lang): [
                i18n.t("yes" if b else "no", lang) for b in df["on_border_line"]
            ],
            i18n.t("branches.col.status", lang): [
                i18n.t(f"branches.status.{s}", lang) for s in branch_statuses(df)
            ],
        }
    )


def branch_statuses(status: pd.DataFrame) -> list[str]:
    """Each branch of metrics.branch_status as one of STATUSES."""
    return [
        "compliant" if ok else ("never" if last is None else "noncompliant")
        for ok, last in zip(status["compliant"], status["last_assessed_on"], strict=False)
    ]


def status_counts(status: pd.DataFrame) -> dict:
    """STATUSES -> number of branches."""
    found = branch_statuses(status)
    return {s: found.count(s) for s in STATUSES}


def map_legend(status: pd.DataFrame, lang: str) -> list[tuple[str, list[int]]]:
    """(label with the number of branches, [r, g, b]) per status, for maps.legend_html."""
    found = branch_statuses(status)
    return [
        (
            i18n.t(
                "branches.legend_item",
                lang,
                status=i18n.t(f"branches.status.{s}", lang),
                n=i18n.fmt_int(found.count(s)),
            ),
            STATUS_COLOURS[s],
        )
        for s in STATUSES
    ]


def branch_points(status: pd.DataFrame, townships: pd.DataFrame, lang: str) -> pd.DataFrame:
    """metrics.branch_status as map points: lon, lat, colour ([r, g, b, a]) and the tooltip's
    fields (name, township, status label, model mark, failed criteria)."""
    names = places.township_names(townships, lang)
    statuses = branch_statuses(status)
    return pd.DataFrame(
        {
            "lon": status["lon"].astype(float),
            "lat": status["lat"].astype(float),
            "colour": [[*STATUS_COLOURS[s], 235] for s in statuses],
            "name": status["name"],
            "township": [names.get(t, t) for t in status["township_id"]],
            "status": [i18n.t(f"branches.status.{s}", lang) for s in statuses],
            "model": [i18n.t("branches.model_mark", lang) if m else "" for m in status["is_model"]],
            "failed": [
                _failed_text(f, s == "never", lang) if s != "compliant" else ""
                for f, s in zip(status["failed_criteria"], statuses, strict=False)
            ],
        }
    ).reset_index(drop=True)


def map_tooltips(points: pd.DataFrame, lang: str) -> list[str]:
    """The hover text of each branch_points row: name, township, status, failed criteria."""
    return [
        i18n.t(
            "branches.map_tooltip",
            lang,
            name=r.name,
            township=r.township,
            status=r.status,
            model=r.model,
            failed=r.failed,
        )
        for r in points.itertuples()
    ]


def branch_map(
    status: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    township: str | None = None,
    theme: maps.MapTheme = maps.LIGHT,
    size: tuple[int, int] = (540, 560),
    drill: bool = False,
):
    """The branches over the township outlines, coloured by status; the view fits the scope
    (the county, or `township`) in a map of `size` pixels. Hover shows name, township, status
    and failed criteria. `drill`: townships can be clicked (maps.clicked_township)."""
    points = branch_points(status, townships, lang)
    points["tooltip"] = map_tooltips(points, lang)
    if theme.dark:
        bright = {
            tuple(STATUS_COLOURS[s]): maps.DOTS_ON_DARK[m]
            for s, m in zip(STATUSES, ("met", "short", "none"), strict=False)
        }
        points["colour"] = [[*bright.get(tuple(c[:3]), c[:3]), c[3]] for c in points["colour"]]
    focus = maps.scope_view(township_geo, township, points["lon"], points["lat"], size=size)
    big = theme.label_scale
    layer = maps.points_layer(points, "branches", radius=300, min_pixels=5 * big, max_pixels=14 * big)
    return maps.county_deck(
        township_geo,
        townships,
        [layer],
        lang,
        focus=focus,
        tooltip={"text": "{tooltip}"},
        theme=theme,
        drill=drill,
    )
