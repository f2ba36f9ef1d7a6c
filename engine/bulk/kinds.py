"""Each item kind's base points over columns: the same rules as the kinds' `score` (engine/kinds/),
without the reasons. A kind not listed here makes its ruleset graded union by union."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..kinds import Count, DeductionsOnly, Scale, Shortfall, Tiers, When
from ..values import Number
from . import rational
from .columns import Col, Unsupported
from .rational import Array, Q


@dataclass(frozen=True, slots=True)
class BaseCols:
    """An item's points before deductions, and where a fact it needs is absent (the item is missing)."""

    points: Q
    missing: Array


class Reading(Protocol):
    """What a kind asks for while it is graded: the truth of a condition, the value of an expression."""

    @property
    def n(self) -> int: ...
    @property
    def sink(self) -> Array: ...

    def truth(self, cond: Any) -> Col: ...
    def value(self, expression: Any) -> Col: ...


def held(col: Col) -> Array:
    return ~col.null & col.data


def when(kind: When, points: Number, reading: Reading) -> BaseCols:
    truth = reading.truth(kind.when)
    full = rational.const(points, reading.n)
    return BaseCols(rational.where(held(truth), full, rational.const(0, reading.n)), truth.missing)


def tiers(kind: Tiers, points: Number, reading: Reading) -> BaseCols:
    """The first tier that holds; a tier whose facts are absent, reached first, makes the item missing."""
    earned, decided = rational.const(0, reading.n), np.zeros(reading.n, dtype=bool)
    missing = np.zeros(reading.n, dtype=bool)
    for tier in kind.tiers:
        truth = reading.truth(tier.when)
        hit, absent = ~decided & held(truth), ~decided & truth.missing
        earned = rational.where(hit, rational.const(tier.points, reading.n), earned)
        missing |= absent
        decided |= hit | absent
    return BaseCols(earned, missing)


def count(kind: Count, points: Number, reading: Reading) -> BaseCols:
    value = reading.value(kind.count)
    scaled = rational.mul(value.data, rational.const(kind.each, reading.n), reading.sink)
    return capped(value, scaled, points, reading)


def capped(value: Col, earned: Q, points: Number, reading: Reading) -> BaseCols:
    """`earned` clamped to [0, points]; 0 where the value is null."""
    zero = rational.const(0, reading.n)
    clamped = rational.clamp(earned, zero, rational.const(points, reading.n), reading.sink)
    return BaseCols(rational.where(value.null, zero, clamped), value.missing)


def scale(kind: Scale, points: Number, reading: Reading) -> BaseCols:
    value, n, sink = reading.value(kind.value), reading.n, reading.sink
    share = rational.div(rational.sub(value.data, rational.const(kind.start, n), sink), rational.const(kind.end - kind.start, n), sink)[0]
    share = rational.clamp(share, rational.const(0, n), rational.const(1, n), sink)
    return capped(value, rational.mul(rational.const(points, n), share, sink), points, reading)


def shortfall(kind: Shortfall, points: Number, reading: Reading) -> BaseCols:
    value, n, sink = reading.value(kind.value), reading.n, reading.sink
    gap = rational.sub(rational.const(kind.target, n), value.data, sink)
    steps = rational.div(gap, rational.const(kind.step, n), sink)[0]
    whole = rational.ceil(steps) if kind.round == "ceil" else rational.floor(steps)
    earned = rational.sub(rational.const(points, n), rational.mul(whole, rational.const(kind.each, n), sink), sink)
    reached = rational.sign(value.data, rational.const(kind.target, n), sink) >= 0
    return capped(value, rational.where(reached, rational.const(points, n), earned), points, reading)


def deductions_only(kind: DeductionsOnly, points: Number, reading: Reading) -> BaseCols:
    return BaseCols(rational.const(points, reading.n), np.zeros(reading.n, dtype=bool))


BULK_KINDS: dict[type, Callable[[Any, Number, Reading], BaseCols]] = {
    When: when, Tiers: tiers, Count: count, Scale: scale, Shortfall: shortfall, DeductionsOnly: deductions_only,
}


def base_of(kind: Any, points: Number, reading: Reading) -> BaseCols:
    scorer = BULK_KINDS.get(type(kind))
    if scorer is None:
        raise Unsupported(f"指标类型 {type(kind).__name__}")
    return scorer(kind, points, reading)
