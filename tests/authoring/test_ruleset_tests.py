"""Ruleset tests: inline `tests:`, sibling `<id>.tests.yaml` with `defaults`, `results:` stubs, expectations."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine import InvalidInput, load_ruleset, resolve_rulesets, run_tests
from engine.authoring.ruleset_tests import load_tests

RULESET = """
ruleset: {id: demo, name: 演示标准, version: '1', max_score: 10}
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  committee.elected: {type: boolean, label: 依法选举}
  committee.size: {type: integer, label: 委员人数}
  committee.last_election: {type: date, label: 上次换届日期}
  incidents: {type: integer, label: 重大事故数}
derive:
  rate: ratio(members, employees)
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - id: rate
        name: 入会率
        points: 4
        tiers:
          - {when: rate >= 0.95, points: 4}
          - {when: rate >= 0.8, points: 2}
      - {id: elected, name: 依法选举, points: 2, when: committee.elected and committee.size >= 3}
      - {id: term, name: 按期换届, points: 2, when: years_since(committee.last_election) <= 5}
      - {id: third, name: 三分之一, points: 2, scale: {value: members, from: 0, to: 3}, applies_if: employees < 10}
vetoes:
  - {id: veto.accident, name: 重大事故, when: incidents > 0, effect: disqualify}
levels:
  - {id: good, name: 达标, min: 8}
  - {id: basic, name: 基本达标, min: 5}
"""

GOOD = "{employees: 100, members: 96, committee: {elected: true, size: 5, last_election: 2023-05-12}, incidents: 0}"


def inline(*tests: str) -> str:
    return RULESET + "tests:\n" + "".join(tests)


def case(name: str, expect: str, facts: str = GOOD, extra: str = "") -> str:
    return f"  - name: {name}\n    facts: {facts}\n    expect: {expect}\n{extra}"


def outcomes(ruleset, evaluator) -> dict[str, list[str]]:
    return {o.name: o.problems for o in run_tests(ruleset, [ruleset], evaluator)}


def test_inline_test_that_holds(write, evaluator):
    ruleset = load_ruleset(write("demo.yaml", inline(case("全部达标", "{score: 10, level: good, eligible: true}"))))
    assert outcomes(ruleset, evaluator) == {"全部达标": []}


def test_each_expect_field_is_checked(write, evaluator):
    expect = "{score: 9, level: basic, eligible: false, items: {rate: 2}, outcomes: {elected: fail}, vetoes: [veto.accident]}"
    ruleset = load_ruleset(write("demo.yaml", inline(case("全错", expect))))
    problems = outcomes(ruleset, evaluator)["全错"]
    assert problems == [
        "score：期望 9，实际 10",
        "level：期望 basic，实际 good",
        "eligible：期望 false，实际 true",
        "vetoes：期望 [veto.accident]，实际 []",
        "items.rate：期望 2 分，实际 4",
        "outcomes.elected：期望 fail，实际 pass",
    ]


@pytest.mark.parametrize("expect, fragment", [
    ("{score: 9}", "score：期望 9，实际 10"),
    ("{level: basic}", "level：期望 basic，实际 good"),
    ("{level: null}", "level：期望 无，实际 good"),
    ("{eligible: false}", "eligible：期望 false，实际 true"),
    ("{items: {term: 0}}", "items.term：期望 0 分，实际 2"),
    ("{outcomes: {third: pass}}", "outcomes.third：期望 pass，实际 na"),
    ("{vetoes: [veto.accident]}", "vetoes：期望 [veto.accident]，实际 []"),
])
def test_a_single_wrong_expectation_is_reported(write, evaluator, expect, fragment):
    ruleset = load_ruleset(write("demo.yaml", inline(case("一项不符", expect))))
    assert outcomes(ruleset, evaluator)["一项不符"] == [fragment]


def test_score_matches_when_equal_at_two_decimals(write, evaluator):
    facts = "{employees: 5, members: 2, committee: {elected: false, size: 1, last_election: 2010-01-01}, incidents: 0}"
    text = inline(case("三分之二", "{score: 1.33, items: {third: 1.33}, outcomes: {third: partial}}", facts))
    assert outcomes(load_ruleset(write("demo.yaml", text)), evaluator) == {"三分之二": []}


def test_as_of_and_period_in_a_test(write, evaluator):
    facts = "{employees: 100, members: 96, committee: {elected: true, size: 5, last_election: 2019-06-01}, incidents: 0}"
    text = inline(
        case("年底已超五年", "{items: {term: 0}}", facts),
        case("年中未满五年", "{items: {term: 2}}", facts, "    as_of: 2024-05-31\n"),
        case("早一年度", "{items: {term: 2}}", facts, "    period: 2023\n"),
    )
    assert outcomes(load_ruleset(write("demo.yaml", text)), evaluator) == {"年底已超五年": [], "年中未满五年": [], "早一年度": []}


def test_invalid_facts_in_a_test_are_its_problems(write, evaluator):
    facts = "{employees: 10, members: 20}"
    ruleset = load_ruleset(write("demo.yaml", inline(case("会员多于职工", "{score: 0}", facts))))
    [problem] = outcomes(ruleset, evaluator)["会员多于职工"]
    assert "[fact-members]" in problem and "会员人数（members）20 大于职工人数（employees）10" in problem


def test_tests_do_not_change_the_ruleset_hash(write):
    plain = load_ruleset(write("demo.yaml", RULESET)).hash
    tested = load_ruleset(write("demo.yaml", inline(case("全部达标", "{score: 10}")))).hash
    assert plain == tested



def test_a_tests_union_type_is_read_as_a_fact_files(write):
    text = inline(case("机关", "{score: 10}", extra="    union: {type: 机关}\n"), case("小组", "{score: 10}", extra="    union: {type: 工会小组}\n"))
    tests = load_tests(load_ruleset(write("demo.yaml", text)))
    assert [t.fact_file().union["type"] for t in tests] == ["government", "group"]  # were 机关 and 工会小组: no gate held


@pytest.mark.parametrize("extra, code, line", [
    ("    union: {type: martian}\n", "fact-union-type", 34), ("    union: {type: [a, b]}\n", "fact-union-type", 34),
    ("    period: 0\n", "fact-period", 34),  # stopped `test` with an internal error (year 0 is out of range)
])
def test_a_bad_union_type_or_period_in_a_test_is_a_load_error_at_its_line(write, extra, code, line):
    ruleset = load_ruleset(write("demo.yaml", inline(case("坏", "{score: 10}", extra=extra))))
    with pytest.raises(InvalidInput) as caught:
        load_tests(ruleset)
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.mark.line) == (code, line)

# --- sibling <id>.tests.yaml ---------------------------------------------------------------------

SIBLING = """
defaults:
  union: {type: enterprise, name: 默认工会}
  facts:
    employees: 100
    members: 96
    committee: {elected: true, size: 5, last_election: 2023-05-12}
    incidents: 0
tests:
  - name: 默认全部达标
    expect: {score: 10, level: good}
  - name: 只改委员人数，其余默认事实保留
    facts: {committee: {size: 2}}
    expect: {items: {elected: 0, term: 2}, score: 8}
  - name: null 表示缺少该事实
    facts: {members: null}
    expect: {outcomes: {rate: missing}, score: 6, level: basic}
  - name: 工会小组不适用
    union: {type: group}
    facts: {employees: 8, members: 8}
    expect: {outcomes: {third: pass}}
"""


def test_sibling_tests_file_with_deep_merged_defaults(write, evaluator):
    write("demo.tests.yaml", SIBLING)
    ruleset = load_ruleset(write("demo.yaml", RULESET))
    assert outcomes(ruleset, evaluator) == {
        "默认全部达标": [], "只改委员人数，其余默认事实保留": [], "null 表示缺少该事实": [], "工会小组不适用": [],
    }


def test_sibling_tests_come_after_inline_tests(write, evaluator):
    write("demo.tests.yaml", SIBLING)
    ruleset = load_ruleset(write("demo.yaml", inline(case("行内", "{score: 10}"))))
    assert [t.name for t in load_tests(ruleset)][:2] == ["行内", "默认全部达标"]
    assert len(load_tests(ruleset)) == 5


def test_sibling_test_failure_is_reported(write, evaluator):
    write("demo.tests.yaml", SIBLING.replace("expect: {score: 10, level: good}", "expect: {score: 7}"))
    problems = outcomes(load_ruleset(write("demo.yaml", RULESET)), evaluator)
    assert problems["默认全部达标"] == ["score：期望 7，实际 10"]


def test_sibling_tests_file_with_a_schema_error_points_at_its_line(write):
    tests_file = write("demo.tests.yaml", SIBLING.replace("expect: {score: 10, level: good}", "expect: {scor: 10}"))
    ruleset = load_ruleset(write("demo.yaml", RULESET))  # a broken tests file does not stop assessing
    with pytest.raises(InvalidInput) as caught:
        load_tests(ruleset)
    [problem] = caught.value.diagnostics
    assert Path(problem.mark.file) == tests_file
    assert (problem.mark.line, problem.code) == (10, "schema-unknown-key")



def test_unknown_keys_of_text_and_number_in_a_tests_file_are_a_schema_error(write):
    tests_file = write("demo.tests.yaml", SIBLING.replace("expect: {score: 10, level: good}", "expect: {score: 10}\n    1: 2\n    scor: 3"))
    ruleset = load_ruleset(write("demo.yaml", RULESET))
    with pytest.raises(InvalidInput) as caught:  # sorting the unknown keys 1 and scor stopped with an internal error
        load_tests(ruleset)
    [problem] = caught.value.diagnostics
    assert (Path(problem.mark.file), problem.mark.line, problem.code) == (tests_file, 11, "schema-unknown-key")

# --- results: stubs for used rulesets -----------------------------------------------------------

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
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - {id: top.level, name: 基础达标, points: 4, when: "results.base.level == 'good'"}
      - {id: top.score, name: 基础得分, points: 4, scale: {value: results.base.score, from: 0, to: 10}}
      - {id: top.passed, name: 选举, points: 2, when: "passed('base', 'base.elected')"}
levels:
  - {id: star, name: 星级, min: 8}
  - {id: none, name: 无, min: 0}
tests:
  - name: 用 results 给出基础结果
    results:
      base: {level: good, score: 10, items: {base.elected: pass}}
    expect: {score: 10, level: star}
  - name: 基础结果较差
    results:
      base: {level: low, score: 5, items: {base.elected: fail}}
    expect: {items: {top.level: 0, top.score: 2, top.passed: 0}, level: none}
  - name: 基础未定级
    results:
      base: {score: 5, eligible: false, items: {base.elected: na}}
    expect: {outcomes: {top.level: fail, top.passed: pass}, items: {top.score: 2}}
  - name: 不给 results 时按事实评估所用规则集
    facts: {elected: true}
    expect: {score: 10}
"""


def test_results_stubs_stand_in_for_used_rulesets(write, evaluator):
    write("base.yaml", BASE)
    rulesets = resolve_rulesets([str(write("top.yaml", TOP))])
    top = rulesets[-1]
    assert {o.name: o.problems for o in run_tests(top, rulesets, evaluator)} == {
        "用 results 给出基础结果": [], "基础结果较差": [], "基础未定级": [], "不给 results 时按事实评估所用规则集": [],
    }



def test_a_results_stub_that_is_not_a_result_is_a_schema_error(write):
    write("base.yaml", BASE)
    text = TOP.replace("base: {level: good, score: 10, items: {base.elected: pass}}", "base: {level: good, score: 满分}")
    with pytest.raises(InvalidInput) as caught:  # stopped `test` with an internal error (Fraction('满分'))
        resolve_rulesets([str(write("top.yaml", text))])
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.mark.line) == ("schema-type", 17)
    assert problem.message.startswith("tests.0.results.base.score：应为数值")


def test_results_for_a_ruleset_not_used_are_a_load_error(write):
    write("base.yaml", BASE)
    rulesets = resolve_rulesets([str(write("top.yaml", TOP.replace("      base: {level: low", "      bsae: {level: low")))])
    with pytest.raises(InvalidInput) as caught:  # the stub stood in for nothing, and base was assessed from no facts
        load_tests(rulesets[-1])
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.mark.line) == ("test-unknown-id", 19)
    assert "results 中 “bsae” 不是本规则集 uses 的规则集（uses：base）" in problem.message

def test_results_stub_defaults_in_the_sibling_file(write, evaluator):
    write("base.yaml", BASE)
    write("top.tests.yaml", """
defaults:
  results:
    base: {level: good, score: 10, items: {base.elected: pass}}
tests:
  - name: 默认的 results
    expect: {score: 10}
  - name: 覆盖默认的 results
    results:
      base: {level: low, score: 0, items: {base.elected: fail}}
    expect: {score: 0}
""")
    text = TOP[: TOP.index("tests:")]
    rulesets = resolve_rulesets([str(write("top.yaml", text))])
    assert {o.name: o.problems for o in run_tests(rulesets[-1], rulesets, evaluator)} == {"默认的 results": [], "覆盖默认的 results": []}


def test_as_of_written_as_text_or_date(write, evaluator):
    facts = "{employees: 100, members: 96, committee: {elected: true, size: 5, last_election: 2019-06-01}, incidents: 0}"
    text = inline(case("文本日期", "{items: {term: 2}}", facts, "    as_of: '2024-05-31'\n"))
    assert outcomes(load_ruleset(write("demo.yaml", text)), evaluator) == {"文本日期": []}


def test_bad_as_of_is_a_load_error_at_its_line(write):
    text = inline(case("坏日期", "{score: 10}", extra="    as_of: '2024-13-01'\n"))
    ruleset = load_ruleset(write("demo.yaml", text))
    with pytest.raises(InvalidInput) as caught:
        load_tests(ruleset)
    [problem] = caught.value.diagnostics
    assert problem.code == "test-as-of"
    assert Path(problem.mark.file).read_text(encoding="utf-8").splitlines()[problem.mark.line - 1] == "    as_of: '2024-13-01'"
    assert "as_of 应为日期" in problem.message and "2024-13-01" in problem.message


def test_as_of_in_sibling_defaults(write, evaluator):
    write("demo.tests.yaml", """
defaults:
  as_of: 2024-05-31
  facts: {employees: 100, members: 96, committee: {elected: true, size: 5, last_election: 2019-06-01}, incidents: 0}
tests:
  - name: 默认评估日期
    expect: {items: {term: 2}}
  - name: 自己的评估日期
    as_of: 2025-12-31
    expect: {items: {term: 0}}
""")
    assert outcomes(load_ruleset(write("demo.yaml", RULESET)), evaluator) == {"默认评估日期": [], "自己的评估日期": []}


def test_a_fact_given_nested_and_dotted_in_one_case_is_an_error_at_its_line(write):
    facts = "{employees: 100, members: 96, committee: {elected: true, size: 5}, committee.elected: false, incidents: 0}"
    path = write("demo.yaml", inline(case("两种写法", "{score: 10}", facts)))
    with pytest.raises(InvalidInput) as caught:
        load_tests(load_ruleset(path))
    [problem] = caught.value.diagnostics
    assert problem.code == "fact-duplicate" and "committee.elected" in problem.message
    assert problem.mark.line == path.read_text(encoding="utf-8").splitlines().index(f"    facts: {facts}") + 1


def test_a_case_may_override_a_default_fact_written_the_other_way(write, evaluator):
    write("demo.tests.yaml", """
defaults:
  facts: {employees: 100, members: 96, committee: {elected: true, size: 5, last_election: 2023-05-12}, incidents: 0}
tests:
  - name: 点路径覆盖默认的嵌套写法
    facts: {committee.elected: false}
    expect: {items: {elected: 0}}
""")
    assert outcomes(load_ruleset(write("demo.yaml", RULESET)), evaluator) == {"点路径覆盖默认的嵌套写法": []}


def test_a_wrong_fact_type_in_a_case_points_at_its_line(write, evaluator):
    facts = "{employees: 100, members: 九十六, committee: {elected: true, size: 5, last_election: 2023-05-12}, incidents: 0}"
    path = write("demo.yaml", inline(case("类型错误", "{score: 10}", facts)))
    [outcome] = run_tests(load_ruleset(path), [load_ruleset(path)], evaluator)
    [problem] = outcome.problems
    line = path.read_text(encoding="utf-8").splitlines().index(f"    facts: {facts}") + 1
    assert problem.startswith(f"{path}:{line}:") and "members" in problem
