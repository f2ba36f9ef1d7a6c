"""Spreadsheet cells read as a person means them, for a declared fact.

A county's data arrives as typed by hand in Excel or WPS: 是/否 and √/×, 95%, 1,200,
230人, 2023年5月12日, full-width digits. `read_cell` turns one cell into the value a YAML
fact file would hold (bool, int, date, str, list, and for fractional numbers an exact
`Decimal`, which the fact schema accepts as a number and `values.exact` turns into a Fraction
without rounding), so `typed_facts` checks it the same way; a cell it cannot read raises `CellError` with a Chinese message naming the
text and what was expected. The rules (also explained to assessors in facts/qingshan/README.md):

- booleans: 是/否, 有/无, √/×, ✓/✗, Y/N, yes/no, true/false in any case, 1/0, Excel TRUE/FALSE.
- blank: empty, spaces, `-`, `—`, `——`, `/`, `无数据`, `暂无数据`, `未统计` (the fact is absent).
  `无` is not blank: it is the boolean 否.
- numbers: `1,200` (thousands in threes), full-width forms, spaces, a trailing unit that is the
  fact's own unit (`230人`, `15 平方米`, `3000册`) or, for a count, any measure word (`50家`, `8 个`,
  `1起`; not for money, area or years), `万` times ten thousand, exactly
  (`12.5万元` is 125000); `95%` is 0.95. Integers must be whole.
- percent facts (`unit: "%"`): `95%`; a bare number above 1 is a percentage (`95` is 0.95);
  1 and below is the fraction itself (`0.95`; `1` is 100%).
- dates: `2023-05-12`, `2023/5/12`, `2023.5.12`, `2023年5月12日`, `20230512`, Excel date cells
  and Excel serial numbers from 10000 (1927-05-18) to 73415 (2100-12-31), so a lone `2023` is not a
  date, nor is `201904` (year 2452 as a serial number); a year before 1900 or after 2100 is a typing error.
- lists: items separated by `,` `、` `;` `/` or spaces (`1、0、2、1`), optionally in brackets.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from ..language.limits import MAX_LITERAL
from ..language.model import FactDecl
from ..language.vocabulary import UNION_TYPES
from .excel import Spanned
from .fact_schema import expected

BLANK_WORDS = frozenset({"-", "--", "—", "——", "–", "/", "无数据", "暂无数据", "未统计"})
TRUE_CELLS = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "true", "1"})
FALSE_CELLS = frozenset({"否", "无", "×", "✗", "✘", "n", "no", "false", "0"})
UNIT_ALIASES = {"平方米": ("平米", "m2"), "人": ("名",), "册": ("本",)}
# Chinese measure words for things counted; money, area and years are measured, not counted
MEASURE_WORDS = ("人次", "个", "家", "起", "次", "项", "名", "人", "位", "条", "件", "篇", "场", "期", "批", "户", "座",
                 "间", "处", "本", "册", "份", "套", "台", "种", "类", "支", "队", "组", "张", "幅", "块", "届", "回", "例")
COUNTED = frozenset(MEASURE_WORDS)
NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})\s*(年)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
)
FIRST_SERIAL, LAST_SERIAL = 10000, 73415  # 1927-05-18 … 2100-12-31 in Excel's 1900 date system
YEARS = range(1900, 2101)  # a date outside them is a typing error (`1024/3/1`), not a union's record
LIST_SEPARATOR = re.compile(r"\s*[,、;/]\s*|\s+")
TEXT_SEPARATOR = re.compile(r"\s*[,、;/]\s*")  # text items may hold spaces
LONE_SPACE = re.compile(r"(?<!\d) | (?!\d)")
UNION_TYPE_WORDS = {
    **{key: key for key in UNION_TYPES},
    "企业": "enterprise", "机关": "government", "事业单位": "institution", "事业": "institution",
    "村(社区)": "village", "村": "village", "社区": "village", "村/社区": "village",
    "联合工会": "joint", "联合": "joint", "工会小组": "group", "小组": "group",
}


class CellError(ValueError):
    """A cell that cannot be read as its declared fact; the message is Chinese and names the text."""


def read_cell(raw: Any, decl: FactDecl) -> Any:
    """The value a person means by a cell, in the shape `typed_facts` accepts; None when blank."""
    if is_blank(raw):
        return None
    if decl.type == "list":
        return read_list(raw, decl)
    one_value(raw, expectation(decl))
    return READERS[decl.type](raw, decl)


def one_value(raw: Any, wanted: str) -> None:
    """A Parquet list or struct cell where one value is wanted (a count, a yes/no, 编号) is refused."""
    if isinstance(raw, (list, dict)):
        raise CellError(f"应为{wanted}，不能是{'列表' if isinstance(raw, list) else '多个字段组成的结构'}")


def decoded(raw: Any) -> Any:
    """Parquet text stored as plain bytes (BINARY without its UTF-8 mark, as Hive and Impala write it), in a cell or
    as the items of a list cell, read as text; everything else as it is."""
    if isinstance(raw, bytes):
        return utf8_text(raw)
    if isinstance(raw, list) and any(isinstance(item, bytes) for item in raw):
        return [utf8_text(item) if isinstance(item, bytes) else item for item in raw]
    return raw


def text_if_utf8(raw: Any) -> Any:
    """Bytes that are UTF-8 as their text, anything else as it is: how a row is looked at to tell a blank line, a
    合计 row or a footer; bytes that are not UTF-8 are refused when the cell is read (`utf8_text`)."""
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
    return raw


def utf8_text(raw: bytes) -> str:
    """A cell's bytes as its text; bytes that are not UTF-8 are refused, saying how to export the file again."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CellError("内容不是 UTF-8 编码的文字，无法读取；请用 UTF-8 重新导出这个 Parquet 文件") from None


def is_blank(raw: Any) -> bool:
    """Empty, only spaces, or a placeholder such as `—` or `无数据` (but not `无`, which means 否)."""
    if not isinstance(raw, str):
        return raw is None
    text = raw.strip()
    return not text or (len(text) <= 4 and fold(text).casefold() in BLANK_WORDS)


def fold(text: str) -> str:
    """Full-width forms folded to ASCII (NFKC), the minus sign unified, and spaces removed
    except between two digits (so `15 平方米` reads, but `1 0 2 1` is not 1021)."""
    text = " ".join(unicodedata.normalize("NFKC", text).split()).replace("−", "-")
    return LONE_SPACE.sub("", text) if " " in text else text


def shown(raw: Any) -> str:
    """A cell as the person sees it, for messages and text facts: 12.0 shows as 12, nothing as nothing."""
    if raw is None:
        return ""
    if isinstance(raw, Spanned):
        return shown(raw.value)
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        return raw.date().isoformat()
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    return str(raw).strip()


def cannot(raw: Any, decl: FactDecl, element: bool = False) -> CellError:
    """A cell that does not read as its fact; one holding an invisible character (a zero-width space pasted with
    「31」) shows it escaped, since 「无法识别 “31”」 would show nothing wrong."""
    text = shown(raw)
    hidden = "（其中有看不见的字符，上面以 \\u 编码显示，请删除）" if visible(text) != text else ""
    return CellError(f"无法识别 “{visible(text)}”{hidden}，应为{expectation(decl, element)}")


def expectation(decl: FactDecl, element: bool = False) -> str:
    """What the cell must hold, in Chinese: 「不小于 0 的整数」, 「百分比（如 95%、0.95）」."""
    return "百分比（如 95%、0.95）" if decl.unit == "%" else expected(decl, element)


def read_boolean(raw: Any, decl: FactDecl) -> bool:
    """是/否, 有/无, √/×, ✓/✗, Y/N, yes/no, true/false (any case), 1/0 and Excel's TRUE/FALSE."""
    if isinstance(raw, bool):
        return raw
    word = fold(shown(raw)).casefold() if isinstance(raw, (str, int, float)) else None
    if word in TRUE_CELLS or word in FALSE_CELLS:
        return word in TRUE_CELLS
    raise cannot(raw, decl)


def read_integer(raw: Any, decl: FactDecl) -> int:
    """A whole number: 230, `230人`, `1,200`, `1.2万`; `12.5` is an error, `12.0` is 12, and so is a
    percentage (`100%` in a head count is not 1 person)."""
    if isinstance(raw, str) and fold(raw).endswith("%"):
        raise CellError(f"“{shown(raw)}” 是百分比，本项应为{expectation(decl)}，请填写实际数目")
    value = read_decimal(raw, decl)
    if value != value.to_integral_value():
        raise CellError(f"“{shown(raw)}” 不是整数，应为{expectation(decl)}")
    return int(value)


def read_number(raw: Any, decl: FactDecl) -> int | Decimal:
    """An exact number: an int when whole, else a `Decimal` of the digits as written."""
    value = read_decimal(raw, decl)
    return int(value) if value == value.to_integral_value() else value.normalize()


def read_decimal(raw: Any, decl: FactDecl) -> Decimal:
    """The number in a cell, exactly, with `%`, `万` and the fact's unit applied."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, str)):
        raise cannot(raw, decl)
    if isinstance(raw, str):
        value, marked = number_text(raw, decl)
    else:
        value, marked = Decimal(repr(raw) if isinstance(raw, float) else raw), False
    if not value.is_finite():
        raise cannot(raw, decl)
    if decl.unit == "%" and not marked and value > 1:
        value = value.scaleb(-2)
    if value.copy_abs() > MAX_LITERAL:  # as in a fact file (yaml-number); copy_abs never rounds
        raise CellError(f"“{shown(raw)}” 超出范围：绝对值不能大于 10 的 {len(str(MAX_LITERAL)) - 1} 次方，应为{expectation(decl)}")
    return value


def number_text(raw: str, decl: FactDecl) -> tuple[Decimal, bool]:
    """(value, whether it carried a % sign) of a typed number such as `1,200人`, `12.5万元`, `95%`."""
    text, scale = fold(raw), 0
    if text.endswith("%"):
        text, scale = text[:-1], -2
    else:
        text = without_unit(text, decl.unit)
        if text.endswith("万"):
            text, scale = text[:-1], 4
    if not NUMBER.fullmatch(text):
        raise cannot(raw, decl)
    return Decimal(text.replace(",", "")).scaleb(scale), scale == -2


def without_unit(text: str, unit: str) -> str:
    """The text without a trailing unit, if that unit is the fact's own (or a common alias of it);
    a count (a fact in 人, 次, 项 … or without a unit) also takes any measure word: 「50家」, 「8 个」."""
    for name in unit_names(unit):
        if text.casefold().endswith(name):
            return text[: len(text) - len(name)]
    return text


@cache
def unit_names(unit: str) -> tuple[str, ...]:
    """The ways of writing a unit, folded, longest first: 平方米, 平米, m2 (and ㎡, m², which fold to m2);
    a count's unit with every measure word (人次 before 次)."""
    written = (unit, *UNIT_ALIASES.get(unit, ()), *(MEASURE_WORDS if unit in COUNTED or not unit else ()))
    names = {fold(name).casefold() for name in written if name and name != "%"}
    return tuple(sorted(names, key=len, reverse=True))


def read_date(raw: Any, decl: FactDecl) -> dt.date:
    """A date cell, an Excel serial number (10000 to 73415) or typed text such as 2023年5月12日, from 1900 to 2100."""
    if isinstance(raw, dt.datetime):
        found = raw.date()
    elif isinstance(raw, dt.date):
        found = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        found = serial_date(raw, raw, decl)
    elif isinstance(raw, str):
        found = date_text(raw, decl)
    else:
        raise cannot(raw, decl)
    if found.year not in YEARS:
        raise CellError(f"“{shown(raw)}” 的年份 {found.year} 不在 1900 至 2100 年之间，应为{expectation(decl)}")
    return found


def serial_date(number: float, raw: Any, decl: FactDecl) -> dt.date:
    if not FIRST_SERIAL <= number <= LAST_SERIAL:
        raise cannot(raw, decl)
    from openpyxl.utils.datetime import from_excel  # Excel's calendar; openpyxl loads only for a date written as a serial

    return from_excel(number).date()


def date_text(raw: str, decl: FactDecl) -> dt.date:
    text = unicodedata.normalize("NFKC", raw).strip()
    if text.isdigit() and len(text) != 8:
        return serial_date(int(text), raw, decl)
    for pattern in DATE_PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            try:
                return dt.date(int(found[1]), int(found[3]), int(found[4]))
            except ValueError:
                raise CellError(f"“{shown(raw)}” 不是有效的日期，应为{expectation(decl)}") from None
    raise cannot(raw, decl)


def read_choice(raw: Any, decl: FactDecl) -> str:
    """One of the enum's values, as written in the ruleset or as its label (spaces and full-width
    forms tolerated): 「posted」 or 「已建立并上墙」."""
    word = fold(shown(raw))
    by_label = {fold(label): value for value, label in decl.labels}
    if word not in decl.values and word not in by_label:
        raise cannot(raw, decl)
    return by_label.get(word, word)


def read_string(raw: Any, decl: FactDecl) -> str:
    return shown(raw)


READERS: dict[str, Callable[[Any, FactDecl], Any]] = {
    "boolean": read_boolean, "integer": read_integer, "number": read_number,
    "date": read_date, "enum": read_choice, "string": read_string,
}


def read_list(raw: Any, decl: FactDecl) -> list[Any]:
    """Items separated by `,` `、` `;` `/` or spaces (or a YAML list), each read as the list's item type."""
    if isinstance(raw, list):
        return [list_item(item, number, raw, decl) for number, item in enumerate(raw, 1)]
    if not isinstance(raw, str):
        return [READERS[decl.items](raw, decl)]
    text = unicodedata.normalize("NFKC", raw).strip()
    if text[:1] + text[-1:] in ("[]", "()"):
        text = text[1:-1].strip()
    values = []
    separator = TEXT_SEPARATOR if decl.items == "string" else LIST_SEPARATOR
    for number, part in enumerate(separator.split(text), 1):
        if not part:
            raise CellError(f"无法识别 “{shown(raw)}”：第 {number} 项为空，应为{expectation(decl)}")
        values.append(list_item(part, number, raw, decl))
    return values


def list_item(part: Any, number: int, raw: Any, decl: FactDecl) -> Any:
    whole = "、".join(shown(item) for item in raw) if isinstance(raw, list) else shown(raw)
    if is_blank(part):
        raise CellError(f"无法识别 “{whole}”：第 {number} 项为空，应为{expectation(decl)}")
    try:
        return READERS[decl.items](part, decl)
    except CellError:
        raise CellError(f"无法识别 “{whole}”：第 {number} 项 “{shown(part)}” 应为{expectation(decl, True)}") from None


def read_text(raw: Any) -> str | None:
    """A header field such as 编号 or 名称: the text as shown, None when blank."""
    return None if is_blank(raw) else shown(raw)


def read_union_id(raw: Any) -> str | None:
    """编号 as written, None when blank; one holding a line break or an invisible character (a zero-width space
    pasted with it) is refused: it would look like another union's id in every list and never match it."""
    one_value(raw, "文字")
    text = read_text(raw)
    if text is not None and visible(text) != text:
        raise CellError(f"编号 “{visible(text)}” 中有换行或看不见的字符（上面以 \\u 编码显示），请删除后再评估")
    return text


def visible(name: str) -> str:
    """A name with its invisible characters shown, so 「employ\\u200bees」 does not look right."""
    return "".join(c if c.isprintable() and unicodedata.category(c) != "Cf" else f"\\u{ord(c):04x}" for c in name)


def read_union_type(raw: Any) -> str | None:
    """企业, 机关, 事业单位, 村（社区）, 联合工会, 工会小组 (with or without 工会) or the ASCII id."""
    if is_blank(raw):
        return None
    one_value(raw, "工会类型")
    word = fold(shown(raw)).casefold()
    kind = UNION_TYPE_WORDS.get(word) or UNION_TYPE_WORDS.get(word.removesuffix("工会"))
    if kind is None:
        choices = "、".join(f"{name}（{key}）" for key, name in UNION_TYPES.items())
        raise CellError(f"无法识别工会类型 “{shown(raw)}”，应为以下之一：{choices}")
    return kind


def read_period(raw: Any) -> int | None:
    """The assessment year: 2025, `2025年` or `2025年度`."""
    if is_blank(raw):
        return None
    one_value(raw, "年度（如 2025）")
    text = fold(shown(raw)).removesuffix("度").removesuffix("年")
    if not text.isdigit() or not 1949 <= int(text) <= 2200:
        raise CellError(f"无法识别 “{shown(raw)}”，应为年度（如 2025）")
    return int(text)
