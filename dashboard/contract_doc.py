"""The data contract in words: docs/data-contract.md and the template's 说明 sheet, from one source.

Everything here is read from `contract` (tables, columns, rules, geometry layers), from the
loader's own limits (`ingest.common`) and from `metric_definitions` (every
figure): nothing is written twice. `markdown()` is docs/data-contract.md, printed by
`python -m dashboard contract --markdown`; `column_rows()`, `loading_rules("zh")` and
`figure_rows()` fill the template's 说明 sheet (dashboard/template.py).
"""

from __future__ import annotations

from . import contract, metric_definitions
from .contract import BOOL_FALSE, BOOL_FALSE_MARKS, BOOL_TRUE, BOOL_TRUE_MARKS

REGENERATE = ".venv/bin/python -m dashboard contract --markdown > docs/data-contract.md"


def _pattern(fmt: str) -> str:
    """A strptime format as a clerk reads it: %Y-%m-%d -> YYYY-MM-DD."""
    for a, b in (
        ("%Y", "YYYY"),
        ("%m", "MM"),
        ("%d", "DD"),
        ("%H", "HH"),
        ("%M", "MM"),
        ("%S", "SS"),
    ):
        fmt = fmt.replace(a, b)
    return fmt


def column_rows(table: contract.Table) -> list[dict]:
    """One dict per column: name, zh, type_zh, type_en, required, key, rule_zh, rule_en."""
    return [
        {
            "name": c.name,
            "zh": c.zh,
            "type_zh": contract.TYPE_LABELS[c.type][0],
            "type_en": contract.TYPE_LABELS[c.type][1],
            "required": c.required,
            "key": c.name in table.key,
            "rule_zh": contract.column_rule(c, "zh"),
            "rule_en": contract.column_rule(c, "en"),
        }
        for c in table.columns
    ]


def table_rules(table: contract.Table, lang: str) -> list[str]:
    """The table's cross-row rules and notes, in `lang`."""
    i = 1 if lang == "en" else 0
    out = [contract.RULE_TEXT[r][i] for r in table.rules if contract.RULE_TEXT[r]]
    if table.name in contract.TABLE_NOTES:
        out.append(contract.TABLE_NOTES[table.name][i])
    return out


def loading_rules(lang: str) -> list[tuple[str, list[str]]]:
    """(heading, rules) of what a load accepts and how it is checked, in `lang`."""
    from .ingest import common

    en = lang == "en"
    hints = ", ".join(contract.PERSONAL_DATA_HINTS)
    bools = ", ".join(
        f"{t}/{f}" for t, f in zip(BOOL_TRUE + BOOL_TRUE_MARKS, BOOL_FALSE + BOOL_FALSE_MARKS, strict=False)
    )
    dates = ", ".join(_pattern(f) for f in contract.LENIENT_DATE_FORMATS)
    serial = "/".join(sorted(common.SERIAL_HEADERS))
    notes = ", ".join(sorted(common.NOTES_SHEETS))
    reporter = ", ".join(common.REPORTER_TABLES)
    reporter_zh = "、".join(contract.TABLES[t].zh for t in common.REPORTER_TABLES)
    weeks = ", ".join(f"{t} by {c}" for t, c in contract.WEEK_OF.items())
    weeks_zh = "、".join(
        f"{contract.TABLES[t].zh}的{contract.TABLES[t].column(c).zh}" for t, c in contract.WEEK_OF.items()
    )
    fill_en = "; ".join(f"{t}: {', '.join(contract.to_fill(t))}" for t in contract.FORM_PREFILLED)
    fill_zh = "；".join(
        f"{contract.TABLES[t].zh}：{'、'.join(contract.TABLES[t].column(c).zh for c in contract.to_fill(t))}"
        for t in contract.FORM_PREFILLED
    )
    if en:
        return [
            (
                "Input files",
                [
                    (
                        "A load takes one CSV file per table, named by the table in English or "
                        "Chinese (`grids.csv` or `网格.csv`); a folder of such files; or one Excel "
                        "workbook (`.xlsx`, `.xls`) with one sheet per table, the sheet named by "
                        "the table. GeoJSON files carry the optional geometry layers. A load may "
                        "carry any subset of the tables."
                    ),
                    (
                        "Headers are the English column names or the Chinese labels, in any order. "
                        "An unknown column is an error (it usually means a typo); a header that "
                        f"looks like personal data ({hints}) is refused with a message asking the "
                        f"sender to remove it: the dashboard holds no personal identifiers, only "
                        "pseudonymous codes and counts."
                    ),
                    (
                        "CSV in UTF-8 (with or without BOM) or GB18030/GBK, as Excel on a Chinese "
                        "Windows saves it."
                    ),
                    f"Yes/no: {bools}.",
                    (
                        f"Dates: {dates}, YYYYMMDD (8 digits), or an Excel date cell. Timestamps: "
                        f"any of those dates followed by H:MM or H:MM:SS, local time, no zone."
                    ),
                    (
                        "Whole numbers may carry full-width digits and thousands separators. A "
                        "blank cell is null; a required column with a null is an error."
                    ),
                    (
                        f"Clerks' sheets as they are: the header is the first of the first "
                        f"{common.HEADER_ROWS} rows that holds the table's required columns (title "
                        f"rows and 填报单位 lines above it are skipped); a {serial} column is "
                        f"ignored; rows whose first cell is 合计/总计/小计 with the key columns "
                        "empty, and signature lines (填报人：…, 审核人：…), are skipped and no "
                        f"name in them is kept; columns whose header is marked "
                        f"{common.REFERENCE_MARK} in a template the dashboard made are ignored; "
                        f"sheets named {notes} are skipped. Row numbers in messages are those of "
                        "the file. Every skip is reported before anything is stored."
                    ),
                ],
            ),
            (
                "Loading rules",
                [
                    (
                        "All or nothing: a load with any error changes nothing, and reports every "
                        f"error it found (up to {common.MAX_ERRORS}), each with file, table, row "
                        f"number as the sender sees it (header = row 1), column, offending value "
                        "and reason, in Chinese and English."
                    ),
                    (
                        "Rows replace stored rows with the same key (upsert): loading the same "
                        "file twice leaves the data as it was. A `--replace` load swaps whole "
                        "tables instead."
                    ),
                    (
                        "Foreign keys and cross-row rules are checked on the merged result (the "
                        "load together with what is already stored)."
                    ),
                    (
                        "Every load that changes something makes a new version, recorded with the "
                        "time, who loaded it, the source files with their SHA-256, and the rows "
                        "added, changed and removed per table. A load that changes nothing makes "
                        "no version and says so."
                    ),
                    "Any earlier version can be restored; a restore is itself a new version.",
                    (
                        f"A township reporter sends only its own township's weekly tables "
                        f"({reporter}) and never replaces whole tables; a file with a row of "
                        "another township is returned whole, naming the rows."
                    ),
                    (
                        "A township's submission replaces, in each table the file carries, that "
                        "township's rows of the weeks the file carries: the weeks of the rows it "
                        f"loads ({weeks}), as Monday-to-Sunday weeks. A stored row of those weeks "
                        "that the corrected file no longer has is removed, and listed by its key "
                        "before anything is stored; other townships, other weeks and tables the "
                        "file does not carry are never touched. A county load upserts."
                    ),
                    (
                        f"A row of the prefilled weekly form whose columns to fill ({fill_en}) are "
                        "all empty is a row not reported yet: it is skipped and listed as not "
                        "filled (未填) with its row numbers. A row partly filled is an error naming "
                        "each empty cell."
                    ),
                    (
                        "Codes (keys and references) are read NFKC-normalised, so a code typed "
                        "full-width (ＷＧ０１) is the code WG01; such cells are counted as read "
                        "from another form."
                    ),
                ],
            ),
        ]
    return [
        (
            "报送文件",
            [
                (
                    "每张表一个 CSV 文件（文件名为表名，英文或中文均可，如 grids.csv 或 网格"
                    ".csv），或装有这些文件的文件夹，或一个 Excel 工作簿（.xlsx、.xls），每张表一个"
                    "工作表，工作表名为表名。一次可以只报送其中几张表。"
                ),
                (
                    f"表头可用英文列名或中文列名，顺序不限。不认识的列会报错（通常是笔误）；看起来"
                    f"是个人信息的列（{hints}）会被拒收：看板不保存任何个人身份信息，只保存化名编号"
                    f"和数字。"
                ),
                ("CSV 可用 UTF-8（带或不带 BOM）或 GB18030/GBK 编码（中文 Windows 上 Excel 另存的格式）。"),
                f"是/否可写作：{bools}。",
                (
                    f"日期可写作：{dates}、8 位数字 YYYYMMDD，或 Excel 日期单元格；时间为日期后加 "
                    f"H:MM 或 H:MM:SS（当地时间）。"
                ),
                "整数可用全角数字和千位分隔符。空白单元格为空值；必填列为空会报错。",
                (
                    f"表格可以保留原样：表头在前 {common.HEADER_ROWS} 行中查找（上方的标题行、填报"
                    f"单位行会跳过）；{serial}列不读取；首格为合计/总计/小计且代码列为空的行、填报"
                    f"人/审核人等签字行会跳过，其中的姓名不保存；表头标有「{common.REFERENCE_MARK}」"
                    f"的列不读取；名为 {notes} 的工作表不读取。提示中的行号即文件中的行号，所有跳过"
                    "的内容都会在入库前列出。"
                ),
            ],
        ),
        (
            "载入规则",
            [
                (
                    f"全部通过才入库：有任何错误时不作任何改动，并列出发现的全部错误（最多 "
                    f"{common.MAX_ERRORS} 条），每条注明文件、表、行号（表头为第 1 行）、列、错误的"
                    "值和原因。"
                ),
                "与已存数据主键相同的行会被替换（更新），同一文件载入两次数据不变。",
                "外键和跨行规则按合并后的数据（本次报送加已存数据）检查。",
                (
                    "每次有改动的载入生成一个新版本，记录时间、载入人、文件及其 SHA-256、各表增改删"
                    "行数；没有改动时不生成新版本。"
                ),
                "可以恢复任何以前的版本，恢复本身也是一个新版本。",
                (
                    f"乡镇报送员只能报送本乡镇的周报表（{reporter_zh}）；文件中有其他乡镇的行时，整"
                    f"个文件退回并指出行号。"
                ),
                (
                    "乡镇再次报送（更正）时，文件所含的每张表中，本乡镇在文件所含各周（按所载入行的"
                    f"{weeks_zh}所在的周一至周日）的记录以新文件为准：更正后的文件中已没有的记录会被删除，"
                    "并在入库前按代码列出；其他乡镇、其他周和文件不含的表不受影响。县里载入只新增和更"
                    "新，不删除。"
                ),
                (
                    f"预填报表中需要填写的列（{fill_zh}）全部留空的行视为尚未报送：跳过，并按行号"
                    "列为「未填」；只填了一部分的行会报错，并指出每个空着的单元格。"
                ),
                (
                    "代码列（主键和引用）按 NFKC 规范读取，全角输入的代码（如 ＷＧ０１）读作 WG01，"
                    "并计入“转换”。"
                ),
            ],
        ),
    ]


def figure_rows(lang: str, expanded: bool = False) -> list[dict]:
    """One dict per figure: code, label, zh, en, unit and definition (label, unit and
    definition in `lang`). Codes with a placeholder ({kind}, {code}) stay one row each, or with
    `expanded` become one row per training kind / indicator."""
    en = lang == "en"
    out = []
    figures = metric_definitions.expand() if expanded else metric_definitions.FIGURES
    for f in figures:
        zh_unit, en_unit = metric_definitions.UNITS[f.unit]
        out.append(
            {
                "code": f.code,
                "label": f.en if en else f.zh,
                "zh": f.zh,
                "en": f.en,
                "unit": en_unit if en else zh_unit,
                "definition": f.definition if en else f.definition_zh,
            }
        )
    return out


def general_rules(lang: str) -> list[str]:
    i = 1 if lang == "en" else 0
    return [pair[i] for pair in metric_definitions.GENERAL]


def _cell(text) -> str:
    """Text made safe for one Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _enum_list(enum: dict) -> str:
    return ", ".join(f"`{code}` {zh} ({en})" for code, (zh, en) in enum.items())


def markdown() -> str:
    """docs/data-contract.md."""
    L = [
        "# Data contract · 数据规范",
        "",
        (
            "<!-- Generated from dashboard/contract.py, dashboard/contract_doc.py and "
            "dashboard/metric_definitions.py by `python -m dashboard contract --markdown`. Do not "
            "edit by hand: change the code, then run"
        ),
        f"     {REGENERATE}",
        "     (tests/test_contract_doc.py fails while the two disagree). -->",
        "",
        (
            "What the county organisation department and the townships hand in, how a load checks "
            "it, and how every figure on the dashboard is computed from it. The reporting "
            "template's 说明 sheet (`python -m dashboard template --out FILE.xlsx`) says the same "
            "in Chinese, from the same code."
        ),
        "",
        "1. [Input files](#1-input-files)",
        "2. [Tables](#2-tables)",
        "3. [Geometry layers](#3-geometry-layers)",
        "4. [Loading rules](#4-loading-rules)",
        "5. [Figures](#5-figures)",
        "",
    ]
    (inputs_head, inputs), (rules_head, rules) = loading_rules("en")
    L += [f"## 1. {inputs_head}", ""] + [f"- {r}" for r in inputs] + [""]

    L += [
        "## 2. Tables",
        "",
        (
            "Tables in load order: a table comes after the tables it references. *Key* columns "
            "together identify a row; a *must exist in* rule is a foreign key, checked after the "
            "load is merged with what is already stored. Required columns are **bold** in the "
            "template's header row."
        ),
        "",
    ]
    for name in contract.TABLE_ORDER:
        t = contract.TABLES[name]
        L += [
            f"### {t.name} {t.zh} · {t.en}",
            "",
            "| column | 中文 | type | required | rule |",
            "|---|---|---|---|---|",
        ]
        for r in column_rows(t):
            required = ("yes" if r["required"] else "optional") + (", key" if r["key"] else "")
            L.append(f"| `{r['name']}` | {r['zh']} | {r['type_en']} | {required} | {_cell(r['rule_en'])} |")
        L += ["", "- Key: " + ", ".join(f"`{k}`" for k in t.key) + "."]
        L += [f"- {rule[0].upper()}{rule[1:]}." for rule in table_rules(t, "en")]
        L.append("")

    enums = [(c.name, c.enum) for t in contract.TABLES.values() for c in t.columns if c.enum]
    L += ["### Codes", "", "Enum columns take the code or its Chinese label.", ""]
    seen = set()
    for _column, enum in enums:
        if id(enum) in seen:
            continue
        seen.add(id(enum))
        where = ", ".join(
            f"{t.name}.{c.name}" for t in contract.TABLES.values() for c in t.columns if c.enum is enum
        )
        L.append(f"- {where}: {_enum_list(enum)}")
    L.append("")

    L += [
        "## 3. Geometry layers",
        "",
        (
            "Optional GeoJSON files (a FeatureCollection), loaded like the tables; a map draws "
            "what it has. Each feature carries its id in `properties`."
        ),
        "",
        "| layer | file | id property | geometry | what |",
        "|---|---|---|---|---|",
    ]
    geo_types = getattr(contract, "GEO_TYPES", {})
    for layer, spec in contract.GEO_LAYERS.items():
        spec = tuple(spec) if isinstance(spec, (tuple, list)) else (spec,)
        stem = spec[0] if spec and spec[0] else layer
        prop = f"`{spec[1]}`" if len(spec) > 1 and spec[1] else "—"
        kinds = " or ".join(geo_types.get(layer, ("Polygon", "MultiPolygon")))
        what = contract.GEO_NOTES.get(layer, ("", ""))[1]
        L.append(f"| {layer} | `{stem}.geojson` | {prop} | {kinds} | {_cell(what)} |")
    L.append("")

    L += [f"## 4. {rules_head}", ""] + [f"- {r}" for r in rules] + [""]

    L += [
        "## 5. Figures",
        "",
        (
            "Every figure `python -m dashboard summary --json` prints (nested at the dots of its "
            "code) and the pages show. A target (table `targets`) names a figure by its code."
        ),
        "",
    ]
    L += [f"- {r}" for r in general_rules("en")] + [""]
    L += ["| code | 中文 | English | unit | definition |", "|---|---|---|---|---|"]
    for r in figure_rows("en"):
        L.append(
            f"| `{r['code']}` | {_cell(r['zh'])} | {_cell(r['en'])} | {r['unit']} | "
            f"{_cell(r['definition'])} |"
        )
    L.append("")
    for name, enum in metric_definitions.PLACEHOLDERS.items():
        codes = ", ".join(f"`{c}`" for c in enum)
        L.append(
            f"- `{{{name}}}` is each of {codes}: one figure each, labelled with its code's label "
            "(Codes above)."
        )
    L.append("")
    return "\n".join(L)
