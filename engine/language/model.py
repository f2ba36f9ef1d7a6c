"""The loaded ruleset: frozen, typed records, each carrying its source mark."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..diagnostics import Mark
from ..values import Number
from .conditions import Cond, ConditionSet
from .expressions import Expression, Fix
from .kind import Kind
from .vocabulary import ceilings

DEFAULT_OWNER = "工会委员会"
CHAIR = "工会主席"  # who settles a veto or the gate, and leads the 整改 work
UP, DOWN, NONE = "up", "down", "none"  # the directions a fact may change in
EFFORT_WEIGHTS = {"low": 1, "medium": 3, "high": 8}


@dataclass(frozen=True, slots=True)
class FactDecl:
    name: str
    type: str
    label: str
    mark: Mark
    unit: str = ""
    min: Number | None = None
    max: Number | None = None
    values: tuple[str, ...] = ()
    items: str = ""
    description: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    change: str = ""  # as declared: up | down | none; "" when the ruleset does not say (see `direction`)
    action: str = ""  # a yes/no fact's "do it" phrase: 配备职工书屋专（兼）职管理人员
    per: str = ""  # "year": counted over the assessment year, from nothing each year (本年度职工文体活动次数)
    part_of: str = ""  # the yes/no fact of what this one belongs to: 职工书屋藏书 is part of 建有职工书屋
    at_most: str = ""  # the fact this one may not exceed: 女会员人数 at most 会员人数
    length: int = 0  # a list's number of elements (4: one per quarter); 0 when any number will do
    past: bool = False  # a date of something that has happened (成立日期, 上次换届日期): never after the assessment date

    def shown(self, value: str) -> str:
        """An enum value as people read it: its label when the ruleset gives one."""
        return dict(self.labels).get(value, value)

    @property
    def direction(self) -> str:
        """How a union can legitimately change the fact before re-inspection: up, down or none.
        Undeclared: texts never change, everything else goes up (more members, 否 → 是, a later
        date, a later enum value: enum values are listed worst first)."""
        return self.change or ("none" if self.type == "string" else UP)

    @property
    def movable(self) -> bool:
        return self.direction != NONE

    @property
    def todo(self) -> str:
        """What doing a yes/no fact is called: its `action`, else its label."""
        return self.action or self.label


@dataclass(frozen=True, slots=True)
class Caption:
    """How a derived value reads in reasons: the `label` and `unit` of its long form in `derive`."""

    label: str
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Deduction:
    """A condition that takes `points` (`when`), or a count that takes `each` per unit (`count`)."""

    name: str
    points: Number
    when: Cond | None = None
    count: Expression | None = None
    each: Number = 1
    fix: Fix | None = None  # what to do about this deduction alone (an item's deductions only)

    @property
    def counted(self) -> Expression:
        """The count of a counting deduction (a deduction has a condition or a count, checked at load)."""
        if self.count is None:
            raise TypeError(f"扣分项“{self.name}”不是计数扣分")
        return self.count


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    name: str
    points: Number
    kind: Kind  # how the base points are found (engine/kinds/)
    section: str
    mark: Mark
    deduct: tuple[Deduction, ...] = ()
    max_deduct: Number | None = None
    zero_if: Cond | None = None
    applies_if: Cond | None = None
    na: str = "full"
    required: bool = False
    evidence: tuple[str, ...] = ()
    method: str = ""
    fix: Fix | None = None
    effort: str = "medium"
    description: str = ""
    reads: tuple[str, ...] = ()
    owner: str = DEFAULT_OWNER

    unstated: tuple[str, ...] = ()  # what the source table gives no text for: fix, evidence (`--strict` does not ask)

    def expressions(self) -> list[Expression]:
        """Every expression the item evaluates (for the facts it reads)."""
        return [c.expr for c in (self.applies_if, self.zero_if) if c] + self.kind.expressions() + deduction_expressions(self.deduct)

    @property
    def advice(self) -> list[Expression]:
        """The expressions of its fix texts, its deductions' included (they word advice, and read nothing to score)."""
        fixes = [self.fix] if self.fix else []
        return [e for fix in fixes for e in fix.expressions] + [e for d in self.deduct if d.fix for e in d.fix.expressions]

    @property
    def most(self) -> Number | None:
        """The most the item can earn: its points; more for a kind scored around a target; None when uncapped."""
        return self.kind.most(self.points)

    @property
    def uncapped(self) -> bool:
        return self.most is None

    @property
    def headroom(self) -> Number:
        """What the item may earn above its points (a kind scored around a target), counted in its section."""
        most = self.most
        return 0 if most is None else most - self.points


def deduction_expressions(deductions: tuple[Deduction, ...]) -> list[Expression]:
    found: list[Expression] = []
    for deduction in deductions:
        found += [e for e in (deduction.when and deduction.when.expr, deduction.count) if e]
    return found


@dataclass(frozen=True)  # no slots: `headroom` is kept once found
class Section:
    id: str
    name: str
    max: Number
    mark: Mark
    items: tuple[Item, ...] = ()
    sections: tuple[Section, ...] = ()
    allow_unbalanced: bool = False
    deduct: tuple[Deduction, ...] = ()  # taken from the section's points, floored at 0 (「扣完为止」)
    max_deduct: Number | None = None
    owner: str = DEFAULT_OWNER  # who puts right what its deductions take (and its items' default)

    def all_items(self) -> list[Item]:
        return list(self.items) + [i for s in self.sections for i in s.all_items()]

    @cached_property
    def headroom(self) -> Number:
        """What the section may earn above its max: its items' headroom (kinds scored around a target); found
        once, for every score of every union."""
        return sum((i.headroom for i in self.items), 0) + sum((s.headroom for s in self.sections), 0)


@dataclass(frozen=True, slots=True)
class Bonus:
    max: Number | None  # None: 上不封顶, declared `max: uncapped`
    items: tuple[Item, ...]
    counts_for_level: bool = False

    def capped(self, total: Number) -> Number:
        """The bonus items' sum, within the cap."""
        return total if self.max is None else min(total, self.max)


@dataclass(frozen=True, slots=True)
class Veto:
    id: str
    name: str
    when: Cond
    effect: str
    mark: Mark
    cap_level: str | None = None
    fix: str = ""  # what the union does about it, and how the veto is lifted


@dataclass(frozen=True, slots=True)
class OwnerRule:
    """Who puts a fix right instead of `owner` where `when` holds for the union: 「工会办公室（专职工会干部）」 is
    the chair's where the union has no full-time staff."""

    owner: str
    when: Expression
    instead: str
    mark: Mark  # of its `owner`


@dataclass(frozen=True, slots=True)
class Gate:
    when: Cond
    name: str = "申报条件"


@dataclass(frozen=True, slots=True)
class Requirement:
    """A level requirement: an item of this ruleset that must pass, or a condition."""

    text: str
    item: str | None = None
    cond: Cond | None = None


@dataclass(frozen=True, slots=True)
class Cohort:
    """A level held by the best of a cohort: the top `top` unions, or the top `share` of them, within
    the whole run, a county or a township (`per`); `ties`: all unions tied at the cut-off get it, or none."""

    top: int | None = None
    share: Number | None = None
    per: str = "run"  # run | county | township
    ties: str = "all"  # all | none


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    name: str
    min: Number
    mark: Mark
    section_min: Any = None
    requires: tuple[Requirement, ...] = ()
    requires_all_required: bool = False
    cohort: Cohort | None = None  # held by rank in a cohort, decided once every union is scored


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one loaded ruleset is one object
class Ruleset:
    id: str
    name: str
    version: str
    max_score: Number
    na: str
    path: str
    facts: dict[str, FactDecl]
    derive: tuple[tuple[str, Expression], ...]
    sections: tuple[Section, ...]
    bonus: Bonus | None
    vetoes: tuple[Veto, ...]
    gate: Gate | None
    levels: tuple[Level, ...]
    uses: tuple[str, ...]
    conditions: ConditionSet
    hash: str = ""
    uses_mark: Mark | None = None
    short_name: str = ""
    effort_weights: dict[str, int] = field(default_factory=lambda: dict(EFFORT_WEIGHTS))
    captions: dict[str, Caption] = field(default_factory=dict)  # derived values that have a label
    lineage: tuple[str, ...] = ()  # the ids of the rulesets it extends, nearest first
    inherited: tuple[str, ...] = ()  # their files, in the same order: read with this one, never written over
    owners: tuple[OwnerRule, ...] = ()  # who acts instead, by the union's facts (the plan's 责任)

    @cached_property
    def ceilings(self) -> dict[str, str]:
        """Each fact that may not exceed another (see `ceilings`), made once: the planner asks for every fact it moves."""
        return ceilings(self.facts.values())

    @property
    def by_cohort(self) -> bool:
        """Whether some level is held by rank in a cohort (decided after every union is scored)."""
        return any(level.cohort for level in self.levels)

    def items(self) -> list[Item]:
        """Every scored item, in file order (bonus items excluded)."""
        return [item for section in self.sections for item in section.all_items()]

    def every_item(self) -> list[Item]:
        """Every item in file order, bonus items last."""
        return self.items() + (list(self.bonus.items) if self.bonus else [])

    def all_sections(self) -> list[Section]:
        """Every section, each before its sub-sections."""
        found: list[Section] = []
        pending = list(reversed(self.sections))
        while pending:
            section = pending.pop()
            found.append(section)
            pending += reversed(section.sections)
        return found

    @cached_property
    def item_index(self) -> dict[str, Item]:
        """Every item by id, bonus items included."""
        return {item.id: item for item in self.every_item()}

    def item(self, item_id: str) -> Item | None:
        return self.item_index.get(item_id)

    def expressions(self) -> list[Expression]:
        """Every expression of the ruleset, fix texts' parts included (for cross-ruleset checks)."""
        items = self.every_item()
        found = [e for _, e in self.derive] + [e for item in items for e in item.expressions()]
        found += [e for section in self.all_sections() for e in deduction_expressions(section.deduct)]
        found += [e for item in items for e in item.advice]
        conds = [v.when for v in self.vetoes] + ([self.gate.when] if self.gate else [])
        conds += [r.cond for level in self.levels for r in level.requires if r.cond]
        return found + [c.expr for c in conds if c] + [rule.when for rule in self.owners]

    def weight(self, item: Item) -> int:
        """The effort weight of fixing an item (the planner minimises their sum)."""
        return self.effort_weights[item.effort]

    def label(self, name: str) -> str:
        """The Chinese label of a declared fact or labelled derived value; "" for any other name."""
        found = self.facts.get(name) or self.captions.get(name)
        return found.label if found else ""

    def unit(self, name: str) -> str:
        """The unit of a declared fact or labelled derived value; "" for any other name."""
        found = self.facts.get(name) or self.captions.get(name)
        return found.unit if found else ""

    def level(self, level_id: str) -> Level | None:
        return next((level for level in self.levels if level.id == level_id), None)
