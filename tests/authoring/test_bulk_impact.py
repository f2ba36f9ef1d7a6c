"""`diff --facts` over CSV and Parquet in bulk: the same unions, standings and counts as union by union."""
from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from cli import cli
from engine import OracleEvaluator, load_fact_file, resolve_rulesets
from engine.authoring import bulk_impact
from engine.authoring.bulk_impact import BulkSource
from engine.authoring.impact import Impact, Version, load_version
from engine.authoring.measure import measure_impact
from engine.facts.fact_file import merged_declarations
from engine.facts.sources import column_letter
from engine.facts.union_ids import repeated_id

REPO = Path(__file__).resolve().parents[2]
COUNTY = REPO / "facts" / "qingshan"
sys.path.insert(0, str(REPO / "bench"))

from generate import province, write_csv  # noqa: E402


def county_csv(path: Path) -> Path:
    """The example county's fact files as one CSV, a row each, facts by their paths."""
    files = [load_fact_file(p) for p in sorted(COUNTY.glob("QS-*.yaml"))]
    names = sorted({name for f in files for name in f.facts})
    return write_csv(({"union": {"county": "", **f.union}, "period": f.period, "facts": f.facts} for f in files), names, path)


def variant(tmp_path: Path, spec: str, old: str, new: str) -> Version:
    source = REPO / "rulesets" / f"{spec}.yaml"
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "next" / source.name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_version(path)


def one_by_one(monkeypatch: pytest.MonkeyPatch, old: Version, new: Version, source: Path) -> Impact:
    with monkeypatch.context() as patched:
        patched.setattr(BulkSource, "of", classmethod(lambda cls, *args: None))
        return measure_impact(old, new, [source], OracleEvaluator())


def assert_same(bulk: Impact, reference: Impact) -> None:
    assert (bulk.assessed, bulk.level_counts()) == (reference.assessed, reference.level_counts())
    assert [(u.origin, u.union, u.old, u.new) for u in bulk.changed] == [(u.origin, u.union, u.old, u.new) for u in reference.changed]
    assert [(u.origin, u.errors) for u in bulk.failures] == [(u.origin, u.errors) for u in reference.failures]


CHANGES = [
    ("zhijia", "- {when: membership_rate >= 0.95, points: 8", "- {when: membership_rate >= 0.97, points: 8"),
    ("xingji", "    name: 五星\n    min: 90", "    name: 五星\n    min: 80"),
    ("bayou", "name: 达标, min: 80", "name: 达标, min: 75"),
    ("zhijia", "applies_if: female_members >= 10", "applies_if: female_members >= 200"),  # left out of the rescaled total
]


@pytest.mark.parametrize("spec, old_text, new_text", CHANGES)
def test_the_example_county_as_csv_compares_in_bulk_as_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    spec: str, old_text: str, new_text: str) -> None:
    source = county_csv(tmp_path / "qingshan.csv")
    old, new = load_version(spec), variant(tmp_path, spec, old_text, new_text)
    assert BulkSource.of(source, old, new, merged_declarations(new.chain + old.chain)) is not None
    bulk = measure_impact(old, new, [source], OracleEvaluator())
    assert bulk.assessed == 44 and bulk.changed
    assert_same(bulk, one_by_one(monkeypatch, old, new, source))


def test_the_county_variant_that_drops_and_adds_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = county_csv(tmp_path / "qingshan.csv")
    old, new = load_version("zhijia"), load_version(REPO / "docs" / "examples" / "zhijia-qingshan.yaml")
    assert BulkSource.of(source, old, new, merged_declarations(new.chain + old.chain)) is not None
    bulk = measure_impact(old, new, [source], OracleEvaluator())
    assert [u.union["id"] for u in bulk.changed if u.level_changed][:1] == ["QS-014"]
    assert_same(bulk, one_by_one(monkeypatch, old, new, source))


def test_a_generated_province_with_bad_rows_and_parquet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decls = merged_declarations(resolve_rulesets(["bayou", "zhijia"]))
    source = write_csv(province(600, decls, random.Random(7)), sorted(decls), tmp_path / "province.csv")
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    broken = lines[5].split(",")
    broken[header.index("members")] = "二百"
    lines[5] = ",".join(broken)
    lines.insert(9, "," * (len(header) - 1))  # a blank line: not a union
    total = [""] * len(header)
    total[header.index("编号")], total[header.index("类型")], total[header.index("年度")] = "合计", "企业", "2025"
    lines += [lines[3], ",".join(total), "填表人：张三" + "," * (len(header) - 1)]  # a union entered again; a county's total row and footer
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    old, new = load_version("zhijia"), variant(tmp_path, "zhijia", "- {when: membership_rate >= 0.95, points: 8",
                                                "- {when: membership_rate >= 0.90, points: 8")
    told: list[str] = []
    bulk = measure_impact(old, new, [source], OracleEvaluator(), None, told.append)
    assert bulk.assessed == 599 and len(bulk.failures) == 2 and "二百" in bulk.failures[0].errors[0]
    assert bulk.failures[1].errors == [repeated_id(f"{source} 第 603 行", lines[3].split(",")[0], f"{source} 第 4 行")]
    assert told == [f"{source} 第 604 行：“合计”是合计行，不是工会，已跳过", f"{source} 第 605 行：“填表人：张三”是表尾说明，不是工会，已跳过"]
    assert len(bulk.changed) > 20
    assert_same(bulk, one_by_one(monkeypatch, old, new, source))
    parquet = tmp_path / "province.parquet"
    pl.read_csv(source, infer_schema=False).write_parquet(parquet)
    from_parquet = measure_impact(old, new, [parquet], OracleEvaluator())
    assert [(u.union, u.old, u.new) for u in from_parquet.changed] == [(u.union, u.old, u.new) for u in bulk.changed]
    assert from_parquet.level_counts() == bulk.level_counts()


def test_cells_outside_the_header_are_told_as_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column under a blank header cell is told; a record running past its header is a failure."""
    source = county_csv(tmp_path / "qingshan.csv")
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    blanked = header.index("library.books")
    lines[0] = ",".join("" if index == blanked else cell for index, cell in enumerate(header))
    lines[4] += ",已核实"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    old, new = load_version("zhijia"), variant(tmp_path, "zhijia", *CHANGES[0][1:])
    assert BulkSource.of(source, old, new, merged_declarations(new.chain + old.chain)) is not None
    told: list[str] = []
    bulk = measure_impact(old, new, [source], OracleEvaluator(), None, told.append)
    assert bulk.assessed == 43 and [u.origin for u in bulk.failures] == [f"{source} 第 5 行"]
    assert "这一行的第 " + str(len(header) + 1) + " 个单元格“已核实”不在任何表头之下" in bulk.failures[0].errors[0]
    with source.open(encoding="utf-8") as handle:
        filled = [number for number, row in enumerate(csv.reader(handle), 1) if number > 1 and row[blanked].strip()]
    shown = "、".join(map(str, filled[:10]))
    assert len(filled) > 10 and [text for text in told if "没有表头" in text] == [
        f"{source}：{column_letter(blanked)} 列没有表头，其中的内容未读取（第 {shown} 行等，共 {len(filled)} 行）；如是考核数据，请补上表头"]
    assert_same(bulk, one_by_one(monkeypatch, old, new, source))


def test_a_header_short_of_a_column_is_one_failure_as_in_a_batch(tmp_path: Path) -> None:
    source = county_csv(tmp_path / "qingshan.csv")
    lines = source.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace(",library.books,", ",", 1)
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    old, new = load_version("zhijia"), variant(tmp_path, "zhijia", *CHANGES[0][1:])
    assert BulkSource.of(source, old, new, merged_declarations(new.chain + old.chain)) is None
    impact = measure_impact(old, new, [source], OracleEvaluator())
    assert impact.assessed == 0 and [u.origin for u in impact.failures] == [str(source)]
    assert "[source-header] 第 1 行（表头）只有" in impact.failures[0].errors[0] and "表头很可能少写了一列" in impact.failures[0].errors[0]


def test_a_ruleset_the_columns_do_not_grade_is_compared_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By the county batch's reader, which reads Parquet as it reads CSV."""
    source = county_csv(tmp_path / "qingshan.csv")
    old, new = load_version("zhijia"), variant(tmp_path, "zhijia", "- {when: membership_rate >= 0.95, points: 8",
                                                "- {when: pct(membership_rate) == '97.0%', points: 8")
    decls = merged_declarations(new.chain + old.chain)
    assert bulk_impact.Side.of(old) is not None and bulk_impact.Side.of(new) is None
    assert BulkSource.of(source, old, new, decls) is None
    from_csv = measure_impact(old, new, [source], OracleEvaluator())
    assert_same(from_csv, one_by_one(monkeypatch, old, new, source))
    parquet = tmp_path / "qingshan.parquet"
    pl.read_csv(source, infer_schema=False).write_parquet(parquet)
    assert BulkSource.of(parquet, old, new, decls) is None
    from_parquet = measure_impact(old, new, [parquet], OracleEvaluator())
    assert from_parquet.changed and [(u.union, u.old, u.new) for u in from_parquet.changed] == [(u.union, u.old, u.new) for u in from_csv.changed]
    assert (from_parquet.assessed, from_parquet.level_counts()) == (from_csv.assessed, from_csv.level_counts())


def test_a_parquet_file_that_cannot_be_read_is_one_failure(tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    impact = measure_impact(load_version("zhijia"), load_version("zhijia"), [broken], OracleEvaluator())
    [failure] = impact.failures
    assert impact.assessed == 0 and failure.origin == str(broken) and "无法读取，文件可能已损坏或不是 Parquet 文件" in failure.errors[0]


def test_the_table_lists_the_first_hundred_unions_that_move_and_the_json_all(tmp_path: Path) -> None:
    decls = merged_declarations(resolve_rulesets(["zhijia"]))
    source = write_csv(province(600, decls, random.Random(7)), sorted(decls), tmp_path / "province.csv")
    stricter = variant(tmp_path, "zhijia", "name: 合格职工之家, min: 60", "name: 合格职工之家, min: 75")
    table = CliRunner().invoke(cli, ["diff", "zhijia", stricter.ruleset.path, "--facts", str(source)])
    moved = int(table.stdout.split("等级变化 ")[1].split(" 个")[0])
    assert moved > 100 and f"……共 {moved} 个，这里列出前 100 个；全部见 --format json。" in table.stdout
    rows = table.stdout[table.stdout.index("等级变化的工会："):].splitlines()[3:-1]
    assert len(rows) == 100 and all(row.startswith("BM-") for row in rows)
    document = CliRunner().invoke(cli, ["diff", "zhijia", stricter.ruleset.path, "--facts", str(source), "--format", "json"])
    assert sum(u["level_changed"] for u in json.loads(document.stdout)["impact"]["changed"]) == moved


def test_the_json_is_written_as_encoded_and_reads_back(tmp_path: Path) -> None:
    """write_diff_json encodes changed unions one at a time; an empty list is still a list."""
    same = CliRunner().invoke(cli, ["diff", "zhijia", "zhijia", "--facts", str(COUNTY), "--format", "json"])
    assert json.loads(same.stdout)["impact"]["changed"] == [] and same.stdout.endswith("}\n")
    moved = CliRunner().invoke(cli, ["diff", "zhijia", str(REPO / "docs" / "examples" / "zhijia-qingshan.yaml"), "--facts", str(COUNTY),
                                     "--format", "json"])
    changed = json.loads(moved.stdout)["impact"]["changed"]
    assert len(changed) == 20 and changed[0]["union"]["id"].startswith("QS-") and changed[0]["items"]


def test_a_union_named_like_the_place_of_the_changed_unions_does_not_break_the_json(tmp_path: Path) -> None:
    source = tmp_path / "odd.csv"
    source.write_text("编号,名称,类型,年度,职工人数,会员人数\nQS-1,\0changed,企业,2025,10,20\nQS-2,乙,企业,2025,10,9\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", "zhijia", str(REPO / "docs" / "examples" / "zhijia-qingshan.yaml"), "--facts", str(source),
                                      "--format", "json"])
    impact = json.loads(result.stdout)["impact"]
    assert [f["union"]["name"] for f in impact["failed"]] == ["\0changed"] and impact["assessed"] == 1


def test_a_source_named_twice_is_refused() -> None:
    twice = CliRunner().invoke(cli, ["diff", "zhijia", "zhijia", "--facts", str(COUNTY), "--facts", str(COUNTY / "QS-001.yaml")])
    assert twice.exit_code == 2 and f"第 2 个来源 {COUNTY / 'QS-001.yaml'} 在第 1 个来源 {COUNTY} 之中" in twice.stderr
