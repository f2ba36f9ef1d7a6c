"""summary.xlsx and summary.csv: the ranked county summary for spreadsheets (summary.csv is the plain
table: no title row).

The per-ruleset item sheets need every union's item points, so they are streamed: an
`ItemSheets` writer appends one row per union during the batch to XlsxWriter worksheets in
constant-memory mode (each row goes to a temporary file at once); `ItemSheets.save`
fills the ranked summary and the failures at the end and saves the book atomically.
XlsxWriter writes about three times faster than openpyxl, which stays for reading.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from ..atomic import atomic_path, temporary_beside
from ..diagnostics import display_width as text_width
from ..evaluate.result import ItemScore, RulesetResult
from ..pickled import Pickled
from ..values import Number, fmt_number, json_score
from .county import NOT_APPLICABLE, CountyStats, fmt_score

SUMMARY_SHEET, FAILURES_SHEET, NOTICES_SHEET = "汇总", "失败单位", "读取说明"
FAILURES_TITLE = "评估失败的单位"
NOTICES_TITLE = "数据读取说明：读取时未读入的列、隐藏的工作表、行和列"
NA_COLUMN = "不适用的指标"
TITLE = {"bold": True, "font_size": 14}
HEADER = {"bold": True, "bg_color": "#F3F5F7", "text_wrap": True, "valign": "top", "border": 1}
WRAP = {"text_wrap": True, "valign": "top"}
MIN_WIDTH, MAX_WIDTH, MAX_HEADER_WIDTH, LINE_HEIGHT = 4, 50, 16, 15
TITLE_ROW, HEADER_ROW = 0, 1  # every sheet: a title, then the header, then one row per union
PENDING_LIMIT = 500  # rows an item sheet holds back while some item's full points are still unknown
# Text is text: a union named =HYPERLINK(…) or http://… stays a string cell, never a formula or a link.
BOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


@dataclass
class ItemColumns:
    """One ruleset's item sheet while the batch runs: its items, their full points as far as seen (an item
    dropped for a union shows 0 there), and the rows held back until every item's points are known."""

    title: str
    ids: list[str]
    names: list[str]
    points: dict[str, Number] = field(default_factory=dict)
    pending: list[list[Any]] = field(default_factory=list)
    next_row: int = HEADER_ROW + 1
    started: bool = False

    def learn(self, points: dict[str, Number]) -> None:
        for item_id, most in points.items():
            self.points.setdefault(item_id, most)

    @property
    def complete(self) -> bool:
        return all(item_id in self.points for item_id in self.ids)

    def headers(self) -> list[str]:
        heads = [f"{name}（{fmt_number(self.points[i])}分）" if i in self.points else name for i, name in zip(self.ids, self.names)]
        return ["编号", "名称", "总分", "等级", *heads, NA_COLUMN]


class ItemSheets:
    """The workbook being written: 汇总 first (filled at the end), then one sheet per ruleset with
    every item's points per union, appended in input order during the batch, then 失败单位.

    Every sheet has a title row, a header row with an autofilter, both frozen and repeated on each
    printed page (A4 landscape, one page wide). Number columns hold only numbers: an item that does
    not apply to a union (na: drop) is left empty and named in the last column, 不适用的指标; a standard
    that does not apply leaves the union's score and items empty, its 等级 reads 不适用.

    Use as a context manager (`with ItemSheets(path, ...) as sheets:`): a batch that stops early
    leaves no file behind, neither the book nor its temporary files."""

    def __init__(self, path: str | Path, ruleset_ids: list[str], ruleset_names: dict[str, str]) -> None:
        self.path = Path(path)
        self.temporary = temporary_beside(self.path)
        self.book = Workbook(str(self.temporary), BOOK_OPTIONS)
        self.title = self.book.add_format(TITLE)
        self.header = self.book.add_format(HEADER)
        self.wrap = self.book.add_format(WRAP)
        taken = {SUMMARY_SHEET, FAILURES_SHEET, NOTICES_SHEET}
        self.names = {rid: ruleset_names.get(rid, rid) for rid in ruleset_ids}
        self.summary = self.book.add_worksheet(SUMMARY_SHEET)
        self.sheets = {rid: self.book.add_worksheet(sheet_title(self.names[rid], taken)) for rid in ruleset_ids}
        self.failures = self.book.add_worksheet(FAILURES_SHEET)
        self.notices = self.book.add_worksheet(NOTICES_SHEET)
        self.columns: dict[str, ItemColumns] = {}
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
        self.take(union, [item_row(result) for result in results])

    def take(self, union: dict[str, Any], rows: Iterable[ItemRow]) -> None:
        """One assessed union: its header and its rows as `item_row` made them; rows of other standards are left out."""
        for line in rows:
            if line.ruleset in self.sheets:
                self._append(union, line)

    def _append(self, union: dict[str, Any], line: ItemRow) -> None:
        rid = line.ruleset
        columns = self.columns.get(rid)
        if columns is None:
            columns = self.columns[rid] = ItemColumns(f"{self.names[rid]}：各项得分", list(line.ids), list(line.names))
        columns.learn(line.points)
        row = [union["id"], union.get("name"), line.score, line.level, *[line.cells.get(item_id) for item_id in columns.ids], line.note]
        if columns.started:
            self._write(rid, row)
            return
        columns.pending.append(row)
        if columns.complete or len(columns.pending) >= PENDING_LIMIT:
            self._start_items(rid)

    def _start_items(self, rid: str) -> None:
        """The item sheet's title and header (each item with its full points), then the rows held back."""
        columns = self.columns[rid]
        self.start(self.sheets[rid], columns.title, columns.headers(), columns.pending, frozen_columns=2)
        columns.started = True
        pending, columns.pending = columns.pending, []
        for row in pending:
            self._write(rid, row)

    def _write(self, rid: str, row: list[Any]) -> None:
        columns = self.columns[rid]
        self.sheets[rid].write_row(columns.next_row, 0, row)
        columns.next_row += 1

    def start(self, sheet: Worksheet, title: str, headers: list[str], rows: list[list[Any]], frozen_columns: int = 0) -> None:
        """The title row, a wrapping header row, frozen, filtered and repeated on every printed page; column
        widths by display width (of the header and `rows`); A4 landscape, one page wide.

        Item sheets size their columns by the rows held back (at least the first union): item names
        only, since an item's full points can differ between unions (dropped)."""
        widths = [max(MIN_WIDTH, min(display_width(h), MAX_HEADER_WIDTH)) for h in headers]
        for row in rows:
            widths = [max(w, min(display_width(v), MAX_WIDTH)) for w, v in zip(widths, row)]
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width + 2)
        lines = max(math.ceil(display_width(h) / w) for h, w in zip(headers, widths)) if headers else 1
        sheet.set_row(TITLE_ROW, 24)
        sheet.write(TITLE_ROW, 0, title, self.title)
        sheet.set_row(HEADER_ROW, LINE_HEIGHT * lines + 4)
        sheet.write_row(HEADER_ROW, 0, headers, self.header)
        sheet.freeze_panes(HEADER_ROW + 1, frozen_columns)
        sheet.repeat_rows(TITLE_ROW, HEADER_ROW)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        sheet.set_footer("&C第 &P 页，共 &N 页")

    def finish(self, sheet: Worksheet, columns: int, last_row: int) -> None:
        """The autofilter on the header row, over every row written."""
        sheet.autofilter(HEADER_ROW, 0, max(last_row, HEADER_ROW), max(columns - 1, 0))

    def fill(self, sheet: Worksheet, title: str, headers: list[str], rows: list[list[Any]]) -> None:
        self.start(sheet, title, headers, rows)
        for number, row in enumerate(rows, HEADER_ROW + 1):
            for column, value in enumerate(row):
                sheet.write(number, column, value, self.wrap if isinstance(value, str) and "\n" in value else None)
        self.finish(sheet, len(headers), HEADER_ROW + len(rows))

    def save(self, stats: CountyStats, title: str | None = None) -> None:
        """Fill 汇总 (titled `title`, by default the county report's) and 失败单位, finish the item sheets,
        then move the finished book to its path atomically."""
        self.book.set_properties({"created": created(stats)})  # the same book for the same input
        self.fill(self.summary, title or stats.title(), *summary_table(stats))
        for rid, columns in self.columns.items():
            if not columns.started:
                self._start_items(rid)
            self.finish(self.sheets[rid], len(columns.headers()), columns.next_row - 1)
        failures = [[f.origin, f.union_id, "\n".join(f.messages)] for f in stats.failures]
        self.fill(self.failures, FAILURES_TITLE, ["来源", "编号", "错误"], failures)
        self.fill(self.notices, NOTICES_TITLE, ["来源", "说明"], [notice_cells(notice) for notice in stats.notices])
        self.book.close()
        self.saved = True
        os.replace(self.temporary, self.path)


def notice_cells(notice: str) -> list[str]:
    """「青山县.xlsx 工作表“城关街道”：忽略无法识别的列 …」 as 来源 and 说明."""
    where, _, what = notice.partition("：")
    return [where, what] if what else ["", notice]


def created(stats: CountyStats) -> dt.datetime:
    """The book's creation date: the (latest) assessment date, so that a run's book does not depend on the clock."""
    day = max(stats.as_of, default="2000-01-01")
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time())


@dataclass(frozen=True, slots=True)
class ItemRow(Pickled):
    """One union's row in one standard's item sheet (`item_row`): a batch's worker makes it, so that the
    batch process receives a few hundred bytes instead of the union's full results."""

    ruleset: str
    ids: tuple[str, ...]  # the standard's items in order, and their names: the sheet's columns
    names: tuple[str, ...]
    points: dict[str, Number]  # the full points of the items that have any for this union
    cells: dict[str, int | float | None]  # empty when the standard does not apply
    score: int | float | None
    level: str
    note: str | None  # the items that do not apply, or why the standard does not


def item_row(result: RulesetResult) -> ItemRow:
    scored = result.items + result.bonus_items
    ids, names = tuple(item.id for item in scored), tuple(item.name for item in scored)
    if not result.applies:
        return ItemRow(result.ruleset.id, ids, names, {}, {}, None, NOT_APPLICABLE, f"本标准不适用：{result.gate_reason}")
    dropped = "、".join(item.name for item in scored if item.outcome == "na")
    return ItemRow(result.ruleset.id, ids, names, {item.id: item.max_points for item in scored if item.max_points},
                   {item.id: item_cell(item) for item in scored}, json_score(result.score), result.level_text, dropped or None)


def item_cell(item: ItemScore) -> int | float | None:
    """An item's points; empty when the item was dropped for this union (na: drop) — 不适用的指标 names it."""
    return None if item.outcome == "na" and not item.max_points else json_score(item.points)


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
            if cell is None or not cell.applies:  # not assessed, or the standard does not apply: no score
                cells += [None, cell.level if cell else None]
            else:
                cells += [round(cell.score, 2), cell.level]
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
    """A cell as text. Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
    leading ' (OWASP's advice); numbers stay numbers, a negative score included."""
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    return fmt_score(value) if isinstance(value, float) else str(value)
