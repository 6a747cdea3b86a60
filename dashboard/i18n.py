"""Chinese and English labels: one table for everything a user reads.

Chinese is the default. `t(key, lang)` gives a label; enum codes and table
columns get theirs from `contract`, so a code never shows untranslated.
"""
from __future__ import annotations

import datetime as dt
import math

from . import contract

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

# key -> (zh, en). Keys are grouped by where they appear; `{name}` fields are format()ed.
LABELS: dict[str, tuple[str, str]] = {
    # --- app-wide
    "app.title": ("孟连县边境党建数据看板", "Menglian Border Party-Building Dashboard"),
    "app.subtitle": ("党建引领 · 强边固防", "Party building leads, the border holds"),
    "filter.township": ("乡镇", "Township"),
    "filter.county": ("全县", "Whole county"),
    "filter.week": ("周", "Week"),
    "filter.lang": ("语言 Language", "语言 Language"),
    "filter.week_label": ("{start} 至 {end}", "{start} to {end}"),
    "note.bad_township": ("链接中的乡镇代码「{value}」不存在，已显示全县。",
                          "Township “{value}” in the link does not exist; showing the whole county."),
    "note.bad_week": ("链接中的周「{value}」无效（应为有数据的周一，如 2021-12-27），已显示最近一周。",
                      "Week “{value}” in the link is not valid (use a Monday with data, e.g. 2021-12-27);"
                      " showing the latest week."),
    "note.bad_lang": ("链接中的语言「{value}」不支持，已使用中文。",
                      "Language “{value}” in the link is not supported; using Chinese."),
    "empty.store": ("尚未载入任何数据。请由管理员用命令行或数据管理页载入报表。",
                    "No data has been loaded yet. An administrator can load the reports"
                    " from the command line or the data page."),
    "data.version": ("数据版本 {version}，载入于 {at}", "Data version {version}, loaded {at}"),
    "data.as_of": ("数据周：{start} 至 {end}", "Data week: {start} to {end}"),
    "na": ("—", "—"),
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download Excel"),
    "target": ("目标", "Target"),
    "on_target": ("达标", "On target"),
    "below_target": ("未达标", "Below target"),
    "no_target": ("无目标", "No target"),
    "trend": ("近{n}周趋势", "Last {n} weeks"),
    "unit.people": ("人", "people"),
    "unit.person_times": ("人次", "person-times"),
    "unit.sessions": ("期（场）", "sessions"),
    "unit.households": ("户", "households"),
    "unit.grids": ("个网格", "grids"),
    "unit.branches": ("个党支部", "branches"),
    "unit.checkpoints": ("个卡点", "checkpoints"),
    "unit.hours": ("小时", "hours"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),

    # --- pages
    "page.overview": ("总览", "Overview"),
    "page.grids": ("网格覆盖", "Grid coverage"),
    "page.branches": ("党组织达标", "Branch compliance"),
    "page.training": ("培训宣讲", "Training"),
    "page.checkpoints": ("卡点值守", "Checkpoint staffing"),

    # --- metric names (KPI tiles, tables, briefings)
    "kpi.compliance": ("边境村组党支部达标", "Border branches up to standard"),
    "kpi.members": ("下沉党员报到", "In-service members reported"),
    "kpi.grids_staffed": ("网格有人包保", "Grids staffed"),
    "kpi.visit_rate": ("本周入户走访率", "Household visit rate this week"),
    "kpi.reporting_rate": ("网格周报报送率", "Grids reporting this week"),
    "kpi.coverage": ("卡点24小时值守覆盖率", "Checkpoint 24 h coverage"),
    "kpi.training": ("{kind}（年度累计）", "{kind} (year to date)"),
    "kpi.of": ("共 {total}", "of {total}"),
    "kpi.visited_of": ("走访 {visited} / {households} 户", "{visited} of {households} households"),
    "kpi.slots_of": ("{staffed} / {slots} 个时段", "{staffed} of {slots} hour slots"),
    "kpi.assigned": ("已入格 {assigned} 人，挂联 {households} 户",
                     "{assigned} assigned to grids, {households} households linked"),
    "kpi.target_is": ("目标 {target}", "target {target}"),

    # --- overview
    "overview.headline": ("本周概况", "This week at a glance"),
    "overview.training": ("培训宣讲（年度累计，对照目标）", "Training and outreach, year to date vs target"),
    "overview.attention": ("需要关注", "Needs attention"),
    "overview.attention_none": ("本周没有需要关注的事项。", "Nothing needs attention this week."),
    "overview.indicators": ("强边固防指标", "Border-defence indicators"),
    "overview.trend": ("近12周达标与覆盖趋势", "Compliance and coverage, last 12 weeks"),
    "attention.branches": ("{n} 个党支部未达标", "{n} branches not up to standard"),
    "attention.gaps": ("{n} 处卡点值守空档（共 {hours} 小时）",
                       "{n} checkpoint staffing gaps ({hours} hours in all)"),
    "attention.grids": ("{n} 个网格需关注（未报送、无人包保或走访率低于目标）",
                        "{n} grids need attention (no report, unstaffed, or visits below target)"),
    "attention.more": ("查看详情", "See details"),
    "attention.failed": ("未达标项目：{items}", "Failed: {items}"),
    "attention.never": ("从未评估", "never assessed"),

    # --- grid attention reasons (metrics.GRID_REASONS)
    "reason.not_reported": ("本周未报送", "no report this week"),
    "reason.unstaffed": ("无党员包保", "no member assigned"),
    "reason.below_target": ("走访率低于目标", "visits below target"),

    # --- common table columns
    "col.township": ("乡镇", "Township"),
    "col.community": ("社区", "Community"),
    "col.zone": ("片区", "Zone"),
    "col.grid": ("网格", "Grid"),
    "col.branch": ("党支部", "Branch"),
    "col.checkpoint": ("卡点", "Checkpoint"),
    "col.village": ("行政村", "Village"),
    "col.last_assessed": ("最近评估日期", "Last assessed"),
    "col.failed": ("未达标项目", "Failed criteria"),
    "col.gap_start": ("空档开始", "Gap from"),
    "col.gap_end": ("空档结束", "Gap until"),
    "col.hours": ("小时数", "Hours"),
    "col.shortfall": ("缺员人数", "Short by"),
    "col.households": ("户数", "Households"),
    "col.visited": ("走访户数", "Visited"),
    "col.visit_rate": ("走访率", "Visit rate"),
    "col.reason": ("原因", "Reason"),
    "col.members": ("党员数", "Members"),
    "col.indicator": ("指标", "Indicator"),
    "col.value": ("数值", "Value"),
}


def t(key: str, lang: str = DEFAULT_LANG, **fields) -> str:
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def enum_label(enum: dict, code: str | None, lang: str = DEFAULT_LANG) -> str:
    """The label of a contract enum code (criterion, training kind, indicator, ...)."""
    if code is None:
        return "—"
    zh, en = enum.get(code, (code, code))
    return en if lang == "en" else zh


def column_label(table: str, column: str, lang: str = DEFAULT_LANG) -> str:
    """A contract column's label: its Chinese name, or the English name made readable."""
    c = contract.TABLES[table].column(column)
    return c.name.replace("_", " ").capitalize() if lang == "en" else c.zh


def place_name(name: str | None, name_en: str | None, lang: str) -> str:
    """A proper name in the current language (Chinese where no English name is known)."""
    if lang == "en" and name_en:
        return name_en
    return name or "—"


def fmt_int(value, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{int(round(value)):,}"


def fmt_num(value, lang: str = DEFAULT_LANG) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fmt_rate(value, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A rate 0..1 as a percentage; None (an empty scope) as "—", never 0% or 100%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"


def fmt_date(value, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if lang == "en":
        return value.strftime("%d %b %Y")
    return f"{value.year}年{value.month}月{value.day}日"


def fmt_week(week_start: dt.date, lang: str = DEFAULT_LANG) -> str:
    end = week_start + dt.timedelta(days=6)
    if lang == "en":
        return f"{week_start:%d %b} – {end:%d %b %Y}"
    return f"{week_start.month}月{week_start.day}日—{end.month}月{end.day}日（{week_start.year}）"
