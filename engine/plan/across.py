"""Plans of several standards that ask different figures of one fact.

A union is planned in each standard on its own, each plan the least that brings that standard to its next
level. Two plans may change one fact to different figures: 职工之家 asks 28 people in 医疗互助 (90% of the
members as they are), 星级 asks 36 (90% of the members its other steps bring in). A chair who carries out
both needs the larger, and, told two figures, could not tell which counts. So each step asking less than
another standard's plan asks of the same fact names that plan's figure, which counts when both are carried
out. Only numbers are compared: a yes/no fact or a chosen value is the same change whichever plan makes it.
"""
from __future__ import annotations

from dataclasses import replace
from numbers import Real
from typing import Any

from .records import Change, Plan, Step


def across(plans: dict[str, Plan]) -> dict[str, Plan]:
    """The plans, each step that asks less of a fact than another standard's plan saying so (`Step.elsewhere`)."""
    asked = [(plan.ruleset, step, change) for plan in plans.values() for step in plan.steps for change in step.changes]
    return {rid: replace(plan, steps=tuple(noted(rid, step, asked) for step in plan.steps)) if plan.steps else plan
            for rid, plan in plans.items()}


def noted(ruleset: str, step: Step, asked: list[tuple[str, Step, Change]]) -> Step:
    texts = []
    for change in step.changes:
        further = [(other, change_by) for rid, other, change_by in asked
                   if rid != ruleset and change_by.fact == change.fact and beyond(change_by, change)]
        if further:
            other, most = max(further, key=lambda found: abs(found[1].after - change.before))
            texts.append(f"“{other.ruleset_name}”的规划要求{most.text}，两个规划都落实时按“{other.ruleset_name}”的目标完成")
    return replace(step, elsewhere="；".join(texts) + "。") if texts else step


def beyond(other: Change, change: Change) -> bool:
    """Whether `other` takes the same fact further the same way than `change` does."""
    if not all(number(value) for value in (other.before, other.after, change.before, change.after)) or other.before != change.before:
        return False
    up = change.after > change.before
    return other.after > change.after if up else other.after < change.after


def number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)
