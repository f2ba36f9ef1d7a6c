"""Fact files: one union's header, period and facts, checked against what a ruleset declares."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .diagnostics import Diagnostic, DiagnosticList, Mark, fail
from .model import FactDecl
from .values import exact, fmt_number
from .yamlload import MarkedDict, load_yaml, mark_at

UNION_TYPES = {
    "enterprise": "企业", "government": "机关", "institution": "事业单位",
    "village": "村（社区）", "joint": "联合工会", "group": "工会小组",
}
TRUE_WORDS = {"是", "有", "√", "✓", "y", "yes", "true"}
FALSE_WORDS = {"否", "无", "×", "✗", "n", "no", "false"}
TYPE_WORDS = {"integer": "整数", "number": "数值", "boolean": "布尔值（true/false 或 是/否）", "string": "文本",
              "enum": "枚举值", "date": "日期（如 2023-05-12）", "list": "列表"}


@dataclass
class FactFile:
    """A union's data as read: header fields, period, facts by dotted path, and where each stood."""

    path: str
    union: dict[str, Any]
    period: int | None
    facts: dict[str, Any]
    marks: dict[str, Mark] = field(default_factory=dict)
    header_mark: Mark = field(default_factory=lambda: Mark(""))

    def mark(self, name: str) -> Mark:
        return self.marks.get(name, self.header_mark)


def load_fact_file(path: str | Path) -> FactFile:
    """Read and check the shape of one fact file (types are checked per ruleset later)."""
    raw = load_yaml(path)
    name = str(path)
    if not isinstance(raw, dict):
        raise fail(Mark(name, 1, 1), "fact-shape", "事实文件应为映射，包含 union、period、facts 三部分")
    problems = DiagnosticList()
    union = check_union(raw, name, problems)
    period = check_period(raw, problems)
    facts, marks = flatten(raw.get("facts") or {}, raw, problems)
    for key in sorted(set(raw) - {"union", "period", "facts"}, key=str):
        problems.add(mark_at(raw, (key,), key=True), "fact-unknown-key", f"未知的顶层字段 “{key}”：应为 union、period 或 facts")
    problems.raise_if_errors()
    return FactFile(name, union, period, facts, marks, mark_at(raw, ("union",)))


def check_union(raw: MarkedDict, name: str, problems: DiagnosticList) -> dict[str, Any]:
    union = raw.get("union")
    if not isinstance(union, dict):
        problems.add(mark_at(raw, ("union",)) if "union" in raw else Mark(name, 1, 1), "fact-union", "缺少 union（编号、名称、类型等）")
        return {}
    for key in ("id", "type"):
        if union.get(key) in (None, ""):
            problems.add(mark_at(raw, ("union",)), "fact-union", f"union 缺少 “{key}”")
    kind = union.get("type")
    if kind is not None and kind not in UNION_TYPES:
        choices = "、".join(f"{k}（{v}）" for k, v in UNION_TYPES.items())
        problems.add(mark_at(raw, ("union", "type")), "fact-union-type", f"union.type 应为以下之一：{choices}；实际为 “{kind}”")
    return {key: str(value) for key, value in union.items() if value is not None}


def check_period(raw: MarkedDict, problems: DiagnosticList) -> int | None:
    period = raw.get("period")
    if period is None:
        return None
    if isinstance(period, bool) or not isinstance(period, int) or not 1949 <= period <= 2200:
        problems.add(mark_at(raw, ("period",)), "fact-period", f"period 应为年度（如 2025），实际为 “{period}”")
        return None
    return period


def flatten(facts: Any, raw: MarkedDict, problems: DiagnosticList) -> tuple[dict[str, Any], dict[str, Mark]]:
    """Nested mappings become dotted paths: {committee: {elected: true}} → committee.elected."""
    if not isinstance(facts, dict):
        problems.add(mark_at(raw, ("facts",)), "fact-shape", "facts 应为映射（事实名: 值）")
        return {}, {}
    values: dict[str, Any] = {}
    marks: dict[str, Mark] = {}
    stack: list[tuple[str, MarkedDict]] = [("", facts)]
    while stack:
        prefix, mapping = stack.pop()
        for key, value in mapping.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                stack.append((path + ".", value))
            else:
                values[path] = value
                marks[path] = mapping.value_marks.get(key, mapping.mark)
    return values, marks


def typed_facts(fact_file: FactFile, decls: Iterable[FactDecl]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The declared facts as exact runtime values; absent and null facts are left out."""
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for decl in decls:
        raw = fact_file.facts.get(decl.name)
        if raw is None:
            continue
        try:
            values[decl.name] = convert(decl, raw)
        except ValueError as exc:
            problems.append(Diagnostic(fact_file.mark(decl.name), "fact-type", f"{decl.name}（{decl.label}）{exc}"))
    problems.extend(cross_checks(fact_file, values))
    return values, problems


def convert(decl: FactDecl, raw: Any) -> Any:
    """One value in the declared type and bounds, or ValueError with the Chinese reason."""
    if decl.type == "list":
        if not isinstance(raw, list):
            raise ValueError(f"应为{TYPE_WORDS[decl.items]}列表，实际为 “{raw}”")
        element = FactDecl(decl.name, decl.items, decl.label, decl.mark, decl.unit, decl.min, decl.max)
        return [convert(element, item) for item in raw]
    value = SCALARS[decl.type](raw, decl)
    check_bounds(decl, value)
    return value


def check_bounds(decl: FactDecl, value: Any) -> None:
    low = decl.min if decl.min is not None else (0 if decl.type == "integer" else None)
    if low is not None and value < low:
        raise ValueError(f"应为不小于 {fmt_number(low)} 的{TYPE_WORDS[decl.type]}，实际为 “{fmt_number(value)}”")
    if decl.max is not None and value > decl.max:
        raise ValueError(f"应为不大于 {fmt_number(decl.max)} 的{TYPE_WORDS[decl.type]}，实际为 “{fmt_number(value)}”")


def to_integer(raw: Any, decl: FactDecl) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or int(raw) != raw:
        raise ValueError(f"应为{bound_word(decl)}整数，实际为 “{raw}”")
    return int(raw)


def to_number(raw: Any, decl: FactDecl) -> Any:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ValueError(f"应为{bound_word(decl)}数值，实际为 “{raw}”")
    return exact(raw)


def bound_word(decl: FactDecl) -> str:
    low = decl.min if decl.min is not None else (0 if decl.type == "integer" else None)
    return f"不小于 {fmt_number(low)} 的" if low is not None else ""


def to_boolean(raw: Any, decl: FactDecl) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(f"应为{TYPE_WORDS['boolean']}，实际为 “{raw}”")


def to_string(raw: Any, decl: FactDecl) -> str:
    if isinstance(raw, (bool, list, dict)):
        raise ValueError(f"应为文本，实际为 “{raw}”")
    return str(raw)


def to_enum(raw: Any, decl: FactDecl) -> str:
    if str(raw) not in decl.values:
        raise ValueError(f"应为以下之一：{'、'.join(decl.values)}；实际为 “{raw}”")
    return str(raw)


def to_date(raw: Any, decl: FactDecl) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(f"应为{TYPE_WORDS['date']}，实际为 “{raw}”") from None


SCALARS = {"integer": to_integer, "number": to_number, "boolean": to_boolean, "string": to_string, "enum": to_enum, "date": to_date}


def cross_checks(fact_file: FactFile, values: dict[str, Any]) -> list[Diagnostic]:
    members, employees = values.get("members"), values.get("employees")
    if members is not None and employees is not None and members > employees:
        message = f"members（会员人数）{members} 大于 employees（职工人数）{employees}"
        return [Diagnostic(fact_file.mark("members"), "fact-members", message)]
    return []
