"""History: past `batch` results imported as archived versions, a union's years, this round against the last."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from clients import signed_in
from django.test import Client

from cli import cli
from service import bootstrap, tokens
from service.history import import_results
from service.models import AuditEvent, Entry, Round, User, Version


def lines_of_2024(county: Round) -> list[dict[str, Any]]:
    """The county's 2025 results as if `batch` had graded them in 2024, with QS-016 a level higher then
    (基本达标, it fell since) and QS-017 lower (its 职工书屋 item lost 6 points more)."""
    lines = []
    for entry in Entry.objects.filter(round=county).select_related("union").order_by("union__code"):
        version = entry.versions.exclude(result__isnull=True).order_by("-number").first()
        assert version is not None
        for result in copy.deepcopy(version.result["results"]):
            if entry.union.code == "QS-016" and result["ruleset"]["id"] == "bayou":
                result["score"], result["level"] = 61.55, {"id": "jiben", "name": "基本达标"}
                for item in result["items"]:
                    if item["id"] == "changsuo.library":
                        item["points"] = item["max_points"]
            lines.append({"union": version.result["union"] | {"period": 2024}, "as_of": "2024-12-31", "result": result})
    return lines


def write_lines(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines),
                    encoding="utf-8")
    return path


@pytest.fixture
def imported(county: Round, tmp_path: Path) -> Round:
    report = import_results(write_lines(tmp_path / "results.jsonl", lines_of_2024(county)), 2024)
    assert not report.failures and report.round is not None
    return report.round


def test_past_results_become_an_archived_published_round(county: Round, imported: Round) -> None:
    assert (imported.year, imported.federation, imported.status) == (2024, county.federation, Round.Status.PUBLISHED)
    assert imported.ruleset_ids() == county.ruleset_ids()
    entry = Entry.objects.get(round=imported, union__code="QS-016")
    [version] = entry.versions.all()
    assert (version.kind, version.facts["facts"], entry.status) == (Version.Kind.ARCHIVED, {}, Entry.Status.PUBLISHED)
    assert version.result["results"][0]["level"]["name"] == "基本达标"
    assert Version.objects.filter(entry__round=imported).count() == Entry.objects.filter(round=county).count()
    assert AuditEvent.objects.filter(action="version.archived", union__code="QS-016").exists()


def test_the_history_shows_both_years(county: Round, imported: Round) -> None:
    answer = Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username='qs-016'))[0]}"}).get(
        "/api/v1/unions/QS-016/history")
    assert answer.status_code == 200
    years = answer.json()
    assert [(y["year"], y["round"]) for y in years] == [(2024, imported.pk), (2025, county.pk)]
    assert years[0]["results"]["bayou"] == {"score": 61.55, "level": "jiben", "level_name": "基本达标"}
    assert years[1]["results"]["bayou"] == {"score": 50.55, "level": "budabiao", "level_name": "不达标"}
    page = signed_in("qs-016")
    text = page.get("/unions/QS-016/history/").content.decode()
    assert "2024 年度" in text and "2025 年度" in text and "61.55 分 基本达标" in text and "50.55 分 不达标" in text
    assert "建有职工书屋（每 500 册藏书得 1 分，3000 册满分）（bayou）：6 → 0 分（-6）" in text  # what changed
    other = Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username='qs-017'))[0]}"})
    assert other.get("/api/v1/unions/QS-016/history").status_code == 404


def test_the_county_compares_this_round_with_the_last(county: Round, imported: Round) -> None:
    page = signed_in("admin")
    text = page.get(f"/county/{county.pk}/compare/").content.decode()
    assert "2025 年度与 2024 年度相比" in text and "<svg" in text and "<script" not in text
    bayou = text.split('<h2>基层工会规范化建设“八有”标准</h2>')[1].split("</section>")[0]
    assert "升级 0 个，持平 43 个，降级 1 个。" in bayou
    assert "<tr><td>青山镇</td><td>0</td>" in bayou and "<td>1</td></tr>" in bayou
    assert "全县失分增加最多的指标" in bayou and "建有职工书屋" in bayou.split("全县失分增加最多的指标")[1]
    union = signed_in("qs-016")
    assert union.get(f"/county/{county.pk}/compare/").status_code == 403


def test_bad_lines_are_reported_with_file_and_line_and_the_rest_imported(county: Round, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    good = lines_of_2024(county)
    path = write_lines(tmp_path / "results.jsonl", [good[0], "{not json", {"union": {"id": "X"}}, good[0],
                                                    good[1] | {"union": good[1]["union"] | {"period": 2023}}, "", *good[2:]])
    monkeypatch.setattr(bootstrap, "configure", lambda db=None: None)  # the test's database, already set up
    run = CliRunner().invoke(cli, ["db", "import-results", str(path), "--year", "2024"])
    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        f"{path}:2: 错误 [results-json] 不是有效的 JSON（Expecting property name enclosed in double quotes: line 1 column 2 (char 1)）",
        f"{path}:3: 错误 [results-line] 应为 batch 输出 results.jsonl 的一行：{{\"union\": {{…}}, \"as_of\": …, \"result\": {{…}}}}",
        f"{path}:4: 错误 [results-duplicate] 工会 QS-001 的“bayou”结果重复，只取第一行",
        f"{path}:5: 错误 [results-line] 结果属于 2023 年度，与 --year 2024 不符",
    ]
    units = Entry.objects.filter(round=county).count()
    assert f"已导入 {units} 个工会的结果到“青山县2024年度基层工会考核评价”，已有相同结果跳过 0 个；有问题的行 4 处。" in run.stdout
    again = CliRunner().invoke(cli, ["db", "import-results", str(write_lines(tmp_path / "good.jsonl", good)), "--year", "2024"])
    assert again.exit_code == 0 and f"跳过 {units - 1} 个" in again.stdout  # QS-001 now has its zhijia… results too


def test_an_empty_file_imports_nothing(county: Round, tmp_path: Path) -> None:
    report = import_results(write_lines(tmp_path / "empty.jsonl", []), 2024)
    assert report.round is None and report.failures == [f"{tmp_path / 'empty.jsonl'}: 错误 [results-empty] 没有可以导入的结果"]
