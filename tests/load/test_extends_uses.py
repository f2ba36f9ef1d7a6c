"""Rulesets built on others: `uses` (reading another ruleset's result) and `extends` (inheriting it)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine import InvalidInput, assess_union, load_fact_file, load_ruleset, resolve_rulesets
from engine.values import Fraction

BASE = """
ruleset: {{id: {id}, name: 基础标准, version: '1', max_score: 10}}
facts:
  elected: {{type: boolean, label: 依法选举}}
  employees: {{type: integer, label: 职工人数, unit: 人}}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - {{id: base.elected, name: 依法选举, points: 6, when: elected}}
      - {{id: base.size, name: 规模, points: 4, when: employees >= 50}}
gate: {{when: employees >= 1}}
levels:
  - {{id: good, name: 达标, min: 6}}
  - {{id: low, name: 未达标, min: 0}}
"""

TOP = """
ruleset: {{id: top, name: 星级, version: '1', max_score: 10}}
uses: [{id}]
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - id: top.level
        name: 基础达标
        points: 4
        tiers:
          - {{when: "results.{key}.level == 'good'", points: 4}}
          - {{when: "results.{key}.level == 'low'", points: 1}}
      - {{id: top.score, name: 基础得分, points: 2, scale: {{value: results.{key}.score, from: 0, to: 10}}}}
      - {{id: top.outcome, name: 选举, points: 2, when: "results.{key}.items.base.elected.outcome == 'pass'"}}
      - {{id: top.passed, name: 规模, points: 2, when: "passed('{id}', 'base.size')"}}
levels:
  - {{id: star, name: 星级, min: 8, requires: ["results.{key}.level == 'good'"]}}
  - {{id: none, name: 无, min: 0}}
"""


@pytest.fixture
def uses(write, evaluator):
    """uses(facts, base_id='base') → {ruleset id: result}, `top` using the base ruleset written beside it."""

    def run(facts: dict, base_id: str = "base") -> dict:
        write(f"{base_id}.yaml", BASE.format(id=base_id))
        top = write("top.yaml", TOP.format(id=base_id, key=base_id.replace("-", "_")))
        rulesets = resolve_rulesets([str(top)])
        assert [r.id for r in rulesets] == [base_id, "top"]
        document = {"union": {"id": "T-1", "name": "测试工会", "type": "enterprise"}, "period": 2025, "facts": facts}
        fact_file = load_fact_file(write("facts.yaml", yaml.safe_dump(document, allow_unicode=True)))
        return {r.ruleset.id: r for r in assess_union(rulesets, fact_file, evaluator)}

    return run


def points(result) -> dict:
    return {i.id: i.points for i in result.items}


def test_uses_reads_level_score_outcome_and_passed(uses):
    results = uses({"elected": True, "employees": 60})
    assert (results["base"].score, results["base"].level.id) == (10, "good")
    assert points(results["top"]) == {"top.level": 4, "top.score": 2, "top.outcome": 2, "top.passed": 2}
    assert results["top"].level.id == "star"


def test_uses_sees_a_lower_result_of_the_used_ruleset(uses):
    results = uses({"elected": False, "employees": 60})
    assert (results["base"].score, results["base"].level.id) == (4, "low")
    assert points(results["top"]) == {"top.level": 1, "top.score": Fraction(4, 5), "top.outcome": 0, "top.passed": 2}
    assert results["top"].level.id == "none"


def test_uses_item_outcome_other_than_pass(uses):
    results = uses({"elected": True, "employees": 10})
    outcomes = {i.id: i.outcome for i in results["top"].items}
    assert outcomes["top.passed"] == "fail"
    assert outcomes["top.outcome"] == "pass"


def test_level_of_a_not_eligible_used_ruleset_is_null_not_missing_data(uses):
    results = uses({"elected": True, "employees": 0})
    assert (results["base"].eligible, results["base"].level) == (False, None)
    level_item = next(i for i in results["top"].items if i.id == "top.level")
    assert (level_item.outcome, level_item.points) == ("fail", 0)
    assert results["top"].level.id == "none"


def test_missing_facts_in_the_used_ruleset_show_as_its_item_outcome(uses):
    results = uses({"employees": 60})
    assert results["base"].outcome_of("base.elected") == "missing"
    assert next(i for i in results["top"].items if i.id == "top.outcome").outcome == "fail"


def test_hyphenated_ruleset_id_is_read_with_underscores(uses):
    results = uses({"elected": True, "employees": 60}, base_id="a-b")
    assert results["a-b"].level.id == "good"
    assert points(results["top"]) == {"top.level": 4, "top.score": 2, "top.outcome": 2, "top.passed": 2}


def test_uses_an_unknown_ruleset_is_an_error(write):
    top = write("top.yaml", TOP.format(id="nosuch", key="nosuch"))
    with pytest.raises(InvalidInput) as caught:
        resolve_rulesets([str(top)])
    assert "找不到 uses 引用的规则集 “nosuch”" in str(caught.value)


def test_results_of_a_ruleset_not_in_uses_cannot_be_read(write):
    text = TOP.format(id="base", key="base").replace("uses: [base]", "uses: []")
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(write("top.yaml", text))
    assert "results.base.level" in str(caught.value)


# --- extends -------------------------------------------------------------------------------------

PARENT = """
ruleset: {id: parent, name: 上级标准, version: '1', max_score: 20}
facts:
  a: {type: boolean, label: 甲}
  b: {type: integer, label: 乙数}
sections:
  - id: s1
    name: 一
    max: 10
    items:
      - {id: i.a, name: 甲项, points: 6, when: a, fix: 请落实甲项。}
      - {id: i.b, name: 乙项, points: 4, count: b, each: 1}
  - id: s2
    name: 二
    max: 10
    items:
      - {id: i.c, name: 丙项, points: 10, when: b >= 5}
bonus:
  max: 2
  items:
    - {id: bonus.x, name: 父加分, points: 2, when: a}
vetoes:
  - {id: veto.p, name: 父否决, when: b > 100, effect: zero}
gate: {when: b >= 1}
levels:
  - {id: high, name: 高, min: 15}
  - {id: low, name: 低, min: 0}
"""


def child(write, body: str):
    """The child ruleset `body` extending PARENT; a default `ruleset:` header unless the body has one."""
    write("parent.yaml", PARENT)
    body = body.strip() + "\n"
    if not body.startswith("ruleset:"):
        body = "ruleset: {id: child, name: 本地标准, version: '2'}\n" + body
    head, rest = body.split("\n", 1)
    return load_ruleset(write("child.yaml", f"{head}\nextends: parent.yaml\n{rest}"))


def assess_with(write, evaluator, ruleset, facts: dict):
    document = {"union": {"id": "T-1", "type": "enterprise"}, "period": 2025, "facts": facts}
    fact_file = load_fact_file(write("facts.yaml", yaml.safe_dump(document, allow_unicode=True)))
    [result] = assess_union([ruleset], fact_file, evaluator)
    return result


def test_child_inherits_everything_it_does_not_change(write, evaluator):
    ruleset = child(write, "")
    assert (ruleset.id, ruleset.name, ruleset.version, ruleset.max_score) == ("child", "本地标准", "2", 20)
    assert [i.id for i in ruleset.items()] == ["i.a", "i.b", "i.c"]
    result = assess_with(write, evaluator, ruleset, {"a": True, "b": 5})
    assert (result.score, result.bonus, result.level.id) == (22, 2, "high")


def test_override_changes_only_the_named_fields_of_an_item(write, evaluator):
    ruleset = child(write, """
ruleset: {id: child, name: 本地标准, max_score: 18}
override:
  i.a: {points: 4}
  s1: {max: 8, name: 一（本地）}
""")
    overridden = ruleset.item("i.a")
    assert (overridden.points, overridden.name, overridden.kind.when.expr.text) == (4, "甲项", "a")
    assert overridden.fix.text == "请落实甲项。"
    assert (ruleset.sections[0].name, ruleset.sections[0].max) == ("一（本地）", 8)
    result = assess_with(write, evaluator, ruleset, {"a": True, "b": 4})
    assert {i.id: i.points for i in result.items} == {"i.a": 4, "i.b": 4, "i.c": 0}


def test_remove_and_add_to_a_section(write, evaluator):
    ruleset = child(write, """
facts:
  c: {type: boolean, label: 丙}
remove: [i.c]
add:
  - to: s2
    items:
      - {id: i.d, name: 丁项, points: 10, when: c}
""")
    assert [i.id for i in ruleset.items()] == ["i.a", "i.b", "i.d"]
    assert set(ruleset.facts) == {"a", "b", "c"}
    result = assess_with(write, evaluator, ruleset, {"a": False, "b": 9, "c": True})
    assert {i.id: i.points for i in result.items} == {"i.a": 0, "i.b": 4, "i.d": 10}


def test_remove_also_drops_an_inherited_fact(write):
    ruleset = child(write, """
ruleset: {id: child, name: 本地标准, max_score: 6}
remove: [s2, i.b, b]
override:
  s1: {max: 6}
vetoes: []
gate: {when: a}
""")
    assert [i.id for i in ruleset.items()] == ["i.a"]
    assert set(ruleset.facts) == {"a"}


def test_a_removed_fact_that_is_still_read_is_an_error(write):
    problems = problems_of(write, "remove: [b]\n")
    assert {p.code for p in problems} == {"expr-unknown-name"}


def test_add_a_new_top_section(write):
    ruleset = child(write, """
ruleset: {id: child, name: 本地标准, max_score: 25}
add:
  - sections:
      - id: s3
        name: 三
        max: 5
        items:
          - {id: i.f, name: 己项, points: 5, when: a}
""")
    assert [s.id for s in ruleset.sections] == ["s1", "s2", "s3"]


def test_child_lists_replace_levels_vetoes_gate_and_bonus(write, evaluator):
    ruleset = child(write, """
levels:
  - {id: top, name: 顶, min: 19}
  - {id: rest, name: 其余, min: 0}
vetoes:
  - {id: veto.c, name: 子否决, when: b > 50, effect: disqualify}
gate: {when: b >= 2}
bonus:
  max: 1
  items:
    - {id: bonus.y, name: 子加分, points: 1, when: b >= 1}
""")
    assert [level.id for level in ruleset.levels] == ["top", "rest"]
    assert [v.id for v in ruleset.vetoes] == ["veto.c"]
    assert ruleset.gate.when.expr.text == "b >= 2"
    assert [i.id for i in ruleset.bonus.items] == ["bonus.y"]
    result = assess_with(write, evaluator, ruleset, {"a": True, "b": 200})
    assert result.veto_ids == ["veto.c"]
    assert (result.score, result.bonus, result.eligible) == (21, 1, False)
    low = assess_with(write, evaluator, ruleset, {"a": True, "b": 1})
    assert (low.eligible, low.level) == (False, None)
    assert assess_with(write, evaluator, ruleset, {"a": True, "b": 5}).level.id == "top"


def test_child_fact_merges_field_by_fact(write):
    ruleset = child(write, """
facts:
  b: {type: integer, label: 乙的新名称, max: 50}
""")
    assert (ruleset.facts["b"].label, ruleset.facts["b"].max) == ("乙的新名称", 50)
    assert ruleset.facts["a"].label == "甲"


def test_extends_by_bundled_style_id_beside_the_child(write):
    write("parent.yaml", PARENT)
    ruleset = load_ruleset(write("child.yaml", "ruleset: {id: child, name: 本地}\nextends: parent\n"))
    assert [i.id for i in ruleset.items()] == ["i.a", "i.b", "i.c"]


def problems_of(write, body: str) -> list:
    with pytest.raises(InvalidInput) as caught:
        child(write, body)
    return caught.value.diagnostics


def test_override_of_an_unknown_id_points_at_the_child_line(write):
    [problem] = problems_of(write, "override:\n  i.zzz: {points: 1}\n")
    assert Path(problem.mark.file).name == "child.yaml"
    assert (problem.mark.line, problem.code) == (4, "extends-unknown-id")
    assert "i.zzz" in problem.message


def test_remove_of_an_unknown_id_points_at_the_child_line(write):
    [problem] = problems_of(write, "remove: [nothere]\n")
    assert Path(problem.mark.file).name == "child.yaml"
    assert (problem.mark.line, problem.code) == (3, "extends-unknown-id")


def test_bad_expression_in_an_added_item_points_at_the_child_line(write):
    body = "add:\n  - to: s1\n    items:\n      - {id: i.g, name: 庚项, points: 1, when: a and bb}\n"
    problems = problems_of(write, body)
    unknown = [p for p in problems if p.code == "expr-unknown-name"]
    assert unknown and Path(unknown[0].mark.file).name == "child.yaml"
    assert unknown[0].mark.line == 6


def test_wrong_max_score_in_the_child_points_at_the_child_header(write):
    [problem] = problems_of(write, "ruleset: {id: child, name: 本地标准, max_score: 30}\n")
    assert (problem.code, Path(problem.mark.file).name, problem.mark.line) == ("max-score", "child.yaml", 1)
    assert "max_score 为 30" in problem.message


def test_unbalanced_section_override_points_at_the_child_override(write):
    problems = problems_of(write, "ruleset: {id: child, name: 本地标准, max_score: 22}\noverride:\n  s1: {max: 12}\n")
    [problem] = [p for p in problems if p.code == "section-balance"]
    assert (Path(problem.mark.file).name, problem.mark.line) == ("child.yaml", 4)
    assert "满分 12，下级合计 10" in problem.message


def test_schema_error_in_an_override_points_at_the_child_line(write):
    [problem] = problems_of(write, "override:\n  i.b:\n    points: -1\n")
    assert Path(problem.mark.file).name == "child.yaml"
    assert problem.mark.line == 5
    assert problem.code == "schema-range"


@pytest.mark.parametrize("body, line, message", [
    ("facts: [a, b]\n", 3, "facts：应为映射（键: 值）"),
    ("derive:\n", 3, "derive：应为映射（键: 值）"),
    ("override: s1\n", 3, "override：应为映射（键: 值）"),
    ("remove: i.c\n", 3, "remove：应为列表"),
    ("remove: [i.c, 5]\n", 3, "remove.1：应为文本"),
    ("add: [{to: [s1], items: []}]\n", 3, "add.0.to：应为文本"),
    ("add: [{to: s1, items: 5}]\n", 3, "add.0.items：应为列表"),
])
def test_a_child_part_merge_cannot_read_is_a_schema_error_at_the_child_line(write, body, line, message):
    [problem] = problems_of(write, body)  # each stopped with an internal error, or was read letter by letter
    assert (Path(problem.mark.file).name, problem.mark.line, problem.code) == ("child.yaml", line, "schema-type")
    assert message in problem.message


def test_extends_that_is_not_text_is_a_schema_error(write):
    write("parent.yaml", PARENT)
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(write("child.yaml", "extends: [parent.yaml]\nruleset: {id: child, name: 本地标准}\n"))
    [problem] = caught.value.diagnostics
    assert (problem.mark.line, problem.code) == (1, "schema-type")
    assert problem.message.startswith("extends：应为文本")



def chain_of(write, count: int, link: str) -> Path:
    """Rulesets c0 … c<count>, each naming the one before in `link` (`extends: c{}.yaml` or `uses: [c{}]`)."""
    body = "sections: [{id: s, name: 分项, max: 1, items: [{id: s.i, name: 指标, points: 1, when: 'true'}]}]\n"
    body += "levels: [{id: a, name: 甲, min: 0}]\n"
    path = write("c0.yaml", "ruleset: {id: c0, name: 零, max_score: 1}\n" + body)
    for i in range(1, count + 1):
        own = "" if link.startswith("extends") else body
        path = write(f"c{i}.yaml", f"ruleset: {{id: c{i}, name: 链, max_score: 1}}\n{link.format(i - 1)}\n{own}")
    return path


@pytest.mark.parametrize("link, code", [("extends: c{}.yaml", "extends-too-deep"), ("uses: [c{}]", "uses-too-deep")])
def test_a_chain_of_rulesets_past_twenty_is_refused_at_the_link_too_many(write, link, code):
    assert resolve_rulesets([str(chain_of(write, 20, link))])
    with pytest.raises(InvalidInput) as caught:  # 400 stopped with an internal error (RecursionError)
        resolve_rulesets([str(chain_of(write, 21, link))])
    [problem] = caught.value.diagnostics
    assert (Path(problem.mark.file).name, problem.mark.line, problem.code) == ("c1.yaml", 2, code)
    assert "超过 20 层：c21 → … → c1 → c0" in problem.message.replace(".yaml", "")


@pytest.mark.parametrize("broken, where", [
    ("sections: 5", "sections：应为列表"), ("bonus: {max: 2, items: 7}", "bonus.items：应为列表"),
    ("sections: [{id: s1, name: 一, max: 20, items: 5}]", "sections.0.items：应为列表"),
])
def test_a_parent_broken_where_a_child_changes_it_is_told_as_the_parents_schema_error(write, broken, where):
    write("parent.yaml", f"ruleset: {{id: parent, name: 上级, max_score: 20}}\n{broken}\nlevels: [{{id: a, name: 甲, min: 0}}]\n")
    body = "ruleset: {id: child, name: 本地}\nextends: parent.yaml\noverride: {x: {points: 1}}\nadd: [{to: s1, items: [{id: y, name: 乙, points: 1, when: b}]}]\n"
    with pytest.raises(InvalidInput) as caught:  # each stopped with an internal error
        load_ruleset(write("child.yaml", body))
    assert any(Path(d.mark.file).name == "parent.yaml" and where in d.message for d in caught.value.diagnostics)


@pytest.mark.parametrize("parent, where", [
    ("ruleset: 5\nsections: []\n", "ruleset：应为映射"),
    ("ruleset: {id: parent, name: 上级, max_score: 1}\nfacts: [a]\nsections: []\n", "facts：应为映射"),
    ("ruleset: {id: parent, name: 上级, max_score: 1}\nderive: 5\nsections: []\n", "derive：应为映射"),
])
def test_a_parent_header_or_declarations_that_are_no_mapping_are_its_schema_error(write, parent, where):
    write("parent.yaml", parent)
    body = "ruleset: {id: child, name: 本地}\nextends: parent.yaml\nfacts: {x: {type: integer, label: 甲}}\nderive: {y: x + 1}\nremove: [zz]\n"
    with pytest.raises(InvalidInput) as caught:  # each stopped with an internal error
        load_ruleset(write("child.yaml", body))
    assert any(Path(d.mark.file).name == "parent.yaml" and where in d.message for d in caught.value.diagnostics)


def test_adding_to_an_item_points_at_the_child_add(write):
    problems = problems_of(write, "add:\n  - to: i.a\n    items: [{id: i.z, name: 新, points: 0, when: a}]\n")
    [problem] = [p for p in problems if p.code != "section-balance"]  # was 「未知字段 “items”」 at the parent's item
    assert (Path(problem.mark.file).name, problem.mark.line, problem.code) == ("child.yaml", 4, "extends-unknown-id")
    assert problem.message == "要添加到的分项 “i.a” 是指标，不是分项"
