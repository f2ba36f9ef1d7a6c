"""Fact files: one union's header, period and facts, checked against what a ruleset declares."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, DiagnosticList, Mark, fail
from ..kinds import Judged
from ..language.model import FactDecl, Ruleset
from ..language.vocabulary import AT_MOST, ceilings
from ..language.yamlload import MarkedDict, load_yaml, mark_at
from ..load.rulesets import resolve_rulesets
from ..values import Number, exact, fmt_number
from .cells import CellError, one_value, read_cell, read_period, read_union_id, read_union_type, visible
from .fact_schema import TRUE_WORDS, fact_errors, labelled, validator
from .names import closest


@dataclass
class FactFile:
    """A union's data as read: header fields, period, facts by dotted path, and where each stood."""

    path: str
    union: dict[str, Any]
    period: int | None
    facts: dict[str, Any]
    marks: Mapping[str, Mark] = field(default_factory=dict)
    header_mark: Mark = field(default_factory=lambda: Mark(""))
    as_typed: bool = True  # values as a person wrote them (YAML); False when already read (spreadsheet cells)

    def mark(self, name: str) -> Mark:
        return self.marks.get(name, self.header_mark)


def load_fact_file(path: str | Path) -> FactFile:
    """Read and check the shape of one fact file (types are checked per ruleset later)."""
    raw = load_yaml(path)
    name = str(path)
    if not isinstance(raw, MarkedDict):
        raise fail(Mark(name, 1, 1), "fact-shape", "事实文件应为映射，包含 union、period、facts 三部分")
    problems = DiagnosticList()
    union = check_union(raw, name, problems)
    period = check_period(raw, problems)
    facts, marks = flatten(raw.get("facts"), mark_at(raw, ("facts",)), problems)
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
    return union_fields(raw, problems)


def union_fields(raw: MarkedDict, problems: DiagnosticList) -> dict[str, Any]:
    """The fields of `raw["union"]` as text, each one value, the type read by `read_union_type` (企业 → enterprise);
    a ruleset test's union (which may give only some fields) is read the same way."""
    union = raw["union"]
    check_union_texts(raw, union, problems)
    found = {key: str(value) for key, value in union.items() if value is not None}
    if union.get("type") not in (None, ""):
        try:
            found["type"] = str(read_union_type(union["type"]))
        except CellError as error:
            problems.add(mark_at(raw, ("union", "type")), "fact-union-type", f"union.type：{error}")
    return found


def check_union_texts(raw: MarkedDict, union: dict, problems: DiagnosticList) -> None:
    """Each header field (id, name, township …) one value, as in a spreadsheet's cell: a list or a mapping would be
    shown as Python's text 「['a']」 in reports and page names; an id as `read_union_id` reads it. The type is
    checked by `read_union_type`."""
    for key, value in union.items():
        if key == "type":
            continue
        try:
            one_value(value, "一段文字")
            if key == "id":
                read_union_id(value)
        except CellError as error:
            problems.add(mark_at(raw, ("union", key)), "fact-union", f"union.{key}：{error}")


def check_period(raw: MarkedDict, problems: DiagnosticList) -> int | None:
    period = raw.get("period")
    if isinstance(period, bool) or not isinstance(period, (int, str, type(None))):
        problems.add(mark_at(raw, ("period",)), "fact-period", f"period 应为年度（如 2025），实际为 “{period}”")
        return None
    try:
        return read_period(period)
    except CellError:
        problems.add(mark_at(raw, ("period",)), "fact-period", f"period 应为年度（如 2025），实际为 “{period}”")
        return None


def flatten(facts: Any, where: Mark, problems: DiagnosticList) -> tuple[dict[str, Any], dict[str, Mark]]:
    """Nested mappings become dotted paths: {committee: {elected: true}} → committee.elected.

    Fact files and ruleset test cases both go through here. A fact given twice (nested and
    dotted) is a diagnostic; null is kept, and means the fact is absent."""
    if facts is None:
        return {}, {}
    if not isinstance(facts, MarkedDict):
        problems.add(where, "fact-shape", "facts 应为映射（事实名: 值）")
        return {}, {}
    values: dict[str, Any] = {}
    marks: dict[str, Mark] = {}
    stack: list[tuple[str, MarkedDict]] = [("", facts)]
    while stack:
        prefix, mapping = stack.pop()
        for key, value in mapping.items():
            path = f"{prefix}{key}"
            mark = mapping.value_marks.get(key, mapping.mark)
            if isinstance(value, MarkedDict):
                stack.append((path + ".", value))
            elif path in values:  # given both nested and dotted: neither value may silently win
                first, again = sorted((marks[path], mark))
                problems.add(again, "fact-duplicate", f"事实 “{path}” 重复（第 {first.line} 行已给出）")
            else:
                values[path], marks[path] = value, mark
    return values, marks


@dataclass(frozen=True, slots=True)
class Judgment:
    """An item the assessors judge: the fact with their points, within [low, high], and the fact with their note."""

    item: str  # the item's name
    points: str
    note: str
    low: Number
    high: Number


def judgments(rulesets: Iterable[Ruleset]) -> tuple[Judgment, ...]:
    """Every judged item of the rulesets (engine/kinds/judged.py)."""
    found = []
    for ruleset in rulesets:
        for item in ruleset.item_index.values():
            if isinstance(item.kind, Judged):
                found.append(Judgment(item.name, *item.kind.facts, item.kind.low, item.points))
    return tuple(found)


@dataclass(frozen=True)
class FactChecker:
    """Checks fact files against a set of declarations through their generated JSON Schema."""

    decls: tuple[FactDecl, ...]
    validator: Any
    judged: tuple[Judgment, ...] = ()

    @classmethod
    def of(cls, decls: Iterable[FactDecl], judged: tuple[Judgment, ...] = ()) -> FactChecker:
        decls = tuple(decls)
        return cls(decls, validator(decls), judged)

    def check(self, fact_file: FactFile) -> tuple[dict[str, Any], list[Diagnostic]]:
        """The declared facts as exact runtime values; absent and null facts are left out. A value is
        read as a person means it (「42人」, 「是」, 「95%」: the rules of engine/facts/cells.py, for fact
        files as for spreadsheets); one that does not fit its declaration is a diagnostic (and left out
        too), and so is a fact no ruleset declares (with the declared fact it most resembles)."""
        values, problems = self.each(fact_file, self.decls)
        return values, problems + self.together(fact_file, values)

    def changed(self, fact_file: FactFile, checked: dict[str, Any], names: Iterable[str]) -> tuple[dict[str, Any], list[Diagnostic]]:
        """`check` of `fact_file`, given `checked`: what `check` found, without a problem, of the fact file
        this one was before its facts `names` were changed (by this checker or one of more rulesets, whose
        declarations never conflict). Only the changed facts are read again; the checks across facts are
        made again in full."""
        names = set(names)
        fresh, problems = self.each(fact_file, [decl for decl in self.decls if decl.name in names])
        values = {}
        for decl in self.decls:  # in declared order, as `check` gives them
            source = fresh if decl.name in names else checked
            if decl.name in source:
                values[decl.name] = source[decl.name]
        return values, problems + self.together(fact_file, values)

    def each(self, fact_file: FactFile, decls: Iterable[FactDecl]) -> tuple[dict[str, Any], list[Diagnostic]]:
        """The checks of each fact on its own: the `decls` facts as runtime values, and their problems."""
        present, problems = self.read(fact_file, decls)
        errors = fact_errors(present, self.decls, self.validator)
        problems += [Diagnostic(fact_file.mark(n), "fact-type", message, "error", len(str(present[n]))) for n, message in errors]
        bad = {name for name, _ in errors}
        return {d.name: convert(d, present[d.name]) for d in self.decls if d.name in present and d.name not in bad}, problems

    def together(self, fact_file: FactFile, values: dict[str, Any]) -> list[Diagnostic]:
        """The checks across facts (a count within its ceiling, a judged item's note) and of undeclared names."""
        problems = cross_checks(fact_file, values, self.ceilings, self.labels)
        problems.extend(judging_checks(fact_file, values, self.judged, self.labels))
        return problems + self.undeclared(fact_file)

    @cached_property
    def past(self) -> tuple[FactDecl, ...]:
        """The dates of what has happened (`past`), never after the assessment date."""
        return tuple(decl for decl in self.decls if decl.past)

    def after(self, fact_file: FactFile, values: dict[str, Any], as_of: dt.date) -> list[Diagnostic]:
        """`fact-future-date`: a date of what has happened that falls after the assessment date."""
        return [Diagnostic(fact_file.mark(decl.name), "fact-future-date",
                           f"{decl.label} {values[decl.name].isoformat()} 晚于评估日期 {as_of.isoformat()}：这是已发生的事，请核对（常见于年份写错）")
                for decl in self.past if decl.name in values and values[decl.name] > as_of]

    @cached_property
    def ceilings(self) -> dict[str, str]:
        return ceilings(self.decls)

    @cached_property
    def labels(self) -> dict[str, str]:
        """Each declared fact's label, by name (made once: a plan checks a union again and again)."""
        return {decl.name: decl.label for decl in self.decls}

    def read(self, fact_file: FactFile, decls: Iterable[FactDecl]) -> tuple[dict[str, Any], list[Diagnostic]]:
        present, problems = {}, []
        for decl in decls:
            raw = fact_file.facts.get(decl.name)
            try:
                value = read_cell(raw, decl) if fact_file.as_typed else raw
            except CellError as error:
                message = f"{labelled(decl.name, decl.label)}：{error}"
                problems.append(Diagnostic(fact_file.mark(decl.name), "fact-type", message, "error", len(str(raw))))
                continue
            if value is not None:
                present[decl.name] = value
        return present, problems

    def undeclared(self, fact_file: FactFile) -> list[Diagnostic]:
        """Facts that no ruleset of the run declares and no bundled ruleset knows: a misspelt name
        would otherwise leave the fact 缺资料 without a word."""
        stray = [name for name in fact_file.facts if name not in self.labels]
        if not stray:
            return []
        known = {**bundled_declarations(), **{decl.name: decl for decl in self.decls}}
        return [undeclared_fact(fact_file.mark(name), name, known) for name in stray if name not in known]


def undeclared_fact(mark: Mark, name: str, known: dict[str, FactDecl]) -> Diagnostic:
    like = closest(name, known)
    hint = f"，是否指 “{like}”（{known[like].label}）？" if like else "；请核对事实名称（可用 unionscore template 查看全部事实）"
    return Diagnostic(mark, "fact-undeclared", f"规则集中没有事实 “{visible(name)}”{hint}", "error", len(name))


@cache
def bundled_declarations() -> dict[str, FactDecl]:
    """The facts the bundled rulesets declare: a fact file kept for all standards may be assessed
    with only some of them (`--ruleset bayou`), and its other facts are not mistakes."""
    return merged_declarations(resolve_rulesets())


_CHECKERS: dict[tuple[tuple[str, str], ...], FactChecker] = {}


def fact_checker(rulesets: list[Ruleset]) -> FactChecker:
    """One checker for the facts of all the rulesets assessed together (they share one vocabulary)."""
    key = tuple((r.id, r.hash) for r in rulesets)
    if key not in _CHECKERS:
        _CHECKERS[key] = FactChecker.of(merged_declarations(rulesets).values(), judgments(rulesets))
    return _CHECKERS[key]


def merged_declarations(rulesets: Iterable[Ruleset]) -> dict[str, FactDecl]:
    """Every fact the rulesets declare, first declaration first (conflicts are refused at load)."""
    found: dict[str, FactDecl] = {}
    for ruleset in rulesets:
        for name, decl in ruleset.facts.items():
            found.setdefault(name, decl)
    return found


def typed_facts(fact_file: FactFile, decls: Iterable[FactDecl]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The declared facts of one fact file, checked (see `FactChecker`)."""
    return FactChecker.of(decls).check(fact_file)


def convert(decl: FactDecl, raw: Any) -> Any:
    """A schema-valid value as the runtime value of its declared type."""
    if decl.type == "list":
        return [SCALARS[decl.items](item) for item in raw]
    return SCALARS[decl.type](raw)


def to_boolean(raw: Any) -> bool:
    return raw if isinstance(raw, bool) else raw in TRUE_WORDS


def to_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(raw.strip())


SCALARS: dict[str, Callable[[Any], Any]] = {"integer": int, "number": exact, "boolean": to_boolean, "string": str, "enum": str, "date": to_date}


def judging_checks(fact_file: FactFile, values: dict[str, Any], judged: tuple[Judgment, ...], labels: dict[str, str]) -> list[Diagnostic]:
    """Points the assessors give are within the item's range and come with a note (「酌情给分」 says why)."""
    problems = []
    for judgment in judged:
        given = values.get(judgment.points)
        if given is None:
            continue
        if not judgment.low <= given <= judgment.high:
            span = f"{fmt_number(judgment.low)} 到 {fmt_number(judgment.high)} 分之间"
            message = f"“{judgment.item}”由考核组在 {span}酌情给分，“{labels[judgment.points]}”（{judgment.points}）实际为 {fmt_number(given)}"
            problems.append(Diagnostic(fact_file.mark(judgment.points), "judged-range", message, "error", len(str(given))))
        if not str(values.get(judgment.note) or "").strip():
            message = f"“{judgment.item}”已评定 {fmt_number(given)} 分，须在“{labels[judgment.note]}”（{judgment.note}）中写明评分理由"
            problems.append(Diagnostic(fact_file.mark(judgment.points), "judged-note", message))
    return problems


def cross_checks(fact_file: FactFile, values: dict[str, Any], ceilings: dict[str, str], labels: dict[str, str]) -> list[Diagnostic]:
    """A count above the fact it may not exceed (`ceilings`, as `engine.language.vocabulary.ceilings` gives them)."""
    problems = []
    for name, ceiling in ceilings.items():
        value, limit = values.get(name), values.get(ceiling)
        if value is not None and limit is not None and value > limit:
            message = f"{labelled(name, labels[name])}{fmt_number(value)} 大于{labelled(ceiling, labels[ceiling])}{fmt_number(limit)}"
            problems.append(Diagnostic(fact_file.mark(name), "fact-members" if AT_MOST.get(name) == ceiling else "fact-at-most", message))
    return problems
