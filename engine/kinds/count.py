"""`count`: points per occurrence, capped at the item's points."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..codes import RULESET, Code
from ..diagnostics import Mark
from ..language.expr_parse import Binary, Call, Literal, Node
from ..language.expressions import Expression
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..language.limits import MAX_COUNT_STEPS
from ..values import Fraction, Null, Number, exact, fmt_number, normal
from .base import UNCAPPED, KindBase, clamp, outcome_text


@dataclass(frozen=True, slots=True)
class Count(KindBase):
    """`count: 表达式, each: N`：每发生一次得 N 分，以指标满分为上限。加分项中写 `points: uncapped` 时上不封顶
    （「每获一项市级表彰加 2 分，逐项累加，上不封顶」）。

    例：
      - id: guifan.meetings
        name: 每季召开工会委员会会议
        points: 4
        count: count(meetings.by_quarter)
        each: 1
    """

    count: Expression
    each: Number = 1
    uncapped: bool = False  # `points: uncapped`: every occurrence counts (a bonus item only)

    key: ClassVar[str] = "count"
    schema: ClassVar[dict[str, Any]] = {"properties": {
        "count": {"description": "计分方式 count：次数表达式，每次得 each 分，以满分为上限。", "type": ["string", "boolean", "number"]},
        "each": {"description": "count 计分时每次的分值（缺省 1）。", "type": "number", "minimum": 0},
    }}
    fields: ClassVar[dict[str, str]] = {"count": "次数", "each": "每次分值"}

    codes: ClassVar[dict[str, Code]] = {
        "count-each": Code(RULESET, f"count 的 each 为 0，或小到满分需要 {MAX_COUNT_STEPS} 次以上（整改规划要逐次比较）", "points: 10\ncount: members\neach: 0.001"),
    }

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> Count:
        each, uncapped = exact(raw.get("each", 1)), raw.get("points") == UNCAPPED
        if not each or not uncapped and Fraction(exact(raw.get("points", 0))) / each > MAX_COUNT_STEPS:
            builder.problems.add(at("each"), "count-each", f"count 的 each 应大于 0，且满分所需次数（points ÷ each）不超过 {MAX_COUNT_STEPS}")
        return cls(builder.expr(raw["count"], at("count"), "number"), each, uncapped)

    def expressions(self) -> list[Expression]:
        return [self.count]

    def score(self, points: Number, ctx: Scoring) -> Base:
        value = ctx.value(self.count)
        if isinstance(value, Null):
            return Base(0, ctx.null_reason(value), value)
        per = self.per()
        shown = per[0] if per else None
        if self.uncapped:
            earned = normal(max(value * self.each, 0))
            rule = ctx.remember("rule", self, lambda: self.rule(points, ctx))
            return Base(earned, f"{ctx.figure(self.count, shown)}，{rule}，得 {fmt_number(earned)} 分")
        earned = normal(clamp(value * self.each, 0, points))
        return Base(earned, outcome_text(self, ctx, self.count, points, earned, shown=shown))

    def rule(self, points: Number, ctx: Scoring) -> str:
        """「每次 1 分、满分 4 分」; a count of lots, 「floor(library.books / 500)」: 「每 500 册计 1 分、满分 6 分」;
        uncapped: 「每项 2 分、上不封顶」."""
        per = self.per()
        cap = "上不封顶" if self.uncapped else f"满分 {fmt_number(points)} 分"
        if per is not None:
            lot = f"{fmt_number(per[1])} {ctx.unit(self.count, per[0])}".rstrip()
            return f"每 {lot}计 {fmt_number(self.each)} 分、{cap}"
        return f"每{ctx.unit(self.count) or '个'} {fmt_number(self.each)} 分、{cap}"

    def most(self, points: Number) -> Number | None:
        return None if self.uncapped else points

    def per(self) -> tuple[Node, Number] | None:
        """(what is counted, the size of one lot) when the count is `floor(x / n)` or `x / n`."""
        node = self.count.node
        if isinstance(node, Call) and node.func == "floor" and len(node.args) == 1:
            node = node.args[0]
        if isinstance(node, Binary) and node.op == "/" and isinstance(node.right, Literal) and not isinstance(node.right.value, (bool, str)):
            return node.left, node.right.value
        return None

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        return [(f"计数（每个计 {fmt_number(self.each)} 分）", self.count)]

    def record(self) -> Record:
        return {"count": self.count.text, "each": fmt_number(self.each)} | ({"points": "上不封顶"} if self.uncapped else {})

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        """Uncapped: no full points to aim at, so plans never count on it."""
        return [] if self.uncapped else [aim.compare(self.count.node, ">=", Fraction(points) / self.each)]

    def better(self, points: Number, now: Number, aim: Aiming) -> list[tuple[str, list[Goal]]]:
        """Each count between the current one and the one that gives full points."""
        if self.uncapped:
            return []
        value = aim.current(self.count.node)
        start = 0 if isinstance(value, Null) else int(value)
        whole = -(-Fraction(points) // self.each)
        counts = [k for k in range(start + 1, int(whole)) if k * self.each > now]
        return [(f"计 {k} 次", [aim.compare(self.count.node, ">=", k)]) for k in counts]
