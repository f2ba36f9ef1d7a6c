"""History: past `batch` results imported as archived versions, a union's years, this round against the last."""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from clients import signed_in
from django.db import DatabaseError
from django.test import Client

from cli import cli
from service import bootstrap, history, tokens
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


def test_without_an_earlier_round_only_the_admin_is_told_whom_to_ask_for_one(county: Round) -> None:
    """In words for an admin who does not use a shell: the page named `unionscore db import-results`."""
    for username, told in (("admin", True), ("assessor", False), ("t-qingshan", False)):
        text = " ".join(re.sub(r"<[^>]+>", " ", signed_in(username).get(f"/county/{county.pk}/compare/").content.decode()).split())
        assert "之前没有考核年度，无法对比。" in text and ("往年的考核结果可请系统管理员导入" in text) == told
        assert "db import" not in text


def test_a_standard_that_uses_others_is_compared_by_its_own_levels() -> None:
    """星级 uses 八有 and 职工之家, which load first: its levels were taken for 八有's, so a union gaining a star
    with a lower score counted as 降级."""
    order = history.level_order("xingji")
    assert order == ["five", "four", "three", "none"]
    assert history.direction({"level": "three", "score": 80}, {"level": "four", "score": 78}, order) == "up"


def test_bad_lines_are_reported_with_file_and_line_and_the_rest_imported(county: Round, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    good = lines_of_2024(county)
    path = write_lines(tmp_path / "results.jsonl", [good[0], "{not json", {"union": {"id": "X"}}, good[0],
                                                    good[1] | {"union": good[1]["union"] | {"period": 2023}}, "", *good[2:]])
    monkeypatch.setattr(bootstrap, "configure", lambda db=None: None)  # the test's database, already set up
    run = CliRunner().invoke(cli, ["db", "import-results", str(path), "--year", "2024"])
    assert run.exit_code == 1
    assert run.stderr.splitlines() == [
        f"{path}:2: 错误 [results-json] 第 2 行：不是有效的 JSON（Expecting property name enclosed in double quotes: line 1 column 2 (char 1)），此行未导入",
        f"{path}:3: 错误 [results-line] 第 3 行：不是 batch 输出 results.jsonl 的一行 {{\"union\": {{…}}, \"as_of\": …, \"result\": {{…}}}}："
        "缺少必填字段 “as_of”，此行未导入",
        f"{path}:4: 错误 [results-duplicate] 第 4 行：工会 QS-001 的“bayou”结果重复（只取第一行），此行未导入",
        f"{path}:5: 错误 [results-year] 第 5 行：字段 union.period：结果属于 2023 年度，与 --year 2024 不符，此行未导入",
    ]
    units = Entry.objects.filter(round=county).count()
    assert f"已导入 {units} 个工会的结果到“青山县2024年度基层工会考核评价”，已有相同结果跳过 0 个；有问题的行 4 处。" in run.stdout
    again = CliRunner().invoke(cli, ["db", "import-results", str(write_lines(tmp_path / "good.jsonl", good)), "--year", "2024"])
    assert again.exit_code == 0 and f"跳过 {units - 1} 个" in again.stdout  # QS-001 now has its zhijia… results too


def test_an_empty_file_imports_nothing(county: Round, tmp_path: Path) -> None:
    report = import_results(write_lines(tmp_path / "empty.jsonl", []), 2024)
    assert report.round is None and report.failures == [f"{tmp_path / 'empty.jsonl'}: 错误 [results-empty] 没有可以导入的结果"]


def changed(line: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of the line with the value at a dotted path (list indexes as numbers) replaced."""
    found = copy.deepcopy(line)
    *head, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    inner = found
    for part in head:
        inner = inner[part]
    inner[last] = value
    return found


def nested(depth: int) -> Any:
    return [nested(depth - 1)] if depth else 1


BAD_LINES = {  # how QS-001's zhijia line is spoiled → what its line 2 says
    "NaN": (lambda line: json.dumps(changed(line, "result.score", float("nan"))),
            "results-number", "字段 result.score 不是有限的数（实际为 NaN）"),
    "infinity": (lambda line: json.dumps(changed(line, "result.items.0.points", float("-inf"))),
                 "results-number", "字段 result.items.0.points 不是有限的数（实际为 -Infinity）"),
    "5000 digits": (lambda line: json.dumps(changed(line, "result.score", 0.123456789)).replace("0.123456789", "9" * 5000),
                    "results-number", "字段 result.score 的数字过长（超过 130 位）"),
    "huge": (lambda line: changed(line, "result.items.1.max_points", 1e308),
             "results-number", "字段 result.items.1.max_points 超出范围：绝对值不能大于 10 的 15 次方，实际为 1e+308"),
    "too deep for JSON": (lambda line: "[" * 100_000 + "]" * 100_000,
                          "results-json", "JSON 嵌套层次过深（batch 输出的一行不超过 20 层）"),
    "deep in the facts": (lambda line: changed(line, "result.items.0.facts", {"x": nested(30)}),
                          "results-json", "字段 result.items.0.facts.x" + ".0" * 16 + " 嵌套超过 20 层"),
    "id a list": (lambda line: changed(line, "union.id", ["QS-001"]), "results-line", "字段 union.id：应为文本，实际为 “['QS-001']”"),
    "id no address can hold": (lambda line: changed(line, "union.id", "QS/001"), "results-union-id",
                               "字段 union.id：编号 “QS/001” 不能用作网页地址（不能含有 “/”，也不能是 “.” 或 “..”），请修改编号后再导入"),
    "name too long": (lambda line: changed(line, "union.name", "长" * 201), "results-union-name",
                      f"字段 union.name：名称 “{'长' * 20}…” 过长：最多 200 个字符，请修改后再导入"),
    "unknown type": (lambda line: changed(line, "union.type", "company"), "results-union-type",
                     "字段 union.type：“company” 不是工会类型，应为以下之一：enterprise、government、institution、village、joint、group"),
    "level of another ruleset": (lambda line: changed(line, "result.level", {"id": "dabiao", "name": "达标"}), "results-level",
                                 "字段 result.level.id：“dabiao” 不是“zhijia”（2025.1 版）的等级，应为以下之一：model、advanced、qualified、unqualified"),
    "no such date": (lambda line: changed(line, "as_of", "2024-02-30"), "results-line",
                     "字段 as_of：应为日期（YYYY-MM-DD，须是实有的日期），实际为 “2024-02-30”"),
    "another header": (lambda line: changed(line, "union.name", "另一个工会"), "results-union",
                       "工会 QS-001 的 union 或 as_of 与第 1 行不同"),
}


@pytest.mark.parametrize("spoil", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_a_bad_line_is_refused_whole_naming_its_field_and_the_rest_imported(county: Round, tmp_path: Path, spoil: Any) -> None:
    make, code, text = spoil
    good = lines_of_2024(county)
    assert (good[1]["union"]["id"], good[1]["result"]["ruleset"]["id"]) == ("QS-001", "zhijia")
    path = write_lines(tmp_path / "results.jsonl", [good[0], make(good[1]), *good[2:]])
    report = import_results(path, 2024)
    assert report.failures == [f"{path}:2: 错误 [{code}] 第 2 行：{text}，此行未导入"]
    assert report.unions == Entry.objects.filter(round=county).count()
    version = Version.objects.get(entry__round=report.round, entry__union__code="QS-001")
    assert version.result["results"] == [line["result"] for line in good if line["union"]["id"] == "QS-001" and line != good[1]]


def test_a_ruleset_this_installation_lacks_is_history_imported_with_a_notice(county: Round, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    good = lines_of_2024(county)
    own = changed(changed(good[1], "result.ruleset.id", "qingshan-own"), "result.level", {"id": "youxiu", "name": "优秀"})
    path = write_lines(tmp_path / "results.jsonl", [good[0], own, *good[2:]])
    monkeypatch.setattr(bootstrap, "configure", lambda db=None: None)
    run = CliRunner().invoke(cli, ["db", "import-results", str(path), "--year", "2024"])
    assert run.exit_code == 0
    assert run.stderr.splitlines() == [
        f"{path}: 提示 [results-ruleset-unchecked] 本系统没有“qingshan-own”（2025.1 版）标准，其结果按文件导入，等级未核对"]
    version = Version.objects.get(entry__round__year=2024, entry__union__code="QS-001")
    assert version.result["results"][1] == own["result"]


def test_a_failure_while_storing_leaves_the_database_as_it_was(county: Round, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    stored, store = [], history.store

    def store_twice(*args: Any) -> None:
        if len(stored) == 2:
            raise DatabaseError("disk full")
        stored.append(store(*args))

    path = write_lines(tmp_path / "results.jsonl", lines_of_2024(county))
    monkeypatch.setattr(history, "store", store_twice)
    with pytest.raises(DatabaseError):
        import_results(path, 2024)
    assert not Round.objects.filter(year=2024).exists() and not Version.objects.filter(kind=Version.Kind.ARCHIVED).exists()
