"""One ruleset graded for every union at once: items, sections, total, bonus, vetoes, gate, levels.

The same order and rules as engine/evaluate/scoring.py, without reasons, fixes or gaps. Outcomes
are small integer codes (`OUTCOMES`); levels are indexes into the ruleset's levels (−1: none).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..language.model import Item, Level, Ruleset, Section
from ..values import Number
from . import rational
from .kinds import Reading, base_of, held
from .rational import Array, Q

OUTCOMES = ("pass", "partial", "fail", "missing", "na")
PASS, PARTIAL, FAIL, MISSING, NA = range(len(OUTCOMES))


@dataclass(frozen=True, slots=True)
class ItemCols:
    points: Q
    possible: Q
    outcome: Array  # codes into OUTCOMES


@dataclass(frozen=True)
class BulkResult:
    """One ruleset's grades for every union of a chunk; `unsure` rows are to be graded one by one."""

    ruleset: Ruleset
    items: dict[str, ItemCols]  # bonus items included
    sections: dict[str, tuple[Q, Q]]  # (points, possible)
    score: Q
    bonus: Q
    level: Array  # index into ruleset.levels, −1 for none
    eligible: Array
    applies: Array
    vetoes: dict[str, Array]
    unsure: Array


class ItemGrade:
    """One item being graded: rows settle step by step (n/a, knockout, missing, then the points)."""

    def __init__(self, item: Item, n: int) -> None:
        self.item, self.n = item, n
        self.points, self.possible = rational.const(0, n), rational.const(item.points, n)
        self.outcome = np.full(n, PASS, dtype=np.int8)
        self.open = np.ones(n, dtype=bool)

    def settle(self, rows: Array, outcome: int, points: Number = 0, possible: Number | None = None) -> None:
        rows = rows & self.open
        self.outcome[rows] = outcome
        self.points = rational.where(rows, rational.const(points, self.n), self.points)
        if possible is not None:
            self.possible = rational.where(rows, rational.const(possible, self.n), self.possible)
        self.open &= ~rows

    def result(self) -> ItemCols:
        return ItemCols(self.points, self.possible, self.outcome)


def grade_item(item: Item, reading: Reading) -> ItemCols:
    """applies_if → zero_if → base → deductions (capped by max_deduct) → clamp to [0, points]."""
    grade = ItemGrade(item, reading.n)
    if item.applies_if is not None:
        applies = reading.truth(item.applies_if)
        kept = item.points if item.na == "full" else 0
        grade.settle(~applies.null & ~applies.data, NA, kept, kept)
        grade.settle(applies.missing, MISSING)
    if item.zero_if is not None:
        knocked = reading.truth(item.zero_if)
        grade.settle(held(knocked), FAIL)
        grade.settle(knocked.missing, MISSING)
    base = base_of(item.kind, item.points, reading)
    grade.settle(base.missing, MISSING)
    taken, absent = deductions(item, reading)
    grade.settle(absent, MISSING)
    final = rational.clamp(rational.sub(base.points, taken, reading.sink), rational.const(0, reading.n), rational.const(item.points, reading.n), reading.sink)
    rows = grade.open
    full, zero = rational.sign(final, rational.const(item.points, reading.n), reading.sink) == 0, final.num == 0
    grade.outcome[rows] = np.where(full, PASS, np.where(zero, FAIL, PARTIAL))[rows]
    grade.points = rational.where(rows, final, grade.points)
    return grade.result()


def deductions(item: Item, reading: Reading) -> tuple[Q, Array]:
    """Points the deductions take (capped by max_deduct), and where one of them lacks its facts."""
    n, sink = reading.n, reading.sink
    taken, absent = rational.const(0, n), np.zeros(n, dtype=bool)
    for deduction in item.deduct:
        if deduction.when is not None:
            truth = reading.truth(deduction.when)
            amount = rational.where(held(truth), rational.const(deduction.points, n), rational.const(0, n))
            absent |= truth.missing
        else:
            value = reading.value(deduction.counted)
            positive = rational.maximum(value.data, rational.const(0, n), sink)
            amount = rational.where(value.null, rational.const(0, n), rational.mul(positive, rational.const(deduction.each, n), sink))
            absent |= value.missing
        taken = rational.add(taken, amount, sink)
    if item.max_deduct is not None:
        taken = rational.minimum(taken, rational.const(item.max_deduct, n), sink)
    return taken, absent


def grade_section(section: Section, items: dict[str, ItemCols], n: int, sink: Array, out: dict[str, tuple[Q, Q]]) -> tuple[Q, Q]:
    """(earned, possible): possible = min(max, Σ children possible); earned ≤ possible."""
    earned = rational.total([items[i.id].points for i in section.items], n, sink)
    possible = rational.total([items[i.id].possible for i in section.items], n, sink)
    for sub in section.sections:
        sub_earned, sub_possible = grade_section(sub, items, n, sink, out)
        earned, possible = rational.add(earned, sub_earned, sink), rational.add(possible, sub_possible, sink)
    possible = rational.minimum(rational.const(section.max, n), possible, sink)
    earned = rational.minimum(possible, earned, sink)
    out[section.id] = (earned, possible)
    return earned, possible


def grade_ruleset(ruleset: Ruleset, reading: Reading) -> BulkResult:
    """Every item, section, veto, the gate and the level of every union in one ruleset."""
    n, sink = reading.n, reading.sink
    bonus_items = list(ruleset.bonus.items) if ruleset.bonus else []
    items = {item.id: grade_item(item, reading) for item in ruleset.items() + bonus_items}
    sections: dict[str, tuple[Q, Q]] = {}
    tops = [grade_section(section, items, n, sink, sections) for section in ruleset.sections]
    earned = rational.total([top[0] for top in tops], n, sink)
    possible = rational.total([top[1] for top in tops], n, sink)
    base = rational.div(rational.mul(earned, rational.const(ruleset.max_score, n), sink), possible, sink)[0]
    bonus = rational.const(0, n)
    if ruleset.bonus:
        bonus = rational.total([items[b.id].points for b in bonus_items], n, sink)
        if ruleset.bonus.max is not None:  # None: 上不封顶
            bonus = rational.minimum(bonus, rational.const(ruleset.bonus.max, n), sink)
    return finish(ruleset, reading, items, sections, base, bonus)


def finish(ruleset: Ruleset, reading: Reading, items: dict[str, ItemCols], sections: dict[str, tuple[Q, Q]], base: Q, bonus: Q) -> BulkResult:
    n, sink = reading.n, reading.sink
    hits = {veto.id: held(reading.truth(veto.when)) for veto in ruleset.vetoes}
    gate = held(reading.truth(ruleset.gate.when)) if ruleset.gate is not None else np.ones(n, dtype=bool)
    zeroed = effect_hit(ruleset, hits, "zero", n)
    zero = rational.const(0, n)
    score = rational.where(zeroed, zero, rational.add(base, bonus, sink))
    counted = bonus if ruleset.bonus and ruleset.bonus.counts_for_level else zero
    level_score = rational.where(zeroed, zero, rational.add(base, counted, sink))
    eligible = gate & ~effect_hit(ruleset, hits, "disqualify", n)
    level = pick_levels(ruleset, reading, items, sections, level_score, cap_indexes(ruleset, hits, n))
    return BulkResult(ruleset, items, sections, score, rational.where(zeroed, zero, bonus), np.where(eligible, level, -1),
                      eligible, gate, hits, sink)


def effect_hit(ruleset: Ruleset, hits: dict[str, Array], effect: str, n: int) -> Array:
    found = np.zeros(n, dtype=bool)
    for veto in ruleset.vetoes:
        if veto.effect == effect:
            found = found | hits[veto.id]
    return found


def cap_indexes(ruleset: Ruleset, hits: dict[str, Array], n: int) -> Array:
    """Per union, the index of the highest level still allowed after `cap` vetoes."""
    ids = [level.id for level in ruleset.levels]
    cap = np.zeros(n, dtype=np.int16)
    for veto in ruleset.vetoes:
        if veto.effect == "cap" and veto.cap_level in ids:
            cap = np.where(hits[veto.id], np.maximum(cap, ids.index(veto.cap_level)), cap)
    return cap


def pick_levels(ruleset: Ruleset, reading: Reading, items: dict[str, ItemCols], sections: dict[str, tuple[Q, Q]],
                score: Q, cap: Array) -> Array:
    """The first level (from the cap down) whose minimum, required items, section shares and requirements hold."""
    n = reading.n
    failed = np.zeros(n, dtype=bool)
    for item in ruleset.items():
        if item.required:
            failed |= ~np.isin(items[item.id].outcome, (PASS, NA))
    chosen = np.full(n, -1, dtype=np.int16)
    for index, level in enumerate(ruleset.levels):
        fits = (index >= cap) & (rational.sign(score, rational.const(level.min, n), reading.sink) >= 0)
        if level.requires_all_required:
            fits &= ~failed
        fits &= sections_reach(level, ruleset, sections, n, reading.sink) & requirements_hold(level, ruleset, reading, items)
        chosen = np.where((chosen < 0) & fits, index, chosen)
    return chosen


def sections_reach(level: Level, ruleset: Ruleset, sections: dict[str, tuple[Q, Q]], n: int, sink: Array) -> Array:
    reach = np.ones(n, dtype=bool)
    if level.section_min is None:
        return reach
    shares = level.section_min if isinstance(level.section_min, dict) else dict.fromkeys((s.id for s in ruleset.sections), level.section_min)
    for section_id, share in shares.items():
        earned, possible = sections[section_id]
        needed = rational.mul(rational.const(share, n), possible, sink)
        reach &= (possible.num == 0) | (rational.sign(earned, needed, sink) >= 0)
    return reach


def requirements_hold(level: Level, ruleset: Ruleset, reading: Reading, items: dict[str, ItemCols]) -> Array:
    holds = np.ones(reading.n, dtype=bool)
    scored = {item.id for item in ruleset.items()}
    for requirement in level.requires:
        if requirement.item is not None:
            outcome = items[requirement.item].outcome if requirement.item in scored else None
            holds &= np.isin(outcome, (PASS, NA)) if outcome is not None else False
        elif requirement.cond is not None:
            holds &= held(reading.truth(requirement.cond))
    return holds
