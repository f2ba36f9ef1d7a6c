"""What people read: each union's report (HTML, Markdown), the county page, summary.xlsx and summary.csv."""
from __future__ import annotations

import csv
import gc
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from markupsafe import escape
from openpyxl import load_workbook
from wcwidth import wcswidth

from cli import cli
from engine import Assessment, assess, load_fact_file, resolve_rulesets
from engine.plan.planner import next_level_plans
from engine.plan.records import Plan
from engine.report.chart import histogram
from engine.report.county import CountyStats
from engine.report.county_report import county_report, write_county_report
from engine.report.record import document
from engine.report.summary_workbook import ItemSheets, summary_table, write_summary_csv
from engine.report.union_page import union_file_stem, union_markdown, union_report_html, union_view

REPO = Path(__file__).resolve().parents[2]
FACTS = REPO / "facts" / "qingshan"
CHOSEN = ["QS-001", "QS-013", "QS-016", "QS-017", "QS-041"]
EXTERNAL = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|<script|<link|<img|<iframe|\bsrc=|@import|url\(", re.IGNORECASE)


@pytest.fixture(scope="module")
def rulesets() -> list:
    return resolve_rulesets()


@pytest.fixture(scope="module")
def assessed(rulesets, durable) -> dict[str, tuple[Assessment, dict[str, Plan]]]:
    """A few unions of the example county, assessed and planned as `assess` and `batch` do."""
    built = {}
    for union_id in CHOSEN:
        assessment = assess(rulesets, load_fact_file(FACTS / f"{union_id}.yaml"), durable)
        built[union_id] = (assessment, next_level_plans(rulesets, assessment, durable))
    return built


@pytest.fixture(scope="module")
def records(assessed) -> dict[str, dict]:
    """Their JSON records (`assess --format json`), to look values up."""
    return {union_id: document(*pair) for union_id, pair in assessed.items()}


@pytest.fixture(scope="module")
def html_pages(assessed) -> dict[str, str]:
    return {union_id: union_report_html(union_view(*pair)) for union_id, pair in assessed.items()}


@pytest.fixture(scope="module")
def md_pages(assessed) -> dict[str, str]:
    return {union_id: union_markdown(*pair) for union_id, pair in assessed.items()}


@pytest.fixture(scope="module")
def stats(rulesets, assessed) -> CountyStats:
    county = CountyStats([r.id for r in rulesets], {r.id: r.name for r in rulesets}, ["xingji", "bayou"],
                         {r.id: [level.name for level in r.levels] for r in rulesets})
    for assessment, _ in assessed.values():
        county.add(assessment.fact_file.union, assessment.as_of.isoformat(), list(assessment.results.values()))
    county.add_failure("facts/qingshan/QS-999.yaml", "QS-999", ["QS-999.yaml:9:14: 错误 [fact-type] employees 应为不小于 0 的整数"])
    return county


def result_of(record: dict, rid: str) -> dict:
    return next(r for r in record["results"] if r["ruleset"]["id"] == rid)


def html(text: Any) -> str:
    return str(escape(text))


# --- one union's report ---------------------------------------------------------------------------

def test_union_html_names_the_union_and_the_assessment(html_pages):
    page = html_pages["QS-016"]
    for text in ("青山镇鑫源食品厂工会", "QS-016", "企业", "青山镇", "2025 年度", "2025-12-31"):
        assert html(text) in page
    assert "<title>青山镇鑫源食品厂工会（QS-016）考核评价报告</title>" in page
    assert 'href="../report.html"' in page


def test_union_html_shows_scores_levels_sections_and_every_gap(records, html_pages):
    record = records["QS-016"]
    page = html_pages["QS-016"]
    for result in record["results"]:
        assert html(result["ruleset"]["name"]) in page
        for section in result["sections"]:
            assert html(section["name"]) in page
        items = {item["id"]: item for item in result["items"]}
        for gap in result["gaps"]:
            for text in (gap["name"], gap["fix"], items[gap["item"]]["reason"], "、".join(gap["evidence"])):
                assert html(text) in page
    assert ">50.55<" in page and ">3.55<" in page  # bayou total and the 有资料 section
    assert html("★ 每年召开职代会（会员代表大会），会议记录和决议完整") in page  # failed 必备 item, by name


def test_union_report_explains_why_a_union_is_not_graded(records, html_pages, md_pages):
    jiguan = result_of(records["QS-016"], "zhijia-jiguan")
    assert not jiguan["eligible"]
    for page in (html_pages["QS-016"], md_pages["QS-016"]):
        assert "不参与定级" in page and "仅供参考" in page
        assert html(jiguan["notes"][0]) in page or jiguan["notes"][0] in page


def test_union_report_shows_the_bonus_apart(records, html_pages, md_pages):
    xingji = result_of(records["QS-013"], "xingji")
    assert xingji["bonus"] > 0
    assert f"含加分 {xingji['bonus']:g}" in html_pages["QS-013"]
    assert f"（含加分 {xingji['bonus']:g}）" in md_pages["QS-013"]


def test_union_report_names_vetoes(records, md_pages):
    zhijia = result_of(records["QS-017"], "zhijia")
    assert zhijia["vetoes"] == ["veto.accident"]
    assert "- 否决项：发生重大劳动安全责任事故" in md_pages["QS-017"]


def test_markdown_lists_gaps_largest_loss_first_with_reason_fix_and_evidence(records, md_pages):
    record = records["QS-016"]
    text = md_pages["QS-016"]
    assert text.startswith("# 青山镇鑫源食品厂工会 考核评价报告\n")
    bayou = result_of(record, "bayou")
    block = text[text.index("## 基层工会规范化建设"):text.index("## “职工之家”")]
    lost = [float(n) for n in re.findall(r"^\d+\. .*（失 ([\d.]+) 分）：", block, re.MULTILINE)]
    assert lost == sorted(lost, reverse=True) and len(lost) == len(bayou["gaps"])
    first = bayou["gaps"][0]
    reason = next(i["reason"] for i in bayou["items"] if i["id"] == first["item"])
    assert f"1. {first['name']}（失 6 分）：{first['fix']}\n   - 现状：{reason}\n   - 需准备的台账：{'、'.join(first['evidence'])}" in block
    assert "| 有资料 | 3.55/10 | 失 6.45 分 |" in block


def test_markdown_indents_details_under_two_digit_numbers(md_pages):
    text = md_pages["QS-016"]
    assert re.search(r"^10\. .*\n    - 现状：", text, re.MULTILINE)


def test_assess_markdown_is_the_union_page_a_batch_writes(md_pages, tmp_path):
    runner = CliRunner()
    as_markdown = runner.invoke(cli, ["assess", str(FACTS / "QS-016.yaml"), "--format", "markdown"])
    assert as_markdown.exit_code == 0 and as_markdown.stdout == md_pages["QS-016"]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "QS-016.yaml").write_bytes((FACTS / "QS-016.yaml").read_bytes())
    assert runner.invoke(cli, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1"]).exit_code == 0
    assert (tmp_path / "out" / "unions" / "QS-016.md").read_text(encoding="utf-8") == md_pages["QS-016"]


def test_every_format_of_assess_computes_the_same_plans():
    runner = CliRunner()
    fact_file = str(FACTS / "QS-016.yaml")
    record = json.loads(runner.invoke(cli, ["assess", fact_file, "--format", "json"]).stdout)
    table = runner.invoke(cli, ["assess", fact_file]).stdout
    markdown = runner.invoke(cli, ["assess", fact_file, "--format", "markdown"]).stdout
    for result in record["results"]:
        assert result["plan"]["headline"] in table and result["plan"]["headline"] in markdown
        for step in result["plan"]["steps"]:
            assert step["target"] in table and step["target"] in markdown


# --- the county page ------------------------------------------------------------------------------

def test_county_report_shows_level_counts_per_ruleset(stats):
    page = county_report(stats, "青山县 2025 年度基层工会考核评价汇总")
    for rid in stats.ruleset_ids:
        table = page[page.index(f'data-ruleset="{rid}"'):]
        table = table[: table.index("</table>")]
        shown = dict(re.findall(r'data-level="([^"]+)">(\d+)<', table))
        assert {label: int(n) for label, n in shown.items() if int(n)} == dict(stats.level_counts[rid])
        for township in stats.townships():
            assert f"<td>{township}</td>" in table


def test_county_report_links_every_union_and_lists_failures(stats, records):
    page = county_report(stats, "青山县汇总")
    for union_id in records:
        assert f'href="unions/{union_file_stem(union_id)}.html"' in page
    assert "QS-999.yaml:9:14: 错误 [fact-type]" in page
    ranking = page[page.index('id="ranking"'):]
    assert re.findall(r'class="union" href="unions/[^"]+">([^<]+)<', ranking) == [row.id for row in stats.ranked_rows()]


def test_county_report_draws_a_histogram_and_the_most_missed_items(stats):
    page = county_report(stats, "青山县汇总")
    assert page.count('<svg class="chart"') == len([rid for rid in stats.ruleset_ids if stats.scores[rid]])
    top = stats.most_missed("bayou")[0]
    assert html(top.name) in page and f"{top.lost_by} 家" in page


def test_county_report_is_streamed_to_disk_atomically(tmp_path, stats):
    write_county_report(tmp_path / "report.html", stats, "青山县汇总")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == county_report(stats, "青山县汇总")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_pages_are_self_contained(stats, html_pages):
    pages = [county_report(stats, "青山县汇总")] + list(html_pages.values())
    for page in pages:
        assert not EXTERNAL.search(page), EXTERNAL.search(page)
        assert "<style>" in page and '"Noto Sans CJK SC"' in page and "@media print" in page


def test_untrusted_names_and_ids_are_escaped(rulesets, assessed):
    assessment, plans = assessed["QS-001"]
    union = {**assessment.fact_file.union, "id": "A/B <x>", "name": "<script>alert(1)</script>工会"}
    hostile = replace(assessment, fact_file=replace(assessment.fact_file, union=union))
    county = CountyStats([r.id for r in rulesets], {r.id: r.name for r in rulesets}, ["bayou"])
    county.add(union, "2025-12-31", list(assessment.results.values()))
    for page in (county_report(county, "<b>县</b>"), union_report_html(union_view(hostile, plans))):
        assert "<script>" not in page and "<b>县" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;工会" in page
    assert 'href="unions/A~2FB~20~3Cx~3E.html"' in county_report(county, "县")


@pytest.mark.parametrize(("union_id", "stem"), [
    ("QS-016", "QS-016"), ("a_b-1", "a_b-1"), ("../x", "~2E~2E~2Fx"), ("青山1", "~E9~9D~92~E5~B1~B11"),
    ("a~b", "a~7Eb"), ("CON", "CON~"), ("nul", "nul~"), ("a.b", "a~2Eb"), ("", "~"),
])
def test_union_file_stems_are_safe_in_file_names_and_urls(union_id, stem):
    assert union_file_stem(union_id) == stem


def test_union_file_stems_are_distinct_for_distinct_ids():
    ids = ["A/B", "A_B", "A~2FB", "A B", "A%20B", "A.B", "CON", "CON~", "青", "~E9~9D~92"]
    assert len({union_file_stem(i) for i in ids}) == len(ids)


def test_histogram_bands_count_each_score_once():
    chart = histogram([0, 9.99, 10, 55, 100, 100, 104], 100)
    assert [bar.count for bar in chart.bars] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2, 1]  # a bonus above 100 adds a band
    assert [label for _, label in chart.x_ticks][:3] == ["0", "10", "20"] and chart.x_ticks[-1][1] == "110"
    assert [value for _, value in chart.y_ticks] == [0, 1, 2]


# --- summary.xlsx and summary.csv ------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(tmp_path_factory, rulesets, assessed, stats) -> Path:
    path = tmp_path_factory.mktemp("out") / "summary.xlsx"
    with ItemSheets(path, [r.id for r in rulesets], {r.id: r.name for r in rulesets}) as sheets:
        for assessment, _ in assessed.values():
            sheets.add(assessment.fact_file.union, list(assessment.results.values()))
        sheets.save(stats)
    return path


def test_workbook_has_chinese_sheets_with_frozen_headers(workbook, rulesets):
    book = load_workbook(workbook)
    assert book.sheetnames == ["汇总", *[r.name for r in rulesets], "失败单位"]
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)
    assert not list(workbook.parent.glob(".*.part"))


def test_summary_sheet_is_ranked(workbook, stats):
    sheet = load_workbook(workbook)["汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("名次", "编号", "名称", "类型", "乡镇（街道）")
    assert rows[0][-4:] == ("否决项", "未达标必备项", "失分项数", "缺资料项数")
    assert [row[1] for row in rows[1:]] == [row.id for row in stats.ranked_rows()]
    assert rows[1][1] == "QS-013" and rows[1][0] == 1


def test_summary_sheet_columns_fit_chinese_text(workbook, stats):
    sheet = load_workbook(workbook)["汇总"]
    widest_name = max(wcswidth(row.name) for row in stats.rows)
    assert int(sheet.column_dimensions["C"].width) == widest_name + 2  # CJK characters count 2 (XlsxWriter stores Excel's +0.71 padding)


def test_item_sheets_hold_every_items_points_per_union(workbook, records):
    sheet = load_workbook(workbook)["“职工之家”建设考核评价标准"]
    rows = list(sheet.iter_rows(values_only=True))
    zhijia = result_of(records["QS-016"], "zhijia")
    assert rows[0] == ("编号", "名称", "总分", "等级", *[item["name"] for item in zhijia["items"]])
    assert [row[0] for row in rows[1:]] == list(records)  # input order
    row = next(r for r in rows if r[0] == "QS-016")
    assert row[2:4] == (zhijia["score"], zhijia["level"]["name"])
    assert list(row[4:]) == [item["points"] for item in zhijia["items"]]


def test_failures_sheet_lists_failed_unions_with_errors(workbook):
    rows = list(load_workbook(workbook)["失败单位"].iter_rows(values_only=True))
    assert rows == [("来源", "编号", "错误"), ("facts/qingshan/QS-999.yaml", "QS-999", "QS-999.yaml:9:14: 错误 [fact-type] employees 应为不小于 0 的整数")]


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_item_sheets_of_a_batch_that_stopped_early_leave_nothing_behind(tmp_path, rulesets, assessed):
    assessment, _ = assessed["QS-016"]
    with pytest.raises(KeyboardInterrupt), ItemSheets(tmp_path / "summary.xlsx", [r.id for r in rulesets], {r.id: r.name for r in rulesets}) as sheets:
        sheets.add(assessment.fact_file.union, list(assessment.results.values()))
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    assert all(not Path(s.row_data_filename).exists() for s in sheets.book.worksheets() if s.row_data_filename)
    del sheets
    gc.collect()


def test_csv_round_trips_with_a_bom_for_excel(tmp_path, stats):
    path = tmp_path / "summary.csv"
    write_summary_csv(path, stats)
    assert path.read_bytes().startswith("\ufeff名次,编号".encode())
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    headers, table = summary_table(stats)
    assert rows[0] == headers
    assert [row[1] for row in rows[1:]] == [row.id for row in stats.ranked_rows()]
    expected = [["" if v is None else (f"{v:.2f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)) for v in row] for row in table]
    assert rows[1:] == expected
