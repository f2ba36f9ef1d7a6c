"""Items met through a used standard's items: 星级's 「工会委员会依法选举产生并按期换届」 holds when 八有's
election and term items pass (`passed('bayou', 'banzi.term')`). No fact of the item's own moves it, so the
solver finds no change for it; the plan fixes the used standard's items instead, each as a step of that
standard, and the item's points follow (listed with the items the steps move unnamed, `settle.side_changes`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..evaluate.result import ItemScore
from ..language.expr_parse import BoolOp, Call, Literal, Node
from ..language.model import Item, Ruleset
from ..values import Number
from .records import Step
from .steps import item_step
from .targets import Reach

if TYPE_CHECKING:
    from .planner import State


class Part(NamedTuple):
    """One used standard's item to fix, and its best result (full points: the item passes)."""

    ruleset: Ruleset
    item: Item
    score: ItemScore
    reach: Reach


class Linked(NamedTuple):
    """An item's best result through the used standards' items: its points, the effort of those items' fixes."""

    points: Number
    weight: int
    parts: tuple[Part, ...]


def linked_reach(state: State, ruleset: Ruleset, item: Item) -> Linked | None:
    """Full points for an item whose full points ask only that used standards' items pass, when every such
    item not passing can be brought to full points; None otherwise."""
    wanted = passes_asked(ruleset, item, state)
    if not wanted:
        return None
    parts = []
    for used_id, item_id in wanted:
        used, result = state.by_id[used_id], state.results[used_id]
        used_item = used.item_index[item_id]
        score = result.item_score(item_id)
        if score.outcome in ("pass", "na"):
            continue
        reach = state.item_targets(used).best_reach(used_item, score)
        if reach is None or reach.points != used_item.points:
            return None
        parts.append(Part(used, used_item, score, reach))
    if not parts:
        return None
    return Linked(item.points, sum(p.ruleset.weight(p.item) for p in parts), tuple(parts))


def passes_asked(ruleset: Ruleset, item: Item, state: State) -> list[tuple[str, str]]:
    """The (standard, item) pairs whose passing gives the item full points: its full-points goals are
    `passed(…)` calls of used standards' items, alone or joined by `and`; [] for any other item."""
    if not ruleset.uses or item.deduct or item.zero_if is not None or item.applies_if is not None:
        return []
    pairs: list[tuple[str, str]] = []
    for node, want in item.kind.full(item.points, state.item_targets(ruleset)):
        found = passed_calls(node) if want is True else None
        if found is None:
            return []
        pairs += found
    known = all(u in ruleset.uses and u in state.by_id and i in state.by_id[u].item_index for u, i in pairs)
    return pairs if known else []


def passed_calls(node: Node) -> list[tuple[str, str]] | None:
    """`passed('bayou', 'banzi.term')` and conjunctions of such calls as (standard, item) pairs; None otherwise."""
    if isinstance(node, BoolOp) and node.op == "and":
        found = [passed_calls(part) for part in node.values]
        return None if any(f is None for f in found) else [pair for f in found if f for pair in f]
    if isinstance(node, Call) and node.func == "passed" and len(node.args) == 2:
        standard, item = node.args
        if isinstance(standard, Literal) and isinstance(item, Literal) and isinstance(standard.value, str) and isinstance(item.value, str):
            return [(standard.value, item.value)]
    return None


def linked_steps(state: State, ruleset: Ruleset, item: Item, linked: Linked, why: str, required: bool = False) -> list[Step]:
    """The used standards' steps that give `item` its points, each saying so: 「星级“工会委员会依法选举产生并按期换届”
    须八有此项达标：距三星还差 63.75 分，该项可得 4 分」."""
    steps = []
    for part in linked.parts:
        reach = part.reach
        target = state.item_targets(part.ruleset).target(part.item, part.score, reach.patch, reach.points, reach.reached)
        text = f"{ruleset.short_name}“{item.name}”须{part.ruleset.short_name}此项达标：{why}"
        steps.append(item_step(part.ruleset, part.item, part.score, target, text, required))
    return steps
