"""Hostile rulesets: a ruleset that passes `unionscore check` cannot hang or crash an assessment.

This module tries 66 hostile inputs: 36 rulesets that must be refused at load with a diagnostic that
names the file, line and column (`REFUSED`), 24 that load and must then assess every union quickly under
both evaluators (`SURVIVED`), 4 fact values at the edge of what YAML may hold (`FACT_VALUES`), and 2
unexpected exceptions during assessment that must name the union, ruleset and item (`test_internal_error_*`).
A test below counts them, so the number stays true.
"""
from __future__ import annotations

import datetime as dt
import re
import textwrap
import time
from pathlib import Path

import pytest

from engine import InvalidInput, assess_union, load_fact_file, load_ruleset
from engine.diagnostics import InternalError
from engine.language import functions
from engine.plan.planner import next_level_plans

HEAD = """\
ruleset: {id: hostile, name: 恶意规则, max_score: 10}
facts:
  employees: {type: integer, min: 0, label: 职工人数}
  members: {type: integer, min: 0, label: 会员人数}
  founded: {type: date, label: 成立日期}
  share: {type: number, label: 比例}
DERIVE
sections:
  - id: s
    name: 分项
    max: 10
    items:
ITEM
levels:
  - {id: top, name: 达标, min: 5}
  - {id: none, name: 未达标, min: 0}
"""
FACTS = """\
union: {id: T-1, name: 测试工会, type: enterprise}
period: 2025
facts: {employees: 100, members: 50, founded: 2000-01-01, share: 0.5}
"""


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ruleset(item: str, derive: str = "") -> str:
    return HEAD.replace("ITEM", textwrap.indent(item, "      ")).replace("DERIVE", derive)


def when(expression: str, extra: str = "") -> str:
    return ruleset(f"- {{id: s.a, name: 指标, points: 10, when: {quoted(expression)}{extra}}}")


def fix(expression: str) -> str:
    """An item that always fails, so that its fix text is rendered for every union."""
    return ruleset(f"- {{id: s.a, name: 指标, points: 10, when: members > 1000, fix: {quoted('整改 {' + expression + '} 项')}}}")


def derived(expression: str, test: str = "big > 0") -> str:
    return ruleset(f"- {{id: s.a, name: 指标, points: 10, when: {test}}}", f"derive:\n  big: {quoted(expression)}")


def chain(count: int, step: str) -> str:
    """`count` derived values, each `step` of the one before (`{}`), read by an item that fails (its reason is phrased)."""
    steps = "".join(f"\n  d{i}: {quoted(step.format(f'd{i - 1}'))}" for i in range(1, count + 1))
    item = f"- {{id: s.a, name: 指标, points: 10, when: d{count} < 0, fix: {quoted('差 {d' + str(count) + '} 人')}}}"
    return ruleset(item, "derive:\n  d0: members" + steps)


TERMS = " or ".join(["members > 1000"] * 20000)
# name → (ruleset text, diagnostic code, the text the diagnostic's column points at)
REFUSED: dict[str, tuple[str, str, str]] = {
    "huge exponent (hung check)": (when("employees > 1e999999999"), "expr-number", "1e999999999"),
    "tiny exponent": (when("employees > 1e-999999999"), "expr-number", "1e-999999999"),
    "literal above 10^15": (when("employees > 1e16"), "expr-number", "1e16"),
    "long integer literal": (when("employees > " + "9" * 60), "expr-number", "9999"),
    "too many decimals": (when("share > 0.12345678901"), "expr-number", "0.12345678901"),
    "hexadecimal literal": (when("employees > 0xffffffffffffffffffffffff"), "expr-number", "0xff"),
    "binary literal": (when("employees > 0b1"), "expr-number", "0b1"),
    "complex literal": (when("employees > 1j"), "expr-forbidden", "1j"),
    "division by a written zero": (when("members / 0 > 1"), "expr-zero-divisor", "0 >"),
    "ratio over arithmetic making zero": (fix("ratio(members, 2 - 2)"), "expr-zero-divisor", "2 - 2"),
    "round digits 27 in fix": (fix("round(employees / 3, 27)"), "expr-digits", "27"),
    "round digits from a fact": (when("round(employees, employees) > 1"), "expr-digits", "employees)"),
    "round digits negative": (when("round(employees, -1) > 1"), "expr-digits", "-1"),
    "round digits as decimal": (when("round(employees, 1.5) > 1"), "expr-digits", "1.5"),
    "round digits as boolean": (when("round(employees, true) > 1"), "expr-digits", "true"),
    "pct digits 7 in fix": (fix("pct(share, 7)"), "expr-digits", "7"),
    "pct digits from arithmetic": (fix("pct(share, 1 + 1)"), "expr-digits", "1 + 1"),
    "20,000-term or": (when(TERMS), "expr-too-large", "members"),
    "600-element list": (when("members in [" + ", ".join(map(str, range(600))) + "]"), "expr-too-large", "members"),
    "501-part sum": (when("sum([" + ", ".join(["share"] * 500) + "]) > 0"), "expr-too-large", "sum"),
    "parentheses 3,000 deep": (when("(" * 3000 + "members" + ")" * 3000 + " > 1"), "expr-too-large", "((("),
    "parentheses 300 deep": (when("(" * 300 + "members" + ")" * 300 + " > 1"), "expr-syntax", ""),
    "unary minus 150 deep": (when("-" * 150 + "members > 1"), "expr-too-large", "-"),
    "not 150 deep": (when("not " * 150 + "members > 1"), "expr-too-large", "not"),
    "nested calls 120 deep": (when("abs(" * 120 + "members" + ")" * 120 + " > 1"), "expr-too-large", "abs"),
    "huge fix placeholder": (fix(" * ".join(["employees"] * 600)), "expr-too-large", "employees"),
    "nested list": (when("[[1], [2]] == []"), "expr-type", "[[1]"),
    "string repetition": (when("'x' * 99999999 == 'x'"), "expr-type", "'x'"),
    "power": (when("employees ** 99999 > 1"), "expr-forbidden", "employees"),
    "count each 0": (ruleset("- {id: s.a, name: 指标, points: 10, count: members, each: 0}"), "count-each", "0"),
    "count each 1e-9": (ruleset("- {id: s.a, name: 指标, points: 10, count: members, each: 0.000000001}"), "count-each", "0.0"),
    "points 1e300": (ruleset("- {id: s.a, name: 指标, points: 1e300, when: members > 1}"), "yaml-number", "1e300"),
    "1,000 derived values of +1 (RecursionError)": (chain(1000, "{} + 1"), "derive-too-deep", "d199 + 1"),
    "3 derived values 90 deep each": (chain(3, "-" * 90 + "{}"), "derive-too-deep", "-"),
    "400-digit YAML integer": (ruleset("- {id: s.a, name: 指标, points: " + "9" * 400 + ", when: members > 1}"), "yaml-number", "999"),
    "501 items (5,000 took the planner minutes a union)": (
        ruleset("".join(f"- {{id: s.i{i}, name: 指标, points: 0, when: members > {i}}}\n" for i in range(501))), "items-too-many", "{id: hostile"),
}
SURVIVED: dict[str, str] = {
    "70-element in (over durable's rule size)": when("members in [" + ", ".join(map(str, range(70))) + "]"),
    "300-element not in": when("members not in [" + ", ".join(map(str, range(300))) + "]"),
    "400 townships": when("union.township in [" + ", ".join(f"'镇{i}'" for i in range(400)) + "]"),
    "64-term and": when(" and ".join(f"members > {i}" for i in range(64))),
    "16 ands in an or": when(" or ".join(f"(members > {i} and employees > {i})" for i in range(16))),
    "160-term or in derive": derived(" or ".join(f"members > {i}" for i in range(160)), test="big"),
    "unary minus 95 deep (was exponential)": when("-" * 95 + "members > 1000"),
    "not 95 deep": when("not " * 95 + "members > 1000"),
    "abs 45 deep": when("abs(" * 45 + "members" + ")" * 45 + " > 1000"),
    "chained comparison of 120": when(" < ".join(["members"] * 120)),
    "product of facts to 10^450": derived(" * ".join(["(employees * 1000000000000000)"] * 25)),
    "product in fix": fix(" * ".join(["(employees * 1000000000000000)"] * 30)),
    "division chain 90 deep": fix("employees" + " / 7" * 90),
    "pct of a huge value": fix("pct(employees * 1000000000000000 * 1000000000000000 * 1000000000000000, 6)"),
    "round of a huge fraction": fix("round(employees / 7 * 1000000000000000 * 1000000000000000, 6)"),
    "years since year 1": fix("years_since(founded) * 1000000000000000"),
    "tiny step": ruleset("- {id: s.a, name: 指标, points: 10, shortfall: {value: share, target: 0.9, step: 1e-300, each: 1}}"),
    "huge scale": ruleset("- {id: s.a, name: 指标, points: 10, scale: {value: share, from: 0, to: 1e15}}"),
    "huge deduction": ruleset("- id: s.a\n  name: 指标\n  points: 10\n  deduct:\n    - {count: members, each: 1e15, name: 扣}"),
    "300 tiers": ruleset("- id: s.a\n  name: 指标\n  points: 10\n  tiers:\n"
                         + "".join(f"    - {{when: members > {i}, points: 1}}\n" for i in range(300))),
    "3,000-character name": when(f"union.name == '{'长' * 3000}'"),
    "22 derived values squaring the one before (took 40 s)": chain(22, "{0} * {0}"),
    "150 derived values squaring the one before": chain(150, "{0} * {0}"),
    "300-term sum in a fix": fix("sum([" + ", ".join(["employees"] * 300) + "])"),
}
# fact values at the edge: (what employees is, whether the fact file is refused)
FACT_VALUES = {"10^15": ("1000000000000000", False), "10^15 + 1": ("1000000000000001", True),
               "4,000 digits": ("9" * 4000, True), "1e308": ("1.0e308", True)}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", REFUSED)
def test_refused_at_load_with_file_line_and_column(tmp_path, name):
    text, code, points_at = REFUSED[name]
    path = write(tmp_path, "hostile.yaml", text)
    started = time.monotonic()
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    assert time.monotonic() - started < 5
    problem = caught.value.diagnostics[0]
    assert problem.code == code
    assert problem.mark.file == str(path) and problem.mark.line > 0 and problem.mark.column > 0
    line = text.splitlines()[problem.mark.line - 1]
    assert line[problem.mark.column - 1:].startswith(points_at)
    assert re.search(r"[\u4e00-\u9fff]", problem.message) and len(problem.message) < 300


@pytest.mark.parametrize("name", SURVIVED)
def test_loads_and_assesses_quickly(tmp_path, name, durable):
    from engine import OracleEvaluator

    path = write(tmp_path, "hostile.yaml", SURVIVED[name])
    loaded = load_ruleset(path)
    facts = load_fact_file(write(tmp_path, "facts.yaml", FACTS))
    for evaluator in (durable, OracleEvaluator()):
        started = time.monotonic()
        [result] = assess_union([loaded], facts, evaluator)
        from engine.evaluate.assessment import assess

        next_level_plans([loaded], assess([loaded], facts, evaluator), evaluator)
        assert time.monotonic() - started < 10, name
        assert all(item.reason or item.outcome == "pass" for item in result.items)


@pytest.mark.parametrize("name", FACT_VALUES)
def test_fact_values_at_the_edge(tmp_path, name, durable):
    value, refused = FACT_VALUES[name]
    loaded = load_ruleset(write(tmp_path, "rs.yaml", fix("employees * employees")))
    path = write(tmp_path, "facts.yaml", FACTS.replace("employees: 100", f"employees: {value}"))
    if refused:
        with pytest.raises(InvalidInput) as caught:
            load_fact_file(path)
        assert caught.value.diagnostics[0].code == "yaml-number"
        return
    [result] = assess_union([loaded], load_fact_file(path), durable)
    assert result.gaps[0].fix.startswith("整改 ")


def failing(env, value):
    raise RuntimeError("故意出错")


@pytest.fixture
def broken_abs(monkeypatch):
    """`abs` raising, as a bug would: registered before the ruleset is compiled, which captures it."""
    monkeypatch.setitem(functions.REGISTRY, "abs", functions.Function("abs", functions.REGISTRY["abs"].check, failing, False, ""))


def test_internal_error_in_a_fix_names_union_ruleset_and_item(tmp_path, broken_abs, durable):
    path = write(tmp_path, "hostile.yaml", fix("abs(members)"))
    facts = load_fact_file(write(tmp_path, "facts.yaml", FACTS))
    with pytest.raises(InternalError) as caught:
        assess_union([load_ruleset(path)], facts, durable)
    text = str(caught.value)
    assert text.startswith(f"{path}:13:9: 内部错误：")
    assert "工会 “T-1”" in text and "规则集 “hostile”" in text and "指标 “s.a”" in text and "RuntimeError: 故意出错" in text


def test_internal_error_in_a_condition_names_the_condition(tmp_path, broken_abs, durable):
    path = write(tmp_path, "hostile.yaml", when("abs(members) > 1"))
    facts = load_fact_file(write(tmp_path, "facts.yaml", FACTS))
    with pytest.raises(InternalError) as caught:
        assess_union([load_ruleset(path)], facts, durable)
    text = str(caught.value)
    assert text.startswith(f"{path}:13:")
    assert "工会 “T-1”" in text and "规则集 “hostile”" in text and "条件 “s.a/when”" in text


def test_years_since_at_the_end_of_the_calendar():
    assert functions.exact_years(dt.date(2025, 12, 31), dt.date(9999, 12, 31)) == 7974
    assert functions.exact_years(dt.date(9999, 12, 31), dt.date(1, 1, 1)) < -9998


def test_the_docstring_counts_the_inputs_tried():
    tried = len(REFUSED) + len(SURVIVED) + len(FACT_VALUES) + 2
    assert f"tries {tried} hostile inputs" in (__doc__ or "")


def test_a_chain_too_deep_is_reported_once_naming_the_derived_value(tmp_path):
    path = write(tmp_path, "chain.yaml", chain(1000, "{} + 1"))
    with pytest.raises(InvalidInput) as caught:
        load_ruleset(path)
    [problem] = caught.value.diagnostics  # not again for d201 … d1000, which read it
    assert problem.message.startswith("派生值 “d200” 经派生值 “d199” 层层读取其他派生值，展开后嵌套 201 层，超过 200 层")
