"""Batch sources: folders of fact files, single fact files, CSV files and XLSX workbooks, as units.

`read_units` turns what an assessor names on the command line into one `Unit` per union, in a
fixed order, lazily (a 100,000-row CSV is never held in memory). YAML fact files are only
named here, and parsed later in the worker that assesses them; a spreadsheet row is read into
a `FactFile` here, its cells by `engine.facts.cells`. A source, sheet or row that cannot be read
becomes a unit with problems, so the batch reports it and goes on with the rest.
"""
from __future__ import annotations

import codecs
import csv
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from ..diagnostics import Diagnostic, Mark
from ..language.model import FactDecl
from .cells import CellError, is_blank, read_cell, read_period, read_text, read_union_type
from .fact_file import FactFile, load_fact_file

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
HEADER_WORDS = {
    "id": ("编号", "工会编号", "id", "union.id"),
    "name": ("名称", "工会名称", "name", "union.name"),
    "type": ("类型", "工会类型", "type", "union.type"),
    "county": ("县", "县(市、区)", "county", "union.county"),
    "township": ("乡镇", "乡镇(街道)", "街道", "township", "union.township"),
    "period": ("年度", "考核年度", "period"),
}
REQUIRED = {"id": "编号", "type": "类型"}
AMBIGUOUS = "?"
DELIMITERS = ",\t;"
HEADER_SEARCH = 10  # non-blank rows searched for the header, past title rows
# a damaged file: bad zip, missing part, malformed XML (ElementTree's and lxml's parse errors are SyntaxErrors)
UNREADABLE = (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, SyntaxError)


class SourceError(ValueError):
    """A source that stops being readable part-way (an undecodable line, a malformed CSV record)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One union to assess: a YAML fact file to load later, or a spreadsheet row already read."""

    origin: str                    # for messages: a file path, or e.g. "qingshan.xlsx 工作表“乡镇A” 第 5 行"
    path: str | None = None        # a YAML fact file: read later (in a worker process) with engine.facts.load_fact_file
    facts: FactFile | None = None  # a spreadsheet row, already read into a FactFile (facts as dotted paths)
    problems: tuple[Diagnostic, ...] = ()   # this union could not be read: report and skip it

    def read(self) -> FactFile:
        """The union's facts: the spreadsheet row as read, or its fact file, loaded now (in the worker)."""
        if self.facts is not None:
            return self.facts
        return load_fact_file(self.path or self.origin)


@dataclass(frozen=True, slots=True)
class Column:
    """A recognised spreadsheet column: a union header field, the period, or a declared fact."""

    index: int
    header: str
    target: str                    # "id", "name", "type", "county", "township", "period" or a fact name
    decl: FactDecl | None = None

    def read(self, raw: Any) -> Any:
        if self.decl is not None:
            return read_cell(raw, self.decl)
        if self.target == "period":
            return read_period(raw)
        return read_union_type(raw) if self.target == "type" else read_text(raw)


@dataclass(slots=True)
class Header:
    """A sheet's header row: its recognised columns, and the header texts it ignores."""

    row: int = 0
    columns: list[Column] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet of a workbook, or a CSV file (no sheet): where rows come from, for messages."""

    file: str
    sheet: str | None = None
    warned: set[str] = field(default_factory=set)  # unknown headers already warned about in this source

    def origin(self, row: int | None = None) -> str:
        parts = [self.file] + ([f"工作表“{self.sheet}”"] if self.sheet is not None else [])
        return " ".join(parts + ([f"第 {row} 行"] if row else []))

    def where(self, row: int, header: str | None = None) -> str:
        """「工作表“Sheet1”第 5 行“会员人数”列」, or without the sheet for a CSV file."""
        sheet = f"工作表“{self.sheet}”" if self.sheet is not None else ""
        return f"{sheet}第 {row} 行" + (f"“{header}”列" if header else "")


def read_units(sources: Sequence[str | Path], decls: Mapping[str, FactDecl], sheet: str | None = None,
               warn: Callable[[str], None] = lambda message: None) -> Iterator[Unit]:
    """Every union of every source, in order: sources as given, folders sorted by path, rows in sheet order.

    `decls` are the facts the rulesets declare (spreadsheet headers are their paths or labels);
    `sheet` picks one sheet of each workbook; `warn` hears about ignored columns and empty folders.
    """
    index = header_index(decls)
    for source in sources:
        yield from source_units(Path(source), decls, index, sheet, warn)


def source_units(path: Path, decls: Mapping[str, FactDecl], index: dict[str, str], sheet: str | None,
                 warn: Callable[[str], None]) -> Iterator[Unit]:
    suffix = path.suffix.lower()
    if path.is_dir():
        yield from folder_units(path, warn)
    elif not path.exists():
        yield problem_unit(str(path), Mark(str(path)), "source-unknown", f"找不到 “{path}”")
    elif suffix in YAML_SUFFIXES:
        yield Unit(str(path), path=str(path))
    elif suffix == ".csv":
        yield from csv_units(path, decls, index, warn)
    elif suffix in WORKBOOK_SUFFIXES:
        yield from workbook_units(path, decls, index, sheet, warn)
    else:
        message = f"无法识别的来源 “{path}”：应为文件夹、事实文件（.yaml/.yml）、CSV 文件或 Excel 工作簿（.xlsx；.xls 请另存为 .xlsx）"
        yield problem_unit(str(path), Mark(str(path)), "source-unknown", message)


def problem_unit(origin: str, mark: Mark, code: str, message: str) -> Unit:
    return Unit(origin, problems=(Diagnostic(mark, code, message),))


def folder_units(folder: Path, warn: Callable[[str], None]) -> Iterator[Unit]:
    """The fact files under a folder, recursively, sorted by path; hidden files and folders are skipped."""
    found = sorted(
        path for path in folder.rglob("*")
        if path.suffix.lower() in YAML_SUFFIXES and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )
    if not found:
        warn(f"文件夹 “{folder}” 中没有事实文件（.yaml/.yml）")
    for path in found:
        yield Unit(str(path), path=str(path))


def header_key(text: str) -> str:
    """Headers compare without spaces, case or full-width forms: “会员人数 ”, “（代表）” and “(代表)” match."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def header_index(decls: Mapping[str, FactDecl]) -> dict[str, str]:
    """Header key → union field, "period" or fact name; a label shared by two facts is AMBIGUOUS."""
    index: dict[str, str] = {}
    for decl in decls.values():
        key = header_key(decl.label)
        index[key] = decl.name if index.get(key, decl.name) == decl.name else AMBIGUOUS
    index.update({header_key(name): name for name in decls})
    index.update({header_key(word): target for target, words in HEADER_WORDS.items() for word in words})
    return index


def match_header(text: str, index: dict[str, str], decls: Mapping[str, FactDecl]) -> str | None:
    """The target of a header; a label followed by its unit in brackets also matches: 职工人数（人）."""
    key = header_key(text)
    if key in index:
        return index[key]
    bracketed = re.fullmatch(r"(.+)\(([^()]+)\)", key)
    if bracketed:
        target = index.get(bracketed[1], "")
        if target in decls and header_key(decls[target].unit) == bracketed[2]:
            return target
    return None


def classify_header(cells: Sequence[Any], decls: Mapping[str, FactDecl], index: dict[str, str]) -> Header:
    """The recognised columns of a candidate header row, and the headers it does not recognise."""
    header = Header()
    for position, raw in enumerate(cells):
        text = read_text(raw)
        if text is None:
            continue
        target = match_header(text, index, decls)
        if target is None or target == AMBIGUOUS:
            (header.unknown if target is None else header.ambiguous).append(text)
        else:
            header.columns.append(Column(position, text, target, decls.get(target)))
    return header


def find_header(rows: Iterable[tuple[int, Sequence[Any]]], decls: Mapping[str, FactDecl], index: dict[str, str]) -> Header | None:
    """The first row with a recognised column; rows above it are titles (「青山县2025年基层工会考核数据」)."""
    for number, cells in rows:
        header = classify_header(cells, decls, index)
        if header.columns:
            header.row = number
            return header
    return None


def warn_headers(table: Table, headers: list[str], what: str, warn: Callable[[str], None]) -> None:
    fresh = [header for header in headers if header not in table.warned]
    if fresh:
        table.warned.update(fresh)
        warn(f"{table.origin()}：{what} " + "、".join(f"“{header}”" for header in fresh))


def header_problems(columns: list[Column], table: Table, row: int) -> list[str]:
    """What makes a sheet unreadable as a whole: no 编号 or 类型 column, or one target in two columns."""
    targets = [column.target for column in columns]
    found = [f"缺少“{word}”列" for target, word in REQUIRED.items() if target not in targets]
    for target, group in itertools.groupby(sorted(columns, key=lambda c: c.target), key=lambda c: c.target):
        same = [column.header for column in group]
        if len(same) > 1:
            found.append("列 " + "、".join(f"“{header}”" for header in same) + f" 重复（都对应 {target}）")
    return [f"{table.where(row)}（表头）{problem}" for problem in found]


def table_units(rows: Iterable[Sequence[Any]], table: Table, decls: Mapping[str, FactDecl], index: dict[str, str],
                warn: Callable[[str], None]) -> Iterator[Unit]:
    """One unit per non-blank row under the header; a sheet without a recognisable header is warned about and skipped."""
    numbered = ((number, cells) for number, cells in enumerate(rows, 1) if not all(is_blank(c) for c in cells))
    first = next(numbered, None)
    if first is None:
        return
    header = find_header(itertools.chain([first], itertools.islice(numbered, HEADER_SEARCH - 1)), decls, index)
    if header is None:
        warn(f"{table.origin()}：前 {HEADER_SEARCH} 个非空行中没有可识别的表头（编号、类型或事实名称），已跳过")
        return
    warn_headers(table, header.unknown, "忽略无法识别的列", warn)
    warn_headers(table, header.ambiguous, "忽略对应多个事实的列（请改用字段路径作表头）", warn)
    problems = header_problems(header.columns, table, header.row)
    if problems:
        mark = Mark(table.file, header.row, 1)
        yield Unit(table.origin(), problems=tuple(Diagnostic(mark, "source-header", text) for text in problems))
        return
    for number, cells in numbered:
        yield row_unit(number, cells, header.columns, table)


def row_unit(number: int, cells: Sequence[Any], columns: list[Column], table: Table) -> Unit:
    """One union from one row; every unreadable cell is a diagnostic, and then the row is skipped."""
    values, marks, problems, unreadable = {}, {}, [], set()
    for column in columns:
        mark = Mark(table.file, number, column.index + 1)
        raw = cells[column.index] if column.index < len(cells) else None
        try:
            value = column.read(raw)
        except CellError as error:
            problems.append(Diagnostic(mark, "cell-value", f"{table.where(number, column.header)}：{error}"))
            unreadable.add(column.target)
            continue
        if value is not None:
            values[column.target], marks[column.target] = value, mark
    for column in columns:
        if column.target in REQUIRED and column.target not in values and column.target not in unreadable:
            mark = Mark(table.file, number, column.index + 1)
            problems.append(Diagnostic(mark, "fact-union", f"{table.where(number, column.header)}：缺少{REQUIRED[column.target]}"))
    if problems:
        return Unit(table.origin(number), problems=tuple(problems))
    return Unit(table.origin(number), facts=row_facts(number, values, marks, table))


def row_facts(number: int, values: dict[str, Any], marks: dict[str, Mark], table: Table) -> FactFile:
    union: dict[str, Any] = {key: values.pop(key) for key in ("id", "name", "type", "county", "township") if key in values}
    period = values.pop("period", None)
    return FactFile(table.file, union, period, values, {name: marks[name] for name in values}, Mark(table.file, number, 1))


def csv_units(path: Path, decls: Mapping[str, FactDecl], index: dict[str, str], warn: Callable[[str], None]) -> Iterator[Unit]:
    """The rows of a CSV file; a file that stops being readable part-way ends with a problem unit."""
    table = Table(str(path))
    try:
        with path.open("rb") as handle:
            yield from table_units(csv_rows(handle), table, decls, index, warn)
    except (SourceError, csv.Error, OSError) as error:
        yield problem_unit(table.origin(), Mark(table.file), "source-unreadable", f"无法读取：{error}")


def csv_rows(handle: Any) -> Iterator[list[str]]:
    """Records of a CSV file, decoded line by line, with the delimiter the header line uses most."""
    lines = decoded_lines(handle)
    first = next(lines, None)
    if first is None:
        return
    delimiter = max(DELIMITERS, key=first.count)
    yield from csv.reader(itertools.chain([first], lines), delimiter=delimiter)


def decoded_lines(handle: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 (a BOM is dropped) until a line is not, then GB18030 (Chinese Excel's “CSV”) from there on.

    Deciding line by line keeps the file streamed; ASCII lines read the same either way.
    """
    encoding = "utf-8"
    for number, line in enumerate(handle, 1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield line.decode(encoding)
            continue
        except UnicodeDecodeError:
            encoding = "gb18030"
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError:
            raise SourceError(f"第 {number} 行既不是 UTF-8 也不是 GB18030 编码；请另存为“CSV UTF-8”") from None


def workbook_units(path: Path, decls: Mapping[str, FactDecl], index: dict[str, str], sheet: str | None,
                   warn: Callable[[str], None]) -> Iterator[Unit]:
    """The rows of every sheet of a workbook (or of the sheet named by `sheet`), streamed."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except UNREADABLE as error:
        yield problem_unit(str(path), Mark(str(path)), "source-unreadable", f"无法读取工作簿：{error}")
        return
    try:
        yield from sheet_units(workbook, path, decls, index, sheet, warn)
    except UNREADABLE as error:
        yield problem_unit(str(path), Mark(str(path)), "source-unreadable", f"无法继续读取工作簿：{error}")
    finally:
        workbook.close()


def sheet_units(workbook: Any, path: Path, decls: Mapping[str, FactDecl], index: dict[str, str], sheet: str | None,
                warn: Callable[[str], None]) -> Iterator[Unit]:
    sheets = [ws for ws in workbook.worksheets if sheet is None or ws.title.strip() == sheet.strip()]
    if not sheets:
        names = "、".join(f"“{name}”" for name in workbook.sheetnames)
        yield problem_unit(str(path), Mark(str(path)), "source-sheet", f"工作簿 “{path}” 中没有工作表 “{sheet}”（现有：{names}）")
    warned: set[str] = set()
    for worksheet in sheets:
        worksheet.reset_dimensions()  # read every row even if the file understates its size
        yield from table_units(worksheet.iter_rows(values_only=True), Table(str(path), worksheet.title, warned), decls, index, warn)
