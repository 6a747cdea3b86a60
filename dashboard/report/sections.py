"""二、存在问题 and 三、下步工作 of the briefing, written from the lists that need attention by
fixed rules: one rule per kind of gap, each naming the townships where it is found, ranked by
how far they fall short. A rule says nothing when its list is empty; the sentence that says
"nothing was found" appears only when every list is empty. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import contract, i18n
from .brief import join, night_gap

# The kinds of gap, in the order the sections speak of them.
RULES = ("branches", "checkpoints", "grids_not_reported", "grids_unstaffed", "grids_below")


@dataclass
class TownFacts:
    """One township's lists of the week (metrics of the same scope and week)."""

    township_id: str
    name: str
    summary: dict
    noncompliant: pd.DataFrame
    gaps: pd.DataFrame
    grids: pd.DataFrame


@dataclass
class Finding:
    """One kind of gap: how many units in all, and the townships with their share, ranked."""

    rule: str
    total: int
    towns: list[tuple[str, str]]  # (name, what the township has), worst first
    items: str = ""  # failed criteria (branches) or "" ; night gaps (checkpoints) as a count
    night: int = 0
    target: str = ""


def _grid_count(grids: pd.DataFrame, reason: str) -> int:
    reasons = [set(r) for r in grids["reasons"]]
    if reason == "below_target":
        return sum("below_target" in r and "not_reported" not in r for r in reasons)
    return sum(reason in r for r in reasons)


def findings(towns: list[TownFacts], lang: str) -> list[Finding]:
    """Every kind of gap found in the townships' lists, each with its townships ranked: most
    units first (checkpoints: lowest 24 h coverage first), then in the townships' order."""
    out = []
    order = {t.township_id: i for i, t in enumerate(towns)}

    hit = [(t, len(t.noncompliant)) for t in towns if len(t.noncompliant)]
    if hit:
        hit.sort(key=lambda x: (-x[1], order[x[0].township_id]))
        failed = pd.concat([t.noncompliant for t, _ in hit])
        assessed = failed[~failed["never_assessed"]]
        counts = pd.Series([k for ks in assessed["failed_criteria"] for k in ks], dtype=object).value_counts()
        items = join(
            [
                i18n.t(
                    "brief.item_count",
                    lang,
                    item=i18n.enum_label(contract.CRITERIA, k, lang),
                    n=int(counts[k]),
                )
                for k in sorted(counts.index, key=lambda k: (-counts[k], list(contract.CRITERIA).index(k)))
            ],
            lang,
        )
        out.append(
            Finding(
                "branches",
                sum(n for _, n in hit),
                [(t.name, i18n.t("sections.n_branches", lang, n=n)) for t, n in hit],
                items=items,
            )
        )

    hit = [t for t in towns if len(t.gaps)]
    if hit:
        hit.sort(key=lambda t: (t.summary["checkpoints"]["coverage_rate"] or 0, order[t.township_id]))
        night = {
            r.checkpoint_id for t in hit for r in t.gaps.itertuples() if night_gap(r.gap_start, r.gap_end)
        }
        out.append(
            Finding(
                "checkpoints",
                sum(t.gaps["checkpoint_id"].nunique() for t in hit),
                [
                    (
                        t.name,
                        i18n.t(
                            "sections.cp_town",
                            lang,
                            rate=i18n.fmt_rate(t.summary["checkpoints"]["coverage_rate"], lang),
                            gaps=len(t.gaps),
                            hours=i18n.fmt_int(t.gaps["hours"].sum()),
                        ),
                    )
                    for t in hit
                ],
                night=len(night),
                items=i18n.t(
                    "sections.cp_total",
                    lang,
                    gaps=sum(len(t.gaps) for t in hit),
                    hours=i18n.fmt_int(sum(t.gaps["hours"].sum() for t in hit)),
                ),
            )
        )

    for rule, reason in (
        ("grids_not_reported", "not_reported"),
        ("grids_unstaffed", "unstaffed"),
        ("grids_below", "below_target"),
    ):
        hit = [(t, _grid_count(t.grids, reason)) for t in towns if len(t.grids)]
        hit = [(t, n) for t, n in hit if n]
        if not hit:
            continue
        hit.sort(key=lambda x: (-x[1], order[x[0].township_id]))
        target = ""
        if rule == "grids_below":
            values = pd.concat([t.grids["visit_target"] for t, _ in hit]).dropna()
            target = (
                i18n.fmt_rate(float(values.iloc[0]), lang, digits=0)
                if values.nunique() == 1
                else i18n.t("target", lang)
            )
        out.append(
            Finding(
                rule,
                sum(n for _, n in hit),
                [(t.name, i18n.t("sections.n_grids", lang, n=n)) for t, n in hit],
                target=target,
            )
        )
    return out


def _towns(f: Finding, lang: str, with_share: bool = True) -> str:
    if with_share:
        return join([i18n.t("sections.town_share", lang, name=n, share=s) for n, s in f.towns], lang)
    return join([n for n, _ in f.towns], lang)


def problems(found: list[Finding], when: str, lang: str) -> list[str]:
    """二、存在问题: one sentence per kind of gap found, naming its townships, worst first."""
    if not found:
        return [i18n.t("sections.no_problems", lang, when=when)]
    out = []
    for f in found:
        extra = ""
        if f.rule == "branches" and f.items:
            extra = i18n.t("sections.branches_items", lang, items=f.items)
        if f.rule == "checkpoints":
            extra = f.items + (i18n.t("sections.cp_night", lang, n=f.night) if f.night else "")
        out.append(
            i18n.t(
                f"sections.problem.{f.rule}",
                lang,
                when=when,
                n=i18n.fmt_int(f.total),
                towns=_towns(f, lang),
                extra=extra,
                target=f.target,
            )
        )
    return out


def next_steps(found: list[Finding], lang: str, extra: list[str] = ()) -> list[str]:
    """三、下步工作: one task per kind of gap found, for its townships; `extra`: tasks from
    elsewhere (the ledger's overdue items). When nothing was found, the one plain task of
    keeping the weekly reporting going."""
    out = []
    for f in found:
        out.append(
            i18n.t(
                f"sections.step.{f.rule}",
                lang,
                n=i18n.fmt_int(f.total),
                towns=_towns(f, lang, with_share=False),
                night=i18n.t("sections.step_night", lang) if f.night else "",
            )
        )
    out += list(extra)
    if not out:
        out.append(i18n.t("sections.step.none", lang))
    return [i18n.t("sections.step_number", lang, n=i + 1, text=text) for i, text in enumerate(out)]
