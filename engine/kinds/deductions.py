"""Deductions alone: full points, less what the item's deductions take."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..diagnostics import Mark
from ..language.expressions import Expression
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..values import Number
from .base import KindBase


@dataclass(frozen=True, slots=True)
class DeductionsOnly(KindBase):
    """只写 `deduct`：从满分起扣，各扣分项相互独立，合计不超过 max_deduct，扣完为止。

    例：
      - id: ziliao.records
        name: 台账资料完整
        points: 5
        deduct:
          - {when: not ledger.members_register, points: 2, name: 无会员名册}
          - {count: ledger.missing, each: 1, name: 缺失台账}
        max_deduct: 4
    """

    key: ClassVar[str] = "deduct"  # chosen when an item has `deduct` and no field of another kind
    schema: ClassVar[dict[str, Any]] = {}  # `deduct` belongs to every item
    fields: ClassVar[dict[str, str]] = {}

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> DeductionsOnly:
        return cls()

    def expressions(self) -> list[Expression]:
        return []

    def score(self, points: Number, ctx: Scoring) -> Base:
        return Base(points, "")

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        return []

    def record(self) -> Record:
        return {}

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        return []
