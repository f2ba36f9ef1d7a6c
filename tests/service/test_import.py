"""The demo county as imported: every example union, its record graded as `assess` grades its fact file."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from clients import signed_in

from cli import cli
from service import bootstrap
from service.models import Entry, Round, Union, User, Version

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_round_holds_every_example_union(county: Round) -> None:
    assert county.title == "青山县2025年度基层工会考核评价"
    assert [r["id"] for r in county.rulesets] == ["bayou", "zhijia", "xingji", "zhijia-jiguan"]
    assert Entry.objects.filter(round=county).count() == 44
    assert Version.objects.filter(entry__round=county, kind=Version.Kind.IMPORTED).count() == 44
    assert User.objects.get(username="t-qingshan").township.name == "青山镇"
    assert User.objects.get(username="qs-016").union.code == "QS-016"


@pytest.mark.parametrize("code", ["QS-001", "QS-011", "QS-016", "QS-017", "QS-029"])
def test_an_imported_record_is_graded_as_assess_grades_the_file(county: Round, code: str) -> None:
    version = Version.objects.get(entry__round=county, entry__union__code=code)
    done = CliRunner().invoke(cli, ["assess", "--format", "json", str(REPO / "facts" / "qingshan" / f"{code}.yaml")])
    assert done.exit_code == 0 and version.result == json.loads(done.output)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """`db import` on the test's database, already set up."""
    monkeypatch.setattr(bootstrap, "configure", lambda db=None, data=None, migrate=True: None)
    monkeypatch.setattr(bootstrap, "migrate_tables", lambda: None)


def import_to(*arguments: str) -> Result:
    return CliRunner().invoke(cli, ["db", "import", "--year", "2026", *arguments])


def test_the_accounts_file_is_never_a_source(configured: None, tmp_path: Path) -> None:
    workbook = Path(shutil.copy(REPO / "facts/qingshan.xlsx", tmp_path / "county.xlsx"))
    before = workbook.read_bytes()
    for extra in ([], ["--force"]):
        refused = import_to(str(workbook), "--accounts", str(workbook), *extra)
        assert refused.exit_code == 2 and workbook.read_bytes() == before
        assert refused.stderr == f"错误：输出文件 {workbook} 就是输入 {workbook}；请另选输出文件，以免覆盖原始数据\n"
    folder = Path(shutil.copytree(REPO / "facts/qingshan", tmp_path / "qingshan"))
    inside = import_to(str(folder), "--accounts", str(folder / "accounts.xlsx"))
    assert inside.exit_code == 2 and not (folder / "accounts.xlsx").exists()
    assert inside.stderr == f"错误：输出文件 {folder / 'accounts.xlsx'} 在输入文件夹 {folder} 中，以后读取该文件夹时会被当作数据读入；请另选位置\n"


@pytest.mark.django_db
def test_an_existing_accounts_file_is_replaced_only_with_force(configured: None, tmp_path: Path) -> None:
    accounts = tmp_path / "账号.xlsx"
    accounts.write_text("上次导入的账号", encoding="utf-8")
    source = str(REPO / "facts/qingshan/QS-001.yaml")
    refused = import_to(source, "--accounts", str(accounts))
    assert refused.exit_code == 2 and accounts.read_text(encoding="utf-8") == "上次导入的账号"
    assert refused.stderr == f"错误：{accounts} 已存在，未覆盖；请换一个文件名，或加 --force 覆盖\n"
    assert not Round.objects.filter(year=2026).exists()  # refused before anything was imported
    assert import_to(source, "--accounts", str(accounts), "--force").exit_code == 0
    assert accounts.read_bytes().startswith(b"PK")  # a workbook now
    assert import_to(source, "--accounts", str(tmp_path / "新账号.xlsx")).exit_code == 0
    assert (tmp_path / "新账号.xlsx").read_bytes().startswith(b"PK")


def test_the_accounts_file_is_never_the_database(tmp_path: Path) -> None:
    database = tmp_path / "县总工会.sqlite3"
    command = ["db", "import", str(REPO / "facts/qingshan/QS-001.yaml"), "--year", "2025", "--db", f"sqlite:///{database}",
               "--accounts", str(database), "--force"]
    done = subprocess.run([sys.executable, "-c", "import cli; cli.main()", *command], cwd=tmp_path, capture_output=True, text=True,
                          env=os.environ | {"UNIONSCORE_DATA": str(tmp_path)}, timeout=300)
    assert done.returncode == 2
    assert done.stderr == f"错误：输出文件 {database} 就是输入 {database}；请另选输出文件，以免覆盖原始数据\n"
    assert not database.exists()  # refused before the database was made


@pytest.mark.django_db
def test_a_union_whose_header_no_record_can_hold_is_not_imported(configured: None, tmp_path: Path) -> None:
    """The pages name a union by its code: one with a / had no address, and every list linking it failed (500);
    a code, a name or a township longer than its column stopped the import on PostgreSQL."""
    text = (REPO / "facts/qingshan/QS-001.yaml").read_text(encoding="utf-8")
    for code in ("QS/099", "..", "QS-" + "9" * 62):
        (tmp_path / f"{len(code)}.yaml").write_text(text.replace("QS-001", code), encoding="utf-8")
    header = yaml.safe_load(text)["union"]
    (tmp_path / "QS-003.yaml").write_text(text.replace("QS-001", "QS-003").replace(header["name"], "长" * 201), encoding="utf-8")
    (tmp_path / "QS-004.yaml").write_text(text.replace("QS-001", "QS-004").replace(header["township"], "镇" * 101), encoding="utf-8")
    (tmp_path / "QS-002.yaml").write_text(text.replace("QS-001", "QS-002"), encoding="utf-8")
    done = import_to(str(tmp_path), "--accounts", str(tmp_path.parent / f"{tmp_path.name}-accounts.xlsx"))
    assert done.exit_code == 1
    assert "编号 “QS/099” 不能用作网页地址（不能含有 “/”，也不能是 “.” 或 “..”）" in done.stderr and "编号 “..” 不能用作网页地址" in done.stderr
    assert f"编号 “QS-{'9' * 17}…” 过长：最多 64 个字符，请修改后再导入" in done.stderr
    assert f"QS-003）：名称 “{'长' * 20}…” 过长：最多 200 个字符" in done.stderr and f"QS-004）：乡镇（街道） “{'镇' * 20}…” 过长：最多 100 个字符" in done.stderr
    assert set(Union.objects.filter(entries__round__year=2026).values_list("code", flat=True)) == {"QS-002"}
    assert signed_in("admin").get("/").status_code == 200
