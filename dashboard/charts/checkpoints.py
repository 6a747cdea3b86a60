"""Checkpoint staffing page: hour x checkpoint heatmap, duty composition, persons checked, map.

Pure builders. Names from uploaded files go into plotly text through common.plot_text (plotly
renders a subset of HTML in labels and hover text).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from .. import i18n, places
from . import common, maps

HOURS = 168
MAP_SIZE = (900, 480)  # the map's size on a 1366 px screen, to fit the view to
STAFFED_COLOUR = "#c8e6c9"  # pale green: a full week of it must not drown the gaps
STATES = (("empty", common.BAD), ("short", common.WARN), ("staffed", STAFFED_COLOUR))
KINDS = (
    ("party_hours", "cp.kind.party", common.PARTY_RED),
    ("unit_hours", "cp.kind.unit", common.SERIES[1]),
    ("volunteer_hours", "cp.kind.volunteer", common.SERIES[3]),
)


def day_label(day: dt.date, lang: str, sep: str = " ") -> str:
    """ "周一 12-27" / "Mon 27 Dec"."""
    name = i18n.t(f"cp.weekday.{day.weekday()}", lang)
    return f"{name}{sep}{day:%m-%d}" if lang == "zh" else f"{name}{sep}{day.day} {day:%b}"


# A heatmap row is 168 cells: past this many rows it is neither readable nor quick to send
# (a province has thousands of checkpoints): the county's own 115+ fit, and past that the worst
# covered are shown, the gap list has them all.
HEATMAP_MAX_ROWS = 150
# Past this many checkpoints the map shows only those with a gap (a dot each is ~150 bytes).
MAP_MAX_POINTS = 2000


def unreported(status: pd.DataFrame) -> tuple[list[str], int]:
    """(township_ids, checkpoints) of checkpoint_status() rows whose township has not sent
    its shifts for the week (未报)."""
    rows = status[~status["reported"]] if "reported" in status else status.iloc[:0]
    return sorted(set(rows["township_id"])), len(rows)


def heatmap_rows(status: pd.DataFrame, only_gaps: bool) -> pd.DataFrame:
    """The checkpoints the heatmap may show, worst first: all, or only those with a gap.
    The heatmap draws the first HEATMAP_MAX_ROWS of them (`heatmap_shown`)."""
    if only_gaps:
        return status[status["gap_hours"] > 0]
    # a checkpoint whose township has not reported the week has no hours to draw (未报)
    return status[status["reported"]] if "reported" in status else status


def heatmap_shown(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows the heatmap draws: the HEATMAP_MAX_ROWS worst covered of `rows`."""
    return rows.head(HEATMAP_MAX_ROWS)


def slot_states(hourly: pd.DataFrame, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of `rows` (in order) and hour slot of the week: the state (0 nobody on duty,
    1 short-staffed, 2 staffed, NaN no slot), the staff on duty and the staff required."""
    ids = list(rows["checkpoint_id"])
    n = len(ids)
    pos = {cid: i for i, cid in enumerate(ids)}
    h = hourly[hourly["checkpoint_id"].isin(pos)]
    state = np.full((n, HOURS), np.nan)
    staff = np.zeros((n, HOURS), dtype=int)
    required = np.zeros((n, HOURS), dtype=int)
    r = h["checkpoint_id"].map(pos).to_numpy()
    c = h["slot"].to_numpy().astype(int)
    state[r, c] = np.where(h["staffed"], 2, np.where(h["staff"] > 0, 1, 0))
    staff[r, c] = h["staff"].to_numpy()
    required[r, c] = h["required_staff"].to_numpy()
    return state, staff, required


def heatmap(hourly: pd.DataFrame, rows: pd.DataFrame, week: dt.date, lang: str) -> go.Figure:
    """Hour slots of the week (x) x checkpoints (y, in the order of `rows`, top first), each
    slot staffed (pale green), short-staffed (amber) or with nobody on duty (red); hovering a
    short or empty slot tells who was on duty against how many were needed.

    hourly: checkpoint_hourly(); rows: checkpoint_status() rows to show.
    The page draws the same in HTML (`heatmap_html`); this figure is for the meeting screen's
    slide and the printed briefing."""
    state, staff, required = slot_states(hourly, rows)
    n = len(rows)

    names = common.plot_texts(rows["name"])
    days = [day_label(week + dt.timedelta(days=d), lang) for d in range(7)]
    # Hover text on the slots that are not staffed only: they are what the chart is for, and
    # a text on every one of 168 slots a row would make the chart megabytes to send.
    template = i18n.t("cp.hover", lang)
    hover = [
        [
            template.format(
                name=names[i],
                day=days[s // 24],
                start=f"{s % 24:02d}:00",
                end=f"{s % 24 + 1:02d}:00",
                staff=staff[i, s],
                required=required[i, s],
            )
            if state[i, s] != 2
            else ""
            for s in range(HOURS)
        ]
        for i in range(n)
    ]

    colours = [colour for _, colour in STATES]
    scale = [
        [0, colours[0]],
        [1 / 3, colours[0]],
        [1 / 3, colours[1]],
        [2 / 3, colours[1]],
        [2 / 3, colours[2]],
        [1, colours[2]],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=state,
            x=list(range(HOURS)),
            y=list(range(n)),
            zmin=-0.5,
            zmax=2.5,
            colorscale=scale,
            showscale=False,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            xgap=0,
            ygap=1 if n <= 60 else 0,
        )
    )
    for code, colour in reversed(STATES):  # legend: staffed, short, empty
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=i18n.t(f"cp.state.{code}", lang),
            marker=dict(symbol="square", size=14, color=colour, line=dict(color="#9e9e9e", width=1)),
        )
    for d in range(1, 7):
        fig.add_vline(x=d * 24 - 0.5, line_color="#616161", line_width=1)
    fig.update_xaxes(
        tickvals=[d * 24 + 11.5 for d in range(7)],
        ticktext=days,
        side="top",
        range=[-0.5, HOURS - 0.5],
        showgrid=False,
        zeroline=False,
        minor=dict(
            tickvals=[d * 24 + k - 0.5 for d in range(7) for k in (6, 12, 18)], ticklen=4, showgrid=False
        ),
    )
    fig.update_yaxes(
        tickvals=list(range(n)), ticktext=names, autorange="reversed", showgrid=False, zeroline=False
    )
    row_px = 26 if n <= 20 else 20 if n <= 60 else 16
    common.base_layout(fig, height=max(200, n * row_px + 110))
    fig.update_layout(
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.01 if n > 20 else -0.04, xanchor="left", x=0),
    )
    return fig


# ---------------------------------------------------------------- heatmap in HTML (the page)
# The page draws the heatmap as HTML, not Plotly: loading plotly.js for this one chart was the
# largest cost of every visit of the page. A run of hours in the same
# state is one cell as wide as its hours (a short or empty run ends with its day, since its
# tooltip names the day), so a fully staffed checkpoint is one element, not 168.
_HEAT_CLASS = {0.0: "e", 1.0: "s", 2.0: "ok"}  # nobody on duty, short, staffed; no slot: "x"
_HEAT_ROW = {20: (22, 2, "0.85rem"), 60: (18, 1, "0.8rem")}  # rows up to: height px, gap px, font
_HEAT_ROW_MANY = (16, 0, "0.75rem")
_DAY_LINE = "#616161"


def _day_lines() -> str:
    """A background drawing the six lines between the days of a row (over its cells)."""
    stops = ["transparent 0"]
    for d in range(1, 7):
        at = f"{d * 100 / 7:.4f}%"
        stops.append(f"transparent calc({at} - 0.5px),{_DAY_LINE} calc({at} - 0.5px)")
        stops.append(f"{_DAY_LINE} calc({at} + 0.5px),transparent calc({at} + 0.5px)")
    return "linear-gradient(to right," + ",".join(stops) + ")"


def _heat_style(n: int) -> str:
    height, gap, font = next((v for k, v in _HEAT_ROW.items() if n <= k), _HEAT_ROW_MANY)
    tick = "linear-gradient(#9e9e9e,#9e9e9e) {} 100%/1px 4px no-repeat"
    colours = dict(zip(("e", "s", "ok"), (c for _, c in STATES), strict=True))
    return (
        "<style>"
        f".cph{{font-size:{font};line-height:1.2;margin:0.25rem 0 1.25rem 0}}"
        ".cph .k{display:flex;flex-wrap:wrap;gap:0.3rem 1.2rem;margin:0 0 0.4rem 0;font-size:0.85rem}"
        ".cph .k span{display:inline-flex;align-items:center;gap:0.35rem}"
        ".cph .k i{display:inline-block;width:0.9rem;height:0.9rem;border:1px solid #9e9e9e}"
        ".cph .g{display:grid;grid-template-columns:minmax(3rem,max-content) minmax(0,1fr);"
        f"column-gap:0.5rem;row-gap:{gap}px}}"
        f".cph .n{{max-width:16rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;"
        f"text-align:right;height:{height}px;line-height:{height}px}}"
        f".cph .h{{display:flex;height:{height}px;position:relative}}"
        ".cph .h::after{content:'';position:absolute;inset:0;pointer-events:none;"
        f"background:{_day_lines()}}}"
        ".cph .h i{display:block;height:100%}"
        ".cph .d{display:flex;color:#424242}"
        ".cph .d span{flex:1;text-align:center;padding:0 0 5px 0;white-space:nowrap;overflow:hidden;"
        f"background:{','.join(tick.format(x) for x in ('25%', '50%', '75%'))}}}"
        f".cph .d span+span{{box-shadow:inset 1px 0 {_DAY_LINE}}}"
        + "".join(f".cph .{cls}{{background:{colour}}}" for cls, colour in colours.items())
        + ".cph .x{background:transparent}"
        "</style>"
    )


def _runs(state: np.ndarray, staff: np.ndarray, required: np.ndarray):
    """(first slot, hours, state) of one row's runs: consecutive slots in the same state; a
    short or empty run also with the same staff and required staff, and within one day."""
    start = 0
    for s in range(1, HOURS + 1):
        if s < HOURS:
            a, b = state[s - 1], state[s]
            same = (a == b) or (a != a and b != b)  # NaN: no slot
            if same and (b == 2 or b != b):
                continue
            if same and s % 24 and staff[s] == staff[s - 1] and required[s] == required[s - 1]:
                continue
        yield start, s - start, state[start]
        start = s


def heatmap_html(hourly: pd.DataFrame, rows: pd.DataFrame, week: dt.date, lang: str) -> str:
    """The heatmap() chart as HTML for the page (one st.markdown element, no Plotly): a legend
    (staffed, short, empty, in the chart's colours); the days of the week on top, with a mark
    every 6 hours; one row per checkpoint of `rows` (top first), its name on the left and its
    168 hours across, a line between the days. A short or empty stretch of hours tells, in its
    tooltip, what the chart's hover told: the checkpoint, the day and hours, who was on duty
    against how many were needed. A long list repeats the days below.

    Every name from the data and every label is escaped (html.escape)."""
    from html import escape

    state, staff, required = slot_states(hourly, rows)
    n = len(rows)
    names = [str(x) for x in rows["name"]]
    days = [day_label(week + dt.timedelta(days=d), lang) for d in range(7)]
    template = i18n.t("cp.hover", lang).replace("<br>", "\n")
    day_row = '<div></div><div class="d">' + "".join(f"<span>{escape(d)}</span>" for d in days) + "</div>"
    out = [_heat_style(n), '<div class="cph" data-heatmap="checkpoints">', '<div class="k">']
    for code, _ in reversed(STATES):  # staffed, short, empty
        cls = {"staffed": "ok", "short": "s", "empty": "e"}[code]
        out.append(f'<span><i class="{cls}"></i>{escape(i18n.t(f"cp.state.{code}", lang))}</span>')
    out.append('</div><div class="g">' + day_row)
    for i, name in enumerate(names):
        out.append(f'<div class="n" title="{escape(name)}">{escape(name)}</div><div class="h">')
        for start, hours, value in _runs(state[i], staff[i], required[i]):
            cls = _HEAT_CLASS.get(float(value), "x")
            if cls in ("e", "s"):
                tip = template.format(
                    name=name,
                    day=days[start // 24],
                    start=f"{start % 24:02d}:00",
                    end=f"{(start + hours - 1) % 24 + 1:02d}:00",
                    staff=staff[i, start],
                    required=required[i, start],
                )
                title = ' title="' + escape(tip).replace("\n", "&#10;") + '"'
            else:
                title = ""
            out.append(f'<i class="{cls}" style="flex:{hours}"{title}></i>')
        out.append("</div>")
    if n > 30:
        out.append(day_row)
    out.append("</div></div>")
    return "".join(out)


def composition(daily: pd.DataFrame, lang: str) -> go.Figure:
    """Staff hours of the week by who was on duty: party cadres, unit grid staff, volunteers."""
    values = [float(daily[col].sum()) for col, _, _ in KINDS]
    labels = [i18n.t(key, lang) for _, key, _ in KINDS]
    fig = go.Figure(
        go.Pie(
            labels=labels,
            values=values,
            hole=0.58,
            sort=False,
            direction="clockwise",
            marker=dict(colors=[c for _, _, c in KINDS], line=dict(color="#ffffff", width=2)),
            texttemplate="%{label}<br>%{percent:.1%}",
            textposition="outside",
            hovertemplate="%{label}: %{value:,.0f} h (%{percent:.1%})<extra></extra>",
        )
    )
    fig.add_annotation(
        text=i18n.t("cp.total_hours", lang, hours=i18n.fmt_int(sum(values))),
        showarrow=False,
        font=dict(size=16),
    )
    common.base_layout(fig, height=320, legend=False)
    fig.update_layout(margin=dict(l=40, r=40, t=40, b=30))
    return fig


def checked_per_day(daily: pd.DataFrame, lang: str) -> go.Figure:
    """Persons checked per day of the week (by shift start)."""
    days = [day_label(d, lang, sep="<br>") for d in daily["day"]]
    fig = go.Figure(
        go.Bar(
            x=days,
            y=daily["persons_checked"],
            marker_color=common.SERIES[1],
            text=[i18n.fmt_int(v) for v in daily["persons_checked"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    fig.update_yaxes(
        showgrid=True,
        gridcolor="#eeeeee",
        tickformat=",d",
        range=[0, max(float(daily["persons_checked"].max() or 0), 1) * 1.18],
    )
    fig.update_xaxes(tickangle=0)
    return common.base_layout(fig, height=320, legend=False)


# ---------------------------------------------------------------- map
def _tooltip(r, lang: str) -> str:
    if not getattr(r, "reported", True):  # its township has not sent the week: 未报, no figures
        return f"{r.name}\n{i18n.t('week.not_reported', lang)}"
    return i18n.t(
        "cp.tooltip",
        lang,
        name=r.name,
        rate=i18n.fmt_rate(r.coverage_rate, lang),
        staffed=i18n.fmt_int(r.staffed_slots),
        gap=i18n.fmt_int(r.gap_hours),
    )


def map_rows(status: pd.DataFrame) -> pd.DataFrame:
    """The checkpoints the map shows: all of them, or past MAP_MAX_POINTS (a province) only
    those with a gap, worst first (at most MAP_MAX_POINTS)."""
    if len(status) <= MAP_MAX_POINTS:
        return status
    return status[status["gap_hours"] > 0].head(MAP_MAX_POINTS)


def checkpoint_deck(
    status: pd.DataFrame,
    township_geo: pd.DataFrame,
    townships: pd.DataFrame,
    lang: str,
    target: float | None,
    township: str | None = None,
    drill: bool = False,
) -> pdk.Deck:
    """Checkpoints as dots coloured by the week's coverage against the target, on the
    township outlines; worst covered drawn last (on top). The view fits the scope (the
    county, or `township`) with its checkpoints. status: the rows to show (map_rows() of
    checkpoint_status()). `drill`: townships can be clicked (maps.clicked_township)."""
    shown = status.iloc[::-1].assign(
        colour=[maps.status_colour(r, target) for r in status["coverage_rate"].iloc[::-1]],
        tooltip=[_tooltip(r, lang) for r in status.iloc[::-1].itertuples()],
    )[["checkpoint_id", "lon", "lat", "colour", "tooltip"]]
    focus = maps.scope_view(township_geo, township, shown["lon"], shown["lat"], size=MAP_SIZE)
    layer = maps.points_layer(shown, "checkpoints", radius=45, min_pixels=6)
    if focus is not None:
        townships = maps.townships_clear_of(townships, shown["lon"], shown["lat"], focus[2])
    return maps.county_deck(
        township_geo, townships, [layer], lang, focus=focus, tooltip={"text": "{tooltip}"}, drill=drill
    )


def legend(lang: str, target: float | None) -> list[tuple]:
    return maps.legend_items(lang, target)[:3]


# ---------------------------------------------------------------- tables and sentences
def gap_table(gaps: pd.DataFrame, townships: pd.DataFrame, lang: str, with_township: bool) -> pd.DataFrame:
    """The gap list with labelled columns, longest gaps first."""
    names = places.township_names(townships, lang)
    df = gaps.sort_values(["hours", "shortfall", "gap_start"], ascending=[False, False, True])
    cols = {i18n.t("col.checkpoint", lang): df["name"].to_numpy()}
    if with_township:
        cols[i18n.t("col.township", lang)] = [names.get(t, t) for t in df["township_id"]]
    cols.update(
        {
            i18n.t("col.gap_start", lang): df["gap_start"].to_numpy(),
            i18n.t("col.gap_end", lang): df["gap_end"].to_numpy(),
            i18n.t("col.hours", lang): df["hours"].to_numpy(),
            i18n.t("col.shortfall", lang): df["shortfall"].to_numpy(),
        }
    )
    return pd.DataFrame(cols)


def no_checkpoints_text(
    county_status: pd.DataFrame, townships: pd.DataFrame, township_name: str, lang: str
) -> str:
    """The sentence (markdown, names escaped) shown for a township without checkpoints: where
    the county's are.
    county_status: checkpoint_status() of the whole county."""
    if not len(county_status):
        return i18n.t("cp.none_loaded", lang)
    names = places.township_names(townships, lang)
    where = ("、" if lang == "zh" else ", ").join(
        i18n.md_escape(names.get(t, t)) for t in sorted(set(county_status["township_id"]))
    )
    return i18n.t("cp.none_here", lang, township=i18n.md_escape(township_name), where=where)
