"""Fact files: flattening, header checks, typed values against a ruleset's declarations."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine import InvalidInput, OracleEvaluator, assess_union, load_fact_file, load_ruleset
from engine.diagnostics import Diagnostic, Mark
from engine.facts.fact_file import typed_facts
from engine.values import Fraction

RULESET = """\
ruleset: {id: ft, name: 事实检查, max_score: 10}
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  committee.elected: {type: boolean, label: 委员会经选举产生}
  committee.last_election: {type: date, label: 上次换届日期}
  committee.size: {type: integer, min: 3, max: 15, label: 委员人数}
  venue.area: {type: number, label: 活动场所面积, unit: 平方米}
  dues.rate: {type: number, min: 0, max: 1, label: 经费收缴率, unit: "%"}
  rules.duties: {type: enum, values: [none, adopted, posted], label: 工作职责}
  meetings.by_quarter: {type: list, items: integer, label: 各季度会议次数}
  chair.name: {type: string, label: 工会主席姓名}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - {id: s.elected, name: 委员会依法选举, points: 10, when: committee.elected}
levels:
  - {id: none, name: 未达标, min: 0}
"""
HEADER = "union: {id: T-1, name: 测试工会, type: enterprise}\nperiod: 2025\nfacts:\n"  # facts start on line 4


@pytest.fixture
def ruleset(write):
    return load_ruleset(write("ft.yaml", RULESET))


@pytest.fixture
def facts_file(write):
    """facts_file(body) → the path of a fact file whose facts: section is `body` (indented two spaces)."""

    def make(body: str, header: str = HEADER) -> Path:
        return write("facts.yaml", header + "".join(f"  {line}\n" for line in body.splitlines()))

    return make


def typed(ruleset, path: Path) -> tuple[dict, list[Diagnostic]]:
    return typed_facts(load_fact_file(path), ruleset.facts.values())


def assess_problems(ruleset, path: Path) -> list[Diagnostic]:
    with pytest.raises(InvalidInput) as caught:
        assess_union([ruleset], load_fact_file(path), OracleEvaluator())
    return caught.value.diagnostics


def load_problems(path: Path) -> list[Diagnostic]:
    with pytest.raises(InvalidInput) as caught:
        load_fact_file(path)
    return caught.value.diagnostics


# flattening ----------------------------------------------------------------------------------

def test_nested_and_dotted_facts_flatten(facts_file):
    path = facts_file("committee:\n  elected: true\n  last_election: 2023-05-12\nvenue.area: 120\na:\n  b:\n    c: 1")
    facts = load_fact_file(path).facts
    assert facts == {"committee.elected": True, "committee.last_election": dt.date(2023, 5, 12), "venue.area": 120, "a.b.c": 1}


def test_flattened_facts_keep_their_marks(facts_file):
    fact_file = load_fact_file(facts_file("committee:\n  elected: true\nvenue.area: 120"))
    assert fact_file.mark("committee.elected") == Mark(fact_file.path, 5, 14)
    assert fact_file.mark("venue.area") == Mark(fact_file.path, 6, 15)


def test_same_fact_nested_and_dotted_is_an_error(facts_file):
    [problem] = load_problems(facts_file("committee.elected: false\ncommittee:\n  elected: true"))
    assert (problem.mark.line, problem.mark.column, problem.code) == (6, 14, "fact-duplicate")
    assert "“committee.elected”" in problem.message and "第 4 行" in problem.message


def test_duplicate_fact_is_reported_at_the_later_line(facts_file):
    [problem] = load_problems(facts_file("committee:\n  elected: true\ncommittee.elected: false"))
    assert (problem.mark.line, problem.code) == (6, "fact-duplicate")
    assert "第 5 行" in problem.message


def test_header_is_read(facts_file):
    fact_file = load_fact_file(facts_file("employees: 10"))
    assert fact_file.union == {"id": "T-1", "name": "测试工会", "type": "enterprise"}
    assert fact_file.period == 2025


# typed values --------------------------------------------------------------------------------

def test_declared_facts_become_exact_values(ruleset, facts_file):
    values, problems = typed(ruleset, facts_file(
        "employees: 230\nmembers: 221\nvenue.area: 0.1\ndues.rate: 0.95\nrules.duties: posted\n"
        "meetings.by_quarter: [1, 0, 2, 1]\nchair.name: 张三\ncommittee: {last_election: 2023-05-12}"
    ))
    assert problems == []
    assert values == {
        "employees": 230, "members": 221, "venue.area": Fraction(1, 10), "dues.rate": Fraction(19, 20),
        "rules.duties": "posted", "meetings.by_quarter": [1, 0, 2, 1], "chair.name": "张三",
        "committee.last_election": dt.date(2023, 5, 12),
    }


def test_quoted_iso_date_is_a_date(ruleset, facts_file):
    values, _ = typed(ruleset, facts_file("committee.last_election: '2023-05-12'"))
    assert values["committee.last_election"] == dt.date(2023, 5, 12)


@pytest.mark.parametrize("word, expected", [("是", True), ("否", False), ("有", True), ("无", False), ("true", True), ("false", False)])
def test_chinese_yes_no_words_are_booleans(ruleset, facts_file, word, expected):
    values, problems = typed(ruleset, facts_file(f"committee.elected: {word}"))
    assert problems == [] and values["committee.elected"] is expected


def test_chinese_yes_scores_like_true(assess):
    result = assess(RULESET, {"committee": {"elected": "有"}})
    assert (result.items[0].outcome, result.items[0].points) == ("pass", 10)


@pytest.mark.parametrize("line, message", [
    ("employes: 42", "规则集中没有事实 “employes”，是否指 “employees”（职工人数）？"),
    ("Members: 40", "规则集中没有事实 “Members”，是否指 “members”（会员人数）？"),
    ("employ\u200bees: 42", "规则集中没有事实 “employ\\u200bees”，是否指 “employees”（职工人数）？"),
    ("ｅｍｐｌｏｙｅｅｓ: 42", "规则集中没有事实 “ｅｍｐｌｏｙｅｅｓ”，是否指 “employees”（职工人数）？"),
    ("committee.elcted: true", "规则集中没有事实 “committee.elcted”，是否指 “committee.elected”（委员会经选举产生）？"),
    ("something.else: 不相干", "规则集中没有事实 “something.else”；请核对事实名称（可用 unionscore template 查看全部事实）"),
])
def test_a_fact_no_ruleset_declares_is_an_error_naming_the_closest(ruleset, facts_file, line, message):
    """A misspelt key would leave its fact 缺资料 without a word: it is an error at its line."""
    [problem] = typed(ruleset, facts_file(f"employees: 10\n{line}"))[1]
    assert (problem.code, problem.mark.line, problem.message) == ("fact-undeclared", 5, message)


def test_facts_of_other_bundled_standards_are_not_mistakes(assess):
    """A fact file kept for all standards, assessed with one of them: the others' facts are known."""
    result = assess(RULESET, {"committee": {"elected": True}, "staff": {"fulltime": 1}, "library": {"books": 3000}})
    assert result.items[0].outcome == "pass"


def test_null_fact_is_absent(ruleset, facts_file):
    values, problems = typed(ruleset, facts_file("employees: null\nmembers: ~"))
    assert problems == [] and values == {}


def test_null_fact_makes_item_missing(assess):
    result = assess(RULESET, {"committee": {"elected": None}})
    item = result.items[0]
    assert (item.outcome, item.points) == ("missing", 0)
    assert "委员会经选举产生" in item.reason


# wrong types ---------------------------------------------------------------------------------

@pytest.mark.parametrize("line, name, fragments", [
    ("employees: 二百三十", "employees", ["职工人数", "整数", "“二百三十”"]),
    ("employees: 12.5", "employees", ["职工人数", "整数", "12.5"]),
    ("employees: true", "employees", ["职工人数", "整数"]),
    ("committee.elected: 可能", "committee.elected", ["委员会经选举产生", "布尔值", "“可能”"]),
    ("committee.elected: 2", "committee.elected", ["委员会经选举产生", "布尔值"]),
    ("committee.last_election: 2023-13-45", "committee.last_election", ["上次换届日期", "日期", "2023-13-45"]),
    ("committee.last_election: 去年", "committee.last_election", ["上次换届日期", "日期", "“去年”"]),
    ("venue.area: 十", "venue.area", ["活动场所面积", "数值", "“十”"]),
    ("rules.duties: sometimes", "rules.duties", ["工作职责", "none、adopted、posted", "“sometimes”"]),
    ("meetings.by_quarter: 四", "meetings.by_quarter", ["各季度会议次数", "第 1 项", "整数"]),
    ("meetings.by_quarter: [1, x, 2]", "meetings.by_quarter", ["各季度会议次数", "第 2 项", "整数", "“x”"]),
    ("chair.name: [张三]", "chair.name", ["工会主席姓名", "文本"]),
])
def test_wrong_type_names_file_line_label_and_expected_type(ruleset, facts_file, line, name, fragments):
    path = facts_file(line)
    [problem] = typed(ruleset, path)[1]
    assert (problem.mark.file, problem.mark.line, problem.code) == (str(path), 4, "fact-type")
    assert problem.mark.column == len(f"  {name}: ") + 1
    assert problem.message.startswith(f"{fragments[0]}（{name}）")  # the label first, then the name the file uses
    for fragment in fragments:
        assert fragment in problem.message


def test_negative_count_is_an_error(ruleset, facts_file):
    [problem] = typed(ruleset, facts_file("employees: 10\nmembers: -3"))[1]
    assert (problem.mark.line, problem.mark.column, problem.code) == (5, 12, "fact-type")
    assert "会员人数（members）" in problem.message and "不小于 0" in problem.message and "-3" in problem.message


def test_declared_bounds_are_checked(ruleset, facts_file):
    problems = typed(ruleset, facts_file("committee.size: 2\ndues.rate: 150%"))[1]
    assert [(p.mark.line, p.code) for p in problems] == [(4, "fact-type"), (5, "fact-type")]
    assert "不小于 3" in problems[0].message and "不大于 15" in problems[0].message
    assert "不大于 100% 的百分比，实际为 “150%”" in problems[1].message  # as the file writes it, not 1.5


def test_bounds_are_inclusive(ruleset, facts_file):
    values, problems = typed(ruleset, facts_file("committee.size: 15\ndues.rate: 1\nemployees: 0"))
    assert problems == [] and values == {"committee.size": 15, "dues.rate": 1, "employees": 0}


def test_members_above_employees(ruleset, facts_file):
    [problem] = typed(ruleset, facts_file("employees: 10\nmembers: 12"))[1]
    assert (problem.mark.line, problem.mark.column, problem.code) == (5, 12, "fact-members")
    assert "会员人数（members）12 大于职工人数（employees）10" in problem.message


def test_a_count_above_its_declared_ceiling(write, facts_file):
    """`at_most`: 女会员人数 above 会员人数 is a typing mistake that would grade as full marks; the union is refused."""
    path = write("r.yaml", RULESET.replace("  committee.elected:", "  female_members: {type: integer, label: 女会员人数, unit: 人, at_most: members}\n  committee.elected:"))
    [problem] = typed(load_ruleset(path), facts_file("members: 40\nfemale_members: 60"))[1]
    assert (problem.mark.line, problem.mark.column, problem.code) == (5, 19, "fact-at-most")
    assert problem.message == "女会员人数（female_members）60 大于会员人数（members）40"
    assert typed(load_ruleset(path), facts_file("members: 40\nfemale_members: 40"))[1] == []


def test_a_date_of_what_has_happened_after_the_assessment_date(write, facts_file):
    """`past`: a founding or election date after the assessment date (a year typed wrong) is refused, not graded
    as 「-4.34 年」; the assessment date itself is fine."""
    path = write("r.yaml", RULESET.replace("label: 上次换届日期}", "label: 上次换届日期, past: true}"))
    [problem] = assess_problems(load_ruleset(path), facts_file("committee.last_election: 2030-01-01"))
    assert (problem.mark.line, problem.code) == (4, "fact-future-date")
    assert problem.message == "上次换届日期 2030-01-01 晚于评估日期 2025-12-31：这是已发生的事，请核对（常见于年份写错）"
    assess_union([load_ruleset(path)], load_fact_file(facts_file("committee.last_election: 2025-12-31")), OracleEvaluator())
    assess_union([load_ruleset(write("s.yaml", RULESET))], load_fact_file(facts_file("committee.last_election: 2030-01-01")), OracleEvaluator())


@pytest.mark.parametrize("written", ["[1, 0, 1, 0, 1, 1, 1]", "[4]", "[1, 0, 1]"])
def test_a_list_of_the_wrong_length(write, facts_file, written):
    """`length: 4`: seven quarters would count five meetings a year toward 「每季度一次」; one figure for the year (a
    CSV cell 「4」) would count one quarter. Both are refused, saying how many items the list has."""
    path = write("r.yaml", RULESET.replace("items: integer, label: 各季度会议次数}", "items: integer, length: 4, label: 各季度会议次数}"))
    [problem] = typed(load_ruleset(path), facts_file(f"meetings.by_quarter: {written}"))[1]
    assert (problem.code, problem.message) == ("fact-type", f"各季度会议次数（meetings.by_quarter）应为不小于 0 的整数列表（共 4 项），实际为 “{written}”")
    assert typed(load_ruleset(path), facts_file("meetings.by_quarter: [1, 0, 1, 0]"))[1] == []


def test_members_equal_to_employees_is_fine(ruleset, facts_file):
    assert typed(ruleset, facts_file("employees: 10\nmembers: 10"))[1] == []


def test_bad_facts_stop_the_assessment_of_that_union_with_every_problem(ruleset, facts_file):
    problems = assess_problems(ruleset, facts_file("employees: 二百三十\nmembers: -3\ncommittee:\n  elected: 可能"))
    assert [(p.mark.line, p.code) for p in problems] == [(4, "fact-type"), (5, "fact-type"), (7, "fact-type")]


def test_rendered_fact_error_is_clickable(ruleset, facts_file):
    path = facts_file("employees: 二百三十")
    [problem] = typed(ruleset, path)[1]
    first, source, caret = problem.render().splitlines()
    assert first.startswith(f"{path}:4:14: 错误 [fact-type] 职工人数（employees）")
    assert source == "     4 |   employees: 二百三十"
    assert caret.endswith("^" * 8)


# header --------------------------------------------------------------------------------------

def test_unknown_union_type_lists_choices(facts_file):
    [problem] = load_problems(facts_file("employees: 1", header="union: {id: X, type: factory}\nperiod: 2025\nfacts:\n"))
    assert (problem.mark.line, problem.mark.column, problem.code) == (1, 22, "fact-union-type")
    for choice in ("enterprise", "government", "institution", "village", "joint", "group", "“factory”"):
        assert choice in problem.message


def test_missing_union_id_and_type(facts_file):
    problems = load_problems(facts_file("employees: 1", header="union: {name: 无编号}\nperiod: 2025\nfacts:\n"))
    assert [(p.mark.line, p.code) for p in problems] == [(1, "fact-union"), (1, "fact-union")]
    assert sorted(p.message for p in problems) == ["union 缺少 “id”", "union 缺少 “type”"]


def test_a_union_field_that_is_a_list_or_a_mapping_is_refused_naming_its_line(facts_file):
    """Each field once shown as Python's text (「['a']」) in reports and in a page's file name; numbers still read."""
    header = "union:\n  id: [a]\n  name: {a: 1}\n  type: enterprise\n  township: [一, 二]\n  city: 7\nperiod: 2025\nfacts:\n"
    path = facts_file("employees: 1", header=header)
    assert [(p.mark, p.code, p.message) for p in load_problems(path)] == [
        (Mark(str(path), 2, 7), "fact-union", "union.id：应为一段文字，不能是列表"),
        (Mark(str(path), 3, 9), "fact-union", "union.name：应为一段文字，不能是多个字段组成的结构"),
        (Mark(str(path), 5, 13), "fact-union", "union.township：应为一段文字，不能是列表")]
    assert load_fact_file(facts_file("employees: 1", header="union: {id: 1, type: enterprise, city: 7}\nperiod: 2025\nfacts:\n")).union == {
        "id": "1", "type": "enterprise", "city": "7"}


def test_an_id_with_an_invisible_character_is_refused_at_its_line(facts_file):
    path = facts_file("employees: 1", header='union:\n  id: "QS-1\\u200b"\n  type: enterprise\nperiod: 2025\nfacts:\n')
    assert [(p.mark, p.code, p.message) for p in load_problems(path)] == [
        (Mark(str(path), 2, 8), "fact-union", "union.id：编号 “QS-1\\u200b” 中有换行或看不见的字符（上面以 \\u 编码显示），请删除后再评估")]


def test_missing_union(facts_file):
    [problem] = load_problems(facts_file("employees: 1", header="period: 2025\nfacts:\n"))
    assert (problem.mark.line, problem.mark.column, problem.code) == (1, 1, "fact-union")


@pytest.mark.parametrize("period", ["二〇二五", "1800", "true", "2025.5"])
def test_bad_period(facts_file, period):
    [problem] = load_problems(facts_file("employees: 1", header=f"union: {{id: X, type: enterprise}}\nperiod: {period}\nfacts:\n"))
    assert (problem.mark.line, problem.mark.column, problem.code) == (2, 9, "fact-period")
    assert "period 应为年度（如 2025）" in problem.message


def test_missing_period_needs_as_of(ruleset, facts_file):
    path = facts_file("committee: {elected: true}", header="union: {id: X, type: enterprise}\nfacts:\n")
    [problem] = assess_problems(ruleset, path)
    assert problem.code == "fact-period" and "--as-of" in problem.message
    [result] = assess_union([ruleset], load_fact_file(path), OracleEvaluator(), dt.date(2025, 6, 30))
    assert result.items[0].outcome == "pass"


def test_file_that_is_not_a_mapping(write):
    [problem] = load_problems(write("facts.yaml", "- a\n- b\n"))
    assert (problem.mark.line, problem.mark.column, problem.code) == (1, 1, "fact-shape")


def test_facts_that_are_not_a_mapping(write):
    [problem] = load_problems(write("facts.yaml", "union: {id: X, type: enterprise}\nperiod: 2025\nfacts: [1, 2]\n"))
    assert (problem.mark.line, problem.mark.column, problem.code) == (3, 8, "fact-shape")
    assert problem.message == "facts 应为映射（事实名: 值）"


def test_unknown_top_level_key(write):
    [problem] = load_problems(write("facts.yaml", "union: {id: X, type: enterprise}\nperiod: 2025\nfacts: {}\nextra: 1\n"))
    assert (problem.mark.line, problem.mark.column, problem.code) == (4, 1, "fact-unknown-key")
    assert "“extra”" in problem.message


def test_header_problems_reported_together_sorted(write):
    problems = load_problems(write("facts.yaml", "union: {type: factory}\nperiod: 1800\nfacts: {}\nextra: 1\n"))
    assert [(p.mark.line, p.code) for p in problems] == [(1, "fact-union"), (1, "fact-union-type"), (2, "fact-period"), (4, "fact-unknown-key")]


def test_fact_file_yaml_is_strict(write):
    [problem] = load_problems(write("facts.yaml", "union: {id: X, type: enterprise}\nperiod: 2025\nfacts:\n  employees: 1\n  employees: 2\n"))
    assert (problem.mark.line, problem.code) == (5, "yaml-duplicate-key")
