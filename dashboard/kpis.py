"""The key figures, declared once: which number, its label, its unit, its target, which way is
better, how "met" is decided, and the change since the last meeting.

Every tile reads KPIS: the overview and the detail pages (views/*.py, through ui.tile), the
meeting screen (dashboard/ui/slides.py) and the weekly briefing (dashboard/report, BRIEFING);
they call status() and change(), and none of them decides "met", formats a figure or names it
on its own. A tile's label is its figure's (metric_definitions: `figure.<code>` of the label
table), so the tile, docs/data-contract.md and the template's 说明 sheet say the same words.
The charts colour "met" with met().

Two different things are said about a figure, and they must not look alike:
- against its target, a gap: "差 42.9 个百分点" / "42.9 pts short" (no arrow, it is no change);
- over time, a change: "较上周 +1.5个百分点" (the only place for an arrow).

No streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import i18n
from .figure_codes import F, label_key

# A figure within this of its target has met it: rates are floats, and 57/57 may come out
# a hair under 1.0. The one tolerance of the project for "met".
TOLERANCE = 1e-9

RATE = "rate"  # the unit of a rate (0..1, shown as %, gaps in points)


@dataclass(frozen=True)
class Kpi:
    key: str  # the figure's name in code and in page keys ("compliance")
    # The figure the tile is named for (figure_codes.F): its label is that figure's
    # (metric_definitions.Figure.label, `figure.<code>` in labels.toml), on every screen.
    figure: str
    unit: str  # RATE, or the label key of a count's unit ("unit.people")
    value: str | None = None  # path in summary() of the figure compared with the target (default: figure)
    target: str | None = None  # metric code of its target (metrics.targets()), None: no target
    direction: int = 1  # +1: more is better; -1: less is better
    needs: str | None = None  # path of a count that must not be 0 for the figure to mean anything
    shown: tuple[str, str] | None = None  # (part, whole): shown as "part / whole", rate as detail
    change: str | None = None  # path whose change is told (default: value)
    year_to_date: bool = False  # a year's target: short of it is progress, not failure
    headline: bool = False  # on the overview and the meeting screen's first slide
    briefing: bool = True  # a line of the weekly briefing's table (else a detail page's tile only)
    screen_label: str | None = None  # a shorter label for the meeting screen
    # The line under the figure: a label key and its fields as paths in summary(), or a
    # function of summary() giving the fields.
    detail: tuple[str, dict[str, str] | Callable[[dict], dict]] | None = None

    @property
    def label(self) -> str:
        """The label key of the tile: its figure's (`figure.<code>`)."""
        return label_key(self.figure)

    @property
    def path(self) -> str:
        """Where in summary() the number compared with the target is."""
        return self.value or self.figure

    @property
    def rate(self) -> bool:
        return self.unit == RATE

    @property
    def change_path(self) -> str:
        return self.change or self.path

    @property
    def change_is_rate(self) -> bool:
        return self.change is None and self.rate


# The key figures, one name each (pages say kpis.VISITS, not a string).
COMPLIANCE = Kpi(
    "compliance",
    F.BRANCHES_COMPLIANT,
    RATE,
    value=F.BRANCHES_COMPLIANCE_RATE,
    target=F.BRANCHES_COMPLIANCE_RATE,
    needs=F.BRANCHES_TOTAL,
    shown=(F.BRANCHES_COMPLIANT, F.BRANCHES_TOTAL),
    change=F.BRANCHES_COMPLIANT,
    headline=True,
    screen_label="kiosk.compliance",
)

LINKS = Kpi(
    "links",
    F.BRANCHES_LINK_COVERAGE_RATE,
    RATE,
    target=F.BRANCHES_LINK_COVERAGE_RATE,
    needs=F.BRANCHES_TOTAL,
)

MODEL = Kpi(
    "model",
    F.BRANCHES_MODEL,
    "unit.branches",
    needs=F.BRANCHES_TOTAL,
    detail=("branches.model_of", {"total": F.BRANCHES_TOTAL}),
)

COVERAGE = Kpi(
    "coverage",
    F.CHECKPOINTS_COVERAGE_RATE,
    RATE,
    target=F.CHECKPOINTS_COVERAGE_RATE,
    needs=F.CHECKPOINTS_TOTAL,
    headline=True,
    detail=("kpi.slots_of", {"staffed": F.CHECKPOINTS_STAFFED_SLOTS, "slots": F.CHECKPOINTS_SLOTS}),
)

STAFFED_SLOTS = Kpi(
    "staffed_slots",
    F.CHECKPOINTS_STAFFED_SLOTS,
    "unit.hours",
    needs=F.CHECKPOINTS_TOTAL,
    briefing=False,
    detail=("kpi.slots_of", {"staffed": F.CHECKPOINTS_STAFFED_SLOTS, "slots": F.CHECKPOINTS_SLOTS}),
)

STAFF_HOURS = Kpi(
    "staff_hours",
    F.CHECKPOINTS_STAFF_HOURS,
    "unit.hours",
    needs=F.CHECKPOINTS_TOTAL,
    briefing=False,
    detail=("unit.hours", {}),
)

PARTY_SHARE = Kpi(
    "party_share",
    F.CHECKPOINTS_PARTY_SHARE,
    RATE,
    target=F.CHECKPOINTS_PARTY_SHARE,
    needs=F.CHECKPOINTS_TOTAL,
    detail=(
        "cp.kpi.party_hours",
        lambda s: {"hours": (s["checkpoints"]["party_share"] or 0) * s["checkpoints"]["staff_hours"]},
    ),
)

PERSONS = Kpi(
    "persons",
    F.CHECKPOINTS_PERSONS_CHECKED,
    "unit.person_times",
    needs=F.CHECKPOINTS_TOTAL,
    detail=("cp.kpi.per_day", lambda s: {"n": s["checkpoints"]["persons_checked"] / 7}),
)

MEMBERS = Kpi(
    "members",
    F.MEMBERS_REPORTED,
    "unit.people",
    target=F.MEMBERS_REPORTED,
    needs=F.GRIDS_TOTAL,
    headline=True,
    detail=("kpi.assigned", {"assigned": F.MEMBERS_ASSIGNED, "households": F.MEMBERS_HOUSEHOLDS_LINKED}),
)

STAFFED = Kpi(
    "staffed",
    F.GRIDS_STAFFED_RATE,
    RATE,
    target=F.GRIDS_STAFFED_RATE,
    needs=F.GRIDS_TOTAL,
    headline=True,
    detail=("kpi.staffed_of", {"staffed": F.GRIDS_STAFFED, "total": F.GRIDS_TOTAL}),
)

VISITS = Kpi(
    "visits",
    F.GRIDS_VISIT_RATE,
    RATE,
    target=F.GRIDS_VISIT_RATE,
    needs=F.GRIDS_TOTAL,
    headline=True,
    screen_label="kiosk.visit_rate",
    detail=("kpi.visited_of", {"visited": F.GRIDS_HOUSEHOLDS_VISITED, "households": F.GRIDS_HOUSEHOLDS}),
)

REPORTING = Kpi(
    "reporting",
    F.GRIDS_REPORTING_RATE,
    RATE,
    target=F.GRIDS_REPORTING_RATE,
    needs=F.GRIDS_TOTAL,
    headline=True,
    screen_label="kiosk.reporting_rate",
)

SESSIONS = Kpi(
    "sessions",
    F.TRAINING_SESSIONS,
    "unit.sessions",
    target=F.TRAINING_SESSIONS,
    year_to_date=True,
    screen_label="kiosk.training_sessions",
)

ATTENDEES = Kpi(
    "attendees",
    F.TRAINING_ATTENDEES,
    "unit.person_times",
    target=F.TRAINING_ATTENDEES,
    year_to_date=True,
    screen_label="kiosk.training_attendees",
)

TRAINED = Kpi(
    "trained",
    F.TRAINING_DISTINCT_MEMBERS,
    "unit.people",
    needs=F.TRAINING_DISTINCT_MEMBERS,
)

KPIS: tuple[Kpi, ...] = (
    COMPLIANCE,
    LINKS,
    MODEL,
    COVERAGE,
    STAFFED_SLOTS,
    STAFF_HOURS,
    PARTY_SHARE,
    PERSONS,
    MEMBERS,
    STAFFED,
    VISITS,
    REPORTING,
    SESSIONS,
    ATTENDEES,
    TRAINED,
)
BY_KEY = {k.key: k for k in KPIS}
HEADLINE = tuple(k for k in KPIS if k.headline)
BRIEFING = tuple(k for k in KPIS if k.briefing)  # the weekly briefing's table, in this order


# ---------------------------------------------------------------- reading summary()
def get(s: dict, path: str):
    """The value at a dotted path of a nested dict (summary(), summary_change())."""
    for part in path.split("."):
        if s is None:
            return None
        s = s.get(part)
    return s


def present(kpi: Kpi, s: dict) -> bool:
    """Whether the scope has what the figure counts (a township without grids has no visit
    rate: its figure is left out rather than shown as "—")."""
    return kpi.needs is None or bool(get(s, kpi.needs))


def value_text(kpi: Kpi, s: dict, lang: str) -> str:
    """The figure as shown: "57 / 100", "94.0%", "1,259"; a count of seven digits or more
    compact, "340.8万" / "3.41 M" (i18n.fmt_compact: a province's figures fit the tile)."""
    if kpi.shown:
        part, whole = kpi.shown
        return f"{i18n.fmt_compact(get(s, part), lang)} / {i18n.fmt_compact(get(s, whole), lang)}"
    value = get(s, kpi.path)
    return i18n.fmt_rate(value, lang) if kpi.rate else i18n.fmt_compact(value, lang)


def detail_text(kpi: Kpi, s: dict, lang: str) -> str:
    """The line under the figure ("" when it has none); a part / whole figure's is its rate."""
    if kpi.shown:
        return i18n.fmt_rate(get(s, kpi.path), lang)
    if kpi.detail is None:
        return ""
    key, fields = kpi.detail
    values = fields(s) if callable(fields) else {f: get(s, p) for f, p in fields.items()}
    return i18n.t(key, lang, **{f: i18n.fmt_int(v) for f, v in values.items()})


def target_of(kpi: Kpi, targets: dict):
    return targets.get(kpi.target) if kpi.target else None


def target_text(kpi: Kpi, targets: dict, lang: str) -> str:
    """The target as it reads: "100%", "1,300"; "—" without one."""
    target = target_of(kpi, targets)
    if target is None:
        return i18n.t("na", lang)
    return i18n.fmt_rate(target, lang, digits=0) if kpi.rate else i18n.fmt_num(target, lang)


# ---------------------------------------------------------------- against the target
@dataclass(frozen=True)
class Status:
    state: str  # "met", "below", "progress" (a year's target, not yet met), "none"
    gap: float | None = None  # how far short (target - value, > 0) when not met
    share: float | None = None  # value / target, for a year's target

    @property
    def met(self) -> bool | None:
        return None if self.state == "none" else self.state == "met"

    @property
    def tone(self) -> str:
        """good / bad / warn (short of a year's target) / "" (no target)."""
        return {"met": "good", "below": "bad", "progress": "warn"}.get(self.state, "")


def met(value, target) -> bool | None:
    """Whether `value` meets `target` (None when either is missing)."""
    if value is None or target is None:
        return None
    return value >= target - TOLERANCE


def status(value, target, year_to_date: bool = False) -> Status:
    """A figure against its target: met, below, progress (short of a year's target before the
    year is out) or none (no target, or nothing to compare)."""
    ok = met(value, target)
    if ok is None:
        return Status("none")
    if ok:
        return Status("met")
    share = value / target if target else None
    return Status("progress" if year_to_date else "below", target - value, share)


def kpi_status(kpi: Kpi, s: dict, targets: dict) -> Status:
    return status(get(s, kpi.path), target_of(kpi, targets), kpi.year_to_date)


def points(rate_delta: float) -> float:
    """A difference of two rates in percentage points, rounded as printed (one decimal)."""
    return round(rate_delta * 100, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def gap_text(st: Status, lang: str, unit: str | None = RATE) -> str:
    """How far short of the target: "差 42.9 个百分点" / "42.9 pts short" for a rate,
    "差 41 人" / "41 people short" for a count with its unit, "差 41 个" / "41 short" without."""
    if unit == RATE:
        return i18n.t("kpi.short_pts", lang, pts=f"{points(st.gap):.1f}")
    n = i18n.fmt_num(st.gap, lang)
    if unit:
        return i18n.t("kpi.short_count", lang, n=n, unit=i18n.t(unit, lang))
    return i18n.t("kpi.short_n", lang, n=n)


def status_text(st: Status, lang: str, unit: str | None = RATE, year_to_date: bool = False) -> str:
    """The status in a few words: 达标 (of a year's target: 已完成), 差 42.9 个百分点,
    完成80%, or —."""
    if st.state == "met":
        return i18n.t("report.status.done" if year_to_date else "on_target", lang)
    if st.state == "below":
        return gap_text(st, lang, unit)
    if st.state == "progress":
        share = i18n.fmt_rate(st.share, lang, digits=0) if st.share is not None else "—"
        return i18n.t("report.status.share", lang, share=share)
    return i18n.t("na", lang)


# ---------------------------------------------------------------- over time
class Change(str):
    """The change of a figure since the last meeting (or the week before), as text:
    "较上周 +1.5个百分点" / "+1.5 pts vs the week before". It is a string, and carries its parts
    for a widget that draws them apart: `amount` ("+1.5个百分点", "持平"), `base` ("较上周"),
    `direction` of the change as shown (-1, 0, +1: what rounds to nothing has no arrow), and
    `better` (+1 when the change is for the better, -1 for the worse, 0 for none)."""

    amount: str
    base: str
    direction: int
    better: int
    shown: float

    def __new__(cls, text: str, *, amount: str, base: str, direction: int, better: int, shown: float):
        self = super().__new__(cls, text)
        self.amount, self.base, self.direction, self.better, self.shown = (
            amount,
            base,
            direction,
            better,
            shown,
        )
        return self


def change(delta, base: dict | None, lang: str, rate: bool = False, direction: int = 1) -> Change | None:
    """The change `delta` (summary_change() of a figure) against `base`
    (metrics.baseline_summary()); None when there is nothing to compare with."""
    if base is None or delta is None or base.get("kind") is None:
        return None
    shown = points(delta) if rate else round(float(delta), 1) + 0.0
    sign = (shown > 0) - (shown < 0)
    if sign == 0:
        amount = i18n.t("change.same", lang)
    elif rate:
        amount = f"{shown:+.1f}{i18n.t('change.points', lang)}"
    else:
        amount = f"{shown:+,.0f}" if float(shown).is_integer() else f"{shown:+,.1f}"
    if base["kind"] == "pinned":
        text = i18n.t("change.since_meeting", lang, label=base["label"], amount=amount)
        since = i18n.t("change.vs_meeting", lang, label=base["label"])
    else:
        text = i18n.t("change.since_week", lang, amount=amount)
        since = i18n.t("change.vs_week", lang)
    return Change(text, amount=amount, base=since, direction=sign, better=sign * direction, shown=shown)


def kpi_change(kpi: Kpi, d: dict, base: dict | None, lang: str) -> Change | None:
    """The change of a key figure; d: summary_change() of the scope."""
    return change(get(d, kpi.change_path), base, lang, rate=kpi.change_is_rate, direction=kpi.direction)


# ---------------------------------------------------------------- all of a figure at once
@dataclass
class Reading:
    """One key figure of one scope and week, as every screen says it."""

    kpi: Kpi
    label: str
    value: str
    detail: str
    figure: float | None  # the number compared with the target
    target: float | None
    target_text: str
    status: Status
    status_text: str
    change: Change | None


def read(
    kpi: Kpi,
    s: dict,
    targets: dict,
    d: dict | None = None,
    base: dict | None = None,
    lang: str = i18n.DEFAULT_LANG,
    screen: bool = False,
) -> Reading:
    """`kpi` of summary() `s` against `targets`, with its change (d: summary_change(),
    base: baseline_summary(); without them no change); `screen`: the meeting screen's
    shorter label."""
    st = kpi_status(kpi, s, targets)
    return Reading(
        kpi,
        i18n.t(kpi.screen_label if screen and kpi.screen_label else kpi.label, lang),
        value_text(kpi, s, lang),
        detail_text(kpi, s, lang),
        get(s, kpi.path),
        target_of(kpi, targets),
        target_text(kpi, targets, lang),
        st,
        status_text(st, lang, kpi.unit, kpi.year_to_date),
        kpi_change(kpi, d, base, lang),
    )


def readings(
    s: dict,
    targets: dict,
    d: dict,
    base: dict | None,
    lang: str,
    kpis: tuple[Kpi, ...] = BRIEFING,
    screen: bool = False,
) -> list[Reading]:
    """The key figures the scope has (see present()), in the list's order."""
    return [read(k, s, targets, d, base, lang, screen) for k in kpis if present(k, s)]
