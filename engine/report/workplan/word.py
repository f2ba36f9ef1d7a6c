"""The 整改工作方案 as a Word document laid out like a Chinese official document (GB/T 9704).

A4, 天头 37 mm, 订口 28 mm; title 二号 in even lines broken where a phrase ends, headings and body
三号 on a fixed 28 pt line (22 lines a page), the schedule as a real table with a repeating header
row, page numbers 「— 1 —」 in 四号 centred in the footer.

Pagination is left to Word (or WPS, or LibreOffice) but steered: a heading stays with the first
lines of its text, and a step's numbered paragraph as short as a heading with the paragraph after
it; short paragraphs and table rows are not broken, no paragraph leaves one line alone (widow
control), and the text's last paragraph goes with the signature, so that no page holds the 落款
alone (GB/T 9704 does not allow 「此页无正文」): Word moves its last lines over, LibreOffice the whole
paragraph. Only these single links are kept: long keep chains would push whole sections over and
leave pages half blank.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
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
from .blocks import Block, Document, Heading, Paragraph, Table
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
PAGE_NUMBER_FONT = "宋体"  # GB/T 9704: 页码用 4 号半角宋体阿拉伯数字，左右各放一条一字线
TITLE_SIZE, TEXT_SIZE, TABLE_SIZE, PAGE_NUMBER_SIZE = 22, 16, 12, 14  # 二号, 三号, 小四, 四号 (points)
LINE = Pt(28)  # a fixed line: 22 lines on a 225 mm type area
INDENT = Pt(2 * TEXT_SIZE)  # 「首行缩进 2 字」
TABLE_STYLE = "表格文字"
COLUMN_WIDTHS = (Mm(26), Mm(90), Mm(40))  # 月份, 工作内容, 责任人: the 156 mm type width
CELL_MARGINS = Mm(3.8)  # Word's default cell margins, left and right together (0.19 cm each)
BLACK = RGBColor(0, 0, 0)
LINE_CHARACTERS = 28  # 三号 characters on a line of the 156 mm type width (GB/T 9704: 28 a line)
SHORT_PARAGRAPH = 3  # lines: a paragraph this short is never broken across pages
INTRODUCTION = 2  # lines: a paragraph introducing what follows keeps with it when this short
TITLE_CHARACTERS = 19  # 二号 characters on a title line: 156 mm, with the title's 0.25 pt letter spacing
OPENING = "《“（"  # a title line may start with one, never end with one
SHORT_ROW = 4  # lines of table text: a row this short is never broken across pages (a taller one is)
STEP = re.compile(r"\d+\.")  # the lead of a step's first paragraph: 「1.会员入会率（必备）。」
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # XML 1.0 has no such characters


def write(plan: Plan, deadline: dt.date, path: Path) -> None:
    """Write the 整改工作方案 of `plan` as a .docx file, atomically."""
    document = workplan_document(plan, deadline)
    word = render(document)
    _describe(word, document.title, plan)
    with atomic_path(path) as temporary:
        word.save(str(temporary))


def render(document: Document) -> WordDocument:
    """Any document of blocks (the 整改工作方案, the service's 整改通知书) in the official layout."""
    document = _legible(document)
    word = docx.Document()
    _setup_page(word)
    _setup_styles(word)
    _add_title(word, document.title)
    following: list[Block | None] = [*document.blocks[1:], None]
    for block, after in zip(document.blocks, following):
        _add_block(word, block, after)
    if document.signature:
        _keep_with_signature(word, document.blocks[-1] if document.blocks else None)
        _add_signature(word, document.signature)
    return word


def xml_text(text: str) -> str:
    """Text as Word can hold it: without the control characters XML forbids (python-docx refuses them). A name
    pasted from elsewhere may carry one (a vertical tab, a backspace) and stopped the whole document."""
    return NOT_IN_XML.sub("", text)


def _legible(document: Document) -> Document:
    blocks = tuple(_legible_block(block) for block in document.blocks)
    return Document(xml_text(document.title), blocks, tuple(map(xml_text, document.signature)))


def _legible_block(block: Block) -> Block:
    if isinstance(block, Heading):
        return Heading(xml_text(block.text), block.level)
    if isinstance(block, Paragraph):
        return Paragraph(xml_text(block.text), xml_text(block.lead))
    return Table(tuple(map(xml_text, block.header)), tuple(tuple(map(xml_text, row)) for row in block.rows))


def _describe(word: WordDocument, title: str, plan: Plan) -> None:
    """The file's properties (the template says python-docx, 2013), dated like the document."""
    properties = word.core_properties
    properties.title, properties.author = xml_text(title), xml_text(union_name(plan))
    properties.comments, properties.language = "", "zh-CN"
    properties.created = properties.modified = dt.datetime.combine(plan.as_of, dt.time())


def _add_title(word: WordDocument, title: str) -> None:
    """The title, its lines broken by hand where it takes more than one."""
    paragraph = word.add_paragraph(style="Title")
    first, *more = _title_lines(title)
    run = paragraph.add_run(first)
    for line in more:
        run.add_break()
        run.add_text(line)


def _title_lines(title: str) -> list[str]:
    """The title in lines of about equal length, each broken where a phrase ends (GB/T 9704: 回行时
    词意完整、排列对称、长短适宜), rather than full lines that cut a word (「职工之|家」) and a last
    line with one character alone; as one line, left to the word processor, where no such setting fits."""
    widths = [_width(character) for character in title]
    fewest = math.ceil(sum(widths) / TITLE_CHARACTERS)
    if fewest <= 1:
        return [title]
    ends = [index for index in range(1, len(title)) if title[index - 1] not in OPENING and (
            title[index] in OPENING or title[index - 1] in "》”）" or title.startswith("关于", index)
            or title.endswith("工会", 0, index))] + [len(title)]
    for count in (fewest, fewest + 1):
        starts = _even_breaks(widths, ends, count)
        if starts is not None:
            return [title[start:end] for start, end in zip(starts, [*starts[1:], len(title)])]
    return [title]


def _even_breaks(widths: list[float], ends: list[int], count: int) -> list[int] | None:
    """Where `count` lines start, each ending at one of `ends` and no wider than a title line, their
    widths as even as can be (least squares); None if they cannot fit."""
    even = sum(widths) / count

    def cost(start: int, end: int) -> float:
        width = sum(widths[start:end])
        return (width - even) ** 2 if width <= TITLE_CHARACTERS else math.inf

    # settings[n][end]: the least cost of the text up to `end` in n + 1 lines, and where the last line starts
    settings: list[dict[int, tuple[float, int]]] = []
    best: dict[int, tuple[float, int]] = {0: (0.0, 0)}
    for _ in range(count):
        best = {end: min(((best[start][0] + cost(start, end), start) for start in best if start < end),
                         default=(math.inf, 0)) for end in ends}
        settings.append(best)
    if settings[-1][len(widths)][0] == math.inf:
        return None
    starts, end = [], len(widths)
    for setting in reversed(settings):
        end = setting[end][1]
        starts.append(end)
    return starts[::-1]


def _add_block(word: WordDocument, block: Block, following: Block | None) -> None:
    """A block; headings keep with what follows them through their style."""
    if isinstance(block, Heading):
        word.add_paragraph(block.text, style=f"Heading {block.level}")
    elif isinstance(block, Paragraph):
        paragraph = word.add_paragraph()
        if block.lead:
            paragraph.add_run(block.lead).bold = True
        paragraph.add_run(block.text)
        lines = _lines(block.lead + block.text, LINE_CHARACTERS, indent=2)
        # a step's numbered paragraph introduces the lines after it, 「具体安排如下：」 the table; kept
        # with them only when as short as a heading: LibreOffice moves a kept paragraph over whole
        step = isinstance(following, Paragraph) and STEP.match(block.lead) is not None
        introduces = step or isinstance(following, Table)
        paragraph.paragraph_format.keep_together = lines <= SHORT_PARAGRAPH or None
        paragraph.paragraph_format.keep_with_next = (introduces and lines <= INTRODUCTION) or None
    else:
        _add_table(word, block)


def _keep_with_signature(word: WordDocument, last: Block | None) -> None:
    """The last lines of the text go to the signature's page: no page holds the signature alone."""
    if isinstance(last, Table):
        for cell in word.tables[-1].rows[-1].cells:  # Word keeps a row with the next paragraph this way
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
    elif last is not None:
        word.paragraphs[-1].paragraph_format.keep_with_next = True


def _add_signature(word: WordDocument, lines: tuple[str, ...]) -> None:
    """The issuer and the date, right-aligned, a blank line below the text, on one page."""
    for index, line in enumerate(lines):
        paragraph = word.add_paragraph(line)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        layout = paragraph.paragraph_format
        layout.first_line_indent = 0
        layout.right_indent = INDENT
        layout.space_before = LINE if index == 0 else 0
        layout.keep_together = True
        layout.keep_with_next = index < len(lines) - 1 or None


def _lines(text: str, width: float, indent: int = 0) -> int:
    """About how many lines `text` fills, `width` full-width characters a line, the first line
    indented by `indent` characters."""
    return max(1, math.ceil((sum(map(_width, text)) + indent) / width))


def _width(character: str) -> float:
    """A character's width in full-width characters: Latin letters and figures are half as wide."""
    return 1 if unicodedata.east_asian_width(character) in "WFA" else 0.5


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
    """Short rows not split across pages (a tall one may be, rather than leave a gap of its height);
    the header row repeated at the top of each page and kept with the first row below it."""
    characters = [(width - CELL_MARGINS) / Pt(TABLE_SIZE) for width in COLUMN_WIDTHS]
    for index, row in enumerate(grid.rows):
        properties = row._tr.get_or_add_trPr()
        height = max(_lines(cell.text, width) for cell, width in zip(row.cells, characters))
        if height <= SHORT_ROW:
            properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True


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
    """「— 3 —」 centred in the footer (style Footer: 四号 宋体): a PAGE field between two 一字线."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = 0
    _dash(paragraph, "— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"  # shown until the field is updated; Word and LibreOffice update it on opening
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    _dash(paragraph, " —")


def _dash(paragraph: WordParagraph, text: str) -> None:
    """A run of the dash, set in the East Asian font: a full-width 一字线, not a Latin em dash."""
    fonts = paragraph.add_run(text)._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:hint"), "eastAsia")


def _setup_styles(word: WordDocument) -> None:
    _defaults(word)
    styles = word.styles
    body = styles["Normal"]
    _font(body, BODY_FONT, TEXT_SIZE)
    _layout(body, indent=INDENT, line=LINE)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    body.paragraph_format.widow_control = True  # no first or last line of a paragraph alone on a page
    title = styles["Title"]
    _font(title, TITLE_FONT, TITLE_SIZE)
    _layout(title, indent=0, line=Pt(36), after=LINE)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.element.get_or_add_pPr().remove_all("w:pBdr")  # the template's blue rule under the title
    for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT)):
        # bold, as many offices set them: where 黑体 and 楷体 fall back to the body's font, weight still marks them
        _font(styles[name], font, TEXT_SIZE, bold=True)
        _layout(styles[name], indent=INDENT, line=LINE)
        styles[name].paragraph_format.keep_with_next = True  # with the first lines of its text
        styles[name].paragraph_format.keep_together = True
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = body
    _font(table_text, BODY_FONT, TABLE_SIZE)
    _layout(table_text, indent=0, line=Pt(20))
    table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT  # justified, a narrow cell spreads its letters
    footer = styles["Footer"]
    _font(footer, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    _layout(footer, indent=0, line=Pt(PAGE_NUMBER_SIZE + 4))


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
