"""Grading a chunk of unions in bulk: rulesets compiled once, then graded column by column,
dependencies first, each reading the results of the rulesets it `uses`.

`compile_rulesets` decides, before any union is read, which rulesets the bulk evaluator grades:
a ruleset with a construct it cannot evaluate exactly (`Unsupported`) is left to the per-union
engine, whole.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..language.expressions import Expression
from ..language.model import Ruleset
from .columns import NUMBER, STRING, Col, ListCol, Scope, Unsupported, truth
from .expressions import Compiled, compile_node
from .frame import Frame, build_frame, kind_of
from .rational import Array
from .scoring import OUTCOMES, BulkResult, grade_ruleset


@dataclass(frozen=True)
class Plan:
    """A ruleset compiled to column operations: every expression that grading reads, by identity."""

    ruleset: Ruleset
    values: dict[int, Compiled]
    derive: tuple[tuple[str, Compiled], ...]


class Grader:
    """One ruleset's reading of one chunk (what `kinds` and `scoring` ask), each expression computed once."""

    def __init__(self, plan: Plan, scope: Scope) -> None:
        self.plan, self.scope = plan, scope
        self.cache: dict[int, Col] = {}

    @property
    def n(self) -> int:
        return self.scope.n

    @property
    def sink(self) -> Array:
        return self.scope.sink

    def truth(self, cond: Any) -> Col:
        return self.value(cond.expr)

    def value(self, expression: Expression) -> Col:
        key = id(expression)
        if key not in self.cache:
            self.cache[key] = self.plan.values[key](self.scope)
        return self.cache[key]


def grading_expressions(ruleset: Ruleset) -> list[Expression]:
    """What grading reads (fix texts are left out: they are for explanations)."""
    items = ruleset.every_item()
    found = [e for item in items for e in item.expressions()]
    conds = [v.when for v in ruleset.vetoes] + ([ruleset.gate.when] if ruleset.gate else [])
    conds += [r.cond for level in ruleset.levels for r in level.requires if r.cond]
    return found + [c.expr for c in conds]


def beyond_columns(ruleset: Ruleset) -> str | None:
    """What of a published table's constructs the columns do not grade (the ruleset is then graded union by union)."""
    items = ruleset.every_item()
    if any(section.deduct for section in ruleset.all_sections()):
        return "分项扣分"
    if any(item.uncapped for item in items):
        return "上不封顶的指标"
    if ruleset.by_cohort:
        return "按排名评定的等级"
    return None


def plan_ruleset(ruleset: Ruleset) -> Plan:
    beyond = beyond_columns(ruleset)
    if beyond:
        raise Unsupported(beyond)
    values = {id(e): compile_node(e.node) for e in grading_expressions(ruleset)}
    return Plan(ruleset, values, tuple((name, compile_node(e.node)) for name, e in ruleset.derive))


def compile_rulesets(rulesets: list[Ruleset], decls: Mapping[str, Any]) -> dict[str, Plan | None]:
    """Each ruleset's plan, or None where it is graded union by union. A dry run over no unions
    finds what only shows when operands meet (a kind of value the columns do not handle)."""
    plans: dict[str, Plan | None] = {}
    empty = build_frame([], decls)
    done: dict[str, BulkResult] = {}
    for ruleset in rulesets:
        try:
            if any(plans.get(used) is None for used in ruleset.uses):
                raise Unsupported("所用规则集不能批量评估")
            plan = plan_ruleset(ruleset)
            done[ruleset.id] = grade_plan(plan, empty, done)
            plans[ruleset.id] = plan
        except Unsupported:
            plans[ruleset.id] = None
    return plans


def grade_frame(plans: dict[str, Plan | None], frame: Frame) -> dict[str, BulkResult]:
    """Every planned ruleset for every union of the frame, dependencies first (plans are in that order)."""
    done: dict[str, BulkResult] = {}
    for ruleset_id, plan in plans.items():
        if plan is not None:
            done[ruleset_id] = grade_plan(plan, frame, done)
    return done


def grade_plan(plan: Plan, frame: Frame, done: dict[str, BulkResult]) -> BulkResult:
    ruleset = plan.ruleset
    sink = frame.sink.copy()
    values: dict[str, Col | ListCol] = {name: frame.columns[name] for name in ruleset.facts if name in frame.columns}
    values.update({name: col for name, col in frame.columns.items() if name.startswith("union.") or name == "period"})
    kinds = {name: kind_of(decl) for name, decl in ruleset.facts.items()}
    kinds |= {name: STRING for e in grading_expressions(ruleset) for name in e.names if name.startswith("union.")}
    for used in ruleset.uses:
        values.update(result_columns(done[used], frame.n))
    scope = Scope(frame.n, values, kinds | {"period": NUMBER}, frame.as_of, sink)
    for name, derive in plan.derive:
        values[name] = derive(scope)
    for used in ruleset.uses:
        sink |= done[used].unsure
    return grade_ruleset(ruleset, Grader(plan, scope))


def result_columns(result: BulkResult, n: int) -> dict[str, Col]:
    """`results.<id>.score|level|eligible|items.<item>.outcome`, as `assessment.result_values` gives them."""
    none = np.zeros(n, dtype=bool)
    level_ids = np.array([level.id for level in result.ruleset.levels] + [0], dtype=object)
    unrated = result.level < 0
    cols = {"score": Col(NUMBER, result.score, none, none), "eligible": truth(result.eligible, none, none),
            "level": Col(STRING, level_ids[result.level], unrated, none)}
    names = np.array(OUTCOMES, dtype=object)
    cols |= {f"items.{item_id}.outcome": Col(STRING, names[item.outcome], none, none) for item_id, item in result.items.items()}
    rid = result.ruleset.id
    return {f"{prefix}.{key}": col for prefix in {f"results.{rid}", f"results.{rid.replace('-', '_')}"} for key, col in cols.items()}

