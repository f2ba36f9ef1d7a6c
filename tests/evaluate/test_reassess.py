"""A union assessed again with some facts changed (the planner's states): what assessing the changed fact
file gives, the same facts and results, and the same refusal when a change does not fit."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

import pytest

from engine import InvalidInput, OracleEvaluator, load_fact_file
from engine.evaluate.assessment import assess, reassess
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
