"""A file a command writes (`--out`): never over one of its inputs, never over an existing file without --force."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import cli

REPO = Path(__file__).resolve().parent.parent
QS016 = REPO / "facts/qingshan/QS-016.yaml"
ZHIJIA = REPO / "rulesets/zhijia.yaml"

# each command that writes one file, with `{input}` where it reads the file it must not write over
COMMANDS = {
    "plan markdown": ["plan", "{input}", "--ruleset", "zhijia", "--deadline", "2026-06-30", "--format", "markdown"],
    "plan docx": ["plan", "{input}", "--ruleset", "zhijia", "--deadline", "2026-06-30", "--format", "docx"],
    "plan text": ["plan", "{input}", "--ruleset", "zhijia"],
    "checklist": ["checklist", "--ruleset", "zhijia", "{input}"],
    "template yaml": ["template", "--ruleset", "{input}"],
    "template xlsx": ["template", "--ruleset", "{input}", "--format", "xlsx"],
}
INPUTS = {"template yaml": ZHIJIA, "template xlsx": ZHIJIA}


def run(name: str, source: Path, out: Path, *extra: str) -> Result:
    args = [str(source) if word == "{input}" else word for word in COMMANDS[name]]
    return CliRunner().invoke(cli, [*args, "--out", str(out), *extra])


@pytest.fixture
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A copy of the command's input in the test's folder (a ruleset keeps its name: it is its id's file)."""
    original = INPUTS.get(request.node.callspec.params["name"], QS016)
    return Path(shutil.copy(original, tmp_path / original.name))


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("how", ["same name", "symbolic link", "hard link"])
def test_the_output_is_never_the_input_even_with_force(name: str, how: str, source: Path, tmp_path: Path) -> None:
    before = source.read_bytes()
    out = tmp_path / "另一个名字.yaml"
    if how == "same name":
        out = source
    elif how == "symbolic link":
        out.symlink_to(source)
    else:
        out.hardlink_to(source)
    for extra in ([], ["--force"]):
        refused = run(name, source, out, *extra)
        assert refused.exit_code == 2, refused.output
        assert refused.stderr == f"错误：输出文件 {out} 就是输入 {source}；请另选输出文件，以免覆盖原始数据\n"
        assert refused.stdout == "" and source.read_bytes() == before


@pytest.mark.parametrize("name", COMMANDS)
def test_an_existing_file_is_replaced_only_with_force(name: str, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "已有的文件"
    out.write_text("县总工会的文件", encoding="utf-8")
    refused = run(name, source, out)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == f"错误：{out} 已存在，未覆盖；请换一个文件名，或加 --force 覆盖\n"
    assert out.read_text(encoding="utf-8") == "县总工会的文件"
    replaced = run(name, source, out, "--force")
    assert replaced.exit_code == 0, replaced.output
    assert out.read_bytes() != "县总工会的文件".encode()
    new = run(name, source, tmp_path / "新文件")
    assert new.exit_code == 0 and content(tmp_path / "新文件") == content(out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def content(path: Path) -> object:
    """What a file holds: a .docx or .xlsx by its parts (a zip dates each part to the second it was written)."""
    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_link_in_the_way_counts_as_an_existing_file(tmp_path: Path) -> None:
    loop, dangling = tmp_path / "环a", tmp_path / "断开的链接"
    loop.symlink_to(tmp_path / "环b")
    (tmp_path / "环b").symlink_to(loop)
    dangling.symlink_to(tmp_path / "不存在" / "文件")
    for out in (loop, dangling):
        refused = run("plan text", QS016, out)
        assert refused.exit_code == 2 and refused.stderr == f"错误：{out} 已存在，未覆盖；请换一个文件名，或加 --force 覆盖\n"
        assert out.is_symlink()


@pytest.mark.parametrize("command", [["plan", str(QS016)], ["checklist", str(QS016)], ["template", "--format", "xlsx"]])
def test_the_output_is_never_a_ruleset_read_through_extends(command: list[str], tmp_path: Path) -> None:
    """A county's ruleset extends the province's file: that file is read too, and --force never writes over it."""
    parent = Path(shutil.copy(ZHIJIA, tmp_path / "省标准.yaml"))
    before = parent.read_bytes()
    child = tmp_path / "县标准.yaml"
    child.write_text(f'extends: {parent}\nruleset: {{id: county, name: 县标准, version: "1"}}\n', encoding="utf-8")
    refused = CliRunner().invoke(cli, [*command, "--ruleset", str(child), "--out", str(parent), "--force"])
    assert refused.exit_code == 2, refused.output
    assert refused.stderr == f"错误：输出文件 {parent} 就是输入 {parent}；请另选输出文件，以免覆盖原始数据\n"
    assert parent.read_bytes() == before
