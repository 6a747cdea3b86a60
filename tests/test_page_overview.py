"""总览 Overview in AppTest, opened as a link would open it: the tiles show the figures of
metrics.summary() for the view in the URL, in the URL's language; a bad link says so and
falls back to a view that exists; an empty store says that nothing is loaded."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from streamlit.proto.Metric_pb2 import Metric

from dashboard import contract, i18n, metrics
from dashboard.store import Store

from helpers import CJK, is_bars, numbers, open_boxes, progress_bars, tiles

LATEST = "2021-12-27"  # the demo county's latest week, named in the week note
LANG_WIDGET = i18n.t("filter.lang")  # "语言 Language" in both languages, by design


# ------------------------------------------------------------------ what the user sees
def arrows(at) -> dict[str, tuple[str, str, str]]:
    """Metric label -> (the change beside its arrow, the arrow UP / DOWN / NONE, the words after)."""
    return {
        m.label: (m.proto.delta, Metric.MetricDirection.Name(m.proto.direction), m.proto.delta_description)
        for m in at.metric
    }


def status_lines(at) -> dict[str, tuple[str, str]]:
    """Metric label -> (the tile's line against its target, as read, and its colour)."""
    out = {}

    def walk(node):
        children = list(getattr(node, "children", {}).values())
        metrics_here = [c for c in children if getattr(c, "type", None) == "metric"]
        for c in children:
            match = (
                re.fullmatch(r":(\w+)\[(.*)\]", getattr(c, "value", "") or "")
                if getattr(c, "type", None) == "markdown"
                else None
            )
            if metrics_here and match:
                out[metrics_here[0].label] = (re.sub(r"\\(.)", r"\1", match.group(2)), match.group(1))
        for c in children:
            walk(c)

    walk(at.main)
    return out


def sparklines(at) -> dict[str, tuple[str, str, list[str], list[float]]]:
    """Metric label -> the line drawn under its figure: (what a screen reader says, its colour,
    each point's hover text "week · value", each point's height from the bottom (0..48 px))."""
    out = {}

    def walk(node):
        children = list(getattr(node, "children", {}).values())
        metrics_here = [c for c in children if getattr(c, "type", None) == "metric"]
        for c in children:
            text = getattr(c, "value", "") or "" if getattr(c, "type", None) == "markdown" else ""
            if metrics_here and 'class="spk"' in text:
                label = html.unescape(re.search(r'aria-label="([^"]*)"', text).group(1))
                colour = re.search(r'stroke="([^"]+)"', text).group(1)
                points = re.search(r'points="([^"]+)"', text).group(1).split()
                heights = [48 - float(xy.split(",")[1]) for xy in points]
                tips = [html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", text)]
                out[metrics_here[0].label] = (label, colour, tips, heights)
        for c in children:
            walk(c)

    walk(at.main)
    return out


def label_texts(at) -> list[str]:
    """Every label the interface writes (not data such as branch or checkpoint names)."""
    out = [
        e.value
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "warning",
            "info",
            "success",
            "error",
        )
        for e in getattr(at, kind)
        if not is_bars(e.value) and 'class="spk"' not in e.value  # their words: below
    ]
    out += [x for label, _, whens, _ in sparklines(at).values() for x in (label, *whens)]
    out += [x for m in at.metric for x in (m.label, m.proto.delta, m.proto.delta_description)]
    out += [w.label for kind in ("selectbox", "radio") for w in getattr(at, kind) if w.label != LANG_WIDGET]
    out += [p.proto.label for p in at.get("page_link")]
    out += [e.label for e in at.expander]
    out += [label for label, _, _, _ in progress_bars(at)]
    return out


TREND_BOX = "show_weekly_trend"


def open_trend(at):
    """Open the weekly trend's box, as a leader clicking on it does."""
    assert not at.exception, [e.value for e in at.exception]
    return open_boxes(at, TREND_BOX)


def chart_labels(at) -> list[str]:
    """Legend entries and category labels of the plotly charts."""
    out = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            out += [trace["name"]] if trace.get("name") else []
            categories = trace.get("y")  # numbers come base64-packed, as a dict
            out += [v for v in categories if isinstance(v, str)] if isinstance(categories, list) else []
    return out


def link_notes(at) -> list[str]:
    """The warnings that say a link's parameter was not usable (note.bad_* in either language)."""
    patterns = [
        re.compile(".*".join(map(re.escape, re.split(r"\{value\}|\{latest\}", text))))
        for key in ("note.bad_lang", "note.bad_township", "note.bad_week")
        for text in i18n.LABELS[key]
    ]
    return [w.value for w in at.warning if any(p.fullmatch(w.value) for p in patterns)]


def assert_clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ------------------------------------------------------------------ what the figures should be
def expected_tiles(
    con, lang: str = "zh", week: dt.date | None = None, township: str | None = None
) -> dict[str, str]:
    """The overview tiles as metrics.summary() gives them, formatted as the page promises:
    a scope without branches, checkpoints or grids has no tile for them (it gets a sentence)."""
    s = metrics.summary(con, metrics.Scope(week, township))
    b, g, m, c = s["branches"], s["grids"], s["members"], s["checkpoints"]
    tiles = {}
    if b["total"]:
        tiles[i18n.t("figure.branches.compliant", lang)] = f"{b['compliant']:,} / {b['total']:,}"
    if c["total"]:
        tiles[i18n.t("figure.checkpoints.coverage_rate", lang)] = i18n.fmt_rate(c["coverage_rate"], lang)
    if g["total"]:
        tiles[i18n.t("figure.members.reported", lang)] = i18n.fmt_int(m["reported"], lang)
        tiles[i18n.t("figure.grids.staffed_rate", lang)] = i18n.fmt_rate(g["staffed_rate"], lang)
        tiles[i18n.t("figure.grids.visit_rate", lang)] = i18n.fmt_rate(g["visit_rate"], lang)
        tiles[i18n.t("figure.grids.reporting_rate", lang)] = i18n.fmt_rate(g["reporting_rate"], lang)
    for code in contract.INDICATORS:
        tiles[i18n.enum_label(contract.INDICATORS, code, lang)] = i18n.fmt_num(s["indicators"][code], lang)
    return tiles


def title(lang: str, place: str) -> str:
    return f"{i18n.t('page.overview', lang)} · {place}"


# ------------------------------------------------------------------ the default view
def test_default_view_is_the_whole_county_in_the_latest_week(open_app, demo):
    at = open_app()
    assert_clean(at)
    latest = metrics.latest_week(demo)
    assert latest == dt.date(2021, 12, 27)
    assert [t.value for t in at.title] == [title("zh", "全县")]
    assert tiles(at) == expected_tiles(demo)
    # The article's figures, written out: the tiles and summary() cannot both be wrong alike.
    assert tiles(at)["边境村组党支部达标"] == "122 / 122"
    assert tiles(at)["下沉党员报到"] == "1,259"
    assert any("2021年12月27日 至 2022年1月2日" in c.value for c in at.caption)
    assert [(s.label, s.value) for s in at.sidebar.selectbox] == [("乡镇", ""), ("周", latest)]
    assert link_notes(at) == []


def test_tiles_say_on_target_in_green_and_a_shortfall_in_red(open_app, demo):
    at = open_app()
    s = metrics.summary(demo)
    assert s["branches"]["compliance_rate"] == 1 and s["checkpoints"]["coverage_rate"] < 1
    shown = status_lines(at)
    assert shown["边境村组党支部达标"] == ("达标 · 目标 100%", "green")
    short = f"{(1 - s['checkpoints']['coverage_rate']) * 100:.1f}"
    assert shown["卡点24小时值守覆盖率"] == (f"差 {short} 个百分点 · 目标 100%", "red")


@pytest.mark.parametrize(
    "lang, gap", [("zh", "差 37.5 个百分点 · 目标 100%"), ("en", "37.5 pts short · target 100%")]
)
def test_a_tile_below_target_says_how_far_short_and_no_arrow_says_it(open_app, demo, lang, gap):
    # 勐马镇 on 2021-06-07: 20 of its 32 branches up to standard against a target of 100%.
    # The gap to target is said in words, in red; the arrow beside the figure is only ever the
    # change since the week before, never the gap (once "↓ -37.5% · 目标 100%": "fell 37.5%").
    at = open_app(week="2021-06-07", township="T02", lang=lang)
    assert_clean(at)
    label = i18n.t("figure.branches.compliant", lang)
    assert tiles(at)[label] == "20 / 32"
    assert status_lines(at)[label] == (gap, "red")
    # The week before had 20 up to standard as well: no change, so no arrow at all.
    assert metrics.summary(demo, metrics.Scope(dt.date(2021, 5, 31), "T02"))["branches"]["compliant"] == 20
    assert arrows(at)[label] == (i18n.t("change.same", lang), "NONE", i18n.t("change.vs_week", lang))
    assert not any(arrow == "DOWN" for _, arrow, _ in arrows(at).values())


@pytest.mark.parametrize("township, place", [("T06", "公信乡"), ("T01", "娜允镇")], ids=["T06", "T01"])
def test_township_in_the_link_scopes_every_figure(open_app, demo, township, place):
    at = open_app(township=township)
    assert_clean(at)
    assert [t.value for t in at.title] == [title("zh", place)]
    assert tiles(at) == expected_tiles(demo, township=township)
    assert tiles(at) != expected_tiles(demo)  # the scope really changes something
    assert at.sidebar.selectbox[0].value == township
    assert at.query_params.get("township") == township
    assert link_notes(at) == []


def test_township_figures_written_out(open_app):
    # 公信乡 has 24 branches and 8 checkpoints but no community grids: no grid tiles (their
    # rates would be "—"), a sentence instead; and the county has six tiles.
    at = open_app(township="T06")
    shown = tiles(at)
    assert shown["边境村组党支部达标"] == "24 / 24"
    assert shown["卡点24小时值守覆盖率"] == "98.2%"
    assert "网格有人包保" not in shown and "下沉党员报到" not in shown
    assert [i.value for i in at.info] == [i18n.t("overview.no_grids", township="公信乡")]
    county = open_app()
    assert {"网格有人包保", "本周入户走访率", "网格周报报送率", "下沉党员报到"} <= set(tiles(county))
    assert [i.value for i in county.info] == []


def test_week_in_the_link_shows_that_week(open_app, demo):
    week = dt.date(2021, 6, 7)
    at = open_app(week=week.isoformat(), township="T02")
    assert_clean(at)
    assert tiles(at) == expected_tiles(demo, week=week, township="T02")
    assert tiles(at) != expected_tiles(demo, township="T02")
    assert any("2021年6月7日 至 2021年6月13日" in c.value for c in at.caption)
    assert at.sidebar.selectbox[1].value == week
    assert link_notes(at) == []


@pytest.mark.parametrize(
    "lang, members, coverage",
    [
        ("zh", "较上周 +16", "较上周 +0.3个百分点"),
        ("en", "+16 vs the week before", "+0.3 pts vs the week before"),
    ],
)
def test_tiles_show_the_change_since_the_week_before(open_app, demo, lang, members, coverage):
    # Nothing is pinned in the demo store, so the tiles compare with the previous week.
    week, before = dt.date(2021, 6, 7), dt.date(2021, 5, 31)
    now, then = metrics.summary(demo, metrics.Scope(week)), metrics.summary(demo, metrics.Scope(before))
    assert now["members"]["reported"] - then["members"]["reported"] == 16
    assert round((now["checkpoints"]["coverage_rate"] - then["checkpoints"]["coverage_rate"]) * 100, 1) == 0.3
    at = open_app(week=week.isoformat(), lang=lang)
    assert_clean(at)
    shown = {
        label: f"{since} {delta}" if lang == "zh" else f"{delta} {since}"
        for label, (delta, arrow, since) in arrows(at).items()
        if arrow == "UP"
    }
    assert shown[i18n.t("figure.members.reported", lang)] == members
    assert shown[i18n.t("figure.checkpoints.coverage_rate", lang)] == coverage


# ------------------------------------------------------------------ language
def test_english_link_shows_english_labels(open_app, demo):
    at = open_trend(open_app(lang="en", township="T06"))
    assert_clean(at)
    assert [t.value for t in at.title] == [title("en", "Gongxin")]
    assert tiles(at) == expected_tiles(demo, "en", township="T06")
    assert [s.label for s in at.sidebar.selectbox] == ["Township", "Week"]
    assert at.sidebar.selectbox[0].options[0] == "Whole county"
    assert chart_labels(at)
    leaks = [t for t in label_texts(at) + chart_labels(at) if CJK.search(t)]
    assert leaks == []


def english_fragments() -> set[str]:
    """The fixed words of every English label that differs from its Chinese one."""
    out = set()
    for zh, en in i18n.LABELS.values():
        if zh == en:
            continue
        for piece in re.split(r"\{[^}]*\}", en):
            piece = piece.strip(" .,:;()·–—-“”\"'")
            if len(re.findall(r"[A-Za-z]", piece)) >= 4 and piece not in zh:
                out.add(piece)
    return out


@pytest.mark.parametrize("query", [{}, {"township": "T06"}])
def test_chinese_view_has_no_english_label(open_app, query):
    at = open_trend(open_app(**query))
    fragments = english_fragments()
    assert "Checkpoint 24 h coverage" in fragments  # the check looks for real labels
    texts = label_texts(at) + chart_labels(at)
    leaks = sorted({f for f in fragments for t in texts if f in t})
    assert leaks == [], leaks
    assert chart_labels(at) and all(CJK.search(name) for name in chart_labels(at))


def bar_texts(at) -> list[str]:
    """The figures written on the training progress bars."""
    return [text for _, text, _, _ in progress_bars(at)]


def test_training_progress_reads_done_against_target_for_the_county(open_app):
    bars = {kind: (text, tone, full) for kind, text, tone, full in progress_bars(open_app())}
    assert bars["党校培训"] == ("24 / 24 (100%)", "good", 100)  # 24 sessions, target 24
    assert bars["专题党课"] == ("206 / 200 (103%)", "good", 100)  # above target
    assert len(bars) == len(contract.TRAINING_KINDS)


def test_training_progress_short_of_target_is_amber_and_part_full(open_app, demo):
    # 公信乡's own target: 40 fireside night-school sessions; in June it is short of it
    week = dt.date(2021, 6, 7)
    done = metrics.summary(demo, metrics.Scope(week, "T06"))["training"]["fireside_school"]["sessions"]
    assert 0 < done < 40
    bars = {
        kind: (text, tone, full)
        for kind, text, tone, full in progress_bars(open_app(township="T06", week=week.isoformat()))
    }
    share = i18n.fmt_rate(done / 40, digits=0)
    assert bars["火塘夜校"] == (f"{done} / 40 ({share})", "warn", round(done / 40 * 100))
    # a kind without a target of its own reads as a bare count and says so, in grey
    text, tone, _ = bars["党校培训"]
    assert tone == "none" and text.endswith(i18n.t("light.no_target")) and "/" not in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_training_progress_of_a_township_never_says_nan(open_app, lang):
    # 公信乡 has its own target for fireside schools only; the county's session targets are
    # not held against it, so the other kinds read as bare counts (once "14 / nan（nan%）").
    texts = bar_texts(open_app(township="T06", lang=lang))
    assert "40 / 40 (100%)" in texts
    assert [t for t in texts if "nan" in t.lower()] == []


def test_page_sends_no_plotly_chart_on_load(open_app):
    # plotly.js costs the browser ~0.7 s per visit; the figures are in the tiles and the bars
    at = open_app()
    assert_clean(at)
    assert at.get("plotly_chart") == []
    assert [e.label for e in at.expander] == [i18n.t("light.trend")]
    assert bar_texts(at) and at.metric


def test_opening_the_trend_draws_the_weekly_figures(open_app, demo):
    at = open_trend(open_app())
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    trend = metrics.weekly_trend(demo, metrics.Scope(metrics.latest_week(demo)), weeks=12)
    shown = {t["name"]: numbers(t["y"]) for t in spec["data"]}
    assert list(shown) == [
        i18n.t(k)
        for k in (
            "figure.branches.compliance_rate",
            "figure.grids.visit_rate",
            "figure.checkpoints.coverage_rate",
        )
    ]
    for name, col in zip(shown, ("compliance_rate", "visit_rate", "coverage_rate"), strict=True):
        assert shown[name] == pytest.approx(list(trend[col]), nan_ok=True)


def test_an_opened_trend_stays_open_across_a_filter_change(open_app):
    at = open_trend(open_app())
    at.sidebar.selectbox[0].set_value("T06").run()
    assert_clean(at)
    assert [t.value for t in at.title] == [title("zh", "公信乡")]
    assert len(at.get("plotly_chart")) == 1 and at.expander[0].proto.expanded
    at.session_state[TREND_BOX] = False  # closed again: nothing sent
    at.run()
    assert at.get("plotly_chart") == [] and not at.expander[0].proto.expanded


# ------------------------------------------------------------------ links that do not work
BAD_LINKS = [
    ({"township": "XX"}, "note.bad_township", "XX"),
    ({"week": "2021-02-30"}, "note.bad_week", "2021-02-30"),  # no such day
    ({"week": "2021-05-04"}, "note.bad_week", "2021-05-04"),  # a Tuesday
    ({"week": "2020-12-28"}, "note.bad_week", "2020-12-28"),  # a Monday without data
    ({"week": "last"}, "note.bad_week", "last"),
    ({"lang": "fr"}, "note.bad_lang", "fr"),
]


@pytest.mark.parametrize(
    "query, note, value", BAD_LINKS, ids=[f"{k}={v}" for q, _, v in BAD_LINKS for k in q]
)
def test_bad_link_says_so_and_shows_the_default_view(open_app, demo, query, note, value):
    at = open_app(**query)
    assert_clean(at)
    assert link_notes(at) == [i18n.t(note, "zh", value=value, latest=LATEST)]
    assert [t.value for t in at.title] == [title("zh", "全县")]
    assert tiles(at) == expected_tiles(demo)
    key = next(iter(query))
    assert at.query_params.get(key) != value  # the bad value leaves the URL


def test_bad_link_note_is_in_the_links_language(open_app, demo):
    at = open_app(lang="en", township="XX", week="2021-05-04")
    assert_clean(at)
    assert link_notes(at) == [
        i18n.t("note.bad_township", "en", value="XX"),
        i18n.t("note.bad_week", "en", value="2021-05-04", latest=LATEST),
    ]
    assert tiles(at) == expected_tiles(demo, "en")


def test_one_bad_parameter_keeps_the_good_ones(open_app, demo):
    at = open_app(township="T06", week="2021-13-01")
    assert_clean(at)
    assert link_notes(at) == [i18n.t("note.bad_week", "zh", value="2021-13-01", latest=LATEST)]
    assert tiles(at) == expected_tiles(demo, township="T06")


# ------------------------------------------------------------------ nothing loaded yet
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_empty_store_says_nothing_is_loaded(open_app, tmp_path, lang):
    at = open_app(store=Store(tmp_path / "empty"), lang=lang)
    assert_clean(at)
    assert [i.value for i in at.info] == [i18n.t("empty.store", lang)]
    assert [t.value for t in at.title] == [title(lang, i18n.t("filter.county", lang))]
    assert len(at.metric) == 0
    assert link_notes(at) == []


def test_empty_store_with_a_link_explains_instead_of_failing(open_app, tmp_path):
    at = open_app(store=Store(tmp_path / "empty"), township="T01", week="2021-06-07")
    assert_clean(at)
    assert [i.value for i in at.info] == [i18n.t("empty.store")]
    assert link_notes(at) == [
        i18n.t("note.bad_township", value="T01"),
        i18n.t("note.bad_week", value="2021-06-07", latest="—"),
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tiles_draw_the_last_weeks_without_vega(open_app, demo, lang):
    """Each rate tile draws its last 12 weeks under the figure (an SVG line, not st.metric's
    Vega-Lite chart: issue 14 §2): one point a week, higher when the rate was higher, each
    telling its week and rate on hover; red when the change is for the worse, grey when none."""
    at = open_app(lang=lang)
    assert_clean(at)
    assert all(not m.proto.chart_data for m in at.metric)  # no Vega-Lite sparkline is sent
    lines = sparklines(at)
    trend = metrics.weekly_trend(demo, weeks=12)
    labels = {
        col: i18n.t(key, lang)
        for col, key in (
            ("compliance_rate", "figure.branches.compliant"),
            ("coverage_rate", "figure.checkpoints.coverage_rate"),
            ("staffed_rate", "figure.grids.staffed_rate"),
            ("visit_rate", "figure.grids.visit_rate"),
            ("reporting_rate", "figure.grids.reporting_rate"),
        )
    }
    assert set(lines) == set(labels.values())
    for col, label in labels.items():
        said, colour, tips, heights = lines[label]
        assert said == i18n.t("light.spark", lang, n=12)
        assert tips == [
            f"{i18n.fmt_week(w, lang)} · {i18n.fmt_rate(v, lang)}"
            for w, v in zip(trend["week_start"], trend[col], strict=True)
        ]
        values = list(trend[col])
        assert heights.index(max(heights)) == values.index(max(values))
        assert heights.index(min(heights)) == values.index(min(values))
    assert lines[labels["coverage_rate"]][1] == "#D94A57"  # 99.9% -> 99.8%: for the worse, red
    assert lines[labels["staffed_rate"]][1] == "#6B7280"  # unchanged: grey
