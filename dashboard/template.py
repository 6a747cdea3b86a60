"""The Excel template for the county's weekly reports, generated from the contract.

One sheet per table with Chinese headers, drop-down lists for enums and yes/no
columns, and a 说明 (notes) sheet that explains every column and rule. A filled
template loads as it is: the loader skips the notes sheet and accepts the
Chinese labels the drop-downs offer.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import contract
from .contract import BOOL, DATE, ENUM, FLOAT, INT, TEXT, TIMESTAMP

MAX_ROWS = 20000   # how far down the drop-downs and formats reach
TYPE_ZH = {TEXT: "文本", INT: "整数", FLOAT: "数字", BOOL: "是/否", DATE: "日期 YYYY-MM-DD",
           TIMESTAMP: "时间 YYYY-MM-DD HH:MM", ENUM: "选项"}
HEADER_FILL = PatternFill("solid", fgColor="C62828")
REQUIRED_FONT = Font(bold=True, color="FFFFFF")
OPTIONAL_FONT = Font(color="FFFFFF")


def column_rule(c: contract.Column) -> str:
    parts = []
    if c.enum:
        parts.append("可选：" + "、".join(zh for zh, _ in c.enum.values())
                     + "（也可填代码 " + ", ".join(c.enum) + "）")
    if c.min is not None and c.max is not None:
        parts.append(f"{c.min:g}–{c.max:g}")
    elif c.min is not None:
        parts.append(f"≥ {c.min:g}")
    if c.fk:
        parts.append(f"须为「{contract.TABLES[c.fk].zh}」表中已有的代码")
    if c.unique:
        parts.append("不能重复")
    if c.note_zh:
        parts.append(c.note_zh)
    return "；".join(parts)


def workbook() -> Workbook:
    wb = Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["孟连县边境党建数据报送模板：每个工作表是一张表，第1行为表头，从第2行起每行一条记录。"
                  "加粗表头为必填列。请勿填写姓名、身份证号、电话、住址等个人信息。"])
    notes.append([])
    notes.append(["工作表 Sheet", "列 Column", "英文列名 English name", "类型 Type", "必填 Required",
                  "规则 Rule", "主键 Key"])
    for cell in notes[3]:
        cell.font = Font(bold=True)
    for t in contract.TABLES.values():
        ws = wb.create_sheet(t.zh)
        ws.append([c.zh for c in t.columns])
        for i, c in enumerate(t.columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.fill = HEADER_FILL
            cell.font = REQUIRED_FONT if c.required else OPTIONAL_FONT
            cell.alignment = Alignment(horizontal="center")
            ws.column_dimensions[get_column_letter(i)].width = max(12, len(c.zh) * 2 + 4)
            col = get_column_letter(i)
            rng = f"{col}2:{col}{MAX_ROWS}"
            choices = None
            if c.type == BOOL:
                choices = ["是", "否"]
            elif c.type == ENUM:
                choices = [zh for zh, _ in c.enum.values()]
            if choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                    allow_blank=not c.required, showErrorMessage=True,
                                    errorTitle="无效的取值", error="请从下拉列表中选择")
                dv.add(rng)
                ws.add_data_validation(dv)
            if c.type == DATE:
                for row in range(2, 202):
                    ws.cell(row=row, column=i).number_format = "yyyy-mm-dd"
            elif c.type == TIMESTAMP:
                for row in range(2, 202):
                    ws.cell(row=row, column=i).number_format = "yyyy-mm-dd hh:mm"
            notes.append([t.zh, c.zh, c.name, TYPE_ZH[c.type], "是" if c.required else "否",
                          column_rule(c), "是" if c.name in t.key else ""])
        ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFG", (16, 16, 22, 20, 10, 60, 8)):
        notes.column_dimensions[col].width = width
    return wb


def xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    workbook().save(buf)
    return buf.getvalue()
