"""Advice a union chair can read aloud: over the example county and variants of it with fewer members
and activists, no plan step lowers a figure that may only rise, changes a fact that cannot change, or
says what issue 11 found in the plans (「减少 … 人」, 「应达到 是」, empty quotes, a score 「提高到」 itself), nor quotes
a figure the union has none of (「现有藏书 （无数据） 册」)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest

from engine import OracleEvaluator, assess, load_fact_file, resolve_rulesets
from engine.facts.fact_file import merged_declarations
from engine.language.model import DOWN, NONE, UP
from engine.language.vocabulary import ceilings
from engine.plan.planner import next_level_plans
from engine.report.union_page import union_markdown
from engine.report.workplan.document import markdown as workplan_markdown
from engine.values import Null

REPO = Path(__file__).resolve().parents[2]
UNIONS = sorted((REPO / "facts" / "qingshan").glob("QS-*.yaml"))
WITHIN_MEMBERS = [name for name, ceiling in ceilings(merged_declarations(resolve_rulesets()).values()).items() if ceiling == "members"]
FORBIDDEN = re.compile(r"应达到 是|“”|减少 \d+ 人|"  # a fact that may only rise, lowered
                       r"由 (\d+(?:\.\d+)?) 分提高到 \1 分|"  # a score that does not move
                       r'[\u4e00-\u9fff]"|"[\u4e00-\u9fff]|'  # ASCII quotes in Chinese text
                       r"（无数据）")  # a figure the union has none of, quoted in advice


def variants(fact_file):
    """The union as filed, with a third fewer members (and no more female members, cards or mutual aid than those),
    and with no activists."""
    facts = fact_file.facts
    yield "原样", fact_file
    if isinstance(facts.get("members"), int):
        fewer = facts["members"] * 2 // 3
        within = {name: min(facts[name], fewer) for name in WITHIN_MEMBERS if isinstance(facts.get(name), int)}
        yield "会员少三分之一", replace(fact_file, facts={**facts, "members": fewer, **within})
    if "activists" in facts:
        yield "无积极分子", replace(fact_file, facts={**facts, "activists": 0})


CASES = [pytest.param(path, name, fact_file, id=f"{path.stem}-{name}")
         for path in UNIONS for name, fact_file in variants(load_fact_file(path))]


@pytest.fixture(scope="module")
def rulesets():
    return resolve_rulesets()


@pytest.mark.parametrize(("path", "name", "fact_file"), CASES)
def test_every_step_moves_facts_only_in_their_direction_and_reads_well(rulesets, path, name, fact_file):
    evaluator = OracleEvaluator()
    assessment = assess(rulesets, fact_file, evaluator)
    plans = next_level_plans(rulesets, assessment, evaluator)
    declared = {n: d for r in rulesets for n, d in r.facts.items()}
    for plan in plans.values():
        for step in plan.steps:
            for change in step.changes:
                decl = declared[change.fact]
                assert decl.direction != NONE, (plan.ruleset, step.id, change.text)
                if not isinstance(change.before, (Null, list)):
                    assert (change.after > change.before) if decl.direction == UP else (change.after < change.before), change.text
                assert decl.direction in (UP, DOWN)
        texts = [plan.headline, plan.after_text, plan.why_not] + [t for s in plan.steps for t in (s.target, s.why, s.advice)]
        bad = [t for t in texts if FORBIDDEN.search(t)]
        assert not bad, (plan.ruleset, bad)
        if plan.steps or not plan.reachable:
            document = workplan_markdown(plan, dt.date(2026, 6, 30))
            assert not FORBIDDEN.search(document), (plan.ruleset, FORBIDDEN.search(document))
    page = union_markdown(assessment, plans)
    assert not FORBIDDEN.search(page), FORBIDDEN.search(page)
