"""`around`: points at a target, more above it and fewer below it, step by step, within a floor and a ceiling."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ..codes import RULESET, Code
from ..diagnostics import Diagnostic, Mark
from ..language.expressions import Expression
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..values import Null, Number, exact, fmt_number, normal
from .base import KindBase, clamp, whole_steps

BRANCHES = ("高于基准", "低于基准")


@dataclass(frozen=True, slots=True)
class Around(KindBase):
    """`around: {value, target, step, each, floor, ceiling, round}`：达到 target 得 points（基准分），每高一个 step
    加 each 分、每低一个 step 减 each 分，得分限定在 floor（缺省 0）与 ceiling 之间（「每 ±5% 加减 1 分」）。
    高出基准的分计入本指标所在的分项（分项得分可超过其 max），不占加分项的上限；round: floor（缺省）
    只计整档，ceil 不足一档按一档计。

    例：
      - id: jingfei.collection
        name: 经费收缴率（以 90% 为基准，每 ±5% 加减 1 分）
        points: 4
        around: {value: dues_rate, target: 0.9, step: 0.05, each: 1, floor: 0, ceiling: 6}
    """

    value: Expression
    target: Number
    step: Number
    each: Number
    floor: Number
    ceiling: Number
    round: str = "floor"

    key: ClassVar[str] = "around"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {"around": {"description": "计分方式 around：以目标值为基准，按档加减分（「每 ±5% 加减 1 分」）。", "$ref": "#/$defs/around"}},
        "$defs": {"around": {
            "title": "基准加减分（around）", "type": "object", "additionalProperties": False,
            "required": ["value", "target", "step", "each", "ceiling"],
            "properties": {
                "value": {"description": "计分的数值表达式。", "type": ["string", "boolean", "number"]},
                "target": {"description": "基准值：达到即得 points（基准分）。", "type": "number"},
                "step": {"description": "每档的差距。", "type": "number", "exclusiveMinimum": 0},
                "each": {"description": "每档加减的分。", "type": "number", "minimum": 0},
                "floor": {"description": "最低得分（缺省 0）。", "type": "number", "minimum": 0},
                "ceiling": {"description": "最高得分：不小于 points，高出 points 的部分计入所在分项。", "type": "number", "minimum": 0},
                "round": {"description": "不足一档时：floor 不计（缺省），ceil 按一档计。", "enum": ["floor", "ceil"]},
            },
        }},
    }
    fields: ClassVar[dict[str, str]] = {"around.value": "基准加减分的值", "around.target": "基准值", "around.step": "每档差距",
                                        "around.each": "每档加减分", "around.floor": "最低得分", "around.ceiling": "最高得分",
                                        "around.round": "不足一档时"}
    codes: ClassVar[dict[str, Code]] = {
        "around-range": Code(RULESET, "around 的 floor 大于指标分值，或 ceiling 小于指标分值", "points: 4\naround: {value: rate, target: 0.9, step: 0.05, each: 1, ceiling: 3}"),
    }

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> Around:
        spec = raw["around"]
        value = builder.expr(spec["value"], at("around", "value"), "number")
        target, step, each = (exact(spec[key]) for key in ("target", "step", "each"))
        return cls(value, target, step, each, exact(spec.get("floor", 0)), exact(spec["ceiling"]), spec.get("round", "floor"))

    def expressions(self) -> list[Expression]:
        return [self.value]

    def steps(self, value: Number) -> int:
        """Whole steps above (positive) or below (negative) the target."""
        above = value >= self.target
        whole = whole_steps(value - self.target if above else self.target - value, self.step, self.round)
        return whole if above else -whole

    def score(self, points: Number, ctx: Scoring) -> Base:
        value = ctx.value(self.value)
        if isinstance(value, Null):
            return Base(0, ctx.null_reason(value), value)
        steps = self.steps(value)
        earned = normal(clamp(points + steps * self.each, self.floor, self.ceiling))
        if not steps:
            return Base(earned, "")
        rule = ctx.remember("rule", self, lambda: self.rule(points, ctx))
        where = f"高于基准 {steps} 档" if steps > 0 else f"低于基准 {-steps} 档"
        change = f"比基准分多 {fmt_number(earned - points)} 分" if earned > points else f"失 {fmt_number(points - earned)} 分"
        tail = f"得 {fmt_number(earned)} 分，{change}" if earned != points else f"得 {fmt_number(earned)} 分"
        return Base(earned, f"{ctx.figure(self.value)}，{rule}，{where}，{tail}", branch=0 if steps > 0 else 1)

    def rule(self, points: Number, ctx: Scoring) -> str:
        """「以 90% 为基准得 4 分，每 ±5% 加减 1 分（0 至 6 分，不足一档不计）」."""
        target, step = (ctx.amount(n, self.value) for n in (self.target, self.step))
        partial = "不足一档不计" if self.round == "floor" else "不足一档按一档计"
        bounds = f"{fmt_number(self.floor)} 至 {fmt_number(self.ceiling)} 分"
        return f"以 {target} 为基准得 {fmt_number(points)} 分，每 ±{step} 加减 {fmt_number(self.each)} 分（{bounds}，{partial}）"

    def most(self, points: Number) -> Number | None:
        return self.ceiling

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        title = f"计分值（基准 {fmt_number(self.target)} 得 {fmt_number(points)} 分，每 ±{fmt_number(self.step)} 加减 {fmt_number(self.each)} 分）"
        return [(title, self.value)]

    def record(self) -> Record:
        numbers = {key: fmt_number(getattr(self, key)) for key in ("target", "step", "each", "floor", "ceiling")}
        return {"around.value": self.value.text, **{f"around.{key}": text for key, text in numbers.items()}, "around.round": self.round}

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        """The standard points: the target reached (the plus side above it is never planned)."""
        return [aim.compare(self.value.node, ">=", self.target)]

    def branches(self) -> list[str]:
        return list(BRANCHES)

    def problems(self, item_id: str, points: Number, mark: Mark) -> Iterator[Diagnostic]:
        if self.floor > points or self.ceiling < points:
            message = (f"指标 “{item_id}” 的 around 应满足 floor ≤ points ≤ ceiling，实际 floor {fmt_number(self.floor)}、"
                       f"points {fmt_number(points)}、ceiling {fmt_number(self.ceiling)}")
            yield Diagnostic(mark, "around-range", message)
