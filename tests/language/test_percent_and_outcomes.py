"""Percent literals, Chinese syntax errors and the one outcome vocabulary (issue 16)."""
from __future__ import annotations

import pytest

from engine.language.expressions import ExpressionError, Scope, compile_expression
from engine.values import Fraction
from tests.language.test_expressions import MARK, TYPES, ev, problem

OUTCOME = "results.zhijia.items.zuzhi.membership.outcome"


@pytest.mark.parametrize(("text", "value"), [("60%", Fraction(3, 5)), ("12.5%", Fraction(1, 8)), ("100%", 1), ("0%", 0)])
def test_a_percent_literal_is_its_share(text: str, value: Fraction) -> None:
    assert ev(text) == value


def test_percents_compare_exactly() -> None:
    assert ev("members / employees >= 95%", members=95, employees=100) is True
    assert ev("members / employees >= 95%", members=9496, employees=10000) is False
    assert ev("employees * 60%", employees=230) == 138


@pytest.mark.parametrize(("text", "message", "column"), [
    ("members % 2", "% 只能紧接在数字后面表示百分数（如 60% 即 0.6），不能用作运算符", 0),
    ("members ≥ 60%", "不能使用字符 “≥”，请改用半角的 “>=”", 8),
    ("elected = true", "比较是否相等请写 ==（一个 = 是赋值，表达式中不能用）", 8),
    ("elected && audited", "“且”“或”请写作 and、or（不是 && 或 ||）", 8),
    ("members >=", "表达式不完整：运算符后面缺少内容", 10),
    ("ratio(members, employees", "括号 “(” 没有配对的右括号", 5),
])
def test_syntax_errors_are_chinese(text: str, message: str, column: int) -> None:
    found = problem(text)
    assert message in found.message and "invalid syntax" not in found.message
    assert found.mark.column == 10 + column


def outcome_scope() -> Scope:
    types = {**TYPES, OUTCOME: "string"}
    return Scope(types.get, lambda: sorted(types))


@pytest.mark.parametrize(("text", "message"), [
    (f"{OUTCOME} == 'n/a'", "“n/a” 不是指标结果（结果写作 pass、partial、fail、missing、na、pending），是否应为 “na”？"),
    (f"{OUTCOME} in ['pass', 'passed']", "“passed” 不是指标结果"),
    (f"{OUTCOME} == name", "指标结果只能与结果值比较"),
])
def test_an_outcome_compared_with_anything_but_an_outcome_is_a_load_error(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, MARK, outcome_scope())
    assert caught.value.diagnostic.code == "expr-outcome" and message in caught.value.diagnostic.message


def test_an_outcome_compared_with_outcomes_loads() -> None:
    assert compile_expression(f"{OUTCOME} in ['pass', 'na']", MARK, outcome_scope()).text.endswith("['pass', 'na']")
