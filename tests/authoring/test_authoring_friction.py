"""Issue 16's authoring friction: every problem in one `check`, variant tests, tests files named after the
file, zero tests, did-you-mean, the `unstated` marker and `diff` of two different standards."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import cli
from tests.authoring.test_ruleset_tests import GOOD, RULESET

REPO = Path(__file__).resolve().parents[2]
GOOD_TEST = f"tests:\n  - name: 全部达标\n    facts: {GOOD}\n    expect: {{score: 10, level: good}}\n"


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args))


def test_check_reports_schema_and_semantic_errors_and_warnings_in_one_pass(write) -> None:
    text = (RULESET.replace("points: 2, when: committee.elected", "points: two, when: committee.elected")  # schema
            .replace("years_since(committee.last_election) <= 5", "years_since(committee.last_electon) <= 5")  # semantic
            .replace("tiers:", "evidence: [会员名册]\n        tiers:"))
    result = run("check", str(write("demo.yaml", text)))
    codes = [line.split("[")[1].split("]")[0] for line in result.stderr.splitlines() if " [" in line and ": " in line]
    assert "schema-type" in codes and "expr-unknown-name" in codes and "item-no-fix" in codes
    assert "section-balance" not in codes  # the broken item's 2 points are not counted against its section
    assert "是否应为 “committee.last_election”？" in result.stderr


def test_a_variant_inherits_its_parents_tests_unless_they_touch_what_it_changed(write) -> None:
    write("demo.yaml", RULESET + GOOD_TEST + "  - name: 入会率 80%\n    facts: {employees: 100, members: 80, committee: {elected: true, size: 5, "
          "last_election: 2023-05-12}, incidents: 0}\n    expect: {items: {rate: 2}}\n"
          "  - name: 选举\n    facts: {committee: {elected: false}}\n    expect: {items: {elected: 0}}\n")
    child = write("county.yaml", "ruleset: {id: county, name: 县版, version: '1'}\nextends: demo.yaml\n"
                  "override:\n  elected:\n    name: 依法选举（县）\n")
    printed = run("test", "--coverage", str(child)).stdout
    assert "通过 county::（继承 demo）入会率 80%" in printed  # about an item the county left as it was
    assert "跳过 county::（继承 demo）全部达标：期望的得分、等级已随修改而变" in printed
    assert "跳过 county::（继承 demo）选举：期望的指标已被删除或修改" in printed
    assert "覆盖率 county（县版）：22.2%（2/9）" in printed  # the inherited test counts: a tier of rate, and the level it gets
    assert printed.splitlines()[-1] == "通过 1 个，未通过 0 个"


def test_a_tests_file_named_after_the_ruleset_file_is_found(write) -> None:
    path = write("my-county.yaml", RULESET)
    write("my-county.tests.yaml", GOOD_TEST)
    assert run("test", str(path)).stdout.splitlines() == ["通过 demo::全部达标", "通过 1 个，未通过 0 个"]


def test_zero_tests_is_a_warning_and_an_error_with_strict(write) -> None:
    path = write("demo.yaml", RULESET)
    plain, strict = run("test", str(path)), run("test", "--strict", str(path))
    assert plain.exit_code == 0 and "警告 [tests-none] 规则集 “demo” 没有测试用例" in plain.stderr
    assert strict.exit_code == 1 and "错误 [tests-none]" in strict.stderr


def test_unknown_ids_have_did_you_mean(write) -> None:
    path = write("demo.yaml", RULESET + "tests:\n  - name: 拼错\n    facts: {}\n    expect: {level: godo}\n")
    assert "expect.level 中 “godo” 不是本规则集的等级 id，是否应为 “good”？" in run("check", str(path)).stderr
    child = write("county.yaml", "ruleset: {id: county, name: 县版, version: '1'}\nextends: demo.yaml\n"
                  "override:\n  elcted: {points: 2}\nremove: [therd]\n")
    printed = run("check", str(child)).stderr
    assert "要覆盖的 “elcted” 在上级规则集中不存在，是否应为 “elected”？" in printed
    assert "要删除的 “therd” 在上级规则集中不存在，是否应为 “third”？" in printed


def test_strict_accepts_the_unstated_marker(write) -> None:
    text = RULESET.replace("      - {id: elected, name: 依法选举, points: 2,", "      - {id: elected, name: 依法选举, unstated: [fix, evidence], points: 2,")
    printed = run("check", "--strict", str(write("demo.yaml", text))).stderr
    assert "“elected” 没有" not in printed and "“term” 没有 fix" in printed


def test_diff_of_two_different_standards_says_so_first() -> None:
    printed = run("diff", "bayou", "zhijia").stdout
    assert printed.startswith("注意：两者是不同的规则集（bayou「基层工会规范化建设“八有”标准」与 zhijia「“职工之家”建设考核评价标准」），")
    variant = run("diff", "zhijia", str(REPO / "docs" / "examples" / "zhijia-qingshan.yaml")).stdout
    assert variant.startswith("规则集对比：")
