"""Union ids that repeat in a province's sources. As in a county batch, the first row with an id keeps
it; every later row with the same id is reported as a failed union and left out of the results and
counts (a county's file appended twice, a union entered by two townships).

The parent reads the id column alone, source by source, reads each distinct cell as a worker does
(`Column.read`), and keeps a 16-byte digest per row, never the ids: 45 MB for 2.8 million unions.
Each partition then carries its repeated rows to the worker that grades it, locally or on a cluster.

As in a county batch, the first row keeps its id even when its data are wrong and it is reported for
that (`engine/facts/union_ids.py`).
"""
from __future__ import annotations

from dataclasses import replace
from hashlib import blake2b

import numpy as np
import polars as pl

from ..facts.cells import CellError
from ..facts.sources import Column, Reading, Table, classify_header
from ..facts.union_ids import id_key
from .columnar import distinct
from .partitions import Partition, first_line, header_of, scanned

DIGEST_BYTES = 16  # two ids agreeing by chance: about 1 in 10^25 for the whole country
Keys = tuple[np.ndarray, np.ndarray]  # per row: the id's digest as two uint64, and whether it has an id


def with_repeats(partitions: list[Partition], reading: Reading) -> list[Partition]:
    """The partitions, each with its rows whose id an earlier row already has and where it first appeared."""
    keys, has = merged([source_keys(source, [p for p in partitions if p.source == source], reading)
                        for source in dict.fromkeys(p.source for p in partitions)])
    starts = np.cumsum([0] + [p.rows for p in partitions])
    found: dict[int, list[tuple[int, str]]] = {}
    for later, first in repeated(keys, has):
        at, first_at = (int(np.searchsorted(starts, g, side="right")) - 1 for g in (later, first))
        row = int(later - starts[at])
        found.setdefault(at, []).append((row, origin(partitions[first_at], int(first - starts[first_at]))))
    return [replace(p, repeats=tuple(found[i])) if i in found else p for i, p in enumerate(partitions)]


def source_keys(source: str, partitions: list[Partition], reading: Reading) -> Keys:
    """Each row's id digest, for the rows of `partitions` (all of one source, in order)."""
    column = next((c for c in classify_header(header_of(source), reading).columns if c.decl is None and c.target == "id"), None)
    total = sum(p.rows for p in partitions)
    if column is None or not total:
        return np.zeros((total, 2), dtype=np.uint64), np.zeros(total, dtype=bool)
    cells = scanned(source).select(pl.nth(column.index)).collect().to_series()
    return merged([digests(cells.slice(p.start, p.rows), column) for p in partitions])


def digests(cells: pl.Series, column: Column) -> Keys:
    """The digest of each cell's id as a worker reads it; a blank or unreadable id has none."""
    values, index = distinct(cells)
    ids = [read_id(column, raw) for raw in values]
    blank = b"\0" * DIGEST_BYTES
    packed = b"".join(blank if text is None else blake2b(id_key(text).encode("utf-8"), digest_size=DIGEST_BYTES).digest() for text in ids)
    keys = np.frombuffer(packed, dtype=np.uint64).reshape(-1, 2)
    return keys[index], np.array([text is not None for text in ids], dtype=bool)[index]


def read_id(column: Column, raw: object) -> str | None:
    try:
        value = column.read(raw)
    except CellError:
        return None
    return value if isinstance(value, str) else None


def merged(parts: list[Keys]) -> Keys:
    if not parts:
        return np.zeros((0, 2), dtype=np.uint64), np.zeros(0, dtype=bool)
    return np.concatenate([k for k, _ in parts]), np.concatenate([h for _, h in parts])


def repeated(keys: np.ndarray, has: np.ndarray) -> list[tuple[int, int]]:
    """(row, the first row with its id) for every row whose id an earlier row has, rows counted over all sources."""
    rows = np.flatnonzero(has)
    if not len(rows):
        return []
    order = rows[np.lexsort((keys[rows, 1], keys[rows, 0]))]  # stable: equal ids stay in row order
    ordered = keys[order]
    starts = np.concatenate(([True], np.any(ordered[1:] != ordered[:-1], axis=1)))
    first = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
    later = np.flatnonzero(~starts)
    return sorted(zip(order[later].tolist(), first[later].tolist()))


def origin(partition: Partition, row: int) -> str:
    return Table(partition.source).origin(first_line(partition) + row)
