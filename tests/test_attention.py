"""The overview's attention list, most serious first (issue 20 §4): grids that did not report,
then unstaffed grids, checkpoint gaps, failing branches, and grids visited below target last;
each grid once, under its most serious reason, the worst first."""

from __future__ import annotations

from dashboard import attention, metrics


def test_groups_come_most_serious_first_and_each_grid_once(demo):
    grids = metrics.grids_needing_attention(demo)
    groups = attention.groups(metrics.noncompliant_branches(demo), metrics.checkpoint_gaps(demo), grids, "zh")
    kinds = [g.kind for g in groups]
    assert kinds == [k for k in attention.KINDS if k in kinds]
    assert kinds[0] == "grids_not_reported" and kinds[-1] == "grids_below_target"
    assert groups[0].title == f"{(grids['reason'] == 'not_reported').sum()} 个网格本周未报送"
    below = groups[-1]
    assert below.tone == "orange" and groups[0].tone == "red"
    shown = [line.split("（")[0] for line in below.lines]
    worst = grids[grids["reason"] == "below_target"].sort_values("visit_rate")["name"].head(5)
    assert shown == list(worst)  # lowest visit rate first
    listed = sum(len(g.lines) + g.more for g in groups if g.page == "grids")
    assert listed == len(grids)


def test_nothing_to_list_is_an_empty_list(demo):
    none = metrics.grids_needing_attention(demo).iloc[:0]
    gaps = metrics.checkpoint_gaps(demo).iloc[:0]
    assert attention.groups(metrics.noncompliant_branches(demo).iloc[:0], gaps, none, "en") == []
