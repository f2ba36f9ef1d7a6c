"""Inverting conditions: the smallest change to one union's facts that makes a condition hold.

Works over the expression trees of `expr_parse`. `and` solves every part in turn, `or` its
cheapest part, `not` the opposite; a comparison is solved one fact at a time in that fact's own
terms: integers and numbers by bisection over their grain (1, or 0.01% for ratios, 0.01 for
other numbers), booleans flipped, enums to the nearest value, dates to the assessment date,
lists element by element. When no single fact suffices, the change that brings the comparison
closest is taken and the search goes on. Every fact moves only in its declared direction
(`change`: up, down, none), so a ratio improves only through the side that can move and what
already happened stays as it is; a fact with no data may be given any value (补充资料). Derived
values are recomputed after every change.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import Any

from ..language.expr_eval import Closure, Env, to_closure
from ..language.expr_parse import BoolOp, Compare, Name, Node, Unary, names_in
from ..language.model import UP, FactDecl, Ruleset
from ..language.vocabulary import AT_MOST
from ..values import Null

Patch = dict[str, Any]
Keep = tuple[tuple[Node, bool], ...]  # goals a later change must not undo
OPPOSITE = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
MAX_STEPS = 40


class Solver:
    """Finds fact patches for one union in one ruleset; `base` is the union's environment."""

    def __init__(self, ruleset: Ruleset, base: Env) -> None:
        self.ruleset, self.base = ruleset, base
        self.guard: Callable[[Patch], bool] = lambda patch: True  # a change it refuses (one that costs points elsewhere)
        self.derived = {name: expression.node for name, expression in ruleset.derive}
        self.closures: dict[int, Closure] = {}
        self.negated: dict[int, Compare] = {}
        self.envs: dict[tuple, Env] = {}

    # evaluation under a patch ------------------------------------------------------------------
    def env(self, patch: Patch) -> Env:
        """The environment with `patch` applied and the derived values that read it recomputed."""
        if not patch:
            return self.base
        key = tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in sorted(patch.items()))
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
        closure = self.closures.get(id(node))
        if closure is None:
            closure = self.closures[id(node)] = to_closure(node)
        return closure(self.env(patch))

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
        if id(node) not in self.negated:
            self.negated[id(node)] = replace(node, op=OPPOSITE[node.op])
        return self.negated[id(node)]

    def search(self, node: Node, want: bool, patch: Patch, keep: Keep) -> Patch | None:
        """Single-fact changes first; otherwise the change that helps most, again and again."""
        names = self.controllable(node)
        goal: Callable[[Patch], bool] = lambda p: self.holds(node, want, p) and self.kept(keep, p)  # noqa: E731
        for _ in range(MAX_STEPS):
            found = self.least_harmless([p for p in (self.single(name, goal, patch) for name in names) if p is not None])
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
    def single(self, name: str, goal: Callable[[Patch], bool], patch: Patch) -> Patch | None:
        decl = self.ruleset.facts[name]
        if decl.type in ("integer", "number"):
            return self.numeric(decl, goal, patch)
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
            return moved + ([items + [1]] if up else [])
        return []

    def numeric(self, decl: FactDecl, goal: Callable[[Patch], bool], patch: Patch) -> Patch | None:
        """The value nearest the current one, in the fact's direction, that meets the goal."""
        grain = 1 if decl.type == "integer" else Fraction(1, 10000) if decl.unit == "%" else Fraction(1, 100)
        low, high = self.bounds(decl, patch, grain)
        now = self.current(decl.name, patch)
        if isinstance(now, Null):  # no data yet: the least value that meets the goal
            return self.first(decl.name, goal, patch, low - grain, high, grain)
        if decl.direction == UP:
            return self.first(decl.name, goal, patch, now, high, grain)
        return self.last(decl.name, goal, patch, low, now, grain)

    def bounds(self, decl: FactDecl, patch: Patch, grain: Any) -> tuple[Any, Any]:
        low = decl.min if decl.min is not None else 0
        high = decl.max
        ceiling = AT_MOST.get(decl.name)
        if ceiling is not None and not isinstance(self.current(ceiling, patch), Null):
            high = self.current(ceiling, patch) if high is None else min(high, self.current(ceiling, patch))
        if high is None:
            now = self.current(decl.name, patch)
            high = max(4 * (0 if isinstance(now, Null) else now), 100000 * grain, 10000)
        return low, high

    def first(self, name: str, goal: Callable[[Patch], bool], patch: Patch, after: Any, high: Any, grain: Any) -> Patch | None:
        """The smallest value on the grain above `after` (up to `high`) meeting a monotone goal."""
        start, stop = floor_div(after, grain) + 1, floor_div(high, grain)
        found = self.gallop(name, goal, patch, grain, start, stop, 1)
        return None if found is None else {**patch, name: on_grain(found, grain)}

    def last(self, name: str, goal: Callable[[Patch], bool], patch: Patch, low: Any, before: Any, grain: Any) -> Patch | None:
        """The largest value on the grain below `before` (down to `low`) meeting a monotone goal."""
        start, stop = -floor_div(-before, grain) - 1, -floor_div(-low, grain)
        found = self.gallop(name, goal, patch, grain, start, stop, -1)
        return None if found is None else {**patch, name: on_grain(found, grain)}

    def gallop(self, name: str, goal: Callable[[Patch], bool], patch: Patch, grain: Any, start: int, stop: int, way: int) -> int | None:
        """The first step from `start` towards `stop` (inclusive) where the goal holds: doubling
        strides from the start, then bisection inside the last stride (few tries for near targets)."""
        meets = lambda steps: goal({**patch, name: on_grain(steps, grain)})  # noqa: E731
        if (stop - start) * way < 0:
            return None
        passed, stride = start - way, 1
        while True:
            probe = start + way * (stride - 1)
            if (stop - probe) * way <= 0:
                probe = stop
            if meets(probe):
                break
            if probe == stop:
                return None
            passed, stride = probe, stride * 2
        while abs(probe - passed) > 1:
            middle = (probe + passed) // 2
            probe, passed = (middle, passed) if meets(middle) else (probe, middle)
        return probe

    def improve(self, node: Node, want: bool, names: list[str], patch: Patch, keep: Keep) -> Patch | None:
        """The one non-numeric change that brings `node` closest to holding (None if none helps)."""
        now = self.distance(node, want, patch)
        trials = [{**patch, n: v} for n in names for v in self.candidates(self.ruleset.facts[n], self.current(n, patch))]
        closer = sorted((self.distance(node, want, t), self.size(t), i) for i, t in enumerate(trials) if self.kept(keep, t))
        return next((trials[i] for gap, _, i in closer if gap < now and self.guard(trials[i])), None)

    def distance(self, node: Node, want: bool, patch: Patch) -> Any:
        """How far a comparison is from holding (0 when it holds); 1 for anything else not holding."""
        if want and isinstance(node, Compare) and node.op in (">=", ">", "<=", "<"):
            left, right = self.value(node.left, patch), self.value(node.right, patch)
            if is_number(left) and is_number(right):
                gap = right - left if node.op in (">=", ">") else left - right
                return max(gap, 0) + (0 if self.holds(node, True, patch) else Fraction(1, 10**9))
        return 0 if self.holds(node, want, patch) else 1


def is_number(value: Any) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def relative(before: Any, after: Any) -> Any:
    if is_number(before) and is_number(after):
        return Fraction(abs(after - before)) / max(abs(before), 1)
    return 1


def floor_div(value: Any, grain: Any) -> int:
    return int(Fraction(value) // Fraction(grain))


def on_grain(steps: int, grain: Any) -> Any:
    value = steps * grain
    return value.numerator if isinstance(value, Fraction) and value.denominator == 1 else value
