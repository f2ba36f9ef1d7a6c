"""docs/tutorial.md: every command in it works, on the example county variant it describes."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "docs" / "tutorial.md"
TABLES = REPO / "docs" / "tutorial-tables.md"  # the second tutorial: writing a published scoring table
SHELL_BLOCK = re.compile(r"```sh\n(.*?)```", re.DOTALL)


def commands() -> list[str]:
    """The command lines of both tutorials' ```sh blocks."""
    blocks = [block for path in (TUTORIAL, TABLES) for block in SHELL_BLOCK.findall(path.read_text(encoding="utf-8"))]
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_tutorial_walks_through_check_test_diff_and_template() -> None:
    verbs = [shlex.split(command)[1] for command in commands()]
    assert all(command.startswith("unionscore ") for command in commands())
    assert {"check", "test", "diff", "template"} <= set(verbs)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder like the repository's root (the tutorial's paths are relative to it) where outputs can land."""
    for name in ("docs", "facts", "rulesets"):
        (tmp_path / name).symlink_to(REPO / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("command", commands())
def test_every_tutorial_command_works(command: str, workspace: Path) -> None:
    result = CliRunner().invoke(cli, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_the_tutorial_shows_what_diff_prints(workspace: Path) -> None:
    command = next(c for c in commands() if c.startswith("unionscore diff") and "--format" not in c)
    printed = CliRunner().invoke(cli, shlex.split(command)[1:], catch_exceptions=False).stdout.splitlines()
    text = TUTORIAL.read_text(encoding="utf-8")
    quoted = ("对 ", "等级变化 ", "模范职工之家  ", "不合格  ", "等级    model", "分项    zuzhi ")
    shown = [line for line in printed if line.startswith(quoted) or "第 1 档条件" in line]
    assert len(shown) >= 5 and all(line in text for line in shown)
