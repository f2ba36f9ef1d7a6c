"""`unionscore batch --pages none`: a province graded in bulk through the command line — Parquet
results equal to the per-union engine, the report and level counts, bad rows reported, CSV and
Parquet sources alike, and the same files on a Dask LocalCluster."""
from __future__ import annotations

import csv
import random
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from cli import cli
from engine import resolve_rulesets
from engine.facts.fact_file import merged_declarations
from engine.province.mode import few_lines, line_breaks
from engine.province.partitions import PAST_HEADER, row_count
from engine.province.verify import sample_mismatches
from engine.report.templating import score

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from generate import province, write_csv  # noqa: E402

SPECS = ("bayou", "zhijia", "xingji")
UNIONS = 400


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    decls = merged_declarations(resolve_rulesets(list(SPECS)))
    path = tmp_path_factory.mktemp("province") / "province.csv"
    return write_csv(province(UNIONS, decls, random.Random(3)), sorted(decls), path)


def run(source: Path, out: Path, *more: str) -> tuple[int, str, str]:
    args = ["batch", str(source), "--out", str(out), "--pages", "none", "--jobs", "1", "--partition-rows", "150", *more]
    result = CliRunner().invoke(cli, args + [part for spec in SPECS for part in ("--ruleset", spec)])
    return result.exit_code, result.stdout, result.stderr


def test_province_results_equal_the_per_union_engine(source: Path, tmp_path: Path):
    code, stdout, _ = run(source, tmp_path)
    assert code == 0, stdout
    assert f"已评估 {UNIONS} 个工会，失败 0 个" in stdout
    for spec in SPECS:
        table = pl.read_parquet(tmp_path / "results" / spec / "*.parquet")
        assert table.height == UNIONS
        assert {"score", "level", "vetoes", "points:" + resolve_rulesets([spec])[-1].items()[0].id} <= set(table.columns)
    assert sorted((tmp_path / "results" / "bayou").iterdir())[-1].name == "part-00002.parquet"
    assert not (tmp_path / "unions").exists()  # no pages asked for: no empty folder for them
    assert sample_mismatches(tmp_path, source, SPECS, UNIONS, seed=1) == (UNIONS, [])


def test_report_and_level_counts(source: Path, tmp_path: Path):
    run(source, tmp_path)
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "按市（州）统计的等级分布" in report and "失分最多的指标" in report and "第1市" in report
    with (tmp_path / "levels.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(int(row["单位数"]) for row in rows) == UNIONS * len(SPECS)
    levels = pl.read_parquet(tmp_path / "results" / "zhijia" / "*.parquet").group_by("level_name").len()
    counted = {row["等级"]: 0 for row in rows if row["标准代码"] == "zhijia"}
    for row in rows:
        if row["标准"] == resolve_rulesets(["zhijia"])[-1].name:
            counted[row["等级"]] += int(row["单位数"])
    assert counted == dict(zip(levels["level_name"], levels["len"]))
    graded = pl.read_parquet(tmp_path / "results" / "zhijia" / "*.parquet").filter(pl.col("applies") & pl.col("eligible"))
    total_row = report.split('data-ruleset="zhijia" data-by="city"')[1].split('<tr class="total">')[1].split("</tr>")[0]
    assert total_row.endswith(f'<td class="num">{score(graded["score"].mean())}</td>')


def with_cell(source: Path, tmp_path: Path, line: int, column: str, value: Any) -> Path:
    """A copy of the source with one cell changed: line 1 is the first union's, `value` a text or a function of the line."""
    lines = source.read_text(encoding="utf-8").splitlines()
    header, cells = lines[0].split(","), lines[line].split(",")
    cells[header.index(column)] = value(dict(zip(header, cells))) if callable(value) else value
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([*lines[:line], ",".join(cells), *lines[line + 1:]]) + "\n", encoding="utf-8")
    return bad


def test_bad_rows_are_reported_and_the_rest_graded(source: Path, tmp_path: Path):
    code, stdout, stderr = run(with_cell(source, tmp_path, 2, "employees", "二百三十"), tmp_path / "out")
    assert code == 1
    assert f"已评估 {UNIONS - 1} 个工会，失败 1 个" in stdout
    assert "第 3 行" in stderr and "二百三十" in stderr


def test_a_count_above_its_declared_ceiling_is_refused_as_in_a_county_batch(source: Path, tmp_path: Path):
    """女会员人数 above 会员人数 (`at_most: members`): the columns find the row, the per-union engine tells it."""
    bad = with_cell(source, tmp_path, 1, "female_members", lambda row: str(int(row["members"]) + 1))
    code, stdout, stderr = run(bad, tmp_path / "out")
    assert code == 1 and f"已评估 {UNIONS - 1} 个工会，失败 1 个" in stdout
    assert "[fact-at-most] 女会员人数（female_members）" in stderr and "大于会员人数（members）" in stderr


def test_a_date_after_the_assessment_date_is_refused_as_in_a_county_batch(source: Path, tmp_path: Path):
    """工会成立日期 2030 (`past: true`) in a 2025 file: the columns find the row, the per-union engine tells it."""
    code, stdout, stderr = run(with_cell(source, tmp_path, 1, "founded", "2030-05-05"), tmp_path / "out")
    assert code == 1 and f"已评估 {UNIONS - 1} 个工会，失败 1 个" in stdout
    assert "[fact-future-date] 工会成立（上级工会批准建会）日期 2030-05-05 晚于评估日期 2025-12-31" in stderr


def test_a_run_into_the_same_folder_leaves_no_part_of_the_last_one(source: Path, tmp_path: Path):
    """Fewer partitions this time: the last run's parts 2 and 3 stayed, and reading results/<id>/*.parquet counted
    their unions twice. A part no run listed is someone else's file, and is refused, not removed."""
    out = tmp_path / "out"
    assert run(source, out, "--partition-rows", "100")[0] == 0
    assert len(list((out / "results" / "bayou").iterdir())) == 4
    assert run(source, out, "--partition-rows", "200")[0] == 0
    assert sorted(p.name for p in (out / "results" / "bayou").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    assert pl.read_parquet(out / "results" / "bayou" / "*.parquet").height == UNIONS
    shutil.copy(out / "results" / "bayou" / "part-00000.parquet", out / "results" / "bayou" / "part-00007.parquet")
    code, _, stderr = run(source, out)
    assert code == 2 and "results/bayou/part-00007.parquet" in stderr and "不是 unionscore 写入的" in stderr
    assert (out / "results" / "bayou" / "part-00007.parquet").is_file()


def test_parquet_source_grades_like_csv(source: Path, tmp_path: Path):
    parquet = tmp_path / "province.parquet"
    pl.read_csv(source, infer_schema=False).write_parquet(parquet)
    run(source, tmp_path / "from_csv")
    code, stdout, _ = run(parquet, tmp_path / "from_parquet")
    assert code == 0, stdout
    for spec in SPECS:
        a, b = (pl.read_parquet(tmp_path / out / "results" / spec / "*.parquet").drop("source") for out in ("from_csv", "from_parquet"))
        assert a.equals(b)


def test_a_typed_parquet_file_grades_like_the_csv(source: Path, tmp_path: Path):
    """Parquet written by pandas or DuckDB carries numbers, dates, booleans and lists, not text."""
    typed = pl.read_csv(source, try_parse_dates=True)
    yes_no = [c for c in typed.columns if typed[c].dtype == pl.String and set(typed[c].drop_nulls()) <= {"是", "否"}]
    lists = [c for c in typed.columns if typed[c].dtype == pl.String and typed[c].str.contains("、").any()]
    assert len(yes_no) > 10 and len(lists) == 2 and pl.Date in typed.dtypes and pl.Float64 in typed.dtypes
    typed = typed.with_columns([(pl.col(c) == "是").alias(c) for c in yes_no]
                               + [pl.col(c).str.split("、").list.eval(pl.element().cast(pl.Int64)).alias(c) for c in lists])
    typed.write_parquet(tmp_path / "typed.parquet")
    run(source, tmp_path / "from_csv")
    code, stdout, stderr = run(tmp_path / "typed.parquet", tmp_path / "from_parquet")
    assert code == 0, stderr
    for spec in SPECS:
        a, b = (pl.read_parquet(tmp_path / out / "results" / spec / "*.parquet").drop("source") for out in ("from_csv", "from_parquet"))
        assert a.equals(b)


@pytest.mark.parametrize("pages", ["all", "none"])
def test_text_stored_as_plain_bytes_is_read_as_utf8(source: Path, tmp_path: Path, pages: str):
    """Hive and Impala write text columns as BINARY without the UTF-8 mark, which polars reads as bytes: they grade
    as the CSV does, in both paths, list facts stored as lists of bytes too; a cell that is not UTF-8 (GBK bytes)
    is refused naming its cell."""
    table = pl.read_csv(source, infer_schema=False).head(8)
    table.write_csv(tmp_path / "text.csv")
    lists = [name for name in table.columns if name in ("meetings.by_quarter", "publicity.updates_by_quarter")]
    stored = table.with_columns(pl.all().cast(pl.Binary)).with_columns(table[name].str.split("、").cast(pl.List(pl.Binary)) for name in lists)
    assert lists and all(stored.schema[name] == pl.List(pl.Binary) for name in lists)
    stored.write_parquet(tmp_path / "bytes.parquet")
    stored.with_columns(pl.Series("名称", ["测试".encode("gbk")] + [None] * 7, dtype=pl.Binary)).write_parquet(tmp_path / "gbk.parquet")
    outputs = {}
    for name in ("text.csv", "bytes.parquet", "gbk.parquet"):
        code, stdout, stderr = run(tmp_path / name, tmp_path / name.replace(".", "-"), "--pages", pages)
        outputs[name] = (code, stdout.splitlines()[-1], stderr)
    assert outputs["text.csv"] == outputs["bytes.parquet"] == (0, "已评估 8 个工会，失败 0 个。", "")
    assert outputs["gbk.parquet"][:2] == (1, "已评估 7 个工会，失败 1 个。")
    assert "第 2 行“名称”列：内容不是 UTF-8 编码的文字" in outputs["gbk.parquet"][2]
    results = "results.jsonl" if pages == "all" else "levels.csv"
    assert (tmp_path / "text-csv" / results).read_bytes().replace(b"text.csv", b"") == (tmp_path / "bytes-parquet" / results).read_bytes().replace(b"bytes.parquet", b"")


@pytest.mark.parametrize("pages", ["all", "none"])
def test_rows_of_bytes_that_hold_no_union_are_told_as_in_the_csv(source: Path, tmp_path: Path, pages: str):
    """A table stored as bytes keeps its 合计 row, a footer and a blank line: each is told (or, the blank line, passed
    over) as in the same table as CSV, in both paths, never failed as a union without 编号."""
    table = pl.read_csv(source, infer_schema=False).head(5)
    empty = {name: [""] for name in table.columns}
    others = [{**empty, table.columns[0]: ["合计"], "members": ["500"]}, empty, {**empty, table.columns[0]: ["填表人：张三"]}]
    table = pl.concat([table, *(pl.DataFrame(row) for row in others)])
    table.write_csv(tmp_path / "text.csv")
    table.with_columns(pl.all().cast(pl.Binary)).write_parquet(tmp_path / "bytes.parquet")
    outputs = {}
    for name in ("text.csv", "bytes.parquet"):
        code, stdout, stderr = run(tmp_path / name, tmp_path / name.replace(".", "-"), "--pages", pages)
        outputs[name] = (code, stdout.splitlines()[-1], stderr.replace(name, "SOURCE"))
    assert outputs["text.csv"] == outputs["bytes.parquet"]
    assert outputs["bytes.parquet"][:2] == (0, "已评估 5 个工会，失败 0 个。")
    assert "SOURCE 第 7 行：“合计”是合计行，不是工会，已跳过" in outputs["bytes.parquet"][2]
    assert "SOURCE 第 9 行：“填表人：张三”是表尾说明，不是工会，已跳过" in outputs["bytes.parquet"][2]

def test_dask_local_cluster_writes_the_same_files(source: Path, tmp_path: Path):
    run(source, tmp_path / "here")
    code, stdout, _ = run(source, tmp_path / "cluster", "--dask", "local:1")
    assert code == 0, stdout
    written = sorted(p.relative_to(tmp_path / "here") for p in (tmp_path / "here").rglob("*") if p.is_file() and not p.name.startswith(".unionscore"))
    assert written == sorted(p.relative_to(tmp_path / "cluster") for p in (tmp_path / "cluster").rglob("*") if p.is_file() and not p.name.startswith(".unionscore"))
    for name in written:
        assert (tmp_path / "here" / name).read_bytes() == (tmp_path / "cluster" / name).read_bytes(), name


def test_rows_beyond_exact_range_are_graded_one_by_one(source: Path, tmp_path: Path):
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    huge = lines[5].split(",")
    huge[header.index("dues.due")], huge[header.index("dues.paid")] = "12345678901.2345679", "12345678901.2345677"
    edited = tmp_path / "huge.csv"
    edited.write_text("\n".join([*lines[:5], ",".join(huge), *lines[6:]]) + "\n", encoding="utf-8")
    code, stdout, _ = run(edited, tmp_path / "out")
    assert code == 0, stdout
    assert "其中 1 家的数值过大或单元格需逐个核对，已逐个单位评估" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert sample_mismatches(tmp_path / "out", edited, SPECS, UNIONS, seed=2) == (UNIONS, [])


def test_a_ruleset_with_levels_by_rank_keeps_the_county_batch(tmp_path: Path):
    """Cohort levels are decided from every union's score: never graded in bulk, and --pages none says why."""
    mofan = ROOT / "docs" / "examples" / "mofan.yaml"
    rows = [{"编号": f"MF-{i}", "名称": f"工会{i}", "类型": "企业", "乡镇": "青山镇", "年度": "2025", "职工人数": "100",
             "会员人数": str(90 + i), "应收工会经费": "10000", "实收工会经费": "9000", "建立职代会制度": "是",
             "本年度召开职代会次数": "2", "厂务公开栏按季更新": "是", "获市级以上表彰项数": "0"} for i in range(3)]
    source = tmp_path / "mofan.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    refused = CliRunner().invoke(cli, ["batch", "--ruleset", str(mofan), "--pages", "none", str(source), "--out", str(tmp_path / "p")])
    assert refused.exit_code == 2 and "按排名评定的等级" in refused.output
    done = CliRunner().invoke(cli, ["batch", "--ruleset", str(mofan), str(source), "--out", str(tmp_path / "c"), "--jobs", "1"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "c" / "unions").is_dir() and not (tmp_path / "c" / "results").exists()


def edited_header(source: Path, path: Path, renamed: dict[str, str], rows: int = 5) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines()
    header = [renamed.get(cell, cell) for cell in lines[0].split(",")]
    path.write_text("\n".join([",".join(header), *lines[1 : rows + 1]]) + "\n", encoding="utf-8")
    return path


def test_a_misspelt_or_missing_header_stops_the_province_before_anything_is_written(source: Path, tmp_path: Path):
    """The county batch's header checks hold for a province too: a column no one would notice lost is an error."""
    bad = edited_header(source, tmp_path / "typo.csv", {"activists": "activistz", "编号": "单位编码"})
    code, _, stderr = run(bad, tmp_path / "out")
    assert code == 1 and not (tmp_path / "out").exists()
    assert f"{bad}:1:1: 错误 [source-header] 第 1 行（表头）缺少“编号”列" in stderr
    assert "[source-column] 第 1 行“activistz”列（表头）不是任何事实的名称，是否指 “工会积极分子人数”（activists）？" in stderr


def test_columns_a_province_ignores_are_told_and_unused_columns_accepted(source: Path, tmp_path: Path):
    noted = edited_header(source, tmp_path / "noted.csv", {"activists": "activistz", "audit.times": "备注"})
    code, stdout, stderr = run(noted, tmp_path / "out", "--unused-column", "activistz")
    assert code == 0, stderr
    assert f"提示：{noted}：忽略无法识别的列 “activistz”、“备注”" in stderr and "已评估 5 个工会，失败 0 个" in stdout


def test_a_gb18030_csv_is_refused_with_the_way_to_convert_it(source: Path, tmp_path: Path):
    lines = source.read_text(encoding="utf-8").splitlines()[:4]
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    code, _, stderr = run(gbk, tmp_path / "out")
    assert code == 1 and not (tmp_path / "out").exists()
    assert f"{gbk}:1:1: 错误 [source-unreadable] {gbk} 第 1 行不是 UTF-8 编码" in stderr and "CSV UTF-8（逗号分隔）" in stderr


@pytest.mark.parametrize("above", [["2025年度XX县基层工会考核统计表"], ["填报单位：XX县总工会", ""]])
def test_a_title_above_the_header_is_refused_naming_the_header_s_line(source: Path, tmp_path: Path, above: list[str]):
    """A county batch finds the header under a title; a province reads its header from the first line, and says so."""
    lines = source.read_text(encoding="utf-8").splitlines()[:4]
    titled = tmp_path / "titled.csv"
    titled.write_text("\n".join([*above, *lines]) + "\n", encoding="utf-8")
    code, _, stderr = run(titled, tmp_path / "out")
    assert code == 1 and not (tmp_path / "out").exists()
    assert f"{titled}:1:1: 错误 [source-header] {titled} 第 1 行不是表头（表头在第 {len(above) + 1} 行，其上是标题等行）" in stderr
    assert "请删去表头上面的行" in stderr and "--pages all" in stderr and "缺少" not in stderr


def not_a_text_csv(kind: str, lines: list[str], path: Path) -> Path:
    """A .csv file a county's reader cannot read as text: a workbook renamed, or UTF-16 text (Excel's 「Unicode 文本」)."""
    if kind == "xlsx":
        workbook = openpyxl.Workbook()
        for line in lines:
            workbook.active.append(line.split(","))
        workbook.save(path)
    else:
        path.write_bytes({"xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)}.get(kind) or ("\n".join(lines) + "\n").encode(kind))
    return path


@pytest.mark.parametrize("kind, said", [("xlsx", "扩展名为 .csv，但内容是 Excel 工作簿（.xlsx）：请把扩展名改为 .xlsx"),
                                        ("xls", "扩展名为 .csv，但内容是旧版 Excel 工作簿（.xls）或设置了打开密码的工作簿"),
                                        ("utf-16", "文件不是 UTF-8/GBK 编码的 CSV（看来是 UTF-16 或 UTF-32 编码"),
                                        ("utf-16-be", "文件不是 UTF-8/GBK 编码的 CSV（看来是 UTF-16 或 UTF-32 编码")])
@pytest.mark.parametrize("pages", ["none", "all"])
def test_a_csv_that_is_not_text_is_an_error_in_both_batches(source: Path, tmp_path: Path, kind: str, said: str, pages: str):
    """Read as text, it had no header in its first lines: skipped with a notice and 失败 0 个. Now the county batch fails
    it and grades the other sources; a province stops before writing anything. Both say what it is and what to do."""
    lines = source.read_text(encoding="utf-8").splitlines()[:4]
    good, bad = tmp_path / "good.csv", not_a_text_csv(kind, lines, tmp_path / "bad.csv")
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sources = [str(good), str(bad)] if pages == "all" else [str(bad)]
    args = ["batch", *sources, "--out", str(tmp_path / "out"), "--pages", pages, "--jobs", "1"]
    result = CliRunner().invoke(cli, args + [part for spec in SPECS for part in ("--ruleset", spec)])
    assert result.exit_code == 1 and f"{bad}: 错误 [source-unreadable] {said}" in result.stderr
    assert "已评估 3 个工会，失败 1 个" in result.stdout if pages == "all" else not (tmp_path / "out").exists()


def test_a_csv_whose_header_is_not_found_is_an_error_in_both_batches(source: Path, tmp_path: Path):
    """Eleven lines of notes above the header: a county batch looks for it in the first ten and grades no union of
    the file, which is a failure (a header with no union under it is only told: nothing was lost); a province,
    which wants the header on line 1, stops before writing anything."""
    lines = source.read_text(encoding="utf-8").splitlines()[:4]
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad.write_text("\n".join([f"填表说明第{n}条：请如实填写" for n in range(1, 12)] + lines) + "\n", encoding="utf-8")
    rulesets = [part for spec in SPECS for part in ("--ruleset", spec)]
    county = CliRunner().invoke(cli, ["batch", str(good), str(bad), "--out", str(tmp_path / "county"), "--pages", "all"] + rulesets)
    assert county.exit_code == 1 and "已评估 3 个工会，失败 1 个" in county.stdout
    assert f"{bad}: 错误 [source-header] 没有读到任何工会：文件的前 10 个非空行中未找到表头" in county.stderr
    assert "请把表头放在前 10 个非空行内" in county.stderr
    province = CliRunner().invoke(cli, ["batch", str(bad), "--out", str(tmp_path / "province"), "--pages", "none"] + rulesets)
    assert province.exit_code == 1 and f"{bad}:1:1: 错误 [source-header]" in province.stderr and not (tmp_path / "province").exists()


def test_a_bad_byte_further_down_is_found_on_its_line(source: Path, tmp_path: Path):
    lines = source.read_text(encoding="utf-8").splitlines()[:6]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(("\n".join(lines[:4]) + "\n").encode() + lines[4].encode("gb18030") + b"\n")
    assert f"{mixed} 第 5 行不是 UTF-8 编码" in run(mixed, tmp_path / "out")[2]


@pytest.mark.parametrize("pages", ["none", "auto"])
@pytest.mark.parametrize("content", [b"", "编号,类型,年度,members\n".encode()])
def test_an_empty_csv_grades_no_union_and_replaces_no_report(tmp_path: Path, pages: str, content: bytes):
    """A run that grades nobody fails (exit 1) and leaves the output folder's last complete report as it was."""
    out = tmp_path / "out"
    out.mkdir()
    (out / ".unionscore-output").write_text("# unionscore batch 输出目录\nreport.html\n# 状态：完成\n", encoding="utf-8")
    (out / "report.html").write_text("上一次的报告", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(content)
    result = CliRunner().invoke(cli, ["batch", str(empty), "--out", str(out), "--pages", pages, "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "错误：没有评估任何工会（来源中没有工会）；未写入报告，输出目录中上一次的结果原样保留" in result.stderr
    assert f"提示：{empty}：没有读到任何工会（表格是空的、只有表头，或表头下只有合计行、表尾说明）" in result.stderr
    assert (out / "report.html").read_text(encoding="utf-8") == "上一次的报告"


@pytest.mark.parametrize("pages", ["none", "auto"])
def test_an_unreadable_parquet_file_is_a_problem_not_a_crash(tmp_path: Path, pages: str):
    """Said alike by both batches."""
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really parquet")
    result = CliRunner().invoke(cli, ["batch", str(broken), "--out", str(tmp_path / "out"), "--pages", pages, "--jobs", "1"])
    said = f"{broken}: 错误 [source-unreadable] 无法读取，文件可能已损坏或不是 Parquet 文件（ComputeError: parquet: "
    assert result.exit_code == 1 and said in result.stderr


def test_an_unclosed_quote_is_refused_on_its_line_not_swallowing_the_unions_after_it(source: Path, tmp_path: Path):
    lines = source.read_text(encoding="utf-8").splitlines()[:8]
    lines[4] = lines[4].replace(",", ',"', 1)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, stderr = run(quoted, tmp_path / "out")
    assert code == 1 and f"{quoted}:5:1: 错误 [source-unreadable] {quoted} 第 5 行的单元格跨了行" in stderr


def test_cells_outside_the_header_are_told_as_a_county_batch_tells_them(source: Path, tmp_path: Path):
    """A short row reads its missing cells as blank; a record running past the header is refused (a blank or a
    placeholder there is not), as far right as a province reads; a column under a blank header cell is told."""
    lines = source.read_text(encoding="utf-8").splitlines()[:9]
    width = len(lines[0].split(","))
    lines[0] = lines[0].replace(",activists,", ",,")
    lines[2] += ",多余,的单元格"
    lines[3] += ",, ,—"
    lines[4] = ",".join(lines[4].split(",")[:20])
    lines[5] += "," * PAST_HEADER + "远处的备注"
    lines[8] = lines[6]
    lines[6] = lines[6].replace(",", ",,", 1) + ",,,"  # a cell inserted after the id: the last one is pushed out
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, stdout, stderr = run(ragged, tmp_path / "out")
    assert code == 1 and "已评估 4 个工会，失败 4 个" in stdout
    column = lines[0].split(",").index("")
    assert stderr.count("[source-misaligned]") == 3 and f"{ragged}:3:{width + 1}: 错误 [source-misaligned] 第 3 行：表头只有 {width} 列" in stderr
    assert f"第 {width + 1} 个单元格“多余”等 2 个单元格不在任何表头之下" in stderr and f"第 {width + PAST_HEADER} 个单元格“远处的备注”不在" in stderr
    told = [str(number) for number, line in enumerate(lines, 1) if number > 1 and column < len(line.split(",")) and line.split(",")[column].strip()]
    assert len(told) >= 6  # the generated rows, as cut and padded above
    assert f"提示：{ragged}：{get_column_letter(column + 1)} 列没有表头，其中的内容未读取（第 {'、'.join(told)} 行，共 {len(told)} 行）" in stderr
    assert f"{ragged} 第 9 行: 工会编号 “{lines[8].split(',')[0]}” 重复：{ragged} 第 7 行 已用了这个编号" in stderr  # a refused record keeps its id
    assert sample_mismatches(tmp_path / "out", ragged, SPECS, 4, seed=1) == (4, [])
    county = CliRunner().invoke(cli, ["batch", str(ragged), "--out", str(tmp_path / "county"), "--pages", "all",
                                      *(part for spec in SPECS for part in ("--ruleset", spec))])
    assert "已评估 4 个工会，失败 4 个" in county.stdout and sorted(county.stderr.splitlines()) == sorted(stderr.splitlines())


def test_a_header_short_of_a_column_is_refused_as_a_county_batch_refuses_it(source: Path, tmp_path: Path):
    """A header cell deleted in the middle: most unions run past the header, so the table is one header problem in
    both batches (the province stops before anything is written, as for any header problem)."""
    lines = source.read_text(encoding="utf-8").splitlines()[:41]
    header = lines[0].split(",")
    del header[header.index("activists")]
    short = tmp_path / "short.csv"
    short.write_text("\n".join([",".join(header), *lines[1:]]) + "\n", encoding="utf-8")
    code, _, stderr = run(short, tmp_path / "out")
    problem = f"{short}:1:1: 错误 [source-header] 第 1 行（表头）只有 {len(header)} 列，而其下的前 20 个工会中有 "
    assert code == 1 and not (tmp_path / "out").exists() and problem in stderr and "[source-misaligned]" not in stderr
    county = CliRunner().invoke(cli, ["batch", str(short), "--out", str(tmp_path / "county"), "--pages", "all",
                                      *(part for spec in SPECS for part in ("--ruleset", spec))])
    assert county.exit_code == 1 and "没有评估任何工会（1 项都未能评估，原因见上）" in county.stderr
    assert [line for line in county.stderr.splitlines() if "[source-" in line] == [line for line in stderr.splitlines() if "[source-" in line]


def test_a_source_without_any_fact_column_is_graded_as_a_county_batch_grades_it(tmp_path: Path):
    """Every fact missing: graded (no data, no points) rather than an internal error."""
    bare = tmp_path / "bare.csv"
    bare.write_text("编号,类型,年度\nA-1,企业,2025\nA-2,机关,2025\n", encoding="utf-8")
    code, stdout, stderr = run(bare, tmp_path / "out")
    assert code == 0 and "已评估 2 个工会，失败 0 个" in stdout, stderr
    assert sample_mismatches(tmp_path / "out", bare, SPECS, 2, seed=1) == (2, [])


def test_two_columns_with_one_name_are_a_header_problem(source: Path, tmp_path: Path):
    """polars would rename the second 编号 and drop it as unknown: the header as written is what is checked."""
    twice = edited_header(source, tmp_path / "twice.csv", {"audit.published": "编号"})
    code, _, stderr = run(twice, tmp_path / "out")
    assert code == 1 and "[source-header] 第 1 行（表头）A 列“编号”、" in stderr and "列“编号” 重复（都对应 id），请删去多余的一列" in stderr


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_separated_files_grade_like_commas(source: Path, tmp_path: Path, delimiter: str):
    lines = source.read_text(encoding="utf-8").splitlines()[:30]
    assert not any(delimiter in line for line in lines)
    other = tmp_path / "other.csv"
    other.write_text("\n".join(line.replace(",", delimiter) for line in lines) + "\n", encoding="utf-8")
    comma = tmp_path / "comma.csv"
    comma.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(comma, tmp_path / "a")[0] == 0 and run(other, tmp_path / "b")[0] == 0
    for spec in SPECS:
        a, b = (pl.read_parquet(tmp_path / out / "results" / spec / "*.parquet").drop("source") for out in ("a", "b"))
        assert a.equals(b)


@pytest.mark.parametrize("address", ["nonsense", "local:0", "local:x", "tcp://scheduler", "http://x:8786"])
def test_a_dask_address_that_cannot_work_is_a_usage_error_before_anything_is_written(source: Path, tmp_path: Path, address: str):
    code, _, stderr = run(source, tmp_path / "out", "--dask", address)
    assert code == 2 and f"--dask “{address}” 不是可用的地址" in stderr and not (tmp_path / "out").exists()


def test_a_row_without_a_year_is_reported_and_the_rest_graded(source: Path, tmp_path: Path):
    """Its assessment date is unknown: graded in columns with the others (a placeholder date), kept out, reported."""
    lines = source.read_text(encoding="utf-8").splitlines()[:8]
    cells = lines[3].split(",")
    cells[lines[0].split(",").index("年度")] = ""
    lines[3] = ",".join(cells)
    undated = tmp_path / "undated.csv"
    undated.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, stdout, stderr = run(undated, tmp_path / "out")
    assert code == 1 and "已评估 6 个工会，失败 1 个" in stdout
    assert "[fact-period] 缺少评估年度（表格的“年度”列，事实文件的 period）" in stderr


def test_lines_ended_by_a_carriage_return_alone_are_refused_and_crlf_read(source: Path, tmp_path: Path):
    """polars reads a CR-only file (Excel's 「CSV（Macintosh）」) as one line: 0 unions, without a word."""
    lines = source.read_text(encoding="utf-8").splitlines()[:6]
    mac, windows = tmp_path / "mac.csv", tmp_path / "windows.csv"
    mac.write_bytes(("\r".join(lines) + "\r").encode())
    windows.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    code, _, stderr = run(mac, tmp_path / "a")
    assert code == 1 and f"[source-unreadable] {mac} 的行尾有单独的回车符（CR" in stderr
    code, stdout, _ = run(windows, tmp_path / "b")
    assert code == 0 and "已评估 5 个工会，失败 0 个" in stdout


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_line_ends_are_found_whatever_the_block_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int):
    from engine.province import checks

    monkeypatch.setattr(checks, "BLOCK", block)
    found = []
    for text in (b"a,b\r\n1,2\r\n", b"a,b\r1,2\r", b"a,b\n1,2\r\n3,4", b"a,b\r\n1,2\r", b"\r\r\n"):
        (tmp_path / "t.csv").write_bytes(text)
        found.append(checks.utf8_lines(tmp_path / "t.csv"))
    assert found == [(None, 2, False), (None, 1, True), (None, 3, False), (None, 2, True), (None, 1, True)]


def test_a_county_s_csv_is_told_from_a_province_s_by_its_line_breaks_without_polars(source: Path, tmp_path: Path):
    """`--pages auto` counts a CSV's line breaks (LF, CRLF, CR alone) up to the limit: at most that many cannot hold
    more unions, so a county's file is decided without loading polars. More line breaks than the limit (a cell
    with a line break in it) leaves the count to polars."""
    breaks = {b"a,b\r\n1,2\r\n3,4\r\n": 3, b"a,b\r1,2\r3,4": 2, b"a,b\n1,\"x\r\ny\"\n": 3, b"a,b": 0}
    for number, (text, expected) in enumerate(breaks.items()):
        (tmp_path / f"{number}.csv").write_bytes(text)
        assert (line_breaks(tmp_path / f"{number}.csv", 10), line_breaks(tmp_path / f"{number}.csv", 1) > 1) == (expected, expected > 1)
        assert row_count(str(tmp_path / f"{number}.csv")) <= expected
    pl.read_csv(source).write_parquet(tmp_path / "p.parquet")
    two, lines = (source, tmp_path / "0.csv"), UNIONS + 1 + 3  # the header and a line per union, then 0.csv's 3
    assert [few_lines(two, lines), few_lines(two, lines - 1), few_lines((tmp_path / "p.parquet",), 10 ** 6)] == [True, False, False]
    decided = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from engine.province.mode import province_mode; "
                              f"print(province_mode((Path({str(source)!r}),), 'auto'), 'polars' in sys.modules)"],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    assert decided.stdout.split() == ["False", "False"]


def test_a_county_sized_parquet_file_gets_the_county_batch_of_its_csv(source: Path, tmp_path: Path):
    """Up to 5,000 unions `--pages auto` writes every union's page and plan, from Parquet as from CSV."""
    lines = source.read_text(encoding="utf-8").splitlines()[:21]
    small = tmp_path / "county.csv"
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    typed = pl.read_csv(small, try_parse_dates=True)
    typed.write_parquet(tmp_path / "county.parquet")
    for name in ("county.csv", "county.parquet"):
        result = CliRunner().invoke(cli, ["batch", str(tmp_path / name), "--out", str(tmp_path / name.replace(".", "-")), "--jobs", "1"])
        assert result.exit_code == 0, result.output
    a, b = tmp_path / "county-csv", tmp_path / "county-parquet"
    assert (a / "results.jsonl").read_bytes() == (b / "results.jsonl").read_bytes()
    pages = sorted(p.name for p in (a / "unions").iterdir())
    assert len(pages) == 40 and pages == sorted(p.name for p in (b / "unions").iterdir())
    assert all((a / "unions" / name).read_bytes() == (b / "unions" / name).read_bytes() for name in pages)


def test_one_union_of_a_parquet_file_is_assessed_as_from_the_csv(source: Path, tmp_path: Path):
    typed = pl.read_csv(source, try_parse_dates=True)
    typed.write_parquet(tmp_path / "province.parquet")
    union = typed["编号"][7]
    results = [CliRunner().invoke(cli, ["assess", str(path), "--union", union, "--format", "json"]) for path in (source, tmp_path / "province.parquet")]
    assert all(result.exit_code == 0 for result in results) and results[0].stdout == results[1].stdout


@pytest.mark.parametrize("pages", ["all", "none"])
def test_a_list_or_struct_where_a_union_s_text_belongs_is_refused_naming_the_cell(source: Path, tmp_path: Path, pages: str):
    """A Parquet file written by a program may hold a list in 编号 or a struct in 名称. Neither is a union's id or
    name: such a row is refused in both paths, naming the cell, as a list in a count column is."""
    table = pl.read_csv(source, infer_schema=False).head(6)
    listed = table.with_columns(pl.Series("编号", [[i, "x"] for i in table["编号"]]))
    structured = table.with_columns(pl.Series("名称", [{"名": n} if row == 4 else None for row, n in enumerate(table["名称"])]))
    cases = [(listed, "第 2 行“编号”列：应为文字，不能是列表", "没有评估任何工会（6 项都未能评估，原因见上）"),
             (structured, "第 6 行“名称”列：应为文字，不能是多个字段组成的结构", "已评估 5 个工会，失败 1 个")]
    for number, (frame, message, counts) in enumerate(cases):
        frame.write_parquet(tmp_path / f"{number}.parquet")
        code, stdout, stderr = run(tmp_path / f"{number}.parquet", tmp_path / f"out-{number}", "--pages", pages)
        assert (code, message in stderr, counts in stdout + stderr) == (1, True, True), stderr
        assert "['" not in stdout + stderr and "{'" not in stdout + stderr


def test_a_source_without_a_list_facts_column_grades_as_the_engine(source: Path, tmp_path: Path):
    """A county that does not collect quarterly meetings leaves the column out: the fact is absent (缺资料) in
    every row, as the per-union engine has it, not a failure of the whole run."""
    table = pl.read_csv(source, infer_schema=False).drop("meetings.by_quarter", "publicity.updates_by_quarter")
    table.head(60).write_csv(tmp_path / "fewer.csv")
    code, stdout, stderr = run(tmp_path / "fewer.csv", tmp_path / "out")
    assert code == 0, stderr
    assert "已评估 60 个工会，失败 0 个" in stdout
    assert sample_mismatches(tmp_path / "out", tmp_path / "fewer.csv", SPECS, 60, seed=3) == (60, [])


def repeated_rows(source: Path, folder: Path) -> Path:
    """The source with a union entered twice (a later row given row 3's id, in another partition), its first three
    rows appended again, and a wrong cell in the repeat of row 2 (reported for that, not as a repeat); and row 6
    with a wrong cell, entered again right at the end (a repeat all the same: row 6 keeps its id)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at, employees = header.index("编号"), header.index("employees")
    moved = lines[300].split(",")
    moved[at] = lines[2].split(",")[at]
    again = [line.split(",") for line in lines[1:4]]
    again[0][employees] = "二百三十"
    wrong = lines[5].split(",")
    wrong[employees] = "二百三十"
    path = folder / "repeated.csv"
    path.write_text("\n".join([*lines[:5], ",".join(wrong), *lines[6:300], ",".join(moved), *lines[301:],
                               *(",".join(cells) for cells in again), lines[5]]) + "\n", encoding="utf-8")
    return path


def test_a_union_id_met_again_is_reported_as_a_county_batch_reports_it(source: Path, tmp_path: Path):
    repeated = repeated_rows(source, tmp_path)
    code, stdout, stderr = run(repeated, tmp_path / "province")
    assert code == 1 and f"已评估 {UNIONS - 2} 个工会，失败 6 个" in stdout
    said = [line for line in stderr.splitlines() if "重复" in line]
    ids = pl.read_csv(source, infer_schema=False)["编号"]
    told = "已用了这个编号，这里的记录未计入；如是同一单位，请只保留一份记录，如是另一个单位，请改正其编号"
    assert said == [f"{repeated} 第 301 行: 工会编号 “{ids[1]}” 重复：{repeated} 第 3 行 {told}",
                    *(f"{repeated} 第 {UNIONS + 2 + n} 行: 工会编号 “{ids[n]}” 重复：{repeated} 第 {n + 2} 行 {told}" for n in (1, 2)),
                    f"{repeated} 第 {UNIONS + 5} 行: 工会编号 “{ids[4]}” 重复：{repeated} 第 6 行 {told}"]
    assert f"第 {UNIONS + 2} 行“employees”列" in stderr and f"（{ids[0]}）" in (tmp_path / "province" / "report.html").read_text(encoding="utf-8")
    county = CliRunner().invoke(cli, ["batch", str(repeated), "--out", str(tmp_path / "county"), "--pages", "all",
                                      *(part for spec in SPECS for part in ("--ruleset", spec))])
    assert said == [line for line in county.stderr.splitlines() if "重复" in line]
    for spec in SPECS:
        ids = pl.read_parquet(tmp_path / "province" / "results" / spec / "*.parquet")["union.id"]
        assert ids.len() == ids.n_unique() == UNIONS - 2


def test_ids_repeated_in_a_typed_parquet_file_and_across_sources_are_found(source: Path, tmp_path: Path):
    """Numbers as ids, read as a worker reads them; a second source repeating the first's unions."""
    table = pl.read_csv(source, infer_schema=False).head(20).with_columns(pl.Series("编号", range(1, 21)))
    table.write_parquet(tmp_path / "a.parquet")
    table.tail(2).write_parquet(tmp_path / "b.parquet")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "a.parquet"), str(tmp_path / "b.parquet"), "--out", str(tmp_path / "out"),
                                      "--pages", "none", "--jobs", "1", "--partition-rows", "7", "--ruleset", "bayou"])
    assert result.exit_code == 1 and "已评估 20 个工会，失败 2 个" in result.stdout
    assert f"{tmp_path / 'b.parquet'} 第 3 行: 工会编号 “20” 重复：{tmp_path / 'a.parquet'} 第 21 行 已用了这个编号" in result.stderr


@pytest.mark.parametrize("pages", ["all", "none"])
def test_an_id_typed_in_full_width_repeats_the_same_id_in_ascii(source: Path, tmp_path: Path, pages: str):
    """ＱＳ－００１ is QS-001 as a Chinese input method types it: the same union twice, in both paths."""
    table = pl.read_csv(source, infer_schema=False).head(4)
    first = table["编号"][0]
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in first)
    table.with_columns(pl.Series("编号", [*table["编号"][:3], wide])).write_csv(tmp_path / "wide.csv")
    code, stdout, stderr = run(tmp_path / "wide.csv", tmp_path / "out", "--pages", pages)
    assert code == 1 and "已评估 3 个工会，失败 1 个" in stdout
    assert f"第 5 行: 工会编号 “{wide}” 重复：" in stderr and "第 2 行 已用了这个编号" in stderr


def test_blank_lines_are_not_unions_and_the_lines_after_them_keep_their_numbers(source: Path, tmp_path: Path):
    """An empty line, and a line of commas as Excel writes for a formatted empty row: skipped, as by a county batch."""
    lines = source.read_text(encoding="utf-8").splitlines()[:12]
    cells = lines[9].split(",")
    cells[lines[0].split(",").index("employees")] = "二百三十"
    blank = tmp_path / "blank.csv"
    blank.write_text("\n".join([*lines[:4], "", *lines[4:8], "," * (len(cells) - 1), lines[8], ",".join(cells), *lines[10:]]) + "\n",
                     encoding="utf-8")
    code, stdout, stderr = run(blank, tmp_path / "out")
    assert code == 1 and "已评估 10 个工会，失败 1 个" in stdout
    assert "第 12 行“employees”列" in stderr and "缺少编号" not in stderr
    table = pl.read_parquet(tmp_path / "out" / "results" / "bayou" / "*.parquet")
    assert table["line"].to_list() == [2, 3, 4, 6, 7, 8, 9, 11, 13, 14]


def test_a_county_s_total_row_and_footer_are_skipped_and_told(source: Path, tmp_path: Path):
    """A province file made of county tables: their 合计 rows and footers are not unions, as in a county batch."""
    lines = source.read_text(encoding="utf-8").splitlines()[:11]
    width = len(lines[0].split(","))
    total = ["合计"] + [""] * (width - 1)
    total[lines[0].split(",").index("employees")] = "4321"  # a total row sums the counts
    appended = tmp_path / "appended.csv"
    appended.write_text("\n".join([*lines, ",".join(total), "注：本表由乡镇工会填报" + "," * (width - 1), *lines[1:3]]) + "\n",
                        encoding="utf-8")
    code, stdout, stderr = run(appended, tmp_path / "out")
    assert code == 1 and "已评估 10 个工会，失败 2 个" in stdout  # the two rows after the footer repeat ids
    assert f"提示：{appended} 第 12 行：“合计”是合计行，不是工会，已跳过" in stderr
    assert f"提示：{appended} 第 13 行：“注：本表由乡镇工会填报”是表尾说明，不是工会，已跳过" in stderr
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "跳过 2 行：这些行不是工会" in report and "第 12 行：“合计”是合计行" in report
    assert pl.read_parquet(tmp_path / "out" / "results" / "bayou" / "*.parquet")["line"].to_list() == list(range(2, 12))


def test_a_total_row_with_the_county_s_type_and_year_is_not_a_union(source: Path, tmp_path: Path):
    """A 合计 row or a footer filled in like a union (type, year, a count) would pass for one in bulk: skipped and told."""
    lines = source.read_text(encoding="utf-8").splitlines()[:11]
    header = lines[0].split(",")
    total = [""] * len(header)
    total[header.index("类型")], total[header.index("年度")], total[header.index("members")] = "企业", "2025", "9999"
    footer = list(total)
    total[header.index("编号")], footer[header.index("编号")] = "合 计", "填表人：张三"
    typed = tmp_path / "typed.csv"
    typed.write_text("\n".join([*lines, ",".join(total), ",".join(footer)]) + "\n", encoding="utf-8")
    code, stdout, stderr = run(typed, tmp_path / "out")
    assert code == 0 and "已评估 10 个工会，失败 0 个" in stdout
    assert f"提示：{typed} 第 12 行：“合 计”是合计行，不是工会，已跳过" in stderr
    assert f"提示：{typed} 第 13 行：“填表人：张三”是表尾说明，不是工会，已跳过" in stderr
    assert pl.read_parquet(tmp_path / "out" / "results" / "bayou" / "*.parquet")["line"].to_list() == list(range(2, 12))


def test_a_column_no_ruleset_reads_is_told_and_listed_in_the_report(source: Path, tmp_path: Path):
    lines = source.read_text(encoding="utf-8").splitlines()[:11]
    remarked = tmp_path / "remarked.csv"
    remarked.write_text("\n".join([lines[0] + ",备注", *(line + ",已核实" for line in lines[1:])]) + "\n", encoding="utf-8")
    code, _, stderr = run(remarked, tmp_path / "out")
    assert code == 0 and f"提示：{remarked}：忽略无法识别的列 “备注”" in stderr
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "数据读取说明" in report and f"{remarked}：忽略无法识别的列 “备注”" in report and "跳过" not in report


@pytest.mark.parametrize("threads, workers, said", [
    (2, 1, "Dask 工作进程的线程数为 2：每个工作进程只能有 1 个线程"),
    (1, 0, "在 1 秒内没有可用的工作进程：请先在各节点上启动 dask worker"),
])
def test_a_cluster_without_single_threaded_workers_is_refused(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              threads: int, workers: int, said: str):
    """durable-rules shared between threads, or a run waiting for ever on a scheduler nobody works for."""
    from dask.distributed import LocalCluster

    from engine.province import cluster
    monkeypatch.setattr(cluster, "WAIT_FOR_WORKERS", 1)
    with LocalCluster(n_workers=workers, threads_per_worker=threads, processes=False, protocol="tcp", dashboard_address=":0") as local:
        code, _, stderr = run(source, tmp_path / "out", "--dask", local.scheduler_address)
    assert code == 1 and said in stderr and not (tmp_path / "out" / "report.html").exists()


@contextmanager
def failing_after(seconds: int) -> Iterator[None]:
    """A TimeoutError in this thread after `seconds`: a run that would wait for ever fails its test instead."""
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"仍在等待，已超过 {seconds} 秒")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("listening", [True, False])
def test_an_address_where_no_scheduler_answers_is_told_not_waited_on(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     listening: bool):
    """A port where something accepts the connection and never answers (a dashboard, a web server): Dask's
    Client alone would wait for ever (dask/distributed#8071). A port nobody listens on: the same words,
    not Dask's English."""
    from engine.province import cluster
    monkeypatch.setattr(cluster, "ANSWER", 1)
    with socket.create_server(("127.0.0.1", 0)) as silent, failing_after(60):  # without the check: fail, not hang
        address = f"tcp://127.0.0.1:{silent.getsockname()[1]}"
        if not listening:
            silent.close()
        code, _, stderr = run(source, tmp_path / "out", "--dask", address)
    assert code == 1 and f"Dask 调度器 {address} 在 1 秒内没有应答：请检查地址和端口" in stderr and "Timed out" not in stderr
    assert not (tmp_path / "out" / "report.html").exists()


def test_workers_read_and_write_by_absolute_paths_and_their_parts_are_checked(source: Path, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch):
    """A Dask worker on another node has its own working folder: relative paths would read or write there."""
    from engine.province import job
    from engine.province import run as province_run
    seen = []
    monkeypatch.setattr(job, "write_part", lambda table, path: seen.append(path))  # a worker writing elsewhere
    monkeypatch.chdir(source.parent)
    code, _, stderr = run(Path(source.name), Path("out"))
    assert code == 1 and "个结果文件在本机的 out 中找不到" in stderr and "请确认 --out 和来源都在所有节点共享的文件系统上" in stderr
    assert seen and all(path.is_absolute() for path in seen)
    [partition, *_] = province_run.plan_partitions([Path(source.name)], 150)
    assert partition.source == source.name and partition.file == str(source)
