"""Scoring one union against one ruleset, given the truth of every compiled condition.

Order inside an item: applies_if → zero_if → base (see `kinds`) → deductions (capped by
max_deduct) → clamp to [0, points]. Then sections (capped), the total (rescaled when items
were dropped), bonus, vetoes, the gate, required items and levels.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..diagnostics import blamed
from ..language import evidence
from ..language.conditions import Cond
from ..language.expr_eval import Env
from ..language.expr_parse import Node
from ..language.expressions import Expression
from ..language.kind import Base
from ..language.model import Deduction, Gate, Item, Level, Ruleset, Section
from ..language.phrasing import Phrasing, phrasing_of
from ..language.vocabulary import HEADER_LABELS, UNION_TYPES
from ..values import Fraction, Null, Number, fmt_number, fmt_value, normal
from .cohort import pending
from .item_memo import memo_of
from .result import Gap, ItemScore, LevelRef, RulesetRef, RulesetResult, SectionScore, VetoHit

PASSING = ("pass", "na")


@dataclass
class Context:
    """One union's view of a ruleset: its environment and the truth of every condition."""

    ruleset: Ruleset
    env: Env
    truths: list[Any]

    def truth(self, cond: Cond) -> Any:
        return self.truths[cond.index]

    def value(self, expression: Expression) -> Any:
        return expression(self.env)

    @property
    def phrasing(self) -> Phrasing:
        return phrasing_of(self.ruleset)

    def label(self, name: str) -> str:
        return self.ruleset.label(name) or HEADER_LABELS.get(name, name)

    def figure(self, expression: Expression, node: Node | None = None) -> str:
        """A value (of the whole expression, or of one of its parts) with its name, unit and the facts
        behind it: 「会员入会率 73.8%（…）」."""
        return evidence.figure(self.phrasing, expression.node if node is None else node, expression, self.env)

    def unit(self, expression: Expression, node: Node | None = None) -> str:
        """The unit a value (the expression's, or one of its parts') is shown in: 「次」, 「%」."""
        return self.phrasing.unit(expression.node if node is None else node)

    def amount(self, value: Number, expression: Expression) -> str:
        """A number of a scoring rule in the unit of the value it scores: 0.05 → 5%."""
        return self.phrasing.amount_of(value, expression)

    def thresholds(self, exprs: list[Expression]) -> tuple[str, list[str]]:
        """The figures tier conditions read and what each asks: (「会员入会率 82.0%」, [「≥ 95%」, …])."""
        return evidence.tiers(self.phrasing, exprs, self.env)

    def steady(self, exprs: list[Expression]) -> bool:
        """Whether the texts of these expressions are the same for every union."""
        return all(map(self.phrasing.steady, exprs))

    def remember(self, topic: str, key: object, make: Callable[[], Any], keep: bool = True) -> Any:
        """A text made once per ruleset and key (see `Phrasing.remember`)."""
        return self.phrasing.remember(topic, key, make, keep)

    def quantity(self, expression: Expression) -> str:
        """A value in its unit, without its name: 「3 种」, 「73.8%」."""
        return self.phrasing.shown(self.value(expression), expression.node, self.env.results)

    def unmet(self, cond: Cond) -> str:
        """Why a condition does not hold: 「本年度召开职代会次数 0 次，要求 ≥ 1 次」."""
        return evidence.unmet(self.phrasing, cond.expr, self.env)

    def cited(self, cond: Cond) -> str:
        """The figures that make a condition hold, but for yes/no facts: 「职工书屋藏书 1200 册」."""
        return evidence.cited(self.phrasing, cond.expr, self.env)

    def fired(self, cond: Cond) -> str:
        """The figures that make a condition hold: 「会员人数 0 人」."""
        return evidence.fired(self.phrasing, cond.expr, self.env)

    def shown(self, name: str, value: Any) -> str:
        decl = self.ruleset.facts.get(name)
        if decl is not None and decl.type == "enum" and isinstance(value, str):
            return decl.shown(value)
        return fmt_value(value, self.ruleset.unit(name))

    def describe(self, names: Iterable[str]) -> str:
        """The facts a condition reads, as people say them: 「工会类型 工会小组，建会日期 2025-04-01」."""
        shown = []
        for name in names:
            if name in self.ruleset.facts or name in HEADER_LABELS:
                value = self.env.get(name)
                text = UNION_TYPES.get(value, value) if name == "union.type" else self.shown(name, value)
                shown.append(f"{self.label(name)} {text}")
        return "，".join(shown)

    def null_reason(self, null: Null) -> str:
        if null.missing:
            return "缺少资料：" + "、".join(self.label(n) for n in sorted(null.missing)) + "（无资料不得分）"
        return "无法计算：" + "；".join(null.why or ("数据不足",))

    def facts_read(self, item: Item) -> dict[str, Any]:
        """Every name the item reads, derived values and the facts behind them included."""
        return {name: self.env.get(name) for name in item.reads}


def score_item(item: Item, ctx: Context) -> ItemScore:
    """The points, outcome and reason of one item, made once for the values it reads (see item_memo)."""
    return memo_of(ctx.ruleset, "score", scored_names).get(item, ctx.env, lambda: score_anew(item, ctx))


def scored_names(ruleset: Ruleset, item: Item) -> tuple[str, ...] | None:
    """The names an item's score reads: its own and its fix text's; None (not remembered) when its
    texts name a used ruleset's results, which come from those results rather than from values."""
    if not all(map(phrasing_of(ruleset).steady, item.expressions())):
        return None
    return tuple(sorted(set(item.reads).union(*(e.names for e in item.advice))))


def unchanged_scores(ruleset: Ruleset, result: RulesetResult, changed: set[str]) -> dict[str, ItemScore]:
    """The item scores of `result` that `score_item` gives again once the `changed` names have changed (on
    the same date), by item id."""
    scores = result.items + result.bonus_items
    same = memo_of(ruleset, "score", scored_names).unchanged((ruleset.item_index[s.id] for s in scores), changed)
    return {score.id: score for score in scores if score.id in same}


def score_anew(item: Item, ctx: Context) -> ItemScore:
    facts = ctx.facts_read(item)
    if item.applies_if is not None:
        applies = ctx.truth(item.applies_if)
        if applies is False:
            possible = item.points if item.na == "full" else 0
            reason = "不适用，按满分计" if item.na == "full" else "不适用，不计入总分"
            return make(item, ctx, "na", possible, possible, reason, facts)
        if isinstance(applies, Null) and applies.missing:
            return make(item, ctx, "missing", 0, item.points, ctx.null_reason(applies), facts)
    if item.zero_if is not None:
        knocked = ctx.truth(item.zero_if)
        if knocked is True:
            return make(item, ctx, "fail", 0, item.points, f"{ctx.fired(item.zero_if)}，本项不得分", facts, knockout=True)
        if isinstance(knocked, Null) and knocked.missing:
            return make(item, ctx, "missing", 0, item.points, ctx.null_reason(knocked), facts)
    base = item.kind.score(item.points, ctx)
    if base.null is not None and base.null.missing:
        return make(item, ctx, "missing", 0, item.points, base.reason, facts)
    if base.pending:
        return make(item, ctx, "pending", 0, item.points, base.reason, facts)
    return deducted(item, ctx, base, facts)


@dataclass
class Taken:
    """What a list of deductions took: the texts of those that took points, their indexes, the total
    (within `max_deduct`), and a null when one lacks data."""

    texts: list[str]
    applied: list[int]
    total: Number = 0
    missing: Null | None = None

    @property
    def reason(self) -> str:
        return "扣分：" + "；".join(self.texts) if self.texts else ""


def take(deductions: tuple[Deduction, ...], max_deduct: Number | None, ctx: Context, whole: Number | None = None) -> Taken:
    """Every deduction, independent of the others; their sum capped by `max_deduct`. `whole`: for a section,
    where a deduction lacking data is taken in full (its points; a count: all of `whole`), else it stops."""
    taken = Taken([], [])
    for index, deduction in enumerate(deductions):
        amount, null = deduction_amount(deduction, ctx)
        if null is not None and null.missing:
            if whole is None:
                return Taken([], [], 0, null)
            amount = deduction.points if deduction.when is not None else whole
            absent = "、".join(ctx.label(name) for name in sorted(null.missing))
            taken.texts.append(f"{deduction.name}（缺少资料：{absent}，按扣分计）−{fmt_number(amount)} 分")
        elif null is not None:
            taken.texts.append(f"{deduction.name}（{ctx.null_reason(null)}），未扣分")
            continue
        elif amount:
            taken.texts.append(f"{deduction_text(deduction, ctx)} −{fmt_number(amount)} 分")
        if amount:
            taken.applied.append(index)
            taken.total += amount
    if max_deduct is not None and taken.total > max_deduct:
        taken.texts[-1] += f"（合计 {fmt_number(taken.total)} 分，最多扣 {fmt_number(max_deduct)} 分）"
        taken.total = max_deduct
    return taken


def deducted(item: Item, ctx: Context, base: Base, facts: dict) -> ItemScore:
    taken = take(item.deduct, item.max_deduct, ctx)
    if taken.missing is not None:
        return make(item, ctx, "missing", 0, item.points, ctx.null_reason(taken.missing), facts)
    most = item.most
    final = normal(max(base.points - taken.total, 0) if most is None else min(max(base.points - taken.total, 0), most))
    reason = "；".join(filter(None, [base.reason, taken.reason]))
    outcome = ("pass" if final > 0 else "fail") if item.uncapped else "pass" if final >= item.points else "fail" if final == 0 else "partial"
    text = reason or ("符合要求" if outcome == "pass" else "")
    possible = final if item.uncapped else item.points
    advice = deduction_advice(item, base, taken.applied, ctx) if outcome != "pass" else None
    return make(item, ctx, outcome, final, possible, text, facts, branch=base.branch, deductions=tuple(taken.applied), advice=advice)


def deduction_advice(item: Item, base: Base, applied: list[int], ctx: Context) -> str | None:
    """An item that lost points through its deductions alone, each of which says what to do about it (`fix`): those
    texts, in order (「应把藏书补足到 3000 册。应配备专（兼）职管理员。」), instead of the item's whole fix."""
    fixes = [item.deduct[index].fix for index in applied]
    if base.points < item.points or not fixes or None in fixes:
        return None
    return "".join(fix.render(ctx.env) for fix in fixes if fix is not None)


def deduction_text(deduction: Deduction, ctx: Context) -> str:
    """A deduction that applied, with the figure behind it: 「缺失台账 3 种」, 「藏书不足 3000 册（职工书屋藏书 1200 册）」."""
    if deduction.when is None:
        return f"{deduction.name} {ctx.quantity(deduction.counted)}"
    cited = ctx.cited(deduction.when)
    return f"{deduction.name}（{cited}）" if cited else deduction.name


def deduction_amount(deduction: Any, ctx: Context) -> tuple[Number, Null | None]:
    """Points a deduction takes, or the null that stops it from being decided."""
    if deduction.when is not None:
        truth = ctx.truth(deduction.when)
        if isinstance(truth, Null):
            return 0, truth
        return (deduction.points if truth else 0), None
    value = ctx.value(deduction.counted)
    if isinstance(value, Null):
        return 0, value
    return normal(max(value, 0) * deduction.each), None


def make(item: Item, ctx: Context, outcome: str, points: Number, possible: Number, reason: str, facts: dict,
         knockout: bool = False, branch: int | None = None, deductions: tuple[int, ...] = (), advice: str | None = None) -> ItemScore:
    fix = advice or render_fix(item, ctx, outcome)
    return ItemScore(item.id, item.name, item.section, outcome, points, possible, reason, facts, fix, item.required, knockout, branch, deductions)


def render_fix(item: Item, ctx: Context, outcome: str) -> str | None:
    if outcome in ("pass", "na", "pending"):
        return None
    if outcome == "missing":
        absent = [ctx.label(n) for n in sorted(ctx.facts_read(item)) if isinstance(ctx.env.get(n), Null) and n in ctx.ruleset.facts]
        return f"补齐{'、'.join(f'“{name}”' for name in absent) or f'“{item.name}”'}的台账资料后重新评估。"
    return item.fix.render(ctx.env) if item.fix else f"对照“{item.name}”的要求进行整改。"


def score_section(section: Section, scores: dict[str, ItemScore], depth: int, out: list[SectionScore], ctx: Context) -> tuple[Number, Number]:
    """(earned, possible) of a section: possible = min(max, Σ children possible); earned ≤ possible, plus
    what items scored around a target earn above their points; then the section's own deductions, floored at 0."""
    at = len(out)
    earned: Number = sum((scores[i.id].points for i in section.items), 0)
    possible: Number = sum((scores[i.id].max_points for i in section.items), 0)
    for sub in section.sections:
        sub_earned, sub_possible = score_section(sub, scores, depth + 1, out, ctx)
        earned, possible = earned + sub_earned, possible + sub_possible
    possible = min(section.max, possible)
    earned = min(possible + section.headroom, earned)
    if not section.deduct:
        out.insert(at, SectionScore(section.id, section.name, normal(earned), normal(possible), depth))
        return earned, possible
    with blamed(f"分项 “{section.id}”", section.mark):
        taken = take(section.deduct, section.max_deduct, ctx, earned)
    final = max(earned - taken.total, 0)
    out.insert(at, SectionScore(section.id, section.name, normal(final), normal(possible), depth, normal(earned - final), taken.reason,
                                tuple(taken.applied)))
    return final, possible


def assess_ruleset(ruleset: Ruleset, env: Env, truths: list[Any], kept: dict[str, ItemScore] | None = None) -> RulesetResult:
    """Every item, section, veto, the gate and the level of one union in one ruleset. `kept`: scores known
    to be what `score_item` gives in `env` (`unchanged_scores`), by item id."""
    ctx = Context(ruleset, env, truths)
    items = scored_items(ruleset.items(), ctx, kept or {})
    bonus_items = scored_items(ruleset.bonus.items, ctx, kept or {}) if ruleset.bonus else []
    scores = {s.id: s for s in items}
    sections: list[SectionScore] = []
    earned: Number = 0
    possible: Number = 0
    for section in ruleset.sections:
        e, p = score_section(section, scores, 0, sections, ctx)
        earned, possible = earned + e, possible + p
    base = normal(Fraction(earned) * ruleset.max_score / possible) if possible else 0
    return finish(ruleset, ctx, items, bonus_items, sections, base, rescaled(ruleset, items, possible))


def scored_items(items: Iterable[Item], ctx: Context, kept: dict[str, ItemScore]) -> list[ItemScore]:
    """`score_item` of each item not `kept`, naming the item and its line should anything unexpected go wrong
    (`blamed` is entered only then: around every item it cost 1.7 µs an item, 0.2 ms of a union's 7)."""
    found = []
    for item in items:
        try:
            found.append(kept[item.id] if item.id in kept else score_item(item, ctx))
        except Exception:
            with blamed(f"指标 “{item.id}”", item.mark):
                raise
    return found


def rescaled(ruleset: Ruleset, items: list[ItemScore], possible: Number) -> str:
    """How items dropped as not applicable (na: drop) changed the total: 「不适用 2 项（10 分）不计分，按 90 分折算为 100 分」."""
    dropped = [item for item in items if item.outcome == "na" and item.max_points == 0]
    if not dropped or possible == ruleset.max_score:
        return ""
    points = sum((ruleset.item_index[item.id].points for item in dropped), 0)
    return f"不适用 {len(dropped)} 项（{fmt_number(points)} 分）不计分，按 {fmt_number(possible)} 分折算为 {fmt_number(ruleset.max_score)} 分"


def finish(ruleset: Ruleset, ctx: Context, items: list[ItemScore], bonus_items: list[ItemScore], sections: list[SectionScore],
           base: Number, rescale: str) -> RulesetResult:
    bonus = normal(ruleset.bonus.capped(sum((b.points for b in bonus_items), 0))) if ruleset.bonus else 0
    hits = [v for v in ruleset.vetoes if ctx.truth(v.when) is True]
    notes = [f"否决项“{v.name}”缺少资料，未计" for v in ruleset.vetoes if isinstance(ctx.truth(v.when), Null) and ctx.truth(v.when).missing]
    gate_ok = ruleset.gate is None or ctx.truth(ruleset.gate.when) is True
    zeroed = any(v.effect == "zero" for v in hits)
    score = 0 if zeroed else base + bonus
    level_score = 0 if zeroed else base + (bonus if ruleset.bonus and ruleset.bonus.counts_for_level else 0)
    eligible = gate_ok and not any(v.effect == "disqualify" for v in hits)
    required_failed = [i.id for i in items if i.required and i.outcome not in PASSING]
    cap = cap_index(ruleset, hits)
    ladder = qualifying(ruleset, ctx, items, sections, level_score, required_failed, cap) if eligible else ()
    level, cohort = pending(ruleset, ladder, union_of(ctx))
    return RulesetResult(
        ruleset=ruleset_ref(ruleset), score=normal(score), max_score=ruleset.max_score, bonus=0 if zeroed else bonus,
        level=LevelRef(level.id, level.name) if level else None, eligible=eligible,
        vetoes=tuple(VetoHit(v.id, v.name, ctx.fired(v.when)) for v in hits), required_failed=required_failed,
        items=items, bonus_items=bonus_items, sections=sections, gaps=gaps(items, ruleset, sections),
        notes=notes + judging_notes(items + bonus_items), applies=gate_ok,
        gate_reason=gate_reason(ruleset.gate, ctx) if ruleset.gate is not None and not gate_ok else "", rescaled=rescale,
        level_score=normal(level_score), ladder=ladder, cohort=cohort,
    )


def union_of(ctx: Context) -> dict[str, Any]:
    """The union header as the expressions read it (county and township rank cohorts)."""
    return {key: ctx.env.values.get(f"union.{key}") for key in ("id", "county", "township")}


def judging_notes(items: list[ItemScore]) -> list[str]:
    """「待考核组评定 1 项（特色工作，满分 5 分），当前得分未计入，评定后得分与等级可能变化」."""
    waiting = [item for item in items if item.outcome == "pending"]
    if not waiting:
        return []
    names = "、".join(f"{item.name}，满分 {fmt_number(item.max_points)} 分" for item in waiting)
    return [f"待考核组评定 {len(waiting)} 项（{names}），当前得分未计入，评定后得分与等级可能变化"]


@cache
def ruleset_ref(ruleset: Ruleset) -> RulesetRef:
    """What every result of a ruleset says about it, made once per loaded ruleset."""
    levels = tuple(LevelRef(level.id, level.name) for level in ruleset.levels)
    return RulesetRef(ruleset.id, ruleset.name, ruleset.version, ruleset.hash, ruleset.short_name, levels)


def gate_reason(gate: Gate, ctx: Context) -> str:
    """Why the gate failed, the union's own figures marked as such (a gate's name lists every condition, and the
    part that fails may be any of them): 「未满足申报条件：依法建会满一年的机关、事业单位工会（本单位工会类型：企业）」."""
    truth = ctx.truth(gate.when)
    why = ctx.null_reason(truth) if isinstance(truth, Null) else evidence.state(ctx.phrasing, gate.when.expr, ctx.env)
    return f"未满足{gate.name}（本单位{why}）"


def cap_index(ruleset: Ruleset, hits: list) -> int:
    """Index of the highest level still allowed after `cap` vetoes."""
    ids = [level.id for level in ruleset.levels]
    caps = [ids.index(v.cap_level) for v in hits if v.effect == "cap" and v.cap_level in ids]
    return max(caps, default=0)


def qualifying(ruleset: Ruleset, ctx: Context, items: list[ItemScore], sections: list[SectionScore], score: Number,
               required_failed: list[str], cap: int) -> tuple[str, ...]:
    """Every level, below the cap, whose min, section_min and requires hold, best first: the first is the level
    (a level held by rank in a cohort needs its place too, see engine/evaluate/cohort.py)."""
    outcomes = {i.id: i.outcome for i in items}
    top = {s.id: s for s in sections if s.depth == 0}
    return tuple(level.id for level in ruleset.levels[cap:] if meets(level, ctx, outcomes, top, score, required_failed))


def meets(level: Level, ctx: Context, outcomes: dict[str, str], top: dict[str, SectionScore], score: Number, required_failed: list[str]) -> bool:
    if score < level.min or (level.requires_all_required and required_failed):
        return False
    return sections_reach(level, top) and all(requirement_holds(r, ctx, outcomes) for r in level.requires)


def sections_reach(level: Level, top: dict[str, SectionScore]) -> bool:
    if level.section_min is None:
        return True
    shares = level.section_min if isinstance(level.section_min, dict) else dict.fromkeys(top, level.section_min)
    return all(top[k].max_points == 0 or Fraction(top[k].points) >= shares[k] * top[k].max_points for k in shares)


def requirement_holds(requirement: Any, ctx: Context, outcomes: dict[str, str]) -> bool:
    if requirement.item is not None:
        return outcomes.get(requirement.item) in PASSING
    return ctx.truth(requirement.cond) is True


def gaps(items: list[ItemScore], ruleset: Ruleset, sections: list[SectionScore]) -> list[Gap]:
    """Items that lost points and sections whose deductions took points, largest loss first, each with its
    rendered fix and the evidence to prepare."""
    lost = [Gap(i.id, i.name, i.lost, i.fix or "", ruleset.item_index[i.id].evidence)
            for i in items if i.outcome in ("partial", "fail", "missing") and i.lost > 0]
    lost += [section_gap(s, ruleset) for s in sections if s.deducted]
    return sorted(lost, key=lambda gap: -gap.points_lost)


def section_gap(score: SectionScore, ruleset: Ruleset) -> Gap:
    """「制度建设（分项扣分）」: what the section's deductions took, and what to put right."""
    section = next(s for s in ruleset.all_sections() if s.id == score.id)
    names = "、".join(section.deduct[index].name for index in score.deductions)
    return Gap(score.id, f"{score.name}（分项扣分）", score.deducted or 0, f"纠正分项扣分情形：{names}。")
