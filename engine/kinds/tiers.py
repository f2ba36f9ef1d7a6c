"""`tiers`: the points of the first tier that holds."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from ..codes import RULESET, Code
from ..diagnostics import Diagnostic, Mark
from ..language.conditions import Cond
from ..language.expressions import Expression
from ..language.implication import implies
from ..language.kind import Aiming, Base, Building, Goal, Record, Scoring
from ..values import Null, Number, exact, fmt_number
from .base import KindBase


@dataclass(frozen=True, slots=True)
class Tier:
    when: Cond
    points: Number
    name: str = ""


@dataclass(frozen=True, slots=True)
class Tiers(KindBase):
    """`tiers`：从上到下第一个成立的档次给出它的分值，都不成立得 0 分；某一档缺少事实时判为“缺资料”。

    例：
      - id: zuzhi.membership
        name: 会员入会率
        points: 8
        tiers:
          - {when: membership_rate >= 0.95, points: 8, name: 95% 以上}
          - {when: membership_rate >= 0.85, points: 5, name: 85% 以上}
    """

    tiers: tuple[Tier, ...]

    key: ClassVar[str] = "tiers"
    schema: ClassVar[dict[str, Any]] = {
        "properties": {"tiers": {"description": "计分方式 tiers：按档次计分，取第一个成立的档。", "type": "array", "minItems": 1,
                                 "items": {"$ref": "#/$defs/tier"}}},
        "$defs": {"tier": {
            "title": "档次（tiers 的一项）", "type": "object", "additionalProperties": False, "required": ["when", "points"],
            "properties": {
                "when": {"description": "本档的条件。", "type": ["string", "boolean", "number"]},
                "points": {"description": "本档的得分，不超过指标满分。", "type": "number", "minimum": 0},
                "name": {"description": "档次名称，如“95% 以上”，写入原因说明。", "type": "string", "minLength": 1},
            },
        }},
    }
    fields: ClassVar[dict[str, str]] = {"tiers[].when": "第 {} 档条件", "tiers[].points": "第 {} 档分值", "tiers[].name": "第 {} 档名称"}
    codes: ClassVar[dict[str, Code]] = {
        "tier-points": Code(RULESET, "某一档的得分超过指标满分", "points: 8\ntiers: [{when: rate >= 0.95, points: 10}]"),
        "tier-dead": Code(RULESET, "警告：某一档永远轮不到（它成立时上面的档已经成立）",
                          "tiers: [{when: rate >= 0.7, points: 2}, {when: rate >= 0.85, points: 5}]"),
        "tier-order": Code(RULESET, "警告：档次没有按得分从高到低排列", "tiers: [{when: rate >= 0.95, points: 3}, {when: rate >= 0.85, points: 5}]"),
    }

    @classmethod
    def build(cls, raw: Any, at: Callable[..., Mark], builder: Building) -> Tiers:
        tiers = tuple(Tier(builder.cond(f"{raw['id']}/tiers/{index}", tier["when"], at("tiers", index, "when")),
                           exact(tier["points"]), tier.get("name", "")) for index, tier in enumerate(raw["tiers"]))
        return cls(tiers)

    def expressions(self) -> list[Expression]:
        return [tier.when.expr for tier in self.tiers]

    def score(self, points: Number, ctx: Scoring) -> Base:
        uncomputed: Null | None = None  # e.g. ratio(a, 0): not met, and the figure says why
        for index, tier in enumerate(self.tiers):
            truth = ctx.truth(tier.when)
            if truth is True:
                return Base(tier.points, self.reason(points, ctx, index), branch=index)
            if isinstance(truth, Null) and truth.missing:
                return Base(0, ctx.null_reason(truth), truth)
            if isinstance(truth, Null) and uncomputed is None:
                uncomputed = truth
        return Base(0, self.reason(points, ctx, None), uncomputed)

    def reason(self, points: Number, ctx: Scoring, reached: int | None) -> str:
        """「会员入会率 82.0%，要求 ≥ 95% 得满分、≥ 85% 得 5 分，当前档 ≥ 70% 得 2 分，失 6 分」."""
        earned = self.tiers[reached].points if reached is not None else 0
        if earned == points:
            return ""
        exprs = self.expressions()
        figures, wants = ctx.thresholds(exprs)

        def make() -> list[str]:
            return [f"{want} {'得满分' if t.points == points else f'得 {fmt_number(t.points)} 分'}" for want, t in zip(wants, self.tiers)]

        worth = ctx.remember("worth", self, make, ctx.steady(exprs))
        above = f"要求 {'、'.join(worth[:reached])}" if reached != 0 else ""
        now = f"当前档 {worth[reached]}" if reached is not None else "未达到任何一档"
        return "，".join(filter(None, [figures, above, now, f"失 {fmt_number(points - earned)} 分"]))

    def explain(self, points: Number) -> list[tuple[str, Expression]]:
        return [(f"第 {index} 档（{fmt_number(tier.points)} 分{f'，{tier.name}' if tier.name else ''}）", tier.when.expr)
                for index, tier in enumerate(self.tiers, 1)]

    def record(self) -> Record:
        found: Record = {}
        for index, tier in enumerate(self.tiers, 1):
            found |= {f"tiers[{index}].when": tier.when.expr.text, f"tiers[{index}].points": fmt_number(tier.points),
                      f"tiers[{index}].name": tier.name}
        return found

    def full(self, points: Number, aim: Aiming) -> list[Goal]:
        return [aim.holds(self.tiers[0].when)]

    def better(self, points: Number, now: Number, aim: Aiming) -> list[tuple[str, list[Goal]]]:
        return [(tier.name or f"第 {index} 档", [aim.holds(tier.when)]) for index, tier in enumerate(self.tiers, 1) if tier.points > now]

    def reaching(self, reached: str) -> str:
        return f"达到“{reached}”，得"

    def branches(self) -> list[str]:
        return [f"第 {n} 档" + (f"（{tier.name}）" if tier.name else f"（{tier.when.expr.text}）") for n, tier in enumerate(self.tiers, 1)]

    def problems(self, item_id: str, points: Number, mark: Mark) -> Iterator[Diagnostic]:
        for tier in self.tiers:
            if tier.points > points:
                yield Diagnostic(mark, "tier-points", f"指标 “{item_id}” 的某档得分 {fmt_number(tier.points)} 超过满分 {fmt_number(points)}")

    def warnings(self, item_id: str) -> Iterator[Diagnostic]:
        yield from self.dead(item_id)
        yield from self.disordered(item_id)

    def dead(self, item_id: str) -> Iterator[Diagnostic]:
        """`tier-dead`: an earlier tier holds whenever this one does, so the first-match rule never
        reaches it: `rate >= 0.85` listed after `rate >= 0.70`, or the same condition twice.
        Found for conditions that compare the same expressions with constants, joined by `and` or `or`."""
        for index, tier in enumerate(self.tiers):
            before = [n for n, t in enumerate(self.tiers[:index], 1) if implies(tier.when.expr.node, t.when.expr.node)]
            if before:
                text = tier.when.expr.text
                message = f"指标 “{item_id}” 的第 {index + 1} 档（{text}）不会生效：它成立时第 {before[0]} 档已经成立，先匹配的档先生效"
                yield Diagnostic(tier.when.expr.mark, "tier-dead", message, "warning", len(text))

    def disordered(self, item_id: str) -> Iterator[Diagnostic]:
        """`tier-order`: tiers are listed from the most points down; a tier that gives as many points
        as the tier above it, or more, is either misplaced or redundant."""
        for index, (upper, tier) in enumerate(zip(self.tiers, self.tiers[1:]), 2):
            if tier.points >= upper.points:
                relation = "等于" if tier.points == upper.points else "高于"
                message = (f"指标 “{item_id}” 的第 {index} 档得 {fmt_number(tier.points)} 分，{relation}上一档的 "
                           f"{fmt_number(upper.points)} 分：档次应按得分从高到低排列")
                yield Diagnostic(tier.when.expr.mark, "tier-order", message, "warning", len(tier.when.expr.text))
