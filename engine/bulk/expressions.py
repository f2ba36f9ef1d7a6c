"""Expressions compiled to column operations: the same tree the engine evaluates one union at a
time (engine/language/expr_eval.py), evaluated for every union at once with the same null rules.

Nothing is generated or `eval`ed: each node becomes a closure over numpy operations. A node this
module cannot evaluate exactly raises `Unsupported` at compile time.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..language.expr_parse import Binary, BoolOp, Call, Compare, ListLit, Literal, Name, Node, Unary
from ..values import Fraction
from . import rational
from .columns import BOOLEAN, DATE, NUMBER, STRING, Col, ListCol, Scope, Unsupported, absent, merged, number, truth, uniform
from .functions import FUNCTIONS

Compiled = Callable[[Scope], Any]  # a Col, or a ListCol for list values
ORDERING = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal, "!=": np.not_equal}


def compile_node(node: Node) -> Compiled:
    """The column evaluation of one checked expression tree."""
    return COMPILERS[type(node)](node)


def literal(node: Literal) -> Compiled:
    value = node.value
    if value is None:
        return lambda scope: absent("null", scope.n, missing=False)
    if isinstance(value, bool):
        return lambda scope: truth(np.full(scope.n, value), *nothing(scope))
    if isinstance(value, str):
        return lambda scope: Col(STRING, np.full(scope.n, value, dtype=object), *nothing(scope))
    if isinstance(value, (int, Fraction)) and rational.fits(value):
        return lambda scope: number(rational.const(value, scope.n), *nothing(scope))
    raise Unsupported(f"常量 {value!r}")


def nothing(scope: Scope) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(scope.n, dtype=bool), np.zeros(scope.n, dtype=bool)


def name(node: Name) -> Compiled:
    path = node.path
    return lambda scope: scope.get(path)


def list_literal(node: ListLit) -> Compiled:
    items = [compile_node(item) for item in node.items]

    def run(scope: Scope) -> ListCol:
        cols = uniform(tuple(item(scope) for item in items), scope.n)
        return ListCol(cols, tuple(np.ones(scope.n, dtype=bool) for _ in cols), *nothing(scope))

    return run


def unary(node: Unary) -> Compiled:
    operand = compile_node(node.operand)
    if node.op == "not":
        return lambda scope: negated(operand(scope))
    if node.op == "-":
        return lambda scope: (lambda col: number(rational.neg(col.data), col.null, col.missing))(operand(scope))
    return operand


def negated(col: Col) -> Col:
    return truth(~col.data, col.null, col.missing)


def binary(node: Binary) -> Compiled:
    left, right, op = compile_node(node.left), compile_node(node.right), node.op

    def run(scope: Scope) -> Col:
        a, b = left(scope), right(scope)
        if a.kind != NUMBER or b.kind != NUMBER:
            return absent(NUMBER, scope.n, missing=False) if "null" in (a.kind, b.kind) else unsupported(op)
        return arithmetic(op, a, b, scope)

    return run


def unsupported(what: str) -> Any:
    raise Unsupported(what)


def arithmetic(op: str, a: Col, b: Col, scope: Scope) -> Col:
    null, missing = merged(a, b)
    if op == "/":
        q, zero = rational.div(a.data, b.data, scope.sink)
        return number(q, null | zero, missing)
    step = {"+": rational.add, "-": rational.sub, "*": rational.mul}[op]
    return number(step(a.data, b.data, scope.sink), null, missing)


def compare(node: Compare) -> Compiled:
    left, right, op = compile_node(node.left), compile_node(node.right), node.op
    if op in ("in", "not in"):
        return lambda scope: membership(left(scope), right(scope), op == "not in", scope.sink)
    return lambda scope: comparison(op, left(scope), right(scope), scope.sink)


def comparison(op: str, a: Col, b: Col, sink: np.ndarray) -> Col:
    null, missing = merged(a, b)
    if "null" in (a.kind, b.kind):
        return truth(np.zeros(len(null), dtype=bool), null, missing)
    if a.kind == NUMBER:
        return truth(ORDERING[op](rational.sign(a.data, b.data, sink), 0), null, missing)
    if a.kind in (DATE, BOOLEAN) or op in ("==", "!="):
        return truth(ORDERING[op](a.data, b.data).astype(bool), null, missing)
    return unsupported(f"文本的 {op} 比较")


def membership(a: Col, items: ListCol, negate: bool, sink: np.ndarray) -> Col:
    """Three-valued `in`: found wins; else a null element (or a null `a` or list) leaves it null."""
    a = Col(a.kind, a.data, a.null | items.null, a.missing | items.missing)
    found = np.zeros(len(a.null), dtype=bool)
    null_item, missing_item = np.zeros_like(found), np.zeros_like(found)
    for col, present in zip(items.items, items.present):
        if col.kind == "null":
            null_item, missing_item = null_item | present, missing_item | (present & col.missing)
            continue
        equal = comparison("==", a, col, sink)
        found |= present & ~equal.null & equal.data
        null_item |= present & col.null
        missing_item |= present & col.missing
    null = a.null | (~found & null_item)
    missing = np.where(a.null, a.missing, ~found & missing_item)
    value = ~found if negate else found
    return truth(value, null, missing)


def bool_op(node: BoolOp) -> Compiled:
    parts, op = [compile_node(v) for v in node.values], node.op
    return lambda scope: kleene(op, [part(scope) for part in parts])


def kleene(op: str, cols: list[Col]) -> Col:
    """and/or in three-valued logic: a decisive value wins over null, nulls merge otherwise."""
    decisive = op == "or"
    decided = np.zeros(len(cols[0].null), dtype=bool)
    null, missing = np.zeros_like(decided), np.zeros_like(decided)
    for col in cols:
        decided |= ~col.null & (col.data == decisive)
        null, missing = null | col.null, missing | col.missing
    return truth(np.where(decided, decisive, not decisive), null & ~decided, missing & ~decided)


def call(node: Call) -> Compiled:
    entry = FUNCTIONS.get(node.func)
    if entry is None:
        raise Unsupported(f"函数 {node.func}")
    return entry(node, [compile_node(arg) for arg in node.args])


COMPILERS: dict[type, Callable[[Any], Compiled]] = {
    Literal: literal, Name: name, ListLit: list_literal, Unary: unary, Binary: binary,
    Compare: compare, BoolOp: bool_op, Call: call,
}
