"""The briefing as a Word document (python -m dashboard report --format docx), opened as a clerk's
office suite would: with python-docx (page, margins, the East Asian font of every run, the 报头,
tables holding the figures `summary --json` gives, pictures), after a clerk's edit, and converted
by LibreOffice to PDF pages (artifacts/report/docx-*.png, for a person to look at). The rules of
二、存在问题 and 三、下步工作, one test each; the monthly and quarterly figures against pandas
over the CSVs of a small county built here, not the metrics code."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from dashboard import contract, i18n, ingest, report
from dashboard.report import sections
from dashboard.report.docx import render_docx
from dashboard.store import Store

from conftest import ARTIFACTS, TINY, write_county

ROOT = Path(__file__).resolve().parent.parent
OUT = ARTIFACTS / "report"
TIMEOUT = 300


def cli(*args, store: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "--store", str(store), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=TIMEOUT,
    )


def blank_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1770, 900), "white").save(buf, "PNG")
    return buf.getvalue()


def all_runs(doc):
    """Every run of the body, the tables and the footers."""
    parts = [doc.element.body] + [
        f._element for s in doc.sections for f in (s.footer, s.even_page_footer, s.header)
    ]
    for part in parts:
        yield from part.iter(qn("w:r"))


def text_of(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def table_with(doc, label: str):
    for table in doc.tables:
        if any(label in c.text for c in table.column_cells(0)):
            return table
    raise AssertionError(f"no table with a row {label!r}")


def row_of(table, label: str) -> list[str]:
    for row in table.rows:
        if row.cells[0].text.strip() == label:
            return [c.text for c in row.cells]
    raise AssertionError(f"no row {label!r}")


# ------------------------------------------------------------------ the demo county's docx
@pytest.fixture(scope="module")
def county_docx(demo_store, tmp_path_factory) -> dict:
    """The CLI's docx of the demo county (charts drawn by kaleido), into a folder: the file is
    named as a clerk keeps it."""
    folder = tmp_path_factory.mktemp("docx")
    out = cli("report", "--format", "docx", "--out", folder, store=demo_store.root)
    assert out.returncode == 0, out.stderr
    path = folder / "孟连县边境党建工作简报-2021年第52期.docx"
    assert out.stdout.strip() == f"written to {path}"
    summary = cli("summary", "--json", store=demo_store.root)
    return {"path": path, "doc": Document(str(path)), "summary": json.loads(summary.stdout)}


@pytest.mark.pdf
def test_a4_with_the_official_margins(county_docx):
    section = county_docx["doc"].sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


@pytest.mark.pdf
def test_every_run_and_style_names_its_east_asian_font(county_docx):
    doc = county_docx["doc"]
    runs = list(all_runs(doc))
    assert len(runs) > 200
    missing = [
        r.findtext(qn("w:t"))
        for r in runs
        if r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}[@{qn('w:eastAsia')}]") is None
    ]
    assert not missing, missing[:5]
    for name in ("Normal", "简报正文", "简报报头", "一级标题", "二级标题", "表格文字", "版记"):
        fonts = doc.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")), name
    faces = {r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}").get(qn("w:eastAsia")) for r in runs}
    assert {"仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"} <= faces


@pytest.mark.pdf
def test_the_font_table_names_a_fallback_a_plain_windows_machine_has(county_docx):
    from docx.oxml import parse_xml

    doc = county_docx["doc"]
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    fonts = {
        f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
        for f in parse_xml(part.blob).iter(qn("w:font"))
        if f.find(qn("w:altName")) is not None
    }
    assert (
        fonts["仿宋_GB2312"] == "仿宋"
        and fonts["方正小标宋简体"] == "宋体"
        and fonts["楷体_GB2312"] == "楷体"
    )


@pytest.mark.pdf
def test_the_masthead_issue_number_issuer_date_and_red_rule(county_docx):
    paras = county_docx["doc"].paragraphs
    head, issue, issuer = paras[0], paras[1], paras[2]
    assert head.text == "孟连县边境党建工作简报" and head.style.name == "简报报头"
    assert str(head.style.font.color.rgb) == "C00000"
    assert issue.text == "2021年第52期"
    assert issuer.text.startswith("中共孟连县委组织部\t") and issuer.text.endswith("日")
    rule = issuer._element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    assert rule is not None and rule.get(qn("w:color")) == "C00000"
    assert paras[3].text == "全县 · 2021年12月27日至2022年1月2日" and paras[3].style.name == "简报标题"


@pytest.mark.pdf
def test_sections_headings_and_the_distribution_lines(county_docx):
    doc = county_docx["doc"]
    level1 = [p.text for p in doc.paragraphs if p.style.name == "一级标题"]
    assert level1 == ["一、本周总体情况", "二、存在问题", "三、下步工作", "附图"]
    level2 = [p.text for p in doc.paragraphs if p.style.name == "二级标题"]
    assert level2[0] == "（一）边境村组党支部建设" and level2[-1] == "（六）各乡镇情况"
    body = [p for p in doc.paragraphs if p.style.name == "简报正文"]
    assert body and all(
        p.style.paragraph_format.first_line_indent == Mm(0) + 2 * 16 * 12700 for p in body[:1]
    )
    assert doc.styles["简报正文"].font.size.pt == 16
    text = text_of(doc)
    for line in ("报：", "送：", "发："):
        assert any(p.text.startswith(line) for p in doc.paragraphs), line
    assert "印发" in doc.paragraphs[-1].text
    assert "数据版本" not in text and "尚未标记例会快照" not in text


@pytest.mark.pdf
def test_the_key_figures_table_holds_the_summary_json_figures(county_docx):
    doc, s = county_docx["doc"], county_docx["summary"]
    table = table_with(doc, "边境村组党支部达标")
    assert [c.text for c in table.rows[0].cells] == ["指标", "本周", "目标", "状态", "较上周"]
    b, g, c = s["branches"], s["grids"], s["checkpoints"]
    assert row_of(table, "边境村组党支部达标")[1].startswith(f"{b['compliant']} / {b['total']}")
    assert row_of(table, "本周入户走访率")[1].startswith(i18n.fmt_rate(g["visit_rate"]))
    assert row_of(table, "卡点24小时值守覆盖率")[1].startswith(i18n.fmt_rate(c["coverage_rate"]))
    # The week's count, with its daily average under it as on the tile.
    checked = row_of(table, "测温扫码人次")[1].splitlines()
    assert checked[0] == i18n.fmt_int(c["persons_checked"]) and checked[1].startswith("日均 ")
    assert row_of(table, "网格有人包保")[2:4] == ["100%", "差 1.0 个百分点"]
    assert row_of(table, "卡点24小时值守覆盖率")[4] == "-0.1个百分点"
    training = table_with(doc, "党校培训")
    assert row_of(training, "合计")[1] == i18n.fmt_int(s["training"]["sessions"])


@pytest.mark.pdf
def test_the_attention_list_is_a_word_table(county_docx, demo_store):
    doc = county_docx["doc"]
    gaps = table_with(doc, "公信乡边境第6卡点")
    assert [c.text for c in gaps.rows[0].cells][-2:] == ["小时数", "缺员人数"]
    row = next(r for r in gaps.rows if "周一 12-27 00:00" in r.cells[2].text)
    assert [c.text for c in row.cells][-2:] == ["8", "3"]


@pytest.mark.pdf
def test_the_ledgers_overdue_items_are_a_table_and_a_next_step(county_docx, demo_store):
    from dashboard import ledger

    doc = county_docx["doc"]
    found = ledger.items(demo_store, as_of=ledger.page_as_of(dt.date(2021, 12, 27)))
    overdue = [i for i in found if i.status == "overdue"]
    assert overdue
    caption = next(p for p in doc.paragraphs if p.text.endswith("逾期未整改事项"))
    assert caption.style.name == "表题"
    table = table_with(doc, "逾期 · 督办") if any(i.escalated for i in overdue) else table_with(doc, "逾期")
    assert all(r.cells[0].text.startswith("逾期") for r in table.rows[1:])
    # Overdue items come first among the open ones; the table is cut where the ledger's list is.
    assert len(table.rows) - 1 == min(len(overdue), report.content.LEDGER_ROWS)
    assert any(f"{len(overdue)}项逾期未整改事项" in p.text for p in doc.paragraphs if p.text[:1].isdigit())


@pytest.mark.pdf
def test_charts_and_the_map_are_pictures_at_print_resolution(county_docx, demo_store):
    from PIL import Image

    doc = county_docx["doc"]
    shapes = doc.inline_shapes
    assert len(shapes) == len(report.collect(demo_store).charts) >= 4
    for shape in shapes:
        assert round(shape.width.mm) == 156
        blob = doc.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed].blob
        width, _ = Image.open(io.BytesIO(blob)).size
        assert width / (156 / 25.4) >= 250, width  # dots per inch on paper
    captions = [p.text for p in doc.paragraphs if p.text.startswith("图")]
    assert captions[0] == "图1　近12周达标率、走访率与卡点值守覆盖率" and len(captions) == len(shapes)


@pytest.mark.pdf
def test_a_clerks_edit_survives_with_its_styles_and_fonts(county_docx, tmp_path):
    doc = Document(str(county_docx["path"]))
    target = next(p for p in doc.paragraphs if p.style.name == "简报正文")
    target.runs[0].text = "县委书记批示：请各乡镇抓好落实。"
    for r in target.runs[1:]:
        r.text = ""
    edited = tmp_path / "edited.docx"
    doc.save(str(edited))
    again = Document(str(edited))
    para = next(p for p in again.paragraphs if p.text == "县委书记批示：请各乡镇抓好落实。")
    assert para.style.name == "简报正文"
    assert para.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert again.styles["简报正文"].font.size.pt == 16
    assert [round(m.mm) for m in (again.sections[0].top_margin, again.sections[0].left_margin)] == [37, 28]
    assert len(again.tables) == len(doc.tables) and len(again.inline_shapes) == len(doc.inline_shapes)


def _soffice() -> str | None:
    found = shutil.which("soffice")
    if not found and not os.environ.get("CI"):
        pytest.skip("LibreOffice (soffice) is not installed: bash scripts/system-packages.sh")
    return found


FONTCONF = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}</fontconfig>"""
# How this machine stands in for the 公文 faces (a clerk's machine has them or their altName).
STAND_INS = {
    "仿宋_GB2312": "Noto Serif CJK SC",
    "方正小标宋简体": "Noto Serif CJK SC",
    "楷体_GB2312": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC",
    "宋体": "Noto Serif CJK SC",
}


@pytest.mark.pdf
@pytest.mark.slow
def test_libreoffice_opens_it_as_an_a4_briefing(county_docx, tmp_path):
    soffice = _soffice()
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        FONTCONF.format(
            aliases="".join(
                f'<alias binding="same"><family>{k}</family><prefer><family>{v}</family></prefer></alias>'
                for k, v in STAND_INS.items()
            )
        ),
        encoding="utf-8",
    )
    env = dict(os.environ, HOME=str(tmp_path), FONTCONFIG_FILE=str(conf))
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(county_docx["path"])],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
        env=env,
    )
    pdf = tmp_path / (county_docx["path"].stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.3" in info and "841.8" in info  # A4 in points
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for phrase in (
        "孟连县边境党建工作简报",
        "2021年第52期",
        "一、本周总体情况",
        "二、存在问题",
        "三、下步工作",
        "122/122",
    ):
        assert phrase in flat, phrase
    assert "—1—" in flat and "—2—" in flat  # page numbers
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("docx-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(OUT / "docx")], check=True)
    assert sorted(OUT.glob("docx-*.png"))


# ------------------------------------------------------------------ the PDF as a 简报
@pytest.mark.pdf
def test_the_pdf_is_named_and_laid_out_as_a_briefing(demo_store, tmp_path):
    out = cli("report", "--out", tmp_path, store=demo_store.root)
    assert out.returncode == 0, out.stderr
    path = tmp_path / "孟连县边境党建工作简报-2021年第52期.pdf"
    assert path.exists()
    # Chromium embeds the CJK faces as Type 3 (no name in pdffonts): the page it printed names them.
    page = report.build_html(demo_store)
    assert 'body { font-family: "Noto Serif CJK SC"' in page
    text = "".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split()
    )
    for phrase in (
        "2021年第52期",
        "中共孟连县委组织部",
        "一、本周总体情况",
        "二、存在问题",
        "三、下步工作",
        "报：",
        "印发",
    ):
        assert phrase in text, phrase
    assert "数据版本" not in text and "尚未标记例会快照" not in text


# ------------------------------------------------------------------ rules, one test each
CRITERIA = list(contract.CRITERIA)


def _grids(rows: list[tuple[str, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "township_id": [t for t, _ in rows],
            "reasons": [r for _, r in rows],
            "visit_target": [0.9] * len(rows),
        }
    )


def _facts(tid, name, *, rate=1.0, noncompliant=(), gaps=(), grids=()) -> sections.TownFacts:
    nc = pd.DataFrame(
        {
            "branch_id": [f"{tid}-{i}" for i in range(len(noncompliant))],
            "never_assessed": [k is None for k in noncompliant],
            "failed_criteria": [[k] if k else [] for k in noncompliant],
        }
    )
    g = pd.DataFrame(
        [
            dict(checkpoint_id=c, gap_start=pd.Timestamp(s), gap_end=pd.Timestamp(e), hours=h)
            for c, s, e, h in gaps
        ],
        columns=["checkpoint_id", "gap_start", "gap_end", "hours"],
    )
    summary = {"checkpoints": {"coverage_rate": rate}}
    return sections.TownFacts(tid, name, summary, nc, g, _grids([(tid, r) for r in grids]))


def test_nothing_found_says_so_and_keeps_to_the_routine():
    towns = [_facts("T1", "娜允镇"), _facts("T2", "公信乡")]
    found = sections.findings(towns, "zh")
    assert found == []
    assert sections.problems(found, "本周", "zh") == [
        "本周未发现未达标的边境村组党支部、卡点值守空档和需关注的网格。"
    ]
    assert sections.next_steps(found, "zh") == ["1．保持现有工作力度，继续按周报送、按周分析。"]


def test_branches_short_of_standard_name_their_townships_most_first():
    towns = [
        _facts("T1", "娜允镇", noncompliant=[CRITERIA[0]]),
        _facts("T2", "公信乡", noncompliant=[CRITERIA[0], CRITERIA[1], None]),
    ]
    found = sections.findings(towns, "zh")
    text = sections.problems(found, "本周", "zh")[0]
    assert text.startswith("本周有4个边境村组党支部未达标：公信乡3个、娜允镇1个；未达标项目为")
    assert "（2个）" in text  # the criterion two branches fail, counted once per branch
    assert sections.next_steps(found, "zh")[0].startswith("1．督促公信乡、娜允镇对未达标的4个")


def test_checkpoint_gaps_rank_townships_by_coverage_and_mention_night_only_when_there_is_one():
    day = [("K1", "2021-12-27 08:00", "2021-12-27 16:00", 8)]
    night = [("K2", "2021-12-27 23:00", "2021-12-28 02:00", 3)]
    towns = [_facts("T1", "娜允镇", rate=0.99, gaps=day), _facts("T2", "公信乡", rate=0.95, gaps=day)]
    found = sections.findings(towns, "zh")
    text = sections.problems(found, "本周", "zh")[0]
    assert text.index("公信乡") < text.index("娜允镇")  # the lower coverage first
    assert "夜间" not in text and "夜间" not in sections.next_steps(found, "zh")[0]
    towns[0] = _facts("T1", "娜允镇", rate=0.99, gaps=night)
    found = sections.findings(towns, "zh")
    assert "其中1个卡点有夜间" in sections.problems(found, "本周", "zh")[0]
    assert "重点保障夜间值守" in sections.next_steps(found, "zh")[0]


@pytest.mark.parametrize(
    "reasons, rule, sentence",
    [
        (["not_reported"], "grids_not_reported", "本周有2个网格未报送网格周报：娜允镇2个。"),
        (["unstaffed"], "grids_unstaffed", "本周有2个网格无党员包保：娜允镇2个。"),
        (["below_target"], "grids_below", "本周有2个网格入户走访率低于目标（90%）：娜允镇2个。"),
    ],
)
def test_each_kind_of_grid_gap_is_its_own_sentence(reasons, rule, sentence):
    found = sections.findings([_facts("T1", "娜允镇", grids=[reasons, reasons])], "zh")
    assert [f.rule for f in found] == [rule]
    assert sections.problems(found, "本周", "zh") == [sentence]


def test_a_grid_that_did_not_report_is_not_also_counted_below_target():
    found = sections.findings([_facts("T1", "娜允镇", grids=[["not_reported", "below_target"]])], "zh")
    assert [f.rule for f in found] == ["grids_not_reported"]


def test_a_township_holding_all_the_countys_grids_does_not_repeat_the_countys_figures(demo_store):
    brief = report.collect(demo_store)
    county = dict(brief.briefs)["全县"]
    nayun = dict(brief.briefs)["娜允镇"]
    assert "网格612个" in county and "网格612个" not in nayun and "35,673户" not in nayun
    assert "全县社区网格均在娜允镇，情况见全县部分。" in nayun
    assert "卡点115个" in nayun  # its own checkpoints, not all of the county's


def test_issue_numbers_and_file_names():
    assert report.week_period(dt.date(2021, 12, 27)).issue == (2021, 52)
    assert report.week_period(dt.date(2021, 1, 4)).issue == (2021, 1)
    assert report.week_period(dt.date(2020, 12, 28)).issue == (2020, 53)  # ISO: the Thursday's year
    assert report.month_period("2021-11").issue == (2021, 11)
    assert report.quarter_period("2021Q4").issue == (2021, 4)
    assert report.quarter_period("2021Q4").end == dt.date(2021, 12, 31)
    assert report.month_period("2021-12").end == dt.date(2021, 12, 31)
    for bad in ("2021-13", "November"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            report.month_period(bad)
    with pytest.raises(ValueError, match="YYYYQn"):
        report.quarter_period("2021Q5")


# ------------------------------------------------------------------ months and quarters
FAILED = list(contract.CRITERIA)[1]  # the criterion the branch fails on 05-25
MAY = ["2021-05-03", "2021-05-10", "2021-05-17", "2021-05-24", "2021-05-31"]


@pytest.fixture(scope="module")
def small_county(tmp_path_factory) -> dict:
    """A county of two townships over May 2021: grids reporting every week with visits that
    change, a branch that passes on 05-20 and fails one criterion on 05-25, and trainings in
    April, May and on 1 June (inside the last week, outside the month)."""
    data = copy.deepcopy(TINY)
    data["grid_weekly"] = [
        dict(data["grid_weekly"][0], week_start=w, grid_id=g, households_visited=v)
        for i, w in enumerate(MAY)
        for g, v in (("G1", 10 + 5 * i), ("G2", 20 + 7 * i))
        if not (g == "G2" and w == "2021-05-17")  # G2 did not report that week
    ]
    data["branch_assessments"] += [
        dict(
            branch_id="B1",
            assessed_on="2021-05-25",
            criterion=k,
            passed="false" if k == FAILED else "true",
            note="",
        )
        for k in contract.CRITERIA
    ]
    data["trainings"] += [
        dict(
            activity_id="A2",
            held_on="2021-05-28",
            township_id="T2",
            kind="outreach",
            title="宣讲",
            sessions=2,
            attendees=60,
        ),
        dict(
            activity_id="A3",
            held_on="2021-04-20",
            township_id="T1",
            kind="outreach",
            title="宣讲",
            sessions=1,
            attendees=30,
        ),
        dict(
            activity_id="A4",
            held_on="2021-06-01",
            township_id="T1",
            kind="party_lecture",
            title="党课",
            sessions=1,
            attendees=25,
        ),
    ]
    base = tmp_path_factory.mktemp("small_county")
    folder = write_county(base / "csv", data)
    store = Store(base / "store")
    result = ingest.load([folder], store, by="tests")
    assert result.ok, result.errors
    return {"store": store, "csv": folder}


def expected(folder: Path, start: str, end: str) -> dict:
    """The period's figures by pandas over the county's CSVs, by docs/data-contract.md."""
    grids = pd.read_csv(folder / "grids.csv")
    weekly = pd.read_csv(folder / "grid_weekly.csv", parse_dates=["week_start"])
    trainings = pd.read_csv(folder / "trainings.csv", parse_dates=["held_on"])
    assessments = pd.read_csv(folder / "branch_assessments.csv")
    assessments["assessed_on"] = pd.to_datetime(assessments["assessed_on"].str.replace("/", "-"))
    weeks = sorted(w for w in weekly["week_start"].unique() if pd.Timestamp(start) <= w <= pd.Timestamp(end))
    households = grids["households"].sum()

    def visit_rate(week):
        return weekly.loc[weekly["week_start"] == week, "households_visited"].sum() / households

    def compliant(week):
        seen = assessments[assessments["assessed_on"] <= week + pd.Timedelta(days=6)]
        if seen.empty:
            return 0.0
        latest = seen[seen["assessed_on"] == seen["assessed_on"].max()]
        return float(len(latest) == 8 and latest["passed"].astype(str).str.lower().eq("true").all())

    held = trainings[(trainings["held_on"] >= start) & (trainings["held_on"] <= end)]
    return {
        "first": weeks[0].date(),
        "last": weeks[-1].date(),
        "visit_end": visit_rate(weeks[-1]),
        "visit_change": visit_rate(weeks[-1]) - visit_rate(weeks[0]),
        "sessions": int(held["sessions"].sum()),
        "attendees": int(held["attendees"].sum()),
        "by_kind": held.groupby("kind")["sessions"].sum().to_dict(),
        "compliance": [compliant(w) for w in weeks],
    }


@pytest.mark.parametrize(
    "kind, arg, start, end",
    [("month", "2021-05", "2021-05-01", "2021-05-31"), ("quarter", "2021Q2", "2021-04-01", "2021-06-30")],
)
def test_period_figures_equal_an_independent_computation(small_county, kind, arg, start, end):
    period = report.month_period(arg) if kind == "month" else report.quarter_period(arg)
    brief = report.collect(small_county["store"], period=period)
    want = expected(small_county["csv"], start, end)
    assert (brief.first_week, brief.week) == (want["first"], want["last"])
    assert brief.title == ("孟连县边境党建工作月报" if kind == "month" else "孟连县边境党建工作季度报告")
    visit = next(k for k in brief.kpis if k.label == "本周入户走访率")
    assert visit.value == i18n.fmt_rate(want["visit_end"])
    assert visit.change == f"{round(want['visit_change'] * 100, 1):+.1f}个百分点"
    total = brief.period_training[-1]
    assert total[1:] == [i18n.fmt_int(want["sessions"]), i18n.fmt_int(want["attendees"])]
    by_kind = {i18n.enum_label(contract.TRAINING_KINDS, k): n for k, n in want["by_kind"].items()}
    for row in brief.period_training[:-1]:
        assert row[1] == i18n.fmt_int(by_kind.get(row[0], 0)), row
    text = "".join(b.text for _, blocks in brief.sections for b in blocks)
    rates = want["compliance"]
    low = min(rates)
    full = sum(r == 1 for r in rates)
    said = f"有数据的{len(rates)}周中，{full}周边境村组党支部全部达标，达标率最低为{i18n.fmt_rate(low)}"
    assert said in text
    assert "期末仍有1个未达标" in text  # failed a criterion on 05-25
    doc = Document(io.BytesIO(render_docx(brief, pictures=[blank_png()] * len(brief.charts))))
    table = table_with(doc, "合计")
    assert row_of(table, "合计")[1:] == total[1:]
    assert [c.text for c in table_with(doc, "本周入户走访率").rows[0].cells][1] == (
        "月末" if kind == "month" else "季末"
    )


def test_a_period_without_data_is_refused(small_county, tmp_path):
    out = cli("report", "--month", "2021-08", "--out", tmp_path / "x.pdf", store=small_county["store"].root)
    assert out.returncode == 2 and "no week with data" in out.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_a_period_without_trainings_says_there_is_no_record(small_county):
    brief = report.collect(small_county["store"], period=report.quarter_period("2021Q2"))
    assert brief.period_training
    rows = report.content.period_training(
        pd.DataFrame(columns=["held_on", "kind", "sessions", "attendees"]),
        report.month_period("2021-05"),
        "zh",
    )
    assert rows[1] == "本月没有培训宣讲活动记录。"
