"""会议大屏 Meeting screen (`?kiosk=1`, on any page's path): dark, 16:9, large type, few words.

It rotates through its slides by itself and follows, on every tick, both the presenter page
(dashboard.screens) and the live data version: a load published while the screen runs shows
on it without anyone touching it.

    ?kiosk=1 [&lang=en] [&township=T01] [&interval=20] [&slides=overview,branches] [&screen=main]

Text reaches the page through st.markdown, escaped; the only HTML is the static style sheet
views/kiosk.css, which sizes and colours what the keyed containers below mark.
"""
import datetime as dt
import logging
import time
from dataclasses import replace

import streamlit as st

from dashboard import i18n, metrics, screens, ui
from dashboard.charts import branches as branch_charts
from dashboard.charts import checkpoints as cp_charts
from dashboard.charts import common, maps, training
from dashboard.charts import grids as grid_charts

PLAIN = {"displayModeBar": False, "staticPlot": True}
BODY = 820                      # px of the slide between the header and the status line

ui.kiosk_style()
lang = ui.url_lang()
interval, interval_ok = screens.parse_interval(st.query_params.get("interval"))
configured, unknown = screens.parse_slides(st.query_params.get("slides"))
screen, screen_ok = screens.parse_screen(st.query_params.get("screen"))
url_township = st.query_params.get("township") or None
param_notes = [i18n.t("kiosk.bad_slides", lang, value=v) for v in unknown]
if not interval_ok:
    param_notes.append(i18n.t("kiosk.bad_interval", lang, value=st.query_params.get("interval"),
                              seconds=interval))
if not screen_ok:
    param_notes.append(i18n.t("kiosk.bad_screen", lang, value=st.query_params.get("screen")))


# ---------------------------------------------------------------- pieces
def line(kind: str, text: str, key: str, width="stretch") -> None:
    """One line of text, styled by the sheet's rules for `kind`."""
    with st.container(key=f"{kind}-{key}", width=width):
        st.markdown(i18n.md_escape(text))


def met(value, target) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target - 1e-9


def since(ctx, base, delta, rate: bool = False) -> tuple[str, int] | None:
    """The change since the last meeting as text, and its direction as shown (-1, 0, 1):
    a change that rounds to nothing gets no arrow."""
    text = ui.change_text(ctx, base, delta, rate=rate)
    if text is None:
        return None
    shown = round(delta * 100, 1) if rate else round(delta, 1)
    return text, (shown > 0) - (shown < 0)


def tile(ctx, key: str, label: str, value: str, *, rate=None, target=None, target_text=None,
         note: str | None = None, change: tuple[str, int] | None = None, small=False) -> None:
    """A figure as the back row reads it: label, number, against its target, change."""
    on_target = met(rate, target)
    state = {True: "good-", False: "bad-", None: ""}[on_target]
    with st.container(key=f"tile-{state}{key}"):
        line("tlabel", label, key)
        line("tvalue2" if small else "tvalue", value, key)
        if on_target is not None:
            line("tgood" if on_target else "tbad",
                 ctx.t("kiosk.on_target" if on_target else "kiosk.below_target",
                       target=target_text or i18n.fmt_num(target)), key)
        if note:
            line("tnote", note, key)
        if change is not None:
            text, direction = change
            line(("tflat", "tup", "tdown")[direction], ("", "▲ ", "▼ ")[direction] + text, key)


def rate_target(targets: dict, metric: str) -> tuple:
    target = targets.get(metric)
    return target, i18n.fmt_rate(target, digits=0)


def legend(items: list[tuple[str, str]], key: str) -> None:
    """(status, label) pairs: met, close, short, none or unstaffed, drawn as coloured squares."""
    with st.container(key=f"legend-{key}", horizontal=True):
        for i, (status, label) in enumerate(items):
            line(f"lg-{status}", label, f"{key}-{i}", width="content")


def subheading(text: str, key: str) -> None:
    line("sub", text, key)


def chart(fig, key: str, height: int, font_size: int = 26) -> None:
    st.plotly_chart(common.for_screen(fig, font_size=font_size, height=height), config=PLAIN,
                    theme=None, key=key)


# ---------------------------------------------------------------- slides
def overview(ctx, s, targets, base, change) -> None:
    b, g, m, c = s["branches"], s["grids"], s["members"], s["checkpoints"]

    figures = []
    if b["total"]:
        t, tt = rate_target(targets, "branches.compliance_rate")
        figures.append(dict(key="compliance", label=ctx.t("kiosk.compliance"),
                            value=f"{b['compliant']:,} / {b['total']:,}", rate=b["compliance_rate"],
                            target=t, target_text=tt,
                            change=since(ctx, base, change["branches"]["compliant"])))
    if c["total"]:
        t, tt = rate_target(targets, "checkpoints.coverage_rate")
        figures.append(dict(key="coverage", label=ctx.t("kpi.coverage"),
                            value=i18n.fmt_rate(c["coverage_rate"], ctx.lang), rate=c["coverage_rate"],
                            target=t, target_text=tt,
                            change=since(ctx, base, change["checkpoints"]["coverage_rate"], True)))
    if g["total"]:
        figures.append(dict(key="members", label=ctx.t("kpi.members"),
                            value=i18n.fmt_int(m["reported"]), rate=m["reported"],
                            target=targets.get("members.reported"),
                            target_text=i18n.fmt_num(targets.get("members.reported")),
                            change=since(ctx, base, change["members"]["reported"])))
        for key, label, metric in (("staffed", "kpi.grids_staffed", "staffed_rate"),
                                   ("visits", "kpi.visit_rate", "visit_rate"),
                                   ("reporting", "kpi.reporting_rate", "reporting_rate")):
            t, tt = rate_target(targets, f"grids.{metric}")
            figures.append(dict(key=key, label=ctx.t(label), value=i18n.fmt_rate(g[metric], ctx.lang),
                                rate=g[metric], target=t, target_text=tt,
                                change=since(ctx, base, change["grids"][metric], True)))
    # A township with few of these figures shows them in one row, larger.
    per_row = max(1, min(3, len(figures)))
    rows = -(-len(figures) // per_row)
    with st.container(key=f"grid-{min(rows, 2)}x{per_row}"):
        for start in range(0, len(figures), per_row):
            for col, f in zip(st.columns(per_row, gap="large"), figures[start:start + per_row]):
                with col:
                    tile(ctx, **f)


def grids(ctx, s, targets, base, change) -> None:
    g = s["grids"]
    towns = ui.data("townships", ctx)
    many = g["total"] > grid_charts.MAP_MAX_GRIDS      # a province: one dot per township
    grid_list = ui.data("grid_list", ctx, geometry=not many)
    attention = ui.data("grids_needing_attention", ctx)
    left, right = st.columns([2.4, 1], gap="large")
    with left:
        target = grid_charts.view_target(grid_list)
        items = maps.legend_items(ctx.lang, target)
        legend([(code, label) for code, (label, _) in zip(maps.STATUSES[:3], items[:3])]
               + [("none", ctx.t("grids.status.none")), ("unstaffed", ctx.t("kiosk.unstaffed"))],
               "grids")
        township_geo = ui.data("geo_features", ctx, layer="townships")
        if many:
            deck = grid_charts.township_deck(grid_charts.township_rollup(grid_list, towns),
                                             township_geo, towns, ctx.lang, theme=maps.DARK,
                                             size=(1300, BODY - 80))
        else:
            deck = grid_charts.grid_deck(grid_list, township_geo, towns, ctx.lang,
                                         theme=maps.DARK, size=(1300, BODY - 80))
        st.pydeck_chart(deck, height=BODY - 80,
                        key=f"kiosk_grid_map_{ctx.version}_{ctx.township}_{ctx.lang}")
    with right, st.container(key="side-3"):
        t, tt = rate_target(targets, "grids.visit_rate")
        tile(ctx, "visits", ctx.t("kiosk.visit_rate"), i18n.fmt_rate(g["visit_rate"], ctx.lang),
             rate=g["visit_rate"], target=t, target_text=tt, small=True,
             change=since(ctx, base, change["grids"]["visit_rate"], rate=True))
        t, tt = rate_target(targets, "grids.reporting_rate")
        tile(ctx, "reporting", ctx.t("kiosk.reporting_rate"),
             i18n.fmt_rate(g["reporting_rate"], ctx.lang), rate=g["reporting_rate"], target=t,
             target_text=tt, small=True)
        tile(ctx, "attention", ctx.t("kiosk.grids_attention"), i18n.fmt_int(len(attention)),
             note=ctx.t("kiosk.grids_of", total=i18n.fmt_int(g["total"])), small=True)


def branches(ctx, s, targets, base, change) -> None:
    b = s["branches"]
    towns = ui.data("townships", ctx)
    status = ui.data("branch_status", ctx)
    t, tt = rate_target(targets, "branches.compliance_rate")
    left, right = st.columns([1, 1.3], gap="large")
    with left:
        failing = b["total"] - b["compliant"]
        tile(ctx, "compliance", ctx.t("kiosk.compliance"), f"{b['compliant']:,} / {b['total']:,}",
             rate=b["compliance_rate"], target=t, target_text=tt,
             note=(ctx.t("kiosk.branches_failing") + f" {failing:,}") if failing else None,
             change=since(ctx, base, change["branches"]["compliant"]))
        if ctx.township is None:
            subheading(ctx.t("kiosk.by_township"), "by-township")
            fig = branch_charts.compliance_by_township(ui.data("compliance_by_township", ctx),
                                                       towns, t, ctx.lang)
            fig.update_xaxes(range=[0, 1.75], showticklabels=False, showgrid=False)
            chart(fig, "kiosk_by_township", height=430)
        else:
            trend = ui.data("compliance_trend", ctx)
            if len(trend):
                subheading(ctx.t("kiosk.trend"), "trend")
                chart(branch_charts.compliance_trend(trend, t, ctx.lang), "kiosk_trend", height=430)
    with right:
        counts = branch_charts.status_counts(status)
        legend([(f"dot-{code}", ctx.t("branches.legend_item", status=ctx.t(f"branches.status.{s_}"),
                                      n=i18n.fmt_int(counts[s_])))
                for code, s_ in (("met", "compliant"), ("short", "noncompliant"), ("none", "never"))],
               "branches")
        deck = branch_charts.branch_map(status, ui.data("geo_features", ctx, layer="townships"),
                                        towns, ctx.lang, township=ctx.township, theme=maps.DARK,
                                        size=(1040, BODY - 70))
        st.pydeck_chart(deck, height=BODY - 70,
                        key=f"kiosk_branch_map_{ctx.version}_{ctx.township}_{ctx.lang}")


def checkpoints(ctx, s, targets, base, change) -> None:
    c = s["checkpoints"]
    gaps = ui.data("checkpoint_gaps", ctx)
    status = ui.data("checkpoint_status", ctx)
    t, tt = rate_target(targets, "checkpoints.coverage_rate")
    left, right = st.columns([1, 2.1], gap="large")
    with left, st.container(key="side-3"):
        tile(ctx, "coverage", ctx.t("cp.kpi.coverage"), i18n.fmt_rate(c["coverage_rate"], ctx.lang),
             rate=c["coverage_rate"], target=t, target_text=tt, small=True,
             change=since(ctx, base, change["checkpoints"]["coverage_rate"], rate=True))
        tile(ctx, "gaps", ctx.t("kiosk.cp_gaps"), ctx.t("kiosk.cp_gaps_value", n=i18n.fmt_int(len(gaps))),
             note=ctx.t("kiosk.cp_gaps_hours", hours=i18n.fmt_int(gaps["hours"].sum())) if len(gaps)
             else None, small=True)
        tile(ctx, "persons", ctx.t("kiosk.cp_persons"), i18n.fmt_int(c["persons_checked"]),
             small=True)
    with right:
        rows = cp_charts.heatmap_rows(status, only_gaps=True).head(8)
        if len(rows):
            subheading(ctx.t("kiosk.cp_worst"), "cp-worst")
            legend([(f"cp-{code}", ctx.t(f"cp.state.{code}")) for code, _ in reversed(cp_charts.STATES)],
                   "cp")
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
        tile(ctx, "sessions", ctx.t("kiosk.training_sessions"), i18n.fmt_int(tr["sessions"]),
             note=ctx.t("kiosk.year_to_date"),
             change=since(ctx, base, change["training"]["sessions"]), small=True)
        tile(ctx, "attendees", ctx.t("kiosk.training_attendees"), i18n.fmt_int(tr["attendees"]),
             note=ctx.t("kiosk.year_to_date"),
             change=since(ctx, base, change["training"]["attendees"]), small=True)
    with right:
        subheading(ctx.t("kiosk.training_kinds"), "kinds")
        fig = training.kind_progress(tr, targets, "sessions", ctx.lang)
        fig.update_xaxes(range=[0, fig.layout.xaxis.range[1] * 0.9])   # longer bars, room for text
        chart(fig, "kiosk_kinds", height=BODY - 90)


def submissions_slide(ctx, s, targets, base, change) -> None:
    """报送情况: which townships have sent the week's reports (dashboard.submissions)."""
    from dashboard import submissions
    df, _ = ui.board(ctx, ctx.week, ctx.township)
    counts = submissions.status_counts(df)
    order = {"missing": 0, "partial": 1, "submitted": 2}
    rows = sorted(df.to_dict("records"), key=lambda r: (order[r["status"]], r["township_id"]))

    def township_tile(r, big=False) -> None:
        state = {"submitted": "good-", "missing": "bad-", "partial": "warn-"}[r["status"]]
        key = r["township_id"]
        with st.container(key=f"tile-{state}sub-{key}"):
            line("tlabel", i18n.place_name(r["name"], r.get("name_en"), ctx.lang), key)
            line("tvalue" if big else "tvalue2", ctx.t(f"sub.kiosk_status_{r['status']}"), key)
            grids, days = r["grids_total"], 7 * r["checkpoints_total"]
            line("tnote", ctx.t("sub.kiosk_grids", sent=r["grids_reported"], total=grids)
                 if grids else ctx.t("sub.kiosk_no_grids"), f"{key}-g")
            line("tnote", ctx.t("sub.kiosk_days", sent=r["checkpoint_days"], total=days)
                 if days else ctx.t("sub.kiosk_no_checkpoints"), f"{key}-d")
            line("tnote", ctx.t("sub.kiosk_other", trainings=r["trainings"],
                                assessed=r["branches_assessed"]), f"{key}-o")

    if len(rows) == 1:                       # a township's screen: its own row, large
        with st.container(key="grid-1x1"):
            township_tile(rows[0], big=True)
        return
    shown, rest = rows[:6], rows[6:]
    left, right = st.columns([1, 2.6], gap="large")
    with left, st.container(key="side-2"):
        tile(ctx, "subs", ctx.t("sub.kiosk_submitted"), f"{counts['submitted']:,} / {len(df):,}",
             small=True, note=ctx.t("sub.counts", **counts))
    with right:
        for start in range(0, len(shown), 3):
            for col, r in zip(st.columns(3, gap="medium"), shown[start:start + 3]):
                with col:
                    township_tile(r)
        if rest:
            line("tnote", ctx.t("sub.counts", **submissions.status_counts(
                df[df["township_id"].isin([r["township_id"] for r in rest])])), "rest")


SLIDES = {"overview": overview, "grids": grids, "branches": branches,
          "checkpoints": checkpoints, "training": training_slide, "submissions": submissions_slide}


# ---------------------------------------------------------------- the screen
def header(ctx, rotation: screens.Rotation, slides: tuple) -> None:
    """Slide title and township; the slide's position, fixed to the bottom right corner, is
    drawn with them so that the three always change together."""
    with st.container(key="kiosk-head"):
        left, right = st.columns([3, 2], vertical_alignment="bottom")
        with left:
            line("kiosk", ctx.t("kiosk.brand"), "brand")
            line("kiosk", ctx.t(f"page.{rotation.slide}") if rotation.slide
                 else ctx.t("page.kiosk"), "title")
        with right:
            line("kiosk", ctx.township_name, "place")
        notes = [*param_notes, *ctx.notes]
        if notes:
            line("kiosk", " ".join(notes), "notes")
    number, total = rotation.position(slides)
    line("kiosk", f"{number} / {total}" if total else "—", "position")


def footer(ctx, paused: bool) -> None:
    """The status line: data week, version, time of this tick; paused when it is."""
    parts = []
    if ctx.week:
        parts.append(ctx.t("kiosk.week", week=i18n.fmt_week(ctx.week, ctx.lang)))
    if ctx.version is not None:
        parts.append(ctx.t("kiosk.version", version=ctx.version))
    parts.append(ctx.t("kiosk.refreshed", time=dt.datetime.now().strftime("%H:%M:%S")))
    if ui.open_mode():
        parts.append(ctx.t("kiosk.open_mode"))
    with st.container(key="kiosk-foot", horizontal=True, vertical_alignment="center"):
        line("kiosk", "  ·  ".join(parts), "status", width="content")
        if paused:
            line("kiosk", ctx.t("kiosk.paused"), "paused", width="content")


def now_showing():
    """Read the presenter's file and the live version, and step the rotation: what the screen
    shows now, as (context, presenter state, slides with data, rotation, summary)."""
    state = ui.screens().read(screen)
    ctx = ui.screen_context(lang, screens.township_shown(state, url_township))
    summary = ui.data("summary", ctx) if ctx.version is not None else None
    slides = screens.slides_with_data(configured, summary) if summary else ()
    rotation = st.session_state.get("_kiosk_rotation") or screens.Rotation()
    rotation = rotation.step(slides, state, time.monotonic(), interval)
    st.session_state["_kiosk_rotation"] = rotation
    return ctx, state, slides, rotation, summary


def drawn_key(ctx, rotation) -> tuple:
    """Everything the slide on the screen depends on (the pins: "since the last meeting")."""
    return (rotation.slide, ctx.version, ctx.week, ctx.township, ctx.lang,
            repr(sorted(ui.store().pins())))


@st.fragment(run_every=screens.tick_seconds(interval))
def tick() -> None:
    """Every few seconds, untouched: follow the presenter and the data. The slide, whose maps
    and charts are heavy to draw, is drawn anew only when what it shows changed (the next
    slide, a new version, another township); otherwise only the status line is."""
    ctx, state, _, rotation, _ = now_showing()
    if drawn_key(ctx, rotation) != st.session_state.get("_kiosk_drawn"):
        st.rerun()
    footer(ctx, paused=bool(state and state.paused))


ctx, state, slides, rotation, s = now_showing()
key = drawn_key(ctx, rotation)
header(ctx, rotation, slides)
if rotation.slide is None:
    line("empty", ctx.t("empty.store"), "store")
else:
    targets = ui.data("targets", ctx)
    base = ui.baseline(ctx)
    change = metrics.summary_change(s, base and base["summary"])
    with st.container(key=f"slide-{rotation.slide}"):
        try:
            SLIDES[rotation.slide](ctx, s, targets, base, change)
        except Exception:        # unattended in a meeting: say so on this slide, keep turning
            logging.getLogger(__name__).exception("kiosk slide %s failed", rotation.slide)
            line("empty", ctx.t("kiosk.slide_failed"), "failed")
if st.session_state.get("_kiosk_drawn", (None,))[0] != rotation.slide:
    # A slide's time counts from when it is drawn, not from when it was chosen.
    st.session_state["_kiosk_rotation"] = replace(rotation, shown_since=time.monotonic())
st.session_state["_kiosk_drawn"] = key
tick()                    # after the slide: its timer starts once the slide has been sent
