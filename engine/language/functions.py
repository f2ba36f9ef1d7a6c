"""The fixed set of functions a rule may call: one registry entry each (types, implementation, doc).

Each entry's docstring is the rule author's reference for it (docs/ruleset-reference.md, built
by engine/authoring/reference.py): what the function does, in Chinese, then `例：` and an expression.
Implementations receive the evaluation environment first, then exact values; unless an entry
says `nulls=True`, a null argument makes the result null without calling it.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..values import Fraction, Null, fmt_percent, merge_nulls, normal, round_half_up

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
    """a ÷ b，精确计算；b 为 0 时结果为空值，原因中写明“分母为 0”。

    例：`ratio(members, employees) >= 0.95`
    """
    if b == 0:
        return Null(why=("分母为 0",))
    return normal(Fraction(a) / Fraction(b))


@function(lambda args: BOOL if len(args) == 1 else _arity(1), nulls=True)
def exists(env: Any, value: Any) -> bool:
    """事实已填写（不是空值）时为真；本身从不为空值，也不会让指标判为“缺资料”。

    例：`exists(committee.last_election)`
    """
    return not isinstance(value, Null)


def _arity(count: int) -> str:
    raise TypeMismatch(f"需要 {count} 个参数")


@function(signature("list", result=NUM))
def len_(env: Any, items: list) -> int:
    """列表的元素个数。

    例：`len(meetings.by_quarter) == 4`
    """
    return len(items)


@function(lambda args: NUM if len(args) == 1 and args[0] in ("list<boolean>", "list<number>", "list<null>") else _list_needed())
def count(env: Any, items: list) -> Any:
    """列表中为真（布尔值）或大于 0（数值）的元素个数。

    例：`count(meetings.by_quarter)` 是开过会的季度数
    """
    if any(isinstance(item, Null) for item in items):
        return merge_nulls(items)
    return sum(1 for item in items if item is True or (not isinstance(item, bool) and item > 0))


def _list_needed() -> str:
    raise TypeMismatch("需要一个布尔值或数值列表")


@function(list_of(NUM, NUM))
def sum_(env: Any, items: list) -> Any:
    """数值列表之和。

    例：`sum(meetings.by_quarter) >= 4`
    """
    if any(isinstance(item, Null) for item in items):
        return merge_nulls(items)
    return normal(sum(items, 0))


@function(numbers_or_list)
def min_(env: Any, *args: Any) -> Any:
    """数值列表中的最小值，或两个以上数值中的最小值；空列表为空值。

    例：`min(meetings.by_quarter) >= 1` 表示每个季度都开过会
    """
    return _extreme(min, args)


@function(numbers_or_list)
def max_(env: Any, *args: Any) -> Any:
    """数值列表中的最大值，或两个以上数值中的最大值；空列表为空值。

    例：`max(ceil(employees * 0.95) - members, 0)`
    """
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
    """布尔值列表全部为真时为真，有一个为假即为假，否则（有空值）为空值。

    例：`all([funds.budget, funds.final_accounts])`
    """
    if any(item is False for item in items):
        return False
    return merge_nulls(items) if any(isinstance(i, Null) for i in items) else True


@function(list_of(BOOL, BOOL))
def any_(env: Any, items: list) -> Any:
    """布尔值列表有一个为真即为真，全部为假时为假，否则（有空值）为空值。

    例：`any([publicity.board, publicity.garden, publicity.online])`
    """
    if any(item is True for item in items):
        return True
    return merge_nulls(items) if any(isinstance(i, Null) for i in items) else False


@function(signature(NUM, result=NUM))
def abs_(env: Any, value: Any) -> Any:
    """绝对值。

    例：`abs(dues.paid - dues.due) <= 100`
    """
    return abs(value)


@function(signature(NUM, result=NUM))
def ceil(env: Any, value: Any) -> int:
    """向上取整：不小于该数的最小整数；职工 81 人时 `ceil(employees * 0.95)` 为 77。

    例：`ceil(employees * 0.95) - members`
    """
    return math.ceil(value)


@function(signature(NUM, result=NUM))
def floor(env: Any, value: Any) -> int:
    """向下取整：不大于该数的最大整数。

    例：`floor(library.books / 1000)`
    """
    return math.floor(value)


@function(optional_digits(NUM))
def round_(env: Any, value: Any, digits: Any = 0) -> Any:
    """四舍五入（0.5 进位，负数同样远离 0）到 digits 位小数，缺省取整：`round(2.5)` 为 3。
    digits 须写成 0 到 6 的整数常量（不能是事实或表达式），载入时检查。

    例：`round(membership_rate, 2) >= 0.95`
    """
    return round_half_up(value, int(digits))


@function(optional_digits(STR))
def pct(env: Any, value: Any, digits: Any = 1) -> str:
    """把比例写成百分数文本，保留 digits 位小数（缺省 1 位）：`pct(0.82)` 为 “82.0%”。多用于整改文本。
    digits 须写成 0 到 6 的整数常量，载入时检查。

    例：`pct(membership_rate)`，整改文本中写作 “入会率 {pct(membership_rate)}”
    """
    return fmt_percent(value, int(digits))


@function(signature(DATE, result=NUM))
def years_since(env: Any, since: dt.date) -> Any:
    """从某日到评估日的年数，精确计算：整年数加上当年已过的比例。

    例：`years_since(committee.last_election) <= 5`
    """
    return exact_years(since, env.as_of)


def exact_years(since: dt.date, until: dt.date) -> Any:
    sign = 1 if until >= since else -1
    early, late = (since, until) if sign == 1 else (until, since)
    whole = late.year - early.year - ((late.month, late.day) < (early.month, early.day))
    anniversary = add_years(early, whole)
    share = Fraction((late - anniversary).days, year_length(early, whole))
    return normal(sign * (whole + share))


def year_length(early: dt.date, years: int) -> int:
    """Days from the `years`-th anniversary of `early` to the next. Past 9999 (the calendar's end) the
    same span 400 years earlier is measured: the Gregorian calendar repeats every 400 years."""
    shift = 400 if early.year + years + 1 > dt.MAXYEAR else 0
    return (add_years(early, years + 1 - shift) - add_years(early, years - shift)).days


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@function(signature(DATE, result=NUM))
def days_since(env: Any, since: dt.date) -> int:
    """从某日到评估日的整天数。

    例：`days_since(committee.last_election) <= 365`
    """
    return (env.as_of - since).days


READ_RESULTS = frozenset({"passed"})  # the functions that read a used ruleset's results, not values


@function(signature(STR, STR, result=BOOL))
def passed(env: Any, ruleset: str, item: str) -> Any:
    """本规则集 uses 的另一规则集中，某指标达标（或不适用）时为真。

    例：`passed('bayou', 'banzi.elected')`
    """
    result = env.results.get(ruleset)
    outcome = result.outcome_of(item) if result is not None else None
    if outcome is None:
        return Null(why=(f"未评估 {ruleset} 的 {item}",))
    return outcome in ("pass", "na")
