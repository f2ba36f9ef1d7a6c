"""Inverting conditions: the smallest change to one union's facts that makes a condition hold.

Works over the expression trees of `expr_parse`. `and` solves every part in turn, `or` its
cheapest part, `not` the opposite; a comparison is solved one fact at a time in that fact's own
terms: integers and numbers by a search over their grain (1, or 0.01% for ratios, 0.01 for
other numbers) that aims where the comparison's gap closes (`first_step`), booleans flipped,
enums to the nearest value, dates to the assessment date, lists element by element. When no
single fact suffices, the change that brings the comparison closest is taken and the search goes
on. Every fact moves only in its declared direction (`change`: up, down, none), so a ratio
improves only through the side that can move and what already happened stays as it is; a fact
with no data may be given any value (补充资料). Derived values are recomputed after every change.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..language.expr_eval import Env
from ..language.expr_parse import BoolOp, Call, Compare, Name, Node, Unary, names_in
from ..language.model import UP, FactDecl, Ruleset
from ..values import Fraction, Null
from .by_node import shared_by_node

Patch = dict[str, Any]
Keep = tuple[tuple[Node, bool], ...]  # goals a later change must not undo
OPPOSITE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
MAX_STEPS = 40
ROUNDING = ("floor", "ceil", "round")  # monotone steps: the search aims by what they round


class Solver:
    """Finds fact patches for one union in one ruleset; `base` is the union's environment."""

    def __init__(self, ruleset: Ruleset, base: Env) -> None:
        self.ruleset, self.base = ruleset, base
        self.guard: Callable[[Patch], bool] = lambda patch: True  # a change it refuses (one that costs points elsewhere)
        self.derived = {name: expression.node for name, expression in ruleset.derive}
        self.shared = shared_by_node(ruleset)
        self.envs: dict[tuple, Env] = {}

    # evaluation under a patch ------------------------------------------------------------------
    def env(self, patch: Patch) -> Env:
        """The environment with `patch` applied and the derived values that read it recomputed."""
        if not patch:
            return self.base
        key: tuple = tuple(sorted(patch.items()))
        try:
            env = self.envs.get(key)
        except TypeError:  # a list (各季度会议次数): kept by its elements
            key = tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in key)
            env = self.envs.get(key)
        if env is None:
            values = {**self.base.values, **patch}
            env = self.envs[key] = Env(values, self.base.as_of, self.base.results)
            touched = set(patch)
            for name, expression in self.ruleset.derive:
                if expression.names & touched:
                    values[name] = expression(env)
                    touched.add(name)
        return env

    def value(self, node: Node, patch: Patch) -> Any:
        return self.shared.closure(node)(self.env(patch))

    def holds(self, node: Node, want: bool, patch: Patch) -> bool:
        return self.value(node, patch) is want

    # solving -----------------------------------------------------------------------------------
    def solve(self, node: Node, want: bool = True, patch: Patch | None = None, keep: Keep = ()) -> Patch | None:
        """`patch` extended so that `node` evaluates to `want` while every `keep` goal still holds,
        or None when no change found does it."""
        patch = dict(patch or {})
        if self.holds(node, want, patch):
            return patch
        if isinstance(node, Unary) and node.op == "not":
            return self.solve(node.operand, not want, patch, keep)
        if isinstance(node, BoolOp):
            every = (node.op == "and") == want
            return self.solve_all(node, want, patch, keep) if every else self.solve_any(node, want, patch, keep)
        if isinstance(node, Name) and node.path in self.derived:
            return self.solve(self.derived[node.path], want, patch, keep)
        if isinstance(node, Compare) and not want:
            return self.solve(self.opposite(node), True, patch, keep)
        return self.search(node, want, patch, keep)

    def solve_all(self, node: BoolOp, want: bool, patch: Patch, keep: Keep) -> Patch | None:
        kept = list(keep)
        for part in node.values:
            found = self.solve(part, want, patch, tuple(kept))
            if found is None:
                return None
            patch = found
            kept.append((part, want))
        return patch

    def solve_any(self, node: BoolOp, want: bool, patch: Patch, keep: Keep) -> Patch | None:
        found = [p for p in (self.solve(part, want, patch, keep) for part in node.values) if p is not None]
        return min(found, key=self.size) if found else None

    def kept(self, keep: Keep, patch: Patch) -> bool:
        return all(self.holds(node, want, patch) for node, want in keep)

    def opposite(self, node: Compare) -> Compare:
        return self.shared.made("opposite", node, lambda n: replace(n, op=OPPOSITE[n.op]))

    def smoothed(self, node: Node) -> Node:
        """A comparison measured on what its rounding reads: `floor(library.books / 500) >= 6` holds exactly
        when `library.books / 500 >= 6`, and that gap closes along a straight line the search can aim at."""
        return self.shared.made("smoothed", node, without_rounding)

    def search(self, node: Node, want: bool, patch: Patch, keep: Keep) -> Patch | None:
        """Single-fact changes first; otherwise the change that helps most, again and again."""
        names = self.controllable(node)
        goal: Callable[[Patch], bool] = lambda p: self.holds(node, want, p) and self.kept(keep, p)  # noqa: E731
        measure = self.smoothed(node)
        gap: Callable[[Patch], Any] = lambda p: self.shortfall(measure, want, p)  # noqa: E731
        for _ in range(MAX_STEPS):
            found = self.least_harmless([p for p in (self.single(name, goal, gap, patch) for name in names) if p is not None])
            if found is not None:
                return found
            improved = self.improve(node, want, names, patch, keep)
            if improved is None:
                return None
            patch = improved
        return None

    def least_harmless(self, patches: list[Patch]) -> Patch | None:
        """The smallest patch the guard lets through (the first of equals); the guard, which scores
        items again, runs only until one passes."""
        return next((p for p in sorted(patches, key=self.size) if self.guard(p)), None)

    def controllable(self, node: Node) -> list[str]:
        """The declared facts behind `node` (through derived values) that a fix may change."""
        return self.shared.made("controllable", node, self.find_controllable)

    def find_controllable(self, node: Node) -> list[str]:
        pending, seen = set(names_in(node)), set()
        while pending:
            name = pending.pop()
            seen.add(name)
            pending |= names_in(self.derived[name]) - seen if name in self.derived else set()
        decls = self.ruleset.facts
        return sorted(n for n in seen if n in decls and decls[n].movable)

    def size(self, patch: Patch) -> tuple:
        """How big a change is: facts changed, then the relative size of the numeric changes."""
        changed = [n for n, v in patch.items() if self.base.get(n) != v]
        return len(changed), sum(relative(self.base.get(n), patch[n]) for n in changed)

    # one fact ----------------------------------------------------------------------------------
    def single(self, name: str, goal: Callable[[Patch], bool], gap: Callable[[Patch], Any], patch: Patch) -> Patch | None:
        """`gap`: how far the comparison sought is from holding under a patch (None if it has no measure)."""
        decl = self.ruleset.facts[name]
        if decl.type in ("integer", "number"):
            return self.numeric(decl, goal, gap, patch)
        for value in self.candidates(decl, self.current(name, patch)):
            trial = {**patch, name: value}
            if goal(trial):
                return trial
        return None

    def current(self, name: str, patch: Patch) -> Any:
        return patch[name] if name in patch else self.base.get(name)

    def candidates(self, decl: FactDecl, now: Any) -> list[Any]:
        """Other values a non-numeric fact might take in its direction, nearest first."""
        up = decl.direction == UP
        if decl.type == "boolean":
            return [up] if isinstance(now, Null) or now != up else []
        if decl.type == "enum":
            at = decl.values.index(now) if now in decl.values else None
            ahead = [v for i, v in enumerate(decl.values) if at is None or (i > at if up else i < at)]
            return ahead if up else ahead[::-1]
        if decl.type == "date":
            return [self.base.as_of] if up and (isinstance(now, Null) or now < self.base.as_of) else []
        if decl.type == "list" and decl.items in ("integer", "number"):
            items = [] if isinstance(now, Null) else list(now)
            step = 1 if up else -1
            moved = [items[:i] + [v + step] + items[i + 1 :] for i, v in enumerate(items) if not isinstance(v, Null) and v + step >= 0]
            return moved + ([items + [1]] if up and len(items) < (decl.length or len(items) + 1) else [])
        return []

    def numeric(self, decl: FactDecl, goal: Callable[[Patch], bool], gap: Callable[[Patch], Any], patch: Patch) -> Patch | None:
        """The value nearest the current one, in the fact's direction, that meets the goal."""
        grain = 1 if decl.type == "integer" else Fraction(1, 10000) if decl.unit == "%" else Fraction(1, 100)
        low, high = self.bounds(decl, patch, grain)
        now = self.current(decl.name, patch)
        if isinstance(now, Null):  # no data yet: the least value that meets the goal
            start, stop, way = floor_div(low - grain, grain) + 1, floor_div(high, grain), 1
        elif decl.direction == UP:
            start, stop, way = floor_div(now, grain) + 1, floor_div(high, grain), 1
        else:
            start, stop, way = -floor_div(-now, grain) - 1, -floor_div(-low, grain), -1
        trial = lambda steps: {**patch, decl.name: on_grain(steps, grain)}  # noqa: E731
        return first_step(trial, goal, gap, start, stop, way)

    def bounds(self, decl: FactDecl, patch: Patch, grain: Any) -> tuple[Any, Any]:
        low = decl.min if decl.min is not None else 0
        high = decl.max
        ceiling = self.ruleset.ceilings.get(decl.name)
        if ceiling is not None and not isinstance(self.current(ceiling, patch), Null):
            high = self.current(ceiling, patch) if high is None else min(high, self.current(ceiling, patch))
        if high is None:
            now = self.current(decl.name, patch)
            high = max(4 * (0 if isinstance(now, Null) else now), 100000 * grain, 10000)
        return low, high

    def improve(self, node: Node, want: bool, names: list[str], patch: Patch, keep: Keep) -> Patch | None:
        """The one non-numeric change that brings `node` closest to holding (None if none helps)."""
        now = self.distance(node, want, patch)
        trials = [{**patch, n: v} for n in names for v in self.candidates(self.ruleset.facts[n], self.current(n, patch))]
        closer = sorted((self.distance(node, want, t), self.size(t), i) for i, t in enumerate(trials) if self.kept(keep, t))
        return next((trials[i] for gap, _, i in closer if gap < now and self.guard(trials[i])), None)

    def distance(self, node: Node, want: bool, patch: Patch) -> Any:
        """How far a comparison is from holding (0 when it holds); 1 for anything else not holding."""
        gap = self.shortfall(node, want, patch)
        if gap is not None:
            return max(gap, 0) + (0 if self.holds(node, True, patch) else Fraction(1, 10**9))
        return 0 if self.holds(node, want, patch) else 1

    def shortfall(self, node: Node, want: bool, patch: Patch) -> Any:
        """What a numeric comparison sought true lacks of holding (0 or less once its sides meet); None
        for anything else."""
        if want and isinstance(node, Compare) and node.op in (">=", ">", "<=", "<"):
            left, right = self.value(node.left, patch), self.value(node.right, patch)
            if is_number(left) and is_number(right):
                return right - left if node.op in (">=", ">") else left - right
        return None


def first_step(trial: Callable[[int], Patch], goal: Callable[[Patch], bool], gap: Callable[[Patch], Any],
               start: int, stop: int, way: int) -> Patch | None:
    """The patch of the first step from `start` towards `stop` (inclusive) where a monotone goal holds.

    Doubling strides from the start, then bisection inside the last stride (few tries for near targets).
    While the comparison's gap is closing, the next try is where a straight line through the last two
    failures closes it, so a ratio or a sum is hit at once; a strict comparison met with equality there
    tries the step after it, and the narrowing looks at the step before it first. While the gap widens
    (more members lower a ratio) the last step is tried next: a monotone goal that fails there fails
    everywhere."""
    if (stop - start) * way < 0:
        return None
    found = bracketed(trial, goal, gap, start, stop, way)
    return None if found is None else narrowed(trial, goal, way, *found)


def bracketed(trial: Callable[[int], Patch], goal: Callable[[Patch], bool], gap: Callable[[Patch], Any],
              start: int, stop: int, way: int) -> tuple[int, int, Patch, bool] | None:
    """The last failing step tried (or the one before `start`), the step tried where the goal holds, its
    patch, and whether a straight line aimed it; None when the goal fails at `stop`."""
    failed: list[tuple[int, Any]] = []  # steps tried that fail, with their gap
    stride, probe, how = 1, start, "stride"
    while not goal(patch := trial(probe)):
        if probe == stop:
            return None
        failed.append((probe, gap(patch)))
        line = aimed_step(failed[-2:], way)
        if line is not None:
            probe, how = line, "line"
        elif how == "line" and is_number(failed[-1][1]) and failed[-1][1] <= 0:
            probe, how = probe + way, "next"
        elif widening(failed[-2:]):
            probe, how = stop, "end"
        else:
            while (start + way * (stride - 1) - probe) * way <= 0:
                stride *= 2
            probe, how = start + way * (stride - 1), "stride"
        if (stop - probe) * way <= 0:
            probe = stop
    return (failed[-1][0] if failed else start - way), probe, patch, how == "line"


def narrowed(trial: Callable[[int], Patch], goal: Callable[[Patch], bool], way: int, passed: int, probe: int,
             patch: Patch, aimed: bool) -> Patch:
    """The first step after `passed` where the goal holds, knowing it holds at `probe`: bisection, after
    a look at the step before an aimed probe."""
    if aimed and abs(probe - passed) > 1:
        before = trial(probe - way)
        if not goal(before):
            return patch
        probe, patch = probe - way, before
    while abs(probe - passed) > 1:
        middle = (probe + passed) // 2
        tried = trial(middle)
        probe, passed, patch = (middle, passed, tried) if goal(tried) else (probe, middle, patch)
    return patch


def widening(failed: list[tuple[int, Any]]) -> bool:
    """Whether the gap grew between the last two failed steps."""
    return len(failed) == 2 and is_number(failed[0][1]) and is_number(failed[1][1]) and failed[1][1] > failed[0][1]


def aimed_step(failed: list[tuple[int, Any]], way: int) -> int | None:
    """The step where a straight line through two failed (step, gap) points closes the gap, when the gap
    was closing and is still open; None otherwise."""
    if len(failed) < 2:
        return None
    (s0, g0), (s1, g1) = failed
    if not (is_number(g0) and is_number(g1)) or not 0 < g1 < g0:
        return None
    exact = s1 + Fraction(s1 - s0) * g1 / (g0 - g1)
    return math.ceil(exact) if way > 0 else math.floor(exact)


def without_rounding(node: Node) -> Node:
    return replace(node, left=unrounded(node.left), right=unrounded(node.right)) if isinstance(node, Compare) else node


def unrounded(node: Node) -> Node:
    """What rounding functions (floor, ceil, round) round, inside any number of them."""
    while isinstance(node, Call) and node.func in ROUNDING and node.args:
        node = node.args[0]
    return node


def is_number(value: Any) -> bool:
    """An int or a Fraction, not a boolean (by type: an isinstance check on Fraction goes through its ABC)."""
    return type(value) is int or type(value) is Fraction


def relative(before: Any, after: Any) -> Any:
    if is_number(before) and is_number(after):
        return Fraction(abs(after - before)) / max(abs(before), 1)
    return 1


def floor_div(value: Any, grain: Any) -> int:
    return int(Fraction(value) // Fraction(grain))


def on_grain(steps: int, grain: Any) -> Any:
    value = steps * grain
    return value.numerator if isinstance(value, Fraction) and value.denominator == 1 else value
