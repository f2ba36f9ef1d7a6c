"""The expression functions over columns, with the null rules of engine/language/functions.py.

Each entry takes the call node and its compiled arguments and returns the compiled call. `pct`
(a text for fix texts) is not here: a ruleset that grades with it is graded union by union.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from ..language.expr_parse import Call, Literal
from ..language.functions import exact_years
from ..values import Fraction
from . import rational
from .columns import BOOLEAN, Col, ListCol, Scope, Unsupported, list_nulls, merged, number, truth, uniform
from .rational import Array, Q

Compiled = Callable[[Scope], Any]
DAYS = 4_000_000  # above every day ordinal (31 Dec 9999 is 3,652,059)
Entry = Callable[[Call, list[Compiled]], Compiled]


def unary_number(step: Callable[[Q, Scope], Q]) -> Entry:
    """A function of one number: null in, null out."""
    def entry(node: Call, args: list[Compiled]) -> Compiled:
        def run(scope: Scope) -> Col:
            col = args[0](scope)
            return number(step(col.data, scope), col.null, col.missing)
        return run
    return entry


def ratio(node: Call, args: list[Compiled]) -> Compiled:
    def run(scope: Scope) -> Col:
        a, b = args[0](scope), args[1](scope)
        null, missing = merged(a, b)
        q, zero = rational.div(a.data, b.data, scope.sink)
        return number(q, null | zero, missing)
    return run


def exists(node: Call, args: list[Compiled]) -> Compiled:
    def run(scope: Scope) -> Col:
        value = args[0](scope)
        return truth(~value.null, np.zeros(scope.n, dtype=bool), np.zeros(scope.n, dtype=bool))
    return run


def listed(args: list[Compiled], scope: Scope) -> ListCol:
    """The list a list function reads: its one list argument, or its several arguments (`max(a, 0)`)."""
    if len(args) == 1:
        found = args[0](scope)
        if isinstance(found, ListCol):
            return found
        raise Unsupported("列表函数的参数")
    cols = uniform(tuple(arg(scope) for arg in args), scope.n)
    none = np.zeros(scope.n, dtype=bool)
    return ListCol(cols, tuple(np.ones(scope.n, dtype=bool) for _ in cols), none, none)


def over_list(step: Callable[[ListCol, Scope], Col]) -> Entry:
    def entry(node: Call, args: list[Compiled]) -> Compiled:
        return lambda scope: step(listed(args, scope), scope)
    return entry


def length(items: ListCol, scope: Scope) -> Col:
    counted = sum((p.astype(np.int64) for p in items.present), np.zeros(scope.n, dtype=np.int64))
    return number(Q(counted, np.ones(scope.n, dtype=np.int64)), items.null, items.missing)


def count(items: ListCol, scope: Scope) -> Col:
    counted = np.zeros(scope.n, dtype=np.int64)
    for col, present in zip(items.items, items.present):
        hit = col.data if col.kind == BOOLEAN else col.data.num > 0  # a list of truth values or of numbers
        counted += present & ~col.null & hit
    null, missing = list_nulls(items)
    return number(Q(counted, np.ones(scope.n, dtype=np.int64)), null, missing)


def summed(items: ListCol, scope: Scope) -> Col:
    zero = rational.const(0, scope.n)
    parts = [rational.where(present, col.data, zero) for col, present in zip(items.items, items.present)]
    null, missing = list_nulls(items)
    return number(rational.total(parts, scope.n, scope.sink), null, missing)


def extreme(pick: Callable[[Q, Q, Array], Q]) -> Callable[[ListCol, Scope], Col]:
    def step(items: ListCol, scope: Scope) -> Col:
        best, seen = rational.const(0, scope.n), np.zeros(scope.n, dtype=bool)
        for col, present in zip(items.items, items.present):
            best = rational.where(present & ~seen, col.data, rational.where(present, pick(best, col.data, scope.sink), best))
            seen |= present
        null, missing = list_nulls(items)
        empty = ~seen & ~items.null
        return number(best, null | empty, missing & ~empty)
    return step


def every(decisive: bool) -> Callable[[ListCol, Scope], Col]:
    """all (decisive False) and any (decisive True): a decisive element wins over nulls."""
    def step(items: ListCol, scope: Scope) -> Col:
        decided = np.zeros(scope.n, dtype=bool)
        for col, present in zip(items.items, items.present):
            decided |= present & ~col.null & (col.data == decisive)
        null, missing = list_nulls(items)
        decided &= ~items.null
        return truth(np.where(decided, decisive, not decisive), null & ~decided, missing & ~decided)
    return step


def absolute(q: Q, scope: Scope) -> Q:
    return Q(np.abs(q.num), q.den)


def rounded(node: Call, args: list[Compiled]) -> Compiled:
    """四舍五入, half away from zero: sign · ⌊|x| · 10ᵈ + ½⌋ / 10ᵈ."""
    digits = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], Literal) else 0
    scale = Fraction(10) ** int(digits)

    def step(q: Q, scope: Scope) -> Q:
        n = scope.n
        shifted = rational.add(rational.mul(absolute(q, scope), rational.const(scale, n), scope.sink), rational.const(Fraction(1, 2), n), scope.sink)
        whole = rational.floor(shifted)
        signed = Q(np.where(q.num < 0, -whole.num, whole.num), whole.den)
        return rational.div(signed, rational.const(scale, n), scope.sink)[0]

    return unary_number(step)(node, args)


def days_since(node: Call, args: list[Compiled]) -> Compiled:
    def run(scope: Scope) -> Col:
        col = args[0](scope)
        days = np.where(col.null, 0, scope.as_of - col.data)
        return number(Q(days, np.ones(scope.n, dtype=np.int64)), col.null, col.missing)
    return run


def years_since(node: Call, args: list[Compiled]) -> Compiled:
    """Exact years, computed by the engine's own function once per distinct (date, assessment date)."""
    def run(scope: Scope) -> Col:
        col = args[0](scope)
        since = np.where(col.null, scope.as_of, col.data)
        keys, back = np.unique(since * DAYS + scope.as_of, return_inverse=True)  # one key per (date, assessment date)
        years = [years_between(int(key // DAYS), int(key % DAYS)) for key in keys]
        num = np.array([y[0] for y in years], dtype=np.int64)[back]
        den = np.array([y[1] for y in years], dtype=np.int64)[back]
        return number(rational.reduced(num, den), col.null, col.missing)
    return run


@cache
def years_between(since: int, until: int) -> tuple[int, int]:
    """`exact_years` between two day ordinals, as (numerator, denominator); remembered, as the same
    dates recur in every partition."""
    years = Fraction(exact_years(dt.date.fromordinal(since), dt.date.fromordinal(until)))
    return years.numerator, years.denominator


def passed(node: Call, args: list[Compiled]) -> Compiled:
    """Whether an item of a used ruleset passed (or is n/a); null where that ruleset is not used here."""
    ruleset_id, item_id = (arg.value for arg in node.args if isinstance(arg, Literal))
    name = f"results.{ruleset_id}.items.{item_id}.outcome"

    def run(scope: Scope) -> Col:
        outcome = scope.values.get(name)
        none = np.zeros(scope.n, dtype=bool)
        if not isinstance(outcome, Col):
            return truth(none, np.ones(scope.n, dtype=bool), none)
        return truth(np.isin(outcome.data, ("pass", "na")), none, none)

    return run


FUNCTIONS: dict[str, Entry] = {
    "ratio": ratio, "exists": exists, "len": over_list(length), "count": over_list(count), "sum": over_list(summed),
    "min": over_list(extreme(rational.minimum)), "max": over_list(extreme(rational.maximum)),
    "all": over_list(every(False)), "any": over_list(every(True)), "abs": unary_number(absolute),
    "ceil": unary_number(lambda q, scope: rational.ceil(q)), "floor": unary_number(lambda q, scope: rational.floor(q)),
    "round": rounded, "days_since": days_since, "years_since": years_since,
    "passed": passed,
}
