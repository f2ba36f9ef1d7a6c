"""Partitions of a province's sources: contiguous row ranges of a CSV or Parquet file, each read by
the worker that grades it (the parent never holds the unions).

Rows are numbered as the user sees them: a CSV's header is line 1, so data row i is line i + 2
(a cell with a line break in it shifts the numbers after it; province files have none).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..facts.sources import DELIMITERS

PAST_HEADER = 32  # the cells read right of a CSV's header (each costs a worker about 1 MiB while a partition is read)


@dataclass(frozen=True)
class Partition:
    """Rows `start` to `start + rows` of one source (as named on the command line, for messages and results;
    `path` is where a worker reads it, absolute: a Dask worker elsewhere does not share the batch's working
    folder); `index` names its part files; `repeats`: its rows whose union id an earlier row has, with where
    that row is (engine/province/repeats.py)."""

    source: str
    index: int
    start: int
    rows: int
    repeats: tuple[tuple[int, str], ...] = ()
    path: str = ""

    @property
    def file(self) -> str:
        return self.path or self.source


def scanned(source: str) -> pl.LazyFrame:
    """Every cell as text for CSV (read by the engine's own cell rules), as stored for Parquet. A CSV's columns
    are its header's cells, then PAST_HEADER more for a record that runs past its header: a county batch
    refuses such a record when one of them is not blank (`misaligned`), and so does a province
    (`columnar.past_header`). Columns are taken by position: two header cells may be alike."""
    if source.lower().endswith(".parquet"):
        return pl.scan_parquet(source)
    header, delimiter = csv_header(source)
    schema = dict.fromkeys(map(str, range(len(header) + PAST_HEADER)), pl.String)
    return pl.scan_csv(source, has_header=False, skip_rows=1, encoding="utf8", separator=delimiter, schema=schema,
                       missing_columns="insert", truncate_ragged_lines=True)


def header_of(source: str) -> list[str]:
    """The header's cells as written (two columns may have one name); none for an empty file."""
    if not source.lower().endswith(".parquet"):
        return csv_header(source)[0]
    try:
        return scanned(source).collect_schema().names()
    except pl.exceptions.NoDataError:
        return []


def csv_header(source: str) -> tuple[list[str], str]:
    """A CSV's first line as cells, and its delimiter: the one the line uses most, as a county batch reads it."""
    with open(source, encoding="utf-8-sig", errors="replace", newline="") as handle:
        line = handle.readline()
    delimiter = max(DELIMITERS, key=line.count)
    return (next(csv.reader([line], delimiter=delimiter), []) if line.strip() else []), delimiter


def row_count(source: str) -> int:
    """The unions of a source; 0 for an empty file."""
    try:
        return int(scanned(source).select(pl.len()).collect().item())
    except pl.exceptions.NoDataError:
        return 0


def plan_partitions(sources: list[Path], rows: int) -> list[Partition]:
    partitions: list[Partition] = []
    for source in sources:
        total = row_count(str(source))
        for start in range(0, total, rows):
            partitions.append(Partition(str(source), len(partitions), start, min(rows, total - start), path=str(Path(source).resolve())))
    return partitions


def read_partition(partition: Partition) -> pl.DataFrame:
    return scanned(partition.file).slice(partition.start, partition.rows).collect()


def first_line(partition: Partition) -> int:
    """The line (CSV) or row number of the partition's first union."""
    return partition.start + 2
