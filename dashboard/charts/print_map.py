"""A static county map for print (the weekly briefing): plotly in plain lon/lat axes.

No tiles, no geo projection files: township outlines are drawn from their GeoJSON as filled
shapes, branches and checkpoints as markers over them. The y axis is scaled by 1/cos(latitude)
so that the county keeps its shape at Menglian's latitude. Names go into plotly text through
common.plot_text (plotly renders a subset of HTML in labels).
"""

from __future__ import annotations

import json
import math

import pandas as pd
import plotly.graph_objects as go

from .. import geo, i18n, places
from . import common, maps
from .branches import STATUS_COLOURS as BRANCH_COLOURS
from .branches import STATUSES as BRANCH_STATUSES
from .branches import branch_statuses

OUTLINE, FILL = "#616161", "#f3efe6"
COUNTY_LINE, BORDER = "#373737", "rgb(139,0,0)"
CP_OK, CP_GAP = common.GOOD, common.BAD


def _rgb(colour) -> str:
    return "rgb({},{},{})".format(*list(colour)[:3])


def _polygons(geometry) -> list[list]:
    """The outer rings of a GeoJSON Polygon/MultiPolygon (text or dict)."""
    try:
        geo = geometry if isinstance(geometry, dict) else json.loads(geometry)
    except (TypeError, ValueError):
        return []
    if geo.get("type") == "Polygon":
        return [geo["coordinates"][0]]
    if geo.get("type") == "MultiPolygon":
        return [p[0] for p in geo["coordinates"]]
    return []


def _township_names(
    fig: go.Figure,
    townships: pd.DataFrame,
    points: pd.DataFrame,
    lang: str,
    crowd: int = 8,
    radius: float = 0.03,
) -> None:
    """Township names on a pale box, on top of the markers. A name whose seat is crowded
    with markers (the county seat's checkpoints) moves just below the crowd instead of
    hiding it."""
    names = places.township_names(townships, lang)
    for r in townships.itertuples():
        x, y = float(r.lon), float(r.lat)
        near = points[
            ((points["lon"].astype(float) - x).abs() < radius)
            & ((points["lat"].astype(float) - y).abs() < radius)
        ]
        if len(near) >= crowd:
            y = float(near["lat"].min()) - radius / 2
        fig.add_annotation(
            x=x,
            y=y,
            showarrow=False,
            text=f"<b>{common.plot_text(names[r.township_id])}</b>",
            font=dict(size=14, color="#37474f"),
            bgcolor="rgba(255,255,255,0.75)",
            borderpad=2,
        )


def county_map(
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    branches: pd.DataFrame,
    checkpoints: pd.DataFrame,
    lang: str,
    township: str | None = None,
    width: int = 680,
    height: int = 560,
    fit_height: bool = False,
) -> go.Figure:
    """Township outlines and names; branches (metrics.branch_status) as diamonds coloured by
    status; checkpoints (metrics.checkpoint_status) as dots, red and larger where the week had
    a staffing gap. A township view is framed on that township's outline. With `fit_height`
    the figure is no taller than the framed area needs at `width` (at most `height`)."""
    fig = go.Figure()
    focus_x, focus_y = [], []
    township_geo, county, border = maps.split_geo(township_geo)
    for r in township_geo.itertuples():
        for ring in _polygons(r.geometry):
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            fig.add_scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=FILL,
                line=dict(color=OUTLINE, width=1.2),
                hoverinfo="skip",
                showlegend=False,
            )
            if township is None or r.feature_id == township:
                focus_x += xs
                focus_y += ys

    for r in county.itertuples():  # the county's outline over the townships'
        for ring in _polygons(r.geometry):
            fig.add_scatter(
                x=[p[0] for p in ring],
                y=[p[1] for p in ring],
                mode="lines",
                line=dict(color=COUNTY_LINE, width=2),
                hoverinfo="skip",
                showlegend=False,
            )
            if township is None:
                focus_x += [p[0] for p in ring]
                focus_y += [p[1] for p in ring]
    if len(border):  # the national border: dashed dark red, named
        xs, ys = [], []
        for path in geo.dashes(list(border["geometry"]), dash_km=1.6, gap_km=1.0):
            xs += [p[0] for p in path] + [None]
            ys += [p[1] for p in path] + [None]
        for line in maps.line_rows(border["geometry"]):  # a white band under the dashes
            fig.add_scatter(
                x=[p[0] for p in line],
                y=[p[1] for p in line],
                mode="lines",
                line=dict(color="#ffffff", width=3.2),
                hoverinfo="skip",
                showlegend=False,
            )
        name = maps.border_name(border["feature_id"].iloc[0], lang)
        fig.add_scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color=BORDER, width=2.6),
            hoverinfo="skip",
            name=common.plot_text(name),
        )
    statuses = branch_statuses(branches) if len(branches) else []
    for status in BRANCH_STATUSES:
        part = branches[[s == status for s in statuses]] if len(branches) else branches
        if not len(part):
            continue
        fig.add_scatter(
            x=part["lon"],
            y=part["lat"],
            mode="markers",
            name=i18n.t("report.map.branch", lang, status=i18n.t(f"branches.status.{status}", lang)),
            marker=dict(
                symbol="diamond",
                size=8 if status == "compliant" else 11,
                color=_rgb(BRANCH_COLOURS[status]),
                line=dict(color="#ffffff", width=0.8),
            ),
        )
    if len(checkpoints):
        gap = checkpoints["gap_hours"] > 0
        for rows, key, colour, size in (
            (checkpoints[~gap], "report.map.cp_ok", CP_OK, 6),
            (checkpoints[gap], "report.map.cp_gap", CP_GAP, 12),
        ):
            if len(rows):
                fig.add_scatter(
                    x=rows["lon"],
                    y=rows["lat"],
                    mode="markers",
                    name=i18n.t(key, lang),
                    marker=dict(
                        symbol="circle", size=size, color=colour, line=dict(color="#212121", width=1)
                    ),
                )
        if township is not None and not focus_x:
            focus_x, focus_y = list(checkpoints["lon"]), list(checkpoints["lat"])
    if township is not None and not focus_x and len(branches):
        focus_x, focus_y = list(branches["lon"]), list(branches["lat"])

    _township_names(
        fig,
        townships,
        pd.concat(
            [
                branches[["lon", "lat"]] if len(branches) else pd.DataFrame(columns=["lon", "lat"]),
                checkpoints[["lon", "lat"]] if len(checkpoints) else pd.DataFrame(columns=["lon", "lat"]),
            ]
        ),
        lang,
    )
    mid_lat = (min(focus_y) + max(focus_y)) / 2 if focus_y else 22.33
    ratio = 1 / math.cos(math.radians(mid_lat))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=ratio)
    if focus_x:
        pad_x = (max(focus_x) - min(focus_x)) * 0.04 + 0.005
        pad_y = (max(focus_y) - min(focus_y)) * 0.04 + 0.005
        x0, x1 = min(focus_x) - pad_x, max(focus_x) + pad_x
        y0, y1 = min(focus_y) - pad_y, max(focus_y) + pad_y
        fig.update_xaxes(range=[x0, x1])
        fig.update_yaxes(range=[y0, y1])
        if fit_height:  # the map's own height at this width, plus the legend
            height = int(min(height, width * (y1 - y0) * ratio / (x1 - x0) + 60))
    common.base_layout(fig, height=height)
    fig.update_layout(
        width=width,
        margin=dict(l=0, r=0, t=10, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.01, xanchor="left", x=0, font=dict(size=12)),
    )
    return fig
