"""A plan's steps: one item's step from its target, what a score step buys, and the patch several steps make."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..evaluate.result import ItemScore, RulesetResult
from ..language.model import Item, Level, Ruleset
from ..values import Fraction, Null, Number, fmt_number, normal, round_half_up
from .inversion import Patch
from .records import Change, Step


def item_step(ruleset: Ruleset, item: Item, score: ItemScore, target: Any, why: str, required: bool = False, advice: str | None = None) -> Step:
    """`advice`: the fix text to give, when not the item's as `score` has it."""
    sections = section_names(ruleset)
    return Step(
        "item", ruleset.id, ruleset.short_name, item.id, item.name, item.section, sections.get(item.section, "加分项"),
        item.effort, ruleset.weight(item), score.points, target.points, target.changes, target.text,
        item.evidence, (score.fix or "") if advice is None else advice, item.owner, required or item.required, why,
    )


def section_names(ruleset: Ruleset) -> dict[str, str]:
    found: dict[str, str] = {}
    pending = list(ruleset.sections)
    while pending:
        section = pending.pop()
        found[section.id] = section.name
        pending += section.sections
    return found


def merged(steps: Iterable[Step]) -> Patch:
    """Every step's changes; where two steps change one fact, the larger change in one direction wins."""
    patch: Patch = {}
    for step in steps:
        for change in step.changes:
            patch[change.fact] = larger(change, patch.get(change.fact))
    return patch


def larger(change: Change, other: Any) -> Any:
    if other is None or isinstance(change.before, Null) or not isinstance(other, (int, Fraction)) or isinstance(other, bool):
        return change.after if other is None else other if isinstance(change.after, bool) else change.after
    up = change.after >= change.before
    return max(other, change.after) if up else min(other, change.after)


def buys(ruleset: Ruleset, result: RulesetResult, level: Level, gain: Number, subject: str = "本项") -> str:
    """What a score step buys: 「距先进职工之家还差 3.5 分，本项可得 3 分」 (`subject`: what earns the points)."""
    counted = result.score - (0 if ruleset.bonus and ruleset.bonus.counts_for_level else result.bonus)
    if level.min > counted:  # from the score as printed: 70 − 15.63 is 54.37, though 70 − 15.625 rounds to 54.38
        short = normal(level.min - round_half_up(counted, 2))
        return f"距{level.name}还差 {fmt_number(short if short > 0 else level.min - counted)} 分，{subject}可得 {fmt_number(gain)} 分"
    return f"{level.name}要求各一级指标得分率达标，{subject}可得 {fmt_number(gain)} 分"
