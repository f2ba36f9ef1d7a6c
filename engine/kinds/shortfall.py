"""`shortfall`: full points at a target, a deduction per step below it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..diagnostics import Mark
from ..language.expressions import Expression
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..values import Null, Number, exact, fmt_number, normal
from .base import KindBase, clamp, outcome_text, whole_steps


@dataclass(frozen=True, slots=True)
class Shortfall(KindBase):
    """`shortfall: {value, target, step, each, round}`：达到 target 得满分，每低一个 step 扣 each 分（round: ceil 不足一档按一档扣，floor 只扣整档）。

    例：
      - id: xinlai.mutual_aid
        name: 职工医疗互助参保率（90% 以上满分，每少 10% 扣 1 分）
        points: 3
        shortfall: {value: mutual_aid_rate, target: 0.9, step: 0.1, each: 1, round: ceil}
    """

    value: Expression
    target: Number
    step: Number
    each: Number
    round: str = "ceil"

    key: ClassVar[str] = "shortfall"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {"shortfall": {"description": "计分方式 shortfall：未达目标按差距扣分。", "$ref": "#/$defs/shortfall"}},
        "$defs": {"shortfall": {
            "title": "差额扣分（shortfall）", "type": "object", "additionalProperties": False,
            "required": ["value", "target", "step", "each"],
            "properties": {
                "value": {"description": "比较的数值表达式。", "type": ["string", "boolean", "number"]},
                "target": {"description": "目标值：达到即得满分。", "type": "number"},
                "step": {"description": "每档的差距。", "type": "number", "exclusiveMinimum": 0},
                "each": {"description": "每档扣的分。", "type": "number", "minimum": 0},
                "round": {"description": "不足一档时：ceil 按一档扣（缺省），floor 只扣整档。", "enum": ["ceil", "floor"]},
            },
        }},
    }
    fields: ClassVar[dict[str, str]] = {"shortfall.value": "差额扣分的值", "shortfall.target": "目标值", "shortfall.step": "每档差距",
                                        "shortfall.each": "每档扣分", "shortfall.round": "不足一档时"}

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> Shortfall:
        spec = raw["shortfall"]
        value = builder.expr(spec["value"], at("shortfall", "value"), "number")
        return cls(value, exact(spec["target"]), exact(spec["step"]), exact(spec["each"]), spec.get("round", "ceil"))

    def expressions(self) -> list[Expression]:
        return [self.value]

    def score(self, points: Number, ctx: Scoring) -> Base:
        value = ctx.value(self.value)
        if isinstance(value, Null):
            return Base(0, ctx.null_reason(value), value)
        if value >= self.target:
            return Base(points, "")
        whole = whole_steps(self.target - value, self.step, self.round)
        earned = normal(clamp(points - whole * self.each, 0, points))
        return Base(earned, outcome_text(self, ctx, self.value, points, earned, f"，差 {whole} 档"))

    def rule(self, points: Number, ctx: Scoring) -> str:
        """「目标 95%，每差 5% 扣 2 分（不足一档按一档计）」."""
        target, step = (ctx.amount(n, self.value) for n in (self.target, self.step))
        partial = "不足一档按一档计" if self.round == "ceil" else "不足一档不扣"
        return f"目标 {target}，每差 {step} 扣 {fmt_number(self.each)} 分（{partial}）"

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        title = f"计分值（目标 {fmt_number(self.target)}，每差 {fmt_number(self.step)} 扣 {fmt_number(self.each)} 分）"
        return [(title, self.value)]

    def record(self) -> Record:
        return {"shortfall.value": self.value.text, "shortfall.target": fmt_number(self.target), "shortfall.step": fmt_number(self.step),
                "shortfall.each": fmt_number(self.each), "shortfall.round": self.round}

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        return [aim.compare(self.value.node, ">=", self.target)]
