"""Reading a partition column by column: the rows it hands to the per-union engine because they may not be unions."""
from __future__ import annotations

import sys
import unicodedata

import polars as pl

from engine.facts.sources import MARK_CHARACTERS, TOTAL_ROWS, not_a_union
from engine.province.columnar import SPACE, not_unions


def test_space_is_what_str_strip_removes():
    characters = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
    matched = pl.Series(characters).str.contains(f"^{SPACE}$").to_list()
    assert [c for c, hit in zip(characters, matched) if hit] == [c for c in characters if c.isspace()]


def test_every_total_word_and_every_footer_holds_a_mark_character():
    assert all(any(mark in word for mark in MARK_CHARACTERS) for word in TOTAL_ROWS)
    colons = {chr(code) for code in range(sys.maxunicode + 1) if ":" in unicodedata.normalize("NFKC", chr(code))}
    assert colons <= set(MARK_CHARACTERS)


def test_the_rows_found_are_those_a_county_batch_skips():
    rows = [
        ("BM-1", "企业", "统计局工会", "2025"),  # 计 in a later cell: a union
        ("合计", "企业", None, "2025"),
        (" 合 计 ", None, None, None),
        (None, "—", "小计", "2025"),  # a placeholder first: the total is the first cell that is not blank
        ("  ", " 暂无数据 ", "填表人：张三", None),
        ("备注﹕见附件", "企业", None, "2025"),
        ("001", "合计", None, "2025"),  # a short id is not blank
        ("统计局工会", "企业", None, "2025"),
        ("审核人", "企业", None, "2025"),  # no colon: a union's name
        (None, None, None, None),
    ]
    table = pl.DataFrame(rows, schema=["编号", "类型", "名称", "年度"], orient="row")
    assert not_unions(table).tolist() == [bool(not_a_union(row)) for row in rows] == [
        False, True, True, True, True, True, False, False, False, False]


def test_a_number_column_ends_the_search_where_it_has_a_value():
    table = pl.DataFrame({"序号": [1, None], "编号": ["合计", "合计"]})
    assert not_unions(table).tolist() == [False, True]


def test_categorical_and_enum_columns_are_text():
    ids = pl.Series(["BM-1", "合计", "填表人：张三"])
    for dtype in (pl.Categorical, pl.Enum(ids.to_list())):
        assert not_unions(pl.DataFrame({"编号": ids.cast(dtype)})).tolist() == [False, True, True]
