"""Item kinds: how the base points of an item are found. One function per kind, one registry entry.

Each scorer gets the item and the evaluation context and returns `Base`: the points before
deductions, a Chinese reason, and the null that stopped it (if a needed fact is absent).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from .model import Item
from .values import Null, Number, fmt_number, normal


@dataclass(frozen=True, slots=True)
class Base:
    points: Number
    reason: str
    null: Null | None = None


def clamp(value: Any, low: Any, high: Any) -> Any:
    return min(max(value, low), high)


def when(item: Item, ctx: Any) -> Base:
    """`when: COND`: all points when the condition holds, none otherwise."""
    truth = ctx.truth(item.when)
    if truth is True:
        return Base(item.points, "符合要求")
    if isinstance(truth, Null):
        return Base(0, ctx.null_reason(truth), truth)
    return Base(0, "不符合要求")


def tiers(item: Item, ctx: Any) -> Base:
    """`tiers`: the first tier whose condition holds gives its points; a tier missing a fact makes the item missing."""
    uncomputed: Null | None = None
    for index, tier in enumerate(item.tiers, 1):
        truth = ctx.truth(tier.when)
        if truth is True:
            named = f"（{tier.name}）" if tier.name else ""
            return Base(tier.points, f"达到第 {index} 档{named}，得 {fmt_number(tier.points)} 分")
        if isinstance(truth, Null) and truth.missing:
            return Base(0, ctx.null_reason(truth), truth)
        if isinstance(truth, Null) and uncomputed is None:
            uncomputed = truth
    if uncomputed is not None:  # e.g. ratio(a, 0): not met, and the reason says why
        return Base(0, f"未达到任何一档（{ctx.null_reason(uncomputed)}）", uncomputed)
    return Base(0, "未达到任何一档")


def count(item: Item, ctx: Any) -> Base:
    """`count: EXPR, each: N`: N points per occurrence, capped at the item's points."""
    value = ctx.value(item.count)
    if isinstance(value, Null):
        return Base(0, ctx.null_reason(value), value)
    points = normal(clamp(value * item.each, 0, item.points))
    return Base(points, f"计 {fmt_number(value)} 次，每次 {fmt_number(item.each)} 分，得 {fmt_number(points)} 分")


def scale(item: Item, ctx: Any) -> Base:
    """`scale: {value, from, to}`: linear between from (0 points) and to (all points), clamped."""
    spec = item.scale
    value = ctx.value(spec.value)
    if isinstance(value, Null):
        return Base(0, ctx.null_reason(value), value)
    share = clamp(Fraction(value - spec.start) / Fraction(spec.end - spec.start), 0, 1)
    points = normal(item.points * share)
    return Base(points, f"按 {fmt_number(spec.start)}～{fmt_number(spec.end)} 线性计分，实际 {fmt_number(value, 4)}，得 {fmt_number(points)} 分")


def shortfall(item: Item, ctx: Any) -> Base:
    """`shortfall: {value, target, step, each, round}`: loses `each` per `step` below the target."""
    spec = item.shortfall
    value = ctx.value(spec.value)
    if isinstance(value, Null):
        return Base(0, ctx.null_reason(value), value)
    if value >= spec.target:
        return Base(item.points, f"达到目标 {fmt_number(spec.target, 4)}")
    steps = Fraction(spec.target - value) / Fraction(spec.step)
    whole = math.ceil(steps) if spec.round == "ceil" else math.floor(steps)
    lost = whole * spec.each
    points = normal(clamp(item.points - lost, 0, item.points))
    return Base(points, f"低于目标 {fmt_number(spec.target, 4)}（实际 {fmt_number(value, 4)}），差 {whole} 档，扣 {fmt_number(lost)} 分")


def deduct_only(item: Item, ctx: Any) -> Base:
    """Only `deduct`: the item starts from its full points."""
    return Base(item.points, "")


KINDS: dict[str, Callable[[Item, Any], Base]] = {
    "when": when, "tiers": tiers, "count": count, "scale": scale, "shortfall": shortfall, "deduct": deduct_only,
}
