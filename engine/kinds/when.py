"""`when`: full points when a condition holds."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..diagnostics import Mark
from ..language.conditions import Cond
from ..language.expressions import Expression
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..values import Null, Number, fmt_number
from .base import KindBase

CONDITION = ["string", "boolean", "number"]


@dataclass(frozen=True, slots=True)
class When(KindBase):
    """`when: 条件`：条件成立得满分，不成立得 0 分；条件缺少事实时判为“缺资料”。

    例：
      - id: banzi.elected
        name: 工会委员会依法选举产生
        points: 5
        when: committee.elected
    """

    when: Cond

    key: ClassVar[str] = "when"
    schema: ClassVar[dict[str, Any]] = {"properties": {
        "when": {"description": "计分方式 when：条件成立得满分，否则 0 分。", "type": CONDITION},
    }}
    fields: ClassVar[dict[str, str]] = {"when": "条件"}

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> When:
        return cls(builder.cond(f"{raw['id']}/when", raw["when"], at("when")))

    def expressions(self) -> list[Expression]:
        return [self.when.expr]

    def score(self, points: Number, ctx: Scoring) -> Base:
        truth = ctx.truth(self.when)
        if truth is True:
            return Base(points, "")
        if isinstance(truth, Null) and truth.missing:
            return Base(0, ctx.null_reason(truth), truth)
        return Base(0, ctx.unmet(self.when), truth if isinstance(truth, Null) else None)

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        return [(f"得分条件（成立得 {fmt_number(points)} 分）", self.when.expr)]

    def record(self) -> Record:
        return {"when": self.when.expr.text}

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        return [aim.holds(self.when)]
