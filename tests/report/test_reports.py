"""What people read: each union's report (HTML, Markdown), the county page, summary.xlsx and summary.csv."""
from __future__ import annotations

import csv
import gc
import json
import pickle
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
from engine.report.chart import histogram, stacked_bars
from engine.report.county import CountyStats
from engine.report.county_report import county_report, write_county_report
from engine.report.record import document
from engine.report.summary_workbook import ItemSheets, item_row, summary_table, write_summary_csv
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
    for result in (r for r in record["results"] if r["applies"]):
        assert html(result["ruleset"]["name"]) in page
        for section in result["sections"]:
            assert html(section["name"]) in page
        items = {item["id"]: item for item in result["items"]}
        for gap in result["gaps"]:
            for text in (gap["name"], gap["fix"], items[gap["item"]]["reason"], "、".join(gap["evidence"])):
                assert html(text) in page
    assert ">50.55<" in page and ">3.55<" in page  # bayou total and the 有资料 section
    assert html("★ 每年召开职代会（会员代表大会），会议记录和决议完整") in page  # failed 必备 item, by name


def test_a_standard_that_does_not_apply_is_one_line_on_the_page(records, html_pages, md_pages):
    """QS-016 is an enterprise: the 机关事业单位 standard's gate fails. Its page says so in one line and
    shows none of that standard's scores, gaps or plan."""
    jiguan = result_of(records["QS-016"], "zhijia-jiguan")
    assert not jiguan["applies"] and not jiguan["eligible"]
    name = jiguan["ruleset"]["name"]
    line = "未满足申报条件：依法建会满一年的机关、事业单位工会（本单位工会类型：企业），本标准不适用于本单位。"
    assert jiguan["notes"][-1] == line.replace("本标准不适用于本单位。", "不参与定级")
    assert f"<p class=\"na-line\"><strong>{html(name)}</strong>　{html(line)}</p>" in html_pages["QS-016"]
    assert f"\n> **{name}**　{line}\n" in md_pages["QS-016"]
    for page in (html_pages["QS-016"], md_pages["QS-016"]):
        assert page.count(html(name) if page.startswith("<") else name) == 1
        assert "仅供参考" not in page and "不参与定级" not in page
        assert "plan" not in jiguan or jiguan["plan"]["headline"] not in page
    for union_id in ("QS-001", "QS-013", "QS-017"):  # an institution keeps it; enterprises do not
        record = records[union_id]
        assert (name in md_pages[union_id].split("\n## ")[-1]) == result_of(record, "zhijia-jiguan")["applies"]


def test_a_union_a_veto_disqualifies_still_sees_the_standard(assessed):
    """A disqualifying veto: the standard applies, the union is not graded; the page keeps the standard."""
    assessment, plans = assessed["QS-017"]
    zhijia = assessment.results["zhijia"]
    vetoed = replace(zhijia, eligible=False, level=None)  # as a veto with effect: disqualify leaves it
    page = union_markdown(replace(assessment, results={**assessment.results, "zhijia": vetoed}), plans)
    block = page[page.index(f"## {zhijia.ruleset.name}"):]
    assert "等级：不参与定级" in block and "本单位不参与本标准定级，以下得分与整改事项仅供参考。" in block
    assert "- 否决项：发生重大劳动安全责任事故" in block and "| **合计** |" in block


def test_sections_add_up_to_the_total_and_the_rescaling_stands_by_it(records, md_pages, html_pages):
    """QS-001's 职工之家 drops 3 items (10 points): its sections add up to 90, rescaled to 100 next to the total."""
    text = md_pages["QS-001"]
    zhijia = text[text.index("## “职工之家”"):text.index("## “活力基层工会”")]
    assert "- 总分：100 / 100（不适用 3 项（10 分）不计分，按 90 分折算为 100 分）    等级：模范职工之家\n" in zhijia
    assert "| **合计** | 90/90 | 满分 |\n| 按 90 分折算为 100 分 | 100/100 | |\n| **总分** | 100/100 | |\n" in zhijia
    assert '<div class="scale">不适用 3 项（10 分）不计分，按 90 分折算为 100 分</div>' in html_pages["QS-001"]
    xingji = text[text.index("## “活力基层工会”"):]
    assert "| **合计** | 100/100 | 满分 |\n| 加分 | +4 | |\n| **总分** | 104/100 | |\n" in xingji
    for union_id, record in records.items():
        for result in (r for r in record["results"] if r["applies"]):
            top = [s for s in result["sections"] if s["depth"] == 0]
            earned, possible = sum(s["points"] for s in top), sum(s["max_points"] for s in top)
            lost = sum(g["points_lost"] for g in result["gaps"])
            assert round(possible - earned, 2) == round(lost, 2), (union_id, result["ruleset"]["id"])
            assert f"| **合计** | {earned:g}/{possible:g} |" in md_pages[union_id]
            if result["gaps"]:
                assert f"（{len(result['gaps'])} 项，共失 {round(lost, 2):g} 分）" in md_pages[union_id]
        for page in (md_pages[union_id], html_pages[union_id]):
            assert "可挽回失分" not in page  # it summed item points next to a rescaled total


def test_items_that_do_not_apply_are_named_without_points(records, md_pages, html_pages):
    """One convention for na: full (bayou's 集体合同档案: counted as full) and na: drop (职工之家's collective
    contract items: not counted): the item is named as counted in full (with its points) or not counted, the section and total lines carry the points."""
    text = md_pages["QS-001"]
    assert "| 有资料 | 10/10 | 满分；不适用（按满分计）：集体合同（协议）档案齐全（1 分） |" in text  # na: full
    assert ("| 维权到位 | 15/15 | 满分；不适用（不计分）：签订集体合同及工资、女职工权益保护专项集体合同、"
            "集体合同覆盖率和履约率（均达 95% 满分，均达 80% 得一半）、每年至少开展一次工资集体协商 |") in text  # na: drop
    assert '<div class="na-items">不适用（按满分计）：集体合同（协议）档案齐全（1 分）</div>' in html_pages["QS-001"]
    for union_id in records:
        assert not re.search(r"\b0/0\b|1/1 不适用|0/0 不适用", md_pages[union_id])


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
        if not result["applies"]:  # the page leaves out a standard that does not apply (and its plan, if any)
            continue
        shown = [table, markdown]
        assert all(result["plan"]["headline"] in text for text in shown)
        for step in result["plan"]["steps"]:
            assert all(step["target"] in text for text in shown)


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
    assert 'href="unions/ABx~077c0c029fc0b39f.html"' in county_report(county, "县")


@pytest.mark.parametrize(("union_id", "stem"), [
    ("QS-016", "QS-016"), ("a_b-1", "a_b-1~c9902295482b90b3"), ("../x", "x~d6b96a97d147daaa"), ("青山1", "1~b2928d136446406e"),
    ("a~b", "ab~941528e5e77c9a1f"), ("CON", "CON~a3dbc4b644a9a2c5"), ("nul", "nul~99e6242759016035"),
    ("a.b", "ab~2e7336dc8eba87ef"), ("", "union~e3b0c44298fc1c14"),
])
def test_union_file_stems_are_safe_in_file_names_and_urls(union_id, stem):
    assert union_file_stem(union_id) == stem


def test_union_file_stems_are_distinct_for_distinct_ids():
    ids = ["A/B", "A_B", "A~2FB", "A B", "A%20B", "A.B", "CON", "CON~", "青", "~E9~9D~92", "qs-001", "QS-001"]
    assert len({union_file_stem(i).casefold() for i in ids}) == len(ids)


def test_county_ranking_says_how_it_is_ordered_and_leaves_standards_that_do_not_apply_unscored(stats):
    page = county_report(stats, "青山县汇总")
    ranking = page[page.index('id="ranking"'):]
    heading_and_rule = ranking[: ranking.index("</p>")]
    assert ("依次按“活力基层工会”星级评定标准（六好）、基层工会规范化建设“八有”标准排序：每个标准先比等级（按标准所列等级从高到低，"
            "其后为未达到任何等级、不参与定级，标准不适用的排在最后），等级相同再比得分（从高到低）；都相同的名次并列，按编号排列。") in heading_and_rule
    row = ranking[ranking.index('>QS-016<'):]
    row = row[: row.index("</tr>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert '<td colspan="2" class="na">不适用</td>' in row  # the 机关 standard: no score for an enterprise
    assert "34.5" not in cells and cells.count("不适用") == 1
    assert [r.id for r in stats.ranked_rows()][-1] == "QS-041"  # a 工会小组: 星级 does not apply, it ranks last


def test_county_level_counts_keep_not_applicable_apart(stats):
    """Of the five unions only QS-001 (an institution) is one the 机关 standard applies to."""
    page = county_report(stats, "青山县汇总")
    table = page[page.index('data-ruleset="zhijia-jiguan"'):]
    table = table[: table.index("</table>")]
    counts = re.findall(r'data-level="([^"]+)">(\d+)<', table)
    assert counts == [("模范职工之家", "1"), ("先进职工之家", "0"), ("合格职工之家", "0"), ("不合格", "0"), ("不适用", "4")]
    assert '<th class="num na">不适用</th>' in table
    section = page[page.index('id="rs-zhijia-jiguan"'):page.index("</section>", page.index('id="rs-zhijia-jiguan"'))]
    assert "参评 5 家：本标准适用 1 家，其中参与定级 1 家；不适用 4 家（未满足本标准的申报条件，不计入得分、等级和失分统计）" in section
    assert stats.scores["zhijia-jiguan"] == [100.0]


def test_county_report_draws_level_bars_by_township_with_a_legend(stats):
    page = county_report(stats, "青山县汇总")
    section = page[page.index('id="rs-zhijia"'):page.index("</section>", page.index('id="rs-zhijia"'))]
    svg = section[section.index('<svg class="chart bars"'):]
    svg = svg[: svg.index("</svg>")]
    bars = dict(re.findall(r"<title>(\S+ \S+)：(\d+) 家</title>", svg))
    graded = {f"{row.township} {row.cells['zhijia'].level}" for row in stats.rows if row.cells["zhijia"].applies}
    assert set(bars) == graded  # one segment per township and level; 不适用 left out
    assert sum(map(int, bars.values())) == stats.applies_count("zhijia")
    for label in stats.levels("zhijia"):
        if label != "不适用":
            assert f">{label}</text>" in svg  # the legend names every level column of the table
    assert "不含不适用本标准的 1 家" in svg


def test_stacked_bars_share_one_scale_and_colour_levels_best_to_worst():
    chart = stacked_bars([("甲镇", [2, 1, 0, 1]), ("乙镇", [0, 4, 0, 0])], ["达标", "基本达标", "不达标", "不参与定级"], 3)
    first, second = chart.rows
    assert [s.count for s in first.segments] == [2, 1, 1] and first.total == 4 and second.total == 4
    assert sum(s.width for s in first.segments) == pytest.approx(sum(s.width for s in second.segments))
    assert first.segments[0].x == chart.left and first.segments[1].x == pytest.approx(first.segments[0].x + first.segments[0].width)
    colours = {s.label: s.colour for s in first.segments}
    assert colours["达标"] == "#2f7d4f" and colours["不参与定级"] == "#aab4be"
    assert [entry.label for entry in chart.legend] == ["达标", "基本达标", "不达标", "不参与定级"]
    assert [v for _, v in chart.x_ticks] == [0, 1, 2, 3, 4]


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


def test_workbook_sheets_have_a_title_a_filtered_frozen_header_and_print_on_a4(workbook, rulesets, stats):
    book = load_workbook(workbook)
    assert book.sheetnames == ["汇总", *[r.name for r in rulesets], "失败单位", "读取说明"]
    titles = ["青山县基层工会考核评价汇总", *[f"{r.name}：各项得分" for r in rulesets], "评估失败的单位", "数据读取说明：读取时未读入的列、隐藏的工作表、行和列"]
    assert [sheet["A1"].value for sheet in book.worksheets] == titles
    assert stats.title() == titles[0]  # the title of report.html
    for sheet in book.worksheets:
        frozen = "C3" if sheet.title in {r.name for r in rulesets} else "A3"  # item sheets keep 编号 and 名称 in view
        assert sheet.freeze_panes == frozen
        assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, sheet.max_column).column_letter}{max(sheet.max_row, 2)}"
        assert sheet.print_title_rows == "$1:$2"  # title and header on every printed page
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, None, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert not list(workbook.parent.glob(".*.part"))


def test_summary_sheet_is_ranked(workbook, stats):
    sheet = load_workbook(workbook)["汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("名次", "编号", "名称", "类型", "乡镇（街道）")
    assert rows[1][-4:] == ("否决项", "未达标必备项", "失分项数", "缺资料项数")
    assert [row[1] for row in rows[2:]] == [row.id for row in stats.ranked_rows()]
    assert rows[2][1] == "QS-013" and rows[2][0] == 1


def test_summary_keeps_a_standard_that_does_not_apply_out_of_its_score_column(workbook, stats):
    rows = list(load_workbook(workbook)["汇总"].iter_rows(values_only=True))
    header = rows[1]
    score, level = header.index("机关事业单位“职工之家”（教职工之家）建设考核评价标准得分"), header.index("机关事业单位“职工之家”（教职工之家）建设考核评价标准等级")
    by_id = {row[1]: row for row in rows[2:]}
    assert (by_id["QS-016"][score], by_id["QS-016"][level]) == (None, "不适用")  # an enterprise: the 机关 standard does not apply
    assert (by_id["QS-001"][score], by_id["QS-001"][level]) == (100, "模范职工之家")
    assert all(isinstance(row[score], int | float | type(None)) for row in rows[2:])


def test_summary_sheet_columns_fit_chinese_text(workbook, stats):
    sheet = load_workbook(workbook)["汇总"]
    widest_name = max(wcswidth(row.name) for row in stats.rows)
    assert int(sheet.column_dimensions["C"].width) == widest_name + 2  # CJK characters count 2 (XlsxWriter stores Excel's +0.71 padding)


def test_item_sheets_hold_every_items_points_per_union(workbook, records):
    sheet = load_workbook(workbook)["“职工之家”建设考核评价标准"]
    rows = list(sheet.iter_rows(values_only=True))
    zhijia = result_of(records["QS-016"], "zhijia")
    headed = [f"{item['name']}（{item['max_points']:g}分）" for item in zhijia["items"]]
    assert rows[1] == ("编号", "名称", "总分", "等级", *headed, "不适用的指标")
    assert headed[0] == "会员入会率（95% 以上满分）（8分）"
    assert [row[0] for row in rows[2:]] == list(records)  # input order
    row = next(r for r in rows if r[0] == "QS-016")
    assert row[2:4] == (zhijia["score"], zhijia["level"]["name"])
    assert list(row[4:-1]) == [item["points"] for item in zhijia["items"]]  # na: full counts its points
    assert row[-1] == "、".join(item["name"] for item in zhijia["items"] if item["outcome"] == "na")


def test_item_sheets_keep_not_applicable_apart_from_numbers(workbook, records):
    """QS-001 (an institution) has 职工之家's collective-contract items dropped: their cells stay empty and the
    last column names them; the 机关 standard does not apply to QS-016 (an enterprise): no score, no points."""
    book = load_workbook(workbook)
    rows = list(book["“职工之家”建设考核评价标准"].iter_rows(values_only=True))
    qs001 = next(r for r in rows if r[0] == "QS-001")
    items = result_of(records["QS-001"], "zhijia")["items"]
    dropped = [item["name"] for item in items if item["outcome"] == "na"]
    assert len(dropped) == 3
    assert [value for value, item in zip(qs001[4:-1], items) if item["outcome"] == "na"] == [None] * 3
    assert qs001[-1] == "、".join(dropped)
    jiguan = next(r for r in book["机关事业单位“职工之家”（教职工之家）建设考核评价标准"].iter_rows(values_only=True) if r[0] == "QS-016")
    assert jiguan[2:4] == (None, "不适用") and set(jiguan[4:-1]) == {None}
    assert jiguan[-1] == "本标准不适用：未满足申报条件：依法建会满一年的机关、事业单位工会（本单位工会类型：企业）"
    for sheet in book.worksheets[1:-2]:
        for row in list(sheet.iter_rows(values_only=True))[2:]:
            assert all(isinstance(value, int | float | type(None)) for value in (row[2], *row[4:-1]))


def test_workbook_is_the_same_for_the_same_input(tmp_path, rulesets, assessed, stats):
    books = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        with ItemSheets(tmp_path / name / "summary.xlsx", [r.id for r in rulesets], {r.id: r.name for r in rulesets}) as sheets:
            for assessment, _ in assessed.values():
                sheets.add(assessment.fact_file.union, list(assessment.results.values()))
            sheets.save(stats)
        books.append((tmp_path / name / "summary.xlsx").read_bytes())
    assert books[0] == books[1]


def test_rows_a_worker_sends_through_a_pipe_write_the_same_workbook(tmp_path, rulesets, assessed, stats, workbook):
    """A batch's workers send each union's `item_row`s, pickled, instead of its results."""
    path = tmp_path / "summary.xlsx"
    with ItemSheets(path, [r.id for r in rulesets], {r.id: r.name for r in rulesets}) as sheets:
        for assessment, _ in assessed.values():
            rows = [item_row(result) for result in assessment.results.values()]
            sheets.take(assessment.fact_file.union, pickle.loads(pickle.dumps(rows)))
        sheets.save(stats)
    assert path.read_bytes() == workbook.read_bytes()


def test_failures_sheet_lists_failed_unions_with_errors(workbook):
    rows = list(load_workbook(workbook)["失败单位"].iter_rows(values_only=True))
    assert rows == [("评估失败的单位", None, None), ("来源", "编号", "错误"), ("facts/qingshan/QS-999.yaml", "QS-999", "QS-999.yaml:9:14: 错误 [fact-type] employees 应为不小于 0 的整数")]


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


def test_the_terminal_table_treats_standards_and_items_that_do_not_apply_as_the_pages_do():
    table = CliRunner().invoke(cli, ["assess", str(FACTS / "QS-016.yaml")]).stdout  # an enterprise
    jiguan = table[table.index("━━ 机关事业单位"):].splitlines()
    assert jiguan[1] == "未满足申报条件：依法建会满一年的机关、事业单位工会（本单位工会类型：企业），本标准不适用于本单位"
    assert len(jiguan) == 2  # no items, no gaps, no plan
    zhijia = CliRunner().invoke(cli, ["assess", "--ruleset", "zhijia", str(FACTS / "QS-001.yaml")]).stdout
    counted = [line for line in zhijia.splitlines() if line.rstrip().endswith("不适用（按满分计）")]
    dropped = [line for line in zhijia.splitlines() if line.rstrip().endswith("不适用（不计分）")]
    assert counted or dropped
    assert all("/" not in line for line in dropped) and all(re.search(r"(\d+)/\1 ", line) for line in counted)
