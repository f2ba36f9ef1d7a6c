"""The `unionscore` command: exit codes, dates, and what people see (table, markdown, test, check)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from wcwidth import wcswidth

import engine.evaluate.assessment
from cli import cli

REPO = Path(__file__).resolve().parent.parent  # not from conftest: which conftest a top-level module gets depends on the order

RULESET = """
ruleset: {id: demo, name: 演示标准, version: "2025.1", max_score: 20}
facts:
  employees: {type: integer, label: 职工人数, unit: 人}
  members: {type: integer, label: 会员人数, unit: 人}
  elected: {type: boolean, label: 依法选举}
  last_election: {type: date, label: 上次换届日期}
  meetings: {type: integer, label: 会议次数, unit: 次}
  incidents: {type: integer, label: 重大事故数}
derive:
  rate: ratio(members, employees)
sections:
  - id: zuzhi
    name: 有组织
    max: 10
    items:
      - id: zuzhi.rate
        name: 会员入会率
        points: 4
        tiers:
          - {when: rate >= 0.95, points: 4}
          - {when: rate >= 0.8, points: 3}
        fix: 入会率 {pct(rate)}，再发展会员 {ceil(employees * 0.95) - members} 名可达 95%。
      - {id: zuzhi.elected, name: 依法选举, points: 2, when: elected, required: true, fix: 召开会员大会依法选举。}
      - {id: zuzhi.term, name: 按期换届（五年）, points: 4, when: years_since(last_election) <= 5, fix: 按期换届。}
  - id: huodong
    name: 有活动
    max: 10
    items:
      - {id: huodong.meetings, name: 召开会议AB, points: 10, count: meetings, each: 2, fix: "本年开会 {meetings} 次，应不少于 5 次。"}
vetoes:
  - {id: veto.accident, name: 重大安全事故, when: incidents > 0, effect: cap, cap_level: basic}
levels:
  - {id: good, name: 达标, min: 16}
  - {id: basic, name: 基本达标, min: 10}
tests:
  - name: 全部达标
    facts: {employees: 100, members: 95, elected: true, last_election: 2023-05-12, meetings: 5, incidents: 0}
    expect: {score: 20, level: good}
"""

FACTS = """
union: {id: QS-0001, name: 青山镇永兴纺织有限公司工会, type: enterprise, township: 青山镇}
period: 2025
facts:
  employees: 100
  members: 85
  elected: false
  last_election: 2020-06-01
  meetings: 3
  incidents: 1
"""


@pytest.fixture
def files(write):
    return str(write("demo.yaml", RULESET)), str(write("facts.yaml", FACTS))


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# --- exit codes ----------------------------------------------------------------------------------

def test_assessed_union_exits_0_whatever_its_level(files, write):
    ruleset, facts = files
    assert run("assess", "--ruleset", ruleset, facts).exit_code == 0
    poor = write("poor.yaml", FACTS.replace("meetings: 3", "meetings: 0").replace("members: 85", "members: 0"))
    result = run("assess", "--ruleset", ruleset, str(poor))
    assert result.exit_code == 0
    assert "等级：未达到任何等级" in result.stdout


def test_a_ruleset_without_levels_is_assessed_and_batched(files, write, tmp_path):
    """Levels are optional (a 评分细则 that only scores): every command reports the score, none plans a level."""
    _, facts = files
    ruleset = str(write("scores.yaml", RULESET.split("vetoes:")[0]))
    assessed = run("assess", "--ruleset", ruleset, facts)
    assert assessed.exit_code == 0 and "本标准未设等级，不作晋级规划" in assessed.stdout
    batched = run("batch", facts, "--ruleset", ruleset, "--out", str(tmp_path / "out"))
    assert batched.exit_code == 0 and "失败 0 个" in batched.stdout
    assert (tmp_path / "out" / "report.html").exists()


def test_bad_fact_file_exits_1_with_file_line_column_on_stderr(files, write):
    ruleset, _ = files
    bad = write("bad.yaml", FACTS.replace("employees: 100", "employees: 二百三十"))
    result = run("assess", "--ruleset", ruleset, str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.search(rf"{re.escape(str(bad))}:4:14: 错误 \[fact-type\] 职工人数（employees）", result.stderr)


def test_unknown_union_type_exits_1(files, write):
    ruleset, _ = files
    bad = write("bad.yaml", FACTS.replace("type: enterprise", "type: company"))
    result = run("assess", "--ruleset", ruleset, str(bad))
    assert result.exit_code == 1
    assert f"{bad}:1:" in result.stderr and "union.type" in result.stderr


def test_missing_fact_file_exits_1(files):
    ruleset, _ = files
    result = run("assess", "--ruleset", ruleset, "/nonexistent/facts.yaml")
    assert result.exit_code == 1
    assert "文件不存在" in result.stderr


@pytest.mark.parametrize("args", [("batch", "{missing}", "--out", "{out}"), ("batch", "{missing}", "--out", "{out}", "--pages", "none"),
                                  ("diff", "zhijia", "zhijia", "--facts", "{missing}")])
def test_a_mistyped_source_is_a_usage_error_before_anything_is_written(tmp_path, args):
    """Not a failed union beside an empty report, nor 「只能读取 CSV 或 Parquet 文件」 for a CSV that is not there."""
    missing, out = tmp_path / "青山县.csv", tmp_path / "out"
    result = run(*(arg.format(missing=missing, out=out) for arg in args))
    assert result.exit_code == 2 and f"路径 '{missing}' 不存在" in result.stderr and not out.exists()


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--timeout", "nan", "'nan' 不是有效的数值"), ("--timeout", "inf", "inf 不在范围 0<x<=86400 之内"),
    ("--timeout", "1e10", "不在范围 0<x<=86400 之内"), ("--jobs", "99999999999999999999", "不在范围 1<=x<=256 之内"),
    ("--min-coverage", "nan", "'nan' 不是有效的数值"),
])
def test_a_number_out_of_range_is_a_usage_error_before_anything_is_written(files, tmp_path, option, value, says):
    """Not 内部错误 (ValueError from nan, OverflowError in threading's wait), nor a check that silently never fails."""
    ruleset, facts = files
    out = tmp_path / "out"
    command = ("test", ruleset) if option == "--min-coverage" else ("batch", facts, "--ruleset", ruleset, "--out", str(out))
    result = run(*command, option, value)
    assert result.exit_code == 2 and f"'{option}' 的值无效：" in result.stderr and says in result.stderr and not out.exists()


def test_invalid_ruleset_exits_1(files, write):
    _, facts = files
    broken = write("broken.yaml", RULESET.replace("when: elected,", "when: elected and,"))
    result = run("assess", "--ruleset", str(broken), facts)
    assert result.exit_code == 1
    assert f"{broken}:" in result.stderr and "[expr-syntax]" in result.stderr


def test_unknown_ruleset_id_exits_2(files):
    _, facts = files
    result = run("assess", "--ruleset", "nosuch", facts)
    assert result.exit_code == 2
    assert "找不到规则集 “nosuch”" in result.stderr


def test_bad_as_of_exits_2(files):
    ruleset, facts = files
    result = run("assess", "--ruleset", ruleset, "--as-of", "2025-13-01", facts)
    assert result.exit_code == 2
    assert "日期格式应为 YYYY-MM-DD" in result.stderr


def test_unknown_option_exits_2(files):
    ruleset, facts = files
    assert run("assess", "--ruleset", ruleset, "--formt", "json", facts).exit_code == 2


def boom(*args, **kwargs):
    raise RuntimeError("boom in scoring")


def test_internal_error_exits_3_without_traceback(files, monkeypatch):
    monkeypatch.setattr(engine.evaluate.assessment, "assess_ruleset", boom)
    ruleset, facts = files
    result = run("assess", "--ruleset", ruleset, facts)
    assert result.exit_code == 3
    assert "内部错误" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.stderr
    assert "工会 “" in result.stderr and "规则集 “" in result.stderr and "RuntimeError: boom in scoring" in result.stderr  # what to report


def test_internal_error_with_debug_shows_the_traceback(files, monkeypatch):
    monkeypatch.setattr(engine.evaluate.assessment, "assess_ruleset", boom)
    ruleset, facts = files
    result = run("--debug", "assess", "--ruleset", ruleset, facts)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr and "RuntimeError: boom in scoring" in result.stderr


# --- dates ---------------------------------------------------------------------------------------

def term_outcome(*args: str) -> str:
    result = run("assess", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["results"][0]["items"]
    return next(i["outcome"] for i in items if i["id"] == "zuzhi.term")


def test_as_of_changes_years_since(files):
    ruleset, facts = files
    assert term_outcome("--ruleset", ruleset, facts) == "fail"  # 2020-06-01 → 2025-12-31: 5.58 years
    assert term_outcome("--ruleset", ruleset, "--as-of", "2025-05-31", facts) == "pass"
    assert term_outcome("--ruleset", ruleset, "--as-of", "2025-06-01", facts) == "pass"  # exactly 5 years
    assert term_outcome("--ruleset", ruleset, "--as-of", "2025-06-02", facts) == "fail"


def test_assessment_date_is_the_end_of_the_period_not_today(files, write):
    ruleset, _ = files
    # counted to today, an election in 2016 would be far more than five years ago
    old = write("old.yaml", FACTS.replace("period: 2025", "period: 2020").replace("2020-06-01", "2016-01-01"))
    assert term_outcome("--ruleset", ruleset, str(old)) == "pass"


def test_fact_file_without_period_needs_as_of(files, write):
    ruleset, _ = files
    undated = write("undated.yaml", FACTS.replace("period: 2025\n", ""))
    result = run("assess", "--ruleset", ruleset, str(undated))
    assert result.exit_code == 1
    assert "period" in result.stderr and "--as-of" in result.stderr
    assert term_outcome("--ruleset", ruleset, "--as-of", "2024-01-01", str(undated)) == "pass"


# --- table and markdown --------------------------------------------------------------------------

@pytest.fixture
def table(files) -> str:
    result = run("assess", "--ruleset", files[0], files[1])
    assert result.exit_code == 0
    return result.stdout


def score_end(line: str) -> int:
    """Display column where the `earned/possible` cell of a table row ends."""
    match = re.search(r"\d+(?:\.\d+)?/\d+", line)
    assert match, line
    return wcswidth(line[: match.end()])


def test_table_is_chinese_and_names_the_union(table):
    assert table.startswith("青山镇永兴纺织有限公司工会（QS-0001，企业，青山镇）  2025 年度")
    assert "━━ 演示标准（2025.1）━━" in table and "demo" not in table  # the standard by its name, never its id
    assert "评价指标" in table and "得分" in table and "结果" in table


def test_table_columns_are_aligned_by_display_width(table):
    names = ("会员入会率", "召开会议AB", "按期换届（五年）")
    rows = [line for line in table.splitlines() if any(n in line for n in names) and re.search(r"\d+/\d+", line)]
    assert len(rows) == 3
    assert len({score_end(row) for row in rows}) == 1
    assert len({len(row[: re.search(r"\d+/\d+", row).end()]) for row in rows}) > 1  # character counts differ


def test_table_indents_items_under_their_sections(table):
    lines = table.splitlines()
    section = next(line for line in lines if line.startswith("【有组织】"))
    assert section.split()[1] == "3/10"
    assert lines[lines.index(section) + 1].startswith("  会员入会率")
    assert lines[lines.index(section) + 2].startswith("  ★依法选举")


def test_table_shows_total_level_vetoes_and_failed_required_items(table):
    # 3 + 0 + 0 + 6 = 9 points; the cap veto would allow at most 基本达标, which needs 10
    assert "总分：9 / 20    等级：未达到任何等级" in table
    assert "否决项：重大安全事故" in table
    assert "必备项未达标：依法选举" in table


def test_table_lists_gaps_largest_loss_first_with_rendered_fixes(table):
    gaps = table[table.index("整改事项（按失分从多到少）："):table.index("晋级整改规划")].splitlines()[1:]
    assert gaps == [
        "  1. 按期换届（五年）（失 4 分）：按期换届。",
        "  2. 召开会议AB（失 4 分）：本年开会 3 次，应不少于 5 次。",
        "  3. 依法选举（失 2 分）：召开会员大会依法选举。",
        "  4. 会员入会率（失 1 分）：入会率 85.0%，再发展会员 10 名可达 95%。",
    ]


def test_table_ends_each_ruleset_with_its_plan_to_the_next_level(table):
    plan = table[table.index("晋级整改规划（目标：基本达标）："):].splitlines()
    assert plan[1].startswith("  演示标准 ") and "→ 目标基本达标：整改" in plan[1]
    assert plan[-1].startswith("  完成以上整改后复核：演示标准 ") and "（基本达标）" in plan[-1]


def test_cap_veto_limits_the_level_in_the_table(files, write):
    good = FACTS.replace("elected: false", "elected: true").replace("meetings: 3", "meetings: 5").replace("members: 85", "members: 95")
    result = run("assess", "--ruleset", files[0], str(write("good.yaml", good)))
    assert "总分：16 / 20    等级：基本达标" in result.stdout


def test_markdown_report(files):
    result = run("assess", "--ruleset", files[0], files[1], "--format", "markdown")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("# 青山镇永兴纺织有限公司工会")
    assert "## 演示标准（2025.1）" in text
    assert "- 总分：9 / 20    等级：未达到任何等级" in text
    assert re.search(r"^\| 评价指标\s*\| 得分\s*\| 结果\s*\|$", text, re.MULTILINE)
    assert "### 整改事项" in text
    assert "1. 按期换届（五年）（失 4 分）：按期换届。" in text


# --- test and check ------------------------------------------------------------------------------

def test_test_command_passes(files):
    result = run("test", files[0])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == ["通过 demo::全部达标", "通过 1 个，未通过 0 个"]


def test_test_command_fails_and_shows_expected_and_actual(write):
    wrong = RULESET.replace("expect: {score: 20, level: good}", "expect: {score: 19, level: basic}")
    wrong += """  - name: 另一个
    facts: {employees: 100, members: 95, elected: true, last_election: 2023-05-12, meetings: 5, incidents: 0}
    expect: {level: good}
"""
    result = run("test", str(write("demo.yaml", wrong)))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "未通过 demo::全部达标"
    assert "score：期望 19，实际 20" in result.stdout
    assert "level：期望 basic，实际 good" in result.stdout
    assert "通过 demo::另一个" in lines
    assert lines[-1] == "通过 1 个，未通过 1 个"


def test_test_command_on_a_folder(tmp_path):
    folder = tmp_path / "rulesets"
    folder.mkdir()
    (folder / "demo.yaml").write_text(RULESET.lstrip(), encoding="utf-8")
    result = run("test", str(folder))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "通过 1 个，未通过 0 个"


def test_a_tests_file_named_for_no_ruleset_is_an_error_not_a_silence(tmp_path):
    """t-bsae.tests.yaml beside t-base.yaml: its cases never ran, and `test` passed with 「通过 0 个」."""
    folder = tmp_path / "rulesets"
    folder.mkdir()
    (folder / "demo.yaml").write_text(RULESET.lstrip(), encoding="utf-8")
    (folder / "deom.tests.yaml").write_text("tests:\n  - {name: 一个, facts: {employees: 1}, expect: {score: 1}}\n", encoding="utf-8")
    result = run("test", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'deom.tests.yaml'}: 错误 没有与之同名的规则集" in result.stderr



def test_tests_files_no_rule_reads_are_errors_each_named(tmp_path):
    """demo.test.yaml, demo.tests.yml and sub/demo.tests.yaml: none is read, and `test` had passed with 「通过 1 个」."""
    folder = tmp_path / "rulesets"
    (folder / "sub").mkdir(parents=True)
    (folder / "demo.yaml").write_text(RULESET.lstrip(), encoding="utf-8")
    case = "tests:\n  - {name: 一个, facts: {employees: 1}, expect: {score: 1}}\n"
    for name in ("demo.test.yaml", "demo.tests.yml", "sub/demo.tests.yaml", "cases.yaml"):
        (folder / name).write_text(case, encoding="utf-8")
    (folder / "notes.yaml").write_text("说明: 不是测试\n", encoding="utf-8")
    result = run("test", str(folder))
    assert result.exit_code == 1
    for name in ("demo.test.yaml", "demo.tests.yml"):
        assert f"{folder / name}: 错误 没有与之同名的规则集（测试文件应名为 <规则集 id>.tests.yaml 或 <规则集文件名>.tests.yaml；是否应为 demo.tests.yaml？）" in result.stderr
    assert f"{folder / 'sub' / 'demo.tests.yaml'}: 错误 在子文件夹中" in result.stderr
    assert f"{folder / 'cases.yaml'}: 错误 没有与之同名的规则集（测试文件应名为 <规则集 id>.tests.yaml 或 <规则集文件名>.tests.yaml），" in result.stderr
    assert "notes.yaml" not in result.stderr

def test_check_passes_a_good_ruleset(files):
    result = run("check", files[0])
    assert result.exit_code == 0
    assert f"通过 {files[0]}" in result.stdout


def test_check_fails_a_bad_ruleset_with_its_line(write):
    bad = write("bad.yaml", RULESET.replace("years_since(last_election)", "years_sinse(last_election)"))
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(bad))}:\d+:\d+: 错误 \[expr-unknown-function\] 未知函数 “years_sinse”，是否应为 “years_since”？", result.stderr)


@pytest.mark.parametrize("command", ["check", "test"])
def test_a_folder_skips_what_is_no_file_and_says_when_it_holds_no_ruleset(tmp_path, command):
    folder = tmp_path / "rulesets"
    folder.mkdir()
    (folder / "old.yaml").mkdir()  # stopped both with an internal error; a named pipe so named hung them
    (folder / "gone.yaml").symlink_to(folder / "nowhere.yaml")
    result = run(command, str(folder))
    assert (result.exit_code, result.stderr.strip()) == (2, f"错误：文件夹 {folder} 中没有规则集文件（含 ruleset: 部分的 .yaml 文件）")
    (folder / "demo.yaml").write_text(RULESET.lstrip(), encoding="utf-8")
    assert run(command, str(folder)).exit_code == 0

def test_test_command_on_a_folder_skips_fact_files(tmp_path):
    folder = tmp_path / "rulesets"
    folder.mkdir()
    (folder / "demo.yaml").write_text(RULESET.lstrip(), encoding="utf-8")
    (folder / "union.yaml").write_text("union: {id: X, type: enterprise}\nperiod: 2025\nfacts: {employees: 3}\n", encoding="utf-8")
    result = run("test", str(folder))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "通过 1 个，未通过 0 个"


ONLY_SOME_COMMANDS = ("numpy", "polars", "pyarrow", "docx", "openpyxl")  # about a third of a second to import


def loaded_by(*arguments: str) -> list[str]:
    """The libraries of ONLY_SOME_COMMANDS that a fresh `unionscore ARGUMENTS` imports."""
    code = ("import json, sys, cli\n"
            "try:\n    cli.cli(sys.argv[1:], prog_name='unionscore')\n"
            "except SystemExit:\n    pass\n"
            f"print(json.dumps(sorted(name for name in {ONLY_SOME_COMMANDS!r} if name in sys.modules)), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *arguments], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_assess_plan_and_check_start_without_the_libraries_only_some_commands_use() -> None:
    assert loaded_by("assess", "facts/qingshan/QS-001.yaml") == []
    assert loaded_by("check", "rulesets/bayou.yaml") == []
    assert loaded_by("plan", "facts/qingshan/QS-016.yaml", "--ruleset", "bayou") == []


def test_the_libraries_are_loaded_by_the_commands_that_use_them(tmp_path: Path) -> None:
    workbook = tmp_path / "form.xlsx"
    assert "openpyxl" not in loaded_by("template", "--format", "xlsx", "--out", str(workbook))
    assert "openpyxl" in loaded_by("assess", str(workbook))
    docx = tmp_path / "plan.docx"
    assert "docx" in loaded_by("plan", "facts/qingshan/QS-016.yaml", "--ruleset", "bayou", "--deadline", "2026-06-30",
                               "--format", "docx", "--out", str(docx))
    assert docx.is_file()
