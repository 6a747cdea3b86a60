"""What needs action this week, most serious first: the overview's attention list (issue 20 §4).
Pure: no streamlit.

A grid that did not report, or that nobody looks after, is a hole in the week's picture; an
uncovered hour at a checkpoint is a hole in the border; a branch short of a criterion is a
standing problem; a grid visited below target is a shortfall of degree. The groups are listed
in that order (KINDS), each grid under its most serious reason (metrics.GRID_REASONS), and
within a group the worst first. The texts come from the label table; names from uploaded
files are left as they are (the page shows them as plain text, never as markdown or HTML).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import contract, i18n, metrics

# Most serious first: the order of the groups on the overview.
KINDS = ("grids_not_reported", "grids_unstaffed", "checkpoint_gaps", "branches", "grids_below_target")
# A grid's most serious reason (metrics.GRID_REASONS) -> its group.
_GRID_KIND = {
    "not_reported": "grids_not_reported",
    "unstaffed": "grids_unstaffed",
    "below_target": "grids_below_target",
}
SHOWN = 5  # lines a group shows; the page it links to has them all


@dataclass(frozen=True)
class Group:
    """One box of the attention list: `kind` (of KINDS), `title` ("3 个网格本周未报送"),
    `tone` ("red" a hole, "orange" a shortfall), `lines` (at most SHOWN, worst first),
    `more` (how many are left out) and `page` (the page listing them all)."""

    kind: str
    title: str
    tone: str
    lines: tuple[str, ...]
    more: int
    page: str


def _grid_line(r, reason: str, lang: str) -> str:
    """ "name: what else is wrong (visit rate)": the group's own reason is its title, and a grid
    that did not report was visited by nobody, so that is not said again."""
    extra = [k for k in r.reasons if k != reason and not (reason == "not_reported" and k == "below_target")]
    line = str(r.name)
    if extra:
        line += ": " + "、".join(i18n.t(f"reason.{k}", lang) for k in extra)
    if "below_target" in r.reasons and reason != "not_reported":
        line += i18n.t("attention.rate", lang, rate=i18n.fmt_rate(r.visit_rate, lang))
    return line


def _grid_groups(grids: pd.DataFrame, lang: str) -> dict[str, Group]:
    if grids.empty:
        return {}
    order = {r: i for i, r in enumerate(metrics.GRID_REASONS)}
    ranked = grids.assign(_rank=[order[r] for r in grids["reason"]]).sort_values(
        ["_rank", "visit_rate", "grid_id"], na_position="first", kind="stable"
    )
    out = {}
    for reason, rows in ranked.groupby("reason", sort=False):
        kind = _GRID_KIND[reason]
        lines = [_grid_line(r, reason, lang) for r in rows.head(SHOWN).itertuples()]
        out[kind] = Group(
            kind,
            i18n.t(f"attention.{kind}", lang, n=i18n.fmt_int(len(rows), lang)),
            "orange" if kind == "grids_below_target" else "red",
            tuple(lines),
            max(len(rows) - SHOWN, 0),
            "grids",
        )
    return out


def _gap_group(gaps: pd.DataFrame, lang: str) -> Group | None:
    if gaps.empty:
        return None
    worst = gaps.sort_values(["hours", "gap_start"], ascending=[False, True], kind="stable")
    lines = [
        f"{r.name}: {r.gap_start:%m-%d %H:%M} – {r.gap_end:%m-%d %H:%M}"
        + i18n.t("attention.hours", lang, n=r.hours)
        for r in worst.head(SHOWN).itertuples()
    ]
    hours = i18n.fmt_int(gaps["hours"].sum(), lang)
    return Group(
        "checkpoint_gaps",
        i18n.t("attention.gaps", lang, n=len(gaps), hours=hours),
        "red",
        tuple(lines),
        max(len(gaps) - SHOWN, 0),
        "checkpoints",
    )


def _branch_group(branches: pd.DataFrame, lang: str) -> Group | None:
    if branches.empty:
        return None
    lines = []
    for r in branches.head(SHOWN).itertuples():
        failed = (
            i18n.t("attention.never", lang)
            if r.never_assessed
            else "、".join(i18n.enum_label(contract.CRITERIA, k, lang) for k in r.failed_criteria)
        )
        lines.append(i18n.t("attention.where", lang, name=r.name, place=r.village) + f": {failed}")
    return Group(
        "branches",
        i18n.t("attention.branches", lang, n=len(branches)),
        "red",
        tuple(lines),
        max(len(branches) - SHOWN, 0),
        "branches",
    )


def groups(branches: pd.DataFrame, gaps: pd.DataFrame, grids: pd.DataFrame, lang: str) -> list[Group]:
    """The attention list, most serious first (KINDS): branches = metrics.noncompliant_branches,
    gaps = metrics.checkpoint_gaps, grids = metrics.grids_needing_attention of one view.
    Empty groups are left out; an empty list means nothing needs attention."""
    found = _grid_groups(grids, lang)
    found["checkpoint_gaps"] = _gap_group(gaps, lang)
    found["branches"] = _branch_group(branches, lang)
    return [found[k] for k in KINDS if found.get(k) is not None]
