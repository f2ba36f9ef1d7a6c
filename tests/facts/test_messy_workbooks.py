"""Messy workbooks and fact files as counties really send them: every case is read as Excel shows it,
refused with a message that says how to fix it, or named; none is misread without a word.

The suite tries 16 inputs (some under several options): the example county's workbook with a misspelt
header (refused; read with --unused-column), with extra columns, read for one standard; a formula without
a computed result, formulas with results, a formula whose result is empty text; a hidden sheet (skipped,
read with --include-hidden, read when --sheet names it); a hidden row and column; counts with measure
words; an over-long cell; a sheet past Excel's row limit; a workbook that unpacks past the limit; a CSV
record too long to parse; a YAML fact file in human forms (类型 企业, 42人, 20 平方米, 是, 95%); and the
township path: the blank form filled in and read by `assess`, `plan`, `checklist` and `explain`, and the
county workbook with and without --union. Misspelt fact-file keys are tried in test_facts.py, undecodable
CSV bytes in test_sources.py.
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from cli import cli
from engine.facts import workbook as workbook_module
from engine.facts.excel import Spanned
from engine.facts.fact_file import bundled_declarations, load_fact_file
from engine.facts.sources import Unit, read_units

REPO = Path(__file__).resolve().parents[2]
COUNTY = REPO / "facts" / "qingshan.xlsx"


def run(*args: Any) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def read(*paths: Path, **options: Any) -> tuple[list[Unit], list[str]]:
    notices: list[str] = []
    return list(read_units(list(paths), bundled_declarations(), warn=notices.append, **options)), notices


def county_copy(tmp_path: Path, change: Any, name: str = "县.xlsx") -> Path:
    """The example county's workbook, changed by `change(workbook)` and saved as a new file."""
    book = openpyxl.load_workbook(COUNTY)
    change(book)
    book.save(tmp_path / name)
    return tmp_path / name


def column_of(sheet: Any, header: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == header)


def by_id(units: list[Unit]) -> dict[str, Unit]:
    return {unit.facts.union["id"]: unit for unit in units if unit.facts is not None}


# --- headers ---------------------------------------------------------------------------------------

def misspell(book: Any) -> None:
    for sheet in book.worksheets:
        sheet.cell(1, column_of(sheet, "职工人数"), "职工人数数")


def test_a_misspelt_header_stops_the_batch_before_any_union_is_graded(tmp_path: Path) -> None:
    """Read on, 职工人数 would be 缺资料 for every union and 模范职工之家 would fall county-wide."""
    book = county_copy(tmp_path, misspell)
    done = run("batch", book, "--out", tmp_path / "out")
    assert done.exit_code == 1 and not (tmp_path / "out").exists()
    lines = [line for line in done.output.splitlines() if "[source-column]" in line]
    assert len(lines) == 5  # one per sheet
    assert lines[0] == (f"{book}:1:7: 错误 [source-column] 工作表“城关街道”第 1 行“职工人数数”列（表头）不是任何事实的名称，"
                        "是否指 “职工人数”（employees）？请改正表头；若这一列确实不是考核数据，请加 --unused-column “职工人数数”")


def test_a_column_more_loosely_like_a_fact_the_sheet_lacks_also_stops_the_batch(tmp_path: Path) -> None:
    """职工总数 for 职工人数 (one character of four): the sheets have no 职工人数 column, so it was meant for it."""
    def renamed(book: Any) -> None:
        for sheet in book.worksheets:
            sheet.cell(1, column_of(sheet, "职工人数"), "职工总数")

    done = run("batch", county_copy(tmp_path, renamed), "--out", tmp_path / "out")
    assert done.exit_code == 1 and not (tmp_path / "out").exists()
    assert done.output.count("“职工总数”列（表头）不是任何事实的名称，是否指 “职工人数”（employees）？") == 5

    def added(book: Any) -> None:
        for sheet in book.worksheets:
            sheet.cell(1, sheet.max_column + 1, "职工总数")

    beside = run("batch", county_copy(tmp_path, added, "另一县.xlsx"), "--out", tmp_path / "beside-out")
    assert beside.exit_code == 0 and "忽略无法识别的列 “职工总数”" in beside.output  # beside 职工人数 it is something else


def test_a_resembling_column_declared_unused_is_read_past_and_named(tmp_path: Path) -> None:
    book = county_copy(tmp_path, misspell)
    refused = run("plan", book, "--union", "QS-016", "--ruleset", "zhijia")
    assert refused.exit_code == 1 and "是否指 “职工人数”（employees）" in refused.output
    done = run("plan", book, "--union", "QS-016", "--ruleset", "zhijia", "--unused-column", "职工人数数")
    assert done.exit_code == 0 and "忽略无法识别的列 “职工人数数”" in done.output


def test_columns_no_ruleset_reads_are_named(tmp_path: Path) -> None:
    def extra(book: Any) -> None:
        for sheet in book.worksheets:
            width = sheet.max_column
            sheet.cell(1, width + 1, "联系人")
            sheet.cell(1, width + 2, "电话")
    book = county_copy(tmp_path, extra)
    units, notices = read(book)
    line = f"{book} 工作表“城关街道”：忽略无法识别的列 “联系人”、“电话”"
    assert len(by_id(units)) == 44 and notices == [line]  # once per workbook
    done = run("batch", book, "--out", tmp_path / "out", "--ruleset", "bayou")
    assert done.exit_code == 0 and f"提示：{line}" in done.output
    assert f"<li>{line}</li>" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    sheet = openpyxl.load_workbook(tmp_path / "out" / "summary.xlsx")["读取说明"]
    assert list(sheet.iter_rows(values_only=True))[2:] == [tuple(line.split("：", 1))]


def test_columns_of_standards_not_in_the_run_are_not_noise(tmp_path: Path) -> None:
    done = run("assess", COUNTY, "--union", "QS-016", "--ruleset", "bayou")
    assert done.exit_code == 0 and "提示" not in done.output and "青山镇鑫源食品厂工会" in done.output


# --- cells as Excel shows them ---------------------------------------------------------------------

def test_a_formula_without_a_computed_result_fails_its_union_only(tmp_path: Path) -> None:
    """openpyxl (or any program) writes formulas without results: reading them as blank turned 模范 into 先进."""
    def formula(book: Any) -> None:
        sheet = book["城关街道"]
        row = next(cell.row for cell in sheet["A"] if cell.value == "QS-001")
        sheet.cell(row, column_of(sheet, "职工人数"), "=670+10")
    units, _ = read(county_copy(tmp_path, formula))
    failed = [unit for unit in units if unit.problems]
    assert len(failed) == 1 and len(by_id(units)) == 43
    assert failed[0].problems[0].message.endswith("“职工人数”列：单元格是公式 “=670+10”，但工作簿里没有保存它的计算结果："
                                                  "请用 Excel 或 WPS 打开这个工作簿、保存后再评估（或把公式改为数值）")


def test_a_formula_with_a_computed_result_reads_the_result(tmp_path: Path) -> None:
    path = tmp_path / "计算.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, ["编号", "类型", "职工人数", "会员人数"])
    sheet.write_row(1, 0, ["QS-1", "企业"])
    sheet.write_formula(1, 2, "=670+10", None, 680)
    sheet.write_formula(1, 3, "=C2-8", None, 672)
    book.close()
    [unit], _ = read(path)
    assert unit.facts.facts == {"employees": 680, "members": 672}


def test_a_formula_whose_result_is_empty_text_is_blank(tmp_path: Path) -> None:
    """Excel marks an empty text result t="str"; an empty value without it is a result never computed."""
    cells = '<c r="C2" t="str"><f>""</f><v></v></c><c r="D2"><f>C2</f><v></v></c>'
    [unit], _ = read(raw_workbook(tmp_path, header_row("编号", "类型", "职工人数", "会员人数") + f'<row r="2">{texts(2, "QS-1", "企业")}{cells}</row>'))
    assert [p.message.split("：")[-2] for p in unit.problems] == ["单元格是公式 “=C2”，但工作簿里没有保存它的计算结果"]


def hide_old_year(book: Any) -> None:
    old = book.copy_worksheet(book["青山镇"])
    old.title = "2024年"
    old.sheet_state = "hidden"
    for row in range(2, old.max_row + 1):
        old.cell(row, 1, f"OLD-{row}")


def test_hidden_sheets_are_skipped_unless_asked_for(tmp_path: Path) -> None:
    """An old year's data on a hidden sheet added its unions to the county."""
    book = county_copy(tmp_path, hide_old_year)
    units, notices = read(book)
    assert len(by_id(units)) == 44 and notices == [f"{book} 工作表“2024年”：已跳过隐藏的工作表（需要读取请加 --include-hidden）"]
    units, notices = read(book, include_hidden=True)
    old = openpyxl.load_workbook(COUNTY)["青山镇"].max_row - 1
    assert len(by_id(units)) == 44 + old and notices == []
    units, _ = read(book, sheet="2024年")
    assert len(by_id(units)) == old and all(key.startswith("OLD-") for key in by_id(units))


def test_hidden_rows_and_columns_are_skipped_and_named(tmp_path: Path) -> None:
    def hide(book: Any) -> None:
        sheet = book["城关街道"]
        sheet.row_dimensions[3].hidden = True
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column_of(sheet, "女会员人数"))].hidden = True
    book = county_copy(tmp_path, hide)
    units, notices = read(book, sheet="城关街道")
    hidden_id = openpyxl.load_workbook(COUNTY)["城关街道"].cell(3, 1).value
    assert hidden_id not in by_id(units) and all("female_members" not in u.facts.facts for u in by_id(units).values())
    assert notices == [f"{book} 工作表“城关街道”：已跳过隐藏的第 3 行（共 1 行）（需要读取请加 --include-hidden）",
                       f"{book} 工作表“城关街道”：已跳过隐藏的列 I（“女会员人数”）（需要读取请加 --include-hidden）"]
    units, notices = read(book, sheet="城关街道", include_hidden=True)
    assert hidden_id in by_id(units) and notices == []


def test_counts_with_any_measure_word(tmp_path: Path) -> None:
    def words(book: Any) -> None:
        sheet = book["青山镇"]
        for header, text in (("职工人数", "50家"), ("会员人数", "48 个"), ("本年度发生重大劳动安全责任事故", "1起"),
                             ("本年度送温暖走访慰问", "12人次")):
            sheet.cell(2, column_of(sheet, header), text)
    units, _ = read(county_copy(tmp_path, words), sheet="青山镇")
    facts = units[0].facts.facts
    assert (facts["employees"], facts["members"], facts["incidents.major_safety"], facts["warmth.visits"]) == (50, 48, 1, 12)


def test_an_over_long_cell_is_refused(tmp_path: Path) -> None:
    row = f'<row r="2">{texts(2, "QS-1", "企业", "工" * 40_000)}</row>'
    [unit], _ = read(raw_workbook(tmp_path, header_row("编号", "类型", "名称") + row))
    assert unit.problems[0].message.endswith("内容有 40000 个字符，超过 Excel 单元格 32767 个字符的上限")


def raw_workbook(tmp_path: Path, rows: str) -> Path:
    """A workbook whose one sheet holds exactly these rows of sheet XML (what no writer library would write)."""
    path = tmp_path / "raw.xlsx"
    openpyxl.Workbook().save(path)
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<sheetData></sheetData>", f"<sheetData>{rows}</sheetData>".encode())
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def texts(row: int, *values: str) -> str:
    return "".join(f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{value}</t></is></c>' for i, value in enumerate(values))


def header_row(*headers: str) -> str:
    return f'<row r="1">{texts(1, *headers)}</row>'


# --- bounded workbooks -----------------------------------------------------------------------------

def test_a_sheet_past_excels_row_limit_is_refused(tmp_path: Path) -> None:
    rows = header_row("编号", "类型") + '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>X</t></is></c></row>'
    [unit], _ = read(raw_workbook(tmp_path, rows))
    assert unit.problems[0].message == "无法读取工作簿：第 1048577 行超过 Excel 的 1048576 行上限，工作簿可能已损坏"


def test_a_text_cell_numbering_a_missing_shared_string_fails_its_workbook_only(tmp_path: Path) -> None:
    """openpyxl's parser raised IndexError: an internal error that stopped the whole batch."""
    rows = header_row("编号", "类型") + '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'
    [unit], _ = read(raw_workbook(tmp_path, rows))
    assert unit.problems[0].message == ("无法读取工作簿：单元格 A2 引用了工作簿中不存在的文本，工作簿已损坏；"
                                        "请在 Excel 或 WPS 中打开后另存为 .xlsx，或另存为 CSV 后再评估")
    result = run("batch", raw_workbook(tmp_path, rows), REPO / "facts" / "qingshan" / "QS-016.yaml", "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "已评估 1 个工会，失败 1 个" in result.output


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 3 MB file whose shared strings inflate to 3 GB took 6 GB of memory; sizes are checked first
    (the limit is lowered here so the test stays small: bench/hostile_workbook.py measures the real one)."""
    monkeypatch.setattr(workbook_module, "MAX_SHARED_STRINGS", 2**20)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(COUNTY) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item))
        target.writestr("xl/sharedStrings.xml", b'<sst><si><t>' + b"x" * 2 * 2**20 + b"</t></si></sst>")
    assert path.stat().st_size < 200_000
    [unit], _ = read(path)
    assert unit.problems[0].message.startswith("无法读取工作簿：工作簿解压后有 ")
    assert "请拆分工作簿，或另存为 CSV 后再评估" in unit.problems[0].message


# --- CSV -------------------------------------------------------------------------------------------

def test_a_csv_record_too_long_to_parse_costs_its_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("编号,类型,名称\nQS-1,企业,a\nQS-2,企业," + "x" * 200_000 + "\nQS-3,企业,c\n", encoding="utf-8")
    units, _ = read(path)
    assert list(by_id(units)) == ["QS-1", "QS-3"]
    [bad] = [unit for unit in units if unit.problems]
    assert bad.problems[0].mark.line == 3 and "无法按 CSV 格式解析：有一个单元格超过 131072 个字符" in bad.problems[0].message
    assert "field limit" not in bad.problems[0].message  # the csv module's English, once shown as it was


# --- YAML fact files read as spreadsheets are ------------------------------------------------------

def test_a_yaml_fact_file_takes_the_same_human_forms(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("union: {id: QS-9, name: 某工会, type: 企业}\nperiod: 2025年\nfacts:\n  employees: 42人\n"
                    "  members: 40 名\n  venue.area: 20 平方米\n  library.exists: 是\n  survey.satisfaction: 95%\n"
                    "  meetings.by_quarter: 1、0、2、1\n  committee.last_election: 2023年5月12日\n", encoding="utf-8")
    done = run("assess", path, "--format", "json", "--ruleset", "bayou")
    assert done.exit_code == 0, done.output
    facts = load_fact_file(path)
    assert facts.union["type"] == "enterprise" and facts.period == 2025


# --- the township path -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def filled_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The blank form of `template --format xlsx`, filled in for QS-016 by hand as a chair would."""
    folder = tmp_path_factory.mktemp("form")
    form = folder / "自查表.xlsx"
    assert run("template", "--format", "xlsx", "--out", form).exit_code == 0
    facts = load_fact_file(REPO / "facts/qingshan/QS-016.yaml")
    book = openpyxl.load_workbook(form)
    sheet = book["填报"]
    union = {"编号": "QS-016", "名称": facts.union["name"], "类型": "企业", "县": "青山县", "乡镇（街道）": "青山镇", "年度": "2025年"}
    labels = {decl.label: name for name, decl in bundled_declarations().items()}
    for cell in sheet[1]:
        header = str(cell.value)
        name = labels.get(header.rsplit("（", 1)[0]) or labels.get(header)
        value = union.get(header) if name is None else facts.facts.get(name)
        sheet.cell(2, cell.column, spoken(value))
    book.save(form)
    return form


def spoken(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


def test_a_filled_form_gets_its_score_plan_and_workplan(filled_form: Path, tmp_path: Path) -> None:
    """The union that filled the form gets what a fact file gets, without --union (one union in the book)."""
    from_yaml = run("assess", REPO / "facts/qingshan/QS-016.yaml", "--ruleset", "zhijia", "--format", "json").output
    assert run("assess", filled_form, "--ruleset", "zhijia", "--format", "json").output == from_yaml
    word = tmp_path / "方案.docx"
    done = run("plan", filled_form, "--ruleset", "zhijia", "--format", "docx", "--deadline", "2026-06-30", "--out", word)
    assert done.exit_code == 0 and word.stat().st_size > 0
    assert run("checklist", filled_form, "--ruleset", "zhijia").exit_code == 0
    assert "会员入会率" in run("explain", filled_form, "zuzhi.membership", "--ruleset", "zhijia").output


def test_a_county_workbook_needs_the_union_id(tmp_path: Path) -> None:
    many = run("assess", COUNTY)
    assert many.exit_code == 2 and "中有 44 个工会，请用 --union 指定编号：QS-001、" in many.output
    one = run("plan", COUNTY, "--union", "QS-016", "--ruleset", "zhijia")
    assert one.exit_code == 0 and one.output.startswith("工会：青山镇鑫源食品厂工会（QS-016）")
    missing = run("assess", COUNTY, "--union", "QS-999")
    assert missing.exit_code == 2 and "没有编号为 “QS-999” 的工会" in missing.output


@pytest.mark.parametrize("block", [1 << 20, 7])  # 7: every <mergeCell> tag cut by a block's end
def test_merged_cells_read_as_excel_shows_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    """乡镇 merged down a township's unions: only the top cell holds the text, and 11 unions fell to （未填乡镇）."""
    monkeypatch.setattr(workbook_module, "BLOCK", block)
    def merged(book: Any) -> None:
        sheet = book["城关街道"]
        column = column_of(sheet, "乡镇（街道）")
        for row in range(3, sheet.max_row + 1):
            sheet.cell(row, column).value = None
        letter = openpyxl.utils.get_column_letter(column)
        sheet.merge_cells(f"{letter}2:{letter}{sheet.max_row}")

    units, notices = read(county_copy(tmp_path, merged))
    townships = {unit.facts.union["id"]: unit.facts.union.get("township") for unit in units if unit.facts}
    assert townships == {unit.facts.union["id"]: unit.facts.union.get("township") for unit in read(COUNTY)[0] if unit.facts}
    assert any("合并单元格 E2:E13 按 Excel 显示的内容读取" in notice for notice in notices)


def test_a_figure_merged_down_into_the_next_union_s_row_is_told(tmp_path: Path) -> None:
    """职工人数 of one union merged with the next union's cell: Excel shows the figure over both rows, and the second
    union is read with it. Two rows of text (a two-row header's titles) are not told; two rows of a figure are."""
    def merged(book: Any) -> None:
        sheet = book["城关街道"]
        column = column_of(sheet, "职工人数")
        sheet.cell(3, column).value = None
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)

    _, notices = read(county_copy(tmp_path, merged))
    assert any("合并单元格 G2:G3 按 Excel 显示的内容读取" in notice for notice in notices)
    assert workbook_module.copies(1, 2, 680) and not workbook_module.copies(1, 2, "编号") and workbook_module.copies(2, 4, "城关街道")


def test_a_merged_range_does_not_fill_a_hidden_column() -> None:
    """Hidden columns stay unread (as their own cells are), even under a range merged across them."""
    filled = workbook_module.Filler([(1, 2, 3, 4)])  # A2:C4
    assert filled(2, ["是", None, None], {2}) == ["是", None, Spanned("是", "A2:C4")]
    assert filled(3, [None, None], {2}) == ["是", None, Spanned("是", "A2:C4")]
    assert filled(5, [None, None, None], set()) == [None, None, None] and filled.used == ["A2:C4"]


def test_a_value_merged_across_two_facts_columns_fails_its_union_only(tmp_path: Path) -> None:
    """职工人数 and 会员人数 merged in one union's row: Excel shows one figure over both columns, which read it
    as both counts (members 680, the employees' figure). The first column keeps it; the others cannot."""
    def merged(book: Any) -> None:
        sheet = book["城关街道"]
        left = column_of(sheet, "职工人数")
        sheet.cell(2, left + 1).value = None
        sheet.merge_cells(start_row=2, start_column=left, end_row=2, end_column=left + 1)

    units, _ = read(county_copy(tmp_path, merged))
    failed = [unit for unit in units if unit.problems]
    assert len(failed) == 1 and len(units) == 44
    assert failed[0].problems[0].message == ("工作表“城关街道”第 2 行“会员人数”列：单元格在横跨多列的合并单元格 G2:H2 中，"
                                             "其中的“680”只能属于其中一列：请取消合并，在各列分别填写")
