"""Workbook rows as Excel shows them: cached formula results, hidden sheets, rows and columns skipped.

openpyxl's read-only mode streams a sheet but reads a formula cell whose workbook holds no
result (written by a program, never recalculated) as blank, and cannot say which rows and
columns are hidden. So rows are read here with openpyxl's own sheet parser, as its read-only
worksheet does, keeping what that drops: a formula without a result becomes a `Formula` (the
union fails with a message saying how to fix the workbook; it is never read as blank), and
the parser's row and column attributes tell what is hidden. Merged cells read as Excel shows them:
every cell of a merged range (乡镇 merged down a township's unions) holds its top-left value, the
cells right of its first column as `Spanned` (a value over several columns belongs to one of them:
a header reads it, a union's fact does not); the ranges are listed at the end of the sheet's XML, so
they are found first by a scan of it. A workbook
is also bounded before it is opened, by what its parts unpack to, so a few megabytes cannot grow
into gigabytes.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from .excel import MAX_COLUMNS, MAX_ROWS, SHOWN_AT_MOST, Formula, Spanned, WorkbookError

MAX_UNPACKED = 512 * 2**20       # a county's workbook of 3,000 unions unpacks to about 30 MB
MAX_SHARED_STRINGS = 128 * 2**20  # held in memory whole by openpyxl
MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
BLOCK, OVERLAP = 1 << 20, 256  # bytes of sheet XML scanned at a time, and kept for a tag cut in two
Range = tuple[int, int, int, int]  # first column, first row, last column, last row (1-based, inclusive)


def check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose parts unpack past the limits (sizes as the archive declares them;
    Python's zipfile never inflates a part past its declared size)."""
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    total = sum(part.file_size for part in parts)
    strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_UNPACKED or strings > MAX_SHARED_STRINGS:
        raise WorkbookError(f"工作簿解压后有 {total / 2**20:.0f} MB（其中文本 {strings / 2**20:.0f} MB），超过 "
                            f"{MAX_UNPACKED // 2**20} MB 的上限：可能已损坏或不是普通的数据表；请拆分工作簿，或另存为 CSV 后再评估")


class ResultsParser(WorkSheetParser):
    """openpyxl's sheet parser reading computed results (data_only), but keeping a formula that has none."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        try:
            cell: dict[str, Any] = super().parse_cell(element)
        except IndexError:  # a text cell (t="s") numbering a shared string the workbook does not have
            raise WorkbookError(f"单元格 {element.get('r') or '（未标明位置）'} 引用了工作簿中不存在的文本，工作簿已损坏；"
                                "请在 Excel 或 WPS 中打开后另存为 .xlsx，或另存为 CSV 后再评估") from None
        if cell["value"] is None and element.find(FORMULA_TAG) is not None and not has_result(element):
            cell["value"] = Formula("=" + (element.findtext(FORMULA_TAG) or ""))
        return cell


def has_result(element: Any) -> bool:
    """A formula cell holds a result: a value, or an empty text that Excel marks as text (t="str");
    a program that cannot calculate writes no value or an empty one."""
    return bool(element.findtext(VALUE_TAG)) or (element.find(VALUE_TAG) is not None and element.get("t") == "str")


def is_hidden(sheet: Any) -> bool:
    return getattr(sheet, "sheet_state", "visible") != "visible"


def sheet_rows(sheet: Any, include_hidden: bool, notice: Callable[[str], None]) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, cell values) of a read-only worksheet, hidden rows and columns left out
    unless `include_hidden`; afterwards `notice` hears which hidden ones held data."""
    book = sheet.parent
    skipped_rows: list[int] = []
    skipped_columns: dict[int, Any] = {}  # column → its first value (the header, as a rule)
    with book._archive.open(sheet._worksheet_path) as source:
        filled = Filler(merged_ranges(source))
    with book._archive.open(sheet._worksheet_path) as source:
        parser = ResultsParser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                               date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        hidden_columns: set[int] | None = None
        for number, cells in parser.parse():
            if number > MAX_ROWS:
                raise WorkbookError(f"第 {number} 行超过 Excel 的 {MAX_ROWS} 行上限，工作簿可能已损坏")
            if hidden_columns is None:  # <cols> comes before the rows
                hidden_columns = set() if include_hidden else columns_hidden(parser.column_dimensions)
            row_hidden = not include_hidden and flag(parser.row_dimensions.get(str(number), {}).get("hidden"))
            values = filled(number, row_values(cells, hidden_columns, skipped_columns), hidden_columns)
            if row_hidden:
                if any(value is not None for value in values):
                    skipped_rows.append(number)
                continue
            yield number, values
    notice_hidden(skipped_rows, skipped_columns, notice)
    if filled.used:
        notice(f"合并单元格 {'、'.join(filled.used[:SHOWN_AT_MOST])}{'等' if len(filled.used) > SHOWN_AT_MOST else ''}"
               " 按 Excel 显示的内容读取：合并范围内的每一行、每一列都取左上角单元格的值")


def merged_ranges(xml: IO[bytes]) -> list[Range]:
    """The sheet's merged ranges of more than one cell, from its XML (`<mergeCell ref="D2:D13"/>`), read a
    block at a time (a tag cut by a block's end is found again with the next block)."""
    refs: dict[bytes, None] = {}
    carry = b""
    for block in iter(lambda: xml.read(BLOCK), b""):
        data = carry + block
        refs.update(dict.fromkeys(match[1] for match in MERGED.finditer(data)))
        carry = data[-OVERLAP:]
    found = []
    for ref in refs:
        low_column, low_row, high_column, high_row = (int(bound or 0) for bound in range_boundaries(ref.decode()))
        if (low_column, low_row) != (high_column, high_row):
            found.append((low_column, low_row, high_column, high_row))
    return found


class Filler:
    """Fills each row's cells that lie in a merged range with the range's top-left value, as rows stream by."""

    def __init__(self, ranges: list[Range]) -> None:
        self.starting: dict[int, list[Range]] = {}
        for merged in ranges:
            self.starting.setdefault(merged[1], []).append(merged)
        self.open: list[tuple[Range, Any]] = []  # ranges begun, with their value
        self.used: list[str] = []  # the ranges that copied a value down into unions' rows (`copies`), as Excel names them

    def __call__(self, number: int, values: list[Any], hidden: set[int]) -> list[Any]:
        self.open = [(merged, value) for merged, value in self.open if merged[3] >= number]
        for merged in self.starting.pop(number, []):
            value = values[merged[0] - 1] if merged[0] <= len(values) else None
            if value is not None:
                self.open.append((merged, value))
        for (low_column, low_row, high_column, high_row), value in self.open:
            values += [None] * (high_column - len(values))
            blank = [column for column in range(low_column, high_column + 1) if values[column - 1] is None and column not in hidden]
            name = f"{get_column_letter(low_column)}{low_row}:{get_column_letter(high_column)}{high_row}"
            for column in blank:
                values[column - 1] = value if column == low_column else Spanned(value, name)
            if blank and copies(low_row, high_row, value) and name not in self.used:
                self.used.append(name)
        return values


def copies(low_row: int, high_row: int, value: Any) -> bool:
    """Whether a merged range that filled a cell is told: three rows or more (a header has two at most), or two
    rows whose value is not text (a union's figure, 1046 职工人数, merged into the next union's row; a two-row
    header's merged cells hold titles)."""
    return high_row - low_row >= 2 or (high_row > low_row and not isinstance(value, str))


def row_values(cells: list[dict[str, Any]], hidden_columns: set[int], skipped: dict[int, Any]) -> list[Any]:
    """The values of one row by column, hidden columns blank (and noted when they held something)."""
    width = max((cell["column"] for cell in cells), default=0)
    if width > MAX_COLUMNS:
        raise WorkbookError(f"第 {cells[0]['row']} 行超过 Excel 的 {MAX_COLUMNS} 列上限，工作簿可能已损坏")
    values: list[Any] = [None] * width
    for cell in cells:
        column, value = cell["column"], cell["value"]
        if column in hidden_columns:
            if value is not None:
                skipped.setdefault(column, value)
            continue
        values[column - 1] = value
    return values


def columns_hidden(dimensions: dict[str, dict[str, str]]) -> set[int]:
    hidden: set[int] = set()
    for attrs in dimensions.values():
        if flag(attrs.get("hidden")):
            low = int(attrs.get("min", 0))
            high = min(int(attrs.get("max", low)), MAX_COLUMNS)
            hidden.update(range(low, high + 1))
    return hidden


def flag(value: str | None) -> bool:
    return value in ("1", "true")


def notice_hidden(rows: list[int], columns: dict[int, Any], notice: Callable[[str], None]) -> None:
    again = "（需要读取请加 --include-hidden）"
    if rows:
        shown = "、".join(str(number) for number in rows[:SHOWN_AT_MOST]) + ("等" if len(rows) > SHOWN_AT_MOST else "")
        notice(f"已跳过隐藏的第 {shown} 行（共 {len(rows)} 行）{again}")
    if columns:
        named = "、".join(f"{get_column_letter(column)}（“{columns[column]}”）" for column in sorted(columns))
        notice(f"已跳过隐藏的列 {named}{again}")
