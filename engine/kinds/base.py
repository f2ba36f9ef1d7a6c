"""What most kinds share: the defaults of the kind contract, and the reason of a partial score."""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, ClassVar

from ..codes import Code
from ..diagnostics import Diagnostic, Mark
from ..language.expr_parse import Node
from ..language.expressions import Expression
from ..language.kind import Aiming, Goal, Scoring
from ..values import Fraction, Number, fmt_number

UNCAPPED = "uncapped"  # `points: uncapped` (a per-step bonus item) and `bonus.max: uncapped`: 上不封顶, declared, never by omission


class KindBase:
    """Defaults for kinds without branches, partial goals or checks of their own."""

    __slots__ = ()
    codes: ClassVar[dict[str, Code]] = {}

    def better(self, points: Number, now: Number, aim: Aiming) -> list[tuple[str, list[Goal]]]:
        """Results between the current points and full points that the planner may aim at."""
        return []

    def reaching(self, reached: str) -> str:
        """How a target short of full points reads before its points: 「得」, 「达到“85% 以上”，得」."""
        return "得"

    def most(self, points: Number) -> Number | None:
        """The most an item of this kind can earn (its points); None when it has no cap."""
        return points

    def branches(self) -> list[str]:
        """The parts of the kind a ruleset's tests should each reach (coverage)."""
        return []

    def problems(self, item_id: str, points: Number, mark: Mark) -> Iterator[Diagnostic]:
        """Load errors only this kind can have."""
        return iter(())

    def warnings(self, item_id: str) -> Iterator[Diagnostic]:
        """`check` warnings only this kind can have."""
        return iter(())


def whole_steps(distance: Number, step: Number, rounding: str) -> int:
    """How many steps of `step` a distance (≥ 0) makes: whole ones only (floor), or a part counted as one (ceil)."""
    steps = Fraction(distance) / Fraction(step)
    return math.floor(steps) if rounding == "floor" else math.ceil(steps)


def clamp(value: Any, low: Any, high: Any) -> Any:
    return min(max(value, low), high)


def outcome_text(kind: Any, ctx: Scoring, value: Expression, points: Number, earned: Number, rest: str = "",
                 shown: Node | None = None) -> str:
    """「本年度厂务公开次数 1 次，每次 1 分、满分 4 分，得 1 分，失 3 分」; nothing when all points are kept.

    `kind.rule(points, ctx)` says how the kind scores; it is the same for every union, so it is
    phrased once per item. `shown`: the part of `value` whose figure is cited, when not all of it."""
    if earned == points:
        return ""
    rule = ctx.remember("rule", kind, lambda: kind.rule(points, ctx))
    return f"{ctx.figure(value, shown)}，{rule}{rest}，得 {fmt_number(earned)} 分，失 {fmt_number(points - earned)} 分"
