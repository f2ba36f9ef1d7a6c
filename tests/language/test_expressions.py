"""The expression language: parse, type-check, evaluate exactly, null logic, templates, compiled conditions."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from engine.diagnostics import Diagnostic, Mark
from engine.language.conditions import compile_conditions, oracle_truths
from engine.language.expr_eval import Env
from engine.language.expr_types import infer
from engine.language.expressions import (
    Expression,
    ExpressionError,
    FixChoice,
    Scope,
    TemplateErrors,
    compile_expression,
    compile_template,
)
from engine.language.functions import REGISTRY
from engine.values import Fraction, Null

TYPES = {
    "employees": "number", "members": "number", "activists": "number", "elected": "boolean", "audited": "boolean",
    "name": "string", "union.type": "string", "last": "date", "prev": "date",
    "qs": "list<number>", "flags": "list<boolean>", "tags": "list<string>",
}
SCOPE = Scope(TYPES.get, lambda: sorted(TYPES))
AS_OF = dt.date(2025, 12, 31)
MARK = Mark("rs.yaml", 3, 10)


class UsedResult:
    """Stands in for a used ruleset's result: only `outcome_of` is read."""

    def __init__(self, outcomes: dict[str, str]) -> None:
        self.outcomes = outcomes

    def outcome_of(self, item: str) -> str | None:
        return self.outcomes.get(item)


def compiled(text: Any, want: str | None = None) -> Expression:
    return compile_expression(text, MARK, SCOPE, want)


def env(as_of: dt.date = AS_OF, results: dict | None = None, **values: Any) -> Env:
    return Env({k.replace("__", "."): v for k, v in values.items()}, as_of, results or {})


def ev(text: str, **values: Any) -> Any:
    return compiled(text)(env(**values))


def problem(text: str, want: str | None = None) -> Diagnostic:
    with pytest.raises(ExpressionError) as caught:
        compiled(text, want)
    return caught.value.diagnostic


def is_null(value: Any, missing: set[str] | None = None) -> bool:
    return isinstance(value, Null) and (missing is None or value.missing == frozenset(missing))


# exact arithmetic ----------------------------------------------------------------------------

def test_ratio_of_76_80_meets_95_percent():
    assert ev("76 / 80 >= 0.95") is True


def test_9496_does_not_meet_95_percent():
    assert ev("0.9496 >= 0.95") is False


def test_ceil_of_81_times_95_percent_is_77():
    assert ev("ceil(81 * 0.95) == 77") is True
    assert ev("ceil(81 * 0.95)") == 77


def test_point_one_plus_point_two_is_point_three():
    assert ev("0.1 + 0.2 == 0.3") is True


def test_decimal_literals_are_exact_fractions():
    assert ev("0.95") == Fraction(19, 20)
    assert ev("1e-3") == Fraction(1, 1000)


def test_employees_times_95_percent_is_exactly_95():
    value = ev("employees * 0.95", employees=100)
    assert value == 95 and type(value) is int


def test_division_is_exact():
    assert ev("7 / 2") == Fraction(7, 2)
    assert ev("members / employees", members=221, employees=230) == Fraction(221, 230)


def test_division_by_zero_is_null_with_reason():
    value = ev("members / employees", members=3, employees=0)
    assert is_null(value, set()) and value.why == ("除数为 0",)


def test_unary_minus_and_precedence():
    assert ev("-members + 2 * 3", members=4) == 2
    assert ev("(1 + 2) * 3") == 9


# comparisons ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1 < 2 < 3", True), ("1 < 3 < 2", False), ("3 > 2 >= 2", True), ("1 == 1 != 2", True),
])
def test_chained_comparisons(text, expected):
    assert ev(text) is expected


def test_chained_comparison_reads_middle_once_per_pair():
    assert ev("0 <= members <= 10", members=10) is True
    assert ev("0 <= members <= 10", members=11) is False
    assert is_null(ev("0 <= members <= 10"), {"members"})


def test_string_equality():
    assert ev("union.type != 'joint'", union__type="enterprise") is True
    assert ev("name == '青山镇'", name="青山镇") is True


def test_dates_compare_with_dates():
    assert ev("last < prev", last=dt.date(2023, 1, 1), prev=dt.date(2024, 1, 1)) is True
    assert ev("last == prev", last=dt.date(2023, 1, 1), prev=dt.date(2024, 1, 1)) is False


def test_booleans_compare_with_equality():
    assert ev("elected == true", elected=True) is True
    assert ev("elected != audited", elected=True, audited=False) is True


@pytest.mark.parametrize("text, values, expected", [
    ("name in ['a', 'b']", {"name": "b"}, True),
    ("name in ['a', 'b']", {"name": "c"}, False),
    ("name not in ['a', 'b']", {"name": "c"}, True),
    ("name not in ['a', 'b']", {"name": "a"}, False),
    ("members in [1, 2, 3]", {"members": 2}, True),
    ("members in [1, 2, 3]", {"members": 2.5}, False),
    ("'x' in tags", {"tags": ["x", "y"]}, True),
    ("'z' not in tags", {"tags": ["x", "y"]}, True),
    ("3 in qs", {"qs": [1, 2]}, False),
])
def test_membership(text, values, expected):
    assert ev(text, **values) is expected


def test_membership_of_absent_value_is_null():
    assert is_null(ev("name in ['a', 'b']"), {"name"})
    assert is_null(ev("'x' in tags"), {"tags"})


def test_membership_with_null_element_is_three_valued():
    assert ev("name in ['a', null]", name="a") is True
    assert is_null(ev("name in ['a', null]", name="c"))


# functions -----------------------------------------------------------------------------------

def test_every_registered_function_is_covered_here():
    covered = {"ratio", "exists", "len", "count", "sum", "min", "max", "all", "any", "abs", "ceil", "floor",
               "round", "pct", "years_since", "days_since", "passed"}
    assert set(REGISTRY) == covered


def test_every_function_has_a_doc():
    assert all(entry.doc for entry in REGISTRY.values())


def test_ratio():
    assert ev("ratio(members, employees)", members=221, employees=230) == Fraction(221, 230)
    assert ev("ratio(6, 3)") == 2


def test_ratio_zero_denominator_is_null_with_reason():
    value = ev("ratio(members, employees)", members=5, employees=0)
    assert is_null(value, set()) and "分母为 0" in value.why


def test_ratio_of_absent_fact_is_missing():
    assert is_null(ev("ratio(members, employees)", employees=10), {"members"})


def test_exists_is_never_null():
    assert ev("exists(members)") is False
    assert ev("exists(members)", members=0) is True
    assert ev("not exists(last)") is True


def test_exists_needs_a_name():
    found = problem("exists(members + 1)")
    assert found.code == "expr-type" and "exists() 的参数应为一个事实名称" in found.message


def test_len():
    assert ev("len(qs)", qs=[1, 0, 2]) == 3
    assert ev("len(tags)", tags=[]) == 0
    assert is_null(ev("len(qs)"), {"qs"})


def test_count_counts_true_and_positive():
    assert ev("count(qs)", qs=[0, 2, 3, 0]) == 2
    assert ev("count(flags)", flags=[True, False, True]) == 2
    assert ev("count([elected, audited])", elected=True, audited=False) == 1


def test_count_with_unknown_element_is_null():
    assert is_null(ev("count([elected, true])"), {"elected"})


def test_sum():
    assert ev("sum(qs)", qs=[1, 2, 3]) == 6
    assert ev("sum(qs)", qs=[]) == 0
    assert ev("sum([0.1, 0.2])") == Fraction(3, 10)
    assert is_null(ev("sum([members, 1])"), {"members"})


def test_min_max_of_list_and_of_arguments():
    assert ev("min(qs)", qs=[3, 1, 2]) == 1
    assert ev("max(qs)", qs=[3, 1, 2]) == 3
    assert ev("min(4, 2, 9)") == 2
    assert ev("max(members, employees)", members=5, employees=7) == 7


def test_min_of_empty_list_is_null_with_reason():
    value = ev("min(qs)", qs=[])
    assert is_null(value, set()) and value.why == ("列表为空",)


def test_max_with_absent_argument_is_null():
    assert is_null(ev("max(members, 3)"), {"members"})


@pytest.mark.parametrize("text, expected", [
    ("all([true, true])", True), ("all([true, false])", False), ("all([])", True),
    ("any([false, true])", True), ("any([false, false])", False), ("any([])", False),
])
def test_all_any(text, expected):
    assert ev(text) is expected


def test_all_any_three_valued():
    assert ev("all([elected, false])") is False
    assert is_null(ev("all([elected, true])"), {"elected"})
    assert ev("any([elected, true])") is True
    assert is_null(ev("any([elected, false])"), {"elected"})


def test_all_over_boolean_list_fact():
    assert ev("all(flags)", flags=[True, True]) is True
    assert is_null(ev("all(flags)"), {"flags"})


def test_abs_ceil_floor_exact():
    assert ev("abs(-3.5)") == Fraction(7, 2)
    assert ev("ceil(-2.5)") == -2
    assert ev("floor(-2.5)") == -3
    assert ev("floor(76.95)") == 76


@pytest.mark.parametrize("text, expected", [
    ("round(2.5)", 3), ("round(-2.5)", -3), ("round(2.4)", 2), ("round(2.45, 1)", Fraction(5, 2)),
    ("round(1.005, 2)", Fraction(101, 100)), ("round(-1.25, 1)", Fraction(-13, 10)), ("round(7)", 7),
])
def test_round_half_away_from_zero(text, expected):
    assert ev(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("pct(0.82)", "82.0%"), ("pct(0.9496)", "95.0%"), ("pct(1 / 3, 2)", "33.33%"), ("pct(0.5, 0)", "50%"),
    ("pct(1)", "100.0%"),
])
def test_pct(text, expected):
    assert ev(text) == expected


def test_years_since_whole_years_plus_share():
    assert ev("years_since(last)", last=dt.date(2023, 5, 12)) == 2 + Fraction(233, 365)
    assert ev("years_since(last)", last=dt.date(2020, 12, 31)) == 5


def test_years_since_just_over_five_is_not_five():
    assert ev("years_since(last) <= 5", last=dt.date(2020, 12, 30)) is False
    assert ev("years_since(last) <= 5", last=dt.date(2020, 12, 31)) is True


def test_years_since_leap_day():
    leap = dt.date(2020, 2, 29)
    assert compiled("years_since(last)")(env(as_of=dt.date(2024, 2, 29), last=leap)) == 4
    assert compiled("years_since(last)")(env(as_of=dt.date(2024, 2, 28), last=leap)) == 3 + Fraction(365, 366)
    assert ev("years_since(last)", last=leap) == 5 + Fraction(306, 365)


def test_years_since_future_date_is_negative():
    assert ev("years_since(last)", last=dt.date(2026, 12, 31)) == -1


def test_days_since():
    assert ev("days_since(last)", last=dt.date(2025, 1, 1)) == 364
    assert ev("days_since(last)", last=AS_OF) == 0
    assert is_null(ev("days_since(last)"), {"last"})


def test_time_counts_from_assessment_date():
    expression = compiled("days_since(last)")
    assert expression(env(as_of=dt.date(2025, 1, 31), last=dt.date(2025, 1, 1))) == 30


def test_passed_reads_used_results():
    used = {"bayou": UsedResult({"banzi.elected": "pass", "nvgong": "na", "jingfei": "partial"})}
    expression = compiled("passed('bayou', 'banzi.elected')")
    assert expression(env(results=used)) is True
    assert compiled("passed('bayou', 'nvgong')")(env(results=used)) is True
    assert compiled("passed('bayou', 'jingfei')")(env(results=used)) is False


def test_passed_of_unassessed_item_is_null_with_reason():
    value = compiled("passed('bayou', 'ghost')")(env(results={"bayou": UsedResult({})}))
    assert is_null(value, set()) and value.why == ("未评估 bayou 的 ghost",)
    assert is_null(compiled("passed('zhijia', 'x')")(env()))


def test_passed_needs_quoted_texts():
    found = problem("passed(name, 'x')")
    assert found.code == "expr-type" and "passed()" in found.message


# null semantics ------------------------------------------------------------------------------

def test_absent_fact_is_null_naming_it():
    assert is_null(ev("members"), {"members"})


def test_null_fact_in_env_reads_as_given_null():
    assert is_null(ev("members + 1", members=Null(missing=frozenset({"members"}))), {"members"})


@pytest.mark.parametrize("text", [
    "members + 1", "members * 0", "members / 2", "-members", "members > 1", "members == 0", "members != 0",
    "abs(members)", "ceil(members)", "round(members, 1)", "pct(members)", "ratio(members, 10)",
])
def test_null_propagates(text):
    assert is_null(ev(text), {"members"})


def test_null_causes_are_merged():
    assert is_null(ev("members + employees > 1"), {"members", "employees"})


@pytest.mark.parametrize("text, expected", [
    ("false and null", False), ("null and false", False), ("true or null", True), ("null or true", True),
    ("true and true", True), ("false or false", False),
])
def test_kleene_decisive_values(text, expected):
    assert ev(text) is expected


@pytest.mark.parametrize("text", ["true and null", "false or null", "not null", "null and null"])
def test_kleene_undecided_is_null(text):
    assert is_null(ev(text))


def test_condition_decided_by_what_it_does_not_need():
    text = "union.type != 'group' and not elected"
    assert ev(text, union__type="group") is False
    assert is_null(ev(text, union__type="enterprise"), {"elected"})


def test_not_of_absent_fact_is_null():
    assert is_null(ev("not elected"), {"elected"})
    assert ev("not elected", elected=False) is True


def test_or_with_absent_fact_and_true_side_holds():
    assert ev("elected or members >= 10", members=12) is True


# type errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, fragment", [
    ("name > 1", "不能用 “>” 比较文本与数值"),
    ("name < 'b'", "不能用 “<” 比较文本与文本"),
    ("elected < true", "不能用 “<” 比较布尔值与布尔值"),
    ("last > 1", "比较日期与数值"),
    ("1 and 2", "“and” 的运算对象应为布尔值，实际为数值"),
    ("members or elected", "“or” 的运算对象应为布尔值"),
    ("not members", "“not” 的运算对象应为布尔值"),
    ("elected + 1", "“+” 左边应为数值，实际为布尔值"),
    ("name * 2", "“*” 左边应为数值，实际为文本"),
    ("ratio(1)", "函数 ratio：需要 2 个参数，实际 1 个"),
    ("abs(1, 2)", "函数 abs：需要 1 个参数"),
    ("exists(members, employees)", "函数 exists"),
    ("years_since(members)", "第 1 个参数应为日期，实际为数值"),
    ("sum(tags)", "需要一个数值列表"),
    ("count(tags)", "需要一个布尔值或数值列表"),
    ("min(1)", "需要一个数值列表，或两个以上数值"),
    ("round(1, 2, 3)", "需要一个数值，以及可选的小数位数"),
    ("pct('a')", "需要一个数值"),
    ("[1, 'a']", "列表中的元素类型不一致：数值、文本"),
    ("members in [1, 'a']", "列表中的元素类型不一致"),
    ("1 in 2", "“in” 右边应为列表，实际为数值"),
    ("'a' in qs", "不能在数值列表中查找文本"),
    ("members != null", "与 null 比较的结果总是空值，条件永远不成立：判断是否有数据请用 exists(members)"),  # failed every union
    ("null == name", "判断是否有数据请用 exists(name)"), ("null >= 0.9", "请用 exists(…)"),
])
def test_type_errors(text, fragment):
    found = problem(text)
    assert found.code == "expr-type"
    assert fragment in found.message
    assert found.message.endswith(f"：“{text}”")


def test_wrong_result_type_for_place():
    found = problem("members + 1", want="boolean")
    assert (found.mark, found.code) == (MARK, "expr-type")
    assert found.message == "此处需要布尔值，表达式 “members + 1” 的结果为数值"


def test_type_error_points_at_the_operand():
    found = problem("members > 1 and employees")
    assert (found.mark.column, found.span) == (10 + 16, 9)


# unknown names and functions -----------------------------------------------------------------

def test_unknown_name_suggests_close_name():
    found = problem("members > 1 and employes > 0")
    assert found.code == "expr-unknown-name"
    assert "未声明的名称 “employes”，是否应为 “employees”？" in found.message
    assert (found.mark.line, found.mark.column, found.span) == (3, 10 + 16, 8)


def test_unknown_dotted_name_suggests_close_path():
    assert "是否应为 “union.type”？" in problem("union.typ == 'joint'").message


def test_unknown_name_without_close_match_says_declare():
    found = problem("zzzzzz > 1")
    assert found.code == "expr-unknown-name" and "请在 facts 或 derive 中声明" in found.message


def test_unknown_function_suggests_years_since():
    found = problem("years_sinse(last) <= 5")
    assert found.code == "expr-unknown-function"
    assert "未知函数 “years_sinse”，是否应为 “years_since”？" in found.message
    assert (found.mark.column, found.span) == (10, 11)


def test_unknown_function_without_close_match_lists_functions():
    found = problem("frobnicate(1)")
    assert found.code == "expr-unknown-function" and "可用函数：abs、all、any" in found.message


def test_unknown_name_column_counts_characters_after_chinese():
    text = "name == '青山镇工会' and employes > 0"
    found = problem(text)
    assert found.mark.column == 10 + text.index("employes")


def test_syntax_error():
    found = problem("members >")
    assert found.code == "expr-syntax" and found.message.startswith("表达式语法错误")


def test_syntax_error_column_after_chinese_counts_characters():
    text = "name == '青山' members"
    found = problem(text)
    assert found.code == "expr-syntax"
    assert found.mark.column == 10 + text.index("members")


def test_leading_spaces_shift_the_column():
    assert problem("   employes").mark.column == 13


# compile results -----------------------------------------------------------------------------

def test_compiled_expression_records_names_kind_and_text():
    expression = compiled("ratio(members, employees) >= 0.95 and elected")
    assert expression.names == {"members", "employees", "elected"}
    assert expression.kind == "boolean"
    assert expression.text == "ratio(members, employees) >= 0.95 and elected"
    assert expression.mark == MARK


def test_yaml_scalars_read_as_literals():
    assert compiled(True, "boolean")(env()) is True
    assert compiled(3).kind == "number"
    assert compiled(0.5)(env()) == Fraction(1, 2)


# fix templates -------------------------------------------------------------------------------

def render(text: str, **values: Any) -> str:
    return compile_template(text, MARK, SCOPE).render(env(**values))


def template_problem(text: str) -> Diagnostic:
    with pytest.raises(TemplateErrors) as caught:
        compile_template(text, MARK, SCOPE)
    [found] = caught.value.diagnostics
    return found


def test_template_renders_union_figures():
    text = "入会率 {pct(ratio(members, employees))}，再发展会员 {ceil(employees * 0.95) - members} 名可达 95%。"
    assert render(text, members=80, employees=100) == "入会率 80.0%，再发展会员 15 名可达 95%。"


def test_template_double_braces_are_literal():
    assert render("{{台账}} {members} 人 }}", members=3) == "{台账} 3 人 }"


def test_template_values_print_in_chinese():
    assert render("{elected}/{audited}", elected=True, audited=False) == "是/否"
    assert render("{ratio(1, 3)}") == "0.33"
    assert render("{last}", last=dt.date(2023, 5, 12)) == "2023-05-12"


def test_template_absent_value_reads_no_data_when_every_clause_shows_one():
    assert render("会员 {members} 人") == "会员 （无数据） 人"
    assert render("会员 {members} 人。职工 {employees} 人") == "会员 （无数据） 人。职工 （无数据） 人"
    assert render("；{members}；") == "；（无数据）；"  # nothing but punctuation would be left


def test_template_clause_showing_an_absent_value_is_left_out():
    text = "职工书屋现有藏书 {members} 册。应补足 3000 册藏书，配备管理人员。"
    assert render(text) == "应补足 3000 册藏书，配备管理人员。"
    assert render(text, members=2600) == "职工书屋现有藏书 2600 册。应补足 3000 册藏书，配备管理人员。"


def test_template_clauses_end_at_full_stops_and_semicolons():
    text = "已选举：{elected}；覆盖率 {pct(ratio(members, employees))}，目标 95%。应每年检查一次。"
    assert render(text, elected=False, members=3, employees=0) == "已选举：否；应每年检查一次。"
    assert render("已选举：{elected}；会员 {members} 人。", elected=True) == "已选举：是。"


def test_template_names():
    assert compile_template("{members} / {ratio(activists, employees)}", MARK, SCOPE).names == {"members", "activists", "employees"}


def choice(*options: tuple[str | None, str]) -> FixChoice:
    return FixChoice(tuple((compiled(when, "boolean") if when else None, compile_template(text, MARK, SCOPE)) for when, text in options))


def test_a_fix_choice_words_the_advice_by_the_union_s_values():
    """「未建的应…；已建的应…」 told both ways to every union: a choice tells each union its own case."""
    fix = choice(("not elected", "尚未选举产生委员会。应召开会员大会选举。"), ("members < 25", "会员 {members} 人，设经审员。"), (None, "会员 {members} 人，建经审委员会。"))
    assert fix.render(env(elected=False, members=10)) == "尚未选举产生委员会。应召开会员大会选举。"
    assert fix.render(env(elected=True, members=10)) == "会员 10 人，设经审员。"
    assert fix.render(env(elected=True, members=40)) == "会员 40 人，建经审委员会。"
    assert fix.render(env(members=40)) == "会员 40 人，建经审委员会。"  # a when on missing data does not hold
    assert fix.names == {"elected", "members"}  # what an item's remembered score depends on
    assert [e.text for e in fix.expressions] == ["not elected", "members < 25", "members", "members"]


def test_template_unclosed_brace():
    found = template_problem("请补充 {members 名")
    assert (found.mark.column, found.code) == (10 + 4, "template-brace")
    assert "没有配对的 “}”" in found.message


def test_template_stray_closing_brace():
    found = template_problem("多余 } 括号")
    assert (found.mark.column, found.code) == (10 + 3, "template-brace")
    assert "“}}”" in found.message


def test_template_part_is_checked_like_an_expression():
    found = template_problem("共 {employes} 人")
    assert (found.mark.column, found.code, found.span) == (10 + 3, "expr-unknown-name", 8)


def test_template_empty_part_is_syntax_error():
    assert template_problem("空 {} 的").code == "expr-syntax"


def test_template_part_type_error():
    assert template_problem("{name + 1}").code == "expr-type"


# compiled conditions agree with direct evaluation -------------------------------------------

CONDITIONS = [
    "members >= 5", "members / employees >= 0.95", "ratio(members, employees) >= 0.95", "name == 'a'",
    "name != 'a'", "'a' == name", "name in ['a', 'b']", "name not in ['a', 'b']", "name in ['a', null]",
    "name not in ['a', null]", "members in []", "members not in []", "members in [1, 5]", "elected", "not elected",
    "elected == true", "elected != false", "elected and members > 1", "elected or members > 1",
    "not (elected or members > 1)", "1 < members <= 10", "last < prev", "last == prev", "years_since(last) <= 1",
    "days_since(last) > 30", "exists(members)", "not exists(name)", "all([elected, members > 1])",
    "any([elected, members > 1])", "'a' in tags", "sum(qs) >= 4", "count(flags) == 2",
    "members + employees > 3", "-members < -2", "max(members, employees) > 5",
    "round(ratio(members, employees), 1) == 0.5", "name in ['a', 'b'] and elected", "true", "false", "null",
    "members > 1 or null", "members > 1 and null", "union.type != 'group' and not elected",
]
CASES = {
    "employees": [None, 0, 10], "members": [None, 0, 5], "elected": [None, True, False], "name": [None, "a", "c"],
    "last": [None, dt.date(2025, 6, 1)], "prev": [None, dt.date(2025, 6, 1), dt.date(2020, 1, 1)],
    "qs": [None, [1, 3]], "flags": [None, [True, True]], "tags": [None, ["a"]], "union.type": [None, "group"],
}


@pytest.fixture(scope="module")
def condition_set() -> tuple[list[Expression], Any]:
    expressions = [compiled(text, "boolean") for text in CONDITIONS]
    kinds = lambda node: infer(node, SCOPE.lookup, SCOPE.known)  # noqa: E731
    return expressions, compile_conditions([(t, e) for t, e in zip(CONDITIONS, expressions)], kinds)


def agree(direct: Any, oracle: Any) -> bool:
    if isinstance(direct, Null):
        return isinstance(oracle, Null) and oracle.missing == direct.missing
    return type(oracle) is bool and oracle == direct


def test_oracle_truths_equal_direct_evaluation(condition_set):
    expressions, conditions = condition_set
    disagreements = []
    for combo in itertools.product(*CASES.values()):
        case = Env({k: v for k, v in zip(CASES, combo) if v is not None}, AS_OF)
        truths = oracle_truths(conditions, conditions.atom_values(case))
        for text, expression, truth in zip(CONDITIONS, expressions, truths):
            if not agree(expression(case), truth):
                disagreements.append((text, case.values, expression(case), truth))
    assert disagreements == []


def test_oracle_truths_cover_every_condition(condition_set):
    _, conditions = condition_set
    assert conditions.keys == tuple(CONDITIONS)
    truths = oracle_truths(conditions, conditions.atom_values(Env({}, AS_OF)))
    assert len(truths) == len(CONDITIONS)
    assert truths[CONDITIONS.index("true")] is True
    assert truths[CONDITIONS.index("exists(members)")] is False
    assert is_null(truths[CONDITIONS.index("members >= 5")], {"members"})


def test_oracle_null_keeps_its_cause(condition_set):
    _, conditions = condition_set
    truths = oracle_truths(conditions, conditions.atom_values(Env({"members": 3, "employees": 0}, AS_OF)))
    value = truths[CONDITIONS.index("ratio(members, employees) >= 0.95")]
    assert is_null(value, set()) and "分母为 0" in value.why
