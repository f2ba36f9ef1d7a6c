"""The contract of an item kind: how an item's base points are found, and what every stage asks of it.

A kind (`when`, `tiers`, `count`, `scale`, `shortfall`, `around`, `judged`, or deductions alone) is one module under
engine/kinds/, registered in engine/kinds/__init__.py. Its value sits in `Item.kind`, and each
stage reaches the kind through it: loading builds it (`build`), scoring asks for the base points
and the reason (`score`), `explain` lists its expressions, the planner asks for the goals that
reach full points or a better result (`full`, `better`), `diff` compares its fields (`record`),
the reference prints its docstring and schema branch, and `check` and coverage read its own
checks and branches. The protocols below are what a kind may ask of each stage in return.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from ..codes import Code
from ..diagnostics import Diagnostic, DiagnosticList, Mark
from ..values import Null, Number
from .conditions import Cond
from .expr_parse import Node
from .expressions import Expression

Goal = tuple[Node, bool]  # a condition and the truth the planner wants it to have
Record = dict[str, str]  # a kind's fields as display texts, for `diff`


@dataclass(frozen=True, slots=True)
class Base:
    """An item's points before deductions, why, and the null that stopped it (a needed fact is absent)."""

    points: Number
    reason: str
    null: Null | None = None
    branch: int | None = None  # which of the kind's branches gave the points (tiers: the tier's index)
    pending: bool = False  # no points yet: they are entered by the assessors (a judged item before it is judged)


class Scoring(Protocol):
    """What a kind may ask while one union's item is scored."""

    def truth(self, cond: Cond) -> Any: ...
    def value(self, expression: Expression) -> Any: ...
    def null_reason(self, null: Null) -> str: ...
    def unmet(self, cond: Cond) -> str: ...
    def figure(self, expression: Expression, node: Node | None = None) -> str: ...
    def unit(self, expression: Expression, node: Node | None = None) -> str: ...
    def amount(self, value: Number, expression: Expression) -> str: ...
    def thresholds(self, exprs: list[Expression]) -> tuple[str, list[str]]: ...
    def steady(self, exprs: list[Expression]) -> bool: ...
    def remember(self, topic: str, key: object, make: Callable[[], Any], keep: bool = True) -> Any: ...


class Aiming(Protocol):
    """What a kind may ask while the planner looks for the changes that raise an item."""

    def holds(self, cond: Cond) -> Goal: ...
    def compare(self, node: Node, op: str, bound: Number) -> Goal: ...
    def current(self, node: Node) -> Any: ...


class Building(Protocol):
    """What a kind may ask while a ruleset is built: compiled conditions and expressions, marks.

    A part that does not compile is reported in `problems` and stands in as a placeholder; a
    ruleset with problems is never returned, so placeholders are never evaluated."""

    problems: DiagnosticList

    def cond(self, key: str, value: Any, mark: Mark) -> Cond: ...
    def expr(self, value: Any, mark: Mark, want: str | None = None) -> Expression: ...


class Kind(Protocol):
    """One kind's value in an item: its parameters, and what it does at every stage. The class's
    docstring is the rule author's reference (Chinese text, then `例：` and an item in YAML)."""

    key: ClassVar[str]  # the item field that chooses the kind (`tiers: …`); "" for deductions alone
    schema: ClassVar[dict[str, Any]]  # its branch of the item schema: {"properties": …, "$defs": …}
    fields: ClassVar[dict[str, str]]  # its `record` keys in Chinese; `tiers[].when` stands for every tier
    codes: ClassVar[dict[str, Code]]  # the diagnostic codes only this kind reports

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> Kind: ...

    def expressions(self) -> list[Expression]: ...
    def score(self, points: Number, ctx: Scoring) -> Base: ...
    def explain(self, points: Number) -> list[tuple[str, Expression]]: ...
    def record(self) -> Record: ...
    def full(self, points: Number, aim: Aiming) -> list[Goal]: ...
    def better(self, points: Number, now: Number, aim: Aiming) -> list[tuple[str, list[Goal]]]: ...
    def reaching(self, reached: str) -> str: ...
    def most(self, points: Number) -> Number | None: ...
    def branches(self) -> list[str]: ...
    def problems(self, item_id: str, points: Number, mark: Mark) -> Iterator[Diagnostic]: ...
    def warnings(self, item_id: str) -> Iterator[Diagnostic]: ...
