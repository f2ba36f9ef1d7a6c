"""What an assessment produces, per union and ruleset, and its stable JSON form."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..pickled import Pickled
from ..values import Number, json_score, to_json_value

if TYPE_CHECKING:
    from .cohort import CohortResult


@dataclass(frozen=True, slots=True)
class ItemScore(Pickled):
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
    json: dict = field(init=False, repr=False, compare=False)  # the JSON form, made when first asked for (`to_json`)

    @property
    def lost(self) -> Number:
        return self.max_points - self.points

    def to_json(self) -> dict:
        """The JSON form, made once: one score stands for every union whose item reads the same values
        (engine/evaluate/item_memo.py), and is written for each of them. Shared: read it, do not change it.
        Made when first asked for, not with the score: most scores the planner makes, for states it only
        tries, are never written."""
        try:
            return self.json
        except AttributeError:
            made = {
                "id": self.id, "name": self.name, "section": self.section, "outcome": self.outcome,
                "points": json_score(self.points), "max_points": json_score(self.max_points),
                "reason": self.reason, "facts": {k: to_json_value(v) for k, v in self.facts.items()},
            }
            object.__setattr__(self, "json", made)  # kept, as the score's own: its fields do not change
            return made


@dataclass(frozen=True, slots=True)
class SectionScore(Pickled):
    id: str
    name: str
    points: Number
    max_points: Number
    depth: int
    deducted: Number | None = None  # what the section's own deductions took; None: it has none
    reason: str = ""  # 「扣分：没有建立职代会制度 −6 分」
    deductions: tuple[int, ...] = ()  # indexes of the section's deductions that took points (not in the JSON form)

    def to_json(self) -> dict:
        found = {"id": self.id, "name": self.name, "points": json_score(self.points),
                 "max_points": json_score(self.max_points), "depth": self.depth}
        if self.deducted is not None:
            found |= {"deducted": json_score(self.deducted), "reason": self.reason}
        return found


@dataclass(frozen=True, slots=True)
class Gap(Pickled):
    item: str
    name: str
    points_lost: Number
    fix: str
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"item": self.item, "name": self.name, "points_lost": json_score(self.points_lost),
                "fix": self.fix, "evidence": list(self.evidence)}


NOT_GRADED = "不参与定级"
NO_LEVEL = "未达到任何等级"
NOT_APPLICABLE = "不适用"  # the standard's gate failed: it does not apply to the union


@dataclass(frozen=True, slots=True)
class LevelRef(Pickled):
    id: str
    name: str

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True, slots=True)
class RulesetRef(Pickled):
    """Which ruleset a result is of: what every result names, and what reasons of rulesets that
    use it need (its short name, its levels' names)."""

    id: str
    name: str
    version: str = ""
    hash: str = ""
    short_name: str = ""
    levels: tuple[LevelRef, ...] = ()  # highest first (not in the JSON form)

    def level_name(self, level_id: str) -> str:
        return next((level.name for level in self.levels if level.id == level_id), level_id)

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "version": self.version, "hash": self.hash}


@dataclass(frozen=True, slots=True)
class VetoHit(Pickled):
    """A veto that fired, and the figures that fired it: 「本年度发生重大劳动安全责任事故 1 起（> 0 起）」."""

    id: str
    name: str
    reason: str = ""

    def text(self) -> str:
        return f"{self.name}：{self.reason}" if self.reason else self.name

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "reason": self.reason}


@dataclass(frozen=True)
class RulesetResult:
    """One union assessed against one ruleset."""

    ruleset: RulesetRef
    score: Number
    max_score: Number
    bonus: Number
    level: LevelRef | None
    eligible: bool
    vetoes: tuple[VetoHit, ...]
    required_failed: list[str]  # item ids
    items: list[ItemScore]
    bonus_items: list[ItemScore]
    sections: list[SectionScore]
    gaps: list[Gap]
    notes: list[str] = field(default_factory=list)  # what else a reader should know (a veto lacking data …)
    applies: bool = True  # the gate held: the standard applies to this union (its type, its age …)
    gate_reason: str = ""  # when it does not: 「未满足申报条件（工会类型：企业）」
    rescaled: str = ""  # items dropped as not applicable: 「不适用 3 项（10 分）不计分，按 90 分折算为 100 分」
    level_score: Number = 0  # the score levels see (the bonus only when it counts for levels)
    ladder: tuple[str, ...] = ()  # every level whose own conditions hold, best first (not in the JSON form)
    cohort: CohortResult | None = None  # levels held by rank in a cohort: pending (assessed alone) or decided

    @property
    def level_text(self) -> str:
        """The level as people read it, decided here alone: the graded level's name; 未达到任何等级
        when the union is graded but meets no level; 不参与定级 when a disqualifying veto ungrades
        it; 不适用 when the standard's gate fails (`gate_reason` says why)."""
        if not self.applies:
            return NOT_APPLICABLE
        if not self.eligible:
            return NOT_GRADED
        level = self.level.name if self.level else NO_LEVEL
        candidate = [place.name for place in self.cohort.places] if self.cohort and not self.cohort.decided else []
        return f"{level}（可参评{'、'.join(candidate)}，待排名）" if candidate else level

    @property
    def possible(self) -> Number:
        """The points the top sections can give this union: less the items dropped as not applicable, so
        below `max_score` when the score is rescaled."""
        return sum((section.max_points for section in self.sections if section.depth == 0), 0)

    @property
    def scaled(self) -> bool:
        """Whether the sections' points are rescaled to `max_score` (items were dropped as not applicable)."""
        possible = self.possible
        return bool(possible) and possible != self.max_score

    @property
    def remarks(self) -> list[str]:
        """The notes, then where the union stands in cohort levels (「“模范职工之家”按…排名…」)."""
        return self.notes + ([place.text for place in self.cohort.places] if self.cohort else [])

    @property
    def all_notes(self) -> list[str]:
        """Every note, as the JSON record gives them: the rescaling, the others, why it is not graded."""
        return ([self.rescaled] if self.rescaled else []) + self.remarks + ([f"{self.gate_reason}，{NOT_GRADED}"] if self.gate_reason else [])

    @property
    def veto_ids(self) -> list[str]:
        return [veto.id for veto in self.vetoes]

    @property
    def required_failed_names(self) -> list[str]:
        names = {item.id: item.name for item in self.items}
        return [names.get(item_id, item_id) for item_id in self.required_failed]

    def item_score(self, item_id: str) -> ItemScore:
        """The score of an item the ruleset has."""
        return next(i for i in self.items + self.bonus_items if i.id == item_id)

    def outcome_of(self, item_id: str) -> str | None:
        return next((i.outcome for i in self.items + self.bonus_items if i.id == item_id), None)

    def to_json(self) -> dict:
        return {
            "ruleset": self.ruleset.to_json(), "score": json_score(self.score), "max_score": json_score(self.max_score),
            "bonus": json_score(self.bonus), "level": self.level.to_json() if self.level else None, "eligible": self.eligible, "applies": self.applies,
            "vetoes": self.veto_ids, "veto_details": [veto.to_json() for veto in self.vetoes],
            "required_failed": self.required_failed,
            "sections": [s.to_json() for s in self.sections],
            "items": [i.to_json() for i in self.items + self.bonus_items], "gaps": [g.to_json() for g in self.gaps],
            "notes": self.all_notes,
        } | ({"cohort": self.cohort.to_json()} if self.cohort else {})
