"""Numbers for people: 四舍五入 (half away from zero) at any magnitude, exactly, as decimals would give it."""
from __future__ import annotations

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
