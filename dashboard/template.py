"""The Excel template for the county's weekly reports, generated from the contract.

One sheet per table with Chinese headers, drop-down lists for enums and yes/no
columns, and a 说明 (notes) sheet that explains every column, rule and figure: the
same words as docs/data-contract.md, from the same functions (`contract_doc`). A
filled template loads as it is: the loader skips the notes sheet and accepts the
Chinese labels the drop-downs offer.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import contract, contract_doc
from .contract import BOOL, DATE, ENUM, TIMESTAMP

MAX_ROWS = 20000  # how far down the drop-downs and formats reach
HEADER_FILL = PatternFill("solid", fgColor="C62828")
REQUIRED_FONT = Font(bold=True, color="FFFFFF")
OPTIONAL_FONT = Font(color="FFFFFF")


def _column_notes(notes, table: contract.Table, key: bool) -> None:
    """The 说明 rows of a table: one per column, then its whole-table rules."""
    for r in contract_doc.column_rows(table):
        notes.append(
            [table.zh, r["zh"], r["name"], r["type_zh"], "是" if r["required"] else "否", r["rule_zh"]]
            + (["是" if r["key"] else ""] if key else [])
        )
    for rule in contract_doc.table_rules(table, "zh"):
        notes.append([table.zh, "（整表）", None, None, None, rule])


def _bold_row(ws) -> None:
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def _rules_and_figures(notes) -> None:
    """The loading rules and every figure's definition, as docs/data-contract.md has them."""
    for heading, rules in contract_doc.loading_rules("zh"):
        notes.append([])
        notes.append([heading])
        _bold_row(notes)
        for i, rule in enumerate(rules, start=1):
            notes.append([f"{i}. {rule}"])
    notes.append([])
    notes.append(["指标口径（看板上每个数字的算法；目标表的“指标”列填这里的指标代码）"])
    _bold_row(notes)
    for i, rule in enumerate(contract_doc.general_rules("zh"), start=1):
        notes.append([f"{i}. {rule}"])
    notes.append(["指标代码 Code", "指标 Figure", "英文名称 English", "单位 Unit", None, "口径 Definition"])
    _bold_row(notes)
    for r in contract_doc.figure_rows("zh", expanded=True):
        notes.append([r["code"], r["zh"], r["en"], r["unit"], None, r["definition"]])


def workbook() -> Workbook:
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(
        [
            "孟连县边境党建数据报送模板：每个工作表是一张表，第1行为表头，从第2行起每行一条记录。"
            "加粗表头为必填列。请勿填写姓名、身份证号、电话、住址等个人信息。"
        ]
    )
    notes.append([])
    notes.append(
        [
            "工作表 Sheet",
            "列 Column",
            "英文列名 English name",
            "类型 Type",
            "必填 Required",
            "规则 Rule",
            "主键 Key",
        ]
    )
    for cell in notes[3]:
        cell.font = Font(bold=True)
    for t in contract.TABLES.values():
        ws = _sheet(wb, t)
        for i, c in enumerate(t.columns, start=1):
            fmt = {DATE: "yyyy-mm-dd", TIMESTAMP: "yyyy-mm-dd hh:mm"}.get(c.type)
            if fmt:
                for row in range(2, 202):
                    ws.cell(row=row, column=i).number_format = fmt
        _column_notes(notes, t, key=True)
    _rules_and_figures(notes)
    for col, width in zip("ABCDEFG", (16, 16, 22, 20, 10, 60, 8), strict=False):
        notes.column_dimensions[col].width = width
    return wb


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    workbook().save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- prefilled township forms
# A township's weekly form: what the county already knows is filled in (the week, the grid
# codes, last week's shift times), the names beside them in reference columns (header marked
# 参考, greyed; the loader ignores them), and the clerk fills numbers only.
WEEKLY_TABLES = ("grid_weekly", "checkpoint_shifts", "trainings", "branch_assessments")
REF_FILL = PatternFill("solid", fgColor="E7E6E6")
REF_HEADER_FILL = PatternFill("solid", fgColor="9E9E9E")
REF_FONT = Font(color="595959")
PREFILLED_FILL = PatternFill("solid", fgColor="FFF8E1")  # filled by the county: leave as it is
GRID_REFS = (
    ("grid_name", "网格名称（参考）"),
    ("zone_name", "片区（参考）"),
    ("community_name", "社区（参考）"),
)
SHIFT_REFS = (("checkpoint_name", "卡点名称（参考）"),)


class FormError(ValueError):
    """A prefilled form that cannot be made: `zh` and `en` say why."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def _week(week) -> dt.date:
    if isinstance(week, str):
        try:
            week = dt.date.fromisoformat(week)
        except ValueError:
            raise FormError(
                f"周「{week}」不是日期（应为 YYYY-MM-DD 格式的星期一）",
                f"week {week!r} is not a date (use a Monday as YYYY-MM-DD)",
            ) from None
    if isinstance(week, dt.datetime):
        week = week.date()
    if week.weekday() != 0:
        raise FormError(
            f"周「{week.isoformat()}」不是星期一（周起始日必须是星期一）",
            f"week {week.isoformat()} is not a Monday (a week starts on a Monday)",
        )
    return week


def _sheet(wb: Workbook, table: contract.Table, refs: tuple = ()):
    """A sheet with the table's headers (then reference headers), formats and drop-downs."""
    ws = wb.create_sheet(table.zh)
    ws.append([c.zh for c in table.columns] + [label for _, label in refs])
    n = len(table.columns)
    for i, c in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if c.required else OPTIONAL_FONT
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(c.zh) * 2 + 6)
        choices = None
        if c.type == BOOL:
            choices = ["是", "否"]
        elif c.type == ENUM:
            choices = [zh for zh, _ in c.enum.values()]
        if choices:
            col = get_column_letter(i)
            dv = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=not c.required,
                showErrorMessage=True,
                errorTitle="无效的取值",
                error="请从下拉列表中选择",
            )
            dv.add(f"{col}2:{col}{MAX_ROWS}")
            ws.add_data_validation(dv)
    for j, _ in enumerate(refs, start=n + 1):
        cell = ws.cell(row=1, column=j)
        cell.fill = REF_HEADER_FILL
        cell.font = OPTIONAL_FONT
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(j)].width = 26
    ws.freeze_panes = "A2"
    return ws


def _styles(wb: Workbook) -> None:
    """Named styles: one per kind of filled cell (cheaper than styling cell by cell)."""
    for name, fmt, fill, font in (
        ("prefilled", "General", PREFILLED_FILL, Font()),
        ("prefilled_date", "yyyy-mm-dd", PREFILLED_FILL, Font()),
        ("prefilled_time", "yyyy-mm-dd hh:mm", PREFILLED_FILL, Font()),
        ("reference", "General", REF_FILL, REF_FONT),
    ):
        wb.add_named_style(NamedStyle(name=name, number_format=fmt, fill=fill, font=font))


def _put_rows(ws, table: contract.Table, rows: list[dict], refs: tuple) -> None:
    """Rows with the county's values filled in (contract.FORM_PREFILLED) and the clerk's cells,
    the columns to fill, left empty: the loader reads a row left so as not reported yet."""
    names = table.column_names
    given = set(contract.FORM_PREFILLED[table.name])
    style = {
        c.name: {DATE: "prefilled_date", TIMESTAMP: "prefilled_time"}.get(c.type, "prefilled")
        for c in table.columns
    }
    for r, row in enumerate(rows, start=2):
        for i, name in enumerate(names, start=1):
            value = row.get(name) if name in given else None
            if value is not None:
                ws.cell(row=r, column=i, value=value).style = style[name]
        for j, (key, _) in enumerate(refs, start=len(names) + 1):
            ws.cell(row=r, column=j, value=row.get(key)).style = "reference"


def township_workbook(con, township: str, week) -> Workbook:
    """The prefilled weekly form of `township` for the week starting `week` (a Monday):
    sheets 网格周报, 卡点值守, 培训宣讲, 达标评估 and a 说明 sheet. FormError when the week
    is not a Monday or the township does not exist."""
    from . import queries

    week = _week(week)
    towns = queries.run(con, "townships")
    match = towns.loc[towns["township_id"] == township]
    if match.empty:
        known = "、".join(towns["township_id"])
        raise FormError(
            f"乡镇代码「{township}」不存在（已有：{known or '无'}）",
            f"no township {township!r} (known: {', '.join(towns['township_id']) or 'none'})",
        )
    town_name = match["name"].iloc[0]
    grids = queries.run(con, "form_grids", township=township)
    shifts = queries.run(con, "form_shifts", township=township, week=week)
    branches = queries.run(con, "form_branches", township=township)

    wb = Workbook()
    _styles(wb)
    notes = wb.active
    notes.title = "说明"
    tables = contract.TABLES
    grid_rows = [
        dict(
            week_start=week,
            grid_id=g.grid_id,
            grid_name=g.grid_name,
            zone_name=g.zone_name,
            community_name=g.community_name,
        )
        for g in grids.itertuples()
    ]
    shift_rows = [
        dict(
            checkpoint_id=s.checkpoint_id,
            shift_start=s.shift_start.to_pydatetime(),
            shift_end=s.shift_end.to_pydatetime(),
            checkpoint_name=s.checkpoint_name,
        )
        for s in shifts.itertuples()
    ]
    ws = _sheet(wb, tables["grid_weekly"], GRID_REFS)
    _put_rows(ws, tables["grid_weekly"], grid_rows, GRID_REFS)
    ws = _sheet(wb, tables["checkpoint_shifts"], SHIFT_REFS)
    _put_rows(ws, tables["checkpoint_shifts"], shift_rows, SHIFT_REFS)
    _sheet(wb, tables["trainings"])
    _sheet(wb, tables["branch_assessments"])

    end = week + dt.timedelta(days=6)
    lines = [
        f"{town_name}（{township}）{week.isoformat()} 至 {end.isoformat()} 周报表（预填）",
        "",
        "填写方法：",
        "1. 只填数字：浅黄色单元格（周起始日、网格代码、卡点代码、值班时间）已由县里填好，请勿修改；"
        "灰色的「参考」列只供核对，系统不读取。",
        f"2. 网格周报：每个网格一行（共 {len(grid_rows)} 个网格），填写走访户数、排查人数等数字；"
        "暂未填写的行可以留空（系统列为「未填」，视为尚未报送），不要只填一部分。",
        f"3. 卡点值守：按上周的排班生成了本周的班次（{len(shift_rows)} 行），填写各类人数和测温扫码人次；"
        "排班有变化时可增删行或改时间，时间格式 YYYY-MM-DD HH:MM。",
        f"4. 培训宣讲：本周举办的活动每项一行，乡镇代码填 {township}，活动编号请勿与以前的重复。",
        "5. 达标评估：本周评估的党支部，每个支部填 8 行（每个评估项目一行），党支部代码见下表。",
        "6. 是/否、类别、评估项目请从下拉列表中选择。请勿填写姓名、身份证号、电话、住址等个人信息。",
        f"7. 只能报送本乡镇（{township}）的数据；含其他乡镇的行时，整个文件会被退回并指出行号。",
        "8. 发现报错了可以改好后再上传：同一周再次上传的表以新文件为准，新文件中没有的行会被删除"
        "（上传前的检查结果会列出将删除的记录）。",
        "",
    ]
    for text in lines:
        notes.append([text])
    notes["A1"].font = Font(bold=True, size=13)
    if len(branches):
        notes.append(["本乡镇的边境村组党支部", "党支部代码", "党支部名称", "行政村"])
        for cell in notes[notes.max_row]:
            cell.font = Font(bold=True)
        for b in branches.itertuples():
            notes.append(["", b.branch_id, b.name, b.village])
        notes.append([])
    notes.append(
        ["工作表 Sheet", "列 Column", "英文列名 English name", "类型 Type", "必填 Required", "规则 Rule"]
    )
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    for name in WEEKLY_TABLES:
        _column_notes(notes, tables[name], key=False)
    for col, width in zip("ABCDEF", (28, 16, 22, 20, 10, 60), strict=False):
        notes.column_dimensions[col].width = width
    return wb


def township_xlsx_bytes(con, township: str, week) -> bytes:
    buf = io.BytesIO()
    township_workbook(con, township, week).save(buf)
    return buf.getvalue()
