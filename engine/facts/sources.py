"""Batch sources: folders of fact files, single fact files, CSV files and XLSX workbooks, as units.

`read_units` turns what an assessor names on the command line into one `Unit` per union, in a
fixed order, lazily (a 100,000-row CSV is never held in memory). YAML fact files are only
named here, and parsed later in the worker that assesses them; a spreadsheet row is read into
a `FactFile` here, its cells by `engine.facts.cells`, a workbook's rows by
`engine.facts.workbook` (openpyxl and polars are imported where a workbook or Parquet file is
read: reading a CSV or fact files does not load them). A source, sheet or row that cannot be
read becomes a unit with problems, so the batch reports it and goes on with the rest. Nothing is
dropped without a word: columns no ruleset reads are named (`Reading.warn`), and a column that
resembles a fact's name without matching it is a mistake found before any union is graded
(`header_mistakes`).
`read_union` is the one-union path: a fact file, or one row of a spreadsheet picked by its id.
"""
from __future__ import annotations

import codecs
import csv
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, InvalidInput, Mark, UsageError
from ..language.model import FactDecl
from .cells import (
    CellError,
    decoded,
    fold,
    is_blank,
    one_value,
    read_cell,
    read_period,
    read_text,
    read_union_id,
    read_union_type,
    shown,
    text_if_utf8,
    unit_names,
)
from .excel import MAX_CELL, SHOWN_AT_MOST, Formula, Spanned, WorkbookError
from .fact_file import FactFile, bundled_declarations, load_fact_file
from .names import MISSING_RESEMBLES, closest, name_key

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
PARQUET = ".parquet"
TABLE_SUFFIXES = (".csv", PARQUET, *WORKBOOK_SUFFIXES)  # sources read as tables, a union a row
SPREADSHEETS_NOT_READ = (".xls", ".et", ".ods")  # workbooks to save again as .xlsx
OTHER_TABLES = (*SPREADSHEETS_NOT_READ, ".txt", ".tsv")  # tables in a form not read: told, never skipped unsaid
HEADER_WORDS = {
    "id": ("编号", "工会编号", "id", "union.id"),
    "name": ("名称", "工会名称", "name", "union.name"),
    "type": ("类型", "工会类型", "type", "union.type"),
    "city": ("市", "市(州)", "地市", "city", "union.city"),
    "county": ("县", "县(市、区)", "county", "union.county"),
    "township": ("乡镇", "乡镇(街道)", "街道", "township", "union.township"),
    "period": ("年度", "考核年度", "period"),
}
REQUIRED = {"id": "编号", "type": "类型"}
UNION_FIELDS = ("id", "name", "type", "city", "county", "township")  # the columns that go to a union's header
AMBIGUOUS = "?"
DELIMITERS = ",\t;"
TOTAL_ROWS = frozenset({"合计", "总计", "小计", "共计", "总合计", "合计数"})
FOOTER_LABELS = frozenset({"填表人", "填报人", "审核人", "负责人", "联系人", "联系电话", "填表日期", "填报日期", "制表人", "注",
                           "备注", "说明", "填表说明"})
MARK_CHARACTERS = "计:：﹕︓⩴"  # one of them is in every 合计 word, and in every footer (a colon once NFKC-folded)
HEADER_SEARCH = 10  # non-blank rows searched for the header, past title rows
UNDER_HEADER = 20  # non-blank rows under a CSV's header that say whether it lacks a column (`short_header`)
BARE_CR = re.compile(rb"(?<=\r)(?!\n)")  # after a carriage return that no line feed follows
REMEMBERED_CELLS = 50_000  # distinct fact cells a table's reading keeps (`read_once`)
CONTENT_PEEK = 4096  # the first bytes of a .csv file that say whether it is text in UTF-8 or GB18030 (`csv_content`)
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook (a zip)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: an .xls, or an encrypted .xlsx
GUIDE_SHEET = "填表说明"  # the instructions sheet of the form `unionscore template --format xlsx` writes
OUTPUT_MARKER = ".unionscore-output"  # a batch output folder (engine/batch/output_folder.py): never a source


class UnreadableRow(list):
    """A CSV record that could not be decoded or parsed: it costs only its own row."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


@dataclass(frozen=True, slots=True)
class Unit:
    """One union to assess: a YAML fact file to load later, or a spreadsheet row already read."""

    origin: str                    # for messages: a file path, or e.g. "qingshan.xlsx 工作表“乡镇A” 第 5 行"
    path: str | None = None        # a YAML fact file: read later (in a worker process) with engine.facts.load_fact_file
    facts: FactFile | None = None  # a spreadsheet row, already read into a FactFile (facts as dotted paths)
    problems: tuple[Diagnostic, ...] = ()   # this union could not be read: report and skip it
    read_id: str | None = None     # the id of a row that could not be read, when its 编号 cell could

    @property
    def union_id(self) -> str | None:
        """The union's id when known without reading its file: a spreadsheet row's, even one with problems."""
        return self.facts.union.get("id") if self.facts is not None else self.read_id

    def read(self) -> FactFile:
        """The union's facts: the spreadsheet row as read, or its fact file, loaded now (in the worker)."""
        if self.facts is not None:
            return self.facts
        return load_fact_file(self.path or self.origin)


@dataclass(frozen=True)
class Reading:
    """How sources are read: the declared facts, which sheet, hidden parts, and who hears notices."""

    decls: Mapping[str, FactDecl]
    sheet: str | None = None
    include_hidden: bool = False
    warn: Callable[[str], None] = lambda message: None
    unused: frozenset[str] = frozenset()  # columns the user says are not facts though they resemble one
    index: dict[str, str] = field(default_factory=dict)
    others: dict[str, str] = field(default_factory=dict)  # the facts of bundled standards not in this run

    def __post_init__(self) -> None:
        self.index.update(header_index(self.decls))
        self.others.update(header_index({n: d for n, d in bundled_declarations().items() if n not in self.decls}))


@dataclass(frozen=True, slots=True)
class Column:
    """A recognised spreadsheet column: a union header field, the period, or a declared fact."""

    index: int
    header: str
    target: str                    # one of UNION_FIELDS, "period" or a fact name
    decl: FactDecl | None = None

    def read(self, raw: Any) -> Any:
        raw = decoded(raw)
        if isinstance(raw, Formula):
            raise CellError(f"单元格是公式 “{raw}”，但工作簿里没有保存它的计算结果：请用 Excel 或 WPS 打开这个工作簿、"
                            "保存后再评估（或把公式改为数值）")
        if isinstance(raw, Spanned):
            raise CellError(f"单元格在横跨多列的合并单元格 {raw.ref} 中，其中的“{raw}”只能属于其中一列：请取消合并，在各列分别填写")
        if isinstance(raw, str) and len(raw) > MAX_CELL:
            raise CellError(f"内容有 {len(raw)} 个字符，超过 Excel 单元格 {MAX_CELL} 个字符的上限")
        if self.decl is not None:
            return read_cell(raw, self.decl)
        if self.target == "period":
            return read_period(raw)
        if self.target == "type":
            return read_union_type(raw)
        if self.target == "id":
            return read_union_id(raw)
        one_value(raw, "文字")
        return read_text(raw)


@dataclass(slots=True)
class Header:
    """A sheet's header row: its recognised columns, the header texts it ignores, and those that
    resemble a fact's name or label without matching it (text → what it resembles)."""

    row: int = 0
    cells: tuple[Any, ...] = ()  # the row as written
    columns: list[Column] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # header text → column index
    resembling: dict[str, str] = field(default_factory=dict)


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


Rows = Iterator[tuple[int, Sequence[Any]]]  # (row number as the user sees it, cells)


def read_units(sources: Sequence[str | Path], decls: Mapping[str, FactDecl], sheet: str | None = None,
               warn: Callable[[str], None] = lambda message: None, include_hidden: bool = False) -> Iterator[Unit]:
    """Every union of every source, in order: sources as given, folders sorted by path, rows in sheet order.

    `decls` are the facts the rulesets declare (spreadsheet headers are their paths or labels);
    `sheet` picks one sheet of each workbook; `warn` hears about ignored columns, hidden parts
    skipped and empty folders.
    """
    yield from units_of(sources, Reading(decls, sheet, include_hidden, warn))


def check_read_once(sources: Sequence[str | Path]) -> None:
    """No source named twice, nor one inside a folder also named: each of its unions would be read twice, and
    each second reading reported as repeating the first (engine/facts/union_ids.py)."""
    named: list[tuple[str, Path]] = []
    for number, source in enumerate(map(Path, sources), 1):
        path, said = source.resolve(), f"第 {number} 个来源 {source}"
        for other, resolved in named:
            if path == resolved:
                raise UsageError(f"{said} 与{other} 是同一个文件，其中的工会会被读两次；请只给一次")
            if path.is_relative_to(resolved) or resolved.is_relative_to(path):
                inner, outer = (said, other) if path.is_relative_to(resolved) else (other, said)
                raise UsageError(f"{inner} 在{outer} 之中，其中的工会会被读两次；请只给一次")
        named.append((said, path))


def units_of(sources: Sequence[str | Path], reading: Reading) -> Iterator[Unit]:
    for source in sources:
        yield from source_units(Path(source), reading)


def source_units(path: Path, reading: Reading) -> Iterator[Unit]:
    suffix = path.suffix.lower()
    if path.is_dir():
        yield from folder_units(path, reading.warn)
    elif not path.exists():
        yield problem_unit(str(path), Mark(str(path)), "source-unknown", f"找不到 “{path}”")
    elif suffix in YAML_SUFFIXES:
        yield Unit(str(path), path=str(path))
    elif suffix in TABLE_SUFFIXES:
        yield from tabular_units(path, reading)
    else:
        message = (f"无法识别的来源 “{path}”：应为文件夹、事实文件（.yaml/.yml）、CSV 文件、Parquet 文件或 Excel 工作簿"
                   "（.xlsx；.xls 请另存为 .xlsx）")
        yield problem_unit(str(path), Mark(str(path)), "source-unknown", message)


def not_followed(path: Path) -> str:
    """Why an entry of a fact folder that may hold fact files is not read: a link to a folder (not followed:
    it may lead back up, or to a folder also listed), a link to nothing, a fact file that is not a file (a
    named pipe); empty for anything else."""
    if path.is_symlink() and path.is_dir():
        return "指向文件夹的链接，不跟随"
    if path.is_symlink() and not path.exists():
        return "链接指向的文件不存在"
    if path.suffix.lower() in YAML_SUFFIXES and not path.is_file() and not path.is_dir():
        return "不是普通文件"
    return ""


def problem_unit(origin: str, mark: Mark, code: str, message: str) -> Unit:
    return Unit(origin, problems=(Diagnostic(mark, code, message),))


def folder_units(folder: Path, warn: Callable[[str], None]) -> Iterator[Unit]:
    """The fact files under a folder, recursively, sorted by path; hidden files and folders, and
    unionscore's own output folders, are skipped."""
    outputs = [marker.parent for marker in folder.rglob(OUTPUT_MARKER)]
    entries = sorted(
        path for path in folder.rglob("*")
        if not any(part.startswith(".") for part in path.relative_to(folder).parts) and not any(output in path.parents for output in outputs)
    )
    files = [path for path in entries if path.is_file()]
    found = [path for path in files if path.suffix.lower() in YAML_SUFFIXES]
    unread = [(path, why) for path in entries if (why := not_followed(path))]
    if unread:
        listed = "、".join(f"“{path.relative_to(folder)}”（{why}）" for path, why in unread[:SHOWN_AT_MOST])
        warn(f"文件夹 “{folder}” 中的 {listed}{f' 等 {len(unread)} 项' if len(unread) > SHOWN_AT_MOST else ''} 未读取"
             "；链接的文件夹可以直接作为来源列出")
    tabular = [path for path in files if path.suffix.lower() in TABLE_SUFFIXES + OTHER_TABLES and not path.name.startswith("~$")]
    if not found:
        warn(f"文件夹 “{folder}” 中没有事实文件（.yaml/.yml）")
    if tabular:
        listed = "、".join(f"“{path.name}”" for path in tabular[:5]) + (f" 等 {len(tabular)} 个" if len(tabular) > 5 else "")
        warn(f"文件夹 “{folder}” 中的表格 {listed} 未读取（文件夹只读事实文件）：请把表格直接作为来源列出，"
             f"如 unionscore batch {tabular[0]} …（.xls、.et、.txt 等请先另存为 .xlsx 或 CSV）")
    for path in entries:
        if path.is_dir() and not path.is_symlink() and not os.access(path, os.R_OK | os.X_OK):
            yield problem_unit(str(path), Mark(str(path)), "file-unreadable", "无法读取这个文件夹：没有访问权限，其中的事实文件都未评估")
    for path in found:
        yield Unit(str(path), path=str(path))


# --- headers ---------------------------------------------------------------------------------------

def header_key(text: str) -> str:
    """Headers compare without spaces, case, full-width forms or invisible characters:
    “会员人数 ”, “（代表）” and “(代表)” match."""
    return name_key(text)


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
    """The target of a header; a label followed by its unit in brackets also matches: 职工人数（人）, 职工人数（名）."""
    key = header_key(text)
    if key in index:
        return index[key]
    bracketed = re.fullmatch(r"(.+)\(([^()]+)\)", key)
    if bracketed:
        target = index.get(bracketed[1], "")
        unit = decls[target].unit if target in decls else ""
        if unit and (bracketed[2] == header_key(unit) or bracketed[2] in unit_names(unit)):
            return target
    return None


def resembles(text: str, decls: Mapping[str, FactDecl], absent: Iterable[str] = ()) -> str | None:
    """The fact label or path (or union field word) a header resembles, e.g. 「职工人数数」 → 职工人数; more
    loosely, a fact the table has no column for (`absent`): 「职工总数」 → 职工人数."""
    stem = re.sub(r"[(（][^()（）]*[)）]$", "", text) or text
    names = [name for decl in decls.values() for name in (decl.label, decl.name)]
    missing = [name for fact in absent for name in (decls[fact].label, decls[fact].name)]
    return closest(stem, names + [w for words in HEADER_WORDS.values() for w in words]) or closest(stem, missing, MISSING_RESEMBLES)


def classify_header(cells: Sequence[Any], reading: Reading) -> Header:
    """The recognised columns of a candidate header row, and the headers it does not recognise."""
    header = Header(cells=tuple(cells))
    for position, raw in enumerate(cells):
        text = read_text(raw)
        if text is None:
            continue
        header.positions.setdefault(text, position)
        target = match_header(text, reading.index, reading.decls)
        if target is None and match_header(text, reading.others, bundled_declarations()):
            continue  # a fact of a standard not assessed in this run (`--ruleset zhijia` on a full workbook)
        if target is None or target == AMBIGUOUS:
            (header.unknown if target is None else header.ambiguous).append(text)
        else:
            header.columns.append(Column(position, text, target, reading.decls.get(target)))
    if header.columns:
        absent = set(reading.decls) - {column.target for column in header.columns}
        like = {text: resembles(text, reading.decls, absent) for text in header.unknown if text not in reading.unused}
        header.resembling = {text: found for text, found in like.items() if found}
    return header


def find_header(rows: Iterable[tuple[int, Sequence[Any]]], reading: Reading) -> Header | None:
    """The first row with a recognised column; rows above it are titles (「青山县2025年基层工会考核数据」)."""
    for number, cells in rows:
        header = classify_header(cells, reading)
        if header.columns:
            header.row = number
            return header
    return None


def sheet_header(numbered: Rows, reading: Reading) -> tuple[Header | None, Rows]:
    """The sheet's header and the rows under it. A header of two rows (group titles such as 「有班子」 above
    the facts, 编号 and 类型 merged down both rows) is read as one: each column named by its lower cell,
    else its upper one. The lower row is taken as part of the header when it names more facts than the upper."""
    header = find_header(itertools.islice(numbered, HEADER_SEARCH), reading)
    below = next(numbered, None) if header is not None else None
    if header is None or below is None:
        return header, numbered
    if isinstance(below[1], UnreadableRow):  # never part of the header: the first union's row, reported as any other
        return header, itertools.chain([below], numbered)
    number, cells = below
    lower = classify_header(cells, reading)
    if sum(c.decl is not None for c in lower.columns) <= max(1, sum(c.decl is not None for c in header.columns)):
        return header, itertools.chain([below], numbered)
    joined = [low if not is_blank(low) else high for high, low in itertools.zip_longest(header.cells, cells)]
    merged = classify_header(joined, reading)
    merged.row = number
    return merged, numbered


def warn_headers(table: Table, headers: list[str], what: str, warn: Callable[[str], None]) -> None:
    fresh = [header for header in headers if header not in table.warned]
    if fresh:
        table.warned.update(fresh)
        warn(f"{table.origin()}：{what} " + "、".join(f"“{header}”" for header in fresh))


def warn_ignored(table: Table, header: Header, warn: Callable[[str], None]) -> None:
    """Tell of the header's columns that are not read: unrecognised ones, and labels two facts share."""
    warn_headers(table, header.unknown, "忽略无法识别的列", warn)
    warn_headers(table, header.ambiguous, "忽略对应多个事实的列（请改用字段路径作表头）", warn)


def header_problems(columns: list[Column], table: Table, row: int) -> list[str]:
    """What makes a sheet unreadable as a whole: no 编号 or 类型 column, or one target in two columns."""
    targets = [column.target for column in columns]
    found = [f"缺少“{word}”列" for target, word in REQUIRED.items() if target not in targets]
    for target, group in itertools.groupby(sorted(columns, key=lambda c: c.target), key=lambda c: c.target):
        same = list(group)
        if len(same) > 1:
            found.append("、".join(f"{column_letter(c.index)} 列“{c.header}”" for c in same) + f" 重复（都对应 {target}），请删去多余的一列")
    return [f"{table.where(row)}（表头）{problem}" for problem in found]


def header_mistakes(sources: Sequence[str | Path], reading: Reading) -> list[Diagnostic]:
    """Columns that resemble a fact's name without matching it (「职工人数数」), in every spreadsheet
    source: found before any union is graded, since reading on would leave that fact 缺资料 for all."""
    quiet = replace(reading, warn=lambda message: None, index={}, others={})
    found = []
    for source in sources:
        path = Path(source)
        if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES:
            try:
                for table, rows in tables(path, quiet):
                    header, _ = sheet_header(nonblank(rows), quiet)
                    if header is not None:
                        found += [resembling(table, header, text, like, quiet) for text, like in header.resembling.items()]
            except unreadable():
                continue  # reported when the source is read
    return found


def resembling(table: Table, header: Header, text: str, like: str, reading: Reading) -> Diagnostic:
    decl = next((d for d in reading.decls.values() if like in (d.label, d.name)), None)
    meant = f"“{decl.label}”（{decl.name}）" if decl else f"“{like}”"
    message = (f"{table.where(header.row, text)}（表头）不是任何事实的名称，是否指 {meant}？请改正表头；"
               f"若这一列确实不是考核数据，请加 --unused-column “{text}”")
    return Diagnostic(Mark(table.file, header.row, header.positions[text] + 1), "source-column", message, "error", len(text))


# --- rows ------------------------------------------------------------------------------------------

def nonblank(rows: Rows) -> Rows:
    return ((number, cells) for number, cells in rows if not blank_row(cells))


def blank_row(cells: Sequence[Any]) -> bool:
    """A row with nothing in it (spaces and placeholders such as `—` count as nothing): not a union,
    whichever reader meets it. A row that could not be read is never blank."""
    return not isinstance(cells, UnreadableRow) and all(is_blank(cell) for cell in cells)


def table_units(rows: Rows, table: Table, reading: Reading, headless: list[Table]) -> Iterator[Unit]:
    """One unit per non-blank row under the header. A table without a recognisable header is added to `headless`;
    a workbook's sheet is also told as skipped (the unions may be on its other sheets)."""
    numbered = nonblank(rows)
    first = next(numbered, None)
    if first is None:  # an empty sheet
        return
    header, numbered = sheet_header(itertools.chain([first], numbered), reading)
    if header is None:
        headless.append(table)
        if table.sheet is not None:
            reading.warn(f"{table.origin()}：前 {HEADER_SEARCH} 个非空行中没有可识别的表头（编号、类型或事实名称），已跳过")
        return
    warn_ignored(table, header, reading.warn)
    first_rows = list(itertools.islice(numbered, UNDER_HEADER))
    numbered = itertools.chain(first_rows, numbered)
    problems = header_problems(header.columns, table, header.row) + short_header(header, first_rows, table)
    if problems:
        mark = Mark(table.file, header.row, 1)
        yield Unit(table.origin(), problems=tuple(Diagnostic(mark, "source-header", text) for text in problems))
        return
    seen: dict[tuple, tuple[Any, str]] = {}
    unheaded = Unheaded.of(header, table)
    for number, cells in numbered:
        unheaded.look(number, cells)
        if union_row(cells, table, number, reading.warn):
            yield row_unit(number, cells, header, table, seen)
    unheaded.tell(table, reading.warn)


def union_row(cells: Sequence[Any], table: Table, number: int, tell: Callable[[str], None]) -> bool:
    """Whether row `number` of `table` holds a union, wherever a table is read row by row: a blank line
    does not (nothing said), nor does a 合计 row or a footer (told, naming the row)."""
    if blank_row(cells):
        return False
    other = not_a_union(cells)
    if other:
        tell(skipped_row(table.origin(number), other))
    return not other


def not_a_union(cells: Sequence[Any]) -> str:
    """What a row under a county's table is when it is not a union: its 合计 (or 小计 …) row, or a footer
    such as 「填表人：张三」 or 「注：…」; empty for a union's row (or an unreadable one)."""
    if isinstance(cells, UnreadableRow):
        return ""
    first = next((shown(cell) for cell in cells if not is_blank(cell)), "")
    squeezed = "".join(first.split())
    if squeezed in TOTAL_ROWS:
        return f"“{first}”是合计行"
    label, colon, _ = fold(squeezed).partition(":")  # a full-width colon folds to ":"
    return f"“{first}”是表尾说明" if colon and label in FOOTER_LABELS else ""


def skipped_row(origin: str, what: str) -> str:
    """「qingshan.xlsx 工作表“乡镇A” 第 40 行：“合计”是合计行，不是工会，已跳过」."""
    return f"{origin}：{what}，不是工会，已跳过"


def row_unit(number: int, cells: Sequence[Any], header: Header, table: Table, seen: dict | None = None) -> Unit:
    """One union from one row; every unreadable cell is a diagnostic, and then the row is skipped, as is a CSV
    record that runs past its header (`misaligned`). `seen`: the fact cells already read in this table (`read_once`)."""
    if isinstance(cells, UnreadableRow):
        return problem_unit(table.origin(number), Mark(table.file, number, 1), "source-unreadable", f"{table.where(number)}：{cells.message}")
    columns = header.columns
    values, places, problems, unreadable = {}, {}, [], set()
    for column in columns:
        raw = cells[column.index] if column.index < len(cells) else None
        try:
            value = column.read(raw) if seen is None else read_once(column, raw, seen)
        except CellError as error:
            mark = Mark(table.file, number, column.index + 1)
            problems.append(Diagnostic(mark, "cell-value", f"{table.where(number, column.header)}：{error}"))
            unreadable.add(column.target)
            continue
        if value is not None:
            values[column.target], places[column.target] = value, column.index + 1
    for column in columns:
        if column.target in REQUIRED and column.target not in values and column.target not in unreadable:
            mark = Mark(table.file, number, column.index + 1)
            problems.append(Diagnostic(mark, "fact-union", f"{table.where(number, column.header)}：缺少{REQUIRED[column.target]}"))
    past = misaligned(number, cells, len(header.cells), table)
    if past is not None:  # its cells' problems would follow from it
        problems = [past]
    if problems:
        return Unit(table.origin(number), problems=tuple(problems), read_id=values.get("id"))
    return Unit(table.origin(number), facts=row_facts(number, values, places, table))


def misaligned(number: int, cells: Sequence[Any], width: int, table: Table) -> Diagnostic | None:
    """A CSV record with something right of its header's last cell: its cells may have moved (a comma in
    「1,200」 makes two cells of one), so none of them can be trusted. In a workbook such a cell is in a
    column of its own, without a header (`Unheaded`); a Parquet row is as wide as its header."""
    past = past_header(cells, width, table)
    if not past:
        return None
    more = f"等 {len(past)} 个单元格" if len(past) > 1 else ""
    message = (f"{table.where(number)}：表头只有 {width} 列，这一行的第 {past[0] + 1} 个单元格“{shown(cells[past[0]])}”{more}"
               "不在任何表头之下。这一行可能错了位（例如数字中的逗号把“1,200”分成了两个单元格），未计入；请检查这一行，"
               "若是表头少写了一列，请补上表头")
    return Diagnostic(Mark(table.file, number, past[0] + 1), "source-misaligned", message)


def past_header(cells: Sequence[Any], width: int, table: Table) -> list[int]:
    """The cells of a CSV record right of its header's last cell that hold something."""
    return [index for index in range(width, len(cells)) if not is_blank(cells[index])] if table.sheet is None else []


def short_header(header: Header, first_rows: Sequence[tuple[int, Sequence[Any]]], table: Table) -> list[str]:
    """A CSV header that lacks a column: most unions in the first non-blank rows under it run past its last cell.
    A header cell deleted (or never written) moves every later column under the wrong fact in every row, so the
    table is refused as a whole rather than row by row (`misaligned`), whichever batch reads it."""
    unions = [cells for _, cells in first_rows if not isinstance(cells, UnreadableRow) and not not_a_union(cells)]
    width = len(header.cells)
    past = sum(bool(past_header(cells, width, table)) for cells in unions)
    if 2 * past <= len(unions):
        return []
    return [f"{table.where(header.row)}（表头）只有 {width} 列，而其下的前 {len(unions)} 个工会中有 {past} 个在第 {width} 列之后还有内容："
            "表头很可能少写了一列，从那一列起各列的内容都对错了表头，整张表未评估；请补上缺少的表头后重新评估"]


def csv_short_header(path: Path, reading: Reading) -> list[str]:
    """`short_header` of a CSV file, read as a county batch reads it: the province and `diff --facts` ask
    before reading it in bulk. Nothing for any other source (a Parquet row is as wide as its header)."""
    if path.suffix.lower() != ".csv":
        return []
    header, first_rows = csv_head(path, reading)
    return [] if header is None else short_header(header, first_rows, Table(str(path)))


def csv_head(path: Path, reading: Reading) -> tuple[Header | None, list[tuple[int, Sequence[Any]]]]:
    """A CSV file's header as a county batch finds it (past title rows; None when none is found), and the first
    `UNDER_HEADER` non-blank rows under it; nothing is told."""
    with path.open("rb") as handle:
        header, rows = sheet_header(nonblank(csv_rows(handle)), replace(reading, warn=lambda message: None))
        return header, list(itertools.islice(rows, UNDER_HEADER))


@dataclass
class Unheaded:
    """The cells of a table's columns without a header: under a blank header cell, or in a workbook right of
    the header's last cell. They are not read; `tell` names each such column that held something, and its rows."""

    blank: tuple[int, ...]  # the header's blank cells
    width: int | None  # a workbook's header width; None for a CSV record (`misaligned`) or a Parquet row
    rows: dict[int, list[int]] = field(default_factory=dict)  # column → the first rows with something in it
    counts: dict[int, int] = field(default_factory=dict)

    @classmethod
    def of(cls, header: Header, table: Table) -> Unheaded:
        blank = tuple(index for index, cell in enumerate(header.cells) if read_text(cell) is None)
        return cls(blank, len(header.cells) if table.sheet is not None else None)

    def look(self, number: int, cells: Sequence[Any]) -> None:
        past = range(self.width, len(cells)) if self.width is not None else ()
        for index in itertools.chain(self.blank, past):
            if index < len(cells) and not is_blank(cells[index]):
                self.found(index, number)

    def found(self, index: int, number: int) -> None:
        self.counts[index] = self.counts.get(index, 0) + 1
        if len(rows := self.rows.setdefault(index, [])) < SHOWN_AT_MOST:
            rows.append(number)

    def tell(self, table: Table, warn: Callable[[str], None]) -> None:
        for index in sorted(self.rows):
            warn(unheaded_text(table.origin(), index, self.rows[index], self.counts[index]))


def unheaded_text(origin: str, index: int, rows: list[int], count: int) -> str:
    """「county.csv：F 列没有表头，其中的内容未读取（第 3、5 行，共 2 行）；…」, whichever batch reads the table."""
    more = "等" if count > len(rows) else ""
    return f"{origin}：{column_letter(index)} 列没有表头，其中的内容未读取（第 {'、'.join(map(str, rows))} 行{more}，共 {count} 行）；如是考核数据，请补上表头"


def column_letter(index: int) -> str:
    """The letter Excel and WPS show for the column at `index` (from 0)."""
    from openpyxl.utils import get_column_letter  # rare: openpyxl is not loaded for every CSV

    return get_column_letter(index + 1)


def read_once(column: Column, raw: Any, seen: dict[tuple, tuple[Any, str]]) -> Any:
    """`column.read(raw)`, each distinct cell of a fact column read once per table: a county's rows repeat
    their figures. What it read is copied when it is a list; what it could not read is raised again."""
    if column.decl is None or isinstance(raw, (list, dict)):
        return column.read(raw)
    key = (column.index, type(raw), raw)
    found = seen.get(key)
    if found is None:
        try:
            found = (column.read(raw), "")
        except CellError as unreadable:
            found = (None, str(unreadable))
        if len(seen) < REMEMBERED_CELLS:
            seen[key] = found
    value, message = found
    if message:
        raise CellError(message)
    return list(value) if isinstance(value, list) else value


def row_facts(number: int, values: dict[str, Any], places: dict[str, int], table: Table) -> FactFile:
    """`places`: the column of each value."""
    union: dict[str, Any] = {key: values.pop(key) for key in UNION_FIELDS if key in values}
    period = values.pop("period", None)
    marks = RowMarks(table.file, number, {name: places[name] for name in values})
    return FactFile(table.file, union, period, values, marks, Mark(table.file, number, 1), as_typed=False)


class RowMarks(Mapping[str, Mark]):
    """Where each fact of one spreadsheet row stood, its mark made only when a message asks for it: a
    county's rows hold a hundred facts each, and each row is sent to a worker."""

    __slots__ = ("file", "line", "columns")

    def __init__(self, file: str, line: int, columns: dict[str, int]) -> None:
        self.file, self.line, self.columns = file, line, columns

    def __getitem__(self, name: str) -> Mark:
        return Mark(self.file, self.line, self.columns[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __reduce__(self) -> tuple[Any, tuple]:
        return RowMarks, (self.file, self.line, self.columns)


# --- tables: CSV files and workbook sheets ---------------------------------------------------------

def no_unions(source: Path) -> str:
    """What is told of a source with no union in it, whichever batch reads it."""
    return f"{source}：没有读到任何工会（表格是空的、只有表头，或表头下只有合计行、表尾说明）"


class NoSuchSheet(ValueError):
    """`--sheet` names a sheet the workbook does not have."""


def tabular_units(path: Path, reading: Reading) -> Iterator[Unit]:
    """The rows of a CSV or Parquet file or of a workbook's sheets. A source that cannot be read, or stops being
    readable, ends with a problem unit; so does one with no union because no header was found (`headless_text`)."""
    headless: list[Table] = []
    try:
        wrong = csv_content(path)
        if wrong:
            yield problem_unit(str(path), Mark(str(path)), "source-unreadable", wrong)
            return
        units = itertools.chain.from_iterable(table_units(rows, table, reading, headless) for table, rows in tables(path, reading))
        first = next(units, None)
        if first is None:
            yield from nothing_read(path, headless, reading.warn)
            return
        yield first
        yield from units
    except NoSuchSheet as error:
        yield problem_unit(str(path), Mark(str(path)), "source-sheet", str(error))
    except WorkbookError as error:
        yield problem_unit(str(path), Mark(str(path)), "source-unreadable", f"无法读取工作簿：{error}")
    except unreadable() as error:
        yield problem_unit(str(path), Mark(str(path)), "source-unreadable", unreadable_text(path, error))


def nothing_read(path: Path, headless: list[Table], warn: Callable[[str], None]) -> Iterator[Unit]:
    """A source without a union: a problem when a table's header was not found (its unions were not read), else
    told (an empty table, or a header alone: nothing to grade), whichever batch reads it."""
    if headless:
        yield problem_unit(str(path), Mark(str(path)), "source-header", headless_text(headless))
    else:
        warn(no_unions(path))


def headless_text(headless: list[Table]) -> str:
    """「未找到表头……请把表头放在前 10 个非空行内」, naming the sheets of a workbook."""
    sheets = "、".join(f"工作表“{table.sheet}”" for table in headless if table.sheet is not None)
    return (f"没有读到任何工会：{sheets or '文件'}的前 {HEADER_SEARCH} 个非空行中未找到表头（含“编号”“类型”或事实名称的一行），"
            f"整个文件未评估；请把表头放在前 {HEADER_SEARCH} 个非空行内（删去表头上面多余的标题、说明行），"
            "并确认这是考核数据表")


def csv_content(path: Path) -> str:
    """Why a .csv file is not a CSV the county's reader can read, from its first bytes, whichever batch reads it: an
    Excel workbook renamed, or text in UTF-16 or UTF-32 (Excel's 「Unicode 文本」), whose every other byte may be
    zero; empty for any other file (a line that is neither UTF-8 nor GB18030 costs only its own row)."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return ""
    with path.open("rb") as handle:
        head = handle.read(CONTENT_PEEK)
    if head.startswith(ZIP_MAGIC):
        return "扩展名为 .csv，但内容是 Excel 工作簿（.xlsx）：请把扩展名改为 .xlsx 后再评估，或在 Excel 中另存为“CSV UTF-8（逗号分隔）”"
    if head.startswith(OLE_MAGIC):
        return ("扩展名为 .csv，但内容是旧版 Excel 工作簿（.xls）或设置了打开密码的工作簿：请在 Excel 或 WPS 中打开，"
                "另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再评估")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head.count(0) * 8 >= len(head) > 0:
        return ("文件不是 UTF-8/GBK 编码的 CSV（看来是 UTF-16 或 UTF-32 编码，如 Excel 另存的“Unicode 文本”），无法读取："
                "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再评估")
    return ""


def unreadable_text(path: Path, error: Exception) -> str:
    """Why a source could not be opened, whichever batch opens it."""
    what = {".csv": "CSV 文件", PARQUET: "Parquet 文件"}.get(path.suffix.lower(), "Excel 工作簿")
    if what == "Excel 工作簿" and compound_document(path):
        return ("无法读取：这是设置了打开密码的工作簿，或改了扩展名的旧版 .xls 文件。"
                "请在 Excel 或 WPS 中打开，去掉密码（文件 → 信息 → 保护工作簿），另存为 .xlsx 后再评估")
    return f"无法读取，文件可能已损坏或不是 {what}（{type(error).__name__}: {error}）"


def unreadable() -> tuple[type[Exception], ...]:
    """The errors of a damaged source: bad zip, missing part, malformed XML (ElementTree's and lxml's parse
    errors are SyntaxErrors), a CSV the csv module cannot parse, and openpyxl's and polars' own. Asked
    for only when an error is raised (an `except` clause is evaluated then), so reading a CSV or fact
    files never loads those libraries."""
    import polars as pl
    from openpyxl.utils.exceptions import InvalidFileException

    return OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, SyntaxError, csv.Error, pl.exceptions.PolarsError


def compound_document(path: Path) -> bool:
    """An OLE2 compound file: what Excel writes for an encrypted .xlsx and for the old .xls format."""
    with path.open("rb") as handle:
        return handle.read(len(OLE_MAGIC)) == OLE_MAGIC


def tables(path: Path, reading: Reading) -> Iterator[tuple[Table, Rows]]:
    if path.suffix.lower() == ".csv":
        with path.open("rb") as handle:
            yield Table(str(path)), csv_rows(handle)
    elif path.suffix.lower() == PARQUET:
        yield Table(str(path)), parquet_rows(path)
    else:
        yield from workbook_tables(path, reading)


def parquet_rows(path: Path) -> Rows:
    """A Parquet file's column names as its first row, then its rows, numbered as the province batch
    numbers them; cells as stored (numbers, dates, booleans and lists are read as a workbook's are)."""
    import polars as pl  # loaded only when a Parquet file is read

    frame = pl.read_parquet(path)
    yield 1, frame.columns
    rows = frame.iter_rows()
    yield from enumerate(map(row_cells, rows) if pl.Binary in frame.dtypes else rows, 2)


def row_cells(cells: Sequence[Any]) -> tuple[Any, ...]:
    """A Parquet row as a county batch looks at it, whichever batch reads it: text stored as bytes (Hive, Impala) as
    its text, so that a blank line, a 合计 row or a footer is told as one (`union_row`)."""
    return tuple(map(text_if_utf8, cells))


CSV_ERRORS = {  # Python's csv module's messages, by their start, as a clerk can act on them
    "field larger than field limit": f"有一个单元格超过 {csv.field_size_limit()} 个字符（Excel 的单元格最多 {MAX_CELL} 个字符），多半是某个引号没有配对，把其后的许多行读进了一个单元格",
    "line contains NUL": "这一行含有空字符（NUL），文件可能已损坏，或不是文本格式的 CSV",
    "new-line character seen in unquoted field": "没有加引号的单元格中有换行符，请把这个单元格用英文双引号括起来",
}


def csv_error_text(error: csv.Error) -> str:
    """What Python's csv module said, in Chinese where it is known (its own words otherwise, quoted)."""
    text = str(error)
    return next((chinese for english, chinese in CSV_ERRORS.items() if text.startswith(english)), f"解析器报告“{text}”")


def csv_rows(handle: Any) -> Rows:
    """Records of a CSV file with their first line's number, decoded line by line (`decoded_lines`),
    with the delimiter the header line uses most; a record that cannot be decoded or parsed is an
    `UnreadableRow`, and reading goes on with the next."""
    bad: set[int] = set()
    lines = decoded_lines(handle, bad)
    first = next(lines, None)
    if first is None:
        return
    reader = csv.reader(itertools.chain([first], lines), delimiter=max(DELIMITERS, key=first.count))
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, UnreadableRow(f"无法按 CSV 格式解析：{csv_error_text(error)}，已跳过这一行")
            continue
        spanned = range(start, reader.line_num + 1)
        if bad.intersection(spanned):
            yield start, UnreadableRow("含有无法识别的字符（既不是 UTF-8 也不是 GB18030 编码），已跳过这一行；请检查后另存为“CSV UTF-8”")
        else:
            yield start, record


def decoded_lines(handle: Iterable[bytes], bad: set[int]) -> Iterator[str]:
    """Lines in the file's encoding: UTF-8 (a BOM is dropped), or GB18030 (Chinese Excel's “CSV”) when
    the first line that is not ASCII is not UTF-8. A line that is not in the file's encoding is
    added to `bad` (and yielded with replacement characters), so it costs only its own row.

    Deciding on the first non-ASCII line keeps the file streamed and never switches encoding
    half-way, which would misread every later line."""
    encoding: str | None = None
    for number, line in enumerate(physical_lines(handle), 1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        if encoding is None and not line.isascii():
            encoding = "utf-8" if decodes(line, "utf-8") else "gb18030"
        chosen = encoding or "utf-8"
        if not decodes(line, chosen):
            bad.add(number)
        yield line.decode(chosen, errors="replace")


def physical_lines(handle: Iterable[bytes]) -> Iterator[bytes]:
    """Lines with their endings: LF, CRLF, or a carriage return alone (Excel's 「CSV（Macintosh）」)."""
    for line in handle:
        if b"\r" in line.rstrip(b"\r\n"):
            yield from (part for part in BARE_CR.split(line) if part)
        else:
            yield line


def decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def workbook_tables(path: Path, reading: Reading) -> Iterator[tuple[Table, Rows]]:
    """The sheets of a workbook (or the one named by `reading.sheet`), streamed; hidden sheets are
    skipped unless asked for (`--include-hidden`, or `--sheet` naming one)."""
    from .workbook import check_unpacked_size, is_hidden, sheet_rows  # openpyxl, loaded only when a workbook is read

    check_unpacked_size(path)
    with open_workbook(path) as workbook:
        sheets = [ws for ws in workbook.worksheets if reading.sheet is None or ws.title.strip() == reading.sheet.strip()]
        if not sheets:
            names = "、".join(f"“{name}”" for name in workbook.sheetnames)
            raise NoSuchSheet(f"工作簿 “{path}” 中没有工作表 “{reading.sheet}”（现有：{names}）")
        warned: set[str] = set()
        for sheet in sheets:
            table = Table(str(path), sheet.title, warned)
            if sheet.title == GUIDE_SHEET and reading.sheet is None:
                continue  # the instructions of the form `unionscore template --format xlsx` writes
            if is_hidden(sheet) and not reading.include_hidden and reading.sheet is None:
                reading.warn(f"{table.origin()}：已跳过隐藏的工作表（需要读取请加 --include-hidden）")
                continue
            notice = lambda message, table=table: reading.warn(f"{table.origin()}：{message}")  # noqa: E731
            yield table, sheet_rows(sheet, reading.include_hidden, notice)


@contextmanager
def open_workbook(path: Path) -> Iterator[Any]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        yield workbook
    finally:
        workbook.close()


# --- one union -------------------------------------------------------------------------------------

def read_union(source: Path, reading: Reading, union_id: str | None = None) -> FactFile:
    """One union's facts for `assess`, `plan`, `checklist` and `explain`: a fact file, or the row of a
    CSV or Parquet file or workbook whose 编号 is `union_id` (needed only when it holds more than one union)."""
    if source.suffix.lower() in SPREADSHEETS_NOT_READ and source.exists():  # told as batch tells them
        raise InvalidInput(list(next(source_units(source, reading)).problems))
    if source.suffix.lower() not in TABLE_SUFFIXES:
        facts = load_fact_file(source)
        if union_id is not None and facts.union.get("id") != union_id:
            raise UsageError(f"事实文件 {source} 是工会 “{facts.union.get('id')}” 的，不是 --union 指定的 “{union_id}”")
        return facts
    mistakes = header_mistakes([source], reading)
    if mistakes:
        raise InvalidInput(mistakes)
    units = [unit for unit in units_of([source], reading) if union_id is None or unit.union_id in (union_id, None)]
    return chosen_unit(source, units, union_id).read()


def chosen_unit(source: Path, units: list[Unit], union_id: str | None) -> Unit:
    """The one union asked for; rows that could not be read are reported when they may be it."""
    readable = [unit for unit in units if unit.facts is not None]
    if union_id is not None and len(readable) == 1:
        return readable[0]
    broken = [problem for unit in units if unit.facts is None for problem in unit.problems]
    if len(readable) == 1 and not broken:
        return readable[0]
    if broken and len(readable) <= 1:
        raise InvalidInput(broken)
    if not readable:
        where = f"编号为 “{union_id}” 的工会" if union_id else "工会"
        raise UsageError(f"{source} 中没有{where}")
    listed = "、".join(str(unit.union_id) for unit in readable[:10]) + ("等" if len(readable) > 10 else "")
    raise UsageError(f"{source} 中有 {len(readable)} 个工会，请用 --union 指定编号：{listed}")
