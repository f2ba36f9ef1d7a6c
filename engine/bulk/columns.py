"""Columns: one runtime value per union, with the engine's three kinds of absence.

`null` says the value is not there (the engine's `Null`); `missing` (a subset) says a fact it
needs is absent, which the engine tells apart from a value that could not be computed (a
denominator of 0). Numbers are exact (`rational.Q`), dates are day ordinals, texts are object
arrays, truth values bool arrays.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import rational
from .rational import Array, Q

NUMBER, BOOLEAN, STRING, DATE = "number", "boolean", "string", "date"


@dataclass(frozen=True, slots=True)
class Col:
    kind: str  # number | boolean | string | date | null (the literal null)
    data: Any  # Q for numbers, else an array
    null: Array
    missing: Array


@dataclass(frozen=True, slots=True)
class ListCol:
    """A list per union: element `i` of a row is there where `present[i]` holds; `null` where the
    whole list is absent."""

    items: tuple[Col, ...]
    present: tuple[Array, ...]
    null: Array
    missing: Array


class Unsupported(Exception):
    """A construct the bulk evaluator does not compile: that ruleset is graded union by union."""


def blank(n: int) -> Array:
    return np.zeros(n, dtype=bool)


def absent(kind: str, n: int, missing: bool = True) -> Col:
    """A column null in every row: an absent fact (missing) or the literal null (not missing)."""
    dtypes = {STRING: object, BOOLEAN: bool}
    data: Any = rational.const(0, n) if kind == NUMBER else np.zeros(n, dtype=dtypes.get(kind, np.int64))
    return Col(kind, data, np.ones(n, dtype=bool), np.full(n, missing))


def absent_list(n: int) -> ListCol:
    """A list fact absent in every row (a source without its column): no elements, missing."""
    return ListCol((), (), np.ones(n, dtype=bool), np.ones(n, dtype=bool))


def uniform(cols: tuple[Col, ...], n: int) -> tuple[Col, ...]:
    """A list's elements with every literal null given the kind of the others (the type checker
    allows null beside any kind)."""
    kind = next((col.kind for col in cols if col.kind != "null"), NUMBER)
    return tuple(absent(kind, n, missing=False) if col.kind == "null" else col for col in cols)


def merged(*cols: Col) -> tuple[Array, Array]:
    """(null, missing) of a value computed from `cols`: null when any is, missing when any null is."""
    null, missing = cols[0].null, cols[0].missing
    for col in cols[1:]:
        null, missing = null | col.null, missing | col.missing
    return null, missing


def truth(value: Array, null: Array, missing: Array) -> Col:
    return Col(BOOLEAN, np.where(null, False, value), null, missing)


def number(q: Q, null: Array, missing: Array) -> Col:
    return Col(NUMBER, q, null, missing)


def list_nulls(items: ListCol) -> tuple[Array, Array]:
    """Null and missing of a value that needs every present element."""
    null, missing = items.null.copy(), items.missing.copy()
    for col, present in zip(items.items, items.present):
        null, missing = null | (present & col.null), missing | (present & col.missing)
    return null, missing


@dataclass
class Scope:
    """What one ruleset's expressions read, for every union: columns by name, the assessment date,
    and `sink`, the rows that left exact int64 range (graded again one by one)."""

    n: int
    values: dict[str, Col | ListCol]
    kinds: dict[str, str]  # the declared kind of every name, for names absent from `values`
    as_of: Array  # day ordinals
    sink: Array

    def get(self, name: str) -> Col | ListCol:
        found = self.values.get(name)
        if found is not None:
            return found
        kind = self.kinds.get(name)
        if kind is None:
            raise Unsupported(f"名称 {name} 无法按列读取")
        return absent_list(self.n) if kind == "list" else absent(kind, self.n)
