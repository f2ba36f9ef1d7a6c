"""`scale`: points in proportion to a value between two ends."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..codes import RULESET, Code
from ..diagnostics import Mark
from ..language.expressions import Expression
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..values import Fraction, Null, Number, exact, fmt_number, normal
from .base import KindBase, clamp, outcome_text


@dataclass(frozen=True, slots=True)
class Scale(KindBase):
    """`scale: {value, from, to}`：在 from（0 分）与 to（满分）之间按比例线性计分，超出两端按两端计；from 大于 to 表示越低越好。

    例：
      - id: jingfei.paid
        name: 工会经费足额拨缴
        points: 6
        scale: {value: "ratio(dues.paid, dues.due)", from: 0.6, to: 1}
    """

    value: Expression
    start: Number
    end: Number

    key: ClassVar[str] = "scale"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {"scale": {"description": "计分方式 scale：按数值线性计分。", "$ref": "#/$defs/scale"}},
        "$defs": {"scale": {
            "title": "线性计分（scale）", "type": "object", "additionalProperties": False, "required": ["value", "from", "to"],
            "properties": {
                "value": {"description": "计分依据的数值表达式。", "type": ["string", "boolean", "number"]},
                "from": {"description": "得 0 分的值。", "type": "number"},
                "to": {"description": "得满分的值（from 大于 to 表示越低越好）。", "type": "number"},
            },
        }},
    }
    fields: ClassVar[dict[str, str]] = {"scale.value": "线性计分的值", "scale.from": "线性计分起点", "scale.to": "线性计分终点"}
    codes: ClassVar[dict[str, Code]] = {
        "scale-range": Code(RULESET, "scale 的 from 与 to 相等，无法线性计分", "scale: {value: rate, from: 1, to: 1}"),
    }

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> Scale:
        spec = raw["scale"]
        if spec["from"] == spec["to"]:
            builder.problems.add(at("scale"), "scale-range", "scale 的 from 与 to 不能相等")
        return cls(builder.expr(spec["value"], at("scale", "value"), "number"), exact(spec["from"]), exact(spec["to"]))

    def expressions(self) -> list[Expression]:
        return [self.value]

    def score(self, points: Number, ctx: Scoring) -> Base:
        value = ctx.value(self.value)
        if isinstance(value, Null):
            return Base(0, ctx.null_reason(value), value)
        share = clamp(Fraction(value - self.start) / Fraction(self.end - self.start), 0, 1)
        earned = normal(points * share)
        return Base(earned, outcome_text(self, ctx, self.value, points, earned))

    def rule(self, points: Number, ctx: Scoring) -> str:
        """「按 60%（0 分）至 100%（满分）线性计分」."""
        start, end = (ctx.amount(n, self.value) for n in (self.start, self.end))
        return f"按 {start}（0 分）至 {end}（满分）线性计分"

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        return [(f"计分值（{fmt_number(self.start)} 起计分，{fmt_number(self.end)} 满分）", self.value)]

    def record(self) -> Record:
        return {"scale.value": self.value.text, "scale.from": fmt_number(self.start), "scale.to": fmt_number(self.end)}

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        return [aim.compare(self.value.node, ">=" if self.end > self.start else "<=", self.end)]
