"""summary.xlsx and summary.csv: the ranked county summary for spreadsheets.

The per-ruleset item sheets need every union's item points, so they are streamed: an
`ItemSheets` writer appends one row per union during the batch to XlsxWriter worksheets in
constant-memory mode (each row goes to a temporary file at once); `write_summary_workbook`
fills the ranked summary and the failures at the end and saves the book atomically.
XlsxWriter writes about three times faster than openpyxl, which stays for reading.
"""
from __future__ import annotations

import csv
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Self

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from ..atomic import atomic_path
from ..diagnostics import display_width as text_width
from ..evaluate.result import ItemScore, RulesetResult
from ..values import json_score
from .county import CountyStats, fmt_score

SUMMARY_SHEET, FAILURES_SHEET = "汇总", "失败单位"
NOT_APPLICABLE = "不适用"
HEADER = {"bold": True, "bg_color": "#F3F5F7", "text_wrap": True, "valign": "top"}
WRAP = {"text_wrap": True, "valign": "top"}
MIN_WIDTH, MAX_WIDTH, MAX_HEADER_WIDTH, LINE_HEIGHT = 4, 50, 16, 15


def display_width(value: Any) -> int:
    """Columns the widest line of a value takes on screen: CJK characters count 2."""
    return text_width("" if value is None else str(value))


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the book."""
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "规则集"
    title, number = base, 2
    while title in taken:
        suffix = f"（{number}）"
        title, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title)
    return title


class ItemSheets:
    """The workbook being written: 汇总 first (filled at the end), then one sheet per ruleset with
    every item's points per union, appended in input order during the batch, then 失败单位.

    Use as a context manager (`with ItemSheets(path, ...) as sheets:`): a batch that stops early
    leaves no file behind, neither the book nor its temporary files."""

    def __init__(self, path: str | Path, ruleset_ids: list[str], ruleset_names: dict[str, str]) -> None:
        self.path = Path(path)
        handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        os.close(handle)
        self.temporary = Path(name)
        self.book = Workbook(str(self.temporary), {"constant_memory": True})
        self.header = self.book.add_format(HEADER)
        self.wrap = self.book.add_format(WRAP)
        taken = {SUMMARY_SHEET, FAILURES_SHEET}
        self.summary = self.book.add_worksheet(SUMMARY_SHEET)
        self.sheets = {rid: self.book.add_worksheet(sheet_title(ruleset_names.get(rid, rid), taken)) for rid in ruleset_ids}
        self.failures = self.book.add_worksheet(FAILURES_SHEET)
        self.columns: dict[str, list[str]] = {}
        self.rows: dict[str, int] = {}
        self.saved = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Save into the final path if `save` ran; otherwise drop the unfinished book."""
        if not self.saved:
            for sheet in self.book.worksheets():
                if sheet.row_data_fh:
                    sheet.row_data_fh.close()
                    Path(sheet.row_data_filename).unlink(missing_ok=True)
        self.temporary.unlink(missing_ok=True)

    def add(self, union: dict[str, Any], results: list[RulesetResult]) -> None:
        """One assessed union: its header and results."""
        for result in results:
            if result.ruleset.id in self.sheets:
                self._append(result.ruleset.id, union, result)

    def _append(self, rid: str, union: dict[str, Any], result: RulesetResult) -> None:
        scored = result.items + result.bonus_items
        first = rid not in self.columns
        if first:
            self.columns[rid] = [item.id for item in scored]
        cells = {item.id: item_cell(item) for item in scored}
        row = [union["id"], union.get("name"), json_score(result.score), result.level_text]
        row += [cells.get(item_id) for item_id in self.columns[rid]]
        sheet = self.sheets[rid]
        if first:
            headers = ["编号", "名称", "总分", "等级"] + [item.name for item in scored]
            self.start(sheet, headers, [row])
            self.rows[rid] = 1
        sheet.write_row(self.rows[rid], 0, row)
        self.rows[rid] += 1

    def start(self, sheet: Worksheet, headers: list[str], rows: list[list[Any]]) -> None:
        """Column widths by display width (of the header and `rows`), a wrapping header row, frozen.

        Item sheets size their columns by the first union: item names only, since an item's full
        points can differ between unions (dropped, rescaled)."""
        widths = [max(MIN_WIDTH, min(display_width(h), MAX_HEADER_WIDTH)) for h in headers]
        for row in rows:
            widths = [max(w, min(display_width(v), MAX_WIDTH)) for w, v in zip(widths, row)]
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width + 2)
        lines = max(math.ceil(display_width(h) / w) for h, w in zip(headers, widths)) if headers else 1
        sheet.set_row(0, LINE_HEIGHT * lines + 4)
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, headers, self.header)

    def fill(self, sheet: Worksheet, headers: list[str], rows: list[list[Any]]) -> None:
        self.start(sheet, headers, rows)
        for number, row in enumerate(rows, 1):
            for column, value in enumerate(row):
                sheet.write(number, column, value, self.wrap if isinstance(value, str) and "\n" in value else None)

    def save(self, stats: CountyStats) -> None:
        """Fill 汇总 and 失败单位, then move the finished book to its path atomically."""
        self.fill(self.summary, *summary_table(stats))
        failures = [[f.origin, f.union_id, "\n".join(f.messages)] for f in stats.failures]
        self.fill(self.failures, ["来源", "编号", "错误"], failures)
        self.book.close()
        self.saved = True
        os.replace(self.temporary, self.path)


def item_cell(item: ItemScore) -> int | float | str:
    """An item's points; 不适用 when the item was dropped for this union (na: drop)."""
    return NOT_APPLICABLE if item.outcome == "na" and not item.max_points else json_score(item.points)


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
