"""Quantified targets: each comparison inverted to the smallest change, in the fact's own unit."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from engine import OracleEvaluator, assess_union, load_fact_file, load_ruleset
from engine.evaluate.assessment import build_env
from engine.facts.fact_file import fact_checker
from engine.plan.targets import item_solver
from engine.values import Fraction

HEAD = """
ruleset: {id: t, name: 测试, version: "1", max_score: 10}
facts:
  employees: {type: integer, label: 职工人数, unit: 人, change: none}
  members:   {type: integer, label: 会员人数, unit: 人}
  meetings:  {type: integer, label: 会议次数, unit: 次}
  arrears:   {type: integer, label: 欠缴月数, unit: 月, change: down}
  rate:      {type: number, min: 0, max: 1, label: 收缴率, unit: "%"}
  board:     {type: boolean, label: 设立公开栏}
  duty:      {type: enum, values: [none, adopted, posted], labels: {none: 未建立, adopted: 已建立, posted: 已上墙}, label: 工作职责}
  quarters:  {type: list, items: integer, label: 各季度会议, unit: 次}
  elected:   {type: date, label: 上次换届日期}
derive:
  membership_rate: ratio(members, employees)
sections:
  - id: s
    name: 测试
    max: 10
    allow_unbalanced: true
    items:
"""


def item_targets(write, item_yaml: str, facts: dict, head: str = HEAD, as_of: dt.date = dt.date(2025, 12, 31)) -> list:
    finder, item, score = first_item(write, item_yaml, facts, head, as_of)
    return finder.all(item, score)


def first_item(write, item_yaml: str, facts: dict, head: str = HEAD, as_of: dt.date = dt.date(2025, 12, 31)) -> tuple:
    """The target finder of a union with `facts` (period 2025, assessed on `as_of`), the ruleset's first item and its score."""
    path = write("t.yaml", head + item_yaml)
    ruleset = load_ruleset(path)
    fact_path = write("f.yaml", yaml.safe_dump({"union": {"id": "T", "name": "测试工会", "type": "enterprise"}, "period": 2025, "facts": facts}))
    fact_file = load_fact_file(fact_path)
    [result] = assess_union([ruleset], fact_file, OracleEvaluator(), as_of)
    values, _ = fact_checker([ruleset]).check(fact_file)
    env = build_env(ruleset, values, fact_file, as_of, {})
    return item_solver(ruleset, env), ruleset.items()[0], result.items[0]


def one(write, when: str, facts: dict) -> dict:
    found = item_targets(write, f"      - {{id: a, name: 甲, points: 10, when: \"{when}\"}}\n", facts)
    assert len(found) == 1 and found[0].points == 10
    return {c.fact: c.after for c in found[0].changes}


@pytest.mark.parametrize("when, facts, expected", [
    ("meetings >= 4", {"meetings": 1}, {"meetings": 4}),
    ("meetings > 4", {"meetings": 1}, {"meetings": 5}),
    ("arrears <= 2", {"arrears": 7}, {"arrears": 2}),
    ("arrears < 2", {"arrears": 7}, {"arrears": 1}),
    ("meetings + arrears >= 10", {"meetings": 3, "arrears": 5}, {"meetings": 5}),  # arrears may only fall
    ("membership_rate >= 0.95", {"employees": 42, "members": 31}, {"members": 40}),  # ceil(39.9)
    ("ratio(members, employees) > 0.5", {"employees": 40, "members": 10}, {"members": 21}),
    ("rate >= 0.9", {"rate": 0.82}, {"rate": Fraction(9, 10)}),
    ("board", {"board": False}, {"board": True}),
    ("not (arrears > 0)", {"arrears": 3}, {"arrears": 0}),
    ("duty == 'posted'", {"duty": "none"}, {"duty": "posted"}),
    ("duty != 'none'", {"duty": "none"}, {"duty": "adopted"}),  # the nearest value
    ("board or meetings >= 12", {"board": False, "meetings": 0}, {"board": True}),
    ("board and meetings >= 2", {"board": False, "meetings": 0}, {"board": True, "meetings": 2}),
    ("count(quarters) >= 4", {"quarters": [1, 0, 2, 0]}, {"quarters": [1, 1, 2, 1]}),
    ("years_since(elected) <= 3", {"elected": "2020-01-01"}, {"elected": dt.date(2025, 12, 31)}),
    ("floor(meetings / 500) >= 6", {"meetings": 1234}, {"meetings": 3000}),
    ("ceil(meetings / 7) > 3", {"meetings": 1}, {"meetings": 22}),
    ("round(meetings / 10) >= 5", {"meetings": 2}, {"meetings": 45}),
])
def test_each_comparison_is_inverted_to_the_smallest_change(write, when, facts, expected):
    assert one(write, when, facts) == expected


def test_a_rounded_count_is_aimed_at_through_what_it_rounds(write):
    """每 500 册计 1 分，6 分要 3000 册: aimed at by books ÷ 500, which grows in a straight line, not by
    doubling and halving over the flat steps of floor (about 20 tries from 1234)."""
    finder, item, score = first_item(write, '      - {id: a, name: 甲, points: 10, when: "floor(meetings / 500) >= 6"}\n', {"meetings": 1234})
    [target] = finder.all(item, score)
    assert [change.after for change in target.changes] == [3000]
    assert len(finder.solver.envs) <= 6  # each value tried is one environment


def test_fixed_facts_and_ceilings_are_respected(write):
    # employees is fixed, and members may not exceed employees: 60 members is out of reach
    assert item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"members >= 60\"}\n", {"employees": 50, "members": 10}) == []
    assert item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"employees >= 60\"}\n", {"employees": 50}) == []


def test_a_declared_ceiling_is_kept(write):
    """`at_most`: meetings may not exceed members (as 参加医疗互助人数 may not exceed 会员人数): 12 is out of reach with 10 members."""
    head = HEAD.replace("label: 会议次数, unit: 次}", "label: 会议次数, unit: 次, at_most: members}")
    assert item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"meetings >= 12\"}\n", {"employees": 50, "members": 10, "meetings": 3}, head) == []
    [within] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"meetings >= 10\"}\n", {"employees": 50, "members": 10, "meetings": 3}, head)
    assert {c.fact: c.after for c in within.changes} == {"meetings": 10}
    [free] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"meetings >= 12\"}\n", {"employees": 50, "members": 10, "meetings": 3})
    assert {c.fact: c.after for c in free.changes} == {"meetings": 12}


def test_texts_speak_in_the_facts_units(write):
    [target] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"membership_rate >= 0.95\"}\n", {"employees": 42, "members": 31})
    assert target.changes[0].text == "会员人数再增加 9 人（31 → 40 人）"
    assert target.text.endswith("得满分 10 分（+10 分）")
    [rate] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"rate >= 0.9\"}\n", {"rate": 0.82})
    assert rate.changes[0].text == "收缴率提高 8 个百分点（82.0% → 90.0%）"
    [duty] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"duty == 'posted'\"}\n", {"duty": "adopted"})
    assert duty.changes[0].text == "工作职责由“已建立”改为“已上墙”"
    [arrears] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"arrears <= 2\"}\n", {"arrears": 7})
    assert arrears.changes[0].text == "欠缴月数减少 5 月（7 → 2 月）"


def test_every_better_tier_has_its_own_target(write):
    item = """      - id: a
        name: 入会率
        points: 8
        tiers:
          - {when: membership_rate >= 0.95, points: 8, name: 95% 以上}
          - {when: membership_rate >= 0.85, points: 5, name: 85% 以上}
          - {when: membership_rate >= 0.70, points: 2, name: 70% 以上}
"""
    found = item_targets(write, item, {"employees": 100, "members": 72})
    assert [(t.points, t.gain, t.tier, t.changes[0].after) for t in found] == [(5, 3, "85% 以上", 85), (8, 6, "满分", 95)]
    assert "达到“85% 以上”，得 5 分（+3 分）" in found[0].text


def test_a_count_of_a_year_that_is_over_is_the_next_year_s_target(write):
    """`per: year`: assessed once the year is over, the count starts again; during the year, it grows."""
    head = (HEAD.replace("label: 会议次数, unit: 次}", "label: 本年度会议次数, unit: 次, per: year}")
            .replace("label: 各季度会议, unit: 次}", "label: 各季度会议次数, unit: 次, per: year}"))
    meetings = "      - {id: a, name: 甲, points: 10, when: \"meetings >= 4\"}\n"
    [over] = item_targets(write, meetings, {"meetings": 1}, head)
    assert over.changes[0].text == "2026年度会议次数达到 4 次（2025年度 1 次）"
    [during] = item_targets(write, meetings, {"meetings": 1}, head, dt.date(2025, 9, 30))
    assert during.changes[0].text == "本年度会议次数再增加 3 次（1 → 4 次）"
    [each] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"count(quarters) >= 4\"}\n", {"quarters": [1, 0, 2, 0]}, head)
    assert each.changes[0].text.startswith("2026年各季度会议次数达到“")
    assert each.changes[0].text.endswith("”（2025年为“1 次、0 次、2 次、0 次”）")


def test_counts_deductions_and_knockouts(write):
    count = item_targets(write, "      - {id: a, name: 会议, points: 4, count: meetings, each: 1}\n", {"meetings": 1})
    assert [(t.points, t.changes[0].after) for t in count] == [(2, 2), (3, 3), (4, 4)]
    item = """      - id: a
        name: 制度
        points: 4
        zero_if: not board
        deduct:
          - {when: "duty != 'posted'", points: 1, name: 职责未上墙}
          - {count: arrears, each: 1, name: 欠缴}
"""
    found = item_targets(write, item, {"board": False, "duty": "adopted", "arrears": 2})
    best = found[-1]
    assert best.points == 4 and {c.fact: c.after for c in best.changes} == {"board": True, "duty": "posted", "arrears": 0}


def test_absent_facts_start_from_the_least_favourable_value(write):
    [target] = item_targets(write, "      - {id: a, name: 甲, points: 10, when: \"meetings >= 2\"}\n", {})
    [change] = target.changes
    assert change.after == 2 and change.text == "如实补齐“会议次数”资料（达到 2 次可得本项分数）"


def test_a_fact_of_what_the_union_has_not_built_is_a_figure_to_reach(write):
    """`part_of`: a union without a 公开栏 has no meetings of it on file because there is nothing yet, so the step is
    the figure to reach once built; a union that has one but no figure on file still reports what it really has."""
    head = HEAD.replace("label: 会议次数, unit: 次}", "label: 公开栏更新次数, unit: 次, part_of: board}").replace(
        "label: 工作职责}", "label: 工作职责, part_of: board}")
    item = "      - {id: a, name: 甲, points: 10, when: \"board and meetings >= 2 and duty == 'posted'\"}\n"
    [none] = item_targets(write, item, {"board": False}, head)
    assert {c.fact: c.text for c in none.changes} == {"board": "设立公开栏", "duty": "工作职责达到“已上墙”", "meetings": "公开栏更新次数达到 2 次"}
    [unknown] = item_targets(write, item, {"board": True}, head)
    assert {c.fact: c.text for c in unknown.changes} == {"duty": "如实补齐“工作职责”资料（达到“已上墙”可得本项分数）", "meetings": "如实补齐“公开栏更新次数”资料（达到 2 次可得本项分数）"}


def test_a_fix_never_costs_another_item_points(write):
    # lowering members would lift the ratio fastest, but would cost the membership item its points
    items = """      - {id: a, name: 参保率, points: 5, when: "ratio(meetings, members) >= 0.9"}
      - {id: b, name: 入会率, points: 5, when: "membership_rate >= 0.8"}
"""
    [target] = item_targets(write, items, {"employees": 50, "members": 45, "meetings": 30})
    assert {c.fact: c.after for c in target.changes} == {"meetings": 41}


def test_a_ratio_improves_only_through_the_side_that_can_move(write):
    # members may only grow: 医疗互助参保率 rises by enrolling more, never by fewer members
    [target] = item_targets(write, "      - {id: a, name: 参保率, points: 5, when: \"ratio(meetings, members) >= 0.9\"}\n", {"members": 45, "meetings": 30})
    assert {c.fact: c.after for c in target.changes} == {"meetings": 41}


@pytest.mark.parametrize("when, facts", [
    ("arrears >= 5", {"arrears": 2}),  # arrears may only fall
    ("members <= 10", {"members": 30}),  # members may only grow
    ("employees <= 10", {"employees": 30}),  # employees do not change
    ("not board", {"board": True}),  # 是 does not go back to 否
    ("duty == 'none'", {"duty": "posted"}),  # enum values are worst first: no going back
    ("years_since(elected) >= 3", {"elected": "2024-01-01"}),  # a date only moves to the assessment date
])
def test_no_target_moves_a_fact_against_its_direction(write, when, facts):
    assert item_targets(write, f"      - {{id: a, name: 甲, points: 10, when: \"{when}\"}}\n", facts) == []
