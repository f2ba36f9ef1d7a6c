"""What a province run checks of its sources before it grades a union, as a county batch checks a
sheet: a CSV it can read (UTF-8), a readable Parquet file, and a header with 编号 and 类型 and no column
that resembles a fact's name without matching it. Columns it ignores are told (`Reading.warn`)."""
from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from ..diagnostics import Diagnostic, InvalidInput, Mark
from ..facts.sources import Reading, Table, classify_header, header_problems, resembling, warn_headers
from .partitions import header_of

BLOCK = 1 << 20
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
    """A CSV that is not UTF-8 (Excel's 「CSV（逗号分隔）」 is GB18030), or a Parquet file polars cannot open."""
    if source.suffix.lower() == ".csv":
        line = first_line_not_utf8(source)
        if line is None:
            return []
        message = (f"{source} 第 {line} 行不是 UTF-8 编码（Excel 另存的“CSV（逗号分隔）”通常是 GB18030 编码）：省级批量只读 UTF-8 的 CSV。"
                   "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或用 iconv -f GB18030 -t UTF-8 转换；"
                   "不超过 5,000 个工会时也可以加 --pages all，按县级批量直接读取")
        return [Diagnostic(Mark(str(source), line, 1), "source-unreadable", message)]
    try:
        pl.read_parquet_schema(source)
    except (OSError, pl.exceptions.PolarsError) as error:
        return [Diagnostic(Mark(str(source)), "source-unreadable", f"{source} 不是可读取的 Parquet 文件（{error}）")]
    return []


def first_line_not_utf8(path: Path) -> int | None:
    """The line of the first byte that is not UTF-8, read a block at a time; None when the whole file is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as error:
                return line + block[: max(error.start, 0)].count(b"\n")
            line += block.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line
    return None


def header_diagnostics(source: Path, reading: Reading) -> list[Diagnostic]:
    """The header as a county batch reads a sheet's: mistaken and missing columns are problems, ignored ones are told.
    An empty file has no header and no unions: it is told, not a problem."""
    cells = header_of(str(source))
    table = Table(str(source))
    if not cells:
        reading.warn(f"{source}：文件是空的，没有工会")
        return []
    header = classify_header(cells, reading)
    header.row = HEADER_ROW
    warn_headers(table, header.unknown, "忽略无法识别的列", reading.warn)
    warn_headers(table, header.ambiguous, "忽略对应多个事实的列（请改用字段路径作表头）", reading.warn)
    found = [resembling(table, header, text, like, reading) for text, like in header.resembling.items()]
    mark = Mark(str(source), HEADER_ROW, 1)
    return found + [Diagnostic(mark, "source-header", text) for text in header_problems(header.columns, table, HEADER_ROW)]
