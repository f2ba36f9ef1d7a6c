"""A partition of a CSV or Parquet source read column by column into the bulk evaluator's frame.

Every distinct cell text of a column is read once, by the same functions that read a spreadsheet
row (engine/facts/sources.py `Column.read`, the fact schema's checks, `convert`), then spread to
its rows: the values are the per-union engine's, at the cost of the distinct texts. A row with an
unreadable or invalid cell, facts that contradict each other, or no assessment date is `bad`: the
per-union engine reads it again and reports why, as it does in a county batch; so is a row that may be
a county's 合计 row or a footer, which it tells and skips, and a CSV record with a cell right of its header.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ..bulk.columns import NUMBER, STRING, Col, ListCol
from ..bulk.frame import Frame, column, kind_of, list_column
from ..bulk.rational import Array, Q
from ..facts.cells import CellError, text_if_utf8
from ..facts.fact_file import FactChecker, convert
from ..facts.sources import MARK_CHARACTERS, REQUIRED, not_a_union, row_cells
from ..facts.sources import Column as SourceColumn
from ..language.model import FactDecl

INVALID = object()  # a cell that does not read as its column's value
UNDATED = dt.date(2000, 12, 31).toordinal()  # graded with the others, never kept: a row without a year goes one by one
SPACE = r"[\s\x1c-\x1f]"  # what Python's str.strip() removes: Unicode White_Space, and \x1c to \x1f
MAY_BE_BLANK = f"(?s)^{SPACE}*.{{0,4}}{SPACE}*$"  # at most 4 characters once stripped: blank, or a placeholder (`is_blank`)
MAY_MARK = f"[{MARK_CHARACTERS}]"


@dataclass(frozen=True)
class Chunk:
    """The frame to grade, each row's union header fields, and the rows to grade one by one."""

    frame: Frame
    union: dict[str, Array]  # field → object array, None where blank
    bad: Array


def read_chunk(table: pl.DataFrame, columns: list[SourceColumn], width: int, checker: FactChecker, as_of: dt.date | None) -> Chunk:
    """`width`: the header's cells; a CSV's partition has more columns, for what lies right of the header."""
    n = table.height
    bad, sink = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    cols: dict[str, Col | ListCol] = {}
    union: dict[str, Array] = {}
    period: Array = np.full(n, None, dtype=object)
    for source in columns:
        values, index = distinct(table.get_column(table.columns[source.index]))
        read = [cell_value(source, raw, checker) for raw in values]
        bad |= np.array([value is INVALID for value in read], dtype=bool)[index]
        kept = [None if value is INVALID else value for value in read]
        if source.decl is not None:
            cols[source.target] = spread(source, kept, index, sink)
        elif source.target == "period":
            period = np.array(kept, dtype=object)[index]
        else:
            union[source.target] = np.array(kept, dtype=object)[index]
    bad |= absent_required(union, n) | contradicted(cols, n, checker.ceilings) | not_unions(table) | past_header(table, width)
    cols |= {f"union.{field}": header_column(values) for field, values in union.items()}
    cols["period"] = column(list(period), NUMBER, sink)
    days, undated = assessment_days(period, as_of)
    return Chunk(Frame(n, cols, days, sink), union, bad | undated | after_assessment(cols, days, checker.past))


def distinct(series: pl.Series) -> tuple[list[Any], Array]:
    """The distinct cells of a column (None for blank last) and each row's index into them."""
    if series.dtype.is_nested():  # a Parquet list or struct column: Arrow does not dictionary-encode those
        return distinct_objects(series.to_list())
    encoded = series.rechunk().to_arrow().dictionary_encode() if series.len() else None
    if encoded is None:
        return [None], np.zeros(0, dtype=np.int64)
    values = encoded.dictionary.to_pylist() + [None]
    return values, encoded.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False).astype(np.int64)


def distinct_objects(cells: list[Any]) -> tuple[list[Any], Array]:
    """`distinct` over Python values (lists, dicts), compared by their contents."""
    first: dict[Any, int] = {}
    values: list[Any] = []
    index = np.empty(len(cells), dtype=np.int64)
    for row, cell in enumerate(cells):
        if cell is None:
            index[row] = -1
            continue
        key = frozen(cell)
        if key not in first:
            first[key] = len(values)
            values.append(cell)
        index[row] = first[key]
    index[index == -1] = len(values)
    return values + [None], index


def frozen(value: Any) -> Any:
    """A list or dict as a hashable key of its contents."""
    if isinstance(value, list):
        return ("list", tuple(frozen(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, frozen(v)) for k, v in value.items()))
    return value


def cell_value(source: SourceColumn, raw: Any, checker: FactChecker) -> Any:
    """A cell as the per-union engine reads it: the exact runtime value, None for blank, or INVALID."""
    try:
        value = source.read(raw)
    except CellError:
        return INVALID
    if value is None or source.decl is None:
        return value
    if not checker.validator.checks[source.target](value):
        return INVALID
    return convert(source.decl, value)


def spread(source: SourceColumn, kept: list[Any], index: Array, sink: Array) -> Col | ListCol:
    """The column over distinct cells, taken to every row."""
    assert source.decl is not None
    small_sink = np.zeros(len(kept), dtype=bool)
    if source.decl.type == "list":
        found = list_column(kept, source.decl, small_sink)
        sink |= small_sink[index]
        return ListCol(tuple(taken(c, index) for c in found.items), tuple(p[index] for p in found.present), found.null[index], found.missing[index])
    found_col = column(kept, kind_of(source.decl), small_sink)
    sink |= small_sink[index]
    return taken(found_col, index)


def taken(col: Col, index: Array) -> Col:
    data = Q(col.data.num[index], col.data.den[index]) if isinstance(col.data, Q) else col.data[index]
    return Col(col.kind, data, col.null[index], col.missing[index])


def header_column(values: Array) -> Col:
    null = np.array([value is None for value in values], dtype=bool)
    return Col(STRING, np.where(null, 0, values), null, null.copy())


def absent_required(union: Mapping[str, Array], n: int) -> Array:
    """Rows whose id or type column is blank (a county batch reports them the same way)."""
    found = np.zeros(n, dtype=bool)
    for field in REQUIRED:
        if field in union:
            found |= np.array([value is None for value in union[field]], dtype=bool)
    return found


def not_unions(table: pl.DataFrame) -> Array:
    """Rows that are a county's 合计 row or a footer (`not_a_union`). Only a row whose first non-blank cell
    holds one of MARK_CHARACTERS is looked at whole: the columns are read in order, each as far as it may
    still hold a row's first non-blank cell."""
    maybe, open_rows = np.zeros(table.height, dtype=bool), np.ones(table.height, dtype=bool)
    for cells in map(as_text, table.iter_columns()):
        if cells.dtype == pl.String:
            maybe |= open_rows & cells.str.contains(MAY_MARK).fill_null(False).to_numpy()
            open_rows &= cells.str.contains(MAY_BE_BLANK).fill_null(True).to_numpy()
        else:
            open_rows &= cells.is_null().to_numpy()
        if not open_rows.any():
            break
    found = np.zeros(table.height, dtype=bool)
    for row in np.flatnonzero(maybe).tolist():
        found[row] = bool(not_a_union(row_cells(table.row(row))))
    return found


def as_text(cells: pl.Series) -> pl.Series:
    """A typed Parquet file's text column (Categorical, Enum, or bytes as `row_cells` reads them) as plain text; any
    other column as it is."""
    if cells.dtype == pl.Binary:
        return pl.Series(cells.name, [None if raw is None else str(text_if_utf8(raw)) for raw in cells.to_list()], dtype=pl.String)
    return cells.cast(pl.String) if isinstance(cells.dtype, pl.Categorical | pl.Enum) else cells


def past_header(table: pl.DataFrame, width: int) -> Array:
    """Rows of a CSV with a cell right of the header's last one (engine/province/partitions.py reads that far):
    the per-union engine reads them, and refuses those whose cell there is not blank (`misaligned`)."""
    found = np.zeros(table.height, dtype=bool)
    for name in table.columns[width:]:
        found |= table.get_column(name).is_not_null().to_numpy()
    return found


def contradicted(cols: Mapping[str, Col | ListCol], n: int, ceilings: dict[str, str]) -> Array:
    """Rows where a count exceeds its ceiling (members > employees): invalid input for that union."""
    found = np.zeros(n, dtype=bool)
    for name, ceiling in ceilings.items():
        value, limit = cols.get(name), cols.get(ceiling)
        if isinstance(value, Col) and isinstance(limit, Col):
            a, b = value.data, limit.data
            over = a.num.astype(object) * b.den > b.num.astype(object) * a.den
            found |= ~value.null & ~limit.null & np.asarray(over, dtype=bool)
    return found


def after_assessment(cols: Mapping[str, Col | ListCol], days: Array, past: Iterable[FactDecl]) -> Array:
    """Rows where a date of what has happened (`past`) falls after the assessment date: invalid input for that union."""
    found = np.zeros(len(days), dtype=bool)
    for decl in past:
        date = cols.get(decl.name)
        if isinstance(date, Col):
            found |= ~date.null & (date.data > days)
    return found


def assessment_days(period: Array, as_of: dt.date | None) -> tuple[Array, Array]:
    """Each row's assessment date as a day ordinal, and the rows that have none (no period, no --as-of)."""
    if as_of is not None:
        return np.full(len(period), as_of.toordinal(), dtype=np.int64), np.zeros(len(period), dtype=bool)
    undated = np.array([value is None for value in period], dtype=bool)
    days = [UNDATED if value is None else dt.date(int(value), 12, 31).toordinal() for value in period]
    return np.array(days, dtype=np.int64), undated

