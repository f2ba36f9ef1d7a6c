"""Item scoring: every item kind, the order of operations inside an item, `na` modes, nulls, sections.

Each test writes a small ruleset inline and runs under durable-rules and the oracle alike.
"""
from __future__ import annotations

import textwrap

from engine.values import Fraction

FACTS = """
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  activists: {type: integer, label: 工会积极分子人数, unit: 人}
  female_members: {type: integer, label: 女会员人数, unit: 人}
  women_committee: {type: boolean, label: 建立女职工委员会}
  committee.elected: {type: boolean, label: 工会委员会经选举产生}
  org.complete: {type: boolean, label: 组织健全}
  ledger.members_register: {type: boolean, label: 会员名册}
  records.missing: {type: integer, label: 缺失台账数, unit: 册}
  meetings.by_quarter: {type: list, items: integer, label: 各季度班子会议次数}
  dues.collected: {type: number, label: 已收缴经费, unit: 元}
  dues.due: {type: number, label: 应收缴经费, unit: 元}
  turnover: {type: number, label: 职工流失率, unit: "%"}
  value: {type: number, label: 测试数值}
derive:
  membership_rate: {value: "ratio(members, employees)", label: 会员入会率, unit: "%"}
  activist_rate: ratio(activists, employees)
  dues_rate: ratio(dues.collected, dues.due)
"""


def items_block(items: str, indent: int) -> str:
    return textwrap.indent(textwrap.dedent(items).strip("\n"), " " * indent)


def single(items: str, points: int | str, extra: str = "", na: str = "full", unbalanced: bool = False) -> str:
    """A ruleset with one section of `points` holding `items` (YAML list entries)."""
    balance = "\n    allow_unbalanced: true" if unbalanced else ""
    return (
        f"ruleset: {{id: t, name: 测试规则, version: '1', max_score: {points}, na: {na}}}\n"
        f"{textwrap.dedent(FACTS).strip()}\n"
        f"sections:\n  - id: s\n    name: 分项\n    max: {points}{balance}\n    items:\n{items_block(items, 6)}\n"
        f"{textwrap.dedent(extra).strip()}\n"
    )


def item(result, item_id: str):
    return next(i for i in result.items if i.id == item_id)


MEMBERSHIP = """
- id: m
  name: 会员入会率
  points: 10
  tiers:
    - {when: membership_rate >= 0.95, points: 10}
    - {when: membership_rate >= 0.85, points: 6}
    - {when: membership_rate >= 0.70, points: 3}
"""


# --- when ----------------------------------------------------------------------------------------

def test_when_holds_gives_all_points(assess):
    result = assess(single("- {id: e, name: 依法选举, points: 5, when: committee.elected}", 5), {"committee.elected": True})
    scored = item(result, "e")
    assert (scored.outcome, scored.points, scored.max_points) == ("pass", 5, 5)
    assert scored.reason == "符合要求"


def test_when_fails_gives_no_points_and_names_the_facts_not_the_expression(assess):
    result = assess(single("- {id: e, name: 依法选举, points: 5, when: committee.elected}", 5), {"committee.elected": False})
    scored = item(result, "e")
    assert (scored.outcome, scored.points) == ("fail", 0)
    assert scored.reason == "工会委员会经选举产生：否"


# --- tiers ---------------------------------------------------------------------------------------

def test_tiers_exact_boundary_76_of_80_meets_95_percent(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 80, "members": 76})
    assert (item(result, "m").outcome, item(result, "m").points) == ("pass", 10)


def test_tiers_75_of_79_falls_to_the_next_tier(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 79, "members": 75})
    scored = item(result, "m")
    assert (scored.outcome, scored.points) == ("partial", 6)
    assert scored.reason == "会员入会率 94.9%（会员人数 75 人，职工人数 79 人），要求 ≥ 95% 得满分，当前档 ≥ 85% 得 6 分，失 4 分"


def test_tiers_lowest_tier(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 100, "members": 70})
    assert (item(result, "m").outcome, item(result, "m").points) == ("partial", 3)


def test_tiers_none_holds_gives_zero(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 100, "members": 69})
    scored = item(result, "m")
    assert (scored.outcome, scored.points) == ("fail", 0)
    assert "未达到任何一档" in scored.reason


def test_tiers_first_match_wins_not_the_highest(assess):
    text = """
    - id: m
      name: 会议次数
      points: 10
      tiers:
        - {when: activists >= 1, points: 2, name: 有积极分子}
        - {when: activists >= 5, points: 10}
    """
    result = assess(single(text, 10), {"activists": 9})
    scored = item(result, "m")
    assert scored.points == 2
    assert scored.reason == "工会积极分子人数 9 人，当前档 ≥ 1 人 得 2 分，失 8 分"


def test_tier_missing_a_fact_makes_item_missing(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 100})
    scored = item(result, "m")
    assert (scored.outcome, scored.points, scored.max_points) == ("missing", 0, 10)
    assert "缺少资料：会员人数" in scored.reason


# --- count + each --------------------------------------------------------------------------------

MEETINGS = """
- id: c
  name: 每季召开班子会议
  points: 4
  count: sum(meetings.by_quarter)
  each: {each}
"""


def test_count_gives_each_per_occurrence(assess):
    result = assess(single(MEETINGS.format(each=1), 4), {"meetings.by_quarter": [1, 1, 0, 1]})
    scored = item(result, "c")
    assert (scored.outcome, scored.points) == ("partial", 3)
    assert scored.reason == "各季度班子会议次数之和 3（各季度班子会议次数 1、1、0、1），每个 1 分、满分 4 分，得 3 分，失 1 分"


def test_count_is_capped_at_points(assess):
    result = assess(single(MEETINGS.format(each=1), 4), {"meetings.by_quarter": [2, 2, 2, 2]})
    assert (item(result, "c").outcome, item(result, "c").points) == ("pass", 4)


def test_count_with_fractional_each_is_exact(assess):
    result = assess(single(MEETINGS.format(each=0.5), 4), {"meetings.by_quarter": [1, 1, 1, 0]})
    assert item(result, "c").points == Fraction(3, 2)


def test_count_zero_fails(assess):
    result = assess(single(MEETINGS.format(each=1), 4), {"meetings.by_quarter": [0, 0, 0, 0]})
    assert (item(result, "c").outcome, item(result, "c").points) == ("fail", 0)


def test_count_of_true_elements(assess):
    text = "- {id: c, name: 季度有会, points: 4, count: count(meetings.by_quarter), each: 1}"
    result = assess(single(text, 4), {"meetings.by_quarter": [3, 0, 1, 0]})
    assert item(result, "c").points == 2


# --- scale ---------------------------------------------------------------------------------------

DUES = "- {id: j, name: 经费收缴率, points: 6, scale: {value: dues_rate, from: 0.6, to: 1.0}}"


def test_scale_is_linear_between_from_and_to(assess):
    result = assess(single(DUES, 6), {"dues.collected": 80, "dues.due": 100})
    assert (item(result, "j").outcome, item(result, "j").points) == ("partial", 3)


def test_scale_clamps_below_from(assess):
    result = assess(single(DUES, 6), {"dues.collected": 50, "dues.due": 100})
    assert (item(result, "j").outcome, item(result, "j").points) == ("fail", 0)


def test_scale_clamps_above_to(assess):
    result = assess(single(DUES, 6), {"dues.collected": 130, "dues.due": 100})
    assert (item(result, "j").outcome, item(result, "j").points) == ("pass", 6)


def test_scale_from_above_to_means_lower_is_better(assess):
    text = "- {id: l, name: 职工流失率, points: 4, scale: {value: turnover, from: 0.3, to: 0.1}}"
    assert item(assess(single(text, 4), {"turnover": 0.2}), "l").points == 2
    assert item(assess(single(text, 4), {"turnover": 0.05}), "l").points == 4
    assert item(assess(single(text, 4), {"turnover": 0.4}), "l").points == 0


def test_scale_gives_exact_fractions(assess):
    text = "- {id: v, name: 数值, points: 2, scale: {value: value, from: 0, to: 3}}"
    result = assess(single(text, 2), {"value": 2})
    assert item(result, "v").points == Fraction(4, 3)
    assert result.score == Fraction(4, 3)


# --- shortfall -----------------------------------------------------------------------------------

ACTIVISTS = """
- id: a
  name: 工会积极分子占职工25%以上
  points: 3
  shortfall: {{value: activist_rate, target: 0.25, step: 0.02, each: 0.5, round: {round}}}
"""


def test_shortfall_full_at_target(assess):
    result = assess(single(ACTIVISTS.format(round="ceil"), 3), {"activists": 25, "employees": 100})
    assert (item(result, "a").outcome, item(result, "a").points) == ("pass", 3)


def test_shortfall_ceil_counts_a_started_step(assess):
    result = assess(single(ACTIVISTS.format(round="ceil"), 3), {"activists": 20, "employees": 100})
    scored = item(result, "a")
    assert (scored.outcome, scored.points) == ("partial", Fraction(3, 2))
    assert "差 3 档" in scored.reason


def test_shortfall_floor_counts_whole_steps_only(assess):
    result = assess(single(ACTIVISTS.format(round="floor"), 3), {"activists": 20, "employees": 100})
    assert item(result, "a").points == 2


def test_shortfall_counts_exact_steps_without_float_error(assess):
    # 0.25 - 0.21 is exactly two steps of 0.02 (in floats it is 0.04000000000000001: three with ceil)
    result = assess(single(ACTIVISTS.format(round="ceil"), 3), {"activists": 21, "employees": 100})
    assert item(result, "a").points == 2


def test_shortfall_is_floored_at_zero(assess):
    result = assess(single(ACTIVISTS.format(round="ceil"), 3), {"activists": 0, "employees": 100})
    assert (item(result, "a").outcome, item(result, "a").points) == ("fail", 0)


# --- deduct only ---------------------------------------------------------------------------------

def ledger(max_deduct: str = "", points: int = 5) -> str:
    cap = f"\n  max_deduct: {max_deduct}" if max_deduct else ""
    return f"""
- id: r
  name: 台账资料完整
  points: {points}
  deduct:
    - {{when: not ledger.members_register, points: 2, name: 无会员名册}}
    - {{count: records.missing, each: 1, name: 缺失台账}}{cap}
"""


def test_deduct_only_starts_from_full_points(assess):
    result = assess(single(ledger(), 5), {"ledger.members_register": True, "records.missing": 0})
    assert (item(result, "r").outcome, item(result, "r").points) == ("pass", 5)


def test_deductions_are_independent_and_add_up(assess):
    result = assess(single(ledger(), 5), {"ledger.members_register": False, "records.missing": 1})
    scored = item(result, "r")
    assert (scored.outcome, scored.points) == ("partial", 2)
    assert scored.reason == "扣分：无会员名册 −2 分；缺失台账 1 册 −1 分"


def test_count_deduction_alone(assess):
    result = assess(single(ledger(), 5), {"ledger.members_register": True, "records.missing": 2})
    assert item(result, "r").points == 3


def test_max_deduct_caps_the_sum_of_deductions(assess):
    result = assess(single(ledger("4"), 5), {"ledger.members_register": False, "records.missing": 3})
    scored = item(result, "r")
    assert scored.points == 1
    assert scored.reason == "扣分：无会员名册 −2 分；缺失台账 3 册 −3 分（合计 5 分，最多扣 4 分）"


def test_deductions_are_floored_at_zero(assess):
    result = assess(single(ledger(points=3), 3), {"ledger.members_register": False, "records.missing": 5})
    assert (item(result, "r").outcome, item(result, "r").points) == ("fail", 0)


def test_deduction_missing_a_fact_makes_item_missing(assess):
    result = assess(single(ledger(), 5), {"ledger.members_register": True})
    scored = item(result, "r")
    assert scored.outcome == "missing"
    assert "缺失台账数" in scored.reason


# --- order of operations -------------------------------------------------------------------------

ORDERED = """
- id: n
  name: 建立女职工委员会
  points: 3
  applies_if: female_members >= 10
  zero_if: not committee.elected
  when: women_committee
"""


def test_applies_if_false_is_na_even_when_zero_if_would_fire(assess):
    result = assess(single(ORDERED, 3), {"female_members": 4, "committee.elected": False, "women_committee": False})
    scored = item(result, "n")
    assert (scored.outcome, scored.points, scored.max_points) == ("na", 3, 3)
    assert not scored.knockout


def test_zero_if_knocks_out_a_full_base(assess):
    result = assess(single(ORDERED, 3), {"female_members": 40, "committee.elected": False, "women_committee": True})
    scored = item(result, "n")
    assert (scored.outcome, scored.points) == ("fail", 0)
    assert scored.knockout
    assert scored.reason == "工会委员会经选举产生：否，本项不得分"


def test_zero_if_not_fired_leaves_the_base(assess):
    result = assess(single(ORDERED, 3), {"female_members": 40, "committee.elected": True, "women_committee": True})
    assert (item(result, "n").outcome, item(result, "n").points) == ("pass", 3)


def test_zero_if_missing_its_fact_makes_item_missing(assess):
    result = assess(single(ORDERED, 3), {"female_members": 40, "women_committee": True})
    scored = item(result, "n")
    assert scored.outcome == "missing"
    assert "工会委员会经选举产生" in scored.reason


def test_deductions_apply_after_the_base(assess):
    text = MEMBERSHIP.rstrip() + "\n  deduct:\n    - {when: not ledger.members_register, points: 2, name: 无会员名册}\n"
    result = assess(single(text, 10), {"employees": 100, "members": 90, "ledger.members_register": False})
    scored = item(result, "m")
    assert (scored.outcome, scored.points) == ("partial", 4)
    assert scored.reason == "会员入会率 90.0%（会员人数 90 人，职工人数 100 人），要求 ≥ 95% 得满分，当前档 ≥ 85% 得 6 分，失 4 分；扣分：无会员名册 −2 分"


def test_deductions_below_a_partial_base_clamp_to_zero(assess):
    text = MEMBERSHIP.rstrip() + "\n  deduct:\n    - {count: records.missing, each: 2, name: 缺失台账}\n"
    result = assess(single(text, 10), {"employees": 100, "members": 70, "records.missing": 3})
    assert (item(result, "m").outcome, item(result, "m").points) == ("fail", 0)


# --- na modes ------------------------------------------------------------------------------------

def two_items(na_item: str = "") -> str:
    override = f"\n  na: {na_item}" if na_item else ""
    return f"""
- id: m
  name: 会员入会率
  points: 3
  tiers:
    - {{when: membership_rate >= 0.95, points: 3}}
    - {{when: membership_rate >= 0.85, points: 2}}
- id: n
  name: 建立女职工委员会
  points: 7
  applies_if: female_members >= 10
  when: women_committee{override}
"""


def test_na_full_counts_full_points(assess):
    result = assess(single(two_items(), 10, na="full"), {"employees": 100, "members": 90, "female_members": 2})
    assert (item(result, "n").outcome, item(result, "n").points, item(result, "n").max_points) == ("na", 7, 7)
    assert result.score == 9
    assert "不适用，按满分计" in item(result, "n").reason


def test_na_drop_rescales_the_total_exactly(assess):
    result = assess(single(two_items(), 10, na="drop"), {"employees": 100, "members": 90, "female_members": 2})
    dropped = item(result, "n")
    assert (dropped.outcome, dropped.points, dropped.max_points) == ("na", 0, 0)
    assert result.score == Fraction(20, 3)  # 2 of the 3 applicable points, times 10
    assert result.max_score == 10
    assert "不计入总分" in dropped.reason
    assert result.rescaled == "不适用 1 项（7 分）不计分，按 3 分折算为 10 分"
    assert result.to_json()["notes"] == [result.rescaled]
    assert result.to_json()["applies"] is True


def test_na_drop_with_everything_earned_scores_full(assess):
    result = assess(single(two_items(), 10, na="drop"), {"employees": 100, "members": 100, "female_members": 0})
    assert result.score == 10


def test_item_na_overrides_the_ruleset_default(assess):
    facts = {"employees": 100, "members": 90, "female_members": 2}
    assert assess(single(two_items("drop"), 10, na="full"), facts).score == Fraction(20, 3)
    assert assess(single(two_items("full"), 10, na="drop"), facts).score == 9


def test_na_item_is_not_a_gap(assess):
    result = assess(single(two_items(), 10, na="drop"), {"employees": 100, "members": 100, "female_members": 0})
    assert result.gaps == []


# --- null and missing ----------------------------------------------------------------------------

def test_absent_fact_makes_item_missing_with_a_gap_naming_its_label(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 100})
    scored = item(result, "m")
    assert (scored.outcome, scored.points) == ("missing", 0)
    [gap] = result.gaps
    assert (gap.item, gap.points_lost) == ("m", 10)
    assert gap.fix.startswith("补齐“会员人数”的台账资料")


def test_null_given_in_the_file_is_the_same_as_absent(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 100, "members": None})
    assert item(result, "m").outcome == "missing"
    assert "会员人数" in result.gaps[0].fix


SHORT_CIRCUIT = "- {id: o, name: 组织不健全, points: 2, when: \"union.type != 'group' and not org.complete\"}"


def test_condition_decided_without_the_absent_fact_is_not_missing(assess):
    result = assess(single(SHORT_CIRCUIT, 2), {}, union={"type": "group"})
    assert (item(result, "o").outcome, item(result, "o").points) == ("fail", 0)


def test_same_condition_needs_the_fact_for_other_union_types(assess):
    result = assess(single(SHORT_CIRCUIT, 2), {}, union={"type": "enterprise"})
    assert item(result, "o").outcome == "missing"
    assert "组织健全" in item(result, "o").reason


def test_short_circuit_in_zero_if_leaves_the_base(assess):
    text = """
    - id: o
      name: 依法选举
      points: 2
      zero_if: "union.type != 'group' and not org.complete"
      when: committee.elected
    """
    result = assess(single(text, 2), {"committee.elected": True}, union={"type": "group"})
    assert (item(result, "o").outcome, item(result, "o").points) == ("pass", 2)


def test_ratio_by_zero_is_not_met_and_the_reason_says_why(assess):
    text = "- {id: w, name: 入会率达标, points: 4, when: membership_rate >= 0.95}"
    result = assess(single(text, 4), {"employees": 0, "members": 0})
    scored = item(result, "w")
    assert (scored.outcome, scored.points) == ("fail", 0)
    assert "无法计算" in scored.reason and "分母为 0" in scored.reason


def test_ratio_by_zero_in_tiers_is_not_met_and_the_reason_says_why(assess):
    result = assess(single(MEMBERSHIP, 10), {"employees": 0, "members": 0})
    scored = item(result, "m")
    assert (scored.outcome, scored.points) == ("fail", 0)
    assert "分母为 0" in scored.reason


def test_ratio_by_zero_in_scale_is_not_met(assess):
    result = assess(single(DUES, 6), {"dues.collected": 0, "dues.due": 0})
    scored = item(result, "j")
    assert (scored.outcome, scored.points) == ("fail", 0)
    assert "分母为 0" in scored.reason


def test_ratio_by_zero_does_not_fire_zero_if(assess):
    text = """
    - id: z
      name: 依法选举
      points: 2
      zero_if: membership_rate < 0.5
      when: committee.elected
    """
    result = assess(single(text, 2), {"employees": 0, "members": 0, "committee.elected": True})
    assert (item(result, "z").outcome, item(result, "z").points) == ("pass", 2)


def test_ratio_by_zero_in_applies_if_means_the_item_applies(assess):
    text = "- {id: z, name: 依法选举, points: 2, applies_if: membership_rate < 0.5, when: committee.elected}"
    result = assess(single(text, 2), {"employees": 0, "members": 0, "committee.elected": False})
    assert item(result, "z").outcome == "fail"


def test_missing_fact_in_applies_if_makes_item_missing(assess):
    result = assess(single(ORDERED, 3), {"committee.elected": True, "women_committee": True})
    scored = item(result, "n")
    assert (scored.outcome, scored.points) == ("missing", 0)
    assert "女会员人数" in scored.reason


def test_exists_never_makes_an_item_missing(assess):
    text = "- {id: x, name: 有会员名册, points: 1, when: exists(ledger.members_register)}"
    result = assess(single(text, 1), {})
    assert (item(result, "x").outcome, item(result, "x").points) == ("fail", 0)


# --- sections ------------------------------------------------------------------------------------

NESTED = """
ruleset: {id: t, name: 测试规则, version: '1', max_score: 20}
facts:
  a: {type: boolean, label: 甲}
  b: {type: boolean, label: 乙}
  c: {type: boolean, label: 丙}
  d: {type: boolean, label: 丁}
sections:
  - id: top
    name: 一级
    max: 12
    items:
      - {id: top.a, name: 甲项, points: 4, when: a}
    sections:
      - id: sub
        name: 二级
        max: 8
        allow_unbalanced: true
        items:
          - {id: sub.b, name: 乙项, points: 6, when: b}
          - {id: sub.c, name: 丙项, points: 6, when: c}
  - id: other
    name: 另一
    max: 8
    items:
      - {id: other.d, name: 丁项, points: 8, when: d}
"""


def section(result, section_id: str):
    return next(s for s in result.sections if s.id == section_id)


def test_unbalanced_subsection_is_capped(assess):
    result = assess(NESTED, {"a": False, "b": True, "c": True, "d": False})
    assert (section(result, "sub").points, section(result, "sub").max_points) == (8, 8)
    assert (section(result, "top").points, section(result, "top").max_points) == (8, 12)
    assert result.score == 8


def test_section_scores_in_file_order_with_depth(assess):
    result = assess(NESTED, {"a": True, "b": True, "c": False, "d": True})
    assert [(s.id, s.depth, s.points, s.max_points) for s in result.sections] == [
        ("top", 0, 10, 12), ("sub", 1, 6, 8), ("other", 0, 8, 8),
    ]
    assert result.score == 18


def test_unbalanced_section_below_its_cap_keeps_its_earnings(assess):
    result = assess(NESTED, {"a": True, "b": False, "c": True, "d": True})
    assert section(result, "sub").points == 6
    assert result.score == 18


def test_dropped_item_in_an_unbalanced_section_lowers_what_it_can_earn(assess):
    text = """
    - {id: p, name: 甲项, points: 3, when: committee.elected}
    - {id: q, name: 乙项, points: 3, when: women_committee, applies_if: female_members >= 10, na: drop}
    """
    result = assess(single(text, 5, unbalanced=True), {"committee.elected": True, "female_members": 0})
    assert (section(result, "s").points, section(result, "s").max_points) == (3, 3)
    assert result.score == 5


def test_deduction_that_cannot_be_decided_is_not_taken_and_says_why(assess):
    rules = single("""
        - id: d
          name: 经费收缴
          points: 5
          deduct:
            - {when: dues_rate < 0.9, points: 2, name: 收缴率不足九成}
            - {count: records.missing, each: 1, name: 缺失台账}
        """, 5)
    result = assess(rules, {"dues": {"collected": 100, "due": 0}, "records": {"missing": 1}})
    scored = item(result, "d")
    assert (scored.outcome, scored.points) == ("partial", 4)
    assert scored.reason == "扣分：收缴率不足九成（无法计算：分母为 0），未扣分；缺失台账 1 册 −1 分"


def test_reasons_show_an_enum_value_by_its_label(assess):
    rules = single("""
        - {id: r, name: 经费审查制度, points: 2, tiers: [{when: "audit == 'posted'", points: 2}, {when: "audit == 'adopted'", points: 1}]}
        """, 2).replace("  value: {type: number, label: 测试数值}", "  value: {type: number, label: 测试数值}\n  audit: {type: enum, label: 经费审查制度, values: [none, adopted, posted], labels: {adopted: 已建立未上墙}}")
    scored = item(assess(rules, {"audit": "adopted"}), "r")
    assert scored.reason == "经费审查制度：已建立未上墙，要求 posted 得满分，当前档 已建立未上墙 得 1 分，失 1 分"
    assert item(assess(rules, {"audit": "none"}), "r").reason == "经费审查制度：none，要求 posted 得满分、已建立未上墙 得 1 分，未达到任何一档，失 2 分"
