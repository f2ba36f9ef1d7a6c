"""durable-rules against the pure-Python oracle, on random unions drawn from each ruleset's own facts.

For every bundled ruleset (they must load: a broken one fails here, it is not skipped) and for a
synthetic ruleset that uses every construct of the language, random fact files (absent facts,
explicit nulls, zeros, values at and next to every number in the conditions, random union types)
must give identical condition truths, item outcomes and points, scores, levels and eligibility
under both evaluators; and the compiled condition trees must agree with evaluating the
expressions directly.
"""
from __future__ import annotations

import datetime as dt
import math
import tempfile
from dataclasses import replace
from functools import cache, partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import DurableEvaluator, OracleEvaluator, assess_union, resolve_rulesets
from engine.diagnostics import Mark
from engine.evaluate.assessment import build_env
from engine.facts.fact_file import FactFile, typed_facts
from engine.kinds import Scale, Shortfall, Tiers, When
from engine.language.conditions import Cond
from engine.language.expr_parse import Literal, Node, children
from engine.language.model import FactDecl, Item, Ruleset
from engine.language.vocabulary import UNION_TYPES, ceilings
from engine.load.loader import bundled_ids
from engine.values import Fraction

AS_OF = dt.date(2025, 12, 31)
SYNTHETIC = "synthetic"
SCRATCH = tempfile.TemporaryDirectory(prefix="unionscore-property-")  # removed when the run ends

SYNTHETIC_TEXT = """
ruleset: {id: synthetic, name: 综合构造, version: '1', max_score: 60, na: full}
facts:
  employees: {type: integer, min: 0, max: 400, label: 职工人数, unit: 人}
  members: {type: integer, min: 0, max: 400, label: 会员人数, unit: 人}
  activists: {type: integer, min: 0, max: 400, label: 积极分子人数, unit: 人}
  female_members: {type: integer, min: 0, max: 400, label: 女会员人数, unit: 人}
  dues.collected: {type: number, min: 0, max: 100000, label: 已收缴经费, unit: 元}
  dues.due: {type: number, min: 0, max: 100000, label: 应收缴经费, unit: 元}
  committee.elected: {type: boolean, label: 工会委员会经选举产生}
  committee.last_election: {type: date, label: 上次换届日期}
  audit.last: {type: date, label: 上次审计日期}
  org.complete: {type: boolean, label: 组织健全}
  women_committee: {type: boolean, label: 建立女职工委员会}
  meetings.by_quarter: {type: list, items: integer, label: 各季度会议次数}
  checks.done: {type: list, items: boolean, label: 各项检查完成情况}
  scores.monthly: {type: list, items: number, label: 月度评分}
  rating: {type: enum, values: [优秀, 良好, 一般, 差], label: 民主评议结果}
  sector: {type: string, label: 行业}
  incidents: {type: integer, min: 0, max: 10, label: 重大安全事故数}
  self_score: {type: number, min: 0, max: 100, label: 自评分}
  awards: {type: integer, min: 0, max: 5, label: 表彰数}
derive:
  rate: ratio(members, employees)
  dues_rate: ratio(dues.collected, dues.due)
  activist_rate: activists / employees
  big: employees >= 100
  meetings: sum(meetings.by_quarter)
sections:
  - id: zuzhi
    name: 组织
    max: 20
    items:
      - id: zuzhi.rate
        name: 入会率
        points: 8
        required: true
        zero_if: members == 0
        tiers:
          - {when: rate >= 0.95, points: 8}
          - {when: "0.85 <= rate < 0.95 and not (org.complete == false)", points: 5}
          - {when: rate >= 0.7 or activist_rate > 0.25, points: 2}
      - id: zuzhi.org
        name: 组织形式
        points: 4
        when: "union.type != 'group' and not org.complete or union.type in ['joint', 'village'] and committee.elected"
      - id: zuzhi.election
        name: 按期换届
        points: 4
        when: years_since(committee.last_election) <= 5 and committee.elected
      - id: zuzhi.women
        name: 女职工委员会
        points: 4
        applies_if: female_members >= 10
        na: drop
        when: women_committee or not big
  - id: huodong
    name: 活动
    max: 20
    items:
      - {id: huodong.meetings, name: 班子会议, points: 4, count: meetings, each: 1, required: true}
      - id: huodong.quarters
        name: 每季有会
        points: 4
        tiers:
          - {when: "count(meetings.by_quarter) == 4 and min(meetings.by_quarter) >= 1", points: 4}
          - {when: len(meetings.by_quarter) >= 2 and max(meetings.by_quarter) > 2, points: 2}
      - {id: huodong.checks, name: 检查全部完成, points: 2, when: all(checks.done)}
      - id: huodong.safety
        name: 安全检查
        points: 3
        deduct:
          - {when: not any(checks.done), points: 2, name: 未开展检查}
          - {count: incidents, each: 1, name: 安全事故}
        max_deduct: 2
      - id: huodong.rating
        name: 民主评议
        points: 3
        tiers:
          - {when: "rating in ['优秀']", points: 3}
          - {when: "rating not in ['差', '一般']", points: 2}
          - {when: "sector == '制造业' or sector != '建筑业' and exists(sector)", points: 1}
      - {id: huodong.mixed, name: 混合条件, points: 2, when: dues_rate >= 0.9 or committee.elected and incidents > 0}
      - {id: huodong.monthly, name: 月度评分, points: 2, scale: {value: max(scores.monthly), from: 60, to: 90}}
  - id: jingfei
    name: 经费
    max: 20
    allow_unbalanced: true
    items:
      - {id: jingfei.rate, name: 收缴率, points: 6, scale: {value: dues_rate, from: 0.6, to: 1.0}}
      - {id: jingfei.lower, name: 自评越低越好, points: 4, scale: {value: self_score, from: 100, to: 50}}
      - id: jingfei.activists
        name: 积极分子
        points: 3
        shortfall: {value: activist_rate, target: 0.25, step: 0.02, each: 0.5, round: ceil}
      - id: jingfei.floor
        name: 入会率缺口
        points: 3
        shortfall: {value: rate, target: 0.9, step: 0.05, each: 1, round: floor}
      - id: jingfei.audit
        name: 年度审计
        points: 2
        when: days_since(audit.last) <= 365 and committee.last_election <= audit.last
      - id: jingfei.arith
        name: 算术
        points: 4
        when: >-
          members + activists >= employees * 0.5 and abs(members - activists) <= round(employees / 3)
          and ceil(rate * 10) >= floor(activist_rate * 10)
bonus:
  max: 3
  counts_for_level: true
  items:
    - {id: bonus.awards, name: 表彰, points: 2, count: awards, each: 1}
    - {id: bonus.sector, name: 教卫系统, points: 2, when: "sector in ['教育', '卫生'] and union.type == 'institution'"}
vetoes:
  - {id: veto.cap, name: 安全事故, when: incidents >= 2, effect: cap, cap_level: three}
  - {id: veto.dq, name: 评议差且未选举, when: "rating == '差' and not committee.elected", effect: disqualify}
  - {id: veto.zero, name: 严重事故或经费, when: incidents >= 5 or dues_rate < 0.2, effect: zero}
gate:
  when: "union.type != 'joint' and employees >= 1 or union.type == 'group'"
levels:
  - id: five
    name: 五星
    min: 54
    requires_all_required: true
    requires: [zuzhi.election, "years_since(committee.last_election) < 3"]
    section_min: 0.6
  - {id: four, name: 四星, min: 45, section_min: {zuzhi: 0.5}}
  - {id: three, name: 三星, min: 30, requires: ["rate >= 0.5 or big"]}
  - {id: none, name: 未评星, min: 0}
"""


# --- what a ruleset reads --------------------------------------------------------------------------

@cache
def chain(ruleset_id: str) -> tuple[Ruleset, ...]:
    """The ruleset and the ones it uses, dependencies first. A load error fails the test."""
    if ruleset_id == SYNTHETIC:
        path = Path(SCRATCH.name) / "synthetic.yaml"
        path.write_text(SYNTHETIC_TEXT.lstrip(), encoding="utf-8")
        return tuple(resolve_rulesets([str(path)]))
    return tuple(resolve_rulesets([ruleset_id]))


def all_items(ruleset: Ruleset) -> list[Item]:
    return ruleset.items() + (list(ruleset.bonus.items) if ruleset.bonus else [])


def conditions_of(ruleset: Ruleset) -> dict[int, Cond]:
    """Every compiled condition of a ruleset, by its index."""
    conds: list[Cond | None] = [v.when for v in ruleset.vetoes] + [ruleset.gate.when if ruleset.gate else None]
    for item in all_items(ruleset):
        conds += [item.applies_if, item.zero_if] + kind_conditions(item) + [d.when for d in item.deduct]
    conds += [r.cond for level in ruleset.levels for r in level.requires]
    return {c.index: c for c in conds if c is not None}


def kind_conditions(item: Item) -> list[Cond | None]:
    if isinstance(item.kind, When):
        return [item.kind.when]
    return [t.when for t in item.kind.tiers] if isinstance(item.kind, Tiers) else []


def literals(node: Node) -> list[Any]:
    own = [node.value] if isinstance(node, Literal) else []
    return own + [value for child in children(node) for value in literals(child)]


def constants(rulesets: tuple[Ruleset, ...]) -> tuple[set[Fraction], set[str]]:
    """Every number and text appearing in the rulesets' expressions and item thresholds."""
    values: list[Any] = []
    for ruleset in rulesets:
        expressions = [e for _, e in ruleset.derive] + [c.expr for c in conditions_of(ruleset).values()]
        for item in all_items(ruleset):
            expressions += item.expressions()
            values += [item.kind.start, item.kind.end] if isinstance(item.kind, Scale) else []
            values += [item.kind.target] if isinstance(item.kind, Shortfall) else []
        values += [v for e in expressions for v in literals(e.node)]
    numbers = {Fraction(v) for v in values if isinstance(v, (int, Fraction)) and not isinstance(v, bool)}
    return numbers, {v for v in values if isinstance(v, str)}


def declarations(rulesets: tuple[Ruleset, ...]) -> dict[str, FactDecl]:
    """Every declared fact of the chain; bounds narrowed to what every ruleset accepts."""
    merged: dict[str, FactDecl] = {}
    for ruleset in rulesets:
        for name, decl in ruleset.facts.items():
            known = merged.get(name)
            if known is None:
                merged[name] = decl
                continue
            low = max((b for b in (known.min, decl.min) if b is not None), default=None)
            high = min((b for b in (known.max, decl.max) if b is not None), default=None)
            merged[name] = replace(known, min=low, max=high)
    return merged


# --- strategies ------------------------------------------------------------------------------------

def integer_candidates(numbers: set[Fraction], low: int, high: int) -> list[int]:
    """Integers at and next to every constant; for ratios, numerators over common denominators."""
    found = {low, high, 0, 1, 2}
    for n in numbers:
        found |= {math.floor(n) - 1, math.floor(n), math.ceil(n), math.ceil(n) + 1}
        if 0 < n < 1:
            found |= {round(n * base) + d for base in (20, 80, 100) for d in (-1, 0, 1)}
    found |= {20, 79, 80, 100}
    return sorted(v for v in found if low <= v <= high)


def number_candidates(numbers: set[Fraction], low: Fraction | None, high: Fraction | None) -> list[float]:
    found: set[Fraction] = {Fraction(0)}
    for n in numbers:
        found |= {n, n - Fraction(1, 100), n + Fraction(1, 100)}
    inside = [v for v in found if (low is None or v >= low) and (high is None or v <= high)]
    return sorted(float(v) for v in inside)


def date_candidates(numbers: set[Fraction]) -> list[dt.date]:
    found = set()
    for n in numbers:
        if n == int(n) and 0 <= n <= 30:
            anniversary = AS_OF.replace(year=AS_OF.year - int(n))
            found |= {anniversary, anniversary - dt.timedelta(days=1), anniversary + dt.timedelta(days=1)}
        if n == int(n) and 0 <= n <= 4000:
            found |= {AS_OF - dt.timedelta(days=int(n) + d) for d in (-1, 0, 1)}
    return sorted(found)


def scalar(kind: str, decl: FactDecl, numbers: set[Fraction], texts: set[str]) -> st.SearchStrategy:
    if kind == "integer":
        low = int(decl.min) if decl.min is not None else 0
        high = int(decl.max) if decl.max is not None else max(low, 400)
        return st.one_of(st.sampled_from(integer_candidates(numbers, low, high)), st.integers(low, high))
    if kind == "number":
        low, high = decl.min, decl.max
        drawn = st.decimals(low if low is not None else -1000, high if high is not None else 100000, places=2)
        return st.one_of(st.sampled_from(number_candidates(numbers, low, high)), drawn.map(float), st.just(0))
    if kind == "boolean":
        return st.booleans()
    if kind == "date":  # a date of what has happened (`past`) is never after the assessment date
        latest = AS_OF if decl.past else dt.date(2026, 12, 31)
        return st.one_of(st.sampled_from([d for d in date_candidates(numbers) if d <= latest] or [AS_OF]), st.dates(dt.date(2000, 1, 1), latest))
    if kind == "enum":
        return st.sampled_from(decl.values)
    return st.sampled_from(sorted(texts | {"其他", ""}))


def fact_value(decl: FactDecl, numbers: set[Fraction], texts: set[str]) -> st.SearchStrategy:
    """(a die from 0 to 99, a value): the fact file's absence rate decides whether the value is kept."""
    if decl.type == "list":
        size = {"min_size": decl.length, "max_size": decl.length} if decl.length else {"max_size": 5}
        value = st.lists(scalar(decl.items, decl, numbers, texts), **size)
    else:
        value = scalar(decl.type, decl, numbers, texts)
    return st.tuples(st.integers(0, 99), value)


@cache
def fact_files(ruleset_id: str) -> st.SearchStrategy:
    rulesets = chain(ruleset_id)
    numbers, texts = constants(rulesets)
    values = {name: fact_value(decl, numbers, texts) for name, decl in declarations(rulesets).items()}
    rates = st.sampled_from([0, 3, 10, 25])  # per cent of facts left out, and as many given as null
    within = ceilings(declarations(rulesets).values())
    return st.builds(partial(make_fact_file, within), st.fixed_dictionaries(values), st.sampled_from(sorted(UNION_TYPES)), rates)


def make_fact_file(within: dict[str, str], drawn: dict[str, tuple[int, Any]], union_type: str, rate: int) -> FactFile:
    """A drawn fact file; a count above its ceiling (more members than employees) is invalid input, so it is lowered."""
    facts = {name: None if die < 2 * rate else value for name, (die, value) in drawn.items() if die >= rate}
    for _ in within:  # a ceiling lowered may lower another's (female_members within members within employees)
        for name, ceiling in within.items():
            value, limit = facts.get(name), facts.get(ceiling)
            if value is not None and limit is not None and value > limit:
                facts[name] = limit
    union = {"id": "P-1", "name": "性质测试工会", "type": union_type}
    return FactFile("property.yaml", union, 2025, facts, {}, Mark("property.yaml"))


# --- the comparison --------------------------------------------------------------------------------

def summary(result: Any) -> dict[str, Any]:
    return {
        "items": [(i.id, i.outcome, i.points, i.max_points) for i in result.items + result.bonus_items],
        "score": result.score, "bonus": result.bonus, "level": result.level, "eligible": result.eligible,
        "vetoes": result.vetoes, "required_failed": result.required_failed,
        "sections": [(s.id, s.points, s.max_points) for s in result.sections],
        "gaps": [(g.item, g.points_lost) for g in result.gaps],
    }


def check_truths(rulesets: tuple[Ruleset, ...], fact_file: FactFile, results: dict[str, Any], durable: DurableEvaluator) -> None:
    oracle = OracleEvaluator()
    for ruleset in rulesets:
        typed, problems = typed_facts(fact_file, ruleset.facts.values())
        assert problems == []
        env = build_env(ruleset, typed, fact_file, AS_OF, results)
        values = ruleset.conditions.atom_values(env)
        expected = oracle.truths(ruleset, values)
        assert durable.truths(ruleset, values) == expected, ruleset.id
        some = list(range(len(expected) % 3, len(expected), 3))  # only durable's rulesets holding them are fired
        assert durable.truths(ruleset, values, some) == [expected[i] for i in some] == oracle.truths(ruleset, values, some), ruleset.id
        for index, cond in conditions_of(ruleset).items():
            assert expected[index] == cond.expr(env), (ruleset.id, ruleset.conditions.keys[index], cond.expr.text)


def test_bundled_rulesets_are_found_and_load():
    assert bundled_ids(), "no bundled rulesets found"
    for ruleset_id in bundled_ids():
        assert chain(ruleset_id)[-1].conditions is not None


def check_agreement(ruleset_id: str, data: st.DataObject, durable: DurableEvaluator) -> None:
    rulesets = chain(ruleset_id)
    fact_file = data.draw(fact_files(ruleset_id), label="fact file")
    by_oracle = assess_union(rulesets, fact_file, OracleEvaluator())
    by_durable = assess_union(rulesets, fact_file, durable)
    for expected, actual in zip(by_oracle, by_durable):
        assert summary(actual) == summary(expected), expected.ruleset.id
        assert all(item.points >= 0 for item in actual.items + actual.bonus_items)  # the planner's guard counts on it
    check_truths(rulesets, fact_file, {r.ruleset.id: r for r in by_oracle}, durable)


QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.mark.parametrize("ruleset_id", bundled_ids())
@settings(max_examples=120, deadline=None, suppress_health_check=QUIET)
@given(data=st.data())
def test_durable_and_oracle_agree_on_bundled_ruleset(ruleset_id: str, data: st.DataObject, durable: DurableEvaluator) -> None:
    check_agreement(ruleset_id, data, durable)


@settings(max_examples=500, deadline=None, suppress_health_check=QUIET)
@given(data=st.data())
def test_durable_and_oracle_agree_on_every_construct(data: st.DataObject, durable: DurableEvaluator) -> None:
    check_agreement(SYNTHETIC, data, durable)


def test_synthetic_ruleset_uses_every_construct():
    [ruleset] = chain(SYNTHETIC)
    kinds = {item.kind.key for item in all_items(ruleset)}
    assert kinds == {"when", "tiers", "count", "scale", "shortfall", "deduct"}
    texts = " ".join(c.expr.text for c in conditions_of(ruleset).values())
    for construct in (" and ", " or ", "not ", " in [", " not in [", "union.type ==", "years_since(", "days_since(",
                      "count(", "len(", "all(", "any(", "exists(", "min(", "max(", "abs(", "round(", "ceil(", "floor("):
        assert construct in texts, construct
