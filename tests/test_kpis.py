"""dashboard.kpis, the one list of key figures: how a figure reads against its target (a gap in
words, never a signed percentage) and over time (the change, the only thing with a direction)."""

from __future__ import annotations

import pytest

from dashboard import i18n, kpis


@pytest.mark.parametrize("lang, said", [("zh", "差 42.9 个百分点"), ("en", "42.9 pts short")])
def test_four_of_seven_branches_read_as_a_gap_not_a_fall(lang, said):
    s = {"branches": {"total": 7, "compliant": 4, "compliance_rate": 4 / 7}}
    r = kpis.read(
        kpis.BY_KEY["compliance"],
        s,
        {"branches.compliance_rate": 1.0},
        {"branches": {"compliant": 0}},
        {"kind": "previous_week"},
        lang,
    )
    assert (r.value, r.target_text, r.status.state) == ("4 / 7", "100%", "below")
    assert r.status_text == said
    assert "-" not in r.status_text and "%" not in r.status_text
    assert (r.change.amount, r.change.direction) == (i18n.t("change.same", lang), 0)


def test_a_count_short_of_target_says_its_unit():
    s = {"grids": {"total": 3}, "members": {"reported": 1230}}
    r = kpis.read(kpis.BY_KEY["members"], s, {"members.reported": 1259}, {}, None, "zh")
    assert r.status_text == "差 29 人"
    r = kpis.read(kpis.BY_KEY["members"], s, {"members.reported": 1259}, {}, None, "en")
    assert r.status_text == "29 people short"
    assert r.change is None  # nothing to compare with


def test_met_allows_float_noise_and_nothing_more():
    assert kpis.status(57 / 57, 1.0).met
    assert kpis.status(1 - 1e-12, 1.0).met
    assert not kpis.status(0.999, 1.0).met
    assert kpis.status(None, 1.0).met is None and kpis.status(0.5, None).met is None
    ytd = kpis.status(400, 500, year_to_date=True)  # a year's target, not failed yet
    assert (ytd.state, ytd.tone, kpis.status_text(ytd, "zh", year_to_date=True)) == (
        "progress",
        "warn",
        "完成80%",
    )


@pytest.mark.parametrize(
    "delta, rate, kind, zh, direction",
    [
        (0.015, True, "previous_week", "较上周 +1.5个百分点", 1),
        (-0.0004, True, "previous_week", "较上周 持平", 0),  # rounds to nothing: no arrow
        (-3, False, "pinned", "较上次例会（12-27 例会）-3", -1),
    ],
)
def test_change_text_and_direction_agree(delta, rate, kind, zh, direction):
    base = {"kind": kind, "label": "12-27 例会"}
    c = kpis.change(delta, base, "zh", rate=rate)
    assert (str(c), c.direction, c.better) == (zh, direction, direction)
    assert c.startswith(c.base) and c.endswith(c.amount)
    assert kpis.change(None, base, "zh") is None and kpis.change(1, None, "zh") is None


def test_every_figure_has_labels_and_paths_summary_knows():
    paths = {"branches", "grids", "members", "checkpoints", "training"}
    for k in kpis.KPIS:
        for key in filter(None, (k.label, k.screen_label, k.unit if not k.rate else None)):
            assert key in i18n.LABELS, (k.key, key)
        assert k.path.split(".")[0] in paths and k.change_path.split(".")[0] in paths
    assert [k.key for k in kpis.HEADLINE] == [
        "compliance",
        "coverage",
        "members",
        "staffed",
        "visits",
        "reporting",
    ]
