"""A plan's last pass: each step told from the union as it stands, and aimed at its points with the other
steps made; the items the steps move unnamed; and the owners the union has (the ruleset's `owners`).

Run once a plan is verified (`Planner.rounds`); the search's choice of items and its effort are kept.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from ..evaluate.scoring import score_item
from ..language.model import Item, Level, Ruleset
from ..values import Number, fmt_number
from .inversion import Solver
from .records import SideChange, Step
from .steps import buys, item_step, merged
from .targets import ItemTargets, LiveContext

if TYPE_CHECKING:
    from .planner import State

PASSES = 2  # once told from the others' changes, only a shortfall aims a step again


def settled(start: State, steps: list[Step], state: State, ruleset: Ruleset, level: Level) -> tuple[list[Step], State]:
    """Each item step aimed at its points as the other steps leave the union, and told from the union as it
    stands. A step is aimed again from the others' changes when its item, with every change made, gets fewer
    points than it plans for (参保率 planned on today's members while another step adds members); it is told
    again from there when it was planned from a changed union (a second round, or after a used standard's
    steps) or other steps change what it reads. `state`: `steps` applied."""
    own = points_of(start, steps)
    for turn in range(PASSES):
        got = points_of(state, steps)
        short = {id(s) for s in steps if s.kind == "item" and got[s.ruleset, s.id] < s.points_after}
        again = short | {id(s) for s in steps if turn == 0 and s.kind == "item" and unsettled(start, own, s, steps)}
        if not again:
            break
        told = [aimed(start, s, steps, id(s) in short, level) if id(s) in again else s for s in steps]
        if told == steps:
            break
        patch = merged(told)
        if patch != merged(steps):  # aimed at other figures, not only told from the others' changes
            aimed_state = start.changed(patch, ruleset)
            if not aimed_state.reaches(ruleset, level):  # the aimed change costs the level elsewhere: the plan stands as searched
                break
            state = aimed_state
        steps = told
    return steps, state


def unsettled(start: State, own: dict[tuple[str, str], Number], step: Step, steps: list[Step]) -> bool:
    """Whether a step counts from other figures than the union's with the other steps made (`own`: the union's
    item points, `points_of`): it was planned from a changed union (a second round, or after a used standard's
    steps), or other steps change what it reads (积极分子占会员比例 counted on today's members while another step
    adds members)."""
    env = start.envs[step.ruleset]
    if own[step.ruleset, step.id] != step.points_before or any(c.before != env.get(c.fact) for c in step.changes):
        return True
    reads = start.by_id[step.ruleset].item_index[step.id].reads
    return any(c.fact in reads and c.before != c.after for other in steps if other is not step for c in other.changes)


def aimed(start: State, step: Step, steps: list[Step], short: bool, level: Level) -> Step:
    """`step` told from the union with the other steps made: aimed again at its points when it falls `short` of
    them (itself when no change reaches them), else its own changes counted from there."""
    used, result = start.by_id[step.ruleset], start.results[step.ruleset]
    item = used.item_index[step.id]
    env = start.solver(used).env(merged(s for s in steps if s is not step))
    targets, there = ItemTargets(Solver(used, env)), score_item(item, LiveContext(used, env, []))
    if short or step.points_after != item.points:
        reach = next((r for r in targets.reaches(item, there) if r.points >= step.points_after), None)
        if reach is None:
            return step
        patch, points, reached = reach.patch, reach.points, reach.reached
    else:  # full points, and the other steps leave them in reach: the same changes, counted from the others'
        patch, points, reached = {c.fact: c.after for c in step.changes}, step.points_after, ""
    now, own = result.item_score(step.id), start.envs[used.id]
    target = targets.target(item, now, patch, points, reached, own)
    bought = step.why == buys(used, result, level, step.gain)  # a reason that says what the step buys says it anew
    moved = targets.moved(item, own)  # its fix text, told from there too: 「按整改后会员人数 71 人计：…再动员 14 人可达 90%」
    advice = f"{moved}：{there.fix}" if moved and there.fix else now.fix or ""
    return item_step(used, item, now, target, buys(used, result, level, target.gain) if bought else step.why, step.required, advice)


def owned(start: State, step: Step) -> Step:
    """`step` with its owners as the union has them (the ruleset's `owners`): 「工会主席」 for a union without
    the full-time staff of 「工会办公室（专职工会干部）」."""
    owner = owner_as_had(start, step.ruleset, step.owner)
    return step if owner == step.owner else replace(step, owner=owner)


def owner_as_had(start: State, ruleset_id: str, owner: str) -> str:
    """An owner 「甲、乙」 as the union has each part (the first of the ruleset's `owners` rules that holds)."""
    rules = start.by_id[ruleset_id].owners
    if not rules:
        return owner
    env = start.envs[ruleset_id]
    found: list[str] = []
    for part in owner.split("、"):
        instead = next((rule.instead for rule in rules if rule.owner == part and rule.when(env) is True), part)
        found += [who for who in instead.split("、") if who not in found]
    return "、".join(found)


def side_changes(rulesets: list[Ruleset], start: State, state: State, steps: list[Step]) -> Iterable[SideChange]:
    """The items whose points the steps move without one of them naming the item (星级's 「“八有”达标」 when the
    八有 fixes raise its level), so that the steps' gains and these add up to the re-assessed scores."""
    named = {(s.ruleset, s.id) for s in steps}
    for ruleset in rulesets:
        was, now = start.results[ruleset.id], state.results[ruleset.id]
        for old, new in zip(was.items + was.bonus_items, now.items + now.bonus_items):
            if old.points != new.points and (ruleset.id, old.id) not in named:
                item = ruleset.item_index[old.id]
                yield SideChange(ruleset.short_name, item.name, old.points, new.points, "，".join(moved_standards(item, start, state)))


def moved_standards(item: Item, start: State, state: State) -> Iterable[str]:
    """The used standards an item reads, as the steps move them: 「八有随之评为基本达标」, 「职工之家随之提高到 71.5 分」."""
    for used in state.rulesets:
        if not any(name.startswith(f"results.{used.id}.") for name in item.reads):
            continue
        was, now = start.results[used.id], state.results[used.id]
        if was.level_text != now.level_text:
            yield f"{used.short_name}随之{'评为' if now.level else ''}{now.level_text}"
        elif was.score != now.score:
            yield f"{used.short_name}随之{'提高' if now.score > was.score else '降低'}到 {fmt_number(now.score)} 分"


def points_of(state: State, steps: list[Step]) -> dict[tuple[str, str], Number]:
    """The points of every item in the rulesets the steps fix, by (ruleset, item)."""
    return {(rid, score.id): score.points for rid in {s.ruleset for s in steps}
            for score in state.results[rid].items + state.results[rid].bonus_items}
