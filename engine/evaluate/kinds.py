"""Item kinds: how the base points of an item are found. One function per kind, one registry entry.

Each scorer gets the item and the evaluation context and returns `Base`: the points before
deductions, a Chinese reason, and the null that stopped it (if a needed fact is absent).
Its docstring is the rule author's reference (docs/ruleset-reference.md, built by
engine/authoring/reference.py): what the kind does, in Chinese, then `例：` and an item in YAML.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from ..language import evidence
from ..language.expressions import Expression
from ..language.model import Item
from ..language.phrasing import Phrasing
from ..values import Null, Number, fmt_number, normal


@dataclass(frozen=True, slots=True)
class Base:
    points: Number
    reason: str
    null: Null | None = None
    tier: int | None = None  # index of the tier that gave the points


def clamp(value: Any, low: Any, high: Any) -> Any:
    return min(max(value, low), high)


def when(item: Item, ctx: Any) -> Base:
    """`when: 条件`：条件成立得满分，不成立得 0 分；条件缺少事实时判为“缺资料”。

    例：
      - id: banzi.elected
        name: 工会委员会依法选举产生
        points: 5
        when: committee.elected
    """
    truth = ctx.truth(item.when)
    if truth is True:
        return Base(item.points, "")
    if isinstance(truth, Null) and truth.missing:
        return Base(0, ctx.null_reason(truth), truth)
    return Base(0, ctx.unmet(item.when), truth if isinstance(truth, Null) else None)


def tiers(item: Item, ctx: Any) -> Base:
    """`tiers`：从上到下第一个成立的档次给出它的分值，都不成立得 0 分；某一档缺少事实时判为“缺资料”。

    例：
      - id: zuzhi.membership
        name: 会员入会率
        points: 8
        tiers:
          - {when: membership_rate >= 0.95, points: 8, name: 95% 以上}
          - {when: membership_rate >= 0.85, points: 5, name: 85% 以上}
    """
    uncomputed: Null | None = None  # e.g. ratio(a, 0): not met, and the figure says why
    for index, tier in enumerate(item.tiers):
        truth = ctx.truth(tier.when)
        if truth is True:
            return Base(tier.points, tier_reason(item, ctx, index), tier=index)
        if isinstance(truth, Null) and truth.missing:
            return Base(0, ctx.null_reason(truth), truth)
        if isinstance(truth, Null) and uncomputed is None:
            uncomputed = truth
    return Base(0, tier_reason(item, ctx, None), uncomputed)


def tier_reason(item: Item, ctx: Any, reached: int | None) -> str:
    """「会员入会率 82.0%，要求 ≥ 95% 得满分、≥ 85% 得 5 分，当前档 ≥ 70% 得 2 分，失 6 分」."""
    points = item.tiers[reached].points if reached is not None else 0
    if points == item.points:
        return ""
    exprs = [t.when.expr for t in item.tiers]
    figures, wants = evidence.tiers(ctx.phrasing, exprs, ctx.env)

    def make() -> list[str]:
        return [f"{want} {'得满分' if t.points == item.points else f'得 {fmt_number(t.points)} 分'}" for want, t in zip(wants, item.tiers)]

    worth = ctx.phrasing.remember("worth", item, make, all(map(ctx.phrasing.steady, exprs)))
    above = f"要求 {'、'.join(worth[:reached])}" if reached != 0 else ""
    now = f"当前档 {worth[reached]}" if reached is not None else "未达到任何一档"
    return "，".join(filter(None, [figures, above, now, f"失 {fmt_number(item.points - points)} 分"]))


def count(item: Item, ctx: Any) -> Base:
    """`count: 表达式, each: N`：每发生一次得 N 分，以指标满分为上限。

    例：
      - id: guifan.meetings
        name: 每季召开工会委员会会议
        points: 4
        count: count(meetings.by_quarter)
        each: 1
    """
    value = ctx.value(item.count)
    if isinstance(value, Null):
        return Base(0, ctx.null_reason(value), value)
    points = normal(clamp(value * item.each, 0, item.points))
    return Base(points, outcome_text(item, ctx, item.count, points))


def scale(item: Item, ctx: Any) -> Base:
    """`scale: {value, from, to}`：在 from（0 分）与 to（满分）之间按比例线性计分，超出两端按两端计；from 大于 to 表示越低越好。

    例：
      - id: jingfei.paid
        name: 工会经费足额拨缴
        points: 6
        scale: {value: "ratio(dues.paid, dues.due)", from: 0.6, to: 1}
    """
    spec = item.scale
    value = ctx.value(spec.value)
    if isinstance(value, Null):
        return Base(0, ctx.null_reason(value), value)
    share = clamp(Fraction(value - spec.start) / Fraction(spec.end - spec.start), 0, 1)
    points = normal(item.points * share)
    return Base(points, outcome_text(item, ctx, spec.value, points))


def shortfall(item: Item, ctx: Any) -> Base:
    """`shortfall: {value, target, step, each, round}`：达到 target 得满分，每低一个 step 扣 each 分（round: ceil 不足一档按一档扣，floor 只扣整档）。

    例：
      - id: xinlai.mutual_aid
        name: 职工医疗互助参保率（90% 以上满分，每少 10% 扣 1 分）
        points: 3
        shortfall: {value: mutual_aid_rate, target: 0.9, step: 0.1, each: 1, round: ceil}
    """
    spec = item.shortfall
    value = ctx.value(spec.value)
    if isinstance(value, Null):
        return Base(0, ctx.null_reason(value), value)
    if value >= spec.target:
        return Base(item.points, "")
    steps = Fraction(spec.target - value) / Fraction(spec.step)
    whole = math.ceil(steps) if spec.round == "ceil" else math.floor(steps)
    points = normal(clamp(item.points - whole * spec.each, 0, item.points))
    return Base(points, outcome_text(item, ctx, spec.value, points, f"，差 {whole} 档"))


def outcome_text(item: Item, ctx: Any, value: Expression, points: Number, rest: str = "") -> str:
    """「本年度厂务公开次数 1 次，每次 1 分、满分 4 分，得 1 分，失 3 分」; nothing when all points are kept."""
    if points == item.points:
        return ""
    rule = ctx.phrasing.remember("rule", item, lambda: RULES[item.kind](item, ctx.phrasing))
    return f"{ctx.figure(value)}，{rule}{rest}，得 {fmt_number(points)} 分，失 {fmt_number(item.points - points)} 分"


def count_rule(item: Item, phrasing: Phrasing) -> str:
    """「每次 1 分、满分 4 分」."""
    return f"每{phrasing.unit(item.count.node) or '个'} {fmt_number(item.each)} 分、满分 {fmt_number(item.points)} 分"


def scale_rule(item: Item, phrasing: Phrasing) -> str:
    """「按 60%（0 分）至 100%（满分）线性计分」."""
    start, end = (phrasing.amount_of(n, item.scale.value) for n in (item.scale.start, item.scale.end))
    return f"按 {start}（0 分）至 {end}（满分）线性计分"


def shortfall_rule(item: Item, phrasing: Phrasing) -> str:
    """「目标 95%，每差 5% 扣 2 分（不足一档按一档计）」."""
    spec = item.shortfall
    target, step = (phrasing.amount_of(n, spec.value) for n in (spec.target, spec.step))
    partial = "不足一档按一档计" if spec.round == "ceil" else "不足一档不扣"
    return f"目标 {target}，每差 {step} 扣 {fmt_number(spec.each)} 分（{partial}）"


def deduct_only(item: Item, ctx: Any) -> Base:
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
    return Base(item.points, "")


RULES: dict[str, Callable[[Item, Phrasing], str]] = {"count": count_rule, "scale": scale_rule, "shortfall": shortfall_rule}
KINDS: dict[str, Callable[[Item, Any], Base]] = {
    "when": when, "tiers": tiers, "count": count, "scale": scale, "shortfall": shortfall, "deduct": deduct_only,
}
