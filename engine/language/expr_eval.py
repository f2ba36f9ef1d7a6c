"""Evaluation: each checked expression becomes a tree of small closures over an environment.

Null propagates through arithmetic, comparisons and functions; `and`, `or` and `not` follow
three-valued (Kleene) logic, so a condition is decided by whatever it does not need.
"""
from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..values import Fraction, Null, merge_nulls, normal
from .expr_parse import Binary, BoolOp, Call, Compare, ListLit, Literal, Name, Node, Unary
from .functions import REGISTRY
from .limits import too_big

Closure = Callable[["Env"], Any]
ABSENT = object()


@dataclass
class Env:
    """What an expression can read for one union: values by name, the assessment date, used results."""

    values: dict[str, Any]
    as_of: dt.date
    results: dict[str, Any] = field(default_factory=dict)

    def get(self, path: str) -> Any:
        value = self.values.get(path, ABSENT)
        return Null(missing=frozenset((path,))) if value is ABSENT else value


def to_closure(node: Node) -> Closure:
    """Compile a checked expression tree into a function of the environment."""
    return COMPILERS[type(node)](node)


def literal(node: Literal) -> Closure:
    value = Null() if node.value is None else node.value
    return lambda env: value


def name(node: Name) -> Closure:
    path, absent = node.path, Null(missing=frozenset((node.path,)))
    return lambda env: env.values.get(path, absent)


def list_literal(node: ListLit) -> Closure:
    items = [to_closure(item) for item in node.items]
    return lambda env: [item(env) for item in items]


def unary(node: Unary) -> Closure:
    operand = to_closure(node.operand)
    if node.op == "not":
        return lambda env: kleene_not(operand(env))
    sign = -1 if node.op == "-" else 1
    return lambda env: (lambda v: v if isinstance(v, Null) else sign * v)(operand(env))


def kleene_not(value: Any) -> Any:
    return value if isinstance(value, Null) else not value


OUT_OF_RANGE = Null(why=("计算结果的数值过大或位数过多，超出计算范围",))


def arithmetic(op: str, a: Any, b: Any) -> Any:
    """One exact operation; a result too large to be a real figure is null (reading it says why)."""
    result = exact_operation(op, a, b)
    return OUT_OF_RANGE if too_big(result) else result


def exact_operation(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return normal(a * b) if isinstance(a, Fraction) or isinstance(b, Fraction) else a * b
    if b == 0:
        return Null(why=("除数为 0",))
    return normal(Fraction(a) / Fraction(b))


def binary(node: Binary) -> Closure:
    left, right, op = to_closure(node.left), to_closure(node.right), node.op

    def run(env: Env) -> Any:
        a, b = left(env), right(env)
        if isinstance(a, Null) or isinstance(b, Null):
            return merge_nulls((a, b))
        return arithmetic(op, a, b)

    return run


def compare_values(op: str, a: Any, b: Any) -> Any:
    """One comparison with null propagation; `in` is three-valued over the list's elements."""
    if op in ("in", "not in"):
        found = membership(a, b)
        return found if op == "in" or isinstance(found, Null) else not found
    return ordered(COMPARATORS[op], a, b)


def ordered(test: Callable[[Any, Any], bool], a: Any, b: Any) -> Any:
    """`test(a, b)`, or the nulls among `a` and `b`."""
    if isinstance(a, Null) or isinstance(b, Null):
        return merge_nulls((a, b))
    return test(a, b)


def membership(a: Any, items: Any) -> Any:
    if isinstance(a, Null) or isinstance(items, Null):
        return merge_nulls((a, items))
    if any(not isinstance(item, Null) and item == a for item in items):
        return True
    return merge_nulls(items) if any(isinstance(item, Null) for item in items) else False


COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def compare(node: Compare) -> Closure:
    left, right, op = to_closure(node.left), to_closure(node.right), node.op
    if op not in COMPARATORS:  # in, not in
        return lambda env: compare_values(op, left(env), right(env))
    test = COMPARATORS[op]  # chosen once: conditions are mostly comparisons
    return lambda env: ordered(test, left(env), right(env))


def kleene(op: str, values: list[Any]) -> Any:
    """Three-valued and/or: a decisive value wins over null."""
    decisive = op == "or"
    if any(v is decisive for v in values):
        return decisive
    nulls = [v for v in values if isinstance(v, Null)]
    return merge_nulls(nulls) if nulls else not decisive


def bool_op(node: BoolOp) -> Closure:
    parts, op = [to_closure(v) for v in node.values], node.op
    return lambda env: kleene(op, [part(env) for part in parts])


def call(node: Call) -> Closure:
    entry = REGISTRY[node.func]
    args = [to_closure(arg) for arg in node.args]
    impl, nulls = entry.impl, entry.nulls

    def run(env: Env) -> Any:
        values = [arg(env) for arg in args]
        if not nulls:
            for value in values:  # a loop, not any() over a generator: every call of a function comes here
                if isinstance(value, Null):
                    return merge_nulls(values)
        return impl(env, *values)

    return run


COMPILERS: dict[type, Callable[[Any], Closure]] = {
    Literal: literal, Name: name, ListLit: list_literal, Unary: unary, Binary: binary,
    Compare: compare, BoolOp: bool_op, Call: call,
}
