"""What changed between two versions of a ruleset, part by part, as `Change` records.

Both versions are compared as loaded (every `extends` applied), so a county variant is
compared with the standard it tailors by what it grades, not by how its file is written.
Each part (facts, derived values, sections, items, vetoes, gate, levels …) is reduced to a
flat record of display texts, field by field (`tiers[1].when`, `deduct[2].points`, expression
texts as written), and two records are compared key by key.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..evaluate.cohort import rule_text
from ..kinds import kind_fields
from ..language.conditions import Cond
from ..language.kind import Record
from ..language.model import Deduction, FactDecl, Item, Level, Ruleset, Section, Veto
from ..load.checks import all_sections
from ..values import fmt_number

PART_TEXT = {
    "ruleset": "规则集", "fact": "事实", "derive": "派生值", "section": "分项", "item": "指标",
    "bonus": "加分", "veto": "否决项", "gate": "申报条件", "level": "等级",
}
CHANGE_TEXT = {"added": "新增", "removed": "删除"}
FIELD_TEXT = {
    "id": "id", "name": "名称", "version": "版本", "max_score": "满分", "na": "不适用时", "uses": "uses", "points": "分值",
    "section": "所属分项", "kind": "计分方式",
    "applies_if": "适用条件", "zero_if": "不得分条件", "required": "必备", "max_deduct": "最多扣分", "max": "满分",
    "allow_unbalanced": "允许不平衡", "counts_for_level": "计入定级", "effect": "效果", "cap_level": "最高等级",
    "min": "最低分", "section_min": "分项最低得分率", "requires": "其他要求", "requires_all_required": "必备项全部达标",
    "type": "类型", "label": "中文名称", "unit": "单位", "values": "可选值", "items": "元素类型", "expression": "表达式",
    "cohort": "按排名评定", "unstated": "原文未给出",
    "deduct[].name": "第 {} 项扣分名称", "deduct[].when": "第 {} 项扣分条件", "deduct[].points": "第 {} 项扣分分值",
    "deduct[].count": "第 {} 项扣分次数", "deduct[].each": "第 {} 项扣分每次扣分", **kind_fields(),
}
INDEXED = re.compile(r"(\w+)\[(\d+)\]\.(\w+)")
SUMMARY = {  # what an added or removed part shows: (field, how)
    "fact": ("type", "{}"), "derive": ("expression", "{}"), "section": ("max", "满分 {} 分"), "item": ("points", "{} 分"),
    "veto": ("when", "{}"), "gate": ("when", "{}"), "level": ("min", "{} 分以上"),
}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: a part added or removed, or one field of it changed (texts as shown)."""

    part: str
    id: str
    name: str
    change: str  # added | removed | changed
    field: str = ""
    old: str = ""
    new: str = ""

    @property
    def what(self) -> str:
        """「新增」, 「删除」, or the changed field in Chinese: 「第 1 档条件」."""
        return CHANGE_TEXT.get(self.change) or field_text(self.field)

    def to_json(self) -> dict:
        return {"part": self.part, "id": self.id, "name": self.name, "change": self.change,
                "field": self.field or None, "old": self.old or None, "new": self.new or None}


def field_text(field: str) -> str:
    """A record key in Chinese: `tiers[1].when` → 第 1 档条件, `points` → 分值."""
    found = INDEXED.fullmatch(field)
    if found:
        return FIELD_TEXT.get(f"{found[1]}[].{found[3]}", field).format(found[2])
    return FIELD_TEXT.get(field, field)


def ruleset_changes(old: Ruleset, new: Ruleset) -> list[Change]:
    """Every difference between two loaded rulesets, part by part, in file order."""
    parts: list[tuple[str, dict[str, Any], dict[str, Any], Callable[[Any], Record]]] = [
        ("ruleset", {new.id: old}, {new.id: new}, header_record),
        ("fact", old.facts, new.facts, fact_record),
        ("derive", dict(old.derive), dict(new.derive), lambda e: {"expression": e.text}),
        ("section", sections(old), sections(new), section_record),
        ("item", items(old), items(new), item_record),
        ("bonus", bonus(old), bonus(new), bonus_record),
        ("veto", {v.id: v for v in old.vetoes}, {v.id: v for v in new.vetoes}, veto_record),
        ("gate", gate(old), gate(new), lambda g: {"name": g.name, "when": text(g.when)}),
        ("level", {lv.id: lv for lv in old.levels}, {lv.id: lv for lv in new.levels}, level_record),
    ]
    return [change for part, before, after, record in parts for change in compare(part, before, after, record)]


def compare(part: str, old: dict[str, Any], new: dict[str, Any], record: Callable[[Any], Record]) -> Iterator[Change]:
    """Removed and changed parts in the old order, then added ones in the new order."""
    for key in list(old) + [key for key in new if key not in old]:
        before = record(old[key]) if key in old else None
        after = record(new[key]) if key in new else None
        name = (after or before or {}).get("name") or title(new.get(key, old.get(key)))
        if before is not None and after is not None:
            yield from field_changes(part, key, name, before, after)
        else:
            yield presence(part, key, name, before, after)


def field_changes(part: str, key: str, name: str, before: Record, after: Record) -> Iterator[Change]:
    for field in list(before) + [f for f in after if f not in before]:
        if before.get(field, "") != after.get(field, ""):
            yield Change(part, key, name, "changed", field, before.get(field, ""), after.get(field, ""))


def presence(part: str, key: str, name: str, before: Record | None, after: Record | None) -> Change:
    """A part only one version has, with a short summary (「2 分」, 「满分 22 分」)."""
    field, how = SUMMARY.get(part, ("", "{}"))
    record = after if after is not None else before or {}
    shown = how.format(record[field]) if record.get(field) else ""
    return Change(part, key, name, "added", new=shown) if after is not None else Change(part, key, name, "removed", old=shown)


def title(part: Any) -> str:
    """A part's Chinese name, for parts whose record has no `name` (facts: their label)."""
    return getattr(part, "label", "") or getattr(part, "name", "") or ""


def text(cond: Cond | None) -> str:
    return cond.expr.text if cond is not None else ""


def number(value: Any) -> str:
    return "" if value is None else fmt_number(value)


# records ---------------------------------------------------------------------------------------
def header_record(ruleset: Ruleset) -> Record:
    return {"id": ruleset.id, "name": ruleset.name, "version": ruleset.version, "max_score": number(ruleset.max_score), "na": ruleset.na,
            "uses": "、".join(ruleset.uses)}


def fact_record(decl: FactDecl) -> Record:
    return {"label": decl.label, "type": decl.type, "unit": decl.unit, "min": number(decl.min), "max": number(decl.max),
            "values": "、".join(decl.values), "items": decl.items}


def sections(ruleset: Ruleset) -> dict[str, Section]:
    return {section.id: section for section in all_sections(ruleset.sections)}


def section_record(section: Section) -> Record:
    found = {"name": section.name, "max": number(section.max), "allow_unbalanced": "是" if section.allow_unbalanced else "",
             "max_deduct": number(section.max_deduct)}
    return found | deduction_records(section.deduct)


def items(ruleset: Ruleset) -> dict[str, Item]:
    """Every scored item and bonus item by id (ids are unique across both)."""
    return {item.id: item for item in ruleset.every_item()}


def item_record(item: Item) -> Record:
    """An item's scoring, field by field: base kind, conditions and parameters, deductions."""
    found: Record = {
        "name": item.name, "section": item.section, "points": number(item.points), "kind": item.kind.key,
        "applies_if": text(item.applies_if), "zero_if": text(item.zero_if), **item.kind.record(),
        "na": item.na if item.applies_if else "", "required": "是" if item.required else "",
        "max_deduct": number(item.max_deduct), "unstated": "、".join(item.unstated),
    }
    return {key: value for key, value in (found | deduction_records(item.deduct)).items() if value}


def deduction_records(deductions: tuple[Deduction, ...]) -> Record:
    found: Record = {}
    for index, deduction in enumerate(deductions, 1):
        found |= {f"deduct[{index}].name": deduction.name, f"deduct[{index}].when": text(deduction.when),
                  f"deduct[{index}].points": number(deduction.points) if deduction.when else "",
                  f"deduct[{index}].count": deduction.count.text if deduction.count else "",
                  f"deduct[{index}].each": number(deduction.each) if deduction.count else ""}
    return found


def bonus(ruleset: Ruleset) -> dict[str, Any]:
    return {"bonus": ruleset.bonus} if ruleset.bonus else {}


def bonus_record(part: Any) -> Record:
    return {"name": "加分", "max": "上不封顶" if part.max is None else number(part.max), "counts_for_level": "是" if part.counts_for_level else "否"}


def veto_record(veto: Veto) -> Record:
    return {"name": veto.name, "when": text(veto.when), "effect": veto.effect, "cap_level": veto.cap_level or ""}


def gate(ruleset: Ruleset) -> dict[str, Any]:
    return {"gate": ruleset.gate} if ruleset.gate else {}


def level_record(level: Level) -> Record:
    share = level.section_min
    shares = "、".join(f"{k} {number(v)}" for k, v in share.items()) if isinstance(share, dict) else number(share)
    return {"name": level.name, "min": number(level.min), "section_min": shares,
            "requires": "；".join(r.text for r in level.requires), "requires_all_required": "是" if level.requires_all_required else "",
            "cohort": rule_text(level) if level.cohort else ""}
