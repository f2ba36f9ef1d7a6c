"""The 整改工作方案 as a Word document laid out like a Chinese official document (GB/T 9704).

A4, 天头 37 mm, 订口 28 mm; title 二号, headings and body 三号 on a fixed 28 pt line (22 lines a
page), the schedule as a real table with a repeating header row, page numbers 「— 1 —」.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table as WordTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as WordParagraph

from ...atomic import atomic_path
from ...plan.records import Plan
from .blocks import Document, Heading, Paragraph, Table
from .document import document as workplan_document
from .document import union_name

# Fonts. The superior union opens the file in Word or WPS, so the East Asian fonts are those of
# GB/T 9704 as offices install them: 方正小标宋简体 title, 黑体 一级标题, 楷体 二级标题, 仿宋 body
# (仿宋/楷体 ship with Windows and WPS; the *_GB2312 names often are missing). A run names one
# font, with no fallback list, and LibreOffice ignores the font table's w:altName; where a font
# is absent (Linux, the CI machine) fontconfig picks a font covering the text in the document's
# zh-CN language: Noto Sans CJK SC from fonts-noto-cjk, Simplified Chinese glyphs, never tofu.
# Latin letters and figures: Times New Roman (metric-compatible Liberation Serif on Linux).
LATIN_FONT = "Times New Roman"
TITLE_FONT, HEADING1_FONT, HEADING2_FONT, BODY_FONT = "方正小标宋简体", "黑体", "楷体", "仿宋"
TITLE_SIZE, TEXT_SIZE, TABLE_SIZE = 22, 16, 12  # 二号, 三号, 小四 (points)
LINE = Pt(28)  # a fixed line: 22 lines on a 225 mm type area
INDENT = Pt(2 * TEXT_SIZE)  # 「首行缩进 2 字」
TABLE_STYLE = "表格文字"
COLUMN_WIDTHS = (Mm(26), Mm(90), Mm(40))  # 月份, 工作内容, 责任人: the 156 mm type width
BLACK = RGBColor(0, 0, 0)


def write(plan: Plan, deadline: dt.date, path: Path) -> None:
    """Write the 整改工作方案 of `plan` as a .docx file, atomically."""
    document = workplan_document(plan, deadline)
    word = _render(document)
    _describe(word, document.title, plan)
    with atomic_path(path) as temporary:
        word.save(str(temporary))


def _render(document: Document) -> WordDocument:
    word = docx.Document()
    _setup_page(word)
    _setup_styles(word)
    word.add_paragraph(document.title, style="Title")
    for block in document.blocks:
        _add_block(word, block)
    _add_signature(word, document.signature)
    return word


def _describe(word: WordDocument, title: str, plan: Plan) -> None:
    """The file's properties (the template says python-docx, 2013), dated like the document."""
    properties = word.core_properties
    properties.title, properties.author, properties.comments, properties.language = title, union_name(plan), "", "zh-CN"
    properties.created = properties.modified = dt.datetime.combine(plan.as_of, dt.time())


def _add_block(word: WordDocument, block: Heading | Paragraph | Table) -> None:
    if isinstance(block, Heading):
        word.add_paragraph(block.text, style=f"Heading {block.level}")
    elif isinstance(block, Paragraph):
        paragraph = word.add_paragraph()
        if block.lead:
            paragraph.add_run(block.lead).bold = True
        paragraph.add_run(block.text)
    else:
        _add_table(word, block)


def _add_signature(word: WordDocument, lines: tuple[str, ...]) -> None:
    """The issuer and the date, right-aligned, a blank line below the text."""
    for index, line in enumerate(lines):
        paragraph = word.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.first_line_indent = 0
        paragraph.paragraph_format.right_indent = INDENT
        paragraph.paragraph_format.space_before = LINE if index == 0 else 0


# --- the schedule table ----------------------------------------------------------------------------

def _add_table(word: WordDocument, table: Table) -> None:
    """A grid table with a bold header row, the first column merged where rows share it (the month)."""
    grid = word.add_table(rows=1, cols=len(table.header), style="Table Grid")
    grid.autofit = False
    for cell, text in zip(grid.rows[0].cells, table.header):
        _fill(cell, text, bold=True, center=True)
    for first, rows in table.groups():
        cells = [grid.add_row().cells for _ in rows]
        for row_cells, row in zip(cells, rows):
            for cell, text in zip(row_cells[1:], row[1:]):
                _fill(cell, text)
        _fill(cells[0][0], first, center=True)
        if len(cells) > 1:
            cells[0][0].merge(cells[-1][0])
    _keep_rows(grid)
    for column, width in zip(grid.columns, COLUMN_WIDTHS):  # the grid for LibreOffice, the cells for Word
        column.width = width
        for cell in column.cells:
            cell.width = width


def _fill(cell: _Cell, text: str, bold: bool = False, center: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = TABLE_STYLE
    paragraph.add_run(text).bold = bold or None
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _keep_rows(grid: WordTable) -> None:
    """No row split across pages; the header row repeated at the top of each page."""
    for index, row in enumerate(grid.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))


# --- page and styles -------------------------------------------------------------------------------

def _setup_page(word: WordDocument) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    _page_number(section.footer.paragraphs[0])


def _page_number(paragraph: WordParagraph) -> None:
    """「— 3 —」 centred in the footer: a PAGE field between two dashes."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = 0
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def _setup_styles(word: WordDocument) -> None:
    _defaults(word)
    styles = word.styles
    body = styles["Normal"]
    _font(body, BODY_FONT, TEXT_SIZE)
    _layout(body, indent=INDENT, line=LINE)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    title = styles["Title"]
    _font(title, TITLE_FONT, TITLE_SIZE)
    _layout(title, indent=0, line=Pt(36), after=LINE)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.element.get_or_add_pPr().remove_all("w:pBdr")  # the template's blue rule under the title
    for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT)):
        # bold, as many offices set them: where 黑体 and 楷体 fall back to the body's font, weight still marks them
        _font(styles[name], font, TEXT_SIZE, bold=True)
        _layout(styles[name], indent=INDENT, line=LINE)
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = body
    _font(table_text, BODY_FONT, TABLE_SIZE)
    _layout(table_text, indent=0, line=Pt(20))


def _defaults(word: WordDocument) -> None:
    """Document defaults: no theme fonts (Japanese in the template) and Simplified Chinese text."""
    defaults = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _name_fonts(defaults.find(qn("w:rFonts")), BODY_FONT)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")


def _font(style: ParagraphStyle, east_asian: str, size: float, bold: bool = False) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = BLACK
    _name_fonts(style.element.get_or_add_rPr().get_or_add_rFonts(), east_asian)


def _name_fonts(fonts: Any, east_asian: str) -> None:
    """Latin and East Asian font names; theme fonts are dropped, since they would win over names."""
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)


def _layout(style: ParagraphStyle, indent: Length | int, line: Length, after: Length | int = 0) -> None:
    paragraph = style.paragraph_format
    paragraph.first_line_indent = indent
    paragraph.line_spacing = line
    paragraph.space_before = 0
    paragraph.space_after = after
