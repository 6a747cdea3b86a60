"""The meeting screen's slides (会议大屏, views/kiosk.py runs them): dark, 16:9, large type.

Each slide is a function (ctx, s, targets, base, change) of the view's summary(), targets,
baseline and summary_change(); SLIDES names them as the link's `slides=` does. The key figures
are dashboard.kpis's: the same value, "met" and change as the overview and the briefing.

Text reaches the page through st.markdown, escaped; the only HTML is the static style sheet
views/kiosk.css, which sizes and colours what the keyed containers below mark
(tile-good-…, tvalue-…, tbad-…, tup-…).
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from .. import i18n, kpis, metrics, screens, ui
from ..charts import branches as branch_charts
from ..charts import checkpoints as cp_charts
from ..charts import common, maps, training
from ..charts import grids as grid_charts

PLAIN = {"displayModeBar": False, "staticPlot": True}
BODY = 820  # px of the slide between the header and the status line


# ---------------------------------------------------------------- pieces
def line(kind: str, text: str, key: str, width="stretch") -> None:
    """One line of text, styled by the sheet's rules for `kind`."""
    with st.container(key=f"{kind}-{key}", width=width):
        st.markdown(i18n.md_escape(text))


def tile(
    ctx,
    key: str,
    label: str,
    value: str,
    *,
    status: kpis.Status | None = None,
    status_text: str = "",
    note: str | None = None,
    change: kpis.Change | None = None,
    small=False,
) -> None:
    """A figure as the back row reads it: label, number, against its target (a gap in words,
    no arrow), and its change since the last meeting (the only arrow)."""
    on_target = status.met if status is not None else None
    state = {True: "good-", False: "bad-", None: ""}[on_target]
    with st.container(key=f"tile-{state}{key}"):
        line("tlabel", label, key)
        line("tvalue2" if small else "tvalue", value, key)
        if on_target is not None:
            line("tgood" if on_target else "tbad", status_text, key)
        if note:
            line("tnote", note, key)
        if change is not None:
            line(
                ("tflat", "tup", "tdown")[change.direction], ("", "▲ ", "▼ ")[change.direction] + change, key
            )


def figure(ctx, key: str, s, targets, base, change, *, small=False, note=None, against_target=True) -> None:
    """A key figure of dashboard.kpis as a tile."""
    r = kpis.read(kpis.BY_KEY[key], s, targets, change, base, ctx.lang, screen=True)
    said = ""
    if r.status.met is not None:
        said = ctx.t("kpi.status_target", status=r.status_text, target=r.target_text)
    tile(
        ctx,
        key,
        r.label,
        r.value,
        status=r.status if against_target else None,
        status_text=said,
        note=note,
        change=r.change,
        small=small,
    )


def legend(items: list[tuple[str, str]], key: str) -> None:
    """(status, label) pairs: met, close, short, none or unstaffed, drawn as coloured squares."""
    with st.container(key=f"legend-{key}", horizontal=True):
        for i, (status, label) in enumerate(items):
            line(f"lg-{status}", label, f"{key}-{i}", width="content")


def subheading(text: str, key: str) -> None:
    line("sub", text, key)


# The by-township chart of the screen: at most this many townships (the weakest) in its 430 px
# at the back row's type size; a county's six all show.
KIOSK_TOWNSHIPS = 8


def chart(fig, key: str, height: int, font_size: int = 26) -> None:
    st.plotly_chart(
        common.for_screen(fig, font_size=font_size, height=height), config=PLAIN, theme=None, key=key
    )


# ---------------------------------------------------------------- slides
def overview(ctx, s, targets, base, change) -> None:
    figures = [k.key for k in kpis.HEADLINE if kpis.present(k, s)]
    # A township with few of these figures shows them in one row, larger.
    per_row = max(1, min(3, len(figures)))
    rows = -(-len(figures) // per_row)
    with st.container(key=f"grid-{min(rows, 2)}x{per_row}"):
        for start in range(0, len(figures), per_row):
            for col, key in zip(
                st.columns(per_row, gap="large"), figures[start : start + per_row], strict=False
            ):
                with col:
                    figure(ctx, key, s, targets, base, change)


def grids(ctx, s, targets, base, change) -> None:
    g = s["grids"]
    towns = ui.data("townships", ctx)
    many = g["total"] > grid_charts.MAP_MAX_GRIDS  # a province: one dot per township
    grid_list = ui.data("grid_list", ctx, geometry=not many)
    attention = ui.data("grids_needing_attention", ctx)
    left, right = st.columns([2.4, 1], gap="large")
    with left:
        target = grid_charts.view_target(grid_list)
        items = maps.legend_items(ctx.lang, target)
        legend(
            [(code, label) for code, (label, _) in zip(maps.STATUSES[:3], items[:3], strict=False)]
            + [("none", ctx.t("grids.status.none")), ("unstaffed", ctx.t("kiosk.unstaffed"))],
            "grids",
        )
        township_geo = ui.data("geo_features", ctx, layer="townships")
        if many:
            deck = grid_charts.township_deck(
                grid_charts.township_rollup(grid_list, towns),
                township_geo,
                towns,
                ctx.lang,
                theme=maps.DARK,
                size=(1300, BODY - 80),
            )
        else:
            deck = grid_charts.grid_deck(
                grid_list, township_geo, towns, ctx.lang, theme=maps.DARK, size=(1300, BODY - 80)
            )
        st.pydeck_chart(deck, height=BODY - 80, key=f"kiosk_grid_map_{ctx.version}_{ctx.township}_{ctx.lang}")
    with right, st.container(key="side-3"):
        figure(ctx, "visits", s, targets, base, change, small=True)
        figure(ctx, "reporting", s, targets, base, change, small=True)
        tile(
            ctx,
            "attention",
            ctx.t("kiosk.grids_attention"),
            i18n.fmt_int(len(attention)),
            note=ctx.t("kiosk.grids_of", total=i18n.fmt_int(g["total"])),
            small=True,
        )


def branches(ctx, s, targets, base, change) -> None:
    b = s["branches"]
    towns = ui.data("townships", ctx)
    status = ui.data("branch_status", ctx)
    t = targets.get("branches.compliance_rate")
    left, right = st.columns([1, 1.3], gap="large")
    with left:
        failing = b["total"] - b["compliant"]
        figure(
            ctx,
            "compliance",
            s,
            targets,
            base,
            change,
            note=(ctx.t("kiosk.branches_failing") + f" {failing:,}") if failing else None,
        )
        if ctx.township is None:
            subheading(ctx.t("kiosk.by_township"), "by-township")
            fig = branch_charts.compliance_by_township(
                ui.data("compliance_by_township", ctx), towns, t, ctx.lang, most=KIOSK_TOWNSHIPS
            )
            fig.update_xaxes(range=[0, 1.75], showticklabels=False, showgrid=False)
            chart(fig, "kiosk_by_township", height=430)
        else:
            trend = ui.data("compliance_trend", ctx)
            if len(trend):
                subheading(ctx.t("kiosk.trend"), "trend")
                chart(branch_charts.compliance_trend(trend, t, ctx.lang), "kiosk_trend", height=430)
    with right:
        counts = branch_charts.status_counts(status)
        legend(
            [
                (
                    f"dot-{code}",
                    ctx.t(
                        "branches.legend_item",
                        status=ctx.t(f"branches.status.{s_}"),
                        n=i18n.fmt_int(counts[s_]),
                    ),
                )
                for code, s_ in (("met", "compliant"), ("short", "noncompliant"), ("none", "never"))
            ],
            "branches",
        )
        deck = branch_charts.branch_map(
            status,
            ui.data("geo_features", ctx, layer="townships"),
            towns,
            ctx.lang,
            township=ctx.township,
            theme=maps.DARK,
            size=(1040, BODY - 70),
        )
        st.pydeck_chart(
            deck, height=BODY - 70, key=f"kiosk_branch_map_{ctx.version}_{ctx.township}_{ctx.lang}"
        )


def checkpoints(ctx, s, targets, base, change) -> None:
    c = s["checkpoints"]
    gaps = ui.data("checkpoint_gaps", ctx)
    status = ui.data("checkpoint_status", ctx)
    left, right = st.columns([1, 2.1], gap="large")
    with left, st.container(key="side-3"):
        figure(ctx, "coverage", s, targets, base, change, small=True)
        tile(
            ctx,
            "gaps",
            ctx.t("kiosk.cp_gaps"),
            ctx.t("kiosk.cp_gaps_value", n=i18n.fmt_int(len(gaps))),
            note=ctx.t("kiosk.cp_gaps_hours", hours=i18n.fmt_int(gaps["hours"].sum())) if len(gaps) else None,
            small=True,
        )
        tile(
            ctx,
            "persons",
            ctx.t("kiosk.cp_persons"),
            i18n.fmt_compact(c["persons_checked"], ctx.lang),
            small=True,
        )
    with right:
        rows = cp_charts.heatmap_rows(status, only_gaps=True).head(8)
        if len(rows):
            subheading(ctx.t("kiosk.cp_worst"), "cp-worst")
            legend(
                [(f"cp-{code}", ctx.t(f"cp.state.{code}")) for code, _ in reversed(cp_charts.STATES)], "cp"
            )
            hourly = ui.data("checkpoint_hourly", ctx, checkpoints=tuple(rows["checkpoint_id"]))
            fig = cp_charts.heatmap(hourly, rows, ctx.week, ctx.lang)
            fig.update_layout(showlegend=False)
            chart(fig, "kiosk_heatmap", height=min(BODY - 80, 230 + 70 * len(rows)), font_size=24)
        else:
            line("allgood", ctx.t("cp.no_gaps"), "cp")


def training_slide(ctx, s, targets, base, change) -> None:
    tr = s["training"]
    left, right = st.columns([1, 2.1], gap="large")
    with left, st.container(key="side-2"):
        for key in ("sessions", "attendees"):
            figure(
                ctx,
                key,
                s,
                targets,
                base,
                change,
                small=True,
                against_target=False,
                note=ctx.t("kiosk.year_to_date"),
            )
    with right:
        subheading(ctx.t("kiosk.training_kinds"), "kinds")
        fig = training.kind_progress(tr, targets, "sessions", ctx.lang)
        fig.update_xaxes(range=[0, fig.layout.xaxis.range[1] * 0.9])  # longer bars, room for text
        chart(fig, "kiosk_kinds", height=BODY - 90)


def submissions_slide(ctx, s, targets, base, change) -> None:
    """报送情况: which townships have sent the week's reports (dashboard.submissions)."""
    from .. import submissions

    df, _ = ui.board(ctx, ctx.week, ctx.township)
    counts = submissions.status_counts(df)
    order = {"missing": 0, "partial": 1, "submitted": 2, "not_required": 3}
    rows = sorted(df.to_dict("records"), key=lambda r: (order[r["status"]], r["township_id"]))

    def township_tile(r, big=False) -> None:
        state = {"submitted": "good-", "missing": "bad-", "partial": "warn-", "not_required": "none-"}[
            r["status"]
        ]
        key = r["township_id"]
        with st.container(key=f"tile-{state}sub-{key}"):
            line("tlabel", i18n.place_name(r["name"], r.get("name_en"), ctx.lang), key)
            line("tvalue" if big else "tvalue2", ctx.t(f"sub.kiosk_status_{r['status']}"), key)
            grids, days = r["grids_total"], 7 * r["checkpoints_total"]
            line(
                "tnote",
                ctx.t("sub.kiosk_grids", sent=r["grids_reported"], total=grids)
                if grids
                else ctx.t("sub.kiosk_no_grids"),
                f"{key}-g",
            )
            line(
                "tnote",
                ctx.t("sub.kiosk_days", sent=r["checkpoint_days"], total=days)
                if days
                else ctx.t("sub.kiosk_no_checkpoints"),
                f"{key}-d",
            )
            line(
                "tnote",
                ctx.t("sub.kiosk_other", trainings=r["trainings"], assessed=r["branches_assessed"]),
                f"{key}-o",
            )

    if len(rows) == 1:  # a township's screen: its own row, large
        with st.container(key="grid-1x1"):
            township_tile(rows[0], big=True)
        return
    shown, rest = rows[:6], rows[6:]
    left, right = st.columns([1, 2.6], gap="large")
    with left, st.container(key="side-2"):
        tile(
            ctx,
            "subs",
            ctx.t("sub.kiosk_submitted"),
            f"{counts['submitted']:,} / {len(df) - counts['not_required']:,}",
            small=True,
            note=ctx.t("sub.counts", **counts),
        )
    with right:
        for start in range(0, len(shown), 3):
            for col, r in zip(st.columns(3, gap="medium"), shown[start : start + 3], strict=False):
                with col:
                    township_tile(r)
        if rest:
            line(
                "tnote",
                ctx.t(
                    "sub.counts",
                    **submissions.status_counts(df[df["township_id"].isin([r["township_id"] for r in rest])]),
                ),
                "rest",
            )


def ledger_slide(ctx, s, targets, base, change) -> None:
    """整改台账: how many items are overdue and escalated, how many were closed since the last
    meeting (the last pinned version), and the most serious open items, escalated first."""
    from .. import ledger
    from . import ledger as ledger_ui

    found = ledger_ui.items(ctx)
    counts = ledger.counts(found)
    closed, pinned = ledger_ui.since_meeting(ctx)
    names = ledger_ui._names(ctx)
    left, right = st.columns([1, 2.6], gap="large")
    with left, st.container(key="side-3"):
        tile(
            ctx,
            "ledger-overdue",
            ctx.t("ledger.kiosk_overdue"),
            f"{counts['overdue']:,}",
            small=True,
            note=ctx.t("ledger.kiosk_escalated", n=f"{counts['escalated']:,}"),
        )
        tile(
            ctx,
            "ledger-closed",
            ctx.t("ledger.kiosk_closed") if pinned else ctx.t("ledger.kiosk_closed_all"),
            f"{closed:,}",
            small=True,
            note=ctx.t("ledger.kiosk_open", n=f"{counts['open']:,}"),
        )
    with right:
        urgent = [i for i in found if i.status != "closed"][:6]  # what fits a 1080-line screen
        if not urgent:
            line("tnote", ctx.t("ledger.all_clear"), "ledger-none")
        for n, it in enumerate(urgent):
            state = "bad-" if it.status == "overdue" else "warn-" if it.colour == "amber" else ""
            with st.container(key=f"tile-{state}ledger-{n}"):
                line(
                    "tlabel",
                    f"{ledger_ui.state_label(it, ctx.lang)} · {names.get(it.township_id, '')}",
                    f"l{n}",
                )
                line(
                    "tnote",
                    " · ".join(
                        (
                            ledger_ui.kind_label(it.kind, ctx.lang),
                            ledger_ui.what(it, ctx.lang, code=True),
                            ctx.t("ledger.due", date=i18n.fmt_date(it.deadline, ctx.lang)),
                        )
                    ),
                    f"l{n}",
                )


SLIDES = {
    "overview": overview,
    "grids": grids,
    "branches": branches,
    "checkpoints": checkpoints,
    "training": training_slide,
    "submissions": submissions_slide,
    "ledger": ledger_slide,
}


def draw(ctx, slide: str, s: dict) -> None:
    """One slide of the view `ctx` (s: its summary()). A slide that fails says so on the
    screen, which is unattended in a meeting, and the rotation goes on."""
    targets = ui.data("targets", ctx)
    base = ui.baseline(ctx)
    change = metrics.summary_change(s, base and base["summary"])
    with st.container(key=f"slide-{slide}"):
        try:
            SLIDES[slide](ctx, s, targets, base, change)
        except Exception:
            logging.getLogger(__name__).exception("kiosk slide %s failed", slide)
            line("empty", ctx.t("kiosk.slide_failed"), "failed")


# ---------------------------------------------------------------- the screen
def header(ctx, rotation: screens.Rotation, slides: tuple, link_notes: list[str]) -> None:
    """Slide title and township; the slide's position, fixed to the bottom right corner, is
    drawn with them so that the three always change together. link_notes: what the link
    asked for that could not be done."""
    with st.container(key="kiosk-head"):
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        with left:
            line("kiosk", ctx.t("kiosk.brand"), "brand")
            line("kiosk", ctx.t(f"page.{rotation.slide}") if rotation.slide else ctx.t("page.kiosk"), "title")
        with right:
            line("kiosk", ctx.township_name, "place")
        notes = [*link_notes, *ctx.notes]
        if notes:
            line("kiosk", " ".join(notes), "notes")
    number, total = rotation.position(slides)
    line("kiosk", f"{number} / {total}" if total else "—", "position")


def footer(ctx, paused: bool) -> None:
    """The status line: data week, version, time of this tick; paused when it is."""
    parts = []
    if ctx.week:
        parts.append(ctx.t("kiosk.week", week=i18n.fmt_week(ctx.week, ctx.lang)))
    coverage = ui.week_coverage(ctx)
    if coverage and not coverage["all_in"]:  # a half-reported week says so on the big screen too
        parts.append(
            ctx.t("week.coverage", reported=coverage["reported"], expected=coverage["expected"])
            + ctx.t("week.kiosk_rule", names=ui.unreported_names(ctx, coverage["not_reported"]))
        )
    if ctx.version is not None:
        parts.append(ctx.t("kiosk.version", version=ctx.version))
    parts.append(ctx.t("kiosk.refreshed", time=dt.datetime.now().strftime("%H:%M:%S")))
    if ui.open_mode():
        parts.append(ctx.t("kiosk.open_mode"))
    with st.container(key="kiosk-foot", horizontal=True, vertical_alignment="center"):
        line("kiosk", "  ·  ".join(parts), "status", width="content")
        if paused:
            line("kiosk", ctx.t("kiosk.paused"), "paused", width="content")
