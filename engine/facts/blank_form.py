"""Blank fact files: every fact the chosen rulesets declare, ready to fill in.

`yaml_template` writes a fact file with the union header, the period and every declared fact
(nested by its dotted path), values left blank (null) and each explained in a comment: its
Chinese label, type, unit and allowed values. Filled in, it is a fact file `assess` and
`batch` read. The workbook form is in engine/facts/blank_workbook.py; both describe facts with the
helpers here, so the two say the same thing.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import UsageError
from ..language.model import FactDecl, Ruleset
from ..language.vocabulary import UNION_TYPES
from ..values import Number, fmt_number
from .fact_file import merged_declarations
from .fact_schema import lowest

FORMATS = ("yaml", "xlsx")
KIND_WORDS = {"integer": "整数", "number": "数值", "boolean": "是/否", "string": "文本", "date": "日期", "enum": "选项"}
LIST_EXAMPLES = {"integer": "[1, 0, 2, 1]", "number": "[1.5, 2]", "boolean": "[true, false]", "string": "[甲, 乙]"}
COMMENT_COLUMN = 40  # comments line up here, unless a key is longer
UNION_HEADER = (  # (key, Chinese name, what to write)
    ("id", "编号", "必填，全县唯一，如 QS-001"),
    ("name", "名称", "工会全称，如 青山镇永兴纺织有限公司工会"),
    ("type", "类型", "必填，填以下之一"),
    ("county", "县", "所在县（市、区）"),
    ("township", "乡镇（街道）", "所在乡镇或街道"),
)
PERIOD_HELP = "必填，如 2025；评估日为该年 12 月 31 日"


@dataclass(frozen=True, slots=True)
class Line:
    """A line of the YAML template: the text, and the comment that explains it."""

    text: str
    comment: str = ""


def output_format(fmt: str | None, out: Path | None) -> str:
    """The template's format: as asked, else by the --out suffix, else YAML; a workbook needs --out."""
    chosen = fmt or ("xlsx" if out is not None and out.suffix.lower() == ".xlsx" else "yaml")
    if chosen == "xlsx" and out is None:
        raise UsageError("Excel 模板需要用 --out 指定输出文件，如 --out 填报表.xlsx")
    return chosen


def ruleset_titles(rulesets: Iterable[Ruleset]) -> str:
    """「“职工之家”建设考核评价标准（zhijia 2025.1）、……」"""
    return "、".join(f"{r.name}（{' '.join(filter(None, (r.id, r.version)))}）" for r in rulesets)


# which facts, and how each is described, in both forms ------------------------------------------
def template_facts(rulesets: list[Ruleset]) -> list[FactDecl]:
    """Every declared fact once, as `batch` knows it (its first declaration), ordered as the ruleset
    that declares the most facts lists them, so that related facts stay together."""
    merged = merged_declarations(rulesets)
    order = merged_declarations(sorted(rulesets, key=lambda ruleset: len(ruleset.facts), reverse=True))
    return [merged[name] for name in order]


def kind_text(decl: FactDecl) -> str:
    """The fact's type in words: 整数, 比例, 是/否, 整数列表 …"""
    if decl.type == "list":
        return KIND_WORDS[decl.items] + "列表"
    return "比例" if decl.unit == "%" else KIND_WORDS[decl.type]


def bounds_text(decl: FactDecl, percent: bool = False) -> str:
    """「不小于 0」, 「3～5」, 「0%～100%」 for a percent fact shown as a percentage; "" when unbounded."""
    def shown(value: Number) -> str:
        return fmt_number(value * 100) + "%" if percent else fmt_number(value)

    if (decl.items if decl.type == "list" else decl.type) not in ("integer", "number"):
        return ""
    low, high = lowest(decl), decl.max
    if low is not None and high is not None:
        return f"{shown(low)}～{shown(high)}"
    return f"不小于 {shown(low)}" if low is not None else (f"不大于 {shown(high)}" if high is not None else "")


def choices_text(decl: FactDecl) -> str:
    """「none 未建立、adopted 已建立未上墙、posted 已建立并上墙」 for an enum; "" otherwise."""
    if decl.type != "enum":
        return ""
    return "、".join(f"{value} {decl.shown(value)}" if decl.shown(value) != value else value for value in decl.values)


def union_type_choices() -> str:
    """「enterprise 企业、government 机关、……」"""
    return "、".join(f"{key} {name}" for key, name in UNION_TYPES.items())


# the YAML form --------------------------------------------------------------------------------
def yaml_template(rulesets: list[Ruleset]) -> str:
    """A blank fact file for these rulesets (with what they `uses`), as commented YAML."""
    lines = preamble(rulesets) + union_lines() + [Line("period:", f"考核年度：{PERIOD_HELP}"), Line("facts:")]
    lines += tree_lines(fact_tree(template_facts(rulesets)), 1)
    return "\n".join(render(line, comment_column(lines)) for line in lines) + "\n"


def preamble(rulesets: list[Ruleset]) -> list[Line]:
    texts = [
        "unionscore 事实文件（空白模板）",
        f"规则集：{ruleset_titles(rulesets)}",
        "",
        "填写方法：在每个冒号后面填值，# 后面的说明可以保留。",
        "  - 是/否填 true 或 false；日期写成 2023-05-12；比例填小数，92% 填 0.92；列表写成 [1, 0, 2, 1]。",
        "  - 没有资料的项留空（按“无资料不得分”处理，并提示补充资料）；不适用的项也留空。",
        "  - 一组也可以写在一行：committee: {elected: true, last_election: 2023-05-12}",
        "填好后评估：unionscore assess 本文件.yaml",
    ]
    return [Line("# " + text if text else "#") for text in texts]


def union_lines() -> list[Line]:
    lines = [Line("union:")]
    for key, name, help_text in UNION_HEADER:
        extra = f"：{union_type_choices()}" if key == "type" else ""
        lines.append(Line(f"  {key}:", f"{name}：{help_text}{extra}"))
    return lines


def fact_tree(decls: Iterable[FactDecl]) -> dict:
    """Facts nested by their dotted paths; a fact under another fact's path stays dotted
    (`library` and `library.books` cannot both be nested)."""
    decls = list(decls)
    names = {decl.name for decl in decls}
    tree: dict = {}
    for decl in decls:
        parts = decl.name.split(".")
        if any(".".join(parts[:n]) in names for n in range(1, len(parts))):
            parts = [decl.name]
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = decl
    return tree


def tree_lines(tree: dict, depth: int) -> list[Line]:
    lines = []
    for key, value in tree.items():
        if isinstance(value, dict):
            lines += [Line(f"{'  ' * depth}{key}:")] + tree_lines(value, depth + 1)
        else:
            lines.append(Line(f"{'  ' * depth}{key}:", yaml_help(value)))
    return lines


def yaml_help(decl: FactDecl) -> str:
    """「职工人数：整数，单位 人，不小于 0」, with how to write the value in YAML."""
    parts = [yaml_kind(decl)]
    parts += [f"单位 {decl.unit}"] if decl.unit and decl.unit != "%" else []
    parts += [text for text in (bounds_text(decl),) if text]
    note = f"。{decl.description}" if decl.description else ""
    return f"{decl.label}：{'，'.join(parts)}{note}"


def yaml_kind(decl: FactDecl) -> str:
    if decl.type == "boolean":
        return "是/否，填 true 或 false"
    if decl.type == "enum":
        return f"填 {choices_text(decl)} 之一"
    if decl.type == "date":
        return "日期，如 2023-05-12"
    if decl.unit == "%":
        return "比例，填小数（0.92 即 92%）"
    if decl.type == "list":
        return f"{kind_text(decl)}，如 {LIST_EXAMPLES[decl.items]}"
    return kind_text(decl)


def comment_column(lines: list[Line]) -> int:
    widths = [len(line.text) for line in lines if line.comment]
    return min(max(widths, default=0), COMMENT_COLUMN) + 2


def render(line: Line, column: int) -> str:
    if not line.comment:
        return line.text
    return f"{line.text.ljust(column - 2)}  # {line.comment}"
