"""Runtime values: exact numbers, null with its cause, and how values print in Chinese text.

Exact numbers are `int` and `Fraction`. Every module takes `Fraction` from here: at run time it is
quicktions' (the standard library's fractions module compiled with Cython, same semantics and
hashes, several times faster), which the type checker reads as the standard library's, whose API
it copies. One class only: `type(value) is Fraction` tells an exact number apart."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fractions import Fraction  # noqa: TID251 - the types; quicktions has no stubs
else:
    from quicktions import Fraction

Number = int | Fraction


@dataclass(frozen=True, slots=True)
class Null:
    """A value that is not there: `missing` names absent facts, `why` says what could not be computed."""

    missing: frozenset[str] = frozenset()
    why: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        raise TypeError("Null has no truth value; use three-valued logic")


NULL = Null()


def merge_nulls(values: Iterable[Any]) -> Null:
    """One null carrying the causes of every null among `values`."""
    missing: set[str] = set()
    why: list[str] = []
    for value in values:
        if isinstance(value, Null):
            missing |= value.missing
            why.extend(w for w in value.why if w not in why)
    return Null(frozenset(missing), tuple(why))


def exact(value: int | float | Fraction | Decimal) -> Number:
    """An exact number: floats are read as the decimal they print as (0.95 is 19/20)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        value = Decimal(repr(value))
    result = Fraction(value)
    return result.numerator if result.denominator == 1 else result


def normal(value: Number) -> Number:
    """Fractions with denominator 1 become ints (cheaper and prettier)."""
    if type(value) is Fraction and value.denominator == 1:  # `type`: an isinstance check on Fraction goes through its ABC
        return value.numerator
    return value


def round_half_up(value: Number, digits: int = 0) -> Number:
    """四舍五入 to `digits` decimals, exactly, at any magnitude (half away from zero: −2.5 → −3)."""
    if isinstance(value, int) and digits >= 0:
        return value
    whole, scale = rounded_steps(value, digits)
    return normal(Fraction(whole, 10**digits)) if digits >= 0 else whole * scale


def rounded_steps(value: Number, digits: int) -> tuple[int, int]:
    """`value` rounded half away from zero to a whole number of steps of 10**-digits, in integers
    (a page shows some 200 numbers: Fraction arithmetic here was a tenth of a batch's time)."""
    exact_value = value if isinstance(value, int) or type(value) is Fraction else Fraction(value)
    top, bottom = abs(exact_value.numerator), exact_value.denominator
    scale = 10 ** abs(digits)
    if digits >= 0:
        top *= scale
    else:
        bottom *= scale
    whole = (2 * top + bottom) // (2 * bottom)  # floor(top / bottom + 1/2)
    return (whole if exact_value >= 0 else -whole), scale


def fmt_number(value: Number, digits: int = 2) -> str:
    """A number for people: at most `digits` decimals, no trailing zeros (85, 85.5, 85.33)."""
    if isinstance(value, int):
        return str(value)
    if digits < 0:
        return str(round_half_up(value, digits))
    whole, scale = rounded_steps(value, digits)
    units, decimals = divmod(abs(whole), scale)
    tail = f"{decimals:0{digits}d}".rstrip("0") if digits else ""
    return f"{'-' if whole < 0 else ''}{units}{'.' + tail if tail else ''}"


def fmt_percent(value: Number, digits: int = 1) -> str:
    """A fraction as a percentage with fixed decimals: 0.82 → 82.0%."""
    whole, scale = rounded_steps(value * 100, digits)
    units, decimals = divmod(abs(whole), scale)
    return f"{'-' if whole < 0 else ''}{units}{f'.{decimals:0{digits}d}' if digits else ''}%"


def fmt_value(value: Any, unit: str = "") -> str:
    """Any runtime value as Chinese text, with its unit."""
    if isinstance(value, Null):
        return "（无数据）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, Fraction)):
        if unit == "%":
            return fmt_percent(value)
        return f"{fmt_number(value)} {unit}" if unit else fmt_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(fmt_value(v, unit) for v in value) or "（空）"
    return str(value)


def cn_date(day: dt.date) -> str:
    """A date as Chinese documents write it: 2025年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def to_json_value(value: Any) -> Any:
    """A runtime value as JSON: numbers as int or float, dates as ISO text, null as None."""
    if isinstance(value, Null) or value is None:
        return None
    if type(value) is Fraction:
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    return value


def json_score(value: Number) -> int | float:
    """A score or point count as JSON: exact integers stay integers, others at two decimals."""
    rounded = round_half_up(value, 2)
    return rounded if isinstance(rounded, int) else float(rounded)
