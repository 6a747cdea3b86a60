"""The written briefing (工作简报): a short note on one scope, in sentences written from its
figures by fixed rules. A clause appears only where the figures support it."""

from __future__ import annotations

import pandas as pd

from .. import contract, i18n, kpis

NIGHT = (22, 6)  # a gap hour in [22:00, 06:00) is a night gap


def join(items: list[str], lang: str) -> str:
    """Items of a list in a sentence: "a、b" / "a, b"."""
    return i18n.t("report.sep.list", lang).join(items)


def clauses(parts: list[str], lang: str) -> str:
    """Clauses of one sentence, joined and closed."""
    parts = [p for p in parts if p]
    if not parts:
        return ""
    text = i18n.t("report.sep.clause", lang).join(parts)
    return text[0].upper() + text[1:] + i18n.t("report.sep.end", lang)  # upper(): English only


def _rate_change(delta, base_kind: str | None, lang: str) -> str:
    if delta is None or base_kind is None:
        return ""
    base = i18n.t("brief.base_meeting" if base_kind == "pinned" else "brief.base_week", lang)
    pts = kpis.points(delta)
    if pts == 0:
        return i18n.t("brief.same", lang, base=base)
    return i18n.t("brief.up" if pts > 0 else "brief.down", lang, base=base, pts=f"{abs(pts):.1f}")


def _night_gap(start, end) -> bool:
    """Whether any hour of the gap [start, end) falls in the night."""
    hour, stop = pd.Timestamp(start), pd.Timestamp(end)
    while hour < stop:
        if hour.hour >= NIGHT[0] or hour.hour < NIGHT[1]:
            return True
        hour += pd.Timedelta(hours=1)
    return False


def township_brief(
    s: dict,
    change: dict,
    base_kind: str | None,
    targets: dict,
    noncompliant: pd.DataFrame,
    gaps: pd.DataFrame,
    cp_status: pd.DataFrame,
    grids: pd.DataFrame,
    lang: str,
) -> str:
    """A 工作简报-style note on one scope, written from its figures by fixed rules. A clause
    appears only where the figures support it: a township without grids, checkpoints or
    branches has no such clause, a change only where there is something to compare with.

    s, change: summary() and summary_change() of the scope; noncompliant, gaps, cp_status,
    grids: noncompliant_branches, checkpoint_gaps, checkpoint_status and
    grids_needing_attention of the same scope and week."""
    b, g, c, tr = s["branches"], s["grids"], s["checkpoints"], s["training"]
    sentences = []

    if b["total"]:
        rate = i18n.fmt_rate(b["compliance_rate"], lang)
        delta = change["branches"]["compliance_rate"]
        all_ok = b["compliant"] == b["total"]
        # "All up to standard, unchanged" says nothing twice: the change only when there is one.
        moved = (
            ""
            if all_ok and (delta is None or kpis.points(delta) == 0)
            else _rate_change(delta, base_kind, lang)
        )
        parts = [
            i18n.t("brief.branches_all", lang, total=i18n.fmt_int(b["total"]), rate=rate, change=moved)
            if all_ok
            else i18n.t(
                "brief.branches",
                lang,
                total=i18n.fmt_int(b["total"]),
                compliant=i18n.fmt_int(b["compliant"]),
                rate=rate,
                change=moved,
            )
        ]
        assessed = noncompliant[~noncompliant["never_assessed"]]
        if len(assessed):
            counts = pd.Series([k for ks in assessed["failed_criteria"] for k in ks]).value_counts()
            items = [
                i18n.t(
                    "brief.item_count",
                    lang,
                    item=i18n.enum_label(contract.CRITERIA, k, lang),
                    n=int(counts[k]),
                )
                for k in sorted(counts.index, key=lambda k: (-counts[k], list(contract.CRITERIA).index(k)))
            ]
            parts.append(i18n.t("brief.branches_failed", lang, n=len(assessed), items=join(items, lang)))
        never = int(noncompliant["never_assessed"].sum())
        if never:
            parts.append(i18n.t("brief.branches_never", lang, n=never))
        parts.append(
            i18n.t(
                "brief.model_links",
                lang,
                model=i18n.fmt_int(b["model"]),
                links=i18n.fmt_rate(b["link_coverage_rate"], lang),
            )
        )
        sentences.append(clauses(parts, lang))

    if g["total"]:
        parts = [
            i18n.t(
                "brief.grids",
                lang,
                total=i18n.fmt_int(g["total"]),
                staffed=i18n.fmt_int(g["staffed"]),
                visited=i18n.fmt_int(g["households_visited"]),
                rate=i18n.fmt_rate(g["visit_rate"], lang),
                change=_rate_change(change["grids"]["visit_rate"], base_kind, lang),
            )
        ]
        reasons = [set(r) for r in grids["reasons"]]
        not_reported = sum("not_reported" in r for r in reasons)
        unstaffed = sum("unstaffed" in r for r in reasons)
        below = sum("below_target" in r and "not_reported" not in r for r in reasons)
        issues = []
        if not_reported:
            issues.append(i18n.t("brief.grids_not_reported", lang, n=not_reported))
        if unstaffed:
            issues.append(i18n.t("brief.grids_unstaffed", lang, n=unstaffed))
        if below:
            target = grids["visit_target"].dropna()
            target_text = (
                i18n.fmt_rate(float(target.iloc[0]), lang, digits=0)
                if target.nunique() == 1
                else i18n.t("target", lang)
            )
            issues.append(i18n.t("brief.grids_below", lang, n=below, target=target_text))
        parts.append(join(issues, lang) if issues else i18n.t("brief.grids_ok", lang))
        sentences.append(clauses(parts, lang))

    if c["total"]:
        parts = [
            i18n.t(
                "brief.checkpoints",
                lang,
                total=i18n.fmt_int(c["total"]),
                rate=i18n.fmt_rate(c["coverage_rate"], lang),
                change=_rate_change(change["checkpoints"]["coverage_rate"], base_kind, lang),
            )
        ]
        if len(gaps):
            gap_text = i18n.t(
                "brief.cp_gaps",
                lang,
                n=gaps["checkpoint_id"].nunique(),
                gaps=len(gaps),
                hours=i18n.fmt_int(gaps["hours"].sum()),
            )
            night = {r.checkpoint_id for r in gaps.itertuples() if _night_gap(r.gap_start, r.gap_end)}
            empty = int((cp_status["empty_slots"] > 0).sum())
            extra = []
            if night:
                extra.append(i18n.t("brief.cp_night", lang, n=len(night)))
            if empty:
                extra.append(i18n.t("brief.cp_empty", lang, n=empty))
            if extra:
                comma = i18n.t("report.sep.comma", lang)
                gap_text += comma + comma.join(extra)
            parts.append(gap_text)
        else:
            parts.append(i18n.t("brief.cp_ok", lang))
        parts.append(i18n.t("brief.cp_checked", lang, n=i18n.fmt_int(c["persons_checked"])))
        sentences.append(clauses(parts, lang))

    if tr["sessions"]:
        items = [
            i18n.t(
                "brief.training_item",
                lang,
                kind=i18n.enum_label(contract.TRAINING_KINDS, k, lang),
                n=i18n.fmt_int(tr[k]["sessions"]),
                unit=i18n.t(f"report.unit.{k}", lang),
            )
            for k in contract.TRAINING_KINDS
            if tr[k]["sessions"]
        ]
        parts = [
            i18n.t(
                "brief.training",
                lang,
                sessions=i18n.fmt_int(tr["sessions"]),
                attendees=i18n.fmt_int(tr["attendees"]),
                items=join(items, lang),
            )
        ]
        met, short = [], []
        for k in contract.TRAINING_KINDS:
            target = targets.get(f"training.{k}.sessions")
            if target:
                (met if kpis.met(tr[k]["sessions"], target) else short).append(
                    (k, tr[k]["sessions"] / target)
                )
        if met:
            parts.append(
                i18n.t(
                    "brief.training_met",
                    lang,
                    kinds=join([i18n.enum_label(contract.TRAINING_KINDS, k, lang) for k, _ in met], lang),
                )
            )
        if short:
            parts.append(
                i18n.t(
                    "brief.training_progress",
                    lang,
                    items=join(
                        [
                            i18n.t(
                                "brief.training_share",
                                lang,
                                kind=i18n.enum_label(contract.TRAINING_KINDS, k, lang),
                                share=i18n.fmt_rate(share, lang, digits=0),
                            )
                            for k, share in short
                        ],
                        lang,
                    ),
                )
            )
        sentences.append(clauses(parts, lang))

    shown = [(k, v) for k, v in s["indicators"].items() if v is not None]
    if shown:
        items = [i18n.t(f"brief.ind.{k}", lang, n=i18n.fmt_num(v, lang)) for k, v in shown]
        sentences.append(clauses([i18n.t("brief.indicators", lang, items=join(items, lang))], lang))

    if not sentences:
        return i18n.t("brief.no_data", lang)
    return i18n.t("report.sep.sentence", lang).join(sentences)


def ledger_paragraph(counts: dict, closed_since: int, since_meeting: bool, lang: str) -> str:
    """The briefing's ledger paragraph, from its counts by fixed rules: what is open and how
    much of it is overdue and escalated, then what was closed since the last meeting (or in
    all, when no meeting is pinned)."""
    if not counts["open"] and not counts["closed"]:
        return i18n.t("ledger.all_clear", lang)
    parts = [i18n.t("brief.ledger_open", lang, n=i18n.fmt_int(counts["open"]))]
    if counts["overdue"]:
        parts.append(
            i18n.t(
                "brief.ledger_overdue",
                lang,
                n=i18n.fmt_int(counts["overdue"]),
                escalated=i18n.fmt_int(counts["escalated"]),
            )
        )
    if counts["amber"]:
        parts.append(i18n.t("brief.ledger_amber", lang, n=i18n.fmt_int(counts["amber"])))
    if counts["in_progress"]:
        parts.append(i18n.t("brief.ledger_in_progress", lang, n=i18n.fmt_int(counts["in_progress"])))
    key = "brief.ledger_closed_since" if since_meeting else "brief.ledger_closed"
    parts.append(i18n.t(key, lang, n=i18n.fmt_int(closed_since)))
    return clauses(parts, lang)
