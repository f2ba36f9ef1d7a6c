"""A small document model (title, headings, paragraphs, tables, signature) and its Markdown form.

Documents the engine writes for people to submit (the 整改工作方案) are built once as this
model and rendered twice: as Markdown here and as Word in `engine.report.workplan.word`, so the two
never drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby


@dataclass(frozen=True, slots=True)
class Heading:
    text: str  # numbered already: 「一、指导思想」「（一）消除否决情形」
    level: int  # 1 or 2


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    lead: str = ""  # a bold lead-in before the text: 「1. 会员入会率（必备）」「责任人：」


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def groups(self) -> list[tuple[str, list[tuple[str, ...]]]]:
        """Consecutive rows that share their first cell (a month), to merge that cell."""
        return [(first, list(rows)) for first, rows in groupby(self.rows, key=lambda row: row[0])]


Block = Heading | Paragraph | Table


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    blocks: tuple[Block, ...]
    signature: tuple[str, ...] = ()  # right-aligned closing lines: the issuer, the date


def book(name: str) -> str:
    """A title in 书名号, its ASCII quotes made Chinese: 《基层工会规范化建设“八有”标准》."""
    parts = name.split('"')
    if len(parts) % 2 == 1:
        name = "".join(f"“{part}”" if index % 2 else part for index, part in enumerate(parts))
    return f"《{name}》"


def cn_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1 to 99), for 「一、」「（一）」 headings."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(number, 10)
    return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + (digits[ones] if ones else "")


def markdown(document: Document) -> str:
    """The document as Markdown: `#` title, `##`/`###` headings, pipe tables."""
    parts = [f"# {document.title}"]
    parts += [_block_markdown(block) for block in document.blocks]
    parts += list(document.signature)
    return "\n\n".join(parts) + "\n"


def _block_markdown(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * (block.level + 1)} {block.text}"
    if isinstance(block, Paragraph):
        return f"**{block.lead}**{block.text}" if block.lead else block.text
    return _table_markdown(block)


def _table_markdown(table: Table) -> str:
    """A pipe table; a first cell equal to the row above is left blank, as if merged."""
    lines = [_row(table.header), _row(tuple("---" for _ in table.header))]
    for first, rows in table.groups():
        lines += [_row((first if index == 0 else "", *row[1:])) for index, row in enumerate(rows)]
    return "\n".join(lines)


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"
