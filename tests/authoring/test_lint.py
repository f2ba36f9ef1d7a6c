"""Lint warnings (`unionscore check`): each fires on a small ruleset at its line, and not on the good one."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import cli
from engine.authoring.lint import check_file
from engine.language.expr_parse import parse
from engine.language.implication import implies, never_holds

GOOD = """
ruleset: {id: demo, name: 演示标准, version: '1', max_score: 10}
facts:
  employees: {type: integer, min: 0, label: 职工人数, unit: 人, change: none}
  members: {type: integer, min: 0, label: 会员人数, unit: 人, change: up}
  elected: {type: boolean, label: 依法选举}
  kind: {type: enum, values: [a, b], label: 类别, change: none}
derive:
  rate: ratio(members, employees)
sections:
  - id: zuzhi
    name: 组织
    max: 10
    items:
      - id: zuzhi.rate
        name: 入会率
        points: 6
        tiers:
          - {when: rate >= 0.95, points: 6}
          - {when: rate >= 0.85, points: 3}
        evidence: [会员名册]
        fix: 入会率 {pct(rate)}，再发展会员 {ceil(employees * 0.95) - members} 名可达 95%。
      - id: zuzhi.elected
        name: 依法选举
        points: 4
        when: elected and kind == 'a'
        evidence: [选举结果报告]
        fix: 召开会员大会依法选举。
levels:
  - {id: good, name: 达标, min: 8}
  - {id: basic, name: 基本达标, min: 5}
  - {id: none, name: 未达标, min: 0}
"""


def warnings_of(write, text: str, name: str = "demo.yaml") -> list:
    return check_file(write(name, text))


def codes(found: list) -> list[tuple[str, int]]:
    return [(d.code, d.mark.line) for d in found]


def line_of(text: str, fragment: str) -> int:
    """1-based line of a fragment in a ruleset text as `write` saves it (leading newline stripped)."""
    return next(n for n, line in enumerate(text.lstrip("\n").splitlines(), 1) if fragment in line)


def test_the_good_ruleset_has_no_warnings(write):
    assert warnings_of(write, GOOD) == []


# tiers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("second", ["rate >= 0.97", "rate >= 0.95", "0.95 <= rate", "rate >= 0.95 and kind == 'a'", "rate == 1"])
def test_a_tier_an_earlier_tier_always_covers_is_dead(write, second):
    text = GOOD.replace("{when: rate >= 0.85, points: 3}", f'{{when: "{second}", points: 3}}')
    [found] = warnings_of(write, text)
    assert (found.code, found.severity, found.mark.line) == ("tier-dead", "warning", line_of(text, f'"{second}"'))
    assert found.message.startswith("指标 “zuzhi.rate” 的第 2 档")
    assert "第 1 档已经成立" in found.message


@pytest.mark.parametrize("second", ["rate >= 0.85", "rate > 0.9 or kind == 'b'", "kind == 'a'", "rate >= 0.96 or rate < 0.5"])
def test_a_tier_that_can_hold_alone_is_not_dead(write, second):
    assert warnings_of(write, GOOD.replace("rate >= 0.85", second)) == []


def test_tiers_whose_points_do_not_fall(write):
    text = GOOD.replace("{when: rate >= 0.85, points: 3}", "{when: rate >= 0.85, points: 6}")
    [found] = warnings_of(write, text)
    assert codes([found]) == [("tier-order", line_of(text, "rate >= 0.85"))]
    assert "第 2 档得 6 分，等于上一档的 6 分" in found.message
    rising = GOOD.replace("{when: rate >= 0.95, points: 6}", "{when: rate >= 0.95, points: 2}")
    [found] = warnings_of(write, rising)
    assert "高于上一档的 2 分" in found.message


@pytest.mark.parametrize("stronger, weaker, expected", [
    ("x >= 0.85", "x >= 0.70", True),
    ("x >= 0.70", "x >= 0.85", False),
    ("0.5 <= x < 0.8", "x > 0.4", True),
    ("t == 'a'", "t in ['a', 'b']", True),
    ("t in ['a', 'b']", "t == 'a'", False),
    ("not x < 3", "x >= 3", True),
    ("a and x >= 1", "x >= 1", True),
    ("x >= 1", "a and x >= 1", False),
    ("y", "x or y", True),
    ("years_since(d) <= t", "years_since(d) <= t + 1", False),  # true, but not decidable by constants: no claim
])
def test_implication_is_sound(stronger, weaker, expected):
    assert implies(parse(stronger), parse(weaker)) is expected


@pytest.mark.parametrize("conditions, expected", [
    (["x >= 5", "x < 3"], True),
    (["x >= 5", "x < 6"], False),
    (["a and not a"], True),
    (["t == 'a'", "t == 'b'"], True),
    (["false"], True),
    (["x > y", "x < y"], False),  # a contradiction, but not between constants: no claim
])
def test_contradiction_is_sound(conditions, expected):
    assert never_holds([parse(c) for c in conditions]) is expected


# levels -----------------------------------------------------------------------------------------

def test_a_level_above_the_highest_score_is_unreachable(write):
    text = GOOD.replace("  - {id: good, name: 达标, min: 8}", "  - {id: top, name: 优秀, min: 11}\n  - {id: good, name: 达标, min: 8}")
    [found] = warnings_of(write, text)
    assert codes([found]) == [("level-unreachable", line_of(text, "id: top"))]
    assert found.message == "等级 “优秀”（top）无法达到：min 为 11，高于可能的最高分 10"


def test_a_bonus_that_counts_for_levels_makes_it_reachable(write):
    text = GOOD.replace("  - {id: good, name: 达标, min: 8}", "  - {id: top, name: 优秀, min: 11}\n  - {id: good, name: 达标, min: 8}")
    bonus = ("bonus:\n  max: 2\n  counts_for_level: true\n  items:\n"
             "    - {id: bonus.x, name: 表彰, points: 3, when: elected, evidence: [表彰文件], fix: 争创表彰。}\n")
    assert warnings_of(write, text + bonus) == []
    assert codes(warnings_of(write, text + bonus.replace("counts_for_level: true", "counts_for_level: false")))[0][0] == "level-unreachable"


@pytest.mark.parametrize("requires", ['["employees >= 100", "employees < 50"]', "[\"kind == 'c'\"]", '["members < 0"]'])
def test_requirements_that_never_hold_make_a_level_unreachable(write, requires):
    text = GOOD.replace("{id: good, name: 达标, min: 8}", f"{{id: good, name: 达标, min: 8, requires: {requires}}}")
    [found] = warnings_of(write, text)
    assert codes([found]) == [("level-unreachable", line_of(text, "id: good"))]
    assert "requires 中的条件不可能同时成立" in found.message


@pytest.mark.parametrize("requires", ['["employees >= 100", "employees < 500"]', "[\"kind == 'b'\"]", '["zuzhi.elected"]'])
def test_requirements_that_can_hold_leave_the_level_alone(write, requires):
    text = GOOD.replace("{id: good, name: 达标, min: 8}", f"{{id: good, name: 达标, min: 8, requires: {requires}}}")
    assert warnings_of(write, text) == []


@pytest.mark.parametrize("gate", ["employees >= 100 and employees < 50", "kind == 'c'", "members < 0", "false"])
def test_a_gate_that_never_holds(write, gate):  # passed --strict, and every union was 不具备申报资格
    text = GOOD.replace("levels:", f'gate: {{when: "{gate}"}}\nlevels:')
    [found] = warnings_of(write, text)
    assert codes([found]) == [("gate-never", line_of(text, "gate:"))]
    assert found.message == f"申报条件 “{gate}” 不可能成立：每个单位都将“不具备申报资格”，不评定等级"


def test_a_gate_that_can_hold_is_left_alone(write):
    assert warnings_of(write, GOOD.replace("levels:", 'gate: {when: "employees >= 1 and kind == \'a\'"}\nlevels:')) == []


def test_a_level_behind_one_that_asks_no_more_is_unreachable_unless_a_cap_separates_them(write):
    text = GOOD.replace("{id: basic, name: 基本达标, min: 5}", "{id: basic, name: 基本达标, min: 8}")
    [found] = warnings_of(write, text)
    assert codes([found]) == [("level-unreachable", line_of(text, "id: basic"))]
    assert "上面的等级 “达标” 的条件不比它严格" in found.message
    capped = text.replace("levels:", "vetoes:\n  - {id: veto.x, name: 否决, when: members > 1000, effect: cap, cap_level: basic}\nlevels:")
    assert warnings_of(write, capped) == []


def test_a_level_below_a_cohort_level_with_the_same_min_is_reachable(write):
    """「每个乡镇推荐 1 名模范，其余 8 分以上为达标」: the unions the cohort does not choose go on to the level below."""
    text = GOOD.replace("{id: good, name: 达标, min: 8}", "{id: model, name: 模范, min: 8, cohort: {top: 1, per: township}}\n  - {id: good, name: 达标, min: 8}")
    assert warnings_of(write, text) == []

def test_a_used_rulesets_level_that_does_not_exist(write):
    write("base.yaml", GOOD.replace("id: demo", "id: base"))
    top = GOOD.replace("id: demo", "id: top").replace("ruleset:", "uses: [base]\nruleset:", 1)
    wrong = top.replace("{id: good, name: 达标, min: 8}", "{id: good, name: 达标, min: 8, requires: [\"results.base.level == 'gold'\"]}")
    # refused at load: a level id the used ruleset lacks never holds (it was only a warning, level-unreachable)
    assert codes(warnings_of(write, wrong, "top.yaml")) == [("uses-unknown-level", line_of(wrong, "id: good"))]
    right = wrong.replace("'gold'", "'good'")
    assert warnings_of(write, right, "top.yaml") == []


# facts, items, sections, ids --------------------------------------------------------------------

def test_a_fact_or_derived_value_nobody_reads(write):
    text = GOOD.replace("derive:\n", "  spare: {type: integer, label: 备用}\nderive:\n  unused_rate: ratio(elected_count, employees)\n")
    text = text.replace("  spare:", "  elected_count: {type: integer, label: 选举次数}\n  spare:")
    found = warnings_of(write, text)
    assert codes(found) == [
        ("fact-unused", line_of(text, "elected_count:")),
        ("fact-unused", line_of(text, "spare:")),
        ("derive-unused", line_of(text, "unused_rate:")),
    ]
    assert found[1].message == "事实 “spare”（备用）已声明，但没有任何指标、否决项、申报条件或等级读取它"


def test_items_without_fix_or_evidence(write):
    text = GOOD.replace("        evidence: [选举结果报告]\n        fix: 召开会员大会依法选举。\n", "")
    found = warnings_of(write, text)
    assert codes(found) == [("item-no-evidence", line_of(text, "id: zuzhi.elected")), ("item-no-fix", line_of(text, "id: zuzhi.elected"))]
    assert found[1].message == "指标 “zuzhi.elected” 没有 fix（整改措施）；考核表原文没有的，写 unstated: [fix] 或 [evidence] 说明"


def test_a_fix_quoting_a_fact_its_item_does_not_read(write):
    text = GOOD.replace("fix: 召开会员大会依法选举。", "fix: 会员 {members} 人，召开会员大会依法选举。")
    [found] = warnings_of(write, text)
    line = line_of(text, "fix: 会员 {members}")
    column = text.lstrip("\n").splitlines()[line - 1].index("members") + 1
    assert (found.code, found.mark.line, found.mark.column, found.span) == ("fix-unread-fact", line, column, len("members"))
    assert "“会员人数”（members）" in found.message


def test_a_deduction_s_fix_quoting_a_fact_its_item_does_not_read(write):
    """Checked as the item's own fix is; a choice's `when` reading such a fact is fine (missing data: the next option)."""
    deduction = "        deduct:\n          - {when: not elected, points: 1, name: 未选举, fix: \"会员 {members} 人，应依法选举。\"}\n"
    text = GOOD.replace("        fix: 召开会员大会依法选举。\n", deduction + "        fix: [{when: members > 10, text: 召开会员大会。}, {text: 召开全体会员大会。}]\n")
    [found] = warnings_of(write, text)
    assert (found.code, found.mark.line) == ("fix-unread-fact", line_of(text, "fix: \"会员 {members}"))


def test_a_fix_quoting_a_derived_value_names_the_facts_behind_it(write):
    text = GOOD.replace("fix: 召开会员大会依法选举。", "fix: 入会率 {pct(rate)}，召开会员大会依法选举。")
    [found] = warnings_of(write, text)
    assert found.code == "fix-unread-fact"
    assert "引用的 “rate” 依赖“职工人数”（employees）、“会员人数”（members）" in found.message


def test_an_unbalanced_section_is_a_warning(write):
    text = GOOD.replace("max_score: 10", "max_score: 12").replace("    max: 10\n", "    max: 12\n    allow_unbalanced: true\n")
    [found] = warnings_of(write, text)
    assert codes([found]) == [("section-unbalanced", line_of(text, "- id: zuzhi"))]
    assert found.message == "分项 “组织”（zuzhi）满分 12，下级合计 10（allow_unbalanced）"


def test_ids_that_differ_only_in_case(write):
    text = GOOD.replace("id: zuzhi.elected", "id: ZuZhi.Rate").replace("{id: none, name: 未达标", "{id: Good, name: 未达标")
    found = warnings_of(write, text)
    assert codes(found) == [("id-case", line_of(text, "id: ZuZhi.Rate")), ("id-case", line_of(text, "id: Good"))]
    assert found[0].message == f"“ZuZhi.Rate” 与第 {line_of(text, 'id: zuzhi.rate')} 行的 “zuzhi.rate” 只有大小写不同"


def test_an_owners_rule_for_an_owner_nothing_has_is_told_with_the_closest(write):
    text = GOOD.replace("levels:", """owners:
  - {owner: 工会委员会, when: "kind == 'b'", instead: 工会主席}
  - {owner: 工会办公室, when: "kind == 'b'", instead: 工会主席}
levels:""", 1).replace("        fix: 召开会员大会依法选举。", "        fix: 召开会员大会依法选举。\n        owner: 工会办公室（专职工会干部）")
    [found] = warnings_of(write, text)  # the first is the default owner of every item without its own
    assert codes([found]) == [("owner-unknown", line_of(text, "owner: 工会办公室, when"))]
    assert found.message == "owners 中的 “工会办公室” 不是任何指标、分项的责任人，这一条不会用上（是否指 “工会办公室（专职工会干部）”？）"


def test_an_owners_rule_reads_only_declared_facts(write):
    text = GOOD.replace("levels:", "owners:\n  - {owner: 工会委员会, when: staff.fulltime == 0, instead: 工会主席}\nlevels:", 1)
    found = warnings_of(write, text)
    assert [(d.code, d.severity) for d in found] == [("expr-unknown-name", "error")]
    assert found[0].mark.line == line_of(text, "owner: 工会委员会, when: staff")


# the command ------------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("label, why", [
    ("会员人数", "与第 4 行的事实 “members” 相同，以它为表头的列无法对应，会被忽略"),  # the column was ignored: 缺资料
    ("类型", "是表格中工会信息的表头，以它为表头的列读作工会信息"),  # the column was read as the union's type
])
def test_a_fact_label_a_spreadsheet_column_cannot_be_matched_by(write, label, why):
    text = GOOD.replace("label: 类别", f"label: {label}")
    [found] = warnings_of(write, text)
    assert codes([found]) == [("label-clash", line_of(text, "kind: {type: enum"))]
    assert found.message == f"事实 “kind” 的名称 “{label}” {why}；请改用别的名称"

def test_check_prints_warnings_and_a_summary_and_passes(write):
    path = write("demo.yaml", GOOD.replace("        evidence: [选举结果报告]\n", ""))
    result = run("check", str(path))
    assert result.exit_code == 0
    assert f"{path}:{line_of(GOOD, 'id: zuzhi.elected')}:9: 警告 [item-no-evidence] 指标 “zuzhi.elected” 没有 evidence" in result.stderr
    assert "      - id: zuzhi.elected" in result.stderr  # the source line under the message
    assert result.stdout.splitlines() == [f"通过 {path}（1 个警告）", "检查了 1 个规则集：0 个错误，1 个警告"]


def test_strict_counts_warnings_as_errors(write):
    path = write("demo.yaml", GOOD.replace("        evidence: [选举结果报告]\n", ""))
    result = run("check", "--strict", str(path))
    assert result.exit_code == 1
    assert "错误 [item-no-evidence]" in result.stderr
    assert result.stdout.splitlines() == ["检查了 1 个规则集：1 个错误，0 个警告"]
    assert run("check", "--strict", str(write("good.yaml", GOOD))).exit_code == 0


def test_errors_fail_without_strict_and_are_counted(write):
    path = write("demo.yaml", GOOD.replace("when: elected and", "when: elected_x and"))
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "错误 [expr-unknown-name]" in result.stderr
    assert result.stdout.splitlines() == ["检查了 1 个规则集：1 个错误，0 个警告"]


def test_a_file_that_does_not_parse_leaves_the_others_checked(write, tmp_path):
    (tmp_path / "rules").mkdir()
    good = write("rules/a_good.yaml", GOOD)
    broken = write("rules/other.yaml", GOOD.replace("id: demo", "id: other").replace("[选举结果报告]", "[选举结果报告", 1))
    write("rules/top.yaml", GOOD.replace("id: demo", "id: top").replace("ruleset:", "uses: [other]\nruleset:", 1))
    result = run("check", str(tmp_path / "rules"))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"通过 {good}", "检查了 3 个规则集：1 个错误，0 个警告"]
    assert result.stderr.startswith(f"{broken}:") and result.stderr.count("[yaml-syntax]") == 1  # top.yaml uses it


def test_check_json_lists_the_diagnostics(write):
    path = write("demo.yaml", GOOD.replace("        evidence: [选举结果报告]\n", ""))
    result = run("check", "--format", "json", str(path))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{
        "file": str(path), "line": line_of(GOOD, "id: zuzhi.elected"), "column": 9, "severity": "warning",
        "code": "item-no-evidence", "message": "指标 “zuzhi.elected” 没有 evidence（需准备的台账资料）；考核表原文没有的，写 unstated: [fix] 或 [evidence] 说明",
    }]
    strict = json.loads(run("check", "--strict", "--format", "json", str(path)).stdout)
    assert [d["severity"] for d in strict] == ["error"]
    assert json.loads(run("check", "--format", "json", str(write("good.yaml", GOOD))).stdout) == []


def test_check_loads_what_a_ruleset_uses(write):
    write("base.yaml", GOOD.replace("id: demo", "id: base").replace("when: elected and", "when: elected_x and"))
    top = write("top.yaml", GOOD.replace("id: demo", "id: top").replace("ruleset:", "uses: [base]\nruleset:", 1))
    result = run("check", str(top))
    assert result.exit_code == 1
    assert "base.yaml:" in result.stderr and "[expr-unknown-name]" in result.stderr


def test_check_reports_references_to_items_a_used_ruleset_lacks(write):
    write("base.yaml", GOOD.replace("id: demo", "id: base"))
    text = GOOD.replace("id: demo", "id: top").replace("ruleset:", "uses: [base]\nruleset:", 1)
    top = write("top.yaml", text.replace("when: elected and kind == 'a'", "when: \"passed('base', 'zuzhi.nope')\""))
    result = run("check", str(top))
    assert result.exit_code == 1
    assert "[uses-unknown-item] 规则集 “base” 中没有指标 “zuzhi.nope”" in result.stderr


def test_the_bundled_rulesets_pass_strict_check():
    result = run("check", "--strict", "rulesets/")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "检查了 4 个规则集：0 个错误，0 个警告"


def test_facts_read_by_a_ratio_a_veto_or_a_level_must_say_how_they_change(write):
    path = write("d.yaml", """
ruleset: {id: d, name: 方向, version: '1', max_score: 10}
facts:
  members: {type: integer, label: 会员人数, unit: 人}
  employees: {type: integer, label: 职工人数, unit: 人, change: none}
  enrolled: {type: integer, label: 参保人数, unit: 人, change: up}
  incidents: {type: integer, label: 本年度重大事故, unit: 起}
  a: {type: boolean, label: 甲}
derive:
  rate: ratio(enrolled, members)
sections:
  - id: s
    name: 一
    max: 10
    items:
      - {id: s.rate, name: 参保率, points: 5, when: rate >= 0.9, fix: 动员参保。, evidence: 名册}
      - {id: s.a, name: 甲, points: 5, when: a, fix: 做到。, evidence: 记录}
vetoes:
  - {id: veto.x, name: 重大事故, when: incidents > 0, effect: disqualify}
levels:
  - {id: good, name: 好, min: 8}
  - {id: low, name: 差, min: 0}
""")
    found = [(d.code, d.mark.line, d.message) for d in check_file(path) if d.code == "fact-direction"]
    assert [(code, line) for code, line, _ in found] == [("fact-direction", 3), ("fact-direction", 6)]
    assert "被比率读取" in found[0][2] and "被否决项“重大事故”读取" in found[1][2]
