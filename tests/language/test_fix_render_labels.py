"""A fix text's `{…}` placeholder shows an enum value, a union type, a used ruleset's level and an item's outcome
by its Chinese name, as reasons do; numbers, dates and lists keep their rendering."""
from __future__ import annotations

import datetime as dt

import pytest

from engine import DurableEvaluator, assess_union, load_fact_file, resolve_rulesets
from engine.diagnostics import Mark
from engine.language.expr_eval import Env
from engine.language.expressions import Scope, compile_template

BASE = """
ruleset: {id: base, name: 基础, version: '1', max_score: 10}
facts:
  elected: {type: boolean, label: 依法选举}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - {id: base.elected, name: 依法选举, points: 10, when: elected}
levels:
  - {id: good, name: 达标, min: 10}
  - {id: low, name: 未达标, min: 0}
"""

TOP = """
ruleset: {id: top, name: 星级, version: '1', max_score: 10}
uses: [base]
facts:
  rules.archive: {type: enum, values: [none, adopted, posted], labels: {none: 未建立, adopted: 已建立未上墙, posted: 已建立并上墙}, label: 档案管理制度}
  grade: {type: enum, values: [a, b], labels: {a: 甲等}, label: 等次}
  members: {type: integer, min: 0, label: 会员人数, unit: 人}
  founded: {type: date, label: 成立日期}
  ratio_x: {type: number, label: 比例}
  meetings: {type: list, items: integer, label: 各季度会议次数}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - id: top.archive
        name: 档案管理制度上墙
        points: 4
        when: "rules.archive == 'posted'"
        fix: "档案管理制度{rules.archive}，等次 {grade}；本单位为{union.type}，基础标准等级 {results.base.level}，选举一项{results.base.items.base.elected.outcome}。"
      - id: top.members
        name: 会员
        points: 6
        when: members >= 100
        fix:
          - {when: "rules.archive == 'none'", text: "制度{rules.archive}。"}
          - {text: "会员 {members} 人，成立于 {founded}，比例 {ratio_x}，会议 {meetings}，{rules.archive == 'none'}，{pct(ratio_x)}。"}
levels:
  - {id: star, name: 星级, min: 8}
  - {id: none, name: 无, min: 0}
"""


@pytest.fixture
def fixes(write):
    """The fix texts of `top` for a union, by item id."""
    write("base.yaml", BASE)
    rulesets = resolve_rulesets([str(write("top.yaml", TOP))])

    def run(facts: str, kind: str = "group") -> dict[str, str]:
        path = write("u.yaml", f"union: {{id: U-1, name: 测试工会, type: {kind}}}\nperiod: 2025\nfacts:\n{facts}")
        evaluator = DurableEvaluator()
        try:
            results = assess_union(rulesets, load_fact_file(path), evaluator)
        finally:
            evaluator.close()
        return {item.id: item.fix or "" for item in results[-1].items}

    return run


def test_fix_renders_enum_union_type_level_and_outcome_by_label(fixes):
    found = fixes("  elected: false\n  rules.archive: adopted\n  grade: a\n  members: 9\n")
    assert found["top.archive"] == "档案管理制度已建立未上墙，等次 甲等；本单位为工会小组，基础标准等级 未达标，选举一项未得分。"


def test_fix_render_keeps_an_enum_value_without_a_label_and_other_union_types(fixes):
    found = fixes("  elected: true\n  rules.archive: none\n  grade: b\n  members: 9\n", kind="enterprise")
    assert found["top.archive"] == "档案管理制度未建立，等次 b；本单位为企业，基础标准等级 达标，选举一项达标。"
    assert found["top.members"] == "制度未建立。"  # a fix chosen by the union's values renders its labels too


def test_fix_render_keeps_numbers_dates_and_lists(fixes):
    found = fixes("  elected: true\n  rules.archive: posted\n  members: 9\n  founded: 2019-06-01\n  ratio_x: 0.25\n"
                  "  meetings: [1, 0, 1, 1]\n")
    assert found["top.members"] == "会员 9 人，成立于 2019-06-01，比例 0.25，会议 1、0、1、1，否，25.0%。"


def test_fix_render_template_without_labels_in_scope_shows_the_value():
    """A scope that knows no labels (as before): the value as it is."""
    types = {"kind": "string"}
    template = compile_template("类型 {kind}。", Mark("<t>", 1, 1), Scope(types.get, lambda: sorted(types)))
    assert template.render(Env({"kind": "posted"}, dt.date(2025, 12, 31))) == "类型 posted。"
    labelled = Scope(types.get, lambda: sorted(types), lambda path: (("posted", "已上墙"),) if path == "kind" else ())
    template = compile_template("类型 {kind}。", Mark("<t>", 1, 1), labelled)
    assert template.render(Env({"kind": "posted"}, dt.date(2025, 12, 31))) == "类型 已上墙。"
