"""Items met through a used standard's items (星级's items that read `passed('bayou', …)`), and a required
item whose only fix costs other items points: planned, where the plans used to call the level unreachable."""
from __future__ import annotations

from pathlib import Path

from engine import OracleEvaluator, load_fact_file, resolve_rulesets
from engine.language.expr_parse import parse
from engine.plan.linked import passed_calls
from engine.plan.planner import Planner

REPO = Path(__file__).resolve().parents[2]


def planner(bundled, union: str) -> Planner:
    return Planner.assessing(bundled, load_fact_file(REPO / f"facts/qingshan/{union}.yaml"), OracleEvaluator())


def test_passed_calls_and_their_conjunctions_are_read_as_items_to_pass():
    assert passed_calls(parse("passed('bayou', 'banzi.jingshen') and passed('bayou', 'banzi.women')")) == [
        ("bayou", "banzi.jingshen"), ("bayou", "banzi.women")]
    assert passed_calls(parse("passed('bayou', 'jingfei.audit')")) == [("bayou", "jingfei.audit")]
    for other in ("passed('bayou', 'a') or passed('bayou', 'b')", "not passed('bayou', 'a')", "passed('bayou', 'a') and members > 3"):
        assert passed_calls(parse(other)) is None, other


def test_an_item_met_through_a_used_standard_is_planned_by_its_item(bundled):  # QS-032: its 星级 plan called 三星 unreachable
    plan = planner(bundled, "QS-032").plan("xingji")
    assert plan.reachable and plan.target == "three" and plan.after[0].level == "three"
    audit = next(s for s in plan.steps if s.id == "jingfei.audit" and s.ruleset == "bayou")
    assert audit.why.startswith("星级“经审监督到位（审查并公布）”须八有此项达标：距三星还差 63.75 分，该项可得 3 分")
    assert audit.points_after == 3 and audit.changes
    assert any(c.name == "经审监督到位（审查并公布）" and (c.points_before, c.points_after) == (0, 3) for c in plan.side)


def test_a_required_item_whose_fix_costs_another_item_points_is_planned(bundled):  # QS-043: more members lower its 参保率
    plan = planner(bundled, "QS-043").plan("zhijia")
    assert plan.reachable and plan.after[0].level == "model"
    [membership] = plan.steps
    assert membership.target.startswith("会员人数再增加 29 人（262 → 291 人）") and membership.required
    assert [(c.name[:9], c.points_before, c.points_after) for c in plan.side] == [("职工医疗互助参保率", 2, 1)]


def test_a_required_item_met_through_a_used_standard_is_planned_when_the_level_requires_it(bundled, tmp_path):
    """QS-033 is 3.8 years past its term; a county's 星级 whose levels require every 必备项 plans the 换届 through 八有."""
    strict = tmp_path / "xingji-strict.yaml"
    strict.write_text('ruleset: {id: xingji-strict, name: 星级（必备项全部达标）, short_name: 星级, version: "1"}\nextends: xingji\n'
                      "levels:\n  - {id: three, name: 三星, min: 70, requires_all_required: true}\n  - {id: none, name: 未评星, min: 0}\n",
                      encoding="utf-8")
    rulesets = resolve_rulesets([strict])
    plan = Planner.assessing(rulesets, load_fact_file(REPO / "facts/qingshan/QS-033.yaml"), OracleEvaluator()).plan("xingji-strict")
    assert plan.reachable and plan.after[0].level == "three"
    [term] = [s for s in plan.steps if s.ruleset == "bayou" and s.id == "banzi.term"]
    assert term.required and term.why == "星级“工会委员会依法选举产生并按期换届”须八有此项达标：必备项，不达标不能评为三星"
    assert term.target.startswith("召开会员（代表）大会进行换届选举（上次为2019年3月1日）")
