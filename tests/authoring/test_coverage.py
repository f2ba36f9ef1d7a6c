"""Test coverage (`unionscore test --coverage`): what scoring records, the arithmetic, the listing, the exit code."""
from __future__ import annotations

from click.testing import CliRunner

from cli import cli
from engine import OracleEvaluator, load_ruleset, run_tests
from engine.authoring.coverage import measure, percent_text, render
from engine.values import Fraction

RULESET = """
ruleset: {id: cov, name: 覆盖率演示, version: '1', max_score: 10}
facts:
  rate: {type: number, min: 0, max: 1, label: 入会率, unit: "%"}
  elected: {type: boolean, label: 依法选举}
  missing: {type: integer, min: 0, label: 缺失台账, unit: 种}
  plan: {type: boolean, label: 有工作计划}
  incidents: {type: integer, min: 0, label: 重大事故, unit: 起}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - id: rate
        name: 入会率
        points: 4
        tiers:
          - {when: rate >= 0.95, points: 4, name: 95% 以上}
          - {when: rate >= 0.8, points: 2}
      - {id: elected, name: 依法选举, points: 3, when: elected}
      - id: ledger
        name: 台账
        points: 3
        deduct:
          - {count: missing, each: 1, name: 缺失台账}
          - {when: not plan, points: 1, name: 无工作计划}
vetoes:
  - {id: veto.accident, name: 重大事故, when: incidents > 0, effect: disqualify}
levels:
  - {id: good, name: 达标, min: 8}
  - {id: basic, name: 基本达标, min: 5}
  - {id: none, name: 未达标, min: 0}
tests:
  - name: 全部达标
    facts: {rate: 1, elected: true, missing: 0, plan: true, incidents: 0}
    expect: {score: 10, level: good}
  - name: 入会率第二档、缺两种台账
    facts: {rate: 0.85, elected: true, missing: 2, plan: true, incidents: 0}
    expect: {score: 6, level: basic}
  - name: 入会率不足、选举资料缺失
    facts: {rate: 0.5, missing: 0, plan: true, incidents: 0}
    expect: {score: 3, level: none, outcomes: {elected: missing, rate: fail}}
"""


def coverage_of(write, text: str = RULESET):
    ruleset = load_ruleset(write("cov.yaml", text))
    outcomes = run_tests(ruleset, [ruleset], OracleEvaluator())
    assert all(o.passed for o in outcomes), [o.problems for o in outcomes]
    return measure(ruleset, [o.result for o in outcomes])


def test_scoring_records_the_tier_and_the_deductions_that_applied(assess):
    text = RULESET.split("tests:")[0]
    result = assess(text, {"rate": 0.85, "elected": True, "missing": 2, "plan": False, "incidents": 0})
    scores = {i.id: i for i in result.items}
    assert (scores["rate"].branch, scores["rate"].deductions) == (1, ())
    assert (scores["ledger"].branch, scores["ledger"].deductions, scores["ledger"].points) == (None, (0, 1), 0)
    assert "tier" not in scores["rate"].to_json()  # the JSON form stays as it was
    top = assess(text, {"rate": 0.96, "elected": True, "missing": 0, "plan": True, "incidents": 0})
    assert [(i.branch, i.deductions) for i in top.items] == [(0, ()), (None, ()), (None, ())]


def test_coverage_arithmetic(write):
    coverage = coverage_of(write)
    assert [coverage.share(kind) for kind in ("item", "tier", "deduction", "veto", "level")] == [(2, 3), (2, 2), (1, 2), (0, 1), (3, 3)]
    assert coverage.share() == (8, 11)
    assert coverage.percent == Fraction(800, 11)
    assert percent_text(coverage.percent) == "72.7%"


def test_unreached_parts_are_listed_with_their_chinese_names(write):
    coverage = coverage_of(write)
    assert [(p.kind, p.key) for p in coverage.unreached()] == [("item", "elected"), ("deduction", "ledger#2"), ("veto", "veto.accident")]
    assert render(coverage).splitlines() == [
        "覆盖率 cov（覆盖率演示）：72.7%（8/11）",
        "  指标 2/3，档次 2/2，扣分项 1/2，否决项 0/1，等级 3/3",
        "  未覆盖：",
        "    指标 elected 依法选举：没有用例使它既得满分又失分",
        "    扣分项 ledger#2 台账：无工作计划：没有用例触发这项扣分",
        "    否决项 veto.accident 重大事故：没有用例触发",
    ]


FAILING_ALL = "  - name: 全部未达标且发生事故\n    facts: {rate: 1, elected: false, missing: 0, plan: false, incidents: 1}\n    expect: {score: 6, eligible: false, level: null}\n"


def test_an_item_needs_a_test_where_it_passes_and_one_where_it_loses_points(write):
    ruleset = load_ruleset(write("cov.yaml", RULESET + FAILING_ALL))
    outcomes = run_tests(ruleset, [ruleset], OracleEvaluator())
    assert all(o.passed for o in outcomes)
    losing_only = measure(ruleset, [outcomes[-1].result])
    assert ("item", "elected") not in {(p.kind, p.key) for p in losing_only.reached}
    passing_only = measure(ruleset, [outcomes[0].result])
    assert ("item", "elected") not in {(p.kind, p.key) for p in passing_only.reached}
    both = measure(ruleset, [o.result for o in outcomes])
    assert both.unreached() == []
    assert percent_text(both.percent) == "100.0%"


def test_tiers_are_labelled_by_name_or_condition(write):
    labels = {p.key: p.label for p in coverage_of(write).parts if p.kind == "tier"}
    assert labels == {"rate#1": "入会率 第 1 档（95% 以上）", "rate#2": "入会率 第 2 档（rate >= 0.8）"}


def test_a_ruleset_without_tests_covers_nothing(write):
    ruleset = load_ruleset(write("cov.yaml", RULESET.split("tests:")[0]))
    assert measure(ruleset, []).share() == (0, 11)


# the command ------------------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_test_coverage_prints_the_report_before_the_final_line(write):
    path = write("cov.yaml", RULESET)
    result = run("test", "--coverage", str(path))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == ["通过 cov::全部达标", "通过 cov::入会率第二档、缺两种台账", "通过 cov::入会率不足、选举资料缺失"]
    assert lines[3] == "覆盖率 cov（覆盖率演示）：72.7%（8/11）"
    assert "    否决项 veto.accident 重大事故：没有用例触发" in lines
    assert lines[-1] == "通过 3 个，未通过 0 个"


def test_min_coverage_fails_below_the_threshold(write):
    path = write("cov.yaml", RULESET)
    result = run("test", "--min-coverage", "73", str(path))
    assert result.exit_code == 1
    assert "覆盖率不足：cov 为 72.7%，要求至少 73%" in result.stderr
    assert result.stdout.splitlines()[-1] == "通过 3 个，未通过 0 个"
    assert "覆盖率 cov" not in result.stdout  # the full report only with --coverage
    assert run("test", "--min-coverage", "72.7", str(path)).exit_code == 0


def test_bundled_rulesets_meet_the_ci_threshold():
    result = run("test", "--min-coverage", "90", "rulesets/")
    assert result.exit_code == 0, result.stderr
