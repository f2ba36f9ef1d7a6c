"""`unionscore batch`: error isolation, duplicates, order under any --jobs, atomic outputs, crashes."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import engine.batch.workers
from cli import cli
from engine.batch.output_folder import MARKER

COUNTY = Path(__file__).resolve().parents[2] / "facts" / "qingshan"


def run(*args: str):
    return CliRunner().invoke(cli, ["batch", *args], catch_exceptions=False)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """Eight example unions in a folder."""
    folder = tmp_path / "facts"
    folder.mkdir()
    for path in sorted(COUNTY.glob("QS-0[01]*.yaml"))[:8]:
        shutil.copy(path, folder)
    return folder


def test_a_folder_with_one_broken_file_still_assesses_the_rest(sample, tmp_path):
    (sample / "QS-099.yaml").write_text("union: {id: QS-099, type: enterprise}\nperiod: 2025\nfacts:\n  members: 二百\n", encoding="utf-8")
    result = run(str(sample), "--out", str(tmp_path / "out"), "--ruleset", "bayou", "--jobs", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "已评估 8 个工会，失败 1 个。"
    assert "QS-099.yaml:4:12: 错误 [fact-type] 会员人数（members）：无法识别 “二百”，应为不小于 0 的整数" in result.stderr
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8 and "QS-099" not in "".join(lines)


def test_a_workbook_with_one_bad_row(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "青山镇"
    sheet.append(["编号", "名称", "类型", "乡镇", "年度", "会员人数", "职工人数"])
    sheet.append(["A-1", "甲厂工会", "企业", "青山镇", 2025, "80人", 100])
    sheet.append(["A-2", "乙厂工会", "企业", "青山镇", 2025, "八十", 100])
    sheet.append(["A-3", "丙厂工会", "企业", "青山镇", 2025, 90, "1,000"])
    book.save(tmp_path / "county.xlsx")
    result = run(str(tmp_path / "county.xlsx"), "--out", str(tmp_path / "out"), "--ruleset", "zhijia", "--jobs", "1")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "已评估 2 个工会，失败 1 个。"
    assert "工作表“青山镇”第 3 行“会员人数”列：无法识别 “八十”" in result.stderr
    ids = [json.loads(line)["union"]["id"] for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == ["A-1", "A-3"]


def test_a_row_fact_problem_says_where_once_for_csv_and_with_its_sheet_for_a_workbook(tmp_path):
    """The diagnostic names file, row and column; a workbook's also needs its sheet, a CSV's nothing more."""
    rows = [["编号", "名称", "类型", "乡镇", "年度", "会员人数", "职工人数"], ["A-1", "甲厂工会", "企业", "青山镇", 2025, 120, 100]]
    (tmp_path / "county.csv").write_text("\n".join(",".join(map(str, row)) for row in rows) + "\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = "青山镇"
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "county.xlsx")
    for name, prefix in (("county.csv", ""), ("county.xlsx", f"{tmp_path / 'county.xlsx'} 工作表“青山镇” 第 2 行：")):
        result = run(str(tmp_path / name), "--out", str(tmp_path / f"out-{name}"), "--ruleset", "zhijia", "--jobs", "1")
        assert result.exit_code == 1
        [line] = [text for text in result.stderr.splitlines() if "[fact-members]" in text]
        assert line == f"{prefix}{tmp_path / name}:2:6: 错误 [fact-members] 会员人数（members）120 大于职工人数（employees）100"


def test_duplicate_ids_name_both_places(sample, tmp_path):
    shutil.copy(sample / "QS-001.yaml", sample / "zz-copy.yaml")
    result = run(str(sample), "--out", str(tmp_path / "out"), "--ruleset", "bayou", "--jobs", "1")
    assert result.exit_code == 1
    message = (f"{sample / 'zz-copy.yaml'}: 工会编号 “QS-001” 重复：{sample / 'QS-001.yaml'} 已用了这个编号，这里的记录未计入；"
               "如是同一单位，请只保留一份记录，如是另一个单位，请改正其编号")
    assert message in result.stderr


@pytest.mark.parametrize("pages", ["all", "none"])
def test_a_source_named_twice_is_refused_before_anything_is_written(tmp_path, pages):
    """Each of its unions would be read twice, each second reading a repeat of itself."""
    for name, union in (("county.csv", "QS-900"), ("other.csv", "QS-901")):
        (tmp_path / name).write_text(f"编号,类型,年度,members,employees\n{union},enterprise,2025,10,12\n", encoding="utf-8")
    table = tmp_path / "county.csv"
    twice = run(str(table), str(tmp_path / "other.csv"), f"{tmp_path}/./county.csv", "--out", str(tmp_path / "out"), "--pages", pages)
    assert twice.exit_code == 2 and not (tmp_path / "out").exists()
    assert f"第 3 个来源 {table} 与第 1 个来源 {table} 是同一个文件，其中的工会会被读两次；请只给一次" in twice.stderr


def test_a_file_inside_a_folder_also_named_is_refused(sample, tmp_path):
    inside = run(str(sample / "QS-001.yaml"), str(sample), "--out", str(tmp_path / "out"))
    assert inside.exit_code == 2 and f"第 1 个来源 {sample / 'QS-001.yaml'} 在第 2 个来源 {sample} 之中" in inside.stderr


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file in the output folder, the workbook too (its creation date is the assessment date)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sheet_values(path: Path) -> list:
    book = openpyxl.load_workbook(path, read_only=True)
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def test_jobs_1_2_and_4_give_byte_identical_outputs(tmp_path):
    one, two, four = tmp_path / "one", tmp_path / "two", tmp_path / "four"
    for folder, jobs in ((one, "1"), (two, "2"), (four, "4")):
        assert run(str(COUNTY), "--out", str(folder), "--jobs", jobs).exit_code == 0
    assert outputs(one) == outputs(two) == outputs(four)
    assert sheet_values(one / "summary.xlsx") == sheet_values(two / "summary.xlsx")
    assert len(list((one / "unions").glob("*.html"))) == 44


def test_out_refuses_a_foreign_non_empty_folder(sample, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("不要覆盖我", encoding="utf-8")
    refused = run(str(sample), "--out", str(out))
    assert refused.exit_code == 2
    assert "不是 unionscore 的输出目录" in refused.stderr
    assert run(str(sample), "--out", str(out), "--force", "--ruleset", "bayou").exit_code == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "不要覆盖我"


def test_a_previous_output_is_replaced_without_force(sample, tmp_path):
    out = tmp_path / "out"
    assert run(str(sample), "--out", str(out), "--ruleset", "bayou").exit_code == 0
    (sample / "QS-001.yaml").unlink()
    assert run(str(sample), "--out", str(out), "--ruleset", "bayou").exit_code == 0
    assert not (out / "unions" / "QS-001.html").exists()
    assert (out / MARKER).is_file()


def test_an_interrupted_run_leaves_no_report_that_looks_complete(sample, tmp_path, monkeypatch):
    """Nothing of the interrupted run is left, and the last complete run's report stays as it was (a re-run
    interrupted removed it, with its own files, from the folder cleared at its start)."""
    first, out = tmp_path / "first", tmp_path / "out"
    assert run(str(sample), "--out", str(first), "--ruleset", "bayou").exit_code == 0
    assert run(str(sample), "--out", str(out), "--ruleset", "zhijia").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("engine.batch.run.ItemSheets.save", interrupted)
    assert run(str(sample), "--out", str(out), "--ruleset", "bayou").exit_code == 1  # click: Aborted!
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")} == before
    assert {p.name for p in out.iterdir() if p.name.startswith(".")} == {".unionscore-output", ".unionscore-output.lock"}
    monkeypatch.undo()
    assert run(str(sample), "--out", str(out), "--ruleset", "bayou").exit_code == 0  # and the next run takes its place
    assert (out / "report.html").read_bytes() == (first / "report.html").read_bytes()


def test_a_worker_that_dies_is_reported_and_the_batch_goes_on(sample, tmp_path, monkeypatch):
    real = engine.batch.workers.assess

    def crashing(rulesets, facts, *args):
        if facts.union["id"] == "QS-003":
            os._exit(1)  # as when durable-rules' C code kills the process
        return real(rulesets, facts, *args)

    monkeypatch.setattr(engine.batch.workers, "assess", crashing)
    result = run(str(sample), "--out", str(tmp_path / "out"), "--ruleset", "bayou", "--jobs", "2")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "已评估 7 个工会，失败 1 个。"
    assert "QS-003.yaml: 内部错误：评估此工会时工作进程意外退出" in result.stderr


def test_an_internal_error_in_one_union_is_reported(sample, tmp_path, monkeypatch):
    real = engine.batch.workers.assess

    def buggy(rulesets, facts, *args):
        if facts.union["id"] == "QS-002":
            raise ZeroDivisionError("boom")
        return real(rulesets, facts, *args)

    monkeypatch.setattr(engine.batch.workers, "assess", buggy)
    result = run(str(sample), "--out", str(tmp_path / "out"), "--ruleset", "bayou", "--jobs", "1")
    assert result.exit_code == 1
    assert "QS-002.yaml: 内部错误：评估此工会时程序出错（ZeroDivisionError: boom）" in result.stderr


def test_results_jsonl_has_one_line_per_union_and_ruleset(sample, tmp_path):
    assert run(str(sample), "--out", str(tmp_path / "out"), "--ruleset", "xingji").exit_code == 0
    records = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(records) == 8 * 3
    assert {r["result"]["ruleset"]["id"] for r in records} == {"bayou", "zhijia", "xingji"}
    assert set(records[0]) == {"union", "as_of", "result"}


def test_a_derived_value_past_64_bits_is_written_not_an_internal_error(tmp_path):
    """Facts stop at 10^15, but a product of two may pass 2^63: orjson refuses it, the json module writes it."""
    ruleset = tmp_path / "product.yaml"
    ruleset.write_text("""
ruleset: {id: product, name: 乘积, version: "1", max_score: 10}
facts:
  a: {type: integer, label: 甲, min: 0}
  b: {type: integer, label: 乙, min: 0}
derive:
  ab: a * b
sections:
  - id: s
    name: 唯一分项
    max: 10
    items:
      - {id: s.big, name: 乘积够大, points: 10, when: ab > 1000}
levels:
  - {id: ok, name: 合格, min: 60}
  - {id: no, name: 不合格, min: 0}
""", encoding="utf-8")
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "X-1.yaml").write_text("union: {id: X-1, type: enterprise}\nperiod: 2025\nfacts: {a: 1000000000000000, b: 1000000000000000}\n",
                                    encoding="utf-8")
    result = run(str(facts), "--out", str(tmp_path / "out"), "--ruleset", str(ruleset), "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    [record] = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert record["result"]["items"][0]["facts"]["ab"] == 10**30 and record["result"]["score"] == 10


def test_terminal_shows_ranked_table_level_counts_and_where_reports_are(sample, tmp_path):
    result = run(str(sample), "--out", str(tmp_path / "out"), "--ruleset", "bayou")
    lines = result.stdout.splitlines()
    assert lines[0].split()[:6] == ["名次", "编号", "名称", "类型", "乡镇", "八有"]
    assert any(line.startswith("八有") and "达标" in line for line in lines)
    assert f"报告已写入 {tmp_path / 'out'}/" in result.stdout
