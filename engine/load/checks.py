"""Semantic checks on a built ruleset: the things a schema cannot say."""
from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Mark
from ..kinds import Judged
from ..language.limits import MAX_ITEMS
from ..language.model import Ruleset, Section
from ..values import fmt_number


def semantic_problems(ruleset: Ruleset, mark: Mark) -> list[Diagnostic]:
    """Every semantic problem of a ruleset; `mark` locates the ruleset header."""
    problems: list[Diagnostic] = []
    for check in (check_size, check_ids, check_balance, check_max_score, check_kinds, check_judged, check_levels, check_vetoes):
        problems.extend(check(ruleset, mark))
    return problems


def error(mark: Mark, code: str, message: str) -> Diagnostic:
    return Diagnostic(mark, code, message)


def all_sections(sections: tuple[Section, ...]) -> Iterator[Section]:
    for section in sections:
        yield section
        yield from all_sections(section.sections)


def check_size(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    count = len(ruleset.every_item())
    if count > MAX_ITEMS:
        yield error(mark, "items-too-many", f"规则集有 {count} 个指标（含加分项），超过 {MAX_ITEMS} 个：整改规划无法在合理时间内完成")


def check_ids(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    seen: dict[str, Mark] = {}
    named = [(s.id, s.mark) for s in all_sections(ruleset.sections)]
    named += [(i.id, i.mark) for i in ruleset.every_item()] + [(v.id, v.mark) for v in ruleset.vetoes]
    for key, where in named:
        if key in seen:
            yield error(where, "duplicate-id", f"id “{key}” 重复（第 {seen[key].line} 行已使用）")
        seen.setdefault(key, where)
    levels: dict[str, Mark] = {}
    for level in ruleset.levels:
        if level.id in levels:
            yield error(level.mark, "duplicate-id", f"等级 id “{level.id}” 重复（第 {levels[level.id].line} 行已使用）")
        levels.setdefault(level.id, level.mark)


def check_balance(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    for section in all_sections(ruleset.sections):
        total = sum((i.points for i in section.items), 0) + sum((s.max for s in section.sections), 0)
        if total != section.max and not section.allow_unbalanced:
            yield error(
                section.mark, "section-balance",
                f"分项 “{section.name}”（{section.id}）满分 {fmt_number(section.max)}，下级合计 {fmt_number(total)}；"
                "请调整分值，或写 allow_unbalanced: true",
            )


def check_max_score(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    total = sum((s.max for s in ruleset.sections), 0)
    if total != ruleset.max_score:
        yield error(mark, "max-score", f"max_score 为 {fmt_number(ruleset.max_score)}，各一级指标满分合计 {fmt_number(total)}")


def check_kinds(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    """What only an item's kind can check (a tier worth more than the item, …)."""
    for item in ruleset.every_item():
        yield from item.kind.problems(item.id, item.points, item.mark)


def check_judged(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    """A judged item's points and note are declared facts (a number, a text) that the assessors fill in."""
    wanted = (("fact", ("integer", "number"), "数值"), ("note", ("string",), "文本"))
    for item in ruleset.item_index.values():
        if not isinstance(item.kind, Judged):
            continue
        for (key, types, text), name in zip(wanted, item.kind.facts):
            decl = ruleset.facts.get(name)
            if decl is None or decl.type not in types:
                yield error(item.mark, "judged-fact", f"指标 “{item.id}” 的 judged.{key} “{name}” 应为 facts 中声明的{text}事实")


def check_levels(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    top = {s.id for s in ruleset.sections}
    for upper, lower in zip(ruleset.levels, ruleset.levels[1:]):
        if lower.min > upper.min:
            yield error(lower.mark, "level-order", f"等级应从高到低排列：“{lower.name}” 的 min 高于上一级 “{upper.name}”")
    for level in ruleset.levels:
        unknown = sorted(set(level.section_min) - top) if isinstance(level.section_min, dict) else []
        for key in unknown:
            yield error(level.mark, "level-section-min", f"等级 “{level.id}” 的 section_min 中 “{key}” 不是一级指标 id")


def check_vetoes(ruleset: Ruleset, mark: Mark) -> Iterator[Diagnostic]:
    levels = {level.id for level in ruleset.levels}
    for veto in ruleset.vetoes:
        if veto.effect == "cap" and veto.cap_level not in levels:
            wanted = f"“{veto.cap_level}” 不是本规则集的等级 id" if veto.cap_level else "需要 cap_level"
            yield error(veto.mark, "veto-cap-level", f"否决项 “{veto.id}” 的 effect 为 cap，{wanted}")
