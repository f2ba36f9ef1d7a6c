"""What a province's report counts, partition by partition: level counts by city, county and
township, score sums, the items unions lose points on, the unions that could not be graded and the
rows that are not unions (a county's 合计 row, its footer).
A `Tally` holds counts, never unions (its size grows with townships and items), and tallies add up."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..report.county import NO_TOWNSHIP
from .grades import CODES, Grades

Place = tuple[str, str, str]  # city, county, township
FAILURES_KEPT = 1000  # failures (and rows skipped) listed with their messages; beyond, only counted


@dataclass
class Tally:
    levels: Counter[tuple[str, Place, str]] = field(default_factory=Counter)  # (ruleset, place, level text) → unions
    scored: Counter[tuple[str, Place]] = field(default_factory=Counter)  # (ruleset, place) → graded unions
    score_sums: dict[tuple[str, Place], float] = field(default_factory=dict)
    lost_by: Counter[tuple[str, str]] = field(default_factory=Counter)  # (ruleset, item) → unions that lost points on it
    points_lost: dict[tuple[str, str], float] = field(default_factory=dict)
    missing: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[tuple[str, str | None, tuple[str, ...]]] = field(default_factory=list)
    failed: int = 0
    notices: list[str] = field(default_factory=list)  # rows skipped as not unions, said as a county batch says them
    skipped: int = 0
    graded: int = 0
    one_by_one: int = 0  # unions the per-union engine graded (invalid cells, numbers out of exact range)
    as_of: set[str] = field(default_factory=set)

    def fail(self, origin: str, union_id: str | None, messages: tuple[str, ...]) -> None:
        self.failed += 1
        if len(self.failures) < FAILURES_KEPT:
            self.failures.append((origin, union_id, messages))

    def skip(self, message: str) -> None:
        self.skipped += 1
        if len(self.notices) < FAILURES_KEPT:
            self.notices.append(message)

    def add(self, other: Tally) -> None:
        self.levels.update(other.levels)
        self.scored.update(other.scored)
        self.lost_by.update(other.lost_by)
        self.missing.update(other.missing)
        added(self.score_sums, other.score_sums)
        added(self.points_lost, other.points_lost)
        self.failures += other.failures[: max(0, FAILURES_KEPT - len(self.failures))]
        self.failed += other.failed
        self.notices += other.notices[: max(0, FAILURES_KEPT - len(self.notices))]
        self.skipped += other.skipped
        self.graded, self.one_by_one = self.graded + other.graded, self.one_by_one + other.one_by_one
        self.as_of |= other.as_of


def added(sums: dict[Any, float], extra: dict[Any, float]) -> None:
    for key, value in extra.items():
        sums[key] = sums.get(key, 0.0) + value


def places(union: dict[str, np.ndarray], n: int) -> list[Place]:
    """Each row's (city, county, township); a blank township reads as the county report says it."""
    def field_of(name: str, blank: str) -> list[str]:
        values = union.get(name)
        return [blank] * n if values is None else [str(v) if v is not None else blank for v in values]
    return list(zip(field_of("city", ""), field_of("county", ""), field_of("township", NO_TOWNSHIP)))


def count_grades(tally: Tally, grades: Grades, where: list[Place], kept: np.ndarray) -> None:
    """One ruleset's rows (those `kept`) into the tally, as `CountyStats` counts a county."""
    rid, texts = grades.ruleset.id, grades.level_text()
    rows = np.flatnonzero(kept)
    tally.levels.update((rid, where[row], texts[row]) for row in rows)
    graded = kept & grades.applies & grades.eligible
    for row in np.flatnonzero(graded):
        tally.scored[(rid, where[row])] += 1
        tally.score_sums[(rid, where[row])] = tally.score_sums.get((rid, where[row]), 0.0) + float(grades.score[row])
    for item_id in grades.outcome:
        gaps = graded & grades.gaps(item_id)
        tally.lost_by[(rid, item_id)] += int(gaps.sum())
        tally.points_lost[(rid, item_id)] = tally.points_lost.get((rid, item_id), 0.0) + float(grades.lost[item_id][gaps].sum())
        tally.missing[(rid, item_id)] += int((graded & (grades.outcome[item_id] == CODES["missing"])).sum())
