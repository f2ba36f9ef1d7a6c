"""The workbook form of the blank fact file: one row per union, one column per fact.

The 填报 sheet has the union header columns (编号 名称 类型 县 乡镇（街道） 年度) and one column
per declared fact, headed by its Chinese label and unit as engine.sources recognises them,
with drop-down lists for 是/否, choices and union types, and a prompt on every column. The
填表说明 sheet explains each column; no cell of it is a recognisable header (header texts
are quoted), so `batch` skips that sheet with a note and reads the 填报 sheet.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from ..atomic import atomic_path
from ..diagnostics import display_width
from ..language.model import FactDecl, Ruleset
from ..language.vocabulary import UNION_TYPES
from .blank_form import PERIOD_HELP, UNION_HEADER, bounds_text, choices_text, kind_text, ruleset_titles, template_facts
from .fact_file import merged_declarations
from .sources import GUIDE_SHEET, header_index, match_header

DATA_SHEET = "填报"
ROWS = 5000  # rows that get drop-down lists and prompts
BOOLEAN_CHOICES = ("是", "否")
LIST_LIMIT = 255  # Excel's limit on a drop-down list written inline
HEADER = {"bold": True, "bg_color": "#F3F5F7", "text_wrap": True, "valign": "top", "border": 1}
WRAP = {"text_wrap": True, "valign": "top"}
CELL_FORMATS = {"text": {"num_format": "@"}, "date": {"num_format": "yyyy-mm-dd"}, "percent": {"num_format": "0.0%"}}
GUIDE_COLUMNS = (("位置", 8), ("表头", 34), ("数据类型", 10), ("单位", 8), ("可填写的值", 30), ("说明", 60))


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of the 填报 sheet, and what the 填表说明 sheet says about it."""

    header: str
    kind: str
    unit: str = ""
    allowed: str = ""
    note: str = ""
    choices: tuple[str, ...] = ()
    cell_format: str = ""  # a key of CELL_FORMATS, or "" for Excel's default


def union_columns() -> list[ColumnSpec]:
    """编号, 名称, 类型, 县, 乡镇（街道）, then 年度."""
    types = tuple(UNION_TYPES.values())
    columns = [ColumnSpec(name, "文本", note=note, cell_format="text" if key == "id" else "") for key, name, note in UNION_HEADER]
    columns[2] = ColumnSpec("类型", "选项", allowed="、".join(types), note="必填，从下拉列表选择", choices=types)
    return columns + [ColumnSpec("年度", "整数", allowed="如 2025", note=PERIOD_HELP)]


def fact_column(decl: FactDecl, decls: dict[str, FactDecl], index: dict[str, str]) -> ColumnSpec:
    """A fact's column: headed by its label and unit (or what else `batch` recognises as this fact)."""
    choices = BOOLEAN_CHOICES if decl.type == "boolean" else tuple(decl.shown(value) for value in decl.values)
    unit = "" if decl.unit == "%" else decl.unit
    header = header_text(decl, decls, index)
    return ColumnSpec(header, kind_text(decl), unit, allowed_text(decl), note_text(decl), choices, cell_format(decl))


def header_text(decl: FactDecl, decls: dict[str, FactDecl], index: dict[str, str]) -> str:
    """「职工人数（人）」, else the bare label, else the fact's path: the first `batch` reads as this fact."""
    candidates = ([f"{decl.label}（{decl.unit}）"] if decl.unit else []) + [decl.label, decl.name]
    return next(text for text in candidates if match_header(text, index, decls) == decl.name)


def allowed_text(decl: FactDecl) -> str:
    """What a cell may hold, in the words of engine.cells."""
    if decl.type == "boolean":
        return "是、否（也可填 有/无、√/×）"
    if decl.type == "enum":
        return choices_text(decl)
    if decl.type == "date":
        return "如 2023-05-12、2023年5月12日"
    if decl.type == "list":
        return "按顺序填写，用逗号或顿号隔开，如 1,0,2,1"
    bounds = bounds_text(decl, percent=decl.unit == "%")
    written = "如 95% 或 0.95" if decl.unit == "%" else ""
    return "；".join(text for text in (bounds, written) if text)


def note_text(decl: FactDecl) -> str:
    return "；".join(text for text in (decl.description, f"字段 {decl.name}") if text)


def cell_format(decl: FactDecl) -> str:
    if decl.type == "date":
        return "date"
    if decl.unit == "%":
        return "percent"
    return "text" if decl.type in ("list", "string") else ""


def workbook_columns(rulesets: list[Ruleset]) -> list[ColumnSpec]:
    decls = merged_declarations(rulesets)
    index = header_index(decls)
    return union_columns() + [fact_column(decl, decls, index) for decl in template_facts(rulesets)]


UNDATED = dt.datetime(2000, 1, 1)  # the template's creation date: not the clock's (summary.xlsx takes the assessment date)


def write_workbook_template(rulesets: list[Ruleset], path: str | Path) -> int:
    """Write the template workbook atomically; returns the number of columns."""
    columns = workbook_columns(rulesets)
    with atomic_path(path) as temporary:
        book = Workbook(str(temporary))
        book.set_properties({"created": UNDATED})  # the same rulesets give the same book, whenever it is written
        write_data_sheet(book, book.add_worksheet(DATA_SHEET), columns)
        write_guide_sheet(book, book.add_worksheet(GUIDE_SHEET), columns, rulesets)
        book.close()
    return len(columns)


def write_data_sheet(book: Workbook, sheet: Worksheet, columns: list[ColumnSpec]) -> None:
    """The header row (frozen with 编号 and 名称), widths, cell formats, drop-downs and prompts."""
    header = book.add_format(HEADER)
    formats = {key: book.add_format(spec) for key, spec in CELL_FORMATS.items()}
    sheet.set_row(0, 48)
    sheet.freeze_panes(1, 2)
    for number, column in enumerate(columns):
        sheet.write_string(0, number, column.header, header)
        width = min(max(display_width(column.header) / 2 + 2, 10), 24)  # long headers wrap onto 2–3 lines
        sheet.set_column(number, number, width, formats.get(column.cell_format))
        sheet.data_validation(1, number, ROWS, number, validation(column))


def validation(column: ColumnSpec) -> dict:
    """A drop-down list when the column has choices that fit, otherwise only the prompt."""
    prompt = "；".join(text for text in (column.kind, column.unit and f"单位 {column.unit}", column.allowed, column.note) if text)
    rule: dict = {"validate": "any", "input_title": column.header[:32], "input_message": prompt[:LIST_LIMIT]}
    if column.choices and len(",".join(column.choices)) <= LIST_LIMIT:
        choices = "、".join(column.choices)
        rule.update(validate="list", source=list(column.choices), error_title="请从下拉列表选择", error_message=f"请填 {choices} 之一"[:LIST_LIMIT])
    return rule


def write_guide_sheet(book: Workbook, sheet: Worksheet, columns: list[ColumnSpec], rulesets: list[Ruleset]) -> None:
    """General instructions, then one row per column of the 填报 sheet."""
    title, header, wrap = book.add_format({"bold": True, "font_size": 14}), book.add_format(HEADER), book.add_format(WRAP)
    running = book.add_format({"text_wrap": False})  # a note runs on across the empty cells to its right
    sheet.write_string(0, 0, "填表说明", title)
    notes = guide_notes(rulesets)
    for row, text in enumerate(notes, 1):
        sheet.write_string(row, 0, text, running)
    top = len(notes) + 2
    for number, (name, width) in enumerate(GUIDE_COLUMNS):
        sheet.set_column(number, number, width, wrap)
        sheet.write_string(top, number, name, header)
    for row, column in enumerate(columns, top + 1):
        cells = (f"{xl_col_to_name(row - top - 1)} 列", f"“{column.header}”", column.kind, column.unit, column.allowed, column.note)
        sheet.write_row(row, 0, cells)


def guide_notes(rulesets: list[Ruleset]) -> list[str]:
    return [
        f"规则集：{ruleset_titles(rulesets)}",
        "1. 在“填报”工作表中每行填写一个工会，第 1 行是表头，请不要修改表头文字；可以在右边增加“备注”等列，评估时忽略。",
        "2. “编号”“类型”两列必填；“年度”不填时，评估时须用 --as-of 指定评估日期。",
        "3. 是/否列、选项列和“类型”列从下拉列表选择；数字列只填数字，可带本列的单位（如 230人），金额可写 12.5万元。",
        "4. 比例列填 95% 或 0.95；日期填 2023-05-12 或 2023年5月12日；列表按顺序填写，用逗号或顿号隔开，如 1,0,2,1。",
        "5. 没有资料的单元格留空（按“无资料不得分”处理，并提示补充资料），不适用的也留空；“无”在是/否列中表示“否”。",
        "6. 填好后批量评估：unionscore batch 本工作簿.xlsx --out 输出目录（评估时跳过本工作表）。",
    ]
