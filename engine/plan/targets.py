"""Quantified targets: for an item that lost points, the smallest fact changes that reach each
better result, in the facts' own units, with the points each gives.

Every target is checked by scoring the item again with the changes applied; a target that does
not raise the points is dropped. Facts an item needs but lacks are first filled with the least
favourable value (0, 否, the first enum value) and shown as 补充资料, so a plan never counts on
data nobody has seen.
"""
from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..evaluate.item_memo import memo_of
from ..evaluate.result import ItemScore
from ..evaluate.scoring import Context, score_item
from ..language.conditions import Cond
from ..language.expr_eval import Env
from ..language.expr_parse import Compare, Literal, Node
from ..language.kind import Goal
from ..language.model import NONE, Deduction, FactDecl, Item, Ruleset
from ..language.phrasing import with_unit
from ..values import Fraction, Null, Number, cn_date, fmt_number, fmt_percent, fmt_value, normal
from .inversion import Patch, Solver
from .records import Change, Target


@dataclass
class LiveContext(Context):
    """A scoring context that evaluates each condition directly over a (patched) environment."""

    def truth(self, cond: Cond) -> Any:
        return cond.expr(self.env)


def weak_guard(targets: ItemTargets) -> Callable[[Patch], bool]:
    """`targets.harmless`, holding the targets weakly. The solver keeps its guard, and the targets keep the
    solver: a bound method made a cycle of every union's targets, solver and patched environments, which
    only the garbage collector freed (its passes over them took about 2% of a batch worker's time)."""
    held = weakref.ref(targets)

    def harmless(patch: Patch) -> bool:
        found = held()
        assert found is not None, "a solver outlived the targets it is guarded by"
        return found.harmless(patch)

    return harmless


@dataclass(frozen=True, slots=True)
class Reach:
    """An item's better result before it is put into words: points, fact changes, what is reached."""

    points: Number
    patch: Patch
    reached: str


class ItemTargets:
    """The better results of the items of one ruleset for one union."""

    def __init__(self, solver: Solver, guarded: bool = True) -> None:
        """`guarded`: a fix may not cost another item points (`harmless`)."""
        self.solver, self.ruleset = solver, solver.ruleset
        self.readers: dict[str, list[Item]] = {}
        for item in self.ruleset.item_index.values():
            for name in item.reads:
                self.readers.setdefault(name, []).append(item)
        self.scored: dict[tuple[str, int], Number] = {}
        self.declared = {name: place for place, name in enumerate(self.ruleset.facts)}  # 建有职工书屋 before its books
        if guarded:
            solver.guard = weak_guard(self)

    def harmless(self, patch: Patch) -> bool:
        """A fix may not cost another item of the ruleset points (fewer members to lift a ratio). An item at 0
        has none to lose (an item's points are never negative), and is not scored again."""
        changed = {name for name, value in patch.items() if self.solver.base.get(name) != value}
        touched = {item.id: item for name in changed for item in self.readers.get(name, ())}
        for item in touched.values():
            now = self.points(item, {})
            if now > 0 and self.points(item, patch) < now:
                return False
        return True

    def points(self, item: Item, patch: Patch) -> Number:
        """The item's points with `patch` applied, scored once per patched environment (the solver keeps
        each environment, so its identity stands for the patch)."""
        env = self.solver.env(patch)
        key = (item.id, id(env))
        if key not in self.scored:
            self.scored[key] = score_item(item, LiveContext(self.ruleset, env, [])).points
        return self.scored[key]

    def all(self, item: Item, now: ItemScore) -> list[Target]:
        """One target per better result, fewest points first; the last is the best reachable."""
        return [self.target(item, now, reach.patch, reach.points, reach.reached) for reach in self.reaches(item, now)]

    def best(self, item: Item, now: ItemScore) -> Target | None:
        reach = self.best_reach(item, now)
        return None if reach is None else self.target(item, now, reach.patch, reach.points, reach.reached)

    def best_reach(self, item: Item, now: ItemScore) -> Reach | None:
        """Full points when some change reaches them, else the best of all better results (no texts yet);
        found once for the values it depends on (see `neighbourhood`)."""
        return memo_of(self.ruleset, "reach", neighbourhood).get(item, self.solver.base, lambda: self.find_best(item, now))

    def best_costly(self, item: Item, now: ItemScore) -> Target | None:
        """The best result of an unguarded finder, made afresh: the item memory keeps guarded results."""
        reach = self.find_best(item, now)
        return None if reach is None else self.target(item, now, reach.patch, reach.points, reach.reached)

    def find_best(self, item: Item, now: ItemScore) -> Reach | None:
        found = self.reaches(item, now, stop_at_full=True)
        return found[-1] if found else None

    def reaches(self, item: Item, now: ItemScore, stop_at_full: bool = False) -> list[Reach]:
        """One result per better score, fewest points first, each by the fewest changed facts (the first
        found among equals); with `stop_at_full`, only the first goal's when it reaches full points."""
        start = self.filled(item)
        if start is None:
            return []
        found: dict[Number, Reach] = {}
        for index, (name, goals) in enumerate(self.goals(item, now)):
            patch = self.reach(self.unknock(item) + goals, start)
            if patch is None:
                continue
            points = self.points(item, patch)
            reach = Reach(points, self.changed(patch), name)
            if stop_at_full and index == 0 and points == item.points:
                return [reach]
            if points > now.points and (points not in found or len(reach.patch) < len(found[points].patch)):
                found[points] = reach
        return [found[p] for p in sorted(found)]

    def changed(self, patch: Patch) -> Patch:
        """The facts a patch changes, in the order the ruleset declares them."""
        return {name: patch[name] for name in sorted((n for n, v in patch.items() if self.solver.base.get(n) != v), key=self.declared.__getitem__)}

    # goals -------------------------------------------------------------------------------------
    def reach(self, goals: list[Goal], patch: Patch) -> Patch | None:
        """Each goal in turn, none undoing an earlier one."""
        for index, (node, want) in enumerate(goals):
            found = self.solver.solve(node, want, patch, tuple(goals[:index]))
            if found is None:
                return None
            patch = found
        return patch

    def unknock(self, item: Item) -> list[Goal]:
        return [(item.zero_if.expr.node, False)] if item.zero_if is not None else []

    def goals(self, item: Item, now: ItemScore) -> list[tuple[str, list[Goal]]]:
        """(what is reached, the goals that reach it) for every better result of the item: full
        points first, then what its kind offers short of them, then each deduction cleared."""
        clear = [self.cleared(d) for d in item.deduct]
        options = [("满分", item.kind.full(item.points, self) + clear)]
        options += item.kind.better(item.points, now.points, self)
        options += [(f"消除扣分“{item.deduct[i].name}”", [clear[i]]) for i in now.deductions if len(clear) > 1]
        return options

    def cleared(self, deduction: Deduction) -> Goal:
        if deduction.when is not None:
            return deduction.when.expr.node, False
        return self.compare(deduction.counted.node, "<=", 0)

    # what a kind may ask (engine.language.kind.Aiming) ----------------------------------------
    def holds(self, cond: Cond) -> Goal:
        return cond.expr.node, True

    def current(self, node: Node) -> Any:
        """The value of a part of a condition for the union as it stands."""
        return self.solver.value(node, {})

    def compare(self, node: Node, op: str, bound: Number) -> Goal:
        """A goal a kind asks for (`count >= 4`), one node for every union planned."""
        goal = self.solver.shared.made("compare", node, lambda n: Compare(n.offset, n.length, op, n, Literal(0, 0, normal(Fraction(bound)))), op, bound)
        return goal, True

    # missing facts -----------------------------------------------------------------------------
    def filled(self, item: Item) -> Patch | None:
        """The item's absent facts at their least favourable values; None if a fact no fix can change is absent."""
        patch: Patch = {}
        for name in item.reads:
            decl = self.ruleset.facts.get(name)
            if decl is None or not isinstance(self.solver.base.get(name), Null):
                continue
            if decl.change == NONE:  # no data on a fact no fix can change: nothing to plan on
                return None
            if decl.type in ("string", "date"):
                continue
            patch[name] = least(decl, self.floor(name))
        return patch

    def floor(self, name: str) -> Number | None:
        """The least an absent count may be: the largest of the counts that may not exceed it (女会员人数 22, 已办理
        会员证 22: 会员人数 at least 22), else None."""
        below = [self.solver.base.get(other) for other, ceiling in self.ruleset.ceilings.items() if ceiling == name]
        return max((value for value in below if isinstance(value, (int, Fraction)) and not isinstance(value, bool)), default=None)

    # text --------------------------------------------------------------------------------------
    def target(self, item: Item, now: ItemScore, patch: Patch, points: Number, reached: str, own: Env | None = None) -> Target:
        """`own`: the union's own environment, when this one holds other steps' changes: the facts the item reads
        that other steps move are named 「按整改后会员人数 40 人计」, and a derived value they move says what it is now."""
        changes = tuple(self.change(name, value) for name, value in self.changed(patch).items())
        gain = normal(points - now.points)
        what = "得满分" if points == item.points else item.kind.reaching(reached)
        moved = self.moved(item, own) if own else ""
        derived = self.derived_notes(item, patch, own, moved)
        derived = derived if moved in derived else "，".join(filter(None, [moved, derived]))
        head = "；".join(c.text for c in changes) + (f"（{derived}）" if derived else "")
        tail = f"{what} {fmt_number(points)} 分（+{fmt_number(gain)} 分）"
        return Target(points, gain, changes, f"{head}，{tail}" if head else tail, reached)

    def change(self, name: str, after: Any) -> Change:
        decl = self.ruleset.facts[name]
        before = self.solver.base.get(name)
        return change_of(decl, before, after, self.solver.base)

    def moved(self, item: Item, own: Env) -> str:
        """The facts an item reads that other steps change, as the target counts them: 「按整改后会员人数 40 人计」."""
        facts, base = self.ruleset.facts, self.solver.base
        moved = [name for name in item.reads if name in facts and own.get(name) != base.get(name)]
        return "按整改后" + "、".join(f"{facts[name].label} {shown(facts[name], base.get(name))}" for name in moved) + "计" if moved else ""

    def derived_notes(self, item: Item, patch: Patch, own: Env | None = None, moved: str = "") -> str:
        """Derived values to what the changes make them, e.g. 「会员入会率 76.0% → 95.0%」; one with no figure yet,
        only what it becomes: 「职工医疗互助参保率达到 91.1%」; one the other steps move (`own`: the union's own
        environment, `moved`: how they move it), from what it is now: 「职工医疗互助参保率现为 48.5%，按整改后会员人数
        40 人计为 40.0%，整改后达到 90.0%」."""
        ctx = Context(self.ruleset, self.solver.base, [])
        env = self.solver.env(patch)
        notes = []
        for name, _ in self.ruleset.derive:
            before, after = self.solver.base.get(name), env.get(name)
            if name in item.reads and before != after and not isinstance(after, Null):
                now = own.get(name) if own is not None else before
                if moved and now != before and not isinstance(now, Null) and not isinstance(before, Null):
                    notes.append(f"{ctx.label(name)}现为 {ctx.shown(name, now)}，{moved}为 {ctx.shown(name, before)}，整改后达到 {ctx.shown(name, after)}")
                    continue
                was = "达到" if isinstance(before, Null) else f" {ctx.shown(name, before)} →"  # no figure yet: only what it becomes
                notes.append(f"{ctx.label(name)}{was} {ctx.shown(name, after)}" + (f"，现为 {ctx.shown(name, now)}" if now != before and not isinstance(now, Null) else ""))
        return "，".join(notes)


def neighbourhood(ruleset: Ruleset, item: Item) -> tuple[str, ...]:
    """The names an item's best result depends on: what it reads (its score, and the facts a fix may
    change), what every item reading a fact a fix may change reads (the guard scores those again), the
    facts those may not exceed (the ceilings the solver keeps to), and the facts that may not exceed one
    the item reads that may move (an absent count is filled in no less than those). A fix changes only
    facts the item reads that may move (`FactDecl.movable`): the solver's and those filled in for lack of data."""
    own = set(item.reads)
    movable = {name for name in own if name in ruleset.facts and ruleset.facts[name].movable}
    names = own.union(*(other.reads for other in ruleset.item_index.values() if movable.intersection(other.reads)))
    below = {name for name, ceiling in ruleset.ceilings.items() if ceiling in movable}
    return tuple(sorted(names | below | {ruleset.ceilings[name] for name in names if name in ruleset.ceilings}))


def least(decl: FactDecl, floor: Number | None = None) -> Any:
    """The least favourable value of an absent fact, no less than `floor`: where the plan starts from."""
    if decl.type in ("integer", "number"):
        return max(decl.min if decl.min is not None else 0, floor if floor is not None else 0)
    if decl.type == "boolean":
        return False
    if decl.type == "enum":
        return decl.values[0]
    return []


def change_of(decl: FactDecl, before: Any, after: Any, env: Env) -> Change:
    """One fact changed from `before` to `after` for the union of `env`, with its sentence."""
    yearly = next_year(decl, before, env)
    if yearly:
        text = next_year_text(decl, before, after, env.get("period"))
    elif isinstance(before, Null) and decl.part_of and env.get(decl.part_of) is False and decl.type != "date":
        text = built_text(decl, after)
    else:
        text = change_text(decl, before, after)
    return Change(decl.name, decl.label, before, after, text, yearly)


def built_text(decl: FactDecl, after: Any) -> str:
    """A fact of something the union does not have yet (`part_of` a yes/no fact that is 否), as what it is to have
    once built: 「职工书屋藏书达到 3000 册」, 「为职工书屋配备可上网电脑」. It has no data because there is nothing yet,
    so 「如实补齐资料」 would ask for figures that do not exist."""
    return done(decl, after) if decl.type == "boolean" else decl.label + reach(decl, after)


def reach(decl: FactDecl, after: Any) -> str:
    """The figure a target reaches: 「达到 3000 册」, a choice or a list quoted: 「达到“已建立并上墙”」."""
    figure = shown(decl, after)
    return f"达到“{figure}”" if decl.type in ("list", "enum") else f"达到 {figure}"


def change_text(decl: FactDecl, before: Any, after: Any) -> str:
    """One change in the fact's own unit, as a task: 「会员人数再增加 12 人（38 → 50 人）」,
    「配备职工书屋专（兼）职管理人员」, 「如实补齐“职工书屋藏书”资料（达到 3000 册可得本项分数）」."""
    if decl.type == "boolean":
        return f"{done(decl, after)}，并补齐台账资料" if isinstance(before, Null) else done(decl, after)
    if isinstance(before, Null):  # the union reports what it really has: the figure is a threshold, not a promise
        return f"如实补齐“{decl.label}”资料（{reach(decl, after)}{' ' if shown(decl, after)[-1].isascii() else ''}可得本项分数）"
    if decl.type in ("integer", "number") and decl.unit == "%":
        points = fmt_number(Fraction(after - before) * 100, 1)
        verb = "提高" if after > before else "降低"
        return f"{decl.label}{verb} {points.lstrip('-')} 个百分点（{fmt_percent(before)} → {fmt_percent(after)}）"
    if decl.type in ("integer", "number"):
        verb = "再增加" if after > before else "减少"
        return f"{decl.label}{verb} {with_unit(fmt_number(abs(after - before)), decl.unit)}（{fmt_number(before)} → {shown(decl, after)}）"
    if decl.type == "date":  # planned as done on the assessment date, which is past once the plan is read: no date
        return f"{decl.todo}（上次为{cn_date(before)}）"
    return f"{decl.label}由“{shown(decl, before)}”改为“{shown(decl, after)}”"


def done(decl: FactDecl, after: Any) -> str:
    """A yes/no fact made so: its action, 「配备职工书屋专（兼）职管理人员」 (or, turned to 否, 「纠正：…」)."""
    return decl.todo if after else f"纠正：{decl.label}"


def next_year(decl: FactDecl, before: Any, env: Env) -> bool:
    """Whether a change is the next year's count: a `per: year` fact the union has a figure for, assessed once
    its assessment year is over (on its last day or later)."""
    period = env.get("period")
    return decl.per == "year" and not isinstance(before, Null) and type(period) is int and env.as_of >= dt.date(period, 12, 31)


def next_year_text(decl: FactDecl, before: Any, after: Any, period: int) -> str:
    """A count the year is over for, as the next year's target: 「2026年度职工文体活动次数达到 4 次（2025年度 1 次）」,
    「2026年各季度宣传阵地更新次数达到“1 次、1 次、1 次、1 次”（2025年为“1 次、0 次、1 次、0 次”）」."""
    label = decl.label.removeprefix("本年度")
    if decl.type == "list":
        return f"{period + 1}年{label}达到“{shown(decl, after)}”（{period}年为“{shown(decl, before)}”）"
    return f"{period + 1}年度{label}达到 {shown(decl, after)}（{period}年度 {shown(decl, before)}）"


def shown(decl: FactDecl, value: Any) -> str:
    """A value in the fact's unit: 「40 人」, 「90.0%」, 「已建立并上墙」."""
    if decl.type == "enum" and isinstance(value, str):
        return decl.shown(value)
    return fmt_value(value, decl.unit)


def item_solver(ruleset: Any, env: Env) -> ItemTargets:
    return ItemTargets(Solver(ruleset, env))
