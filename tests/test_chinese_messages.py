"""Chinese everywhere: click's own help and errors, YAML syntax errors with a hint, `--debug` anywhere."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import engine.evaluate.assessment
from cli import cli
from engine.click_chinese import MESSAGES

COMMANDS = sorted(cli.commands)
# English that click itself would print; the project's own words (CSV, YAML, id, Python …) may appear
CLICK_ENGLISH = re.compile(r"Usage|Options|Commands|Show this|default:|required|Error|Try |No such|Missing|Invalid|"
                           r"does not exist|is not|\[OPTIONS\]|COMMAND|ARGS|TEXT|INTEGER|FLOAT|PATH|DIRECTORY|FILE|RANGE|"
                           r"ID_OR_PATH|FACT_FILE|SOURCES|ITEM_ID|\bOLD\b|\bNEW\b|\bLEVEL\b|\bID\b")
RULESET = """\
ruleset: {id: demo, name: 演示, max_score: 10}
facts:
  members: {type: integer, label: 会员人数}
sections:
  - id: s
    name: 分项
    max: 10
    items:
      - {id: s.a, name: 指标, points: 10, when: members > 1, fix: 发展会员。}
levels:
  - {id: top, name: 达标, min: 5}
"""
FACTS = "union: {id: T-1, name: 测试工会, type: enterprise}\nperiod: 2025\nfacts:\n  members: 3\n"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="unionscore")


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    ruleset, facts = tmp_path / "demo.yaml", tmp_path / "facts.yaml"
    ruleset.write_text(RULESET, encoding="utf-8")
    facts.write_text(FACTS, encoding="utf-8")
    return str(ruleset), str(facts)


# click's help ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["--help"], ["-h"]] + [[command, "--help"] for command in COMMANDS], ids=" ".join)
def test_help_has_no_english_from_click(args):
    result = run(*args)
    assert result.exit_code == 0
    assert result.stdout.startswith("用法: unionscore")
    assert not CLICK_ENGLISH.findall(result.stdout), result.stdout


def test_top_help_lists_commands_and_options_in_chinese():
    text = run("--help").stdout
    assert "用法: unionscore [选项] 命令 [参数]..." in text
    assert "选项:" in text and "命令:" in text and "显示本帮助并退出。" in text


def test_batch_help_placeholders_and_defaults_in_chinese():
    text = run("batch", "--help").stdout
    assert "用法: unionscore batch [选项] 来源..." in text
    assert "--out 目录" in text and "[必填]" in text and "--jobs 整数" in text and "[默认：60; 0<x<=86400]" in text


def test_every_click_template_has_a_translation():
    """Each `_("…")` and `ngettext("…", "…")` in click's source: a click upgrade that adds one fails here."""
    missing = []
    for path in Path(click.__file__).parent.glob("*.py"):
        if path.name.startswith("_win"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                missing += [f"{path.name}: {t!r}" for t in texts if t and t not in MESSAGES]
    assert not missing


# click's errors ----------------------------------------------------------------------------------

def error_of(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 2
    assert not CLICK_ENGLISH.findall(result.stderr), result.stderr
    return result.stderr


def test_unknown_short_option(files):
    text = error_of("assess", "-o", files[1])
    assert "错误：没有选项 '-o'。" in text
    assert "用法: unionscore assess [选项] 事实文件" in text and "用 “unionscore assess --help” 查看帮助。" in text


def test_mistyped_option_suggests_the_close_one(files):
    assert "没有选项 '--formt'。 是否应为 '--format'？" in error_of("assess", "--formt", "json", files[1])


def test_mistyped_command_suggests_the_close_one():
    assert "没有命令 'asess'。 是否应为 'assess'？" in error_of("asess")


def test_path_that_does_not_exist():
    assert "路径 'nope.yaml' 不存在。" in error_of("check", "nope.yaml")


def test_missing_argument():
    assert "缺少参数 '事实文件'" in error_of("assess")


def test_bad_choice(files):
    assert "'--format' 的值无效：'xml' 不是可选值 'table', 'json', 'markdown' 之一。" in error_of("assess", "--format", "xml", files[1])


def test_out_of_range(files):
    assert "'--jobs' 的值无效：0 不在范围 1<=x<=256 之内。" in error_of("batch", files[1], "--out", "o", "--jobs", "0")


def test_not_a_number(files):
    assert "'--jobs' 的值无效：'many' 不是有效的整数。" in error_of("batch", files[1], "--out", "o", "--jobs", "many")


def test_option_without_its_value(files):
    assert "选项 '--format' 后面需要一个值。" in error_of("assess", files[1], "--format")


def test_extra_argument(files):
    assert "多出了参数（extra）" in error_of("assess", files[1], "extra")


def test_missing_command():
    result = run()
    assert "用法: unionscore [选项] 命令 [参数]..." in result.stdout + result.stderr


# --debug anywhere --------------------------------------------------------------------------------

def boom(*args, **kwargs):
    raise RuntimeError("boom in scoring")


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_command_shows_the_traceback(files, monkeypatch, where):
    monkeypatch.setattr(engine.evaluate.assessment, "assess_ruleset", boom)
    ruleset, facts = files
    args = ["assess", facts, "--ruleset", ruleset]
    result = run("--debug", *args) if where == "before" else run(*args, "--debug")
    assert result.exit_code == 3
    assert "Traceback" in result.stderr and "RuntimeError: boom in scoring" in result.stderr
    assert "工会 “T-1”" in result.stderr and "规则集 “demo”" in result.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_accepts_debug_after_its_name(command):
    result = run(command, "--debug", "--help")
    assert result.exit_code == 0, result.stderr


def test_debug_after_a_double_dash_is_left_alone(files):
    result = run("check", "--", "--debug")
    assert result.exit_code == 2 and "'--debug' 不存在" in result.stderr


# YAML syntax errors ------------------------------------------------------------------------------

YAML_MISTAKES = {
    # name: (broken line replacing "    name: 分项", expected line, column, words in the message)
    "full-width colon": ("    name： 分项", 6, 9, ["全角“：”", "半角冒号“:”"]),
    "tab indentation": ("\tname: 分项", 6, 1, ["Tab", "空格"]),
    "colon in text": ("    name: 分项: 组织", 6, 13, ["“: ”", "加引号"]),
}


@pytest.mark.parametrize("name", YAML_MISTAKES)
def test_yaml_mistake_in_a_ruleset_is_chinese_with_a_hint(tmp_path, name):
    broken, line, column, words = YAML_MISTAKES[name]
    path = tmp_path / "broken.yaml"
    path.write_text(RULESET.replace("    name: 分项", broken), encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    head = result.stderr.splitlines()[0]
    assert head.startswith(f"{path}:{line}:{column}: 错误 [yaml-syntax] YAML 语法错误：")
    assert all(word in head for word in words), head
    assert not re.search(r"[a-z]{4,}", head.split("[yaml-syntax]")[1].replace("name", "")), head


def test_braces_in_a_flow_mapping_in_a_ruleset(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(RULESET.replace("fix: 发展会员。", "fix: 再发展{members}名会员"), encoding="utf-8")
    head = run("check", str(path)).stderr.splitlines()[0]
    assert head.startswith(f"{path}:9:")
    assert "花括号" in head and '加引号，如 fix: "完成{x}项"' in head


def test_yaml_mistake_in_a_fact_file_is_chinese_with_a_hint(files, tmp_path):
    ruleset, _ = files
    path = tmp_path / "facts.yaml"
    path.write_text(FACTS.replace("  members: 3", "  members：3\n  employees: 5"), encoding="utf-8")
    result = run("assess", str(path), "--ruleset", ruleset)
    assert result.exit_code == 1
    head = result.stderr.splitlines()[0]
    assert head.startswith(f"{path}:4:10: 错误 [yaml-syntax] YAML 语法错误：") and "全角“：”" in head
