"""What every figure means: code, labels, unit and definition, beside the code that computes it.

`metrics.summary()` returns these figures (nested at the dots of the code); this table says
what each one is. It is the one source for the figure definitions of docs/data-contract.md
(`python -m dashboard contract --markdown`) and of the 指标口径 part of the reporting
template's 说明 sheet. A code holding `{kind}` stands for one figure per training kind,
`{code}` for one per border-defence indicator (`expand()` lists them all); the codes are
those of `contract.METRIC_CODES`, the ones a target may name (tests/test_contract_doc.py
keeps the two in step), written as names of `figure_codes.F`. A figure's label (the words on
its tile, in the docs and on the 说明 sheet alike) is `figure.<code>` of the label table,
dashboard/i18n/labels.toml. Standard library, `contract`, `figure_codes` and `i18n` only.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import contract, i18n
from .figure_codes import F, label_key

HOURS_PER_WEEK = 168  # hour slots in a week: a checkpoint's slots per week

# unit -> (zh, en)
UNITS = {
    "rate": ("比率（0–1，显示为百分比）", "rate 0–1, shown as a percentage"),
    "branches": ("个党支部", "branches"),
    "grids": ("个网格", "grids"),
    "households": ("户", "households"),
    "members": ("人", "members"),
    "checkpoints": ("个卡点", "checkpoints"),
    "slots": ("个小时时段", "hour slots"),
    "staff_hours": ("人·小时", "staff-hours"),
    "person_times": ("人次", "person-times"),
    "sessions": ("期（场）", "sessions"),
    "value": ("按该指标自身单位", "the indicator's own unit"),
}

# What holds for every figure: (zh, en) paragraphs.
GENERAL = (
    (
        (
            "一周指周起始日（星期一）0 时起的 7 天：[周起始日 00:00, 周起始日 + 7 天 00:00)。默认显"
            "示最近一个报齐的周：有数据、且每个应报乡镇都已报送或已过报送截止时间（默认为次周一 12:00，"
            "北京时间）。"
        ),
        (
            "A week is [week_start 00:00, week_start + 7 days 00:00), week_start being a Monday; "
            "the default is the latest complete week: a week with data in which every township "
            "expected to report has, or whose submission deadline (default the Monday after, "
            "12:00 Asia/Shanghai) has passed."
        ),
    ),
    (
        (
            "未报送不是零：有网格的乡镇每周应报网格周报，有卡点的乡镇应报卡点值守（有班次在本周开始）。"
            "某乡镇本周未报送某一部分时，该部分显示为“未报”，其网格（或卡点）不计入本周比率的分母和分子，"
            "也不算空档或下降；网格数、卡点数本身仍按全部计。"
        ),
        (
            "Unreported is not zero: a township with grids is expected to send grid reports each "
            "week, one with checkpoints shifts (a shift starting in the week). Where a township "
            "has not sent a part for the week, that part is shown as not reported and its grids "
            "(or checkpoints) are left out of the week's rates, numerator and denominator, and "
            "never counted as gaps or a fall; the counts of grids and checkpoints themselves are "
            "of all of them."
        ),
    ),
    (
        "年度累计指周起始日所在年份 1 月 1 日至该周结束。",
        "Year to date (YTD) is from 1 January of week_start's year to the week's end.",
    ),
    (
        "比率为 0–1 的小数；范围内没有对象时比率为空，显示为“—”，绝不显示为 0% 或 100%。",
        (
            'Rates are fractions in 0..1; a rate over an empty scope is null, shown as "—", '
            "never as 0% or 100%."
        ),
    ),
    (
        (
            "范围：党支部、卡点、培训和强边固防指标按其乡镇代码归属；网格按 片区 → 社区 → 乡镇 归"
            "属；下沉党员按其所在网格的乡镇归属（尚未入格的党员只计入全县）。县级培训和县级指标（乡"
            "镇代码为空）只计入全县。"
        ),
        (
            "Scope: branches, checkpoints, trainings and indicators count in the township of their "
            "township_id; grids by zone → community → township; members by their grid's township "
            "(members not yet assigned to a grid count only county-wide). County-level trainings "
            "and indicators (township_id blank) count only county-wide."
        ),
    ),
    (
        ("值守空档：某个卡点连续未达最少人数的小时时段；卡点值守页列出每个空档的开始、结束和缺员人数。"),
        (
            "A gap is a run of consecutive unstaffed hour slots of one checkpoint; the staffing "
            "page lists gaps with start, end and shortfall."
        ),
    ),
)


@dataclass(frozen=True)
class Figure:
    code: str  # the key path in summary(), dots between levels (a name of figure_codes.F)
    unit: str  # a key of UNITS
    definition: str  # English
    definition_zh: str
    # Of a figure expand() filled in: the code as declared ("training.{kind}.sessions") and
    # the placeholder's words, (name, (zh, en)).
    declared: str | None = None
    filled: tuple[str, tuple[str, str]] | None = None

    @property
    def label_key(self) -> str:
        """Its label in dashboard/i18n/labels.toml: `figure.<code as declared>`."""
        return label_key(self.declared or self.code)

    def label(self, lang: str = i18n.DEFAULT_LANG) -> str:
        """The figure's name as every screen, document and template says it."""
        if self.filled is None:
            return i18n.t(self.label_key, lang)
        name, (zh, en) = self.filled
        return i18n.t(self.label_key, lang, **{name: en if lang == "en" else zh})

    @property
    def zh(self) -> str:
        return self.label("zh")

    @property
    def en(self) -> str:
        return self.label("en")


FIGURES: tuple[Figure, ...] = (
    Figure(
        F.BRANCHES_TOTAL,
        "branches",
        "branches in scope",
        "范围内的边境村组党支部数",
    ),
    Figure(
        F.BRANCHES_COMPLIANT,
        "branches",
        "branches whose latest assessment on or before the week's end passed all 8 criteria; "
        "a branch never assessed is not compliant",
        "截至本周末最近一次评估 8 个项目全部达标的党支部数；从未评估的党支部不算达标",
    ),
    Figure(
        F.BRANCHES_COMPLIANCE_RATE,
        "rate",
        "branches.compliant / branches.total",
        "达标党支部数 ÷ 党支部总数",
    ),
    Figure(
        F.BRANCHES_MODEL,
        "branches",
        "branches with is_model",
        "标为示范党组织的党支部数",
    ),
    Figure(
        F.BRANCHES_LINK_COVERAGE_RATE,
        "rate",
        "branches with all four link_* columns true / branches.total",
        "县级领导、挂包单位、乡镇班子、驻村工作队四方挂联齐全的党支部数 ÷ 党支部总数",
    ),
    Figure(F.GRIDS_TOTAL, "grids", "grids in scope", "范围内的网格数"),
    Figure(
        F.GRIDS_STAFFED,
        "grids",
        "grids with at least one member assigned (any role) who reported on or before the week's end",
        "至少有一名截至本周末已报到的下沉党员（网格长或网格员）的网格数",
    ),
    Figure(
        F.GRIDS_STAFFED_RATE,
        "rate",
        "grids.staffed / grids.total",
        "有人包保的网格数 ÷ 网格总数",
    ),
    Figure(
        F.GRIDS_HOUSEHOLDS,
        "households",
        "sum of the grids' households",
        "范围内网格的户数合计",
    ),
    Figure(
        F.GRIDS_HOUSEHOLDS_VISITED,
        "households",
        "sum over grids in scope of that week's households_visited (0 where the grid did not report)",
        "范围内各网格本周周报的走访户数合计（未报送的网格按 0 计）",
    ),
    Figure(
        F.GRIDS_VISIT_RATE,
        "rate",
        "grids.households_visited / households of the grids of townships that sent grid reports that week",
        "本周走访户数 ÷ 本周已报送网格周报的乡镇的网格户数",
    ),
    Figure(
        F.GRIDS_REPORTING_RATE,
        "rate",
        "grids with a grid_weekly row that week / grids of townships that sent grid reports that week",
        "本周有网格周报的网格数 ÷ 本周已报送网格周报的乡镇的网格数",
    ),
    Figure(
        F.MEMBERS_REPORTED,
        "members",
        "members with reported_on on or before the week's end",
        "报到日期在本周末或之前的下沉党员人数",
    ),
    Figure(
        F.MEMBERS_ASSIGNED,
        "members",
        "of members.reported, those with a grid",
        "已报到党员中已分配到网格的人数",
    ),
    Figure(
        F.MEMBERS_HOUSEHOLDS_LINKED,
        "households",
        "sum of households_linked over members.reported",
        "已报到党员的挂联户数合计",
    ),
    Figure(
        F.CHECKPOINTS_TOTAL,
        "checkpoints",
        "checkpoints in scope",
        "范围内的卡点数",
    ),
    Figure(
        F.CHECKPOINTS_SLOTS,
        "slots",
        f"checkpoints of townships that sent shifts that week × {HOURS_PER_WEEK} (hour slots of the week)",
        f"本周已报送卡点值守的乡镇的卡点数 × {HOURS_PER_WEEK}（一周的小时时段数）",
    ),
    Figure(
        F.CHECKPOINTS_STAFFED_SLOTS,
        "slots",
        "hour slots [h, h+1) in which the staff of the shifts covering the whole slot (shift_start "
        "<= h and shift_end >= h+1) add up to at least required_staff; "
        "overlapping shifts of one checkpoint add up",
        "在岗人数达到每班最少人数的小时时段 [h, h+1)：只计完整覆盖该时段的班次"
        "（开始时间 <= h 且结束时间 >= h+1），同一卡点重叠班次的人数相加",
    ),
    Figure(
        F.CHECKPOINTS_COVERAGE_RATE,
        "rate",
        "checkpoints.staffed_slots / checkpoints.slots (24-hour duty means 1.0)",
        "值守到位时段 ÷ 应值守时段（24 小时值守即为 100%）",
    ),
    Figure(
        F.CHECKPOINTS_STAFF_HOURS,
        "staff_hours",
        "sum over shifts overlapping the week of (staff_party + staff_unit + staff_volunteer) "
        "× hours of the shift inside the week",
        "与本周有重叠的班次：（党员干部 + 单位网格员 + 志愿者人数）× 班次在本周内的小时数，求和",
    ),
    Figure(
        F.CHECKPOINTS_PARTY_SHARE,
        "rate",
        "the staff_party part of checkpoints.staff_hours / checkpoints.staff_hours",
        "值守人员工时中党员干部的部分 ÷ 值守人员工时",
    ),
    Figure(
        F.CHECKPOINTS_PERSONS_CHECKED,
        "person_times",
        "sum of persons_checked of shifts starting in the week",
        "本周开始的班次的测温扫码人次合计",
    ),
    Figure(
        F.TRAINING_SESSIONS,
        "sessions",
        "YTD sum of sessions over all kinds",
        "年度累计各类活动的期数场次合计",
    ),
    Figure(
        F.TRAINING_ATTENDEES,
        "person_times",
        "YTD sum of attendees over all kinds",
        "年度累计各类活动的参加人次合计",
    ),
    Figure(
        F.TRAINING_DISTINCT_MEMBERS,
        "members",
        "YTD distinct member_id in training_attendance (null where no attendance is loaded)",
        "年度累计参训记录中不重复的党员编号数（未报送参训记录时为空）",
    ),
    Figure(
        F.TRAINING_KIND_SESSIONS,
        "sessions",
        "YTD sum of sessions of that kind",
        "该类活动年度累计期数场次",
    ),
    Figure(
        F.TRAINING_KIND_ATTENDEES,
        "person_times",
        "YTD sum of attendees of that kind",
        "该类活动年度累计参加人次",
    ),
    Figure(
        F.INDICATOR,
        "value",
        "latest value on or before the week's end: for a township its own latest row; for the "
        "county the county-level row if there is one, else the sum of the townships' "
        "latest rows",
        "截至本周末的最新数值：乡镇取本乡镇最新一行；全县取县级行，没有县级行时取各乡镇最新值之和",
    ),
)

# Placeholder -> the contract enum it runs over.
PLACEHOLDERS = {"kind": contract.TRAINING_KINDS, "code": contract.INDICATORS}


def placeholder(code: str) -> str | None:
    """The placeholder a code holds (`kind`, `code`), or None for a single figure."""
    for name in PLACEHOLDERS:
        if "{" + name + "}" in code:
            return name
    return None


def expand() -> list[Figure]:
    """Every figure with its placeholder filled in, in the order of FIGURES."""
    out = []
    for f in FIGURES:
        name = placeholder(f.code)
        if name is None:
            out.append(f)
            continue
        for key, words in PLACEHOLDERS[name].items():
            out.append(
                Figure(
                    f.code.format(**{name: key}),
                    f.unit,
                    f.definition,
                    f.definition_zh,
                    declared=f.code,
                    filled=(name, words),
                )
            )
    return out


def by_code() -> dict[str, Figure]:
    return {f.code: f for f in expand()}
