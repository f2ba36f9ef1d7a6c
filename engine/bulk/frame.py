"""Unions as columns: the checked facts, header fields, period and assessment date of a chunk.

Built from the facts the engine's own checker returns (engine/facts/fact_file.py), so the values
are the engine's exact values; a number beyond exact int64 range flags its row in `sink`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..language.model import FactDecl
from ..values import Fraction
from .columns import BOOLEAN, DATE, NUMBER, STRING, Col, ListCol
from .rational import LIMIT, Array, Q

KINDS = {"integer": NUMBER, "number": NUMBER, "boolean": BOOLEAN, "enum": STRING, "string": STRING, "date": DATE, "list": "list"}


@dataclass(frozen=True)
class Row:
    """One union as the per-union engine sees it: header, period, checked facts, assessment date."""

    union: Mapping[str, Any]
    period: int | None
    facts: Mapping[str, Any]
    as_of: dt.date


@dataclass(frozen=True)
class Frame:
    n: int
    columns: dict[str, Col | ListCol]  # declared facts, union.<field>, period
    as_of: Array
    sink: Array  # rows to grade one by one


def kind_of(decl: FactDecl) -> str:
    return KINDS[decl.type]


def build_frame(rows: list[Row], decls: Mapping[str, FactDecl]) -> Frame:
    n, sink = len(rows), np.zeros(len(rows), dtype=bool)
    columns: dict[str, Col | ListCol] = {}
    for name, decl in decls.items():
        values = [row.facts.get(name) for row in rows]
        columns[name] = list_column(values, decl, sink) if decl.type == "list" else column(values, kind_of(decl), sink)
    for field in sorted({key for row in rows for key in row.union}):
        columns[f"union.{field}"] = column([row.union.get(field) for row in rows], STRING, sink)
    columns["period"] = column([row.period for row in rows], NUMBER, sink)
    as_of = np.array([row.as_of.toordinal() for row in rows], dtype=np.int64)
    return Frame(n, columns, as_of, sink)


def column(values: list[Any], kind: str, sink: Array) -> Col:
    """A column of one kind from exact runtime values; None is an absent (missing) value."""
    null = np.array([value is None for value in values], dtype=bool)
    if kind == NUMBER:
        return Col(kind, numbers(values, sink), null, null.copy())
    if kind == DATE:
        data: Any = np.array([0 if value is None else value.toordinal() for value in values], dtype=np.int64)
    elif kind == BOOLEAN:
        data = np.array([value is True for value in values], dtype=bool)
    else:
        data = np.array([0 if value is None else value for value in values], dtype=object)
    return Col(kind, data, null, null.copy())


def numbers(values: Iterable[Any], sink: Array) -> Q:
    nums, dens = [], []
    for row, value in enumerate(values):
        fraction = Fraction(value or 0)
        if abs(fraction.numerator) >= LIMIT or fraction.denominator >= LIMIT:
            sink[row] = True
            fraction = Fraction(0)
        nums.append(fraction.numerator)
        dens.append(fraction.denominator)
    return Q(np.array(nums, dtype=np.int64), np.array(dens, dtype=np.int64))


def list_column(values: list[Any], decl: FactDecl, sink: Array) -> ListCol:
    """A list fact, padded to its longest row: element i is present where the row's list is that long."""
    null = np.array([value is None for value in values], dtype=bool)
    longest = max((len(value) for value in values if value is not None), default=0)
    kind = KINDS.get(decl.items, NUMBER)
    items, present = [], []
    for index in range(longest):
        there = [value is not None and index < len(value) for value in values]
        element = column([value[index] if ok else None for value, ok in zip(values, there)], kind, sink)
        items.append(element)
        present.append(np.array(there, dtype=bool))
    return ListCol(tuple(items), tuple(present), null, null.copy())
