"""Spreadsheet cells read as a person means them: each accepted form, and what the errors say."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from engine.diagnostics import Mark
from engine.facts.cells import CellError, read_cell, read_period, read_text, read_union_type
from engine.facts.fact_file import FactFile, typed_facts
from engine.language.model import FactDecl
from engine.values import Fraction

HERE = Mark("test")
MEMBERS = FactDecl("members", "integer", "会员人数", HERE, unit="人", min=0)
SIZE = FactDecl("committee.size", "integer", "委员人数", HERE, unit="人", min=3, max=15)
BOOKS = FactDecl("library.books", "integer", "职工书屋藏书", HERE, unit="册", min=0)
TIMES = FactDecl("audit.times", "integer", "审查次数", HERE, unit="次", min=0)
AREA = FactDecl("venue.area", "number", "职工活动场所面积", HERE, unit="平方米", min=0)
DUES = FactDecl("dues.due", "number", "应拨缴工会经费", HERE, unit="元", min=0)
SHARE = FactDecl("survey.satisfaction", "number", "满意率", HERE, unit="%", min=0, max=1)
ELECTED = FactDecl("committee.elected", "boolean", "委员会经选举产生", HERE)
ELECTION = FactDecl("committee.last_election", "date", "上次换届日期", HERE)
DUTIES = FactDecl("rules.duties", "enum", "工作职责", HERE, values=("none", "adopted", "posted"))
QUARTERS = FactDecl("meetings.by_quarter", "list", "各季度会议次数", HERE, unit="次", items="integer")
NAMES = FactDecl("chair.names", "list", "主席姓名", HERE, items="string")
CHAIR = FactDecl("chair.name", "string", "工会主席姓名", HERE)

MAY_12 = dt.date(2023, 5, 12)


@pytest.mark.parametrize("raw, expected", [
    *[(word, True) for word in ("是", "有", "√", "✓", "✔", "Y", "y", "yes", "YES", "true", "TRUE", "True", "1", " 是 ")],
    *[(word, False) for word in ("否", "无", "×", "✗", "✘", "N", "n", "no", "No", "false", "FALSE", "0")],
    (True, True), (False, False), (1, True), (0, False), (1.0, True),
])
def test_booleans(raw: Any, expected: bool) -> None:
    assert read_cell(raw, ELECTED) is expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "-", "－", "—", "——", "–", "/", "无数据", "暂无数据", "未统计"])
@pytest.mark.parametrize("decl", [MEMBERS, ELECTED, ELECTION, QUARTERS, DUTIES, SHARE, CHAIR])
def test_blank_cells_are_absent(raw: Any, decl: FactDecl) -> None:
    assert read_cell(raw, decl) is None


def test_wu_is_false_not_blank() -> None:
    assert read_cell("无", ELECTED) is False
    with pytest.raises(CellError, match="无法识别 “无”，应为不小于 0 的整数"):
        read_cell("无", MEMBERS)


@pytest.mark.parametrize("raw, decl, expected", [
    (230, MEMBERS, 230), (230.0, MEMBERS, 230), ("230", MEMBERS, 230), ("230人", MEMBERS, 230),
    ("230 人", MEMBERS, 230), ("230名", MEMBERS, 230), ("２３０", MEMBERS, 230), ("２３０人", MEMBERS, 230),
    ("1,200", MEMBERS, 1200), ("1，200", MEMBERS, 1200), ("1,200,000", MEMBERS, 1200000), ("12.0", MEMBERS, 12),
    ("1.2万", MEMBERS, 12000), ("1.2万人", MEMBERS, 12000), ("+5", MEMBERS, 5), ("-5", MEMBERS, -5),
    ("3000册", BOOKS, 3000), ("3000本", BOOKS, 3000), ("5 次", TIMES, 5), ("5次", TIMES, 5), ("7人", SIZE, 7),
    ("15 平方米", AREA, 15), ("15平米", AREA, 15), ("15㎡", AREA, 15), ("15m²", AREA, 15), ("60.5平方米", AREA, Decimal("60.5")),
    ("12.5万元", DUES, 125000), ("12.5万", DUES, 125000), ("1,020,000", DUES, 1020000), ("102万元", DUES, 1020000),
    ("1.23456万元", DUES, Decimal("12345.6")), ("0.5", DUES, Decimal("0.5")), (".5", DUES, Decimal("0.5")),
    (Decimal("2.50"), DUES, Decimal("2.5")), (0.1, DUES, Decimal("0.1")), ("50%", DUES, Decimal("0.5")),
    ("50家", MEMBERS, 50), ("8 个", TIMES, 8), ("1起", TIMES, 1), ("3人次", TIMES, 3), ("4项", SIZE, 4),
])
def test_numbers(raw: Any, decl: FactDecl, expected: Any) -> None:
    value = read_cell(raw, decl)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("raw, expected", [
    ("95%", "0.95"), ("95 %", "0.95"), ("９５％", "0.95"), ("92.5%", "0.925"), ("0.95", "0.95"), (0.95, "0.95"),
    ("95", "0.95"), (95, "0.95"), (92.5, "0.925"), ("1", "1"), (1, "1"), ("1%", "0.01"), ("100%", "1"), ("0", "0"),
    ("0.5%", "0.005"), ("150", "1.5"),
])
def test_percentages(raw: Any, expected: str) -> None:
    """A bare number above 1 in a percent column is a percentage; 1 and below is the fraction itself."""
    assert Decimal(read_cell(raw, SHARE)) == Decimal(expected)


@pytest.mark.parametrize("raw", [
    "2023-05-12", "2023-5-12", "2023/5/12", "2023/05/12", "2023.5.12", "2023年5月12日", "2023年05月12日", "2023年5月12",
    " 2023 年 5 月 12 日 ", "２０２３年５月１２日", "20230512", "2023-05-12 00:00:00", "2023-05-12T08:30",
    dt.datetime(2023, 5, 12), dt.datetime(2023, 5, 12, 14, 30), MAY_12, 45058, 45058.0, 45058.75, "45058",
])
def test_dates(raw: Any) -> None:
    assert read_cell(raw, ELECTION) == MAY_12


@pytest.mark.parametrize("raw, expected", [
    ("1,0,2,1", [1, 0, 2, 1]), ("1、0、2、1", [1, 0, 2, 1]), ("1 0 2 1", [1, 0, 2, 1]), ("1/0/2/1", [1, 0, 2, 1]),
    ("1, 0, 2, 1", [1, 0, 2, 1]), ("1，0，2，1", [1, 0, 2, 1]), ("1;0;2;1", [1, 0, 2, 1]), ("[1, 0, 2, 1]", [1, 0, 2, 1]),
    ("１、０、２、１", [1, 0, 2, 1]), ("1次、0次、2次、1次", [1, 0, 2, 1]), ("3", [3]), (3, [3]),
])
def test_lists(raw: Any, expected: list) -> None:
    assert read_cell(raw, QUARTERS) == expected


def test_text_lists_keep_spaces() -> None:
    assert read_cell("张 三、李四", NAMES) == ["张 三", "李四"]


@pytest.mark.parametrize("raw, expected", [("posted", "posted"), (" adopted ", "adopted"), ("ｎｏｎｅ", "none")])
def test_enums_by_value(raw: str, expected: str) -> None:
    assert read_cell(raw, DUTIES) == expected


LABELLED = FactDecl("rules.audit", "enum", "经费审查制度", HERE, values=("none", "adopted", "posted"),
                    labels=(("none", "未建立"), ("adopted", "已建立未上墙"), ("posted", "已建立并上墙")))


@pytest.mark.parametrize("raw, expected", [("已建立并上墙", "posted"), (" 未建立 ", "none"), ("adopted", "adopted")])
def test_enums_by_label_or_value(raw: str, expected: str) -> None:
    assert read_cell(raw, LABELLED) == expected


def test_an_unknown_enum_label_is_an_error() -> None:
    with pytest.raises(CellError):
        read_cell("已上墙了", LABELLED)


@pytest.mark.parametrize("raw, expected", [(" 张三 ", "张三"), (1001, "1001"), (12.0, "12"), ("无", "无")])
def test_strings(raw: Any, expected: str) -> None:
    assert read_cell(raw, CHAIR) == expected


@pytest.mark.parametrize("raw, decl, message", [
    ("二百三十", MEMBERS, "无法识别 “二百三十”，应为不小于 0 的整数"),
    ("12.5", MEMBERS, "“12.5” 不是整数，应为不小于 0 的整数"),
    (12.5, MEMBERS, "“12.5” 不是整数，应为不小于 0 的整数"),
    ("230元", MEMBERS, "无法识别 “230元”，应为不小于 0 的整数"),
    ("约230人", MEMBERS, "无法识别 “约230人”，应为不小于 0 的整数"),
    ("1,20", MEMBERS, "无法识别 “1,20”，应为不小于 0 的整数"),
    ("1 200", MEMBERS, "无法识别 “1 200”，应为不小于 0 的整数"),
    ("31\u200b", MEMBERS, "无法识别 “31\\u200b”（其中有看不见的字符，上面以 \\u 编码显示，请删除），应为不小于 0 的整数"),  # looked like 31
    (True, MEMBERS, "无法识别 “TRUE”，应为不小于 0 的整数"),
    ("#DIV/0!", SHARE, "无法识别 “#DIV/0!”，应为百分比（如 95%、0.95）"),
    ("九成", SHARE, "无法识别 “九成”，应为百分比（如 95%、0.95）"),
    ("二十", SIZE, "无法识别 “二十”，应为不小于 3、不大于 15 的整数"),
    ("maybe", ELECTED, "无法识别 “maybe”，应为布尔值（true/false 或 是/否）"),
    (2, ELECTED, "无法识别 “2”，应为布尔值（true/false 或 是/否）"),
    ("2023-02-30", ELECTION, "“2023-02-30” 不是有效的日期，应为日期（如 2023-05-12）"),
    ("2023年13月1日", ELECTION, "“2023年13月1日” 不是有效的日期，应为日期（如 2023-05-12）"),
    (2023, ELECTION, "无法识别 “2023”，应为日期（如 2023-05-12）"),
    ("2023", ELECTION, "无法识别 “2023”，应为日期（如 2023-05-12）"),
    ("上月", ELECTION, "无法识别 “上月”，应为日期（如 2023-05-12）"),
    ("2023-05/12", ELECTION, "无法识别 “2023-05/12”，应为日期（如 2023-05-12）"),
    ("201904", ELECTION, "无法识别 “201904”，应为日期（如 2023-05-12）"),  # as a serial number: 2452-10-…
    (201904, ELECTION, "无法识别 “201904”，应为日期（如 2023-05-12）"),
    ("1024/3/1", ELECTION, "“1024/3/1” 的年份 1024 不在 1900 至 2100 年之间，应为日期（如 2023-05-12）"),
    ("7441-10-18", ELECTION, "“7441-10-18” 的年份 7441 不在 1900 至 2100 年之间，应为日期（如 2023-05-12）"),
    ("100%", MEMBERS, "“100%” 是百分比，本项应为不小于 0 的整数，请填写实际数目"),
    ("９５％", MEMBERS, "“９５％” 是百分比，本项应为不小于 0 的整数，请填写实际数目"),
    ("已上墙", DUTIES, "无法识别 “已上墙”，应为以下之一：none、adopted、posted"),
    ("1,,2,1", QUARTERS, "无法识别 “1,,2,1”：第 2 项为空，应为不小于 0 的整数列表"),
    ("1、一、2、1", QUARTERS, "无法识别 “1、一、2、1”：第 2 项 “一” 应为不小于 0 的整数"),
    ("1、0.5、2、1", QUARTERS, "无法识别 “1、0.5、2、1”：第 2 项 “0.5” 应为不小于 0 的整数"),
    ("1、—、2、1", QUARTERS, "无法识别 “1、—、2、1”：第 2 项为空，应为不小于 0 的整数列表"),
    ([1, 2], MEMBERS, "应为不小于 0 的整数，不能是列表"),  # Parquet cells that hold more than one value
    ({"members": 1}, MEMBERS, "应为不小于 0 的整数，不能是多个字段组成的结构"),
    ([1, None, 2, 0], QUARTERS, "无法识别 “1、、2、0”：第 2 项为空，应为不小于 0 的整数列表"),  # a Parquet list with a null in it
])
def test_errors_name_the_text_and_what_was_expected(raw: Any, decl: FactDecl, message: str) -> None:
    with pytest.raises(CellError) as caught:
        read_cell(raw, decl)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("raw, expected", [
    ("enterprise", "enterprise"), ("Government", "government"), ("institution", "institution"), ("village", "village"),
    ("joint", "joint"), ("group", "group"), ("企业", "enterprise"), ("企业工会", "enterprise"), ("机关", "government"),
    ("机关工会", "government"), ("事业单位", "institution"), ("事业", "institution"), ("村（社区）", "village"),
    ("村(社区)", "village"), ("村", "village"), ("社区", "village"), ("村/社区", "village"), ("社区工会", "village"),
    ("联合工会", "joint"), ("工会小组", "group"), (" 企业 ", "enterprise"), (None, None), ("", None),
])
def test_union_types(raw: Any, expected: str | None) -> None:
    assert read_union_type(raw) == expected


def test_unknown_union_type_lists_the_choices() -> None:
    with pytest.raises(CellError, match=r"无法识别工会类型 “合作社”，应为以下之一：企业（enterprise）、机关（government）、.*工会小组（group）"):
        read_union_type("合作社")


@pytest.mark.parametrize("raw, expected", [(2025, 2025), (2025.0, 2025), ("2025", 2025), ("2025年", 2025), ("2025年度", 2025), ("", None)])
def test_periods(raw: Any, expected: int | None) -> None:
    assert read_period(raw) == expected


@pytest.mark.parametrize("raw", ["二〇二五", "1800", "25", True])
def test_bad_periods(raw: Any) -> None:
    with pytest.raises(CellError, match="应为年度（如 2025）"):
        read_period(raw)


def test_header_text() -> None:
    assert (read_text(" QS-001 "), read_text(1001), read_text("—")) == ("QS-001", "1001", None)


@pytest.mark.parametrize("read, wanted", [(read_union_type, "工会类型"), (read_period, "年度（如 2025）")])
def test_a_parquet_list_or_struct_is_not_a_union_type_or_a_year(read: Any, wanted: str) -> None:
    for raw, shape in ((["企业", 2025], "列表"), ({"类型": "企业"}, "多个字段组成的结构")):
        with pytest.raises(CellError) as caught:
            read(raw)
        assert str(caught.value) == f"应为{wanted}，不能是{shape}"


def test_values_pass_typed_facts_exactly() -> None:
    """What cells return is what the fact schema accepts: numbers stay exact (0.95 is 19/20)."""
    decls = (MEMBERS, SHARE, DUES, ELECTED, ELECTION, DUTIES, QUARTERS)
    cells = {"members": "230人", "survey.satisfaction": "95%", "dues.due": "12.5万元", "committee.elected": "√",
             "committee.last_election": "2023年5月12日", "rules.duties": "posted", "meetings.by_quarter": "1、0、2、1"}
    facts = {decl.name: read_cell(cells[decl.name], decl) for decl in decls}
    values, problems = typed_facts(FactFile("t.xlsx", {}, 2025, facts), decls)
    assert problems == []
    assert values == {"members": 230, "survey.satisfaction": Fraction(19, 20), "dues.due": 125000, "committee.elected": True,
                      "committee.last_election": MAY_12, "rules.duties": "posted", "meetings.by_quarter": [1, 0, 2, 1]}


def test_bounds_are_left_to_the_fact_schema() -> None:
    """A readable but out-of-range value is read; typed_facts reports it with the fact's label."""
    facts = {"survey.satisfaction": read_cell("150", SHARE)}
    _, problems = typed_facts(FactFile("t.xlsx", {}, 2025, facts, as_typed=False), (SHARE,))
    assert [p.message for p in problems] == ["满意率（survey.satisfaction）应为不小于 0%、不大于 100% 的百分比，实际为 “150%”"]
