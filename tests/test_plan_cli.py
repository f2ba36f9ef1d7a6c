"""`unionscore plan`, and the plan in `assess --format markdown|json` and in batch reports."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from docx import Document

from cli import cli

REPO = Path(__file__).resolve().parent.parent
QS016 = str(REPO / "facts/qingshan/QS-016.yaml")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_plan_prints_an_ordered_checklist():
    result = run("plan", "--ruleset", "zhijia", QS016)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("工会：青山镇鑫源食品厂工会（QS-016）")
    assert lines[1] == "职工之家 31 分（不合格） → 目标合格职工之家：整改 6 项（难度低 4 项、中 2 项）。"
    assert lines[2].startswith("必备项“会员入会率（95% 以上满分）”") and lines[2].endswith("但仍须整改（评模范职工之家须全部必备项达标）。")
    assert lines[3].startswith("1. [ ] ") and "+8 分" in lines[3]
    assert any(line.strip().startswith("准备资料：") for line in lines)
    assert lines[-1] == "完成以上整改后复核：职工之家 60 分（合格职工之家）。"


def test_plan_with_a_target_level_and_usage_errors():
    five = run("plan", QS016, "--target", "five")
    assert five.exit_code == 0 and "目标五星" in five.output and "五星要求" in five.output
    assert run("plan", QS016, "--target", "gold").exit_code == 2
    assert run("plan", QS016, "--format", "markdown").exit_code == 2  # no single ruleset, no deadline


def test_plan_writes_the_workplan_in_markdown_and_word(tmp_path):
    markdown = run("plan", "--ruleset", "zhijia", QS016, "--format", "markdown", "--deadline", "2026-06-30")
    assert markdown.exit_code == 0
    for heading in ("一、指导思想", "二、工作目标", "三、主要措施", "四、时间安排", "五、保障措施"):
        assert heading in markdown.output
    out = tmp_path / "方案.docx"
    word = run("plan", "--ruleset", "zhijia", QS016, "--format", "docx", "--deadline", "2026-06-30", "--out", str(out))
    assert word.exit_code == 0 and out.exists()
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "四、时间安排" in text and "合格职工之家" in text


def test_the_workplan_timetable_lists_the_required_items_the_plan_leaves():  # QS-033: 3.8 years past its term
    markdown = run("plan", "--ruleset", "zhijia", str(REPO / "facts/qingshan/QS-033.yaml"), "--format", "markdown", "--deadline", "2026-06-30")
    assert ("| 必备项“工会委员会依法选举产生并按期换届”（本轮目标不要求，但仍须整改）："
            "召开会员（代表）大会进行换届选举（上次为2019年3月1日） | 工会主席 |") in markdown.output


def test_assess_markdown_and_json_carry_the_plan_to_the_next_level():
    markdown = run("assess", "--ruleset", "zhijia", QS016, "--format", "markdown")
    assert "### 晋级整改规划：合格职工之家" in markdown.output
    assert "完成以上整改后复核：职工之家 60 分（合格职工之家）。" in markdown.output
    record = json.loads(run("assess", "--ruleset", "zhijia", QS016, "--format", "json").output)
    plan = record["results"][0]["plan"]
    assert plan["target"] == "qualified" and plan["effort"] == 10 and len(plan["steps"]) == 6


def test_batch_union_pages_include_the_plan(tmp_path):
    facts = [str(REPO / f"facts/qingshan/QS-0{n}.yaml") for n in (16, 17, 36)]
    result = run("batch", *facts, "--ruleset", "zhijia", "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 0
    page = (tmp_path / "out/unions/QS-017.md").read_text(encoding="utf-8")
    assert "### 晋级整改规划\n" in page  # capped at 不合格 by this year's accident: no level is open this year
    assert "本年度发生重大劳动安全责任事故 1 起，按标准本年度不能评为合格职工之家及以上等级" in page
    assert "消除否决情形" not in page and "完成以上整改后复核" not in page
    html = (tmp_path / "out/unions/QS-016.html").read_text(encoding="utf-8")
    assert "晋级整改规划" in html and "完成以上整改后复核" in html


def test_no_workplan_for_a_standard_that_does_not_apply():
    """A 工会小组 does not take part in the star rating; a union founded this year may next year: the checklist
    says which, and no document is written."""
    group, new = (str(REPO / f"facts/qingshan/QS-0{n}.yaml") for n in (11, 29))
    checklist = run("plan", "--ruleset", "xingji", group)
    assert checklist.exit_code == 0
    assert checklist.output.splitlines()[1].startswith("星级（不适用）：未满足申报条件：")
    assert checklist.output.rstrip().endswith("本标准不适用于本单位。")
    assert "条件具备后方可参评本标准" in run("plan", "--ruleset", "xingji", new).output
    for facts in (group, new):
        document = CliRunner().invoke(cli, ["plan", "--ruleset", "xingji", facts, "--format", "markdown", "--deadline", "2026-06-30"])
        assert document.exit_code == 2 and "不生成整改工作方案：未满足申报条件" in document.output
