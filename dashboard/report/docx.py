"""The briefing as an editable Word document (.docx) in 公文 layout after GB/T 9704-2012, from the
same content as the PDF (content.collect -> Briefing): A4, margins top 37 mm, bottom 35 mm, left
28 mm, right 26 mm; the red 报头 (name, 第N期, issuing body and date, a red rule); the title in
小标宋; 一、 headings in 黑体, （一） in 楷体; the body in 仿宋 三号 (16 pt) with a first-line indent
of two characters, 28 pt lines (22 to the page); page numbers "— N —" outside (odd right, even
left); the 版记 (报/送/发) at the end. Tables are Word tables; charts and the map are PNG pictures
at print resolution (kaleido with the system's Chromium, one browser for the whole document).

Fonts travel with the reader's machine, not the file: every style and run names its East Asian
font (`w:eastAsia`, which python-docx does not set by itself), and the font table gives each the
face a plain Windows or WPS machine has (`w:altName`: 仿宋, 宋体, 黑体, 楷体).
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import plotly
import plotly.graph_objects as go
from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .. import i18n
from .content import CHART_WIDTH, Briefing
from .pdf import CHROMIUM_TIMEOUT, ReportError, chromium_path
from .render import CHART_FONTS, distribution, kpi_table, period_line, period_training_table, training_table

PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH = Mm(210 - 28 - 26)
RED = RGBColor(0xC0, 0x00, 0x00)
LINE = Pt(28.9)  # 225 mm of text height / 22 lines
LATIN = "Times New Roman"

# The faces of a 公文 and what a machine without them falls back to (the font table's altName).
FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
FALLBACKS = {FANGSONG: "仿宋", XIAOBIAOSONG: "宋体", HEITI: "SimHei", KAITI: "楷体", SONGTI: "SimSun"}

# Paragraph styles: name -> (East Asian font, size pt, bold, first-line indent, alignment, colour)
CENTER, LEFT, JUSTIFY, RIGHT = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
    WD_ALIGN_PARAGRAPH.RIGHT,
)
STYLES = {
    "简报正文": (FANGSONG, 16, False, True, JUSTIFY, None),
    "简报报头": (XIAOBIAOSONG, 32, False, False, CENTER, RED),
    "简报期号": (FANGSONG, 16, False, False, CENTER, None),
    "简报发文": (FANGSONG, 16, False, False, LEFT, None),
    "简报标题": (XIAOBIAOSONG, 22, False, False, CENTER, None),
    "一级标题": (HEITI, 16, False, True, LEFT, None),
    "二级标题": (KAITI, 16, False, True, LEFT, None),
    "表题": (HEITI, 12, False, False, CENTER, None),
    "表格文字": (FANGSONG, 10.5, False, False, LEFT, None),
    "表注": (FANGSONG, 12, False, True, LEFT, None),
    "图": (FANGSONG, 10.5, False, False, CENTER, None),
    "版记": (FANGSONG, 14, False, False, LEFT, None),
    "页码": (SONGTI, 14, False, False, RIGHT, None),
}
LATIN_FONTS = {"en": "Times New Roman"}
IMAGE_SCALE = 3  # 590 px of figure at 3 x: about 290 dpi over the 156 mm of text width


def _fonts(rpr, east_asia: str) -> None:
    """Name the font of a style's or run's properties for every script (w:rFonts), East Asian
    included, and drop theme fonts that would override it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:cs"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def _styles(doc) -> None:
    """The document's paragraph styles (STYLES), Normal being the body's."""
    normal = doc.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.font.size = Pt(16)
    for name, (face, size, bold, indent, align, colour) in STYLES.items():
        style = doc.styles.add_style(name, 1)  # WD_STYLE_TYPE.PARAGRAPH
        style.base_style = normal
        style.quick_style = True
        _fonts(style.element.get_or_add_rPr(), face)
        style.font.size = Pt(size)
        style.font.bold = bold
        if colour is not None:
            style.font.color.rgb = colour
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.space_before = fmt.space_after = Pt(0)
        if size >= 14 and name not in ("版记", "页码"):
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = LINE if size <= 16 else Pt(size * 1.6)
        else:
            fmt.line_spacing = 1.15
        if indent:  # two characters, in character units so it follows the size
            ind = fmt._element.get_or_add_pPr().get_or_add_ind()
            ind.set(qn("w:firstLineChars"), "200")
            fmt.first_line_indent = Pt(2 * size)
        if name in ("一级标题", "二级标题"):
            fmt.keep_with_next = True
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), "0" if name == "一级标题" else "1")
            fmt._element.get_or_add_pPr().append(outline)
        if name == "表题":
            fmt.keep_with_next = True
    doc.styles["简报正文"].next_paragraph_style = doc.styles["简报正文"]


def _font_table(doc) -> None:
    """Each 公文 face in the font table with the face to use where it is missing."""
    part = next(
        (rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")), None
    )
    if part is None:
        return
    from docx.oxml import parse_xml

    root = parse_xml(part.blob)
    for face, alt in FALLBACKS.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), face)
        alt_name = OxmlElement("w:altName")
        alt_name.set(qn("w:val"), alt)
        font.append(alt_name)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        root.append(font)
    from lxml import etree

    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _run(paragraph, text: str, face: str | None = None, **fmt):
    """A run with its East Asian font named (the paragraph style's unless `face`)."""
    run = paragraph.add_run(text)
    style = paragraph.style if paragraph.style is not None else None
    face = face or (STYLES[style.name][0] if style is not None and style.name in STYLES else FANGSONG)
    _fonts(run._element.get_or_add_rPr(), face)
    for key, value in fmt.items():
        setattr(run.font, key, value)
    return run


def _para(doc_or_cell, text: str, style: str, face: str | None = None, **fmt):
    p = doc_or_cell.add_paragraph(style=style)
    if text:
        _run(p, text, face, **fmt)
    return p


def _rule(paragraph, colour: str = "C00000", size: int = 12) -> None:
    """A rule under the paragraph (the 报头's red line, the 版记's lines)."""
    ppr = paragraph._element.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", colour)):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def _page_number(paragraph, odd: bool) -> None:
    """ "— N —", a character in from the outer edge (GB/T 9704: odd pages right, even left)."""
    paragraph.alignment = RIGHT if odd else LEFT
    fmt = paragraph.paragraph_format
    if odd:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    _run(paragraph, "— ")
    run = _run(paragraph, "")
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)
    _run(paragraph, " —")


def _table(doc, head: list[str], rows: list[list[str]], num_cols=frozenset(), widths=None):
    """A Word table: a repeated header row, then the rows; num_cols align right."""
    table = doc.add_table(rows=1 + len(rows), cols=len(head))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths is None:  # the text width shared out by the longest text of each column
        longest = [max(len(str(v)) for v in col) for col in zip(head, *rows, strict=True)]
        shares = [max(4, min(n, 24)) for n in longest]
        widths = [int(TEXT_WIDTH * n / sum(shares)) for n in shares]
    table.autofit = False
    for c, width in enumerate(widths):
        table.columns[c].width = width
    # The table's own width and a fixed layout: LibreOffice and WPS otherwise shrink it to fit.
    tblpr = table._tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:w"), str(int(sum(widths) / 635)))  # EMU -> twentieths of a point
    tblw.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    for r, values in enumerate([head, *rows]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            p = cell.paragraphs[0]
            p.style = doc.styles["表格文字"]
            lines = str(value).split("\n")
            for i, line in enumerate(lines):
                if i:
                    p = _para(cell, "", "表格文字")
                _run(p, line, HEITI if r == 0 else None, **({"size": Pt(9)} if i else {}))
                if c in num_cols:
                    p.alignment = RIGHT
            if widths:
                cell.width = widths[c]
    return table


def _caption(doc, key: str, n: int, **kw) -> None:
    _para(doc, i18n.t(key, kw.pop("lang"), n=n, **kw), "表题")


def chart_pngs(figures: list[go.Figure], chromium: str, timeout: float = CHROMIUM_TIMEOUT) -> list[bytes]:
    """The figures as PNG at print resolution, drawn by kaleido in one headless Chromium (the
    system's): plotly.js from the installed plotly package, MathJax off, so nothing is fetched."""
    import kaleido

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

    async def draw() -> list[bytes]:
        out = []
        async with kaleido.Kaleido(
            n=1, timeout=timeout, plotlyjs=plotly_js.as_uri(), mathjax=False, path=chromium
        ) as k:
            for fig in figures:
                layout = fig.layout
                opts = {
                    "format": "png",
                    "width": int(layout.width or CHART_WIDTH),
                    "height": int(layout.height or 360),
                    "scale": IMAGE_SCALE,
                }
                out.append(await k.calc_fig(fig, opts=opts))
        return out

    # A thread of its own: the caller (a Streamlit script) may already run an event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(asyncio.run, draw()).result(timeout=timeout * (1 + len(figures)))
        except Exception as e:  # kaleido's and choreographer's errors, a hung browser
            raise ReportError(
                " / ".join(
                    i18n.t("report.no_docx", lang, reason=str(e) or type(e).__name__) for lang in i18n.LANGS
                )
            ) from e


def render_docx(brief: Briefing, pictures: list[bytes] | None = None) -> bytes:
    """The briefing as .docx bytes. `pictures`: the charts' PNGs (default: drawn now)."""
    lang = brief.lang
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    doc = Document()
    _styles(doc)
    _font_table(doc)
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    section.footer_distance = Mm(28) - Pt(14)  # the number 7 mm below the text, in the margin
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        number = footer.paragraphs[0]
        number.style = doc.styles["页码"]
        _page_number(number, odd)
    props = doc.core_properties
    props.title, props.subject = brief.file_stem, brief.title
    props.author = t("report.issuer")
    props.comments = brief.version_text

    # 报头
    _para(doc, brief.title, "简报报头")
    _para(doc, brief.issue_text, "简报期号")
    issuer = _para(doc, t("report.issuer"), "简报发文")
    issuer.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    _run(issuer, "\t" + brief.date_text)
    _rule(issuer, size=18)
    if brief.version is None:
        _para(doc, t("report.empty"), "简报正文")
        return _save(doc)
    title = _para(doc, period_line(brief), "简报标题")
    title.paragraph_format.space_before = Pt(16)
    title.paragraph_format.space_after = Pt(16)

    tables = 0
    for heading, blocks in brief.sections:
        _para(doc, heading, "一级标题")
        for block in blocks:
            if block.kind == "sub":
                _para(doc, block.text, "二级标题")
            elif block.kind == "para":
                _para(doc, block.text, "简报正文")
            elif block.kind == "note":
                _para(doc, block.text, "表注")
            elif block.kind == "named":
                p = _para(doc, "", "简报正文")
                _run(p, block.name + t("report.sep.name"), HEITI)
                _run(p, block.text)
            elif block.kind == "table":
                made = _table_block(doc, brief, block.text, tables + 1)
                tables += made

    if brief.charts:
        for fig in (f for _, f in brief.charts):
            fig.update_layout(font_family=CHART_FONTS[lang])
        if pictures is None:
            pictures = chart_pngs([f for _, f in brief.charts], chromium_path())
        head = _para(doc, t("report.appendix"), "一级标题")
        head.paragraph_format.first_line_indent = Pt(0)
        head.paragraph_format.page_break_before = True
        for i, ((title_text, _), png) in enumerate(zip(brief.charts, pictures, strict=True)):
            p = doc.add_paragraph(style="图")
            p.paragraph_format.keep_with_next = True
            run = _run(p, "")
            run.add_picture(io.BytesIO(png), width=TEXT_WIDTH)
            _para(
                doc, t("report.figure", n=i + 1, title=title_text), "表题"
            ).paragraph_format.keep_with_next = False

    # 版记: 报/送/发 between two rules, then the issuing body and the date, kept on one page
    lines, (issuer, printed) = distribution(brief)
    spacer = doc.add_paragraph(style="版记")
    spacer.paragraph_format.space_before = Pt(28)
    spacer.paragraph_format.keep_with_next = True
    for i, line in enumerate([*lines, None]):
        p = _para(doc, line or issuer, "版记")
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = Pt(14)
        fmt.keep_with_next = line is not None
        if i == 0:
            _rule_top(p)
        if line is None:
            fmt.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(28), WD_TAB_ALIGNMENT.RIGHT)
            _run(p, "\t" + printed)
            _rule(p, colour="000000", size=12)
        elif i == len(lines) - 1:
            _rule(p, colour="000000", size=8)
    return _save(doc)


def _rule_top(paragraph) -> None:
    ppr = paragraph._element.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    borders.insert(0, top)


def _table_block(doc, brief: Briefing, name: str, n: int) -> int:
    """The table `name` of the briefing under its caption 表n; returns how many were added."""
    lang = brief.lang
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    if name == "kpis":
        head, rows = kpi_table(brief)
        _para(doc, t("report.table.kpis", n=n), "表题")
        cells = [
            [label, value + (f"\n{detail}" if detail else ""), target, status, change]
            for label, value, detail, target, status, change in rows
        ]
        _table(doc, head, cells, {1, 2, 4}, [Mm(46), Mm(34), Mm(16), Mm(32), Mm(28)])
        for note in [brief.base_text, *brief.scope_notes]:
            _para(doc, note, "表注")
        return 1
    if name == "training":
        _para(doc, t("report.table.training", n=n), "表题")
        _table(doc, training_table(brief), [cells for *cells, _ in brief.training], {1, 2, 3, 4})
        if brief.township is not None:
            _para(doc, t("training.county_note"), "表注")
        return 1
    if name == "period_training":
        _para(doc, t("report.table.period_training", n=n), "表题")
        _table(doc, period_training_table(brief), brief.period_training, {1, 2})
        return 1
    if name == "ledger" and brief.ledger.get("overdue"):
        _para(doc, t("report.table.ledger", n=n), "表题")
        _table(doc, brief.ledger["columns"], brief.ledger["overdue"])
        return 1
    if name == "attention":
        made = 0
        for item in brief.attention:
            if item["skip"] or not item["count"]:
                continue
            _para(doc, i18n.t("report.table.attention", lang, n=n + made, title=item["title"]), "表题")
            rows = item["rows"] + (
                [[item["more"]] + [""] * (len(item["columns"]) - 1)] if item["more"] else []
            )
            table = _table(doc, item["columns"], rows, item["num_cols"])
            if item["more"]:
                last = table.rows[-1].cells
                last[0].merge(last[-1])
            made += 1
        return made
    return 0


def _save(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
