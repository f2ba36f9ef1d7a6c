"""The bulk evaluator against the per-union engine (durable-rules): every score, level, veto, section,
item outcome and point equal, on the example county, on random unions drawn by the property-test
generators (many per frame, so rows of every kind sit side by side) and on a generated sample."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import DurableEvaluator, resolve_rulesets
from engine.bulk.agreement import disagreements
from engine.bulk.grade import compile_rulesets
from engine.diagnostics import Mark
from engine.facts.fact_file import FactFile, load_fact_file, merged_declarations
from engine.load.loader import bundled_ids
from tests.evaluate.test_oracle_property import QUIET, SYNTHETIC, chain, fact_files

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from generate import union  # noqa: E402


def test_every_bundled_ruleset_compiles_to_columns():
    rulesets = resolve_rulesets()
    plans = compile_rulesets(rulesets, merged_declarations(rulesets))
    assert all(plan is not None for plan in plans.values()), plans


def test_example_county_grades_identically(durable: DurableEvaluator):
    rulesets = resolve_rulesets()
    files = [load_fact_file(path) for path in sorted((ROOT / "facts" / "qingshan").glob("*.yaml"))]
    compared, found, unsure = disagreements(rulesets, files, durable)
    assert (compared, found, unsure) == (len(files), [], 0)


@pytest.mark.parametrize("ruleset_id", [*bundled_ids(), SYNTHETIC])
@settings(max_examples=25, deadline=None, suppress_health_check=QUIET)
@given(data=st.data())
def test_random_unions_grade_identically(ruleset_id: str, data: st.DataObject, durable: DurableEvaluator) -> None:
    drawn = data.draw(st.lists(fact_files(ruleset_id), min_size=1, max_size=12), label="fact files")
    compared, found, unsure = disagreements(list(chain(ruleset_id)), drawn, durable)
    assert found == []
    assert unsure == 0


def test_generated_sample_grades_identically(durable: DurableEvaluator):
    rulesets = resolve_rulesets()
    decls = merged_declarations(rulesets)
    rng = random.Random(15)
    files = [as_fact_file(union(index, decls, rng)) for index in range(300)]
    compared, found, unsure = disagreements(rulesets, files, durable)
    assert compared == 300
    assert (found, unsure) == ([], 0)


def as_fact_file(data: dict) -> FactFile:
    return FactFile(f"{data['union']['id']}.yaml", data["union"], data["period"], data["facts"], {}, Mark("generated"))


def test_numbers_beyond_exact_range_are_left_to_the_per_union_engine(durable: DurableEvaluator):
    rulesets = resolve_rulesets(["bayou"])
    decls = merged_declarations(rulesets)
    data = union(1, decls, random.Random(1))
    data["facts"]["dues.due"], data["facts"]["dues.paid"] = "12345678901.2345679", "12345678901.2345677"  # ratio: 10²⁴
    compared, found, unsure = disagreements(rulesets, [as_fact_file(data)], durable)
    assert (compared, found, unsure) == (1, [], 1)


def test_a_ruleset_the_columns_cannot_grade_is_left_whole_to_the_per_union_engine(write):
    path = write("pct.yaml", """
ruleset: {id: pct, name: 百分数文本, version: '1', max_score: 10}
facts:
  members: {type: integer, min: 0, label: 会员人数, unit: 人}
  employees: {type: integer, min: 0, label: 职工人数, unit: 人}
sections:
  - id: a
    name: 甲
    max: 10
    items:
      - {id: a.text, name: 以文本比较, points: 10, when: "pct(ratio(members, employees)) == '100.0%'"}
levels:
  - {id: ok, name: 合格, min: 0}
""")
    rulesets = resolve_rulesets([str(path)])
    assert compile_rulesets(rulesets, merged_declarations(rulesets)) == {"pct": None}


def test_an_uncapped_bonus_grades_in_columns_as_the_engine_grades_it(write, durable: DurableEvaluator):
    path = write("open.yaml", """
ruleset: {id: open, name: 不封顶, version: '1', max_score: 10}
facts:
  members: {type: integer, min: 0, label: 会员人数, unit: 人}
  awards: {type: integer, min: 0, label: 表彰项数, unit: 项}
sections:
  - id: a
    name: 甲
    max: 10
    items:
      - {id: a.members, name: 会员, points: 10, when: members >= 10, evidence: [名册], fix: 发展会员。}
bonus:
  max: uncapped
  items:
    - {id: b.one, name: 一项表彰, points: 30, when: awards >= 1}
    - {id: b.two, name: 两项表彰, points: 40, when: awards >= 2}
levels:
  - {id: ok, name: 合格, min: 60}
  - {id: no, name: 不合格, min: 0}
""")
    rulesets = resolve_rulesets([str(path)])
    assert compile_rulesets(rulesets, merged_declarations(rulesets))["open"] is not None
    files = [FactFile(f"U{awards}.yaml", {"id": f"U{awards}", "name": "工会", "type": "enterprise"}, 2025,
                      {"members": 12, "awards": awards}, {}, Mark("test")) for awards in range(4)]
    assert disagreements(rulesets, files, durable) == (4, [], 0)  # awards 2 and 3: 10 + 70 = 80 分, past any cap


def test_the_published_tables_constructs_beyond_columns_are_left_to_the_per_union_engine():
    """docs/examples/mofan.yaml: an item around a target, a section deduction, a judged item, a level by rank."""
    rulesets = resolve_rulesets([str(ROOT / "docs" / "examples" / "mofan.yaml")])
    assert compile_rulesets(rulesets, merged_declarations(rulesets)) == {"mofan": None}
