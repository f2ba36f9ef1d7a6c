"""Exact rationals for every union at once: an int64 numerator and a positive int64 denominator.

Every product is estimated in float64 first: a row whose product would reach `LIMIT` (2⁶²) is
flagged in `sink` (the per-union engine grades it again) and carries 0/1 from there on. Below that
bound the sum or difference of two products fits int64, so nothing ever wraps around.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..values import Fraction, Number

LIMIT = 2**62
Array = np.ndarray


@dataclass(frozen=True, slots=True)
class Q:
    """One exact number per union."""

    num: Array
    den: Array


def fits(value: Number) -> bool:
    """Whether a constant of a ruleset can be one operand here."""
    fraction = Fraction(value)
    return abs(fraction.numerator) < LIMIT and fraction.denominator < LIMIT


def const(value: Number, n: int) -> Q:
    """The same number in every row (read-only arrays, shared by every use: grading asks for a few constants often)."""
    fraction = Fraction(value)
    return Q(filled(fraction.numerator, n), filled(fraction.denominator, n))


@lru_cache(maxsize=512)
def filled(value: int, n: int) -> Array:
    array = np.full(n, value, np.int64)
    array.flags.writeable = False
    return array


def times(x: Array, y: Array, sink: Array, fallback: int = 0) -> Array:
    """x · y, exactly; rows where it would reach `LIMIT` are flagged in `sink` and read `fallback`."""
    if not x.size or float(np.abs(x).max()) * float(np.abs(y).max()) < LIMIT:  # the usual case: small figures
        return x * y
    over = np.abs(x.astype(np.float64) * y.astype(np.float64)) >= LIMIT
    if not over.any():
        return x * y
    sink |= over
    return np.where(over, fallback, np.where(over, 1, x) * np.where(over, 1, y))


def reduced(num: Array, den: Array) -> Q:
    """num/den in lowest terms (den > 0)."""
    if not den.size or den.max() == 1:  # whole numbers: nothing to reduce
        return Q(num, den)
    divisor = np.gcd(num, den)
    divisor = np.where(divisor == 0, 1, divisor)
    return Q(num // divisor, den // divisor)


def add(a: Q, b: Q, sink: Array) -> Q:
    return reduced(times(a.num, b.den, sink) + times(b.num, a.den, sink), times(a.den, b.den, sink, 1))


def sub(a: Q, b: Q, sink: Array) -> Q:
    return add(a, neg(b), sink)


def mul(a: Q, b: Q, sink: Array) -> Q:
    return reduced(times(a.num, b.num, sink), times(a.den, b.den, sink, 1))


def div(a: Q, b: Q, sink: Array) -> tuple[Q, Array]:
    """a ÷ b, and where b is 0 (those rows read 0)."""
    zero = b.num == 0
    flip = np.where(b.num < 0, -1, 1)
    num = times(a.num, b.den * flip, sink)
    den = times(a.den, np.where(zero, 1, np.abs(b.num)), sink, 1)
    return reduced(np.where(zero, 0, num), den), zero


def neg(a: Q) -> Q:
    return Q(-a.num, a.den)


def sign(a: Q, b: Q, sink: Array) -> Array:
    """−1, 0 or 1 per row: the sign of a − b."""
    return np.sign(times(a.num, b.den, sink) - times(b.num, a.den, sink))


def where(mask: Array, a: Q, b: Q) -> Q:
    return Q(np.where(mask, a.num, b.num), np.where(mask, a.den, b.den))


def minimum(a: Q, b: Q, sink: Array) -> Q:
    return where(sign(a, b, sink) <= 0, a, b)


def maximum(a: Q, b: Q, sink: Array) -> Q:
    return where(sign(a, b, sink) >= 0, a, b)


def clamp(a: Q, low: Q, high: Q, sink: Array) -> Q:
    return minimum(maximum(a, low, sink), high, sink)


def floor(a: Q) -> Q:
    return Q(a.num // a.den, np.ones_like(a.den))


def ceil(a: Q) -> Q:
    return Q(-((-a.num) // a.den), np.ones_like(a.den))


def total(parts: list[Q], n: int, sink: Array) -> Q:
    result = const(0, n)
    for part in parts:
        result = add(result, part, sink)
    return result


def to_float(a: Q) -> Array:
    return a.num / a.den


def at(a: Q, row: int) -> Number:
    """Row `row` as the engine's exact number (an int when whole)."""
    value = Fraction(int(a.num[row]), int(a.den[row]))
    return value.numerator if value.denominator == 1 else value
