"""Totals and grading: bonus, vetoes, the gate, required items and levels."""
from __future__ import annotations

import textwrap

from engine.evaluate.result import LevelRef

BASE = """
ruleset: {id: t, name: 测试规则, version: '1', max_score: 100}
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  a: {type: integer, min: 0, max: 60, label: 甲项得分}
  b: {type: integer, min: 0, max: 40, label: 乙项得分}
  elected: {type: boolean, label: 依法选举}
  female_members: {type: integer, label: 女会员人数}
  awards: {type: integer, label: 市级以上表彰数}
  praise: {type: integer, label: 县级表彰数}
  incidents: {type: integer, label: 重大安全事故数}
  fraud: {type: boolean, label: 弄虚作假}
  arrears: {type: boolean, label: 拖欠经费}
sections:
  - id: sa
    name: 甲
    max: 60
    items:
      - {id: a.pts, name: 甲项, points: 55, count: a, each: 1}
      - {id: a.elected, name: 依法选举, points: 5, when: elected}
  - id: sb
    name: 乙
    max: 40
    items:
      - {id: b.pts, name: 乙项, points: 40, count: b, each: 1}
"""

LEVELS = """
levels:
  - {id: five, name: 五星, min: 90}
  - {id: four, name: 四星, min: 80}
  - {id: three, name: 三星, min: 60}
"""


def rules(*parts: str) -> str:
    return textwrap.dedent(BASE).strip() + "\n" + "\n".join(textwrap.dedent(p).strip() for p in parts) + "\n"


def facts(a: int = 55, b: int = 40, elected: bool = True, **more) -> dict:
    """Default: a full 100 points."""
    return {"a": a, "b": b, "elected": elected, **more}


def level_id(result) -> str | None:
    return result.level.id if result.level else None


# --- levels --------------------------------------------------------------------------------------

def test_level_min_is_inclusive(assess):
    result = assess(rules(LEVELS), facts(a=50, b=40, elected=False))
    assert result.score == 90
    assert result.level == LevelRef("five", "五星")


def test_just_below_a_minimum_gives_the_next_level(assess):
    result = assess(rules(LEVELS), facts(a=49, b=40, elected=False))
    assert (result.score, level_id(result)) == (89, "four")


def test_no_level_matched_gives_null_level_but_stays_eligible(assess):
    result = assess(rules(LEVELS), facts(a=10, b=10, elected=False))
    assert result.score == 20
    assert result.level is None
    assert result.eligible is True


def test_level_requires_an_item_id_to_pass(assess):
    levels = """
    levels:
      - {id: five, name: 五星, min: 90, requires: [a.elected]}
      - {id: four, name: 四星, min: 80}
    """
    assert level_id(assess(rules(levels), facts(a=55, b=40, elected=False))) == "four"
    assert level_id(assess(rules(levels), facts())) == "five"


def test_level_requires_an_expression(assess):
    levels = """
    levels:
      - {id: five, name: 五星, min: 90, requires: ["employees >= 100"]}
      - {id: four, name: 四星, min: 80}
    """
    assert level_id(assess(rules(levels), facts(employees=99))) == "four"
    assert level_id(assess(rules(levels), facts(employees=100))) == "five"


def test_level_requires_with_an_absent_fact_does_not_hold(assess):
    levels = """
    levels:
      - {id: five, name: 五星, min: 90, requires: ["employees >= 100"]}
      - {id: four, name: 四星, min: 80}
    """
    assert level_id(assess(rules(levels), facts())) == "four"


def test_section_min_as_a_number_applies_to_every_top_section(assess):
    levels = """
    levels:
      - {id: five, name: 五星, min: 80, section_min: 0.6}
      - {id: three, name: 三星, min: 60}
    """
    # 甲 60/60, 乙 23/40 = 57.5% < 60%, total 83
    assert level_id(assess(rules(levels), facts(a=55, b=23))) == "three"
    # 乙 24/40 = 60% exactly
    assert level_id(assess(rules(levels), facts(a=55, b=24))) == "five"


def test_section_min_as_a_map_names_the_sections(assess):
    levels = """
    levels:
      - {id: five, name: 五星, min: 80, section_min: {sa: 0.9}}
      - {id: three, name: 三星, min: 60}
    """
    # 乙 at 50% does not matter; 甲 at 53/60 < 90%
    assert level_id(assess(rules(levels), facts(a=55, b=20, elected=True))) == "five"
    assert level_id(assess(rules(levels), facts(a=48, b=40, elected=True))) == "three"


def test_level_with_several_conditions_needs_all(assess):
    levels = """
    levels:
      - {id: five, name: 五星, min: 90, requires: [a.elected, "employees >= 10"], section_min: 0.5}
      - {id: three, name: 三星, min: 0}
    """
    assert level_id(assess(rules(levels), facts(employees=10))) == "five"
    assert level_id(assess(rules(levels), facts(employees=9))) == "three"


# --- required items ------------------------------------------------------------------------------

REQUIRED = """
sections:
  - id: sa
    name: 甲
    max: 60
    items:
      - {id: a.pts, name: 甲项, points: 55, count: a, each: 1, required: true}
      - {id: a.elected, name: 依法选举, points: 5, when: elected, required: true, applies_if: female_members >= 0}
  - id: sb
    name: 乙
    max: 40
    items:
      - {id: b.pts, name: 乙项, points: 40, count: b, each: 1}
levels:
  - {id: five, name: 五星, min: 90, requires_all_required: true}
  - {id: four, name: 四星, min: 80}
"""


def required_rules() -> str:
    head = textwrap.dedent(BASE).strip().split("\nsections:")[0]
    return head + "\n" + textwrap.dedent(REQUIRED).strip() + "\n"


def test_failed_required_item_blocks_levels_that_require_all(assess):
    result = assess(required_rules(), facts(elected=False, female_members=3))
    assert result.score == 95
    assert result.required_failed == ["a.elected"]
    assert level_id(result) == "four"


def test_partial_required_item_counts_as_failed(assess):
    result = assess(required_rules(), facts(a=54, female_members=3))
    assert result.required_failed == ["a.pts"]
    assert level_id(result) == "four"


def test_missing_required_item_counts_as_failed(assess):
    result = assess(required_rules(), facts())
    assert [i.outcome for i in result.items if i.id == "a.elected"] == ["missing"]
    assert result.required_failed == ["a.elected"]
    assert level_id(result) == "four"


def test_na_required_item_counts_as_passed(assess):
    text = required_rules().replace("applies_if: female_members >= 0", "applies_if: female_members >= 10")
    result = assess(text, facts(elected=False, female_members=3))
    assert result.required_failed == []
    assert level_id(result) == "five"


def test_all_required_passing_reaches_the_top(assess):
    result = assess(required_rules(), facts(female_members=3))
    assert result.required_failed == []
    assert level_id(result) == "five"


# --- bonus ---------------------------------------------------------------------------------------

def bonus(counts_for_level: bool) -> str:
    return f"""
    bonus:
      max: 5
      counts_for_level: {str(counts_for_level).lower()}
      items:
        - {{id: bonus.award, name: 获市级以上表彰, points: 3, when: awards > 0}}
        - {{id: bonus.praise, name: 获县级表彰, points: 3, count: praise, each: 1}}
    """


def test_bonus_is_capped_and_included_in_the_score(assess):
    result = assess(rules(bonus(True), LEVELS), facts(a=40, awards=1, praise=3))
    assert result.bonus == 5
    assert result.score == 90
    assert [(i.id, i.points) for i in result.bonus_items] == [("bonus.award", 3), ("bonus.praise", 3)]


def test_bonus_below_its_cap_is_added_as_is(assess):
    result = assess(rules(bonus(True), LEVELS), facts(a=40, awards=0, praise=2))
    assert (result.bonus, result.score) == (2, 87)


def test_bonus_counts_for_level_when_told(assess):
    result = assess(rules(bonus(True), LEVELS), facts(a=42, awards=1))
    assert (result.score, level_id(result)) == (90, "five")


def test_bonus_does_not_count_for_level_otherwise(assess):
    result = assess(rules(bonus(False), LEVELS), facts(a=42, awards=1))
    assert (result.score, result.bonus) == (90, 3)
    assert level_id(result) == "four"


def test_bonus_items_are_not_gaps(assess):
    result = assess(rules(bonus(True), LEVELS), facts(awards=0))
    assert result.gaps == []


# --- vetoes --------------------------------------------------------------------------------------

VETOES = """
vetoes:
  - {id: veto.accident, name: 发生重大安全事故, when: incidents > 0, effect: cap, cap_level: three}
  - {id: veto.fraud, name: 弄虚作假, when: fraud, effect: disqualify}
  - {id: veto.arrears, name: 拖欠经费, when: arrears, effect: zero}
"""


def clean(**more) -> dict:
    return facts(**{"incidents": 0, "fraud": False, "arrears": False, **more})


def test_veto_that_does_not_fire(assess):
    result = assess(rules(VETOES, LEVELS), clean())
    assert result.veto_ids == []
    assert (result.score, level_id(result), result.eligible) == (100, "five", True)


def test_cap_veto_limits_the_level_even_at_full_points(assess):
    result = assess(rules(VETOES, LEVELS), clean(incidents=1))
    assert result.veto_ids == ["veto.accident"]
    assert result.score == 100
    assert level_id(result) == "three"
    assert result.eligible is True


def test_cap_veto_does_not_raise_a_lower_level(assess):
    result = assess(rules(VETOES, LEVELS), clean(incidents=1, a=10, b=10))
    assert result.level is None


def test_disqualify_veto_makes_the_union_not_eligible_but_scores_items(assess):
    result = assess(rules(VETOES, LEVELS), clean(fraud=True))
    assert result.veto_ids == ["veto.fraud"]
    assert (result.eligible, result.level) == (False, None)
    assert result.score == 100
    assert {i.id: i.points for i in result.items} == {"a.pts": 55, "a.elected": 5, "b.pts": 40}


def test_zero_veto_sets_the_score_to_zero(assess):
    result = assess(rules(VETOES, bonus(True), LEVELS), clean(arrears=True, awards=1))
    assert result.veto_ids == ["veto.arrears"]
    assert (result.score, result.bonus) == (0, 0)
    assert result.level is None
    assert [i.points for i in result.items] == [55, 5, 40]


def test_several_vetoes_at_once(assess):
    result = assess(rules(VETOES, LEVELS), clean(incidents=2, fraud=True))
    assert result.veto_ids == ["veto.accident", "veto.fraud"]
    assert result.level is None


def test_veto_with_an_absent_fact_is_not_hit_but_noted(assess):
    result = assess(rules(VETOES, LEVELS), facts(fraud=False, arrears=False))
    assert result.veto_ids == []
    assert level_id(result) == "five"
    assert any("发生重大安全事故" in note and "缺少资料" in note for note in result.notes)


# --- gate ----------------------------------------------------------------------------------------

GATE = """
gate:
  name: 申报条件
  when: "union.type != 'joint' and employees >= 25"
"""


def test_gate_that_holds_leaves_grading_alone(assess):
    result = assess(rules(GATE, LEVELS), facts(employees=25))
    assert (result.eligible, level_id(result)) == (True, "five")
    assert result.notes == []


def test_failed_gate_means_not_eligible_but_items_are_scored(assess):
    result = assess(rules(GATE, LEVELS), facts(employees=24))
    assert (result.eligible, result.level) == (False, None)
    assert result.score == 100
    assert all(i.outcome == "pass" for i in result.items)
    assert result.gate_reason.startswith("未满足申报条件") and not result.applies


def test_gate_fails_on_union_type(assess):
    result = assess(rules(GATE, LEVELS), facts(employees=300), union={"type": "joint"})
    assert (result.eligible, result.level) == (False, None)
    assert result.gate_reason == "未满足申报条件（本单位工会类型：联合工会）"
    assert result.to_json()["notes"] == ["未满足申报条件（本单位工会类型：联合工会），不参与定级"]


def test_gate_with_an_absent_fact_is_not_eligible(assess):
    result = assess(rules(GATE, LEVELS), facts())
    assert (result.eligible, result.level) == (False, None)
    assert "职工人数" in result.gate_reason
