"""One translation system: every message is a label of dashboard/i18n/labels.toml with the same
{fields} in both languages, and the loader's code holds no Chinese but the data it matches."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from dashboard import auth, i18n, ingest
from dashboard.i18n import ByLang, Msg

ROOT = Path(__file__).resolve().parent.parent
INGEST = ROOT / "dashboard" / "ingest"
# Han ideographs, CJK punctuation (、「」（）：) and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# What the reader matches in clerks' files: data, not messages (dashboard/ingest/common.py).
DATA_CONSTANTS = {
    "NOTES_SHEETS",
    "SERIAL_HEADERS",
    "REFERENCE_MARK",
    "TOTAL_RE",
    "FOOTER_RE",
    "SKIP_PARAMS",
    "FULLWIDTH",
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_label_has_the_same_fields_in_both_languages():
    differ = {
        key: (_fields(zh), _fields(en)) for key, (zh, en) in i18n.LABELS.items() if _fields(zh) != _fields(en)
    }
    assert differ == {}


def test_the_check_above_sees_a_missing_field():
    assert _fields("缺少必填列「{column}」") != _fields("required column is missing")


def _strings_outside_docstrings_and_data(tree: ast.Module):
    """(line, text) of every string constant that is not a docstring nor inside an
    assignment to one of DATA_CONSTANTS."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if isinstance(node, ast.Assign) and any(
            isinstance(tg, ast.Name) and tg.id in DATA_CONSTANTS for tg in node.targets
        ):
            skip |= {id(n) for n in ast.walk(node.value)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def chinese_in_code(path: Path) -> list[tuple[str, int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        (path.name, line, text)
        for line, text in _strings_outside_docstrings_and_data(tree)
        if CJK.search(text)
    ]


def test_the_loader_holds_no_chinese_outside_the_label_table_but_the_data_it_matches():
    found = [hit for path in sorted(INGEST.glob("*.py")) for hit in chinese_in_code(path)]
    assert found == []


def test_the_scan_finds_an_inline_message(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('"""文档。"""\nTOTAL_RE = "合计"\nx = f"文件为空 {1}"\n', "utf-8")
    assert [line for _, line, _ in chinese_in_code(path)] == [3]


def test_a_message_renders_its_fields_in_each_language():
    m = Msg(
        "intake.unknown_column",
        table=ByLang("网格", "grids"),
        columns=[ByLang("网格代码", "grid_id"), ByLang("户数", "households")],
    )
    assert m.zh == "未知的列（网格表的列为：网格代码、户数）"
    assert m.en == "unknown column (the columns of grids are: grid_id, households)"
    assert m.both() == f"{m.zh} / {m.en}" and m.text("en") == m.en
    with pytest.raises(KeyError):
        Msg("intake.no_such_label")


def test_a_load_error_reads_as_before_on_the_command_line():
    e = ingest.LoadError(
        "members.csv", "members", 2, "role", "boss", Msg("intake.bad_format", type=ingest.type_name("int"))
    )
    assert str(e) == (
        "members.csv, 表 table members, 第2行 row 2, 列 column role: 值 value「boss」"
        " 格式不正确，应为整数 / not a whole number"
    )
    assert (e.zh, e.en) == ("格式不正确，应为整数", "not a whole number")


def test_account_refusals_come_from_the_label_table():
    assert auth.ROLES["reporter"] == tuple(i18n.LABELS["auth.role.reporter"])
    e = auth.Throttled(61)
    assert e.zh == "登录失败次数过多，请 2 分钟后再试" and e.en.endswith("try again in 2 min")


def test_one_import_summary_for_the_page_and_the_command_line():
    report = {
        "tables": {"grid_weekly": {"rows": 2, "skipped": 3}},
        "skipped": [
            {"file": "网格周报.csv", "table": "grid_weekly", "row": r, "reason": why}
            for r, why in ((1, "title"), (2, "title"), (7, "total"))
        ],
        "ignored_columns": [
            {"file": "网格周报.csv", "table": "grid_weekly", "row": 3, "column": name, "reason": "reference"}
            for name in ("网格名称（参考）", "社区（参考）")
        ],
        "converted": {"date": 2, "fullwidth": 0, "separator": 0, "bool_symbol": 0},
    }
    lines = ingest.summary_lines(report)
    assert lines == [
        "导入摘要 / Import summary:",
        "  读取的记录：2（网格周报） / Rows read: 2 (Grid weekly reports)",
        "  跳过：标题行：2（网格周报.csv，第 1–2 行） / Skipped: title rows: 2 (网格周报.csv, rows 1–2)",
        "  跳过：合计行：1（网格周报.csv，第 7 行） / Skipped: total rows: 1 (网格周报.csv, row 7)",
        (
            "  忽略：参考列「网格名称（参考）」、「社区（参考）」：2（网格周报.csv，第 3 行） / Ignored:"
            " reference columns “网格名称（参考）”, “社区（参考）”: 2 (网格周报.csv, row 3)"
        ),
        "  转换：其他格式的日期：2 / Converted: dates in another form: 2",
    ]
    for lang, half in (("zh", 0), ("en", 1)):  # the page's table: the same items
        table = ingest.summary_table(report, lang)
        assert len(table) == len(lines) - 1
        for line, what in zip(lines[1:], table.iloc[:, 0], strict=False):
            assert line.strip().split(" / ")[half].startswith(what + ("：" if half == 0 else ":"))
    assert ingest.summary_lines({}) == [] and ingest.summary_table(None, "zh").empty
