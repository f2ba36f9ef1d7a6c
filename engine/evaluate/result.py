"""What an assessment produces, per union and ruleset, and its stable JSON form."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..values import Number, json_score, to_json_value


@dataclass(frozen=True, slots=True)
class ItemScore:
    id: str
    name: str
    section: str
    outcome: str
    points: Number
    max_points: Number
    reason: str
    facts: dict[str, Any]
    fix: str | None = None
    required: bool = False
    knockout: bool = False
    branch: int | None = None  # which branch of the item's kind gave the points: the tier (not in the JSON form)
    deductions: tuple[int, ...] = ()  # indexes of the deductions that took points (not in the JSON form)

    @property
    def lost(self) -> Number:
        return self.max_points - self.points

    def to_json(self) -> dict:
        return {
            "id": self.id, "name": self.name, "section": self.section, "outcome": self.outcome,
            "points": json_score(self.points), "max_points": json_score(self.max_points),
            "reason": self.reason, "facts": {k: to_json_value(v) for k, v in self.facts.items()},
        }


@dataclass(frozen=True, slots=True)
class SectionScore:
    id: str
    name: str
    points: Number
    max_points: Number
    depth: int

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "points": json_score(self.points),
                "max_points": json_score(self.max_points), "depth": self.depth}


@dataclass(frozen=True, slots=True)
class Gap:
    item: str
    name: str
    points_lost: Number
    fix: str
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"item": self.item, "name": self.name, "points_lost": json_score(self.points_lost),
                "fix": self.fix, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class RulesetResult:
    """One union assessed against one ruleset."""

    ruleset: dict[str, str]
    score: Number
    max_score: Number
    bonus: Number
    level: dict[str, str] | None
    eligible: bool
    vetoes: list[str]
    required_failed: list[str]
    items: list[ItemScore]
    bonus_items: list[ItemScore]
    sections: list[SectionScore]
    gaps: list[Gap]
    notes: list[str] = field(default_factory=list)
    veto_names: dict[str, str] = field(default_factory=dict)
    veto_reasons: dict[str, str] = field(default_factory=dict)  # the figures that fired each veto hit
    short_name: str = ""  # how reasons of rulesets that use this one name it (not in the JSON form)
    level_names: dict[str, str] = field(default_factory=dict)  # every level's name by id (not in the JSON form)

    def outcome_of(self, item_id: str) -> str | None:
        return next((i.outcome for i in self.items + self.bonus_items if i.id == item_id), None)

    def to_json(self) -> dict:
        return {
            "ruleset": self.ruleset, "score": json_score(self.score), "max_score": json_score(self.max_score),
            "bonus": json_score(self.bonus), "level": self.level, "eligible": self.eligible,
            "vetoes": self.vetoes, "veto_details": [self.veto_json(v) for v in self.vetoes],
            "required_failed": self.required_failed,
            "sections": [s.to_json() for s in self.sections],
            "items": [i.to_json() for i in self.items + self.bonus_items], "gaps": [g.to_json() for g in self.gaps],
            "notes": self.notes,
        }

    def veto_json(self, veto: str) -> dict:
        return {"id": veto, "name": self.veto_names.get(veto, veto), "reason": self.veto_reasons.get(veto, "")}


def union_json(union: dict[str, Any], period: int | None) -> dict:
    keys = ("id", "name", "type", "county", "township")
    return {**{k: union.get(k) for k in keys}, "period": period}
