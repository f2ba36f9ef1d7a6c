"""A section's own deductions in a plan: which take points now, and the fact changes that clear each.

A deduction of a section (「没有建立职代会制度的扣 6 分」) is cleared like an item's: its condition made
false, or its count brought to 0, in the facts' own directions. The planner weighs clearing it as one
more fix of medium effort, and a step says which facts change and the points it gives back.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..evaluate.result import RulesetResult
from ..evaluate.scoring import deduction_amount
from ..language.expr_parse import Compare, Literal
from ..language.model import Deduction, Ruleset, Section
from ..values import Fraction, Null, Number, fmt_number
from .inversion import Patch, Solver
from .records import Step
from .targets import LiveContext, change_of

EFFORT = "medium"


@dataclass(frozen=True, slots=True)
class Cut:
    """A section deduction that takes points now; `patch` clears it (None: no change in the facts' directions does)."""

    key: str  # 「zhidu#1」: the section id and the deduction's number
    section: Section
    deduction: Deduction
    amount: Number
    patch: Patch | None


def cuts_of(ruleset: Ruleset, result: RulesetResult, solver: Solver) -> dict[str, list[Cut]]:
    """Per section id, the deductions taking points from it now."""
    scores = {score.id: score for score in result.sections}
    ctx = LiveContext(ruleset, solver.base, [])
    found: dict[str, list[Cut]] = {}
    for section in ruleset.all_sections():
        for index in scores[section.id].deductions:
            deduction = section.deduct[index]
            amount, null = deduction_amount(deduction, ctx)
            if isinstance(null, Null):  # no data: taken in full (its points; a count: what the section took)
                amount = deduction.points if deduction.when is not None else scores[section.id].deducted or 0
            found.setdefault(section.id, []).append(Cut(f"{section.id}#{index + 1}", section, deduction, amount, clearing(deduction, solver)))
    return found


def clearing(deduction: Deduction, solver: Solver) -> Patch | None:
    if deduction.when is not None:
        return solver.solve(deduction.when.expr.node, False)
    node = deduction.counted.node
    return solver.solve(Compare(node.offset, node.length, "<=", node, Literal(0, 0, Fraction(0))), True)


def cut_step(ruleset: Ruleset, cut: Cut, solver: Solver, why: str) -> Step:
    """The step that clears a section's deduction: 「建立职代会制度，消除分项扣分“没有建立职代会制度”（+6 分）」."""
    env = solver.base
    changed = [name for name, value in (cut.patch or {}).items() if env.get(name) != value and name in ruleset.facts]
    changes = tuple(change_of(ruleset.facts[name], env.get(name), value, env) for name, value in sorted((name, (cut.patch or {})[name]) for name in changed))
    head = "；".join(change.text for change in changes)
    target = f"{head + '，' if head else ''}消除分项扣分“{cut.deduction.name}”（+{fmt_number(cut.amount)} 分）"
    return Step("deduction", ruleset.id, ruleset.short_name, cut.key, f"{cut.section.name}：{cut.deduction.name}", cut.section.id,
                cut.section.name, EFFORT, ruleset.effort_weights[EFFORT], -cut.amount, 0, changes, target, owner=cut.section.owner, why=why)
