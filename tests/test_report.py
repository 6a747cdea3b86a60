"""The weekly briefing PDF (`python -m dashboard report`), read back as a person would: the text
of every page (pdftotext -layout) holds the week, every key figure exactly as `summary --json`
gives it, the lists that need attention, the briefing notes in real Chinese (or English), and
the change since the last pinned meeting with its sign. Page images go to artifacts/report/
for a person to look at."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import cli as dashboard_cli
from dashboard import contract, i18n, ingest, metrics, report
from dashboard.store import Store

from conftest import ARTIFACTS, TINY, write_county

ROOT = Path(__file__).resolve().parent.parent
OUT = ARTIFACTS / "report"
CJK = re.compile(r"[\u3400-\u9fff]")
WEEK, PREVIOUS = "2021-12-27", "2021-12-20"
PDF_TIMEOUT = 300  # seconds for one CLI run, on a busy machine


def cli(*args, store: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", "--store", str(store), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=PDF_TIMEOUT,
        env=env,
    )


def summary_json(store: Path, *args) -> dict:
    out = cli("summary", "--json", *args, store=store)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def flat(text: str) -> str:
    """Text without any white space: Chinese wraps anywhere, and -layout pads columns."""
    return re.sub(r"\s+", "", text)


def words(text: str) -> str:
    """Text with every run of white space as one space (English wraps between words)."""
    return re.sub(r"\s+", " ", text)


def line_with(text: str, label: str) -> str:
    """The first line of -layout text holding `label` as a table cell (followed by a column's
    gap), else the first holding it at all: a table row sits on one line, and the same words
    may come earlier in a sentence of the text."""
    lines = text.splitlines()
    for line in lines:
        if re.search(re.escape(label) + r"\s{2,}\S", line):
            return line
    for line in lines:
        if label in line:
            return line
    raise AssertionError(f"no line with {label!r}")


def header_of(text: str) -> str:
    """The key figures' header row (指标 本周 … / Figure This week …)."""
    return next(line for line in text.splitlines() if line.split()[:1] in (["指标"], ["Figure"]))


def note_of(text: str, name: str, lang: str = "zh") -> str:
    """One briefing note (paragraph), from its place name to the next note or section."""
    if lang == "zh":
        body = flat(text)
        start = body.index(f"{name}：")
        ends = [body.find(m, start + 1) for m in ("二、存在问题", *NOTE_STARTS_ZH)]
    else:
        body = words(text)
        start = body.index(f"{name}: ")
        ends = [body.find(m, start + 1) for m in ("2. Problems", *NOTE_STARTS_EN)]
    return body[start : min(e for e in ends if e > start)]


NOTE_STARTS_ZH = [f"{n}：" for n in ("全县", "娜允镇", "勐马镇", "芒信镇", "富岩镇", "景信乡", "公信乡")]
NOTE_STARTS_EN = [
    f"{n}: " for n in ("Whole county", "Nayun", "Mengma", "Mangxin", "Fuyan", "Jingxin", "Gongxin")
]


def render_pages(pdf: Path, name: str) -> list[Path]:
    """Page images for a person to look at: artifacts/report/<name>-<page>.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(OUT / name)], check=True)
    return sorted(OUT.glob(f"{name}-*.png"))


# ------------------------------------------------------------------ briefings of the demo county
VIEWS = {  # name -> extra CLI arguments
    "county-zh": [],
    "county-en": ["--lang", "en"],
    "gongxin-zh": ["--township", "T06"],
    "september-zh": ["--week", "2021-09-06"],
}


@pytest.fixture(scope="module")
def briefings(demo_store, tmp_path_factory) -> dict:
    """The CLI's PDFs of VIEWS, printed side by side: name -> {"path", "text", "stdout"}."""
    base = tmp_path_factory.mktemp("briefings")
    procs = {}
    for name, args in VIEWS.items():
        path = base / f"{name}.pdf"
        procs[name] = (
            path,
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "dashboard",
                    "--store",
                    str(demo_store.root),
                    "report",
                    *args,
                    "--out",
                    str(path),
                ],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    out = {}
    for name, (path, proc) in procs.items():
        stdout, stderr = proc.communicate(timeout=PDF_TIMEOUT)
        assert proc.returncode == 0, f"{name}: {stderr}"
        render_pages(path, name)
        out[name] = {"path": path, "text": pdf_text(path), "stdout": stdout}
    return out


@pytest.fixture(scope="module")
def figures(demo_store) -> dict:
    """summary --json of the views the tests read, this week and the week before."""
    root = demo_store.root
    return {
        "county": summary_json(root),
        "county_before": summary_json(root, "--week", PREVIOUS),
        "T06": summary_json(root, "--township", "T06"),
        "T06_before": summary_json(root, "--township", "T06", "--week", PREVIOUS),
    }


@pytest.mark.pdf
def test_the_cli_prints_an_a4_briefing(briefings):
    b = briefings["county-zh"]
    assert b["stdout"].strip() == f"written to {b['path']}"
    assert b["path"].read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(b["path"])], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info), info
    # 三号 body on 公文 margins: longer than the old data report, still a briefing's length
    assert 3 <= int(re.search(r"Pages:\s+(\d+)", info).group(1)) <= 12


@pytest.mark.pdf
@pytest.mark.parametrize("name", list(VIEWS))
def test_every_font_is_embedded(briefings, name):
    out = subprocess.run(
        ["pdffonts", str(briefings[name]["path"])], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert out, "no fonts at all: the text would be pictures or missing"
    # Columns: name, type (may hold spaces), encoding, emb, sub, uni, object, generation.
    assert all(line.split()[-5] == "yes" for line in out), "\n".join(out)


@pytest.mark.pdf
def test_title_scope_week_and_data_version(briefings, demo_store):
    text = flat(briefings["county-zh"]["text"])
    assert "孟连县边境党建工作简报" in text and "2021年第52期" in text
    assert "全县·2021年12月27日至2022年1月2日" in text
    # The data version is not a line of the body (a reader has no use for it): the page keeps it.
    assert "数据版本" not in text
    assert '<meta name="data-version" content="数据版本 1（' in report.build_html(demo_store)


@pytest.mark.pdf
def test_every_key_figure_is_the_summary_json_figure(briefings, figures):
    text, s = briefings["county-zh"]["text"], figures["county"]
    b, g, m, c, tr = s["branches"], s["grids"], s["members"], s["checkpoints"], s["training"]
    rows = {
        "边境村组党支部达标": f"{i18n.fmt_int(b['compliant'])} / {i18n.fmt_int(b['total'])}",
        "“4+N”挂联覆盖率": i18n.fmt_rate(b["link_coverage_rate"]),
        "示范党组织": i18n.fmt_int(b["model"]),
        "下沉党员报到": i18n.fmt_int(m["reported"]),
        "网格有人包保": i18n.fmt_rate(g["staffed_rate"]),
        "本周入户走访率": i18n.fmt_rate(g["visit_rate"]),
        "网格周报报送率": i18n.fmt_rate(g["reporting_rate"]),
        "卡点24小时值守覆盖率": i18n.fmt_rate(c["coverage_rate"]),
        "党员干部工时占比": i18n.fmt_rate(c["party_share"]),
        "测温扫码人次": i18n.fmt_int(c["persons_checked"]),
        "培训宣讲期（场）次（年度累计）": i18n.fmt_int(tr["sessions"]),
        "培训宣讲参加人次（年度累计）": i18n.fmt_int(tr["attendees"]),
        "参训党员（人，不重复计）": i18n.fmt_int(tr["distinct_members"]),
    }
    for label, value in rows.items():
        assert value in line_with(text, label), (label, value)
    assert rows["边境村组党支部达标"] == "122 / 122" and rows["下沉党员报到"] == "1,259"
    body = flat(text)
    for detail in (
        f"已入格{i18n.fmt_int(m['assigned'])}人，挂联{i18n.fmt_int(m['households_linked'])}户",
        f"走访{i18n.fmt_int(g['households_visited'])}/{i18n.fmt_int(g['households'])}户",
        f"{i18n.fmt_int(c['staffed_slots'])}/{i18n.fmt_int(c['slots'])}个时段",
    ):
        assert detail in body
    for code in contract.TRAINING_KINDS:  # the training table, kind by kind
        row = line_with(text, i18n.enum_label(contract.TRAINING_KINDS, code))
        assert i18n.fmt_int(tr[code]["sessions"]) in row and i18n.fmt_int(tr[code]["attendees"]) in row
    for code, value in s["indicators"].items():  # （五）强边固防: each figure in its sentence
        assert flat(i18n.t(f"brief.ind.{code}", n=i18n.fmt_num(value))) in body


@pytest.mark.pdf
def test_targets_and_status_beside_the_figures(briefings):
    text = briefings["county-zh"]["text"]
    assert re.search(r"122 / 122\s+100%\s+达标\s", line_with(text, "边境村组党支部达标"))
    assert re.search(r"94\.0%\s+90%\s+达标\s", line_with(text, "本周入户走访率"))
    # Short of target: how far, in points (never a "-1.0%" that would read as a fall)
    assert re.search(r"99\.0%\s+100%\s+差 1\.0 个百分点\s", line_with(text, "网格有人包保"))
    assert re.search(r"24\s+24\s+2,880\s+2,880\s+已完成", line_with(text, "党校培训"))


@pytest.mark.pdf
def test_without_a_pin_the_change_is_against_the_week_before(briefings, figures):
    text, now, before = briefings["county-zh"]["text"], figures["county"], figures["county_before"]
    assert "较上周" in header_of(text)  # the column header
    assert "“变化”为较上周（2021年12月20日）。" in flat(text) and "尚未标记例会快照" not in flat(text)
    coverage = now["checkpoints"]["coverage_rate"] - before["checkpoints"]["coverage_rate"]
    checked = now["checkpoints"]["persons_checked"] - before["checkpoints"]["persons_checked"]
    assert f"{round(coverage * 100, 1):+.1f}个百分点" in line_with(text, "卡点24小时值守覆盖率")
    assert f"{checked:+,}" in line_with(text, "测温扫码人次")
    assert (round(coverage * 100, 1), checked) == (-0.1, -2577)  # the demo week, by hand


@pytest.mark.pdf
def test_checkpoint_gaps_are_listed_with_from_to_and_shortfall(briefings, demo_store):
    text = briefings["county-zh"]["text"]
    assert "5处卡点值守空档（共40小时）" in flat(text)
    row = line_with(text, "周一 12-27 00:00")
    assert "公信乡边境第6卡点" in row and "周一 12-27 08:00" in row
    assert row.split()[-2:] == ["8", "3"]  # 8 hours, nobody of the 3 required
    con = demo_store.connect()
    try:
        gaps = metrics.checkpoint_gaps(con)
    finally:
        con.close()
    lines = text.splitlines()
    for g in gaps.itertuples():  # every gap on a row of its own
        start, end = (
            f"{i18n.t(f'cp.weekday.{ts.weekday()}')} {ts:%m-%d %H:%M}" for ts in (g.gap_start, g.gap_end)
        )
        assert any(g.name in line and start in line and end in line for line in lines), g


@pytest.mark.pdf
def test_long_lists_are_cut_with_the_number_left_out(briefings, demo_store):
    con = demo_store.connect()
    try:
        grids = metrics.grids_needing_attention(con)
    finally:
        con.close()
    text = flat(briefings["county-zh"]["text"])
    assert f"{len(grids)}个网格需关注" in text
    assert len(grids) > report.LIST_CAP
    assert f"…及其他{len(grids) - report.LIST_CAP}项" in text
    not_reported = grids[grids["reason"] == "not_reported"]
    assert flat(not_reported.iloc[0]["name"]) + "本周未报送" in text  # most serious first


@pytest.mark.pdf
def test_noncompliant_branches_show_their_failed_criteria_in_chinese(briefings, demo_store):
    con = demo_store.connect()
    try:
        branches = metrics.noncompliant_branches(con, metrics.Scope(dt.date(2021, 9, 6)))
    finally:
        con.close()
    text = briefings["september-zh"]["text"]
    assert f"{len(branches)}个党支部未达标" in flat(text)
    shown = 0
    for r in branches.itertuples():
        failed = "、".join(contract.CRITERIA[k][0] for k in r.failed_criteria)
        try:
            row = line_with(text, r.name)
        except AssertionError:
            continue  # beyond the cap
        assert failed in row and "2021年8月20日" in row, row
        shown += 1
    assert shown == min(len(branches), report.LIST_CAP)
    assert "芒冒村芒冒四组党支部" in text and "班子建设、活动阵地、制度落实" in text
    assert f"…及其他{len(branches) - report.LIST_CAP}项" in flat(text)


@pytest.mark.pdf
def test_chinese_version_is_chinese_text_not_boxes(briefings):
    text = briefings["county-zh"]["text"]
    for phrase in (
        "主要指标",
        "培训宣讲（年度累计，对照年度目标）",
        "（五）强边固防",
        "工作简报",
        "一、本周总体情况",
        "二、存在问题",
        "三、下步工作",
        "近12周达标率、走访率与卡点值守覆盖率",
        "各乡镇达标情况",
        "有值守空档的卡点（逐小时）",
        "值守到位",
        "人员不足",
        "无人值守",
        "娜允镇",
        "公信乡",
    ):
        assert flat(phrase) in flat(text), phrase
    assert "\ufffd" not in text and "□" not in text
    latin = set(re.findall(r"[A-Za-z]{2,}", text))
    assert not latin, f"English in the Chinese briefing: {sorted(latin)}"


@pytest.mark.pdf
def test_gongxin_note_is_written_from_its_figures(briefings, figures, demo_store):
    now, before = figures["T06"], figures["T06_before"]
    pts = round((now["checkpoints"]["coverage_rate"] - before["checkpoints"]["coverage_rate"]) * 100, 1)
    assert pts == -1.8
    note = note_of(briefings["county-zh"]["text"], "公信乡")
    rate = i18n.fmt_rate(now["checkpoints"]["coverage_rate"])
    assert f"卡点8个，本周卡点24小时值守覆盖率{rate}，较上周下降{abs(pts)}个百分点" in note
    assert rate == "98.2%"
    assert (
        "仍有2个卡点存在值守空档（3处，共24小时），其中2个卡点存在夜间（22时至次日6时）值守空档，"
        "1个卡点出现无人值守时段" in note
    )
    assert "边境村组党支部24个，全部达标（达标率100.0%）" in note
    assert f"火塘夜校{now['training']['fireside_school']['sessions']}期" in note
    assert "火塘夜校已完成年度目标" in note
    assert "网格" not in note  # Gongxin has no community grids
    assert "强边固防先锋队员88名" in note


@pytest.mark.pdf
def test_a_township_without_grids_checkpoints_or_branches_says_nothing_of_them(briefings):
    text = briefings["county-zh"]["text"]
    mengma = note_of(text, "勐马镇")
    assert "边境村组党支部32个" in mengma and "网格" not in mengma and "卡点" not in mengma
    jingxin = note_of(text, "景信乡")  # not a border township
    assert "本年度累计开展培训宣讲" in jingxin
    assert "党支部" not in jingxin and "网格" not in jingxin and "卡点" not in jingxin


@pytest.mark.pdf
def test_a_township_briefing_keeps_to_its_township(briefings, figures):
    text = briefings["gongxin-zh"]["text"]
    body = flat(text)
    assert "公信乡·2021年12月27日至2022年1月2日" in body
    assert "98.2%" in line_with(text, "卡点24小时值守覆盖率")
    assert "-1.8个百分点" in line_with(text, "卡点24小时值守覆盖率")
    assert "本范围没有社区网格，网格与下沉党员指标从略。" in body
    assert "网格有人包保" not in body and "下沉党员报到" not in body
    assert "娜允镇" not in body and "民族苑小区卡点" not in body  # other townships' lists
    assert "3处卡点值守空档（共24小时）" in body


@pytest.mark.pdf
def test_english_briefing_is_english(briefings, demo_store, figures):
    text = briefings["county-en"]["text"]
    body = words(text)
    for phrase in (
        "Menglian Border Party-Building Briefing",
        "Whole county · 27 Dec 2021 to 02 Jan 2022",
        "Key figures",
        "1. The week at a glance",
        "2. Problems",
        "3. Next steps",
        "Figures",
        "Staffed",
        "Short-staffed",
        "Nobody on duty",
    ):
        assert phrase in body, phrase
    assert "122 / 122" in line_with(text, "Border branches up to standard")
    assert "-0.1 pts" in line_with(text, "Checkpoint 24 h coverage")
    gongxin = note_of(text, "Gongxin", "en")
    assert "24 h coverage was 98.2% this week, down 1.8 pts on the week before" in gongxin
    # Chinese may appear only inside names that came with the data.
    con = demo_store.connect()
    try:
        names = set(metrics.checkpoint_status(con)["name"])
        names |= set(metrics.grids_needing_attention(con)["name"])
    finally:
        con.close()
    rest = body
    for name in sorted(names, key=len, reverse=True):
        rest = rest.replace(name, "")
    assert not CJK.findall(rest), sorted(set(CJK.findall(rest)))


# ------------------------------------------------------------------ since the last meeting
LOWERED_GRIDS = 40  # grids whose week-12-27 visits the later load wipes
EMPTIED_SHIFT = ("CP116", "2021-12-27 08:00")  # a Gongxin checkpoint, fully staffed


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def _write(folder: Path, table: str, header: list[str], rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header)
        w.writeheader()
        w.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def meeting(demo_store, tmp_path_factory) -> dict:
    """The demo store copied; version 1 pinned as a meeting; version 2 wipes the visits of
    LOWERED_GRIDS grids and empties one Gongxin shift of the last week (briefing "down");
    then version 2 is pinned and version 3 puts the rows back (briefing "up")."""
    base = tmp_path_factory.mktemp("meeting")
    shutil.copytree(demo_store.root, base / "store")
    store = Store(base / "store")
    source = demo_store.root.parent / "csv"

    header, weekly = _rows(source / "grid_weekly.csv")
    original = [r for r in weekly if r["week_start"] == WEEK][:LOWERED_GRIDS]
    lowered = [
        dict(
            r,
            households_visited=0,
            residents_checked=0,
            travel_registered=0,
            vaccinated=0,
            issues_found=0,
            issues_resolved=0,
        )
        for r in original
    ]
    shift_header, shifts = _rows(source / "checkpoint_shifts.csv")
    shift = [r for r in shifts if (r["checkpoint_id"], r["shift_start"]) == EMPTIED_SHIFT]
    assert len(shift) == 1 and shift[0]["shift_end"] == "2021-12-27 16:00"
    overlapping = [
        r
        for r in shifts
        if r["checkpoint_id"] == EMPTIED_SHIFT[0]
        and r["shift_start"] < shift[0]["shift_end"]
        and r["shift_end"] > shift[0]["shift_start"]
    ]
    assert overlapping == shift  # its 8 hours have nobody else on duty
    emptied = [dict(shift[0], staff_party=0, staff_unit=0, staff_volunteer=0)]

    store.pin(1, "12月20日例会")
    down = _write(base / "down", "grid_weekly", header, lowered)
    _write(down, "checkpoint_shifts", shift_header, emptied)
    assert ingest.load([down], store, by="tests").version == 2
    pdf_down = base / "down.pdf"
    out = cli("report", "--out", pdf_down, store=store.root)
    assert out.returncode == 0, out.stderr

    store.pin(2, "12月27日例会")
    up = _write(base / "up", "grid_weekly", header, original)
    _write(up, "checkpoint_shifts", shift_header, shift)
    assert ingest.load([up], store, by="tests").version == 3
    pdf_up = base / "up.pdf"
    out = cli("report", "--out", pdf_up, store=store.root)
    assert out.returncode == 0, out.stderr
    render_pages(pdf_down, "meeting-down-zh")
    render_pages(pdf_up, "meeting-up-zh")
    return {
        "down": pdf_text(pdf_down),
        "up": pdf_text(pdf_up),
        "visited": sum(int(r["households_visited"]) for r in original),
    }


@pytest.mark.pdf
def test_since_the_last_meeting_a_fall_shows_with_its_sign(meeting, figures):
    households = figures["county"]["grids"]["households"]
    pts = round(meeting["visited"] / households * 100, 1)  # by hand: visits wiped
    assert pts > 0
    text = meeting["down"]
    assert "较上次例会" in header_of(text)
    assert "“较上次例会”的对比基准：版本1「12月20日例会」，数据周2021年12月27日。" in flat(text)
    assert f"-{pts:.1f}个百分点" in line_with(text, "本周入户走访率")
    # Every community grid is in Nayun: the county's paragraph says it, Nayun's points to it.
    assert f"较上次例会下降{pts:.1f}个百分点" in flat(text)
    assert "全县社区网格均在娜允镇" in note_of(text, "娜允镇")
    # One 8-hour shift of Gongxin's 8 checkpoints (8 x 168 hour slots) left empty.
    gongxin = note_of(text, "公信乡")
    assert f"较上次例会下降{round(8 / (8 * 168) * 100, 1)}个百分点" in gongxin
    assert "本周卡点24小时值守覆盖率97.6%" in gongxin


@pytest.mark.pdf
def test_since_the_last_meeting_a_rise_shows_with_its_sign(meeting, figures):
    households = figures["county"]["grids"]["households"]
    pts = round(meeting["visited"] / households * 100, 1)
    text = meeting["up"]
    assert "版本2「12月27日例会」" in flat(text)
    assert f"+{pts:.1f}个百分点" in line_with(text, "本周入户走访率")
    # Every community grid is in Nayun: the county's paragraph says it, Nayun's points to it.
    assert f"较上次例会提高{pts:.1f}个百分点" in flat(text)
    assert "全县社区网格均在娜允镇" in note_of(text, "娜允镇")
    assert "较上次例会提高0.6个百分点" in note_of(text, "公信乡")


# ------------------------------------------------------------------ without printing
def test_names_from_uploaded_files_are_escaped(tmp_path):
    data = copy.deepcopy(TINY)
    data["townships"][0]["name"] = "<b>娜允镇</b>"
    data["checkpoints"][0]["name"] = "</script><img src=x onerror=alert(1)>"
    store = Store(tmp_path / "store")
    assert ingest.load([write_county(tmp_path / "csv", data)], store, by="tests").ok
    page = report.build_html(store, dt.date(2021, 5, 3))
    assert "&lt;b&gt;娜允镇&lt;/b&gt;" in page and "<b>娜允镇</b>" not in page
    assert "<img src=x" not in page and "</script><img" not in page
    assert page.count("</script>") == page.count("<script")  # no script closed early


def test_an_empty_store_says_there_is_nothing_to_report(tmp_path):
    page = report.build_html(Store(tmp_path / "empty"))
    assert i18n.t("report.empty") in page


def test_a_missing_chromium_is_a_clear_error(demo_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_CHROMIUM", str(tmp_path / "no-chromium"))
    code = dashboard_cli.main(["--store", str(demo_store.root), "report", "--out", str(tmp_path / "x.pdf")])
    err = capsys.readouterr().err
    assert code == 1
    assert "DASHBOARD_CHROMIUM" in err and "未找到 Chromium" in err
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--week", "2021-12-28"], "Monday"),
        (["--township", "T99"], "no township 'T99'"),
    ],
)
def test_a_bad_week_or_township_is_refused(demo_store, tmp_path, capsys, args, message):
    code = dashboard_cli.main(
        ["--store", str(demo_store.root), "report", *args, "--out", str(tmp_path / "x.pdf")]
    )
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
