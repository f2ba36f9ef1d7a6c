"""summary.xlsx and summary.csv: the ranked county summary for spreadsheets.

The per-ruleset item sheets need every union's item points, so they are streamed: an
`ItemSheets` writer appends one row per union to openpyxl write-only sheets during the batch
(rows go to temporary files, not memory); `write_summary_workbook` adds the ranked summary
and the failures at the end and saves the book atomically.
"""
from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from wcwidth import wcswidth

from .atomic import atomic_path
from .county import CountyStats, fmt_score, level_label

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

SUMMARY_SHEET, FAILURES_SHEET = "汇总", "失败单位"
NOT_APPLICABLE = "不适用"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F3F5F7")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
WRAP = Alignment(wrap_text=True, vertical="top")
MIN_WIDTH, MAX_WIDTH, MAX_HEADER_WIDTH, LINE_HEIGHT = 4, 50, 16, 15


def display_width(value: Any) -> int:
    """Columns a value takes on screen: CJK characters count 2."""
    text = "" if value is None else str(value)
    return max((max(wcswidth(line), 0) for line in text.splitlines()), default=0)


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "规则集"
    title, number = base, 2
    while title in taken:
        suffix = f"（{number}）"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title)
    return title


def layout(sheet: WriteOnlyWorksheet, headers: list[str], rows: Iterable[list[Any]] = ()) -> None:
    """Column widths by display width, a header tall enough to wrap, the header row frozen.

    A write-only sheet takes these only before its first row."""
    widths = [max(MIN_WIDTH, min(display_width(h), MAX_HEADER_WIDTH)) for h in headers]
    for row in rows:
        widths = [max(w, min(display_width(v), MAX_WIDTH)) for w, v in zip(widths, row)]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    lines = max(math.ceil(display_width(h) / w) for h, w in zip(headers, widths)) if headers else 1
    sheet.row_dimensions[1].height = LINE_HEIGHT * lines + 4
    sheet.freeze_panes = "A2"


def header_cells(sheet: WriteOnlyWorksheet, headers: list[str]) -> list[WriteOnlyCell]:
    cells = [WriteOnlyCell(sheet, value=header) for header in headers]
    for cell in cells:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    return cells


class ItemSheets:
    """One sheet per ruleset: every item's points per union, appended in input order during the batch.

    Use as a context manager (`with ItemSheets(...) as sheets:`) so a batch that stops early closes it."""

    def __init__(self, ruleset_ids: list[str], ruleset_names: dict[str, str]) -> None:
        self.book = Workbook(write_only=True)
        taken = {SUMMARY_SHEET, FAILURES_SHEET}
        self.sheets = {rid: self.book.create_sheet(sheet_title(ruleset_names.get(rid, rid), taken)) for rid in ruleset_ids}
        self.columns: dict[str, list[str]] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Finish sheets never saved (a batch that stopped early), so their temporary files are
        closed in order rather than torn down by the garbage collector mid-row."""
        for sheet in self.book.worksheets:
            if not sheet.closed:
                sheet.close()

    def add(self, record: dict[str, Any]) -> None:
        """One assessed union (the `assess --format json` record)."""
        for result in record["results"]:
            rid = result["ruleset"]["id"]
            if rid in self.sheets:
                self._append(rid, record["union"], result)

    def _append(self, rid: str, union: dict[str, Any], result: dict[str, Any]) -> None:
        first = rid not in self.columns
        if first:
            self.columns[rid] = [item["id"] for item in result["items"]]
        cells = {item["id"]: item_cell(item) for item in result["items"]}
        row = [union["id"], union.get("name"), result["score"], level_label(result)]
        row += [cells.get(item_id) for item_id in self.columns[rid]]
        if first:
            self._start(self.sheets[rid], result["items"], row)
        self.sheets[rid].append(row)

    @staticmethod
    def _start(sheet: WriteOnlyWorksheet, items: list[dict[str, Any]], first_row: list[Any]) -> None:
        """Columns are the ruleset's items as the first union lists them; widths fit that union's row.

        Item names only: an item's full points can differ between unions (dropped, rescaled)."""
        headers = ["编号", "名称", "总分", "等级"] + [item["name"] for item in items]
        layout(sheet, headers, [first_row])
        sheet.append(header_cells(sheet, headers))


def item_cell(item: dict[str, Any]) -> float | str:
    """An item's points; 不适用 when the item was dropped for this union (na: drop)."""
    return NOT_APPLICABLE if item["outcome"] == "na" and not item["max_points"] else item["points"]


def summary_table(stats: CountyStats) -> tuple[list[str], list[list[Any]]]:
    """The ranked summary: the same columns in summary.xlsx and summary.csv."""
    headers = ["名次", "编号", "名称", "类型", "乡镇（街道）"]
    for rid in stats.ruleset_ids:
        headers += [f"{stats.ruleset_names[rid]}得分", f"{stats.ruleset_names[rid]}等级"]
    headers += ["否决项", "未达标必备项", "失分项数", "缺资料项数"]
    rows = []
    for place, row in stats.ranking():
        cells = [place, row.id, row.name, row.type, row.township]
        for rid in stats.ruleset_ids:
            cell = row.cells.get(rid)
            cells += [round(cell.score, 2), cell.level] if cell else [None, None]
        rows.append(cells + ["\n".join(row.vetoes), "\n".join(row.required_failed), row.gaps, row.missing])
    return headers, rows


def write_summary_workbook(path: str | Path, stats: CountyStats, item_rows: ItemSheets) -> None:
    """summary.xlsx: 汇总 (ranked), one sheet of item points per ruleset, 失败单位; written atomically.

    Finishes `item_rows`: a write-only book is saved once."""
    book = item_rows.book
    summary = book.create_sheet(SUMMARY_SHEET, 0)
    fill(summary, *summary_table(stats))
    failures = book.create_sheet(FAILURES_SHEET)
    fill(failures, ["来源", "编号", "错误"], [[f.origin, f.union_id, "\n".join(f.messages)] for f in stats.failures])
    with atomic_path(path) as temporary:
        book.save(temporary)


def fill(sheet: WriteOnlyWorksheet, headers: list[str], rows: list[list[Any]]) -> None:
    layout(sheet, headers, rows)
    sheet.append(header_cells(sheet, headers))
    for row in rows:
        sheet.append([wrapped(sheet, value) for value in row])


def wrapped(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """Multi-line text wraps in its cell; other values go in as they are."""
    if not (isinstance(value, str) and "\n" in value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.alignment = WRAP
    return cell


def write_summary_csv(path: str | Path, stats: CountyStats) -> None:
    """summary.csv: the ranked summary, UTF-8 with BOM so Excel reads the Chinese; written atomically."""
    headers, rows = summary_table(stats)
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows([[csv_value(value) for value in row] for row in rows])


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    return fmt_score(value) if isinstance(value, float) else str(value)
