"""Numbers for people: 四舍五入 (half away from zero) at any magnitude, exactly, as decimals would give it."""
from __future__ import annotations

import fractions  # noqa: TID251 - the oracle engine.values.Fraction must agree with
import math
import operator
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.values import Fraction, fmt_number, fmt_percent, round_half_up

NUMBERS = st.one_of(st.integers(-10**15, 10**15),
                    st.builds(Fraction, st.integers(-10**15, 10**15), st.integers(1, 10**7)))


def decimal_rounded(value: Fraction | int, digits: int) -> Decimal:
    """The oracle: the value as a 60-digit decimal, quantized by the decimal module; never −0."""
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(Fraction(value).numerator) / Decimal(Fraction(value).denominator)
        rounded = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


@given(NUMBERS, st.integers(-3, 4))
def test_round_half_up_agrees_with_the_decimal_module(value: Fraction | int, digits: int) -> None:
    assert round_half_up(value, digits) == Fraction(decimal_rounded(value, digits))


@given(NUMBERS, st.integers(0, 4))
def test_fmt_number_prints_the_rounded_decimal_without_trailing_zeros(value: Fraction | int, digits: int) -> None:
    text = f"{decimal_rounded(value, digits):f}"
    expected = text.rstrip("0").rstrip(".") if "." in text else text
    assert fmt_number(value, digits) == expected


@given(NUMBERS, st.integers(0, 3))
def test_fmt_percent_keeps_its_decimals(value: Fraction | int, digits: int) -> None:
    assert fmt_percent(value, digits) == f"{decimal_rounded(Fraction(value) * 100, digits):f}%"


@pytest.mark.parametrize("value, digits, text", [
    (Fraction(171, 2), 2, "85.5"), (Fraction(256, 3), 2, "85.33"), (Fraction(-5, 2), 0, "-3"), (Fraction(5, 2), 0, "3"),
    (Fraction(-1, 1000), 2, "0"), (Fraction(1005, 1000), 2, "1.01"), (Fraction(1, 3), 0, "0"), (Fraction(2549, 100), -1, "30"),
])
def test_numbers_as_pages_show_them(value: Fraction, digits: int, text: str) -> None:
    assert fmt_number(value, digits) == text


def test_percentages_as_pages_show_them() -> None:
    assert [fmt_percent(Fraction(41, 50)), fmt_percent(Fraction(-1, 100000)), fmt_percent(Fraction(1, 2), 0)] == ["82.0%", "0.0%", "50%"]


SOURCES = st.one_of(
    st.tuples(st.integers(-10**15, 10**15), st.integers(1, 10**7)),
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-10**9, max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**6, max_value=10**6).map(str),
)
OPERATIONS = (operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
              operator.lt, operator.le, operator.eq, operator.ge)


def both(source: object) -> tuple[Fraction, fractions.Fraction]:
    arguments = source if isinstance(source, tuple) else (source,)
    return Fraction(*arguments), fractions.Fraction(*arguments)


def shown(value: object) -> tuple[str, str]:
    """What a value prints as, and its type's name with the module left out (both classes are called Fraction)."""
    return repr(value).replace("quicktions.", "").replace("fractions.", ""), type(value).__name__


@given(SOURCES, SOURCES, st.integers(-2, 2), st.sampled_from([0, 3, -7, 2.5]))
def test_the_engine_s_fraction_is_the_standard_library_s(a: object, b: object, power: int, plain: int | float) -> None:
    """Exact scores run on quicktions' Fraction (engine/values.py), the standard library's compiled: every result
    the engine can ask of it, built from what fact files and rulesets hold, is the standard library's."""
    (x, x0), (y, y0) = both(a), both(b)
    for ours, theirs in [(x, x0), (x + y, x0 + y0), (x * plain, x0 * plain), (plain - x, plain - x0)]:
        assert shown(ours) == shown(theirs)
        assert (str(ours), hash(ours)) == (str(theirs), hash(theirs))
        assert (math.floor(ours), math.ceil(ours), round(ours), shown(round(ours, 2))) == (math.floor(theirs), math.ceil(theirs), round(theirs), shown(round(theirs, 2)))
        assert (float(ours), int(ours), ours < plain, ours == plain) == (float(theirs), int(theirs), theirs < plain, theirs == plain)
    for operation in OPERATIONS:
        if operation in (operator.truediv, operator.floordiv, operator.mod) and y == 0:
            continue
        assert shown(operation(x, y)) == shown(operation(x0, y0))
    if x != 0 or power >= 0:
        assert shown(x ** power) == shown(x0 ** power)
