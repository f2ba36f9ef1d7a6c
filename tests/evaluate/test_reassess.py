"""A union assessed again with some facts changed (the planner's states): what assessing the changed fact
file gives, the same facts and results, and the same refusal when a change does not fit."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from engine import InvalidInput, OracleEvaluator, load_fact_file, resolve_rulesets
from engine.evaluate.assessment import Seen, assess, reassess
from engine.evaluate.cohort import CohortResult
from engine.facts.fact_file import merged_declarations

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "facts" / "qingshan").glob("QS-*.yaml"))


def some_value(decl, rng: random.Random):
    """A value a fact file might hold for the fact: in its range mostly, sometimes out of it or unreadable."""
    if rng.random() < 0.05:
        return rng.choice(["很多", -3, "2025-13-40"])
    if decl.type == "boolean":
        return rng.choice([True, False, "是", "否"])
    if decl.type == "enum":
        return rng.choice(decl.values)
    if decl.type == "date":
        return dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    if decl.type == "list":
        return [rng.randint(0, 3) for _ in range(rng.randint(0, 4))]
    if decl.type in ("integer", "number"):
        high = decl.max if decl.max is not None else 300
        return rng.randint(int(decl.min or 0), int(high)) if decl.type == "integer" else round(rng.uniform(0, float(high)), 2)
    return rng.choice(["", "已制定", None])


def outcome(assessing, *arguments):
    """The assessment, or the diagnostics it is refused with."""
    try:
        return assessing(*arguments)
    except InvalidInput as refused:
        return [d.render() for d in refused.diagnostics]


@pytest.mark.parametrize("path", EXAMPLES[::4], ids=lambda p: p.stem)
def test_a_changed_union_is_assessed_as_its_changed_fact_file_is(path, evaluator, bundled):
    """Atoms' values and conditions' truths kept where the changes do not reach, too: with durable-rules,
    only its rulesets holding a condition decided again are fired."""
    rng = random.Random(path.stem)
    start = assess(bundled, load_fact_file(path), evaluator)
    decls = list(merged_declarations(bundled).values())
    for _ in range(12):
        changes = {decl.name: some_value(decl, rng) for decl in rng.sample(decls, rng.randint(1, 4))}
        for rulesets in (bundled, [r for r in bundled if r.id == "bayou"]):
            whole = replace(start.fact_file, facts={**start.fact_file.facts, **changes})
            assert outcome(reassess, start, rulesets, changes, evaluator) == outcome(assess, rulesets, whole, evaluator)


def test_a_change_past_its_ceiling_is_refused_as_in_a_fact_file(bundled):
    evaluator = OracleEvaluator()
    start = assess(bundled, load_fact_file(EXAMPLES[0]), evaluator)
    changes = {"members": start.facts["employees"] + 1}
    with pytest.raises(InvalidInput) as refused:
        reassess(start, bundled, changes, evaluator)
    assert [d.code for d in refused.value.diagnostics] == ["fact-members"]
    assert "会员人数（members）" in refused.value.diagnostics[0].message


def test_a_union_assessed_in_fewer_rulesets_is_assessed_again_in_full(bundled):
    evaluator = OracleEvaluator()
    fact_file = load_fact_file(EXAMPLES[5])
    start = assess([r for r in bundled if r.id == "bayou"], fact_file, evaluator)
    changes = {"members": start.facts["members"] - 1, "library.exists": True}
    whole = replace(fact_file, facts={**fact_file.facts, **changes})
    again = reassess(start, bundled, changes, evaluator)
    assert again == assess(bundled, whole, evaluator)
    assert set(again.results) == {r.id for r in bundled} and again.facts.keys() > start.facts.keys()


BASE = """
ruleset: {id: base, name: 基础标准, version: '1', max_score: 10}
facts:
  elected: {type: boolean, label: 依法选举}
  employees: {type: integer, label: 职工人数, unit: 人}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - {id: base.elected, name: 依法选举, points: 6, when: elected}
      - {id: base.size, name: 规模, points: 4, when: employees >= 50}
levels:
  - {id: good, name: 达标, min: 6}
  - {id: low, name: 未达标, min: 0}
"""

TOP = """
ruleset: {id: top, name: 星级, version: '1', max_score: 10}
uses: [base]
facts:
  staff: {type: integer, label: 专职人数, unit: 人}
derive:
  sized: {value: "passed('base', 'base.size') and staff >= 1", label: 规模与人员}
  half: {value: "results.base.score / 2", label: 基础得分之半}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - {id: top.sized, name: 规模, points: 5, when: sized}
      - {id: top.half, name: 基础得分, points: 5, scale: {value: half, from: 0, to: 5}}
levels:
  - {id: star, name: 星级, min: 8}
  - {id: none, name: 无, min: 0}
"""


def test_derived_values_reading_a_used_ruleset_s_results_follow_its_changes(write, evaluator):
    """A derived value reads what a used ruleset gave through `results.…` names and `passed()`; a change to that
    ruleset's facts alone changes them."""
    write("base.yaml", BASE)
    rulesets = resolve_rulesets([str(write("top.yaml", TOP))])
    document = {"union": {"id": "T-1", "name": "测试工会", "type": "enterprise"}, "period": 2025,
                "facts": {"elected": False, "employees": 10, "staff": 1}}
    start = assess(rulesets, load_fact_file(write("facts.yaml", yaml.safe_dump(document, allow_unicode=True))), evaluator)
    assert start.results["top"].score == 0
    for changes in ({"employees": 60}, {"elected": True}, {"elected": True, "employees": 60}):
        again = reassess(start, rulesets, changes, evaluator)
        whole = replace(start.fact_file, facts={**start.fact_file.facts, **changes})
        assert again == assess(rulesets, whole, evaluator)
        assert again.results["top"].score > 0


@pytest.mark.parametrize("path", EXAMPLES[1::6], ids=lambda p: p.stem)
def test_what_other_changes_of_the_same_start_gave_is_what_assessing_again_gives(path, evaluator, bundled):
    """A plan's states share one `Seen`: a ruleset none of whose facts changed is the start's, and changes
    met before give what they gave, whatever else changed in between (the same objects, not assessed again)."""
    rng = random.Random(path.stem)
    start = assess(bundled, load_fact_file(path), evaluator)
    seen = Seen(start, bundled)
    decls = list(merged_declarations(bundled).values())
    tried = [{decl.name: some_value(decl, rng) for decl in rng.sample(decls, rng.randint(1, 3))} for _ in range(8)]
    for changes in tried + tried[::-1]:
        for rulesets in (bundled, [r for r in bundled if r.id != "xingji"]):
            assert outcome(reassess, start, rulesets, changes, evaluator, seen) == outcome(reassess, start, rulesets, changes, evaluator)
    bayou_only = next(r for r in bundled if r.id == "bayou").facts.keys() - {n for r in bundled if r.id != "bayou" for n in r.facts}
    changed = reassess(start, bundled, {sorted(bayou_only)[0]: None}, evaluator, seen)
    assert changed.results["zhijia"] is start.results["zhijia"]
    assert changed.results["xingji"] is not start.results["xingji"]  # it reads the 八有 result, which is a new one


def test_a_level_a_cohort_decided_is_never_taken_for_a_changed_state(evaluator, bundled):
    """A changed state leaves levels held by rank pending (its place is not known), so the start's result is not
    taken where a cohort may have decided it."""
    start = assess(bundled, load_fact_file(EXAMPLES[0]), evaluator)
    ranked = replace(start, results={**start.results, "zhijia": replace(start.results["zhijia"], cohort=CohortResult(True))})
    assert any(key[0] == "zhijia" for key in Seen(start, bundled).found)
    assert not any(key[0] == "zhijia" for key in Seen(ranked, bundled).found)
