"""Two standards' plans asking different figures of one fact: the step asking less names the other plan's figure,
which counts when both are carried out (QS-016: 职工之家 27 people in 医疗互助, 星级 36 after its new members)."""
from __future__ import annotations

from pathlib import Path

from engine import assess, load_fact_file, resolve_rulesets
from engine.plan.across import across
from engine.plan.planner import next_level_plans
from engine.report.union_page import union_markdown

REPO = Path(__file__).resolve().parents[2]


def steps_changing(plans, fact):
    return {rid: step for rid, plan in plans.items() for step in plan.steps if any(c.fact == fact for c in step.changes)}


def test_the_step_asking_less_names_the_other_plans_figure(evaluator):
    rulesets = resolve_rulesets()
    assessment = assess(rulesets, load_fact_file(REPO / "facts" / "qingshan" / "QS-016.yaml"), evaluator)
    plans = next_level_plans(rulesets, assessment, evaluator)
    found = steps_changing(plans, "mutual_aid.enrolled")
    assert [c.after for c in found["zhijia"].changes if c.fact == "mutual_aid.enrolled"] == [28]
    assert found["zhijia"].elsewhere == "“星级”的规划要求参加职工医疗互助保障人数再增加 20 人（16 → 36 人），两个规划都落实时按“星级”的目标完成。"
    assert found["xingji"].elsewhere == ""
    assert "   - 另：“星级”的规划要求参加职工医疗互助保障人数再增加 20 人（16 → 36 人）" in union_markdown(assessment, plans)
    assert found["zhijia"].to_json()["elsewhere"] == found["zhijia"].elsewhere


def test_plans_asking_the_same_or_only_yes_no_facts_are_left_as_they_are(evaluator):
    rulesets = resolve_rulesets()
    assessment = assess(rulesets, load_fact_file(REPO / "facts" / "qingshan" / "QS-028.yaml"), evaluator)
    plans = next_level_plans(rulesets, assessment, evaluator)
    for fact in ("library.books", "library.exists", "rules.finance"):  # 3000 册, 已建立, 已建立并上墙 in every plan
        found = steps_changing(plans, fact)
        assert len(found) >= 2 and all(step.elsewhere == "" for step in found.values()), fact
    assert across(plans) == plans
