"""`unionscore diff` for people (a Chinese table) and programs (JSON).

The table lists the changes, then, given facts, the level counts before and after and the
unions whose level changes (the first 100), with their scores and the items that moved them. The JSON carries the
same, with every union whose level or score changes and all of its item deltas.
"""
from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import tabulate as tabulate_module
from tabulate import tabulate

from ..values import fmt_number, json_score
from .diff import PART_TEXT, Change
from .impact import Impact, ItemDelta, Standing, UnionImpact, Version

LISTED = 100  # unions that change level listed in the terminal: a province may move thousands (all are in the JSON)

tabulate_module.WIDE_CHARS_MODE = True


def version_title(version: Version) -> str:
    ruleset = version.ruleset
    return f"{ruleset.name}（{' '.join(filter(None, (ruleset.id, ruleset.version)))}，{shown_path(ruleset.path)}）"


def shown_path(path: str) -> str:
    """A path as short as it can be said: relative to the working folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def level_order(old: Version, new: Version) -> list[str]:
    """Level names as the new version lists them, then those only the old version has."""
    return [level.name for version in (new, old) for level in version.ruleset.levels]


def diff_table(old: Version, new: Version, changes: list[Change], impact: Impact | None, sources: Sequence[str]) -> str:
    """The whole comparison as text for the terminal."""
    blocks = [f"规则集对比：{version_title(old)}\n        → {version_title(new)}", changes_block(changes)]
    blocks[:0] = [different_text(old, new)] if unrelated(old, new) else []
    if impact is not None:
        blocks += [impact_block(impact, sources, level_order(old, new), Why.of(old, new, changes))]
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class Why:
    """What a moved union's reasons are written from: the levels, best first (the new version's, then those
    only the old has), each level's rule changes, and the items each level needs met (None: every required item)."""

    ranks: dict[str, int]
    level_changes: dict[str, list[Change]]
    needs: dict[str, frozenset[str] | None]

    @classmethod
    def of(cls, old: Version, new: Version, changes: list[Change]) -> Why:
        levels = {level.id: level for version in (old, new) for level in version.ruleset.levels}  # the new version's win
        ids = list(dict.fromkeys(level.id for version in (new, old) for level in version.ruleset.levels))
        needs = {lid: None if level.requires_all_required else frozenset(r.item for r in level.requires if r.item) for lid, level in levels.items()}
        by_level: dict[str, list[Change]] = {}
        for change in changes:
            if change.part == "level":
                by_level.setdefault(change.id, []).append(change)
        return cls({lid: rank for rank, lid in enumerate(ids)}, by_level, needs)

    def rank(self, standing: Standing) -> int:
        """0 for the best level; no level after every level, not eligible last."""
        return self.ranks.get(standing.level or "", len(self.ranks)) if standing.eligible else len(self.ranks) + 1

    def between(self, old: Standing, new: Standing) -> list[str]:
        """The levels the union holds under one version and not the other: from the better one down to, not
        including, the worse one."""
        low, high = sorted((self.rank(old), self.rank(new)))
        return [lid for lid, rank in self.ranks.items() if low <= rank < high]


def unrelated(old: Version, new: Version) -> bool:
    """Two different standards: different ids, and neither extends the other (a county variant of its
    province's standard is a comparison worth making)."""
    a, b = old.ruleset, new.ruleset
    return a.id != b.id and a.id not in b.lineage and b.id not in a.lineage


def different_text(old: Version, new: Version) -> str:
    """Said first when the two files are different standards, not two versions of one."""
    return (f"注意：两者是不同的规则集（{old.ruleset.id}「{old.ruleset.name}」与 {new.ruleset.id}「{new.ruleset.name}」），"
            "不是同一规则集的两个版本；以下按相同的 id 逐项比较，仅供参考。")


def changes_block(changes: list[Change]) -> str:
    if not changes:
        return "规则变化：无（两个版本的计分规则相同）"
    rows = [[PART_TEXT[c.part], c.id, c.name, c.what, c.old, c.new] for c in changes]
    table = tabulate(rows, headers=["部分", "id", "名称", "变化", "原", "新"], tablefmt="simple", disable_numparse=True)
    return f"规则变化（{len(changes)} 处）：\n{table}"


def impact_block(impact: Impact, sources: Sequence[str], order: list[str], why: Why) -> str:
    moved = [u for u in impact.changed if u.level_changed]
    rescored = len(impact.changed) - len(moved)
    lines = [
        f"对 {'、'.join(sources)} 的影响：评估 {impact.assessed} 个工会，失败 {len(impact.failures)} 个。",
        f"等级变化 {len(moved)} 个，仅分数变化 {rescored} 个，不变 {impact.assessed - len(impact.changed)} 个。",
        "", "等级分布：", level_table(impact, order),
    ]
    if moved:
        lines += ["", "等级变化的工会：", union_table(moved[:LISTED], why)]
        lines += [f"……共 {len(moved)} 个，这里列出前 {LISTED} 个；全部见 --format json。"] if len(moved) > LISTED else []
    return "\n".join(lines)


def level_table(impact: Impact, order: list[str]) -> str:
    rows = [[name, before, after, signed(after - before)] for name, before, after in impact.level_counts(order)]
    return tabulate(rows, headers=["等级", "原", "新", "变化"], tablefmt="simple", disable_numparse=True)


def union_table(unions: list[UnionImpact], why: Why) -> str:
    rows = [[u.union.get("id", ""), u.union.get("name", ""), standing_text(u.old), standing_text(u.new), reasons(u, why)] for u in unions]
    return tabulate(rows, headers=["编号", "名称", "原等级（得分）", "新等级（得分）", "主要原因"], tablefmt="simple", disable_numparse=True)


def standing_text(standing: Standing | None) -> str:
    return f"{standing.level_name}（{fmt_number(standing.score)}）" if standing else ""


def reasons(union: UnionImpact, why: Why, limit: int = 3) -> str:
    """Why a union changed level: the rules of the levels it left or reached that changed (「先进职工之家最低分
    80→85」); required items, vetoes and eligibility that changed, where they decide those levels; then the
    items whose points moved it that way, most first (「会员入会率 8→5」); when nothing did, what is left."""
    old, new = union.old, union.new
    if old is None or new is None:
        return ""
    crossed = why.between(old, new)
    rules = [f"{c.name}{c.what} {c.old}→{c.new}" if c.change == "changed" else f"{c.what}等级“{c.name}”"
             for lid in crossed for c in why.level_changes.get(lid, [])]
    down = why.rank(new) > why.rank(old)
    moved = [d for d in union.deltas() if d.rescales or (d.delta < 0) == down]
    found = rules + level_notes(old, new, deciding(why, crossed)) + [delta_text(d) for d in moved[:limit]]
    return "；".join(found) or ("得分未变，等级条件变化" if old.score == new.score else "折算或加分变化")


def deciding(why: Why, levels: list[str]) -> Callable[[str], bool]:
    """Whether a required item's failing decides one of `levels` (it requires every required item, or this one)."""
    needs = [why.needs.get(lid, frozenset()) for lid in levels]
    return lambda item: any(need is None or item in need for need in needs)


def level_notes(old: Standing, new: Standing, decides: Callable[[str], bool]) -> list[str]:
    """「缺资料：开展会员评家」 (a fact the new version reads that the sources lack), 「必备项未达标：会员入会率」
    (where it decides the level), 「一票否决：…」, 「不具备申报资格」 when they differ between versions."""
    notes = []
    for label, lost_label, before, after in (("缺资料", "补齐资料", old.missing, new.missing),
                                             ("必备项未达标", "必备项转为达标", [k for k in old.required_failed if decides(k)],
                                              [k for k in new.required_failed if decides(k)]),
                                             ("一票否决", "不再否决", old.vetoes, new.vetoes)):
        gained, lost = [k for k in after if k not in before], [k for k in before if k not in after]
        notes += [f"{label}：{names(gained, new, old)}"] if gained else []
        notes += [f"{lost_label}：{names(lost, old, new)}"] if lost else []
    if old.eligible != new.eligible:
        notes.append("具备申报资格" if new.eligible else "不具备申报资格")
    return notes


def names(ids: list[str], first: Standing, second: Standing) -> str:
    return "、".join(first.names.get(key) or second.names.get(key, key) for key in ids)


def delta_text(delta: ItemDelta) -> str:
    if delta.rescales:
        return f"“{delta.name}”{'不再适用，不计入总分' if delta.counted[0] else '改为适用，计入总分'}（按适用指标折算）"
    if delta.old is None:
        return f"新增“{delta.name}” {signed(delta.delta)}"
    if delta.new is None:
        return f"删除“{delta.name}” {signed(delta.delta)}"
    return f"{delta.name} {fmt_number(delta.old)}→{fmt_number(delta.new)}"


def signed(value: Any) -> str:
    return f"+{fmt_number(value)}" if value > 0 else fmt_number(value)


# JSON -----------------------------------------------------------------------------------------
def write_diff_json(out: TextIO, old: Version, new: Version, changes: list[Change], impact: Impact | None, sources: Sequence[str]) -> None:
    """The comparison as JSON (indented by 2). A province's changed unions are encoded and written one at a
    time into the place the rest of the document leaves for them, never all held as dicts or as text."""
    document = {
        "unrelated": unrelated(old, new), "notice": different_text(old, new) if unrelated(old, new) else None,
        "old": version_json(old), "new": version_json(new), "changes": [c.to_json() for c in changes],
        "impact": impact_json(impact, sources, level_order(old, new)) if impact is not None else None,
    }
    head, _, tail = json.dumps(document, ensure_ascii=False, indent=2).rpartition(json.dumps(CHANGED))
    out.write(head)
    if impact is not None:
        write_changed(out, impact.changed)
    out.write(tail + "\n")


CHANGED = "\0changed"  # where the changed unions go: the document's last value, found from the end whatever a union is called


def write_changed(out: TextIO, unions: Sequence[UnionImpact]) -> None:
    """The JSON array of the changed unions as `json.dumps(indent=2)` lays it out at the depth of
    document["impact"]["changed"]: JSON text has no line breaks inside strings, so indenting lines is safe."""
    if not unions:
        out.write("[]")
        return
    out.write("[")
    for index, union in enumerate(unions):
        out.write(("," if index else "") + "\n" + textwrap.indent(json.dumps(union_json(union), ensure_ascii=False, indent=2), " " * 6))
    out.write("\n    ]")


def version_json(version: Version) -> dict:
    ruleset = version.ruleset
    return {"id": ruleset.id, "name": ruleset.name, "version": ruleset.version, "hash": ruleset.hash, "path": ruleset.path}


def impact_json(impact: Impact, sources: Sequence[str], order: list[str]) -> dict:
    return {
        "sources": list(sources), "assessed": impact.assessed,
        "failed": [{"origin": u.origin, "union": u.union or None, "errors": u.errors} for u in impact.failures],
        "level_counts": [{"level": name, "old": before, "new": after} for name, before, after in impact.level_counts(order)],
        "changed": CHANGED,
    }


def union_json(union: UnionImpact) -> dict:
    return {
        "union": union.union, "origin": union.origin, "level_changed": union.level_changed,
        "old": standing_json(union.old), "new": standing_json(union.new),
        "items": [{"id": d.id, "name": d.name, "old": score(d.old), "new": score(d.new), "delta": json_score(d.delta), "counted": list(d.counted)}
                  for d in union.deltas()],
    }


def standing_json(standing: Standing | None) -> dict | None:
    if standing is None:
        return None
    return {"score": json_score(standing.score), "level": standing.level, "level_name": standing.level_name,
            "eligible": standing.eligible, "required_failed": list(standing.required_failed), "vetoes": list(standing.vetoes),
            "missing": list(standing.missing)}


def score(value: Any) -> Any:
    return None if value is None else json_score(value)
