"""Reasoning about conditions without evaluating them: does one imply another, can one ever hold?

Used by the lint (`engine/authoring/lint.py`) to find tiers that first-match never reaches and levels
whose requirements contradict each other. The reasoning is sound, not complete: it answers
"yes" only when that is certain for every union, and "no" whenever it cannot tell.

A condition is read as a conjunction (`and`) of constraints, each one expression (the
*subject*, compared by its structure, not its text) tested against constants:
`rate >= 0.85`, `0.5 <= rate < 0.8`, `union.type in ['enterprise', 'joint']`,
`rules.duties == 'posted'`; any other conjunct (`library.exists`, `a > b`, `x or y`) is a
subject that must be true (`not X`: must be false). A conjunct is true only when its
subject has a value, so nulls never make a constraint hold.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any

from ..values import Fraction
from .expr_parse import BoolOp, Compare, ListLit, Literal, Node, Unary

FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
NEGATED = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
TESTS = {
    "<": lambda v, c: v < c, "<=": lambda v, c: v <= c, ">": lambda v, c: v > c, ">=": lambda v, c: v >= c,
    "==": lambda v, c: v == c, "!=": lambda v, c: v != c, "in": lambda v, c: v in c, "not in": lambda v, c: v not in c,
}


class Other:
    """A test value equal to no constant: stands for "any value not named in the conditions"."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """`subject op constant`, where `subject` is an expression's structure."""

    subject: tuple
    op: str
    constant: Any

    def holds(self, value: Any) -> bool:
        if isinstance(value, Other) and self.op not in ("==", "!=", "in", "not in"):
            return False
        return TESTS[self.op](value, self.constant)

    def constants(self) -> tuple:
        return tuple(self.constant) if self.op in ("in", "not in") else (self.constant,)


def shape(node: Node) -> tuple:
    """A node's structure without its place in the text: equal shapes compute equal values."""
    parts: list[Any] = [type(node).__name__]
    for field in fields(node):
        if field.name not in ("offset", "length"):
            value = getattr(node, field.name)
            parts.append(tuple(shape(v) for v in value) if isinstance(value, tuple) else shape(value) if isinstance(value, Node) else value)
    return tuple(parts)


def constant(node: Node) -> tuple[bool, Any]:
    """(True, value) for a number, text or truth literal (or a negated number), else (False, None)."""
    if isinstance(node, Literal) and node.value is not None:
        return True, node.value
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Literal) and is_number(node.operand.value):
        return True, -node.operand.value
    return False, None


def is_number(value: Any) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def comparison(node: Compare) -> Constraint | None:
    """`x op c`, `c op x` or `x in [c, …]` as a constraint on x; None for anything else."""
    if node.op in ("in", "not in"):
        items = [constant(i) for i in node.right.items] if isinstance(node.right, ListLit) else [(False, None)]
        return Constraint(shape(node.left), node.op, tuple(v for _, v in items)) if all(ok for ok, _ in items) else None
    right_ok, right = constant(node.right)
    if right_ok:
        return Constraint(shape(node.left), node.op, right)
    left_ok, left = constant(node.left)
    return Constraint(shape(node.right), FLIPPED[node.op], left) if left_ok else None


def conjuncts(node: Node) -> list[Node]:
    """The parts of a conjunction, nested `and`s flattened."""
    if isinstance(node, BoolOp) and node.op == "and":
        return [part for value in node.values for part in conjuncts(value)]
    return [node]


def constraint(node: Node) -> Constraint:
    """What a conjunct demands of its subject."""
    if isinstance(node, Unary) and node.op == "not":
        inner = comparison(node.operand) if isinstance(node.operand, Compare) else None
        if inner is not None:  # not (x >= c) holds when x has a value below c
            return Constraint(inner.subject, NEGATED[inner.op], inner.constant)
        return Constraint(shape(node.operand), "==", False)
    found = comparison(node) if isinstance(node, Compare) else None
    return found or Constraint(shape(node), "==", True)


def test_values(constraints: Iterable[Constraint]) -> list[Any]:
    """Values that meet every region the constants cut: exact for numbers, texts and truth values."""
    values = {c for item in constraints for c in item.constants()}
    if values and all(is_number(v) for v in values):
        ordered = sorted(values)
        between = [Fraction(a + b) / 2 for a, b in pairwise(ordered)]
        return ordered + between + [ordered[0] - 1, ordered[-1] + 1]
    return list(values) + [Other()]


def by_subject(constraints: Iterable[Constraint]) -> dict[tuple, list[Constraint]]:
    grouped: dict[tuple, list[Constraint]] = {}
    for item in constraints:
        grouped.setdefault(item.subject, []).append(item)
    return grouped


def satisfiable(constraints: list[Constraint]) -> bool:
    """Whether one value of their common subject meets every constraint."""
    return any(all(c.holds(v) for c in constraints) for v in test_values(constraints))


def entails(given: list[Constraint], wanted: Constraint) -> bool:
    """Whether every value that meets all of `given` (same subject as `wanted`) meets `wanted`."""
    return bool(given) and all(wanted.holds(v) for v in test_values(given + [wanted]) if all(g.holds(v) for g in given))


def implies(stronger: Node, weaker: Node) -> bool:
    """True only when `stronger` holding guarantees that `weaker` holds, for every union."""
    if isinstance(weaker, BoolOp) and weaker.op == "or":
        return any(implies(stronger, part) for part in weaker.values)
    if isinstance(stronger, BoolOp) and stronger.op == "or":
        return all(implies(part, weaker) for part in stronger.values)
    if isinstance(weaker, Literal) and weaker.value is True:
        return True
    known = by_subject(constraint(part) for part in conjuncts(stronger))
    return all(entails(known.get(c.subject, []), c) for c in map(constraint, conjuncts(weaker)))


def never_holds(conditions: list[Node], domain: Sequence[Constraint] = ()) -> bool:
    """True only when the conjunction of `conditions` can hold for no union.

    `domain` adds what is known of the subjects' values (a fact's bounds, an enum's values).
    """
    parts = [part for node in conditions for part in conjuncts(node)]
    if any(isinstance(part, Literal) and part.value is False for part in parts):
        return True
    grouped = by_subject([constraint(part) for part in parts])
    for item in domain:
        if item.subject in grouped:
            grouped[item.subject].append(item)
    return any(not satisfiable(group) for group in grouped.values())
