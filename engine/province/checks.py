"""What a province run checks of its sources before it grades a union, as a county batch checks a
sheet: a CSV it can read (UTF-8), a readable Parquet file, and a header with 编号 and 类型 and no column
that resembles a fact's name without matching it; one union a line. Columns it ignores are told (`Reading.warn`),
and so is a column without a header that holds something."""
from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from ..diagnostics import Diagnostic, InvalidInput, Mark
from ..facts.cells import is_blank
from ..facts.excel import SHOWN_AT_MOST
from ..facts.sources import (
    Header,
    Reading,
    Table,
    Unheaded,
    classify_header,
    csv_content,
    csv_head,
    csv_short_header,
    header_problems,
    resembling,
    unheaded_text,
    unreadable_text,
    warn_ignored,
)
from .columnar import as_text
from .mode import BLOCK
from .partitions import csv_header, header_of, row_count, scanned

HEADER_ROW = 1  # a province source has its header on the first line, no title rows above it


def check_sources(sources: Sequence[Path], reading: Reading) -> None:
    """Every source readable and its header sound, or InvalidInput naming each problem."""
    problems: list[Diagnostic] = []
    for source in sources:
        found = unreadable(source)
        problems += found if found else header_diagnostics(source, reading)
    if problems:
        raise InvalidInput(sorted(problems, key=Diagnostic.sort_key))


def unreadable(source: Path) -> list[Diagnostic]:
    """A CSV that is not UTF-8 (Excel's 「CSV（逗号分隔）」 is GB18030; a workbook or UTF-16 text is told as a
    county batch tells it) or has a union over more than one line, or a Parquet file polars cannot open."""
    if source.suffix.lower() != ".csv":
        try:
            pl.read_parquet_schema(source)
        except (OSError, pl.exceptions.PolarsError) as error:
            return [Diagnostic(Mark(str(source)), "source-unreadable", unreadable_text(source, error))]
        return []
    wrong = csv_content(source)
    if wrong:
        return [Diagnostic(Mark(str(source)), "source-unreadable", wrong)]
    bad, lines, bare = utf8_lines(source)
    if bad is not None:
        message = (f"{source} 第 {bad} 行不是 UTF-8 编码（Excel 另存的“CSV（逗号分隔）”通常是 GB18030 编码）：省级批量只读 UTF-8 的 CSV。"
                   "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或用 iconv -f GB18030 -t UTF-8 转换；"
                   "不超过 5,000 个工会时也可以加 --pages all，按县级批量直接读取")
        return [Diagnostic(Mark(str(source), bad, 1), "source-unreadable", message)]
    if bare:
        message = (f"{source} 的行尾有单独的回车符（CR，如 Excel 另存的“CSV（Macintosh）”）：省级批量要求以换行符（LF 或 CRLF）"
                   "分行，否则多行会被读成一行；请另存为“CSV UTF-8（逗号分隔）”，不超过 5,000 个工会时也可以加 --pages all 按县级批量读取")
        return [Diagnostic(Mark(str(source), 1, 1), "source-unreadable", message)]
    if lines and row_count(str(source)) != lines - 1:
        line = spanning_record(source)
        message = (f"{source} 第 {line} 行的单元格跨了行（引号没有配对，或单元格里有换行）：省级批量要求每个工会占一行，"
                   "否则其后的工会会被并进这个单元格；请检查这一行的引号，或去掉单元格里的换行")
        return [Diagnostic(Mark(str(source), line, 1), "source-unreadable", message)]
    return []


def utf8_lines(path: Path) -> tuple[int | None, int, bool]:
    """The line of the first byte that is not UTF-8 (None when the whole file is), the number of lines, and
    whether a line ends in a carriage return alone (CR); read a block at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, last, carry, bare = 0, b"\n", b"", False
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return lines + 1 + block[: max(error.start, 0)].count(b"\n"), 0, False
            data = carry + block  # a CR that ended the last block, to see whether an LF follows it
            bare |= data.count(b"\r") - data.count(b"\r\n") - data.endswith(b"\r") > 0
            carry = b"\r" if data.endswith(b"\r") else b""
            lines, last = lines + block.count(b"\n"), block[-1:]
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines + 1, 0, False
    return None, lines + (last != b"\n"), bare or bool(carry)


def spanning_record(path: Path) -> int:
    """The line where the first record that runs over more than one line starts."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=csv_header(str(path))[1])
        ended = 0
        for _ in reader:
            if reader.line_num > ended + 1:
                return ended + 1
            ended = reader.line_num
    return ended + 1


def header_diagnostics(source: Path, reading: Reading) -> list[Diagnostic]:
    """The header as a county batch reads a sheet's: mistaken and missing columns are problems, ignored ones are told.
    An empty file has no header and no unions: not a problem (told, as a file with a header alone is, by `fill`)."""
    cells = header_of(str(source))
    table = Table(str(source))
    if not cells:
        return []
    header = classify_header(cells, reading)
    header.row = HEADER_ROW
    mark = Mark(str(source), HEADER_ROW, 1)
    problems = header_problems(header.columns, table, HEADER_ROW)
    lower = header_below(source, reading) if problems else None
    if lower:
        return [Diagnostic(mark, "source-header", f"{source} 第 1 行不是表头（表头在第 {lower} 行，其上是标题等行）：省级批量要求表头在第一行、"
                           "只占一行；请删去表头上面的行（两行的表头合并为一行），不超过 5,000 个工会时也可以加 --pages all 按县级批量读取")]
    problems += csv_short_header(source, reading)
    warn_ignored(table, header, reading.warn)
    warn_unheaded(source, header, reading.warn)
    found = [resembling(table, header, text, like, reading) for text, like in header.resembling.items()]
    return found + [Diagnostic(mark, "source-header", text) for text in problems]


def warn_unheaded(source: Path, header: Header, warn: Callable[[str], None]) -> None:
    """Tell of each column under a blank header cell that holds something, with its rows, as a county batch does
    (`Unheaded`; a CSV record that runs past its header is refused row by row instead)."""
    blank = Unheaded.of(header, Table(str(source))).blank
    if not blank:
        return
    frame = scanned(str(source)).select(pl.nth(list(blank))).collect()
    for index, cells in zip(blank, frame.iter_columns()):
        rows = np.flatnonzero(filled(cells))
        if rows.size:
            warn(unheaded_text(str(source), index, (rows[:SHOWN_AT_MOST] + HEADER_ROW + 1).tolist(), int(rows.size)))


def filled(cells: pl.Series) -> np.ndarray:
    """Which cells hold something: not null, and for text not blank as a county batch reads it (`is_blank`)."""
    cells = as_text(cells)
    present = cells.is_not_null()
    if cells.dtype == pl.String:
        present &= ~cells.is_in([text for text in cells.unique().drop_nulls().to_list() if is_blank(text)])
    return present.to_numpy()


def header_below(source: Path, reading: Reading) -> int | None:
    """The line of a CSV's header as a county batch finds it, past title rows, when it is sound; None when not found."""
    if source.suffix.lower() != ".csv":
        return None
    header, _ = csv_head(source, reading)
    if header is None or header_problems(header.columns, Table(str(source)), header.row):
        return None
    return header.row
