"""Every ruleset diagnostic code, at its line and column, and how diagnostics render."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import Diagnostic, InvalidInput, load_ruleset, resolve_rulesets
from engine.authoring.lint import check_file
from engine.diagnostics import DiagnosticList, Mark, display_width

# A valid ruleset; the line numbers below refer to it.
BASE = """\
ruleset:
  id: demo
  name: 测试规则
  max_score: 10
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  committee.elected: {type: boolean, label: 委员会经选举产生}
sections:
  - id: s1
    name: 有班子
    max: 10
    items:
      - id: s1.elected
        name: 依法选举
        points: 10
        when: committee.elected
levels:
  - {id: good, name: 达标, min: 6}
  - {id: none, name: 未达标, min: 0}
"""
#  1 ruleset:          6 employees     10 - id: s1        14 - id: s1.elected    18 levels:
#  2   id: demo        7 members       11 name: 有班子     15 name: 依法选举       19 - {id: good ...}
#  3   name: 测试规则   8 committee...  12 max: 10         16 points: 10          20 - {id: none ...}
#  4   max_score: 10   9 sections:     13 items:          17 when: committee.elected
#  5 facts:


def variant(*replacements: str) -> str:
    """BASE with (old, new) pairs replaced, each exactly once."""
    text = BASE
    for old, new in zip(replacements[::2], replacements[1::2]):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def problems_of(path: Path) -> list[Diagnostic]:
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    return caught.value.diagnostics


@pytest.fixture
def check(tmp_path):
    """check(text) → the diagnostics of loading that ruleset text from rs.yaml."""

    def run(text: str, name: str = "rs.yaml") -> list[Diagnostic]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return problems_of(path)

    return run


def found(diagnostics: list[Diagnostic]) -> list[tuple[int, int, str]]:
    return [(d.mark.line, d.mark.column, d.code) for d in diagnostics]


def test_base_ruleset_is_valid(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_ruleset(path).id == "demo"


# schema --------------------------------------------------------------------------------------

def test_schema_unknown_key_with_suggestion(check):
    [problem] = check(variant("    max: 10\n", "    max: 10\n    maxx: 3\n"))
    assert found([problem]) == [(13, 5, "schema-unknown-key")]
    assert problem.message == "sections.0：未知字段 “maxx”，是否应为 “max”？"
    assert problem.span == 4


def test_schema_unknown_top_level_key(check):
    [problem] = check(variant("levels:", "level:"))
    assert found([problem]) == [(18, 1, "schema-unknown-key")]
    assert "是否应为 “levels”？" in problem.message


def test_schema_unknown_key_without_close_match(check):
    [problem] = check(variant("    max: 10\n", "    max: 10\n    zzzz: 3\n"))
    assert problem.code == "schema-unknown-key" and problem.message.endswith("未知字段 “zzzz”")


def test_schema_required(check):
    [problem] = check(variant("        points: 10\n", ""))
    assert found([problem]) == [(14, 9, "schema-required")]
    assert problem.message == "sections.0.items.0：缺少必填字段 “points”"


def test_schema_required_max_score(check):
    [problem] = check(variant("  max_score: 10\n", ""))
    assert found([problem]) == [(2, 3, "schema-required")]
    assert "“max_score”" in problem.message


def test_schema_type(check):
    [problem] = check(variant("points: 10", "points: ten"))
    assert found([problem]) == [(16, 17, "schema-type")]
    assert problem.message == "sections.0.items.0.points：应为数值或“uncapped”，实际为 “ten”"


def test_schema_type_of_whole_file(check):
    [problem] = check("- just\n- a list\n")
    assert found([problem]) == [(1, 1, "schema-type")]


def test_schema_enum(check):
    [problem] = check(variant("        when: committee.elected\n", "        when: committee.elected\n        effort: huge\n"))
    assert found([problem]) == [(18, 17, "schema-enum")]
    assert "应为以下之一：low、medium、high；实际为 “huge”" in problem.message


def test_schema_range(check):
    [problem] = check(variant("points: 10", "points: -1"))
    assert found([problem]) == [(16, 17, "schema-range")]
    assert "不能小于 0，实际为 -1" in problem.message


def test_schema_range_exclusive(check):
    [problem] = check(variant("max_score: 10", "max_score: 0"))
    assert found([problem]) == [(4, 14, "schema-range")]
    assert "必须大于 0" in problem.message


def test_schema_id_of_value(check):
    [problem] = check(variant("  id: demo", "  id: Demo!"))
    assert found([problem]) == [(2, 7, "schema-id")]
    assert "“Demo!” 不是合法的标识" in problem.message


def test_schema_id_of_fact_name_points_at_the_key(check):
    [problem] = check(variant("  members: {", "  Members-x: {"))
    assert found([problem]) == [(7, 3, "schema-id")]
    assert "“Members-x”" in problem.message and problem.span == len("Members-x")


def test_schema_id_of_derive_name_points_at_the_key(check):
    [problem] = check(variant("sections:", "derive:\n  ok: members > 1\n  bad-name: members + 1\nsections:"))
    assert found([problem]) == [(11, 3, "schema-id")]


def test_schema_empty_text(check):
    [problem] = check(variant("  name: 测试规则", "  name: ''"))
    assert found([problem]) == [(3, 10, "schema-empty")]
    assert problem.message == "ruleset.name：不能为空"


def test_schema_empty_list(check):
    [problem] = check(BASE.split("levels:")[0] + "levels: []\n")
    assert found([problem]) == [(18, 9, "schema-empty")]


def test_schema_invalid_for_other_keywords(check):
    [problem] = check(variant("        when: committee.elected\n", "        when: committee.elected\n        evidence: 3\n"))
    assert found([problem]) == [(18, 19, "schema-type")]
    assert problem.message == "sections.0.items.0.evidence：应为文本或列表，实际为 “3”"


def test_schema_errors_in_sibling_tests_file(tmp_path):
    (tmp_path / "demo.tests.yaml").write_text("tests:\n  - name: 一\n    expect: {level: good}\n    expct: {}\n", encoding="utf-8")
    (tmp_path / "rs.yaml").write_text(BASE, encoding="utf-8")
    [problem] = [d for d in check_file(tmp_path / "rs.yaml") if d.severity == "error"]
    assert problem.mark.file == str(tmp_path / "demo.tests.yaml")
    assert found([problem]) == [(4, 5, "schema-unknown-key")]


# YAML and files ------------------------------------------------------------------------------

def test_yaml_duplicate_key(check):
    [problem] = check(variant("  name: 测试规则", "  name: 测试规则\n  name: 再一次"))
    assert found([problem]) == [(4, 3, "yaml-duplicate-key")]
    assert problem.message == "重复的键 “name”（第 3 行已出现）"


def test_yaml_syntax(check):
    [problem] = check(variant("  - {id: none, name: 未达标, min: 0}", "  - {id: none, name: 未达标, min: 0"))
    assert found([problem]) == [(20, 5, "yaml-syntax")]  # the brace left open, not the next line where libyaml noticed
    assert "“{”没有对应的“}”" in problem.message


def test_yaml_tag(check):
    [problem] = check(variant("points: 10", "points: !!python/object/apply:os.getpid []"))
    assert found([problem]) == [(16, 17, "yaml-tag")]


def test_yaml_key(check):
    [problem] = check(variant("facts:\n", "facts:\n  ? [a, b]\n  : 1\n"))
    assert found([problem]) == [(6, 5, "yaml-key")]


def test_yaml_number(check):
    [problem] = check(variant("points: 10", "points: .inf"))
    assert found([problem]) == [(16, 17, "yaml-number")]


def test_file_not_found(tmp_path):
    [problem] = problems_of(tmp_path / "nope.yaml")
    assert (problem.mark, problem.code) == (Mark(str(tmp_path / "nope.yaml")), "file-not-found")


def test_file_encoding(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(BASE.encode("gb18030"))
    [problem] = problems_of(path)
    assert problem.code == "file-encoding"


def test_file_unreadable(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    [problem] = problems_of(tmp_path / "dir.yaml")
    assert problem.code == "file-unreadable"


# expressions ---------------------------------------------------------------------------------

def test_expr_syntax(check):
    [problem] = check(variant("when: committee.elected", "when: members >> "))
    assert found([problem]) == [(17, 25, "expr-syntax")]  # where something is missing: after the operator
    assert problem.message == "表达式语法错误：表达式不完整：运算符后面缺少内容：“members >>”"


def test_expr_syntax_column_after_chinese(check):
    text = variant("when: committee.elected", "when: union.name == '青山镇' members")
    [problem] = check(text)
    line = text.splitlines()[16]
    assert found([problem]) == [(17, line.index("members") + 1, "expr-syntax")]


def test_expr_forbidden(check):
    [problem] = check(variant("when: committee.elected", "when: committee.elected if true else false"))
    assert found([problem]) == [(17, 15, "expr-forbidden")]
    assert "表达式中不允许使用条件表达式" in problem.message


def test_expr_dunder(check):
    [problem] = check(variant("when: committee.elected", "when: committee.__class__"))
    assert found([problem]) == [(17, 15, "expr-dunder")]
    assert "名称 “__class__” 不允许以下划线开头" in problem.message


def test_expr_type_wrong_result(check):
    [problem] = check(variant("when: committee.elected", "when: members + 1"))
    assert found([problem]) == [(17, 15, "expr-type")]
    assert "此处需要布尔值，表达式 “members + 1” 的结果为数值" in problem.message


def test_expr_type_inside_expression(check):
    [problem] = check(variant("when: committee.elected", "when: members > 1 and union.name > 3"))
    assert found([problem]) == [(17, 15 + len("members > 1 and "), "expr-type")]
    assert "不能用 “>” 比较文本与数值" in problem.message


def test_expr_type_of_count(check):
    [problem] = check(variant("        when: committee.elected\n", "        count: committee.elected\n"))
    assert found([problem]) == [(17, 16, "expr-type")]
    assert "此处需要数值" in problem.message


def test_expr_unknown_name(check):
    [problem] = check(variant("when: committee.elected", "when: comittee.elected"))
    assert found([problem]) == [(17, 15, "expr-unknown-name")]
    assert "是否应为 “committee.elected”？" in problem.message
    assert problem.span == len("comittee.elected")


def test_expr_unknown_function(check):
    [problem] = check(variant("when: committee.elected", "when: years_sinse(members) <= 5"))
    assert found([problem]) == [(17, 15, "expr-unknown-function")]
    assert "未知函数 “years_sinse”，是否应为 “years_since”？" in problem.message


def test_expr_in_quoted_scalar_points_inside_quote(check):
    [problem] = check(variant("when: committee.elected", 'when: "members > 1 and comittee.elected"'))
    assert found([problem]) == [(17, 16 + len("members > 1 and "), "expr-unknown-name")]


def test_expr_error_in_tier(check):
    [problem] = check(variant(
        "        when: committee.elected\n",
        "        tiers:\n          - {when: members > 3, points: 5}\n          - {when: membrs > 1, points: 2}\n",
    ))
    assert found([problem]) == [(19, 20, "expr-unknown-name")]


def test_expr_error_in_gate(check):
    [problem] = check(variant("levels:", "gate: {when: union.type != 'joint' and employes >= 1}\nlevels:"))
    assert found([problem]) == [(18, 40, "expr-unknown-name")]


def test_expr_error_in_level_requires(check):
    [problem] = check(variant(
        "  - {id: good, name: 达标, min: 6}", "  - {id: good, name: 达标, min: 6, requires: ['s1.elected', 'members >> 1']}"
    ))
    assert found([problem]) == [(19, 60, "expr-forbidden")]


def test_expr_error_in_derive(check):
    [problem] = check(variant("sections:", "derive:\n  rate: ratio(members, employes)\nsections:"))
    assert found([problem]) == [(10, 24, "expr-unknown-name")]


def test_a_misspelt_derived_value_is_one_error_not_one_more_for_each_reader(check):
    """rate reading 「employes」: every item and fix reading rate had also been told 「未声明的名称 “rate”」."""
    text = variant("sections:", "derive:\n  rate: ratio(members, employes)\n  share: rate * 100\nsections:",
                   "when: committee.elected", "when: rate >= 0.9 and share > 1\n        fix: 入会率 {pct(rate)}。")
    assert found(check(text)) == [(10, 24, "expr-unknown-name")]


def test_every_misspelt_name_of_a_fix_text_is_told_and_the_item_still_has_its_fix(tmp_path):
    text = variant("when: committee.elected", "when: committee.elected\n        fix: 入会率 {pct(rat)}，再发展 {employes - members} 名。")
    (tmp_path / "rs.yaml").write_text(text, encoding="utf-8")
    problems = check_file(tmp_path / "rs.yaml")
    assert [(d.mark.line, d.mark.column, d.code) for d in problems if d.severity == "error"] == [(18, 23, "expr-unknown-name"), (18, 34, "expr-unknown-name")]
    assert "item-no-fix" not in {d.code for d in problems}


def test_template_brace(check):
    [problem] = check(variant("when: committee.elected", "when: committee.elected\n        fix: 请补充 {members 名"))
    assert found([problem]) == [(18, 18, "template-brace")]
    assert problem.message == "整改文本中的 “{” 没有配对的 “}”"


def test_a_fix_choice_ends_with_the_text_for_every_other_case(check):
    fix = "when: committee.elected\n        fix:\n          - {when: members < 25, text: 设经审员。}\n          - {when: members >= 25, text: 建经审委员会。}"
    [problem] = check(variant("when: committee.elected", fix))
    assert found([problem]) == [(20, 13, "fix-choice")]
    assert problem.message == "fix 的最后一项不写 when（其余情形的整改文本）"
    [problem] = check(variant("when: committee.elected", fix.replace("{when: members < 25, text:", "{text:").replace("{when: members >= 25, text:", "{text:")))
    assert found([problem]) == [(19, 13, "fix-choice")]
    assert problem.message == "fix 中除最后一项外，每一项都要写 when（这段整改文本适用的情形）"


def test_a_fix_list_of_one_says_to_write_the_text(check):
    [problem] = check(variant("when: committee.elected", "when: committee.elected\n        fix: [{text: 依法选举。}]"))
    assert (problem.code, problem.message) == ("fix-choice", "fix 列表只有一项：只有一段整改文本时直接写这段文本，不用列表")


def test_template_expression_error_points_into_fix(check):
    [problem] = check(variant("when: committee.elected", "when: committee.elected\n        fix: 再发展 {employes - members} 名"))
    assert found([problem]) == [(18, 19, "expr-unknown-name")]


# items and sections --------------------------------------------------------------------------

def test_item_kind_none(check):
    [problem] = check(variant("        when: committee.elected\n", ""))
    assert found([problem]) == [(14, 9, "item-kind")]
    assert problem.message == "指标 “s1.elected” 缺少计分方式：when、tiers、count、scale、shortfall、around、judged 或 deduct"


def test_item_kind_two(check):
    [problem] = check(variant("        when: committee.elected\n", "        when: committee.elected\n        count: members\n"))
    assert found([problem]) == [(14, 9, "item-kind")]
    assert "同时使用了 when、count，只能选一种计分方式" in problem.message


def test_deduct_kind_when_without_points(check):
    [problem] = check(variant("        when: committee.elected\n", "        deduct:\n          - {name: 缺, when: committee.elected}\n"))
    assert found([problem]) == [(18, 13, "deduct-kind")]
    assert problem.message == "扣分项应写 {when, points} 或 {count, each} 之一"


def test_deduct_kind_neither(check):
    [problem] = check(variant("        when: committee.elected\n", "        deduct:\n          - {name: 缺}\n"))
    assert found([problem]) == [(18, 13, "deduct-kind")]


def test_deduct_kind_both(check):
    [problem] = check(variant(
        "        when: committee.elected\n",
        "        deduct:\n          - {name: 缺, when: committee.elected, points: 1, count: members}\n",
    ))
    assert found([problem]) == [(18, 13, "deduct-kind")]


def test_scale_range(check):
    [problem] = check(variant("        when: committee.elected\n", "        scale: {value: members, from: 1, to: 1}\n"))
    assert found([problem]) == [(17, 16, "scale-range")]
    assert problem.message == "scale 的 from 与 to 不能相等"


def test_tier_points(check):
    [problem] = check(variant("        when: committee.elected\n", "        tiers:\n          - {when: members > 3, points: 12}\n"))
    assert found([problem]) == [(14, 9, "tier-points")]
    assert problem.message == "指标 “s1.elected” 的某档得分 12 超过满分 10"


def test_section_balance(check):
    diagnostics = check(variant("    max: 10\n", "    max: 12\n", "max_score: 10", "max_score: 12"))
    assert found(diagnostics) == [(10, 5, "section-balance")]
    assert "满分 12，下级合计 10" in diagnostics[0].message and "allow_unbalanced: true" in diagnostics[0].message


def test_allow_unbalanced_suppresses_section_balance(tmp_path):
    path = tmp_path / "rs.yaml"
    path.write_text(variant("    max: 10\n", "    max: 12\n    allow_unbalanced: true\n", "max_score: 10", "max_score: 12"), encoding="utf-8")
    assert load_ruleset(path).sections[0].max == 12


def test_max_score(check):
    [problem] = check(variant("max_score: 10", "max_score: 20"))
    assert found([problem]) == [(2, 3, "max-score")]
    assert problem.message == "max_score 为 20，各一级指标满分合计 10"


def test_duplicate_item_id(check):
    [problem] = check(variant(
        "        when: committee.elected\n",
        "        when: committee.elected\n      - {id: s1.elected, name: 再次, points: 0, when: true}\n",
    ))
    assert found([problem]) == [(18, 9, "duplicate-id")]
    assert problem.message == "id “s1.elected” 重复（第 14 行已使用）"


def test_duplicate_id_between_section_and_item(check):
    [problem] = check(variant("      - id: s1.elected", "      - id: s1"))
    assert found([problem]) == [(14, 9, "duplicate-id")]
    assert "第 10 行" in problem.message


def test_duplicate_level_id(check):
    [problem] = check(variant("  - {id: none, name: 未达标, min: 0}", "  - {id: good, name: 未达标, min: 0}"))
    assert found([problem]) == [(20, 5, "duplicate-id")]
    assert problem.message == "等级 id “good” 重复（第 19 行已使用）"


# levels and vetoes ---------------------------------------------------------------------------

def test_level_order(check):
    [problem] = check(variant("  - {id: none, name: 未达标, min: 0}", "  - {id: none, name: 未达标, min: 8}"))
    assert found([problem]) == [(20, 5, "level-order")]
    assert "“未达标” 的 min 高于上一级 “达标”" in problem.message


def test_level_section_min(check):
    [problem] = check(variant("  - {id: good, name: 达标, min: 6}", "  - {id: good, name: 达标, min: 6, section_min: {s9: 0.5}}"))
    assert found([problem]) == [(19, 5, "level-section-min")]
    assert "“s9” 不是一级指标 id" in problem.message


def test_level_requires_unknown(check):
    [problem] = check(variant("  - {id: good, name: 达标, min: 6}", "  - {id: good, name: 达标, min: 6, requires: [s1.elektid]}"))
    assert found([problem]) == [(19, 45, "level-requires-unknown")]
    assert "“s1.elektid” 既不是本规则集的指标 id" in problem.message


def test_level_requires_item_id_and_condition_are_fine(tmp_path):
    path = tmp_path / "rs.yaml"
    path.write_text(variant("  - {id: good, name: 达标, min: 6}", "  - {id: good, name: 达标, min: 6, requires: [s1.elected, 'members > 1']}"), encoding="utf-8")
    [first, second] = load_ruleset(path).levels[0].requires
    assert (first.item, first.cond) == ("s1.elected", None)
    assert second.item is None and second.cond.expr.text == "members > 1"


def test_veto_cap_level_unknown(check):
    [problem] = check(variant("levels:", "vetoes:\n  - {id: v1, name: 事故, when: members > 1, effect: cap, cap_level: bogus}\nlevels:"))
    assert found([problem]) == [(19, 5, "veto-cap-level")]
    assert "“bogus” 不是本规则集的等级 id" in problem.message


def test_veto_cap_level_missing(check):
    [problem] = check(variant("levels:", "vetoes:\n  - {id: v1, name: 事故, when: members > 1, effect: cap}\nlevels:"))
    assert found([problem]) == [(19, 5, "veto-cap-level")]
    assert problem.message.endswith("需要 cap_level")


# facts and derive ----------------------------------------------------------------------------

def test_fact_enum_without_values(check):
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", "  members: {type: enum, label: 会员人数}"))
    assert found([problem]) == [(7, 3, "fact-enum")]
    assert problem.message == "枚举事实 “members” 需要用 values 列出可选值"


def test_fact_enum_label_for_a_value_it_does_not_have(check):
    enum = "  members: {type: enum, label: 会员人数, values: [a, b], labels: {a: 甲, c: 丙}}"
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", enum))
    assert found([problem]) == [(7, 3, "fact-enum")]
    assert problem.message == "事实 “members” 的 labels 中 “c” 不是 values 中的可选值"


def test_fact_enum_value_given_twice(check):  # [none, adopted, adopted]: posted was meant, and fact files giving it were refused
    enum = "  members: {type: enum, label: 会员人数, values: [none, adopted, adopted]}"
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", enum))
    assert found([problem]) == [(7, 3, "fact-enum")]
    assert problem.message == "事实 “members” 的 values 中 “adopted” 重复"

def test_fact_list_without_items(check):
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", "  members: {type: list, label: 会员人数}"))
    assert found([problem]) == [(7, 3, "fact-list")]


def test_a_yes_no_fact_counted_per_year(check):  # only counts start again each year
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", "  members: {type: boolean, label: 会员人数, per: year}"))
    assert found([problem]) == [(7, 3, "fact-per")]
    assert problem.message == "事实 “members” 不是数值或列表，不能写 per: year：按年度统计、每年重新计数的只有次数、人数等数值"


@pytest.mark.parametrize("part_of", ["employes", "employees", "members"])  # undeclared, not yes/no, itself
def test_fact_part_of_names_a_yes_no_fact(check, part_of):
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", f"  members: {{type: integer, label: 会员人数, part_of: {part_of}}}"))
    assert found([problem]) == [(7, 3, "fact-reference")]
    assert problem.message == f"事实 “members” 的 part_of “{part_of}” 应是本规则集声明的另一个是/否事实（如 library.exists）"


@pytest.mark.parametrize(("declared", "at_most"), [("integer", "employes"), ("integer", "members"), ("boolean", "employees")])  # undeclared, itself, not a number
def test_fact_at_most_names_another_number(check, declared, at_most):
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", f"  members: {{type: {declared}, label: 会员人数, at_most: {at_most}}}"))
    assert found([problem]) == [(7, 3, "fact-reference")]
    assert problem.message == f"事实 “members” 的 at_most “{at_most}” 应是本规则集声明的另一个数值事实（如 members），且这个事实本身也是数值"


def test_members_keep_their_built_in_ceiling(check, tmp_path):  # a second ceiling would have replaced employees
    declared = "  members: {type: integer, label: 会员人数, unit: 人}\n  staff: {type: integer, label: 编制人数}"
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", declared.replace("人}\n", "人, at_most: staff}\n")))
    assert found([problem]) == [(7, 3, "fact-reference")]
    assert problem.message == "事实 “members” 已固定不能超过 “employees”，一个事实只能有一个 at_most：删去 at_most 或写 employees"
    (tmp_path / "same.yaml").write_text(variant("  members: {type: integer, label: 会员人数, unit: 人}", "  members: {type: integer, label: 会员人数, at_most: employees}"), encoding="utf-8")
    assert load_ruleset(tmp_path / "same.yaml").ceilings["members"] == "employees"


@pytest.mark.parametrize(("key", "code", "message"), [
    ("length: 4", "fact-list", "事实 “members” 不是列表，不能写 length：length 是列表的项数（如每季度一项写 4）"),
    ("past: true", "fact-past", "事实 “members” 不是日期，不能写 past：past 说明一个日期是已发生的事，不能晚于评估日期"),
])
def test_list_and_date_keys_only_on_lists_and_dates(check, key, code, message):
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", f"  members: {{type: integer, label: 会员人数, {key}}}"))
    assert found([problem]) == [(7, 3, code)]
    assert problem.message == message


def test_a_derived_value_may_read_one_written_after_it(tmp_path):
    text = variant("sections:", "derive:\n  rate: half * 2\n  half: ratio(members, employees) / 2\nsections:", "when: committee.elected", "when: rate >= 0.9")
    (tmp_path / "rs.yaml").write_text(text, encoding="utf-8")
    assert [name for name, _ in load_ruleset(tmp_path / "rs.yaml").derive] == ["half", "rate"]


def test_derived_values_reading_each_other_are_one_error(check):
    text = variant("sections:", "derive:\n  rate: half * 2\n  half: rate / 2\n  later: rate + 1\nsections:", "when: committee.elected", "when: later >= 0.9")
    [problem] = check(text)
    assert found([problem]) == [(10, 3, "derive-cycle")]
    assert problem.message == "派生值 “rate” → “half” → “rate” 互相读取，无法计算：请改写其中一个，不再读取另一个"


def test_fact_range(check):
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", "  members: {type: integer, label: 会员人数, min: 5, max: 1}"))
    assert found([problem]) == [(7, 3, "fact-range")]
    assert problem.message == "事实 “members” 的 min 大于 max"



@pytest.mark.parametrize("declared", ["{type: integer, label: 会员人数, unit: '%'}", "{type: list, items: integer, label: 会员人数, unit: '%'}"])
def test_fact_unit_percent_on_whole_numbers(check, declared):  # every union failed: 31 members read as 31%, not whole
    [problem] = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", f"  members: {declared}"))
    assert found([problem]) == [(7, 3, "fact-unit")]
    assert problem.message == "事实 “members” 的单位 % 表示比例（95% 即 0.95），只能用于 number 类型的事实"


@pytest.mark.parametrize("name", ["union.type", "results.bayou.level", "period"])
def test_fact_name_that_expressions_read_as_something_else(check, name):  # union.type read the header, never the fact
    problems = check(variant("  members: {type: integer, label: 会员人数, unit: 人}", f"  members: {{type: integer, label: 会员人数, unit: 人}}\n  {name}: {{type: string, label: 另一个}}"))
    assert [(p.mark.line, p.mark.column, p.code) for p in problems if p.code == "fact-reserved"] == [(8, 3, "fact-reserved")]
    assert f"事实名 “{name}” 已有所指" in problems[0].message

def test_derive_clash(check):
    [problem] = check(variant("sections:", "derive:\n  members: employees + 1\nsections:"))
    assert found([problem]) == [(10, 3, "derive-clash")]
    assert problem.message == "派生值 “members” 与已声明的事实同名"


# extends -------------------------------------------------------------------------------------

@pytest.fixture
def base_file(tmp_path) -> Path:
    path = tmp_path / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    return path


def test_extends_unknown(check):
    [problem] = check("extends: nothere.yaml\nruleset: {id: c1, name: 子}\n")
    assert found([problem]) == [(1, 10, "extends-unknown")]
    assert "“nothere.yaml”" in problem.message


def test_extends_cycle(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nruleset: {id: a, name: 甲}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nruleset: {id: b, name: 乙}\n", encoding="utf-8")
    [problem] = problems_of(tmp_path / "a.yaml")
    assert (problem.mark, problem.code) == (Mark(str(tmp_path / "b.yaml"), 1, 10), "extends-cycle")
    assert "a.yaml → b.yaml → a.yaml" in problem.message


def test_extends_self_is_a_cycle(check):
    [problem] = check("extends: rs.yaml\nruleset: {id: c, name: 子}\n")
    assert found([problem]) == [(1, 10, "extends-cycle")]


def test_extends_unknown_id_in_remove_override_and_add(check, base_file):
    diagnostics = check(
        "extends: base.yaml\nruleset: {id: c, name: 子}\nremove: [s1.nope]\noverride:\n  s1.gone: {points: 3}\n"
        "add:\n  - to: s9\n    items: [{id: n, name: 新, points: 0, when: true}]\n"
    )
    assert found(diagnostics) == [(3, 10, "extends-unknown-id"), (5, 3, "extends-unknown-id"), (7, 9, "extends-unknown-id")]
    assert [d.message for d in diagnostics] == [
        "要删除的 “s1.nope” 在上级规则集中不存在", "要覆盖的 “s1.gone” 在上级规则集中不存在", "要添加到的分项 “s9” 在上级规则集中不存在",
    ]


def test_extends_override_cannot_change_id(check, base_file):
    [problem] = check("extends: base.yaml\nruleset: {id: c, name: 子}\noverride:\n  s1.elected: {id: x}\n")
    assert found([problem]) == [(4, 3, "extends-override")]
    assert problem.message == "覆盖 “s1.elected” 应为字段映射，且不能修改 id"


def test_extends_add_items_needs_to(check, base_file):
    [problem] = check("extends: base.yaml\nruleset: {id: c, name: 子}\nadd:\n  - items: [{id: n, name: 新, points: 0, when: true}]\n")
    assert found([problem]) == [(4, 5, "extends-add")]
    assert problem.message == "添加指标时需要用 to 指明所属分项 id"


def test_error_from_parent_points_at_parent_file(check, base_file):
    [problem] = check("extends: base.yaml\nruleset: {id: c, name: 子}\noverride:\n  s1.elected: {points: 4}\n")
    assert (problem.mark, problem.code) == (Mark(str(base_file), 10, 5), "section-balance")


def test_error_in_override_points_at_child_file(check, base_file):
    [problem] = check("extends: base.yaml\nruleset: {id: c, name: 子}\noverride:\n  s1.elected: {when: comittee.elected}\n")
    assert (problem.mark.file.endswith("rs.yaml"), found([problem])) == (True, [(4, 22, "expr-unknown-name")])


# uses ----------------------------------------------------------------------------------------

USES = """\
ruleset: {{id: {id}, name: 用, max_score: 1}}
uses: [{uses}]
sections: [{{id: s, name: 分项, max: 1, items: [{{id: i, name: 指标, points: 1, when: true}}]}}]
"""


def test_uses_unknown(tmp_path):
    path = tmp_path / "ua.yaml"
    path.write_text(USES.format(id="ua", uses="ghost"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        resolve_rulesets([str(path)])
    [problem] = caught.value.diagnostics
    assert (problem.mark, problem.code) == (Mark(str(path), 2, 7), "uses-unknown")
    assert problem.message == "找不到 uses 引用的规则集 “ghost”"


def test_uses_cycle(tmp_path):
    (tmp_path / "ua.yaml").write_text(USES.format(id="ua", uses="ub"), encoding="utf-8")
    (tmp_path / "ub.yaml").write_text(USES.format(id="ub", uses="ua"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        resolve_rulesets([str(tmp_path / "ua.yaml")])
    [problem] = caught.value.diagnostics
    assert problem.code == "uses-cycle" and (problem.mark.line, problem.mark.column) == (2, 7)
    assert "uses 形成循环：" in problem.message and re.search(r"u[ab] → u[ab] → u[ab]", problem.message)


REFERENCES = """\
ruleset: {id: ua, name: 用, max_score: 2}
uses: [ub]
sections:
  - id: s
    name: 分项
    max: 2
    items:
      - {id: i, name: 指标, points: 1, when: "passed('ub', 'nope')"}
      - {id: j, name: 指标二, points: 1, when: "results.ub.items.k.outcome == 'pass'"}
"""


def test_references_to_items_of_used_rulesets_are_checked(tmp_path):
    (tmp_path / "ub.yaml").write_text(USES.format(id="ub", uses=""), encoding="utf-8")
    (tmp_path / "ua.yaml").write_text(REFERENCES, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        resolve_rulesets([str(tmp_path / "ua.yaml")])
    assert found(caught.value.diagnostics) == [(8, 45, "uses-unknown-item"), (9, 46, "uses-unknown-item")]
    assert "规则集 “ub” 中没有指标 “nope”" in caught.value.diagnostics[0].message


def test_a_used_ruleset_s_level_is_compared_with_its_ids(tmp_path):
    """A typo (`'dabaio'`) or a level's name compared with `results.<id>.level` never holds: every union would lose its points."""
    used = USES.format(id="ub", uses="") + "levels: [{id: good, name: 良好, min: 1}, {id: poor, name: 较差, min: 0}]\n"
    (tmp_path / "ub.yaml").write_text(used, encoding="utf-8")
    text = REFERENCES.replace("passed('ub', 'nope')", "results.ub.level == 'goood'").replace(
        "results.ub.items.k.outcome == 'pass'", "results.ub.level in ['poor', '良好', 'fair']")
    (tmp_path / "ua.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        resolve_rulesets([str(tmp_path / "ua.yaml")])
    assert found(caught.value.diagnostics) == [(8, 65, "uses-unknown-level"), (9, 75, "uses-unknown-level"), (9, 81, "uses-unknown-level")]
    assert [d.message for d in caught.value.diagnostics] == [
        "“goood” 不是规则集 “ub” 的等级 id，是否应为 “good”？",
        "“良好” 不是规则集 “ub” 的等级 id：这是等级名称，比较时写它的 id “good”",
        "“fair” 不是规则集 “ub” 的等级 id（等级 id 为 good、poor）",
    ]


def test_passed_naming_a_ruleset_outside_uses(tmp_path):
    (tmp_path / "ub.yaml").write_text(USES.format(id="ub", uses=""), encoding="utf-8")
    text = REFERENCES.replace("passed('ub', 'nope')", "passed('uc', 'i')").replace("items.k.", "items.i.")
    (tmp_path / "ua.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        resolve_rulesets([str(tmp_path / "ua.yaml")])
    [problem] = caught.value.diagnostics
    assert (problem.mark.line, problem.code) == (8, "uses-missing")
    assert "“uc” 不在本规则集的 uses 中" in problem.message


def test_uses_resolved_dependencies_first(tmp_path):
    (tmp_path / "ua.yaml").write_text(USES.format(id="ua", uses="ub"), encoding="utf-8")
    (tmp_path / "ub.yaml").write_text(USES.format(id="ub", uses=""), encoding="utf-8")
    assert [r.id for r in resolve_rulesets([str(tmp_path / "ua.yaml")])] == ["ub", "ua"]


# many problems at once -----------------------------------------------------------------------

def test_schema_problems_all_reported_sorted(check):
    diagnostics = check(variant(
        "  id: demo", "  id: Demo", "points: 10", "points: ten", "  - {id: none, name: 未达标, min: 0}", "  - {id: none, name: 未达标, mn: 0}",
    ))
    assert found(diagnostics) == [(2, 7, "schema-id"), (16, 17, "schema-type"), (20, 5, "schema-required"), (20, 27, "schema-unknown-key")]


def test_build_and_semantic_problems_all_reported_sorted(check):
    diagnostics = check(variant(
        "when: committee.elected", "when: comittee.elected\n        fix: 补 {x}",
        "max_score: 10", "max_score: 20",
        "  - {id: none, name: 未达标, min: 0}", "  - {id: none, name: 未达标, min: 9}",
    ))
    assert found(diagnostics) == [(2, 3, "max-score"), (17, 15, "expr-unknown-name"), (18, 17, "expr-unknown-name"), (21, 5, "level-order")]


def test_diagnostics_are_sorted_by_position(check):
    diagnostics = check(variant("points: 10", "points: -1", "  id: demo", "  id: 9demo"))
    positions = [(d.mark.line, d.mark.column) for d in diagnostics]
    assert positions == sorted(positions) and len(positions) == 2


# rendering -----------------------------------------------------------------------------------

def test_render_head_source_line_and_caret(check, tmp_path):
    [problem] = check(variant("when: committee.elected", "when: years_sinse(members) <= 5"))
    lines = problem.render().splitlines()
    assert lines[0] == (
        f"{tmp_path / 'rs.yaml'}:17:15: 错误 [expr-unknown-function] "
        "未知函数 “years_sinse”，是否应为 “years_since”？：“years_sinse(members) <= 5”"
    )
    assert lines[1] == "    17 |         when: years_sinse(members) <= 5"
    assert lines[2] == "       |               ^^^^^^^^^^^"


def test_render_without_source_is_one_line(check):
    [problem] = check(variant("when: committee.elected", "when: comittee.elected"))
    assert "\n" not in problem.render(with_source=False)
    assert re.fullmatch(r".*rs\.yaml:17:15: 错误 \[expr-unknown-name\] 未声明的名称 .*", problem.render(with_source=False))


def test_columns_count_characters_not_bytes(check):
    text = variant(
        "      - id: s1.elected\n        name: 依法选举\n        points: 10\n        when: committee.elected\n",
        "      - {id: s1.elected, name: 依法选举产生委员会, points: 10, when: comittee.elected}\n",
    )
    [problem] = check(text)
    line = text.splitlines()[13]
    assert found([problem]) == [(14, line.index("comittee") + 1, "expr-unknown-name")]
    assert line.index("comittee") + 1 != len(line[: line.index("comittee")].encode("utf-8")) + 1


def test_caret_is_padded_by_display_width(check):
    text = variant(
        "      - id: s1.elected\n        name: 依法选举\n        points: 10\n        when: committee.elected\n",
        "      - {id: s1.elected, name: 依法选举产生委员会, points: 10, when: comittee.elected}\n",
    )
    [problem] = check(text)
    _, source, caret = problem.render().splitlines()
    gutter = source.index("|") + 2
    prefix = source[gutter:][: problem.mark.column - 1]
    assert caret.index("^") == gutter + display_width(prefix)
    assert caret.count("^") == len("comittee.elected")


def test_caret_under_wide_characters_is_doubled(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("名称: 青山镇\n", encoding="utf-8")
    rendered = Diagnostic(Mark(str(path), 1, 5), "x-code", "说明", span=2).render()
    assert rendered.splitlines()[2] == "       | " + " " * 6 + "^^^^"


def test_render_without_line_has_no_excerpt(tmp_path):
    problem = Diagnostic(Mark(str(tmp_path / "gone.yaml")), "file-not-found", "文件不存在")
    assert problem.render() == f"{tmp_path / 'gone.yaml'}: 错误 [file-not-found] 文件不存在"


def test_invalid_input_renders_every_diagnostic(tmp_path):
    path = tmp_path / "rs.yaml"
    path.write_text(variant("points: 10", "points: -1", "  id: demo", "  id: 9demo"), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    error = caught.value
    assert error.exit_code == 1
    assert [line.split(" 错误 ")[0] for line in str(error).splitlines()] == [f"{path}:2:7:", f"{path}:16:17:"]
    rendered = error.render().splitlines()
    assert len(rendered) == 6 and rendered[1] == "     2 |   id: 9demo" and rendered[4] == "    16 |         points: -1"


def test_diagnostic_json_form():
    problem = Diagnostic(Mark("rs.yaml", 3, 7), "schema-id", "说明")
    assert problem.to_json() == {"file": "rs.yaml", "line": 3, "column": 7, "severity": "error", "code": "schema-id", "message": "说明"}


def test_warnings_alone_do_not_raise():
    problems = DiagnosticList()
    problems.add(Mark("rs.yaml", 1, 1), "some-warning", "提示", severity="warning")
    problems.raise_if_errors()
    assert Diagnostic(Mark("rs.yaml"), "w", "提示", "warning").render() == "rs.yaml: 警告 [w] 提示"
