"""The impact of a ruleset change on real unions: assess each union under both versions.

Each union is assessed against the old version and the new one (each with the rulesets it `uses`);
the result says whose level and score change, and the items whose points changed most for that
union, which is why. engine/authoring/measure.py reads the sources and compares every union, in
bulk where it can (engine/authoring/bulk_impact.py).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..diagnostics import InvalidInput
from ..evaluate.assessment import Evaluator, assess_union
from ..evaluate.result import RulesetResult
from ..facts.fact_file import FactFile, load_fact_file
from ..facts.sources import Unit
from ..facts.union_ids import FirstRecords, repeated_id
from ..language.model import Ruleset
from ..load.loader import locate
from ..load.rulesets import resolve_rulesets
from ..values import Fraction, Number


@dataclass(frozen=True)
class Version:
    """One version of a ruleset as a run loads it: the ruleset, and it with what it uses, dependencies first."""

    ruleset: Ruleset
    chain: list[Ruleset]

    @cached_property
    def names(self) -> dict[str, str]:
        """Its items' and vetoes' names by id, one dict shared by every union's `Standing`."""
        return names_of(self.ruleset)


def load_version(spec: str | Path) -> Version:
    """A ruleset (a path or a bundled id) with its `extends` applied and its `uses` resolved."""
    path = locate(spec)
    chain = resolve_rulesets([path])
    target = next(r for r in chain if Path(r.path).resolve() == path.resolve())
    return Version(target, chain)


@dataclass(frozen=True, slots=True)
class Standing:
    """A union's result under one version: score, level, and every item's points."""

    score: Number
    level: str | None
    level_name: str
    eligible: bool
    item_points: tuple[Number, ...]  # in the order of `names`' items
    names: dict[str, str]  # item, then veto names by id: the version's, one dict for all its unions (`Version.names`)
    required_failed: tuple[str, ...] = ()
    vetoes: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # items without the data they need (缺资料)
    dropped: tuple[str, ...] = ()  # items that do not apply and are left out of the total, which is rescaled (na: drop)

    @classmethod
    def of(cls, result: RulesetResult, names: dict[str, str]) -> Standing:
        level = result.level.id if result.level else None
        scored = result.items + result.bonus_items
        return cls(result.score, level, result.level_text, result.eligible, tuple(i.points for i in scored), names,
                   tuple(result.required_failed), tuple(result.veto_ids), tuple(i.id for i in scored if i.outcome == "missing"),
                   tuple(i.id for i in scored if i.outcome == "na" and i.max_points == 0))

    @property
    def points(self) -> dict[str, Number]:
        """Every item's points by id (a province's standings keep them as one tuple each)."""
        return dict(zip(self.names, self.item_points))


def names_of(ruleset: Ruleset) -> dict[str, str]:
    """Every item's (bonus items last), then every veto's name by id: what the reasons a union moved are written with."""
    return {item.id: item.name for item in ruleset.every_item()} | {veto.id: veto.name for veto in ruleset.vetoes}


@dataclass(frozen=True, slots=True)
class ItemDelta:
    """An item whose points differ for a union (None: the item is not in that version), or that counts in
    one version's total and is left out of the other's (`counted`: old, new)."""

    id: str
    name: str
    old: Number | None
    new: Number | None
    counted: tuple[bool, bool] = (True, True)

    @property
    def delta(self) -> Number:
        return (self.new or 0) - (self.old or 0)

    @property
    def rescales(self) -> bool:
        """Left out of one version's total and not the other's: the total is rescaled, whatever the points."""
        return self.counted[0] != self.counted[1]


@dataclass(frozen=True)
class UnionImpact:
    """One union under both versions, or why it could not be assessed."""

    origin: str
    union: dict[str, str]
    old: Standing | None = None
    new: Standing | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def level_changed(self) -> bool:
        return self.old is not None and self.new is not None and (self.old.eligible, self.old.level) != (self.new.eligible, self.new.level)

    @property
    def score_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.score != self.new.score

    def deltas(self) -> list[ItemDelta]:
        """Items whose points differ or that one version leaves out of the total: those first, then most points
        first (file order among equals)."""
        if self.old is None or self.new is None:
            return []
        old, new = self.old, self.new
        before, after = old.points, new.points
        ids = list(before) + [key for key in after if key not in before]
        found = [ItemDelta(key, new.names.get(key) or old.names[key], before.get(key), after.get(key),
                           (key not in old.dropped, key not in new.dropped)) for key in ids]
        return sorted((d for d in found if d.delta != 0 or d.rescales), key=lambda d: (not d.rescales, -abs(Fraction(d.delta))))


@dataclass
class Impact:
    """Every union of the sources under both versions, counted; the unions whose level or score changes
    and those that could not be compared are kept, in source order (a province's unchanged unions are not).
    A record whose union id an earlier record has is a failure, as in a batch (engine/facts/union_ids.py)."""

    changed: list[UnionImpact] = field(default_factory=list)
    failures: list[UnionImpact] = field(default_factory=list)
    assessed: int = 0
    levels: dict[str, list[int]] = field(default_factory=dict)  # level as shown → [unions before, after], first seen first
    ids: FirstRecords = field(default_factory=FirstRecords, compare=False, repr=False)

    def add(self, union: UnionImpact) -> None:
        earlier = self.ids.earlier(union.union.get("id") or None, union.origin)
        if union.errors or union.old is None or union.new is None:
            self.failures.append(union)
        elif earlier is not None:
            self.failures.append(self.repeat(union.origin, union.union["id"], earlier))
        else:
            self.count(union.old.level_name, union.new.level_name)
            if union.level_changed or union.score_changed:
                self.changed.append(union)

    def unchanged(self, origin: str, union_id: str, old: str, new: str) -> None:
        """A union whose level and score the versions leave as they are, with its level `old` before and `new` after."""
        earlier = self.ids.earlier(union_id, origin)
        if earlier is None:
            self.count(old, new)
        else:
            self.failures.append(self.repeat(origin, union_id, earlier))

    @staticmethod
    def repeat(origin: str, union_id: str, earlier: str) -> UnionImpact:
        return UnionImpact(origin, {"id": union_id}, errors=[repeated_id(origin, union_id, earlier)])

    def count(self, old: str, new: str) -> None:
        """One more union compared, with level `old` before and `new` after."""
        self.assessed += 1
        self.levels.setdefault(old, [0, 0])[0] += 1
        self.levels.setdefault(new, [0, 0])[1] += 1

    def level_counts(self, order: Iterable[str] = ()) -> list[tuple[str, int, int]]:
        """(level as shown, unions with it before, after): the levels named in `order` first, then
        the others as they first appear (「不参与定级」 …)."""
        found = [name for name in dict.fromkeys(order) if name in self.levels] + list(self.levels)
        return [(name, self.levels[name][0], self.levels[name][1]) for name in dict.fromkeys(found)]


def compare_unit(unit: Unit, old: Version, new: Version, evaluator: Evaluator, as_of: dt.date | None) -> UnionImpact:
    """One union under both versions; a fact file either version rejects is reported, not compared."""
    if unit.problems:  # its id, when it could be read, is still its own (engine/facts/union_ids.py)
        return UnionImpact(unit.origin, {"id": unit.union_id} if unit.union_id else {}, errors=rendered(unit.problems))
    try:
        facts = unit.facts or load_fact_file(unit.path or "")
    except InvalidInput as exc:
        return UnionImpact(unit.origin, {}, errors=rendered(exc.diagnostics))
    standings, failures = {}, {}
    for side, version in (("原版本", old), ("新版本", new)):
        try:
            standings[side] = standing(version, facts, evaluator, as_of)
        except InvalidInput as exc:
            failures[side] = rendered(exc.diagnostics)
    header = {key: str(facts.union.get(key) or "") for key in ("id", "name", "township")}
    return UnionImpact(unit.origin, header, standings.get("原版本"), standings.get("新版本"), failure_lines(failures))


def failure_lines(failures: dict[str, list[str]]) -> list[str]:
    """The errors of each version, said once when both versions reject the union alike."""
    if len(failures) == 2 and len({tuple(lines) for lines in failures.values()}) == 1:
        return next(iter(failures.values()))
    return [f"{side}：{line}" for side, lines in failures.items() for line in lines]


def standing(version: Version, facts: FactFile, evaluator: Evaluator, as_of: dt.date | None) -> Standing:
    results = assess_union(version.chain, facts, evaluator, as_of)
    return Standing.of(next(r for r in results if r.ruleset.id == version.ruleset.id), version.names)


def rendered(diagnostics: Iterable) -> list[str]:
    return [diagnostic.render(with_source=False) for diagnostic in diagnostics]
