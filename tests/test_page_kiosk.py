"""会议大屏 Meeting screen and 大屏控制 Screen control in AppTest: `?kiosk=1` shows the slides
with the figures of metrics.summary(), in Chinese or English, with the data week, version,
township and slide position always on it; the presenter's file steers it (township, jump,
pause, release); a newly published version shows on its next run; a township user only ever
shows or steers their own township."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1.element_tree import Block

from dashboard import auth, contract, i18n, ingest, metrics, screens, ui
from dashboard.store import Store

from helpers import CJK, PASSWORD, login

KEYED = re.compile(r"^\$\$ID-[0-9a-f]+-(.+)$")


# ------------------------------------------------------------------ what the screen shows
def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def lines(at) -> dict[str, str]:
    """Container key -> the text written in it: the kiosk's lines (kiosk-title, tvalue-members,
    ...), as the style sheet addresses them."""
    out = {}

    def walk(node):
        if isinstance(node, Block):
            match = KEYED.match(getattr(node.proto, "id", "") or "") if node.proto else None
            texts = [
                unescape(c.value) for c in node.children.values() if getattr(c, "type", None) == "markdown"
            ]
            if match and texts:
                out[match.group(1)] = " ".join(texts)
            for child in node.children.values():
                walk(child)

    walk(at.main)
    return out


def kiosk(open_app, store=None, **query):
    at = open_app(store=store, kiosk="1", **query)
    assert not at.exception, [e.value for e in at.exception]
    return at


def context(lang="zh", township=None, version=1, week=None) -> ui.Context:
    return ui.Context(lang=lang, township=township, week=week, version=version, township_name="")


# ------------------------------------------------------------------ the slides
def test_overview_shows_the_summary_against_targets_and_since_last_meeting(open_app, demo_store, demo):
    at = kiosk(open_app, slides="overview")
    shown = lines(at)
    s = metrics.summary(demo)
    week = metrics.latest_week(demo)
    targets = metrics.targets(demo, metrics.Scope(), year=week.year)
    base = metrics.baseline_summary(demo, metrics.Scope(week), store=demo_store)
    change = metrics.summary_change(s, base["summary"])
    b, g, m, c = s["branches"], s["grids"], s["members"], s["checkpoints"]

    assert shown["kiosk-title"] == i18n.t("page.overview")
    assert shown["kiosk-place"] == i18n.t("filter.county")
    assert shown["tvalue-compliance"] == f"{b['compliant']:,} / {b['total']:,}" == "122 / 122"
    assert shown["tvalue-coverage"] == i18n.fmt_rate(c["coverage_rate"])
    assert shown["tvalue-members"] == i18n.fmt_int(m["reported"]) == "1,259"
    assert shown["tvalue-staffed"] == i18n.fmt_rate(g["staffed_rate"])
    assert shown["tvalue-visits"] == i18n.fmt_rate(g["visit_rate"])
    assert shown["tvalue-reporting"] == i18n.fmt_rate(g["reporting_rate"])
    # against target: green when met, red when not, with the target said
    assert shown["tgood-compliance"] == "达标 · 目标 100%"
    assert c["coverage_rate"] < targets["checkpoints.coverage_rate"] == 1
    short = f"{(1 - c['coverage_rate']) * 100:.1f}"
    assert shown["tbad-coverage"] == f"差 {short} 个百分点 · 目标 100%"  # a gap, in words
    # since the last meeting (no pin in the demo: the week before), with an arrow that agrees
    ctx = context()
    said = ui.change_text(ctx, base, change["checkpoints"]["coverage_rate"], rate=True)
    arrow = [v for k, v in shown.items() if re.fullmatch(r"t(up|down|flat)-coverage", k)]
    assert arrow and arrow[0].endswith(said)
    assert ui.change_text(ctx, base, change["members"]["reported"]) in shown["tflat-members"]

    status = shown["kiosk-status"]
    assert i18n.t("kiosk.week", week=i18n.fmt_week(week)) in status
    assert i18n.t("kiosk.version", version=1) in status
    assert re.search(r"刷新 \d\d:\d\d:\d\d", status)
    assert shown["kiosk-position"] == "1 / 1"
    assert len(at.sidebar) == 0 and not at.warning  # no filters, no banner on the screen


CHARTS = {
    "overview": (0, 0),
    "grids": (0, 1),
    "branches": (1, 1),
    "checkpoints": (1, 0),
    "training": (1, 0),
    "submissions": (0, 0),
    "ledger": (0, 0),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("slide", screens.SLIDES)
def test_every_slide_renders_in_both_languages(open_app, slide, lang):
    at = kiosk(open_app, slides=slide, lang=lang)
    shown = lines(at)
    assert shown["kiosk-title"] == i18n.t(f"page.{slide}", lang)
    assert shown["kiosk-place"] == i18n.t("filter.county", lang)
    plotly, decks = CHARTS[slide]
    assert (len(at.get("plotly_chart")), len(at.get("deck_gl_json_chart"))) == (plotly, decks)
    assert any(k.startswith("tvalue") for k in shown)  # every slide has a big figure
    if lang == "en":
        chinese = {k: v for k, v in shown.items() if CJK.search(v)}
        assert chinese == {}  # no name from data is written
    else:
        assert CJK.search(shown["kiosk-status"])


def test_figures_of_the_other_slides_are_the_summarys(open_app, demo):
    s = metrics.summary(demo)
    gaps = metrics.checkpoint_gaps(demo)
    attention = metrics.grids_needing_attention(demo)
    grids = lines(kiosk(open_app, slides="grids"))
    assert grids["tvalue2-visits"] == i18n.fmt_rate(s["grids"]["visit_rate"])
    assert grids["tvalue2-reporting"] == i18n.fmt_rate(s["grids"]["reporting_rate"])
    assert grids["tvalue2-attention"] == str(len(attention))
    branches = lines(kiosk(open_app, slides="branches"))
    assert branches["tvalue-compliance"] == "122 / 122"
    checkpoints = lines(kiosk(open_app, slides="checkpoints"))
    assert checkpoints["tvalue2-coverage"] == i18n.fmt_rate(s["checkpoints"]["coverage_rate"])
    assert checkpoints["tvalue2-gaps"] == i18n.t("kiosk.cp_gaps_value", n=len(gaps))
    assert checkpoints["tvalue2-persons"] == i18n.fmt_int(s["checkpoints"]["persons_checked"])
    training = lines(kiosk(open_app, slides="training"))
    assert training["tvalue2-sessions"] == i18n.fmt_int(s["training"]["sessions"]) == "520"
    assert training["tvalue2-attendees"] == i18n.fmt_int(s["training"]["attendees"])


def test_the_link_sets_township_slides_and_says_what_it_ignores(open_app, demo):
    at = kiosk(open_app, township="T01", slides="branches,maps,overview", interval="abc", screen="../etc")
    shown = lines(at)
    assert shown["kiosk-place"] == "娜允镇"
    assert shown["kiosk-title"] == i18n.t("page.branches")  # the link's order
    assert shown["kiosk-position"] == "1 / 2"
    t01 = metrics.summary(demo, metrics.Scope(township="T01"))["branches"]
    assert shown["tvalue-compliance"] == f"{t01['compliant']} / {t01['total']}"
    notes = shown["kiosk-notes"]
    assert "maps" in notes and "abc" in notes and "../etc" in notes


def test_a_township_without_grids_or_checkpoints_skips_those_slides(open_app):
    shown = lines(kiosk(open_app, township="T02"))
    assert shown["kiosk-place"] == "勐马镇" and shown["kiosk-position"] == "1 / 5"


# ------------------------------------------------------------------ steered by the presenter
def test_presenter_file_switches_jumps_pauses_and_releases(open_app, copy_store):
    at = kiosk(open_app, store=copy_store, township="T01")
    assert lines(at)["kiosk-place"] == "娜允镇" and lines(at)["kiosk-position"] == "1 / 7"
    panel = screens.Screens(copy_store.root)

    panel.update("main", township="T06")
    shown = lines(at.run())
    assert shown["kiosk-place"] == "公信乡" and shown["kiosk-position"] == "1 / 6"
    assert "kiosk-paused" not in shown

    panel.update("main", slide="checkpoints", paused=True)
    shown = lines(at.run())
    assert shown["kiosk-title"] == i18n.t("page.checkpoints")
    assert shown["kiosk-position"] == "3 / 6" and shown["kiosk-paused"] == i18n.t("kiosk.paused")

    panel.update("main", township=screens.COUNTY)
    shown = lines(at.run())
    assert shown["kiosk-place"] == "全县" and shown["kiosk-title"] == i18n.t("page.checkpoints")

    panel.update("hall", township="T02")  # another screen's file: not ours
    panel.clear("main")  # released: back to the link
    shown = lines(at.run())
    assert shown["kiosk-place"] == "娜允镇" and "kiosk-paused" not in shown


def test_a_new_version_shows_on_the_next_run(open_app, copy_store, tmp_path):
    at = kiosk(open_app, store=copy_store, slides="overview")
    assert lines(at)["tvalue-compliance"] == "122 / 122"
    first = sorted(contract.CRITERIA)[0]
    rows = "\n".join(f"B001,2021-12-28,{c},{'false' if c == first else 'true'}," for c in contract.CRITERIA)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "branch_assessments.csv").write_text(
        "branch_id,assessed_on,criterion,passed,note\n" + rows + "\n", "utf-8"
    )
    assert ingest.load([tmp_path / "new"], copy_store, by="tests").ok

    shown = lines(at.run())  # what a tick does: nothing cleared
    assert shown["tvalue-compliance"] == "121 / 122"
    assert i18n.t("kiosk.version", version=2) in shown["kiosk-status"]
    assert shown["tdown-compliance"] == "▼ " + i18n.t("change.since_week", amount="-1")


# ------------------------------------------------------------------ the presenter page
def test_presenter_page_writes_the_screens_state(open_app, copy_store):
    at = open_app("presenter", store=copy_store, screen="hall")
    assert not at.exception
    assert at.title[0].value == f"{i18n.t('page.presenter')} · {i18n.t('presenter.screen', name='hall')}"
    assert at.info[0].value == i18n.t("presenter.free")
    panel = screens.Screens(copy_store.root)

    picker = at.selectbox(key="presenter_township")
    assert picker.value == "__link__" and "公信乡" in picker.options
    picker.select("T06").run()
    assert panel.read("hall").township == "T06" and not panel.read("hall").paused
    at.button(key="presenter_pause").click().run()
    assert panel.read("hall").paused
    assert at.button(key="presenter_pause").label == i18n.t("presenter.resume")
    at.button(key="presenter_jump_training").click().run()
    state = panel.read("hall")
    assert (state.township, state.paused, state.slide) == ("T06", True, "training")
    assert "公信乡" in at.info[0].value and i18n.t("presenter.paused") in at.info[0].value
    at.button(key="presenter_release").click().run()
    assert panel.read("hall") is None and panel.read("main") is None
    assert "hall" in at.code[0].value and "kiosk=1" in at.code[0].value


def test_a_township_user_steers_and_shows_only_their_township(open_app, copy_store):
    users = auth.Users(copy_store.root)
    users.add("leader", "leader", PASSWORD)
    users.add("gongxin", "township", PASSWORD, township="T06")
    panel = screens.Screens(copy_store.root)

    users.issue_screen_token("hall-t06", "T06")  # 公信乡's own screen
    at = login(open_app(store=copy_store, screen="hall-t06"), "gongxin")
    at.switch_page(ui.PAGE_FILES["presenter"]).run()
    assert not at.exception
    picker = at.selectbox(key="presenter_township")
    assert picker.options == ["公信乡"] and picker.disabled
    at.button(key="presenter_jump_branches").click().run()
    assert panel.read("hall-t06").township == "T06" and panel.read("hall-t06").slide == "branches"
    panel.update("main", township="T06")  # a leader sent main to 公信乡

    panel.update("main", township="T01")  # set by someone else
    screen = login(open_app(store=copy_store, kiosk="1", township="T02"), "gongxin")
    assert not screen.exception and lines(screen)["kiosk-place"] == "公信乡"

    leader = login(open_app(store=copy_store), "leader")
    leader.switch_page(ui.PAGE_FILES["presenter"]).run()
    assert not leader.exception and len(leader.selectbox(key="presenter_township").options) == 8


def test_an_empty_store_says_so_on_the_screen(open_app, tmp_path):
    shown = lines(kiosk(open_app, store=Store(tmp_path / "empty")))
    assert shown["empty-store"] == i18n.t("empty.store")
    assert shown["kiosk-title"] == i18n.t("page.kiosk") and shown["kiosk-position"] == "—"
