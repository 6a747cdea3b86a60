"""The data contract, as data: the tables the county hands in, their columns and rules.

This module is the one source for the loader (column rules), the DDL of the
store, the Excel templates and docs/data-contract.md (written from here and from
`metric_definitions` by `python -m dashboard contract --markdown`; a test keeps the
committed file in step). It imports nothing outside the standard library but the figure
codes (figure_codes).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .figure_codes import F

# Column types. `enum` columns carry their allowed codes in `Column.enum`.
TEXT, INT, FLOAT, BOOL, DATE, TIMESTAMP, ENUM = ("text", "int", "float", "bool", "date", "timestamp", "enum")

SQL_TYPES = {
    TEXT: "VARCHAR",
    INT: "BIGINT",
    FLOAT: "DOUBLE",
    BOOL: "BOOLEAN",
    DATE: "DATE",
    TIMESTAMP: "TIMESTAMP",
    ENUM: "VARCHAR",
}

# code -> (zh, en)
UNIT_KINDS = {"county": ("县直单位", "County unit"), "stationed": ("驻孟单位", "Stationed unit")}
MEMBER_ROLES = {"chief": ("网格长", "Grid chief"), "member": ("网格员", "Grid member")}
CHECKPOINT_KINDS = {
    "community": ("小区卡点", "Community checkpoint"),
    "border": ("边境卡点", "Border checkpoint"),
}
CRITERIA = {
    "org_setup": ("组织设置", "Organisation set-up"),
    "leadership": ("班子建设", "Leadership team"),
    "member_management": ("党员管理", "Member management"),
    "org_life": ("组织生活", "Organisational life"),
    "venue": ("活动阵地", "Activity venue"),
    "rules": ("制度落实", "Rules in practice"),
    "funding": ("基础保障", "Funding and support"),
    "role": ("作用发挥", "Role played"),
}
TRAINING_KINDS = {
    "party_school": ("党校培训", "Party school training"),
    "border_training": ("边境党员素质提升培训", "Border member training"),
    "party_lecture": ("专题党课", "Special party lecture"),
    "outreach": ("政策宣讲", "Policy outreach"),
    "fireside_school": ("火塘夜校", "Fireside night school"),
    "theme_day": ("主题党日", "Party theme day"),
}
INDICATORS = {
    "vanguard_cadres": ("强边固防先锋队员", "Border vanguard cadres"),
    "cadres_promoted": ("提拔任用干部", "Cadres promoted"),
    "village_team_members": ("驻村工作队员", "Village work-team members"),
    "party_households": ("共产党员户挂牌", "Party households marked"),
    "materials_distributed": ("宣传资料发放份数", "Materials distributed"),
    "waste_bins_added": ("新增医疗废弃物垃圾桶", "Medical-waste bins added"),
    "outreach_teams": ("宣讲团", "Outreach teams"),
}

BOOL_TRUE = ("true", "1", "是", "y", "yes", "t")
BOOL_FALSE = ("false", "0", "否", "n", "no", "f")
# Marks clerks use in checklists; read as yes/no and counted as "read from another form".
BOOL_TRUE_MARKS = ("√", "✓", "✔", "有")
BOOL_FALSE_MARKS = ("×", "✗", "✘", "无")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
# Most files write minutes only: that format first saves a failed parse per cell.
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
# Forms clerks type besides those (year first only: 11/1/2021 stays an error). A date
# column takes the date of a date-time; 20211101 is read only when it has 8 digits.
DATE_FORMS_LENIENT = ("%Y.%m.%d", "%Y年%m月%d日")
TIME_FORMS = (" %H:%M", " %H:%M:%S", "%H:%M", "%H:%M:%S", "T%H:%M", "T%H:%M:%S")
LENIENT_DATE_FORMATS = DATE_FORMATS + DATE_FORMS_LENIENT
LENIENT_TIMESTAMP_FORMATS = (
    tuple(d + t for d in LENIENT_DATE_FORMATS for t in TIME_FORMS) + LENIENT_DATE_FORMATS
)

# Headers that look like personal data are refused with their own message.
PERSONAL_DATA_HINTS = (
    "姓名",
    "name",
    "身份证",
    "id_card",
    "idcard",
    "手机",
    "phone",
    "电话",
    "住址",
    "address",
)


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: str
    required: bool = True
    enum: dict | None = None  # code -> (zh, en)
    min: float | None = None
    max: float | None = None
    fk: str | None = None  # referenced table (its key column of the same name)
    fk_column: str | None = None  # referenced column when its name differs
    unique: bool = False
    note: str = ""  # extra rule, in English, for docs and templates
    note_zh: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[str, ...] = field(default=())  # cross-row rules, see ingest

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _lonlat() -> tuple[Column, Column]:
    return (Column("lon", "经度", FLOAT, min=-180, max=180), Column("lat", "纬度", FLOAT, min=-90, max=90))


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "townships",
            "乡镇",
            "Townships",
            (
                Column("township_id", "乡镇代码", TEXT),
                Column("name", "乡镇名称", TEXT, unique=True),
                Column("name_en", "英文名称", TEXT, required=False),
                *_lonlat(),
                Column("is_border", "是否边境乡镇", BOOL),
            ),
            key=("township_id",),
        ),
        Table(
            "communities",
            "社区",
            "Communities",
            (
                Column("community_id", "社区代码", TEXT),
                Column("township_id", "乡镇代码", TEXT, fk="townships"),
                Column("name", "社区名称", TEXT),
            ),
            key=("community_id",),
        ),
        Table(
            "zones",
            "片区",
            "Zones",
            (
                Column("zone_id", "片区代码", TEXT),
                Column("community_id", "社区代码", TEXT, fk="communities"),
                Column("name", "片区名称", TEXT),
                Column(
                    "leader_title",
                    "片长职务",
                    TEXT,
                    required=False,
                    note="a post (e.g. 县委副书记), never a person's name",
                    note_zh="填写职务（如县委副书记），不填姓名",
                ),
            ),
            key=("zone_id",),
        ),
        Table(
            "units",
            "单位党组织",
            "Units",
            (
                Column("unit_id", "单位代码", TEXT),
                Column("name", "单位名称", TEXT),
                Column("kind", "单位类别", ENUM, enum=UNIT_KINDS),
            ),
            key=("unit_id",),
        ),
        Table(
            "grids",
            "网格",
            "Grids",
            (
                Column("grid_id", "网格代码", TEXT),
                Column("zone_id", "片区代码", TEXT, fk="zones"),
                Column("name", "网格名称", TEXT),
                Column("households", "户数", INT, min=0),
                Column("residents", "人口数", INT, required=False, min=0),
                Column("unit_id", "包保单位代码", TEXT, required=False, fk="units"),
                *_lonlat(),
            ),
            key=("grid_id",),
        ),
        Table(
            "members",
            "下沉党员",
            "Members",
            (
                Column(
                    "member_id",
                    "党员编号",
                    TEXT,
                    note="a pseudonymous code",
                    note_zh="化名编号，不填姓名或身份证号",
                ),
                Column("unit_id", "单位代码", TEXT, fk="units"),
                Column(
                    "grid_id",
                    "网格代码",
                    TEXT,
                    required=False,
                    fk="grids",
                    note="blank = not yet assigned",
                    note_zh="空白表示尚未入格",
                ),
                Column("role", "角色", ENUM, enum=MEMBER_ROLES),
                Column("reported_on", "报到日期", DATE),
                Column("households_linked", "挂联户数", INT, min=0, max=50),
            ),
            key=("member_id",),
        ),
        Table(
            "grid_weekly",
            "网格周报",
            "Grid weekly reports",
            (
                Column("week_start", "周起始日", DATE, note="must be a Monday", note_zh="必须是星期一"),
                Column("grid_id", "网格代码", TEXT, fk="grids"),
                Column(
                    "households_visited",
                    "走访户数",
                    INT,
                    min=0,
                    note="at most the grid's households",
                    note_zh="不超过该网格户数",
                ),
                Column("residents_checked", "排查人数", INT, min=0),
                Column("travel_registered", "进出县登记人数", INT, min=0),
                Column(
                    "vaccinated",
                    "已接种人数",
                    INT,
                    min=0,
                    note="at most residents_checked",
                    note_zh="不超过排查人数",
                ),
                Column("issues_found", "发现问题数", INT, min=0),
                Column("issues_resolved", "解决问题数", INT, min=0),
            ),
            key=("week_start", "grid_id"),
            rules=("monday", "visited_le_households", "vaccinated_le_checked"),
        ),
        Table(
            "checkpoints",
            "卡点",
            "Checkpoints",
            (
                Column("checkpoint_id", "卡点代码", TEXT),
                Column("township_id", "乡镇代码", TEXT, fk="townships"),
                Column("community_id", "社区代码", TEXT, required=False, fk="communities"),
                Column("name", "卡点名称", TEXT),
                Column("kind", "卡点类别", ENUM, enum=CHECKPOINT_KINDS),
                Column("required_staff", "每班最少人数", INT, min=1),
                *_lonlat(),
            ),
            key=("checkpoint_id",),
        ),
        Table(
            "checkpoint_shifts",
            "卡点值守",
            "Checkpoint shifts",
            (
                Column("checkpoint_id", "卡点代码", TEXT, fk="checkpoints"),
                Column("shift_start", "开始时间", TIMESTAMP),
                Column(
                    "shift_end",
                    "结束时间",
                    TIMESTAMP,
                    note="after shift_start, at most 24 h later",
                    note_zh="晚于开始时间，且不超过24小时",
                ),
                Column("staff_party", "党员干部人数", INT, min=0),
                Column("staff_unit", "单位网格员人数", INT, min=0),
                Column("staff_volunteer", "志愿者人数", INT, min=0),
                Column("persons_checked", "测温扫码人次", INT, min=0),
            ),
            key=("checkpoint_id", "shift_start"),
            rules=("shift_span",),
        ),
        Table(
            "branches",
            "边境村组党支部",
            "Border branches",
            (
                Column("branch_id", "党支部代码", TEXT),
                Column("township_id", "乡镇代码", TEXT, fk="townships"),
                Column("village", "行政村", TEXT),
                Column("group_name", "村民小组", TEXT),
                Column("name", "党支部名称", TEXT),
                Column("on_border_line", "是否抵边", BOOL),
                Column("party_members", "党员人数", INT, min=0),
                Column("is_model", "示范党组织", BOOL),
                Column("link_county_leader", "县级领导挂联", BOOL),
                Column("link_unit", "挂包单位挂联", BOOL),
                Column("link_township", "乡镇班子挂联", BOOL),
                Column("link_village_team", "驻村工作队挂联", BOOL),
                *_lonlat(),
            ),
            key=("branch_id",),
        ),
        Table(
            "branch_assessments",
            "达标评估",
            "Branch assessments",
            (
                Column("branch_id", "党支部代码", TEXT, fk="branches"),
                Column("assessed_on", "评估日期", DATE),
                Column("criterion", "评估项目", ENUM, enum=CRITERIA),
                Column("passed", "是否达标", BOOL),
                Column("note", "备注", TEXT, required=False),
            ),
            key=("branch_id", "assessed_on", "criterion"),
            rules=("all_criteria",),
        ),
        Table(
            "trainings",
            "培训宣讲",
            "Trainings",
            (
                Column("activity_id", "活动编号", TEXT),
                Column("held_on", "日期", DATE),
                Column(
                    "township_id",
                    "乡镇代码",
                    TEXT,
                    required=False,
                    fk="townships",
                    note="blank = county-level",
                    note_zh="空白表示县级活动",
                ),
                Column("kind", "类别", ENUM, enum=TRAINING_KINDS),
                Column("title", "主题", TEXT),
                Column("sessions", "期数场次", INT, min=1),
                Column("attendees", "参加人次", INT, min=0, note="person-times", note_zh="人次"),
            ),
            key=("activity_id",),
        ),
        Table(
            "training_attendance",
            "参训记录",
            "Training attendance",
            (
                Column("activity_id", "活动编号", TEXT, fk="trainings"),
                Column("member_id", "党员编号", TEXT, fk="members"),
            ),
            key=("activity_id", "member_id"),
        ),
        Table(
            "targets",
            "目标",
            "Targets",
            (
                Column(
                    "metric",
                    "指标",
                    TEXT,
                    note="a figure code (see Figures below)",
                    note_zh="指标代码，如 branches.compliance_rate",
                ),
                Column("year", "年度", INT, min=2000, max=2100),
                Column(
                    "township_id",
                    "乡镇代码",
                    TEXT,
                    required=False,
                    fk="townships",
                    note="blank = county-wide",
                    note_zh="空白表示全县",
                ),
                Column("target", "目标值", FLOAT),
            ),
            key=("metric", "year", "township_id"),
            rules=("metric_code",),
        ),
        Table(
            "indicators",
            "强边固防指标",
            "Border-defence indicators",
            (
                Column("indicator", "指标", ENUM, enum=INDICATORS),
                Column(
                    "township_id",
                    "乡镇代码",
                    TEXT,
                    required=False,
                    fk="townships",
                    note="blank = county-wide",
                    note_zh="空白表示全县",
                ),
                Column("as_of", "截至日期", DATE),
                Column("value", "数值", FLOAT, min=0),
            ),
            key=("indicator", "township_id", "as_of"),
        ),
    )
}

# Tables in an order where every table comes after the tables it references.
TABLE_ORDER = list(TABLES)

# The township's prefilled weekly form (template.township_workbook) fills these columns of
# each row it lays out; the clerk fills the others, the columns "to fill" (`to_fill`). A row
# whose to-fill columns are all empty is a row left as the form gave it: not reported yet,
# skipped and counted as 未填 by the loader, never an error (issue 21 §3).
FORM_PREFILLED = {
    "grid_weekly": ("week_start", "grid_id"),
    "checkpoint_shifts": ("checkpoint_id", "shift_start", "shift_end"),
}

# The week a row of a township's weekly table belongs to: the Monday of this column's date. A
# township's submission replaces its rows of the weeks its file carries, per table (issue 21 §4).
WEEK_OF = {
    "grid_weekly": "week_start",
    "checkpoint_shifts": "shift_start",
    "trainings": "held_on",
    "branch_assessments": "assessed_on",
}


def to_fill(table: str) -> tuple[str, ...]:
    """The columns a clerk fills on the prefilled form (none for a table it does not lay out)."""
    if table not in FORM_PREFILLED:
        return ()
    return tuple(c for c in TABLES[table].column_names if c not in FORM_PREFILLED[table])


def code_columns(table: Table) -> tuple[str, ...]:
    """The text columns that hold codes (a key or a reference): read NFKC-normalised, so a code
    typed full-width (ＷＧ０１) is the code it shows (WG01)."""
    return tuple(c.name for c in table.columns if c.type == TEXT and (c.fk or c.name in table.key))


# Geometry layers loaded from GeoJSON files: layer -> (file stem, id property, table).
GEO_LAYERS = {
    "townships": ("townships", "township_id"),
    "grids": ("grids", "grid_id"),
    # Optional, not tied to a table: the county's outline (one feature) and the
    # national border (one line feature per neighbouring country, ISO3 code).
    "county": ("county", "adcode"),
    "border": ("border", "country"),
}
# Geometry types a layer accepts (layers not named here: Polygon or MultiPolygon).
GEO_TYPES = {"border": ("LineString", "MultiLineString")}
# Size limit of a layer's file in bytes (layers not named here: the loader's general limit).
GEO_MAX_BYTES = {"county": 5 * 1024 * 1024, "border": 5 * 1024 * 1024}

# Figure codes (those a target may name); their definitions: metric_definitions.FIGURES.
RATE_METRICS = (
    F.BRANCHES_COMPLIANCE_RATE,
    F.BRANCHES_LINK_COVERAGE_RATE,
    F.GRIDS_STAFFED_RATE,
    F.GRIDS_VISIT_RATE,
    F.GRIDS_REPORTING_RATE,
    F.CHECKPOINTS_COVERAGE_RATE,
    F.CHECKPOINTS_PARTY_SHARE,
)
COUNT_METRICS = (
    F.BRANCHES_TOTAL,
    F.BRANCHES_COMPLIANT,
    F.BRANCHES_MODEL,
    F.GRIDS_TOTAL,
    F.GRIDS_STAFFED,
    F.GRIDS_HOUSEHOLDS,
    F.GRIDS_HOUSEHOLDS_VISITED,
    F.MEMBERS_REPORTED,
    F.MEMBERS_ASSIGNED,
    F.MEMBERS_HOUSEHOLDS_LINKED,
    F.CHECKPOINTS_TOTAL,
    F.CHECKPOINTS_SLOTS,
    F.CHECKPOINTS_STAFFED_SLOTS,
    F.CHECKPOINTS_STAFF_HOURS,
    F.CHECKPOINTS_PERSONS_CHECKED,
    F.TRAINING_SESSIONS,
    F.TRAINING_ATTENDEES,
    F.TRAINING_DISTINCT_MEMBERS,
)
METRIC_CODES = (
    RATE_METRICS
    + COUNT_METRICS
    + tuple(
        code.format(kind=k)
        for k in TRAINING_KINDS
        for code in (F.TRAINING_KIND_SESSIONS, F.TRAINING_KIND_ATTENDEES)
    )
    + tuple(F.INDICATOR.format(code=k) for k in INDICATORS)
)

# ------------------------------------------------------------- words for docs and templates
# What the docs and the template's 说明 sheet say about the contract, in both languages: one
# source for docs/data-contract.md and the 说明 sheet (rendered by dashboard/contract_doc.py).

# type -> (zh, en)
TYPE_LABELS = {
    TEXT: ("文本", "text"),
    INT: ("整数", "int"),
    FLOAT: ("数字", "float"),
    BOOL: ("是/否", "bool"),
    DATE: ("日期 YYYY-MM-DD", "date"),
    TIMESTAMP: ("时间 YYYY-MM-DD HH:MM", "timestamp"),
    ENUM: ("选项", "enum"),
}

# Cross-row rules of Table.rules -> (zh, en); None where the column's note already says it.
RULE_TEXT = {
    "monday": None,
    "visited_le_households": None,
    "vaccinated_le_checked": None,
    "shift_span": (
        "同一卡点的班次可以重叠（加派人员），人数相加",
        ("shifts of one checkpoint may overlap (a reinforcement shift); their staff add up"),
    ),
    "all_criteria": (
        "一次评估（一个党支部、一个评估日期）须填齐全部 8 个评估项目，缺项即为错误",
        ("an assessment (a branch on a date) must carry all 8 criteria; a partial one is an error"),
    ),
    "metric_code": (
        "指标须为指标口径中列出的指标代码",
        "metric must be one of the figure codes listed under Figures",
    ),
}

# Notes on a whole table -> (zh, en).
TABLE_NOTES = {
    "training_attendance": (
        "可选：报送后看板可在人次之外统计参训人数（人）",
        ("optional: lets the dashboard count distinct people (人) beside person-times (人次)"),
    ),
}

# Geometry layers -> (zh, en) description; a layer without one is listed by its file alone.
GEO_NOTES = {
    "townships": ("乡镇边界，作为每张地图的底图", "township outlines, the base layer of every map"),
    "grids": (
        "网格边界；没有边界的网格画在其中心点",
        "grid outlines; a grid without an outline is drawn at its centroid (lon/lat)",
    ),
    "county": ("县界（一个要素）", "the county's outline (one feature)"),
    "border": (
        "国境线（每个邻国一个线要素）",
        "the national border (one line feature per neighbouring country)",
    ),
}


def column_rule(c: Column, lang: str = "zh") -> str:
    """A column's rules in one line (allowed codes, range, reference, uniqueness, note): the
    same words for the template's 说明 sheet (zh) and docs/data-contract.md (en)."""
    zh = lang != "en"
    parts = []
    if c.enum:
        if zh:
            parts.append(
                "可选："
                + "、".join(z for z, _ in c.enum.values())
                + "（也可填代码 "
                + ", ".join(c.enum)
                + "）"
            )
        else:
            parts.append("one of " + ", ".join(f"`{code}` {z} ({e})" for code, (z, e) in c.enum.items()))
    if c.min is not None and c.max is not None:
        parts.append(f"{c.min:g}–{c.max:g}")
    elif c.min is not None:
        parts.append(f"≥ {c.min:g}")
    if c.fk:
        ref = TABLES[c.fk]
        parts.append(
            f"须为「{ref.zh}」表中已有的代码" if zh else f"must exist in {ref.name} ({c.fk_column or c.name})"
        )
    if c.unique:
        parts.append("不能重复" if zh else "unique")
    note = c.note_zh if zh else c.note
    if note:
        parts.append(note)
    return ("；" if zh else "; ").join(parts)


def norm_label(text) -> str:
    """A header or sheet name as compared: NFKC (full-width to half-width, （） to ()),
    no spaces anywhere, lower case."""
    s = unicodedata.normalize("NFKC", str(text or "").replace("\ufeff", ""))
    return "".join(s.split()).lower()


def table_by_label(label: str) -> Table | None:
    """A table by its English or Chinese name (file stem or sheet name), compared leniently."""
    label = norm_label(label)
    for t in TABLES.values():
        if label in (t.name, norm_label(t.zh)):
            return t
    return None


def header_map(table: Table) -> dict[str, str]:
    """Accepted header (English name or Chinese label, as `norm_label` gives) -> column name."""
    m = {}
    for c in table.columns:
        m[norm_label(c.name)] = c.name
        m[norm_label(c.zh)] = c.name
    return m


def looks_personal(header: str) -> bool:
    h = header.strip().lower()
    return any(hint in h for hint in PERSONAL_DATA_HINTS)


def ddl() -> list[str]:
    """CREATE TABLE statements for the store. Identifiers come from this module."""
    stmts = []
    for t in TABLES.values():
        cols = ", ".join(f'"{c.name}" {SQL_TYPES[c.type]}' for c in t.columns)
        stmts.append(f'CREATE TABLE IF NOT EXISTS "{t.name}" ({cols})')
    stmts.append(
        'CREATE TABLE IF NOT EXISTS "geo_features" '
        '("layer" VARCHAR, "feature_id" VARCHAR, "geometry" VARCHAR)'
    )
    return stmts


_IDENTIFIERS = frozenset(
    {c.name for t in TABLES.values() for c in t.columns}
    | set(TABLES)
    | {"geo_features", "layer", "feature_id", "geometry"}
)


def quote_ident(name: str) -> str:
    """Quote an identifier that must come from this module's allow-list."""
    if name not in _IDENTIFIERS:
        raise ValueError(f"identifier not in the contract: {name!r}")
    return '"' + name + '"'
