"""Levels held by rank in a cohort (`cohort:` on a level): where a union stands before the ranks are known,
and the pass that decides them once every union of a run is scored.

A union *qualifies* for a level when the level's own conditions hold (`min`, `section_min`, `requires`,
必备 items, below any `cap` veto): `RulesetResult.ladder` lists those levels, best first. An ordinary level
needs nothing more. A cohort level also needs a place in its cohort, so a union assessed alone holds the
best ordinary level it qualifies for and is a *candidate* for the cohort levels above it (「待排名」).

`decide` works on scored results alone (`CohortEntry`: the union's groups, the score levels see and its
ladder), so the batch, the web service's rounds and a bulk evaluator share it. Per ruleset, level by
level from the top: an ordinary level goes to every union still without a level that qualifies for it; a
cohort level's candidates are the unions still without a level that qualify for it. Within each group
(the whole run, a county or a township) candidates are ranked by the score levels see, highest first,
equal scores sharing a rank (1, 2, 2, 4); the quota is `top` unions, or the `top` share of the group's
graded unions rounded down; a candidate whose rank is within the quota gets the level, and at the cut-off
`ties: all` gives it to every tied union (the quota may be exceeded) while `ties: none` gives it to none of
them (the quota never is). A candidate not chosen goes on to the levels below.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..language.model import Level, Ruleset
from ..values import Number, fmt_number
from .result import LevelRef, RulesetResult

PER_TEXT = {"run": "全部参评单位中", "county": "县内", "township": "乡镇（街道）内"}
BLANK_GROUP = {"run": "全部参评单位", "county": "（未填县）", "township": "（未填乡镇）"}
TIES_TEXT = {"all": "并列者全部入选", "none": "名额处并列者均不入选"}


@dataclass(frozen=True, slots=True)
class CohortPlace:
    """A union's place for one cohort level it qualifies for: before the ranks are known (`rank` None), or decided."""

    level: str
    name: str
    rule: str  # 「按乡镇（街道）内得分排名前 2 名评定（并列者全部入选）」
    group: str  # 「青山镇」, 「全部参评单位」
    text: str  # the sentence a reader gets
    selected: bool | None = None
    rank: int | None = None
    candidates: int | None = None
    quota: int | None = None

    def to_json(self) -> dict:
        return {"level": self.level, "name": self.name, "rule": self.rule, "group": self.group, "selected": self.selected,
                "rank": self.rank, "candidates": self.candidates, "quota": self.quota, "text": self.text}


@dataclass(frozen=True, slots=True)
class CohortResult:
    """The cohort levels a union qualifies for and its place in each: pending (assessed alone) or decided."""

    decided: bool
    places: tuple[CohortPlace, ...] = ()

    def to_json(self) -> dict:
        return {"decided": self.decided, "levels": [place.to_json() for place in self.places]}


def rule_text(level: Level) -> str:
    """「按乡镇（街道）内得分排名前 2 名评定（90 分以上方可参评，并列者全部入选）」."""
    cohort = level.cohort
    assert cohort is not None
    top = f"{cohort.top} 名" if cohort.top is not None else f"{fmt_number(100 * (cohort.share or 0))}%"
    floor = f"{fmt_number(level.min)} 分以上方可参评，" if level.min > 0 else ""
    return f"按{PER_TEXT[cohort.per]}得分排名前 {top}评定（{floor}{TIES_TEXT[cohort.ties]}）"


def group_of(level: Level, union: dict[str, Any]) -> str:
    """The group a union is ranked in for a cohort level: its township, its county, or the whole run."""
    per = level.cohort.per if level.cohort else "run"
    return (union.get(per) or BLANK_GROUP[per]) if per != "run" else BLANK_GROUP[per]


def pending(ruleset: Ruleset, ladder: tuple[str, ...], union: dict[str, Any]) -> tuple[Level | None, CohortResult | None]:
    """A union assessed alone: the best ordinary level it qualifies for, and the cohort levels above it it is a
    candidate for (`CohortResult` only for a ruleset with cohort levels)."""
    levels = [level for level in ruleset.levels if level.id in ladder]
    held = next((level for level in levels if level.cohort is None), None)
    if not ruleset.by_cohort:
        return held, None
    above = [level for level in levels if level.cohort is not None and (held is None or ruleset.levels.index(level) < ruleset.levels.index(held))]
    fallback = f"暂按“{held.name}”计" if held else "暂不评定等级"
    places = tuple(CohortPlace(level.id, level.name, rule_text(level), group_of(level, union),
                               f"“{level.name}”{rule_text(level)}，须待全部工会评分后确定：本单位符合参评条件，单独评估时{fallback}")
                   for level in above)
    return held, CohortResult(False, places)


@dataclass(frozen=True, slots=True)
class CohortEntry:
    """What the cohort pass needs of one union's result in one ruleset."""

    union: str
    union_header: tuple[tuple[str, str], ...]  # county and township
    eligible: bool
    score: Number  # the score levels see
    ladder: tuple[str, ...]


def entry_of(union: dict[str, Any], result: RulesetResult) -> CohortEntry:
    header = tuple((key, str(union.get(key) or "")) for key in ("county", "township"))
    return CohortEntry(str(union.get("id")), header, result.eligible, result.level_score, result.ladder)


@dataclass(frozen=True, slots=True)
class Decision:
    """A union's level in one ruleset once the cohort is ranked, and its places."""

    level: str | None
    cohort: CohortResult


def decide(ruleset: Ruleset, entries: Iterable[CohortEntry]) -> dict[str, Decision]:
    """Every graded union's level in `ruleset`, by union id, the cohort levels decided by rank (see the module)."""
    unions: dict[str, CohortEntry] = {}
    for entry in entries:
        unions.setdefault(entry.union, entry)  # the first union of an id counts, as in the batch
    graded = [entry for entry in unions.values() if entry.eligible]
    remaining = {entry.union: entry for entry in graded}
    levels: dict[str, str | None] = dict.fromkeys(unions)
    places: dict[str, list[CohortPlace]] = defaultdict(list)
    for level in ruleset.levels:
        wanting = [entry for entry in remaining.values() if level.id in entry.ladder]
        chosen = wanting if level.cohort is None else ranked(level, wanting, graded, places)
        for entry in chosen:
            levels[entry.union] = level.id
            del remaining[entry.union]
    return {union: Decision(level, CohortResult(True, tuple(places[union]))) for union, level in levels.items()}


def ranked(level: Level, wanting: list[CohortEntry], graded: list[CohortEntry], places: dict[str, list[CohortPlace]]) -> list[CohortEntry]:
    """The candidates of one cohort level who get it, group by group; every candidate's place is recorded."""
    assert level.cohort is not None
    chosen = []
    for group, members in grouped(level, wanting).items():
        size = sum(1 for entry in graded if group_of(level, dict(entry.union_header)) == group)
        quota = level.cohort.top if level.cohort.top is not None else math.floor(size * (level.cohort.share or 0))
        scores = sorted((entry.score for entry in members), reverse=True)
        for entry in members:
            rank, last = scores.index(entry.score) + 1, len(scores) - scores[::-1].index(entry.score)
            selected = (rank if level.cohort.ties == "all" else last) <= quota
            chosen += [entry] if selected else []
            places[entry.union].append(decided_place(level, group, rank, len(members), quota, selected))
    return chosen


def grouped(level: Level, entries: list[CohortEntry]) -> dict[str, list[CohortEntry]]:
    groups: dict[str, list[CohortEntry]] = {}
    for entry in entries:
        groups.setdefault(group_of(level, dict(entry.union_header)), []).append(entry)
    return groups


def decided_place(level: Level, group: str, rank: int, candidates: int, quota: int, selected: bool) -> CohortPlace:
    """「“模范职工之家”按乡镇（街道）内得分排名前 2 名评定（…）：青山镇符合条件的 5 个单位中本单位排第 3 名，未入选」."""
    rule = rule_text(level)
    text = f"“{level.name}”{rule}：{group}符合条件的 {candidates} 个单位中本单位排第 {rank} 名，{'入选' if selected else '未入选'}"
    return CohortPlace(level.id, level.name, rule, group, text, selected, rank, candidates, quota)


def settle(result: RulesetResult, decision: Decision | None) -> RulesetResult:
    """A union's result with its cohort decided (unchanged when the pass has no decision for it)."""
    if decision is None or result.cohort is None:
        return result
    level = LevelRef(decision.level, result.ruleset.level_name(decision.level)) if decision.level else None
    return replace(result, level=level, cohort=decision.cohort)
