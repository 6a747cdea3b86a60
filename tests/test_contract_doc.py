"""docs/data-contract.md is what the code says: tables, columns, rules, geometry layers and every
figure's definition, from dashboard/contract.py and dashboard/metric_definitions.py; the
template's 说明 sheet says the same from the same functions."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from dashboard import cli, contract, contract_doc, metric_definitions, template

DOC = Path(__file__).resolve().parent.parent / "docs" / "data-contract.md"


@pytest.fixture(scope="module")
def markdown() -> str:
    return contract_doc.markdown()


@pytest.fixture(scope="module")
def notes() -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(template.xlsx_bytes()))
    return [[c for c in row] for row in wb["说明"].iter_rows(values_only=True)]


def test_committed_doc_is_what_the_code_says(markdown):
    assert DOC.read_text("utf-8") == markdown, (
        "docs/data-contract.md and the code disagree; regenerate it with\n    " + contract_doc.REGENERATE
    )


def test_cli_prints_the_doc(markdown, capsys):
    assert cli.main(["contract", "--markdown"]) == 0
    assert capsys.readouterr().out == markdown
    assert cli.main(["contract"]) == 0
    assert "grid_weekly\t网格周报\t" in capsys.readouterr().out


def _section(markdown: str, heading: str) -> str:
    start = markdown.index(heading)
    end = markdown.find("\n## ", start + 1)
    return markdown[start:] if end < 0 else markdown[start:end]


def _table_section(markdown: str, table: contract.Table) -> str:
    start = markdown.index(f"### {table.name} {table.zh}")
    return markdown[start : markdown.index("\n### ", start + 1)]


@pytest.mark.parametrize("name", list(contract.TABLES))
def test_every_column_is_documented_with_label_type_and_rule(markdown, name):
    t = contract.TABLES[name]
    section = _table_section(markdown, t)
    for c in t.columns:
        line = next(ln for ln in section.splitlines() if ln.startswith(f"| `{c.name}` |"))
        assert f"| {c.zh} | {contract.TYPE_LABELS[c.type][1]} |" in line
        assert ("optional" in line) == (not c.required)
        for code, (zh, en) in (c.enum or {}).items():
            assert f"`{code}` {zh} ({en})" in line
        if c.fk:
            assert f"must exist in {c.fk}" in line
        if c.note:
            assert c.note in line
    assert "Key: " + ", ".join(f"`{k}`" for k in t.key) in section


def test_every_cross_row_rule_has_words():
    for t in contract.TABLES.values():
        for rule in t.rules:
            assert rule in contract.RULE_TEXT, f"{t.name}: rule {rule!r} has no text in RULE_TEXT"


def test_every_geometry_layer_is_documented(markdown):
    section = _section(markdown, "## 3. Geometry layers")
    for layer, spec in contract.GEO_LAYERS.items():
        assert f"| {layer} | `{spec[0]}.geojson` |" in section


def test_every_figure_has_one_definition():
    defined = [f.code for f in metric_definitions.expand()]
    assert len(defined) == len(set(defined))
    assert set(defined) == set(contract.METRIC_CODES)
    rates = {f.code for f in metric_definitions.expand() if f.unit == "rate"}
    assert rates == set(contract.RATE_METRICS)
    for f in metric_definitions.FIGURES:
        assert f.unit in metric_definitions.UNITS
        assert f.zh and f.en and f.definition and f.definition_zh, f.code


def test_every_figure_is_in_the_doc(markdown):
    section = _section(markdown, "## 5. Figures")
    for f in metric_definitions.FIGURES:
        assert f"| `{f.code}` | {f.zh} | {f.en} |" in section
        assert f.definition in section
    for kind in contract.TRAINING_KINDS:
        assert f"`{kind}`" in section


def test_template_notes_say_what_the_doc_says(notes):
    flat = [str(v) for row in notes for v in row if v]
    by_column = {(row[0], row[2]): row for row in notes if row[2]}
    for t in contract.TABLES.values():
        for c in t.columns:
            row = by_column[(t.zh, c.name)]
            assert row[5] == (contract.column_rule(c, "zh") or None), (t.name, c.name)
    for heading, rules in contract_doc.loading_rules("zh"):
        assert heading in flat
        for rule in rules:
            assert any(v.endswith(rule) for v in flat), rule
    figures = {row[0]: row for row in notes if row[0] in contract.METRIC_CODES}
    assert set(figures) == set(contract.METRIC_CODES)  # every code a target may name
    for f in metric_definitions.expand():
        assert figures[f.code][1] == f.zh and figures[f.code][5] == f.definition_zh
