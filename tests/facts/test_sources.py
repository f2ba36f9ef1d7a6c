"""Batch sources: folders, fact files, CSV and XLSX read into units, in order, lazily, one bad union at a time."""
from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import pickle
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from engine import load_fact_file, resolve_rulesets
from engine.diagnostics import InvalidInput, Mark
from engine.facts import sources as sources_module
from engine.facts.fact_file import typed_facts
from engine.facts.sources import Reading, Unit, read_union, read_units
from engine.language.model import FactDecl

REPO = Path(__file__).resolve().parents[2]
HERE = Mark("test")
DECLS = {decl.name: decl for decl in (
    FactDecl("employees", "integer", "职工人数", HERE, unit="人", min=0),
    FactDecl("members", "integer", "会员人数", HERE, unit="人", min=0),
    FactDecl("committee.elected", "boolean", "工会委员会经会员（代表）大会选举产生", HERE),
    FactDecl("committee.last_election", "date", "上次换届选举日期", HERE),
    FactDecl("survey.satisfaction", "number", "职工对工会工作满意率（测评）", HERE, unit="%", min=0, max=1),
    FactDecl("meetings.by_quarter", "list", "各季度工会委员会会议次数", HERE, unit="次", items="integer"),
)}
HEADER = ["编号", "名称", "类型", "乡镇（街道）", "年度", "职工人数", "会员人数"]


def rows(*unions: tuple) -> list[list[Any]]:
    """A header and one row per (id, type, employees, members)."""
    return [HEADER] + [[uid, f"{uid}工会", kind, "青山镇", 2025, employees, members] for uid, kind, employees, members in unions]


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, content in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in content:
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, content: list[list[Any]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(content)
    return path


def read(*paths: Path | str, sheet: str | None = None, decls: dict = DECLS) -> tuple[list[Unit], list[str]]:
    warnings: list[str] = []
    return list(read_units(list(paths), decls, sheet, warnings.append)), warnings


def ids(units: list[Unit]) -> list[str]:
    return [unit.facts.union["id"] for unit in units]


def test_a_spreadsheet_row_becomes_a_fact_file(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "县.xlsx", {"青山镇": rows(("QS-1", "企业", "1,200", "1,100人"))})
    [unit], warnings = read(book)
    assert warnings == [] and unit.problems == () and unit.path is None
    assert unit.origin == f"{book} 工作表“青山镇” 第 2 行"
    facts = unit.facts
    assert facts.union == {"id": "QS-1", "name": "QS-1工会", "type": "enterprise", "township": "青山镇"}
    assert (facts.period, facts.facts) == (2025, {"employees": 1200, "members": 1100})
    assert facts.mark("members") == Mark(str(book), 2, 7) and facts.header_mark == Mark(str(book), 2, 1)


def test_headers_by_path_or_label_tolerate_spaces_brackets_and_units(tmp_path: Path) -> None:
    header = ["id", " 类型 ", "period", "employees", "会员人数（人）", "工会委员会经会员(代表)大会选举产生",
              "上次换届选举日期 ", "满意率（测评）", "职工对工会工作满意率（测评）(%)", "meetings.by_quarter"]
    content = [header, ["QS-1", "村（社区）", "2025年", 30, 28, "是", "2023年5月12日", "x", "95", "1、0、2、1"]]
    [unit], warnings = read(write_csv(tmp_path / "a.csv", content))
    assert unit.facts.union == {"id": "QS-1", "type": "village"} and unit.facts.period == 2025
    assert unit.facts.facts == {"employees": 30, "members": 28, "committee.elected": True, "committee.last_election": dt.date(2023, 5, 12),
                                "survey.satisfaction": Decimal("0.95"), "meetings.by_quarter": [1, 0, 2, 1]}
    assert warnings == [f"{tmp_path / 'a.csv'}：忽略无法识别的列 “满意率（测评）”"]


@pytest.mark.parametrize("header", [["编号", "类型"], ["工会编号", "工会类型"], ["ID", "Type"], ["union.id", "union.type"]])
def test_union_header_words(tmp_path: Path, header: list[str]) -> None:
    [unit], _ = read(write_csv(tmp_path / "a.csv", [header, ["QS-1", "联合工会"]]))
    assert unit.facts.union == {"id": "QS-1", "type": "joint"}


@pytest.mark.parametrize("word", ["乡镇", "街道", "乡镇（街道）", "乡镇(街道)", "township"])
def test_township_header_words(tmp_path: Path, word: str) -> None:
    [unit], _ = read(write_csv(tmp_path / "a.csv", [["编号", "类型", "县", word], ["QS-1", "机关", "青山县", "河口镇"]]))
    assert unit.facts.union == {"id": "QS-1", "type": "government", "county": "青山县", "township": "河口镇"}


def test_a_label_shared_by_two_facts_is_not_guessed(tmp_path: Path) -> None:
    decls = {**DECLS, "staff": FactDecl("staff", "integer", "职工人数", HERE)}
    [unit], warnings = read(write_csv(tmp_path / "a.csv", [["编号", "类型", "职工人数", "staff"], ["QS-1", "企业", 5, 6]]), decls=decls)
    assert unit.facts.facts == {"staff": 6}
    assert warnings == [f"{tmp_path / 'a.csv'}：忽略对应多个事实的列（请改用字段路径作表头） “职工人数”"]


def test_one_bad_row_does_not_stop_the_others(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "qingshan.xlsx", {
        "Sheet1": rows(("QS-1", "企业", 10, 9), ("QS-2", "企业", 20, "二百三十"), ("QS-3", "机关", 30, 30)),
    })
    units, _ = read(book)
    assert [bool(unit.problems) for unit in units] == [False, True, False]
    assert ids([units[0], units[2]]) == ["QS-1", "QS-3"]
    [problem] = units[1].problems
    assert (problem.mark, problem.code) == (Mark(str(book), 3, 7), "cell-value")
    assert problem.message == "工作表“Sheet1”第 3 行“会员人数”列：无法识别 “二百三十”，应为不小于 0 的整数"
    assert units[1].origin == f"{book} 工作表“Sheet1” 第 3 行" and units[1].facts is None
    assert [unit.union_id for unit in units] == ["QS-1", "QS-2", "QS-3"]  # a failed row still names its union


def test_every_bad_cell_of_a_row_is_reported(tmp_path: Path) -> None:
    content = [HEADER + ["上次换届选举日期"], ["QS-1", "名", "合作社", "镇", "今年", "many", "1.5", "2023-02-30"]]
    [unit], _ = read(write_csv(tmp_path / "a.csv", content))
    assert [(p.mark.column, p.message) for p in unit.problems] == [
        (3, ("第 2 行“类型”列：无法识别工会类型 “合作社”，应为以下之一：企业（enterprise）、机关（government）、事业单位（institution）、"
             "村（社区）（village）、联合工会（joint）、工会小组（group）")),
        (5, "第 2 行“年度”列：无法识别 “今年”，应为年度（如 2025）"),
        (6, "第 2 行“职工人数”列：无法识别 “many”，应为不小于 0 的整数"),
        (7, "第 2 行“会员人数”列：“1.5” 不是整数，应为不小于 0 的整数"),
        (8, "第 2 行“上次换届选举日期”列：“2023-02-30” 不是有效的日期，应为日期（如 2023-05-12）"),
    ]


def test_a_cell_repeated_down_a_column_is_reported_on_every_row(tmp_path: Path) -> None:
    """Each distinct cell of a column is read once (read_once); what it could not read is still each row's own problem."""
    content = [HEADER, ["QS-1", "甲", "企业", "镇", 2025, 10, "九"], ["QS-2", "乙", "企业", "镇", 2025, 10, 9],
               ["QS-3", "丙", "企业", "镇", 2025, 10, "九"]]
    units, _ = read(write_csv(tmp_path / "a.csv", content))
    assert [[(p.mark.line, p.mark.column, p.message) for p in unit.problems] for unit in units] == [
        [(2, 7, "第 2 行“会员人数”列：无法识别 “九”，应为不小于 0 的整数")], [],
        [(4, 7, "第 4 行“会员人数”列：无法识别 “九”，应为不小于 0 的整数")]]
    assert units[1].facts.facts == {"employees": 10, "members": 9}


def test_rows_with_the_same_list_cell_do_not_share_the_list(tmp_path: Path) -> None:
    content = [["编号", "类型", "年度", "meetings.by_quarter"], ["QS-1", "企业", 2025, "1、0、2、1"], ["QS-2", "企业", 2025, "1、0、2、1"]]
    first, second = read(write_csv(tmp_path / "a.csv", content))[0]
    first.facts.facts["meetings.by_quarter"].append(5)
    assert second.facts.facts["meetings.by_quarter"] == [1, 0, 2, 1]


def test_a_number_past_ten_to_the_fifteenth_is_refused_as_in_a_fact_file(tmp_path: Path) -> None:
    [unit], _ = read(write_csv(tmp_path / "a.csv", [HEADER, ["QS-1", "甲", "企业", "镇", 2025, "99999999999999999999999", 1]]))
    [problem] = unit.problems
    assert problem.message == ("第 2 行“职工人数”列：“99999999999999999999999” 超出范围：绝对值不能大于 10 的 15 次方，"
                               "应为不小于 0 的整数")


def test_a_row_without_id_or_type_is_a_problem(tmp_path: Path) -> None:
    [unit], _ = read(write_csv(tmp_path / "a.csv", [HEADER, ["", "无名工会", "—", "镇", 2025, 1, 1]]))
    assert [(p.code, p.mark.column, p.message) for p in unit.problems] == [
        ("fact-union", 1, "第 2 行“编号”列：缺少编号"), ("fact-union", 3, "第 2 行“类型”列：缺少类型")]


@pytest.mark.parametrize("header, missing", [
    (["名称", "类型", "会员人数"], "缺少“编号”列"),
    (["编号", "名称", "会员人数"], "缺少“类型”列"),
    (["编号", "类型", "会员人数", "members"], "C 列“会员人数”、D 列“members” 重复（都对应 members），请删去多余的一列"),
])
def test_a_sheet_without_id_or_type_columns_is_one_problem(tmp_path: Path, header: list[str], missing: str) -> None:
    book = write_xlsx(tmp_path / "a.xlsx", {"乡镇A": [header, ["QS-1", "企业", 5, 6], ["QS-2", "企业", 5, 6]],
                                             "乡镇B": rows(("QS-3", "企业", 5, 5))})
    units, _ = read(book)
    assert len(units) == 2 and ids(units[1:]) == ["QS-3"]
    [problem] = units[0].problems
    assert (units[0].origin, problem.code, problem.mark) == (f"{book} 工作表“乡镇A”", "source-header", Mark(str(book), 1, 1))
    assert problem.message == f"工作表“乡镇A”第 1 行（表头）{missing}"


def test_unknown_columns_are_warned_once_per_source(tmp_path: Path) -> None:
    header = HEADER + ["备注", "联系人"]
    book = write_xlsx(tmp_path / "a.xlsx", {"A": [header, ["QS-1", "x", "企业", "镇", 2025, 1, 1, "无", "张三"]],
                                             "B": [header + ["电话"], ["QS-2", "x", "企业", "镇", 2025, 1, 1, "", "", ""]]})
    units, warnings = read(book)
    assert ids(units) == ["QS-1", "QS-2"]
    assert warnings == [f"{book} 工作表“A”：忽略无法识别的列 “备注”、“联系人”", f"{book} 工作表“B”：忽略无法识别的列 “电话”"]


def test_a_csv_record_past_its_header_is_refused_and_blank_cells_there_are_not(tmp_path: Path) -> None:
    """A comma in 1,200 makes two cells of one and moves every cell after it: none can be trusted."""
    content = rows(("QS-1", "企业", 1, 1)) + [["QS-2", "x", "企业", "镇", 2025, 1, 200, 1], ["QS-3", "x", "企业", "镇", 2025, 3, 3, "", " ", "—"],
                                              ["QS-4", "x", "企业", "镇", 2025, 4, 4, "", "", "备注：已整改", "又一格"]]
    path = write_csv(tmp_path / "a.csv", content)
    units, warnings = read(path)
    assert warnings == [] and [unit.union_id for unit in units] == ["QS-1", "QS-2", "QS-3", "QS-4"]
    assert [unit.problems == () for unit in units] == [True, False, True, False]
    [shifted], [noted] = units[1].problems, units[3].problems
    assert shifted.code == "source-misaligned" and shifted.mark == Mark(str(path), 3, 8)
    assert shifted.message == ("第 3 行：表头只有 7 列，这一行的第 8 个单元格“1”不在任何表头之下。这一行可能错了位（例如数字中的逗号把“1,200”"
                               "分成了两个单元格），未计入；请检查这一行，若是表头少写了一列，请补上表头")
    assert noted.mark == Mark(str(path), 5, 10) and "第 10 个单元格“备注：已整改”等 2 个单元格不在任何表头之下" in noted.message


def test_a_csv_header_short_of_a_column_refuses_the_table_as_one_problem(tmp_path: Path) -> None:
    """A header cell deleted moves every later column under the wrong fact in every row, blank last cells or not:
    most unions under the header run past it, so the table is one problem and no row of it is graded."""
    header = [cell for cell in HEADER if cell != "乡镇（街道）"]
    unions = [[f"QS-{n}", "x", "企业", "镇", 2025, 10, None if n == 2 else n] for n in range(1, 5)]
    content = [header, *unions, ["合计", None, None, None, None, 40, 8]]
    path = write_csv(tmp_path / "a.csv", content)
    [unit], warnings = read(path)
    assert warnings == [] and unit.origin == str(path) and unit.facts is None
    [problem] = unit.problems
    assert (problem.code, problem.mark) == ("source-header", Mark(str(path), 1, 1))
    assert problem.message == ("第 1 行（表头）只有 6 列，而其下的前 4 个工会中有 3 个在第 6 列之后还有内容：表头很可能少写了一列，"
                               "从那一列起各列的内容都对错了表头，整张表未评估；请补上缺少的表头后重新评估")
    book = write_xlsx(tmp_path / "a.xlsx", {"S": content})  # a cell right of a sheet's header is in a column of its own
    units, warnings = read(book)
    assert [u.union_id for u in units] == [f"QS-{n}" for n in range(1, 5)] and "source-header" not in {p.code for u in units for p in u.problems}
    assert warnings[-1].startswith(f"{book} 工作表“S”：G 列没有表头，其中的内容未读取（第 2、4、5、6 行，共 4 行）")


def test_rows_past_the_header_after_its_first_twenty_unions_are_refused_one_by_one(tmp_path: Path) -> None:
    """The first unions under the header say whether it lacks a column; a comma in a few of them does not."""
    content = rows(*((f"QS-{n}", "企业", n, n) for n in range(1, 21)), ("QS-21", "企业", 1, 1))
    content[1] += ["多余"]
    content += [[f"QS-{n}", "x", "企业", "镇", 2025, 1, 200, 1] for n in range(22, 45)]
    units, _ = read(write_csv(tmp_path / "a.csv", content))
    assert len(units) == 44 and [unit.union_id for unit in units if unit.problems] == ["QS-1", *(f"QS-{n}" for n in range(22, 45))]
    assert {problem.code for unit in units for problem in unit.problems} == {"source-misaligned"}


def test_a_column_without_a_header_is_told_with_its_rows(tmp_path: Path) -> None:
    header = HEADER[:5] + [None] + HEADER[6:]
    content = [header] + [[f"QS-{n}", "x", "企业", "镇", 2025, n if n % 2 else None, n] for n in range(1, 24)]
    path = write_csv(tmp_path / "a.csv", content)
    units, warnings = read(path)
    assert len(units) == 23 and all(unit.problems == () and "employees" not in unit.facts.facts for unit in units)
    assert warnings == [f"{path}：F 列没有表头，其中的内容未读取（第 2、4、6、8、10、12、14、16、18、20 行等，共 12 行）；如是考核数据，请补上表头"]


def test_cells_right_of_a_workbook_header_are_a_column_without_a_header(tmp_path: Path) -> None:
    """In a workbook a cell right of the header is in a column of its own, not a moved cell: the row is read."""
    content = rows(("QS-1", "企业", 1, 1), ("QS-2", "企业", 2, 2))
    content[2] += [None, "补充说明"]
    book = write_xlsx(tmp_path / "a.xlsx", {"S": content})
    units, warnings = read(book)
    assert [unit.problems for unit in units] == [(), ()] and ids(units) == ["QS-1", "QS-2"]
    assert warnings == [f"{book} 工作表“S”：I 列没有表头，其中的内容未读取（第 3 行，共 1 行）；如是考核数据，请补上表头"]


def test_empty_sheets_are_skipped_and_sheets_without_known_columns_warned(tmp_path: Path) -> None:
    notes = [[f"第 {n} 条说明"] for n in range(12)] + [HEADER, ["QS-0", "x", "企业", "镇", 2025, 1, 1]]
    book = write_xlsx(tmp_path / "a.xlsx", {"说明": notes, "Sheet2": [], "青山镇": rows(("QS-1", "企业", 1, 1)),
                                             "填表说明": notes})  # the template's own instructions: skipped without a word
    units, warnings = read(book)
    assert ids(units) == ["QS-1"]
    assert warnings == [f"{book} 工作表“说明”：前 10 个非空行中没有可识别的表头（编号、类型或事实名称），已跳过"]


def test_a_source_whose_header_is_not_found_is_a_problem_not_a_notice(tmp_path: Path) -> None:
    """Its unions were not read: that is a failure, whether a CSV or a workbook none of whose sheets has a header
    (each sheet still told as skipped). A workbook with a union on another sheet is as before (above)."""
    notes = [[f"第 {n} 条说明"] for n in range(12)] + [HEADER, ["QS-0", "x", "企业", "镇", 2025, 1, 1]]
    table, book = write_csv(tmp_path / "a.csv", notes), write_xlsx(tmp_path / "a.xlsx", {"说明": notes, "Sheet2": []})
    units, warnings = read(table, book)
    assert [[(p.code, p.mark, p.message) for p in unit.problems] for unit in units] == [
        [("source-header", Mark(str(path)), f"没有读到任何工会：{where}的前 10 个非空行中未找到表头（含“编号”“类型”或事实名称的一行），"
          "整个文件未评估；请把表头放在前 10 个非空行内（删去表头上面多余的标题、说明行），并确认这是考核数据表")]
        for path, where in ((table, "文件"), (book, "工作表“说明”"))]
    assert warnings == [f"{book} 工作表“说明”：前 10 个非空行中没有可识别的表头（编号、类型或事实名称），已跳过"]


def test_title_rows_above_the_header_are_passed_over(tmp_path: Path) -> None:
    content = [["青山县2025年基层工会考核数据"], ["填报单位：青山县总工会", None, "2026年1月"], [], *rows(("QS-1", "企业", 1, 1))]
    book = write_xlsx(tmp_path / "a.xlsx", {"S": content})
    [unit], warnings = read(book)
    assert warnings == [] and unit.origin == f"{book} 工作表“S” 第 5 行"


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "a.xlsx", {"S": [[None], [], HEADER, ["QS-1", "a", "企业", "镇", 2025, 1, 1], [None, "  ", None],
                                                  [], ["QS-2", "b", "企业", "镇", 2025, 2, 2], ["—", "", None, "-"]]})
    units, _ = read(book)
    assert ids(units) == ["QS-1", "QS-2"]
    assert [unit.origin for unit in units] == [f"{book} 工作表“S” 第 4 行", f"{book} 工作表“S” 第 7 行"]
    assert units[1].facts.mark("members") == Mark(str(book), 7, 7)


def test_sheet_selection(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "a.xlsx", {"青山镇": rows(("QS-1", "企业", 1, 1)), "河口镇": rows(("QS-2", "企业", 1, 1))})
    assert ids(read(book)[0]) == ["QS-1", "QS-2"]
    assert ids(read(book, sheet="河口镇")[0]) == ["QS-2"]
    assert ids(read(book, sheet=" 河口镇 ")[0]) == ["QS-2"]
    [unit], _ = read(book, sheet="柳林乡")
    assert [(p.code, p.message) for p in unit.problems] == [("source-sheet", f"工作簿 “{book}” 中没有工作表 “柳林乡”（现有：“青山镇”、“河口镇”）")]


def test_excel_cells_of_every_kind(tmp_path: Path) -> None:
    header = ["编号", "类型", "committee.elected", "committee.last_election", "survey.satisfaction", "meetings.by_quarter"]
    book = write_xlsx(tmp_path / "a.xlsx", {"S": [header, ["QS-1", "企业", True, dt.datetime(2023, 5, 12), 0.95, "1,0,2,1"],
                                                  ["QS-2", "企业", "×", 45058, 95, 3]]})
    units, _ = read(book)
    assert [u.facts.facts for u in units] == [
        {"committee.elected": True, "committee.last_election": dt.date(2023, 5, 12), "survey.satisfaction": Decimal("0.95"), "meetings.by_quarter": [1, 0, 2, 1]},
        {"committee.elected": False, "committee.last_election": dt.date(2023, 5, 12), "survey.satisfaction": Decimal("0.95"), "meetings.by_quarter": [3]},
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    content = rows(("QS-1", "事业单位", "1,200", "1,150人"), ("QS-2", "村（社区）", 30, 28))
    units, warnings = read(write_csv(tmp_path / "a.csv", content, encoding, delimiter))
    assert warnings == [] and [u.problems for u in units] == [(), ()]
    assert [(u.facts.union["name"], u.facts.union["type"], u.facts.facts) for u in units] == [
        ("QS-1工会", "institution", {"employees": 1200, "members": 1150}), ("QS-2工会", "village", {"employees": 30, "members": 28})]
    assert units[0].origin == f"{tmp_path / 'a.csv'} 第 2 行"


def test_gb18030_found_after_ascii_lines(tmp_path: Path) -> None:
    """The encoding is decided line by line, so a GB18030 file whose first lines are ASCII still reads."""
    content = [["id", "type", "name"], ["QS-1", "enterprise", "A"], ["QS-2", "企业", "永兴纺织工会"]]
    units, _ = read(write_csv(tmp_path / "a.csv", content, "gb18030"))
    assert [u.facts.union for u in units] == [{"id": "QS-1", "type": "enterprise", "name": "A"},
                                              {"id": "QS-2", "type": "enterprise", "name": "永兴纺织工会"}]


def test_an_undecodable_csv_line_costs_only_its_row(tmp_path: Path) -> None:
    """One stray byte in a UTF-8 file: that row is reported, the rows after it are read as UTF-8."""
    path = tmp_path / "a.csv"
    path.write_bytes("编号,类型\nQS-1,企业\n".encode() + b"QS-2,\xff\xff\xff\n" + "QS-3,机关\n".encode())
    units, _ = read(path, tmp_path / "missing.csv")
    assert ids([units[0], units[2]]) == ["QS-1", "QS-3"] and units[2].facts.union["type"] == "government"
    assert [(p.code, p.mark.line, p.message) for p in units[1].problems] == [
        ("source-unreadable", 3, "第 3 行：含有无法识别的字符（既不是 UTF-8 也不是 GB18030 编码），已跳过这一行；请检查后另存为“CSV UTF-8”")]
    assert units[3].problems[0].code == "source-unknown"


@pytest.mark.parametrize("first", [b"QS-1,\xff\xfe\n", ("QS-1," + "\u4e00" * 140_000 + "\n").encode()])
def test_an_unreadable_first_row_is_reported_as_a_row_lower_down_is(tmp_path: Path, first: bytes) -> None:
    """The row under the header is read to see whether it is a second header row: when it cannot be read (a byte
    that is not text, a cell past the csv module's 131,072 characters) it is the first union's, not dropped."""
    path = tmp_path / "a.csv"
    path.write_bytes("编号,类型\n".encode() + first + "QS-2,企业\n".encode() + first.replace(b"QS-1", b"QS-3"))
    units, _ = read(path)
    assert [unit.union_id for unit in units if unit.problems == ()] == ["QS-2"]
    assert [[(p.code, p.mark, p.message.partition("：")[0]) for p in unit.problems] for unit in units if unit.problems] == [
        [("source-unreadable", Mark(str(path), 2, 1), "第 2 行")], [("source-unreadable", Mark(str(path), 4, 1), "第 4 行")]]
    assert units[0].problems[0].message.partition("：")[2] == units[2].problems[0].message.partition("：")[2]


def test_a_gb18030_csv_is_read_whole_and_a_bad_line_in_it_costs_its_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("编号,类型,名称\nQS-1,企业,青山\n".encode("gb18030") + b"QS-2,\x81\n" + "QS-3,机关,河口\n".encode("gb18030"))
    units, _ = read(path)
    assert [u.facts.union["name"] for u in (units[0], units[2])] == ["青山", "河口"] and units[1].problems


def test_lines_ended_by_a_carriage_return_alone_are_lines(tmp_path: Path) -> None:
    """Excel's 「CSV（Macintosh）」 ends lines with CR alone; a CR inside quotes stays in its cell."""
    text = "\r".join(["编号,名称,类型,年度,会员人数", 'QS-1,"一\r号",企业,2025,5', "", "QS-2,二号,机关,2025,坏"]) + "\r"
    (tmp_path / "mac.csv").write_bytes(text.encode())
    units, _ = read(tmp_path / "mac.csv")
    assert ids(units[:1]) == ["QS-1"] and units[0].facts.union["name"] == "一\r号" and units[0].facts.facts == {"members": 5}
    assert [p.mark.line for p in units[1].problems] == [5]


def test_a_quoted_csv_cell_may_span_lines(tmp_path: Path) -> None:
    units, _ = read(write_csv(tmp_path / "a.csv", [["编号", "类型", "名称"], ["QS-1", "企业", "第一行\n第二行"], ["QS-2", "企业", "b"]]))
    assert [u.facts.union["name"] for u in units] == ["第一行\n第二行", "b"]


def test_folders_yield_fact_files_recursively_in_path_order(tmp_path: Path) -> None:
    for name in ("b/QS-3.yaml", "a/QS-2.yml", "a/sub/QS-9.yaml", "QS-1.yaml", "a/README.md", ".hidden/x.yaml", "a/.x.yaml"):
        (tmp_path / "county" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "county" / name).write_text("union: {id: [broken\n", encoding="utf-8")
    units, warnings = read(tmp_path / "county")
    folder = tmp_path / "county"
    expected = [folder / "QS-1.yaml", folder / "a/QS-2.yml", folder / "a/sub/QS-9.yaml", folder / "b/QS-3.yaml"]
    assert units == [Unit(str(path), path=str(path)) for path in expected]
    assert warnings == []


def test_what_a_folder_holds_but_does_not_read_is_named(tmp_path: Path) -> None:
    """A linked township folder, a link left by a moved file and a named pipe were passed over without a word."""
    county, other = tmp_path / "county", tmp_path / "other"
    (county / "a").mkdir(parents=True)
    other.mkdir()
    (county / "QS-1.yaml").write_text("union: {}\n", encoding="utf-8")
    (other / "QS-2.yaml").write_text("union: {}\n", encoding="utf-8")
    (county / "a" / "青山镇").symlink_to(other)
    (county / "QS-3.yaml").symlink_to(tmp_path / "moved.yaml")
    os.mkfifo(county / "QS-4.yaml")
    (county / "notes.txt").symlink_to(tmp_path / "gone.txt")
    units, warnings = read(county)
    assert [unit.path for unit in units] == [str(county / "QS-1.yaml")]
    assert warnings == [f"文件夹 “{county}” 中的 “QS-3.yaml”（链接指向的文件不存在）、“QS-4.yaml”（不是普通文件）、"
                        "“a/青山镇”（指向文件夹的链接，不跟随）、“notes.txt”（链接指向的文件不存在） 未读取；链接的文件夹可以直接作为来源列出"]


def test_an_empty_folder_is_warned_about(tmp_path: Path) -> None:
    assert read(tmp_path) == ([], [f"文件夹 “{tmp_path}” 中没有事实文件（.yaml/.yml）"])


def test_sources_keep_their_order_and_bad_paths_are_units(tmp_path: Path) -> None:
    fact = tmp_path / "QS-7.yaml"
    fact.write_text("union: {}\n", encoding="utf-8")
    book = write_xlsx(tmp_path / "a.xlsx", {"S": rows(("QS-1", "企业", 1, 1))})
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    units, _ = read(book, tmp_path / "nowhere", fact, tmp_path / "old.xls")
    assert units[0].facts.union["id"] == "QS-1" and units[2] == Unit(str(fact), path=str(fact))
    assert [(p.code, p.message) for p in units[1].problems] == [("source-unknown", f"找不到 “{tmp_path / 'nowhere'}”")]
    [problem] = units[3].problems
    assert problem.code == "source-unknown" and ".xls 请另存为 .xlsx" in problem.message


def test_a_corrupt_workbook_is_a_problem(tmp_path: Path) -> None:
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"not a zip")
    [unit], _ = read(book)
    assert unit.problems[0].code == "source-unreadable" and unit.problems[0].message.startswith("无法读取，文件可能已损坏或不是 Excel 工作簿")


def test_a_damaged_sheet_ends_the_workbook_with_a_problem(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"A": rows(("QS-1", "企业", 1, 1)), "B": rows(("QS-2", "企业", 1, 1))})
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet2.xml" else data)
    units, _ = read(damaged, good)
    assert ids(units[:1]) == ["QS-1"] and ids(units[2:]) == ["QS-1", "QS-2"]
    assert units[1].problems[0].code == "source-unreadable" and units[1].problems[0].message.startswith("无法读取，文件可能已损坏或不是 Excel 工作簿")


def test_units_travel_to_worker_processes(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "a.xlsx", {"S": rows(("QS-1", "企业", 10, "九"), ("QS-2", "企业", 10, 9))})
    units, _ = read(book)
    assert pickle.loads(pickle.dumps(units)) == units


def big_csv(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER + ["各季度工会委员会会议次数", "职工对工会工作满意率（测评）"])
        for number in range(count):
            writer.writerow([f"QS-{number:05d}", f"第{number}工会", "企业", "青山镇", 2025, "1,200", "1,100人", "1、0、2、1", "95%"])
    return path


def test_csv_is_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first unit comes before the file is read through: few lines decoded (the header and the first rows
    under it, `short_header`), little memory, little time."""
    path = big_csv(tmp_path / "big.csv", 20_000)
    decoded = []
    original = sources_module.decoded_lines

    def counting(handle: Any, bad: set[int]) -> Iterator[str]:
        for line in original(handle, bad):
            decoded.append(1)
            yield line

    monkeypatch.setattr(sources_module, "decoded_lines", counting)
    tracemalloc.start()
    started = time.perf_counter()
    [first] = itertools.islice(read_units([path], DECLS), 1)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert first.facts.union["id"] == "QS-00000" and first.facts.facts["meetings.by_quarter"] == [1, 0, 2, 1]
    assert len(decoded) < sources_module.UNDER_HEADER + 10 and peak < 2_000_000 and elapsed < 1.0


def test_a_big_csv_reads_through_in_order(tmp_path: Path) -> None:
    units = read_units([big_csv(tmp_path / "big.csv", 20_000)], DECLS)
    last, count = None, 0
    for unit in units:
        last, count = unit, count + 1
    assert count == 20_000 and last.facts.union["id"] == "QS-19999" and last.origin.endswith("第 20001 行")


@pytest.fixture(scope="module")
def county() -> tuple[list, list[Unit]]:
    rulesets = resolve_rulesets()
    decls = {name: decl for ruleset in rulesets for name, decl in ruleset.facts.items()}
    warnings: list[str] = []
    units = list(read_units([REPO / "facts/qingshan.xlsx"], decls, warn=warnings.append))
    assert warnings == []
    return rulesets, units


def test_the_example_workbook_holds_the_county(county: tuple[list, list[Unit]]) -> None:
    _, units = county
    assert sorted(ids(units)) == sorted(path.stem for path in (REPO / "facts/qingshan").glob("QS-*.yaml"))
    assert len(units) == 44
    sheets = openpyxl.load_workbook(REPO / "facts/qingshan.xlsx", read_only=True).sheetnames
    assert sheets == ["城关街道", "青山镇", "河口镇", "柳林乡", "石桥镇"]
    assert all(unit.origin.split("工作表“")[1].startswith(unit.facts.union["township"]) for unit in units)


@pytest.mark.parametrize("number", range(1, 45))
def test_the_example_workbook_reads_back_as_the_yaml_files(county: tuple[list, list[Unit]], number: int) -> None:
    rulesets, units = county
    [unit] = [unit for unit in units if unit.facts.union["id"] == f"QS-{number:03d}"]
    yaml = load_fact_file(REPO / f"facts/qingshan/QS-{number:03d}.yaml")
    assert unit.problems == () and (unit.facts.union, unit.facts.period) == (yaml.union, yaml.period)
    for ruleset in rulesets:
        from_sheet = typed_facts(unit.facts, ruleset.facts.values())
        assert from_sheet == typed_facts(yaml, ruleset.facts.values()) and from_sheet[1] == []


def test_a_total_row_and_the_footer_are_not_unions(tmp_path: Path) -> None:
    """A county's sheet ends with 合计 (with a type, it was ranked as a union) and 填表人 / 注 lines (each was a failed union)."""
    content = rows(("QS-1", "企业", 10, 9), ("QS-2", "机关", 20, 18)) + [
        ["合 计", "", "企业", "", "", 30, 27], ["", "小计", "", "", "", 30, 27],
        ["填表人：张三　　审核人：李四"], ["注：1. 本表由乡镇工会填报。"], ["备注"], ["合计人数说明", "", "企业", "", 2025, 1, 1]]
    units, warnings = read(write_csv(tmp_path / "县.csv", content))
    assert [unit.union_id for unit in units] == ["QS-1", "QS-2", "备注", "合计人数说明"]  # a lone 备注 or another text stays a row
    assert warnings == [f"{tmp_path / '县.csv'} 第 {line} 行：“{text}”是{what}，不是工会，已跳过" for line, text, what in (
        (4, "合 计", "合计行"), (5, "小计", "合计行"), (6, "填表人：张三　　审核人：李四", "表尾说明"), (7, "注：1. 本表由乡镇工会填报。", "表尾说明"))]


def test_a_header_of_two_rows_is_read_as_one(tmp_path: Path) -> None:
    """Group titles above the facts (多级表头), 编号 … 年度 merged down both rows: the facts are read, not 缺资料 for all."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["编号", "名称", "类型", "乡镇（街道）", "年度", "基本情况", None])
    sheet.append([None, None, None, None, None, "职工人数", "会员人数"])
    for column in "ABCDE":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("F1:G1")
    sheet.append(["QS-1", "QS-1工会", "企业", "青山镇", 2025, 10, 9])
    sheet.append(["QS-2", "QS-2工会", "机关", "青山镇", 2025, 20, 18])
    book.save(tmp_path / "县.xlsx")
    units, warnings = read(tmp_path / "县.xlsx")
    assert [(unit.union_id, unit.facts.facts if unit.facts else None) for unit in units] == [
        ("QS-1", {"employees": 10, "members": 9}), ("QS-2", {"employees": 20, "members": 18})]
    assert warnings == []
    one_row = write_xlsx(tmp_path / "一行.xlsx", {"Sheet": rows(("QS-1", "企业", 10, 9))})
    assert [unit.facts.facts for unit in read(one_row)[0] if unit.facts] == [{"employees": 10, "members": 9}]  # unchanged


def test_tables_in_a_folder_are_named_as_not_read(tmp_path: Path) -> None:
    """A county's township workbooks put in one folder: the folder reads fact files only, and says so."""
    (tmp_path / "QS-1.yaml").write_text("union: {id: QS-1, type: enterprise}\nperiod: 2025\nfacts: {}\n", encoding="utf-8")
    write_xlsx(tmp_path / "青山镇.xlsx", {"Sheet": rows(("QS-2", "企业", 10, 9))})
    write_csv(tmp_path / "河口镇.csv", rows(("QS-3", "企业", 10, 9)))
    (tmp_path / "~$青山镇.xlsx").write_bytes(b"")  # Excel's lock file while the workbook is open
    (tmp_path / "县表.xls").write_bytes(b"\xd0\xcf\x11\xe0")  # an old workbook: not read either, and told
    units, warnings = read(tmp_path)
    assert [unit.path for unit in units] == [str(tmp_path / "QS-1.yaml")]
    assert warnings == [f"文件夹 “{tmp_path}” 中的表格 “县表.xls”、“河口镇.csv”、“青山镇.xlsx” 未读取（文件夹只读事实文件）："
                        f"请把表格直接作为来源列出，如 unionscore batch {tmp_path / '县表.xls'} …（.xls、.et、.txt 等请先另存为 .xlsx 或 CSV）"]


def test_one_union_from_an_old_workbook_is_told_as_batch_tells_it(tmp_path: Path) -> None:
    """`assess 县表.xls` said 「文件不是 UTF-8 编码」: it was read as a YAML fact file."""
    old = tmp_path / "县表.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    with pytest.raises(InvalidInput) as refused:
        read_union(old, Reading({}))
    [problem] = refused.value.diagnostics
    assert problem.code == "source-unknown" and "（.xlsx；.xls 请另存为 .xlsx）" in problem.message


def test_a_folder_that_cannot_be_read_is_a_failure_not_a_silence(tmp_path: Path, monkeypatch) -> None:
    """pathlib's walk passes over a folder it may not open: the unions filed there were simply not counted."""
    (tmp_path / "镇").mkdir()
    (tmp_path / "QS-1.yaml").write_text("union: {id: QS-1, type: enterprise}\nperiod: 2025\nfacts: {}\n", encoding="utf-8")
    real = sources_module.os.access
    monkeypatch.setattr(sources_module.os, "access", lambda path, mode: Path(path).name != "镇" and real(path, mode))
    units, _ = read(tmp_path)
    [refused] = [unit for unit in units if unit.problems]
    assert refused.origin == str(tmp_path / "镇")
    assert [(d.code, d.message) for d in refused.problems] == [("file-unreadable", "无法读取这个文件夹：没有访问权限，其中的事实文件都未评估")]


@pytest.mark.parametrize("content", [[], [HEADER], [["青山县基层工会考核数据"], [], HEADER]])
def test_a_table_without_a_union_is_told(tmp_path: Path, content: list) -> None:
    """An empty workbook, or one with only its title and header, graded 0 unions with exit 0 and no word."""
    units, warnings = read(write_xlsx(tmp_path / "县.xlsx", {"Sheet": content}))
    assert units == [] and warnings == [f"{tmp_path / '县.xlsx'}：没有读到任何工会（表格是空的、只有表头，或表头下只有合计行、表尾说明）"]


def test_an_encrypted_workbook_or_a_renamed_xls_is_told_what_to_do(tmp_path: Path) -> None:
    """Both are OLE2 compound files, not the zip of an .xlsx: 「BadZipFile」 told an assessor nothing."""
    book = tmp_path / "青山县.xlsx"
    book.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    [unit], _ = read(book)
    [problem] = unit.problems
    assert problem.code == "source-unreadable" and "设置了打开密码的工作簿，或改了扩展名的旧版 .xls 文件" in problem.message
    assert "另存为 .xlsx" in problem.message and "BadZipFile" not in problem.message


def test_an_id_with_a_line_break_or_an_invisible_character_is_refused(tmp_path: Path) -> None:
    """「QS-1」 with a zero-width space pasted after it looked like QS-1 everywhere and was never its repeat."""
    path = tmp_path / "a.csv"
    path.write_text('编号,类型\nQS-1,企业\nQS-1\u200b,企业\n"QS-\n2",企业\nQS-3,企业\n', encoding="utf-8")
    units, _ = read(path)
    assert [unit.union_id for unit in units if unit.problems == ()] == ["QS-1", "QS-3"]
    assert [unit.problems[0].message for unit in units if unit.problems] == [
        "第 3 行“编号”列：编号 “QS-1\\u200b” 中有换行或看不见的字符（上面以 \\u 编码显示），请删除后再评估",
        "第 4 行“编号”列：编号 “QS-\\u000a2” 中有换行或看不见的字符（上面以 \\u 编码显示），请删除后再评估"]
