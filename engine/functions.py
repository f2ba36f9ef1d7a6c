"""The fixed set of functions a rule may call: one registry entry each (types, implementation, doc).

Each entry's docstring is the rule author's reference for it. Implementations receive the
evaluation environment first, then exact values; unless an entry says `nulls=True`, a null
argument makes the result null without calling it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from .values import Null, fmt_percent, merge_nulls, normal, round_half_up

NUM, BOOL, STR, DATE = "number", "boolean", "string", "date"


class TypeMismatch(Exception):
    """Arguments of the wrong type or number; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    check: Callable[[list[str]], str]
    impl: Callable[..., Any]
    nulls: bool
    doc: str


REGISTRY: dict[str, Function] = {}


def function(check: Callable[[list[str]], str], nulls: bool = False) -> Callable:
    """Register an expression function under its Python name (trailing underscore dropped)."""

    def register(impl: Callable) -> Callable:
        name = impl.__name__.rstrip("_")
        REGISTRY[name] = Function(name, check, impl, nulls, (impl.__doc__ or "").strip())
        return impl

    return register


def signature(*params: str, result: str) -> Callable[[list[str]], str]:
    """A checker for a fixed list of parameter types ("null" fits any)."""

    def check(args: list[str]) -> str:
        if len(args) != len(params):
            raise TypeMismatch(f"需要 {len(params)} 个参数，实际 {len(args)} 个")
        for index, (want, got) in enumerate(zip(params, args), 1):
            if got not in (want, "null") and not (want == "list" and got.startswith("list")):
                raise TypeMismatch(f"第 {index} 个参数应为{TYPE_TEXT.get(want, want)}，实际为{type_text(got)}")
        return result

    return check


def list_of(element: str, result: str) -> Callable[[list[str]], str]:
    def check(args: list[str]) -> str:
        if len(args) != 1 or args[0] not in (f"list<{element}>", "list<null>", "null"):
            raise TypeMismatch(f"需要一个{TYPE_TEXT[element]}列表")
        return result

    return check


def numbers_or_list(args: list[str]) -> str:
    if len(args) == 1 and args[0] in ("list<number>", "list<null>"):
        return NUM
    if len(args) >= 2 and all(a in (NUM, "null") for a in args):
        return NUM
    raise TypeMismatch("需要一个数值列表，或两个以上数值")


def optional_digits(result: str) -> Callable[[list[str]], str]:
    def check(args: list[str]) -> str:
        if not 1 <= len(args) <= 2 or any(a not in (NUM, "null") for a in args):
            raise TypeMismatch("需要一个数值，以及可选的小数位数")
        return result

    return check


TYPE_TEXT = {NUM: "数值", BOOL: "布尔值", STR: "文本", DATE: "日期", "list": "列表", "null": "空值"}


def type_text(kind: str) -> str:
    if kind.startswith("list<"):
        return f"{TYPE_TEXT.get(kind[5:-1], kind[5:-1])}列表"
    return TYPE_TEXT.get(kind, kind)


@function(signature(NUM, NUM, result=NUM))
def ratio(env: Any, a: Any, b: Any) -> Any:
    """a ÷ b, exact. Null when b is 0, and the reason says so. `ratio(members, employees)`"""
    if b == 0:
        return Null(why=("分母为 0",))
    return normal(Fraction(a) / Fraction(b))


@function(lambda args: BOOL if len(args) == 1 else _arity(1), nulls=True)
def exists(env: Any, value: Any) -> bool:
    """True when the fact is present and not null; never null itself. `exists(committee.last_election)`"""
    return not isinstance(value, Null)


def _arity(count: int) -> str:
    raise TypeMismatch(f"需要 {count} 个参数")


@function(signature("list", result=NUM))
def len_(env: Any, items: list) -> int:
    """Number of elements of a list. `len(meetings.by_quarter)`"""
    return len(items)


@function(lambda args: NUM if len(args) == 1 and args[0] in ("list<boolean>", "list<number>", "list<null>") else _list_needed())
def count(env: Any, items: list) -> Any:
    """Elements that are true (booleans) or above 0 (numbers). `count(meetings.by_quarter)` = quarters with a meeting."""
    if any(isinstance(item, Null) for item in items):
        return merge_nulls(items)
    return sum(1 for item in items if item is True or (not isinstance(item, bool) and item > 0))


def _list_needed() -> str:
    raise TypeMismatch("需要一个布尔值或数值列表")


@function(list_of(NUM, NUM))
def sum_(env: Any, items: list) -> Any:
    """Sum of a list of numbers. `sum(meetings.by_quarter)`"""
    if any(isinstance(item, Null) for item in items):
        return merge_nulls(items)
    return normal(sum(items, 0))


@function(numbers_or_list)
def min_(env: Any, *args: Any) -> Any:
    """Smallest of a list, or of two or more numbers. `min(meetings.by_quarter)`"""
    return _extreme(min, args)


@function(numbers_or_list)
def max_(env: Any, *args: Any) -> Any:
    """Largest of a list, or of two or more numbers. `max(a, b)`"""
    return _extreme(max, args)


def _extreme(pick: Callable, args: tuple) -> Any:
    items = args[0] if len(args) == 1 else args
    if not items:
        return Null(why=("列表为空",))
    if any(isinstance(item, Null) for item in items):
        return merge_nulls(items)
    return pick(items)


@function(list_of(BOOL, BOOL))
def all_(env: Any, items: list) -> Any:
    """True when every element is true; false when any is false; otherwise null. `all([a, b])`"""
    if any(item is False for item in items):
        return False
    return merge_nulls(items) if any(isinstance(i, Null) for i in items) else True


@function(list_of(BOOL, BOOL))
def any_(env: Any, items: list) -> Any:
    """True when any element is true; false when every one is false; otherwise null."""
    if any(item is True for item in items):
        return True
    return merge_nulls(items) if any(isinstance(i, Null) for i in items) else False


@function(signature(NUM, result=NUM))
def abs_(env: Any, value: Any) -> Any:
    """Absolute value."""
    return abs(value)


@function(signature(NUM, result=NUM))
def ceil(env: Any, value: Any) -> int:
    """Smallest whole number not below the value: `ceil(employees * 0.95)` for 81 employees is 77."""
    return math.ceil(value)


@function(signature(NUM, result=NUM))
def floor(env: Any, value: Any) -> int:
    """Largest whole number not above the value."""
    return math.floor(value)


@function(optional_digits(NUM))
def round_(env: Any, value: Any, digits: Any = 0) -> Any:
    """四舍五入 (half away from zero) to `digits` decimals: `round(2.5)` is 3, `round(x, 1)`."""
    return round_half_up(value, int(digits))


@function(optional_digits(STR))
def pct(env: Any, value: Any, digits: Any = 1) -> str:
    """A fraction as percentage text with `digits` decimals (default 1): `pct(0.82)` is "82.0%"."""
    return fmt_percent(value, int(digits))


@function(signature(DATE, result=NUM))
def years_since(env: Any, since: dt.date) -> Any:
    """Years from a date to the assessment date, exact: whole years plus the share of the year begun.
    `years_since(committee.last_election) <= 5`"""
    return exact_years(since, env.as_of)


def exact_years(since: dt.date, until: dt.date) -> Any:
    sign = 1 if until >= since else -1
    early, late = (since, until) if sign == 1 else (until, since)
    whole = late.year - early.year - ((late.month, late.day) < (early.month, early.day))
    anniversary = add_years(early, whole)
    following = add_years(early, whole + 1)
    share = Fraction((late - anniversary).days, (following - anniversary).days)
    return normal(sign * (whole + share))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@function(signature(DATE, result=NUM))
def days_since(env: Any, since: dt.date) -> int:
    """Whole days from a date to the assessment date. `days_since(audit.last_date) <= 365`"""
    return (env.as_of - since).days


@function(signature(STR, STR, result=BOOL))
def passed(env: Any, ruleset: str, item: str) -> Any:
    """True when that item of a ruleset this one `uses` passed (or did not apply). `passed('bayou', 'banzi.elected')`"""
    result = env.results.get(ruleset)
    outcome = result.outcome_of(item) if result is not None else None
    if outcome is None:
        return Null(why=(f"未评估 {ruleset} 的 {item}",))
    return outcome in ("pass", "na")
