"""County aggregates of a batch, fed one union at a time.

Only compact rows and counters are kept (no union's full record), so a county of 100,000
unions fits in memory: per union a `SummaryRow`, per ruleset level counts, scores and
per-item loss counters. A batch's worker reduces each union's results to what is kept here
(`county_entry`), so that the batch process receives a few hundred bytes instead of the
union's full results.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..evaluate.result import NO_LEVEL, NOT_APPLICABLE, NOT_GRADED, RulesetResult
from ..language.vocabulary import union_type_text
from ..pickled import Pickled
from ..values import json_score

NO_TOWNSHIP = "（未填乡镇）"


def fmt_score(value: float | None) -> str:
    """A score for people: at most two decimals, no trailing zeros; “—” when there is none."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def shown_score(value: Any) -> float:
    """A score as the reports show it (two decimals): what the county ranks, counts and charts."""
    return float(json_score(value))


def not_applicable_line(result: RulesetResult) -> str:
    """The one line a union's page gives a standard that does not apply to it."""
    reason = result.gate_reason
    if "缺少资料" in reason:  # the gate could not be decided: data is missing, not the union's type or age
        return f"{reason}，补齐资料后才能确定本标准是否适用于本单位"
    return f"{reason}，本标准不适用于本单位"


def level_order(result: RulesetResult) -> int:
    """Where a result's level stands in the ruleset's order (`RulesetRef.levels`, highest first = 0), then
    未达到任何等级, then 不参与定级 (a disqualifying veto), then 不适用 (the gate failed)."""
    levels = [level.id for level in result.ruleset.levels]
    if not result.applies:
        return len(levels) + 2
    if not result.eligible:
        return len(levels) + 1
    return levels.index(result.level.id) if result.level and result.level.id in levels else len(levels)


@dataclass(frozen=True, slots=True)
class RulesetCell(Pickled):
    """One union's outcome under one ruleset; `order` is its level's place in the ruleset (`level_order`)."""

    score: float
    level: str
    eligible: bool
    applies: bool = True
    order: int = 0


@dataclass(frozen=True, slots=True)
class SummaryRow(Pickled):
    """One assessed union, compactly: what the ranked table and the summary sheet show."""

    id: str
    name: str
    type: str
    township: str
    cells: dict[str, RulesetCell]
    vetoes: tuple[str, ...]
    required_failed: tuple[str, ...]
    gaps: int
    missing: int

    @property
    def flagged(self) -> bool:
        """Has a veto or lacks data for some item: worth the assessor's attention."""
        return bool(self.vetoes) or self.missing > 0


@dataclass(slots=True)
class ItemStat:
    """How one item fared across the county's eligible unions."""

    id: str
    name: str
    lost_by: int = 0
    points_lost: float = 0.0
    missing: int = 0


@dataclass(frozen=True, slots=True)
class Counted(Pickled):
    """One union under one standard as the county counts it: its level as people read it, its score and
    the standard's maximum as shown; where it lost points and where it lacks data, when it is graded."""

    ruleset: str
    level: str
    score: float
    max_score: float
    applies: bool
    eligible: bool
    gaps: tuple[tuple[str, str, float], ...]  # item id, name, points lost as shown
    missing: tuple[tuple[str, str], ...]  # item id, name


@dataclass(frozen=True, slots=True)
class CountyEntry(Pickled):
    """One assessed union as the county's aggregates take it (`county_entry`)."""

    row: SummaryRow
    county: str
    as_of: str
    counted: tuple[Counted, ...]


def county_entry(union: dict[str, Any], as_of: str, results: list[RulesetResult], names: dict[str, str]) -> CountyEntry:
    """What the county keeps of one union: its summary row and each standard's count, for the standards
    named in `names` (id → name) only."""
    chosen = {r.ruleset.id: r for r in results if r.ruleset.id in names}
    return CountyEntry(summary_row(union, chosen, names), union.get("county") or "", as_of, tuple(map(counted, chosen.values())))


def counted(result: RulesetResult) -> Counted:
    graded = result.applies and result.eligible
    gaps = tuple((gap.item, gap.name, shown_score(gap.points_lost)) for gap in result.gaps) if graded else ()
    missing = tuple((item.id, item.name) for item in result.items + result.bonus_items if item.outcome == "missing") if graded else ()
    return Counted(result.ruleset.id, result.level_text, shown_score(result.score), shown_score(result.max_score), result.applies,
                   result.eligible, gaps, missing)


@dataclass(frozen=True, slots=True)
class Failure:
    """A union that could not be assessed: where it came from and why (Chinese messages)."""

    origin: str
    union_id: str | None
    messages: tuple[str, ...]


def summary_row(union: dict[str, Any], results: dict[str, RulesetResult], names: dict[str, str]) -> SummaryRow:
    """Vetoes, failed required items, gaps and missing data count only where the union is graded
    (参与定级): a standard it is not eligible for (or that does not apply to it) says nothing about it."""
    graded = {rid: r for rid, r in results.items() if r.eligible}
    return SummaryRow(
        id=union["id"], name=union.get("name") or union["id"], type=union_type_text(union.get("type")),
        township=union.get("township") or NO_TOWNSHIP,
        cells={rid: RulesetCell(shown_score(r.score), r.level_text, r.eligible, r.applies, level_order(r)) for rid, r in results.items()},
        vetoes=tuple(f"{names[rid]}：{veto.name}" for rid, r in graded.items() for veto in r.vetoes),
        required_failed=tuple(f"{names[rid]}：{name}" for rid, r in graded.items() for name in r.required_failed_names),
        gaps=sum(len(r.gaps) for r in graded.values()),
        missing=sum(1 for r in graded.values() for item in r.items + r.bonus_items if item.outcome == "missing"),
    )


class CountyStats:
    """Aggregates of a batch, fed one union at a time."""

    def __init__(self, ruleset_ids: list[str], ruleset_names: dict[str, str], rank_by: list[str],
                 level_names: dict[str, list[str]] | None = None) -> None:
        """`level_names`: each ruleset's level names, highest first (from the rulesets); without
        them levels are ordered by the lowest score seen at each."""
        self.ruleset_ids = list(ruleset_ids)
        self.ruleset_names = {rid: ruleset_names.get(rid, rid) for rid in ruleset_ids}
        self.rank_by = list(rank_by)
        self.level_names = level_names or {}
        self.rows: list[SummaryRow] = []
        self.failures: list[Failure] = []
        self.as_of: set[str] = set()
        self.level_counts: dict[str, Counter[str]] = {rid: Counter() for rid in ruleset_ids}
        self.township_levels: dict[str, dict[str, Counter[str]]] = {}
        self.level_floor: dict[str, dict[str, float]] = {rid: {} for rid in ruleset_ids}
        self.scores: dict[str, list[float]] = {rid: [] for rid in ruleset_ids}
        self.max_scores: dict[str, float] = {}
        self.items: dict[str, dict[str, ItemStat]] = {rid: {} for rid in ruleset_ids}
        self.counties: set[str] = set()
        self.notices: list[str] = []  # what reading the sources left out: columns no ruleset reads, hidden parts

    def add(self, union: dict[str, Any], as_of: str, results: list[RulesetResult]) -> None:
        """One assessed union: its header, assessment date and results."""
        self.take(county_entry(union, as_of, results, self.ruleset_names))

    def take(self, entry: CountyEntry) -> None:
        """One assessed union, as `county_entry` made it with this county's standards."""
        for standing in entry.counted:
            self._count(standing, entry.row.township)
        self.as_of.add(entry.as_of)
        self.counties.add(entry.county)
        self.rows.append(entry.row)

    def add_failure(self, origin: str, union_id: str | None, messages: list[str]) -> None:
        """A union that could not be assessed (bad fact file, …)."""
        self.failures.append(Failure(origin, union_id, tuple(messages)))

    def title(self) -> str:
        """The report's title: 「青山县基层工会考核评价汇总」 (every county named in the unions' headers)."""
        return report_title(self.counties)

    def _count(self, standing: Counted, township: str) -> None:
        """A union the standard does not apply to is counted under 不适用 only: no score, no level floor."""
        rid, label, score = standing.ruleset, standing.level, standing.score
        self.level_counts[rid][label] += 1
        self.township_levels.setdefault(township, {}).setdefault(rid, Counter())[label] += 1
        self.max_scores[rid] = standing.max_score
        if not standing.applies:
            return
        floors = self.level_floor[rid]
        floors[label] = min(floors.get(label, score), score)
        if standing.eligible:
            self.scores[rid].append(score)
            self._count_items(standing)

    def _count_items(self, standing: Counted) -> None:
        for item_id, name, lost in standing.gaps:
            stat = self._item(standing.ruleset, item_id, name)
            stat.lost_by += 1
            stat.points_lost += lost
        for item_id, name in standing.missing:
            self._item(standing.ruleset, item_id, name).missing += 1

    def _item(self, rid: str, item_id: str, name: str) -> ItemStat:
        stats = self.items[rid]
        if item_id not in stats:
            stats[item_id] = ItemStat(item_id, name)
        return stats[item_id]

    def ranked_rows(self) -> list[SummaryRow]:
        """By the `rank_by` rulesets in order, each by its level (the ruleset's order, highest first; then
        未达到任何等级, 不参与定级, and last 不适用), then its score (highest first); ties by union id."""
        return sorted(self.rows, key=self._rank_key)

    def ranking(self) -> list[tuple[int, SummaryRow]]:
        """Ranked rows with their places; equal scores share a place (1, 2, 2, 4)."""
        places: list[tuple[int, SummaryRow]] = []
        for index, row in enumerate(self.ranked_rows()):
            tied = places and self._rank_key(places[-1][1])[:-1] == self._rank_key(row)[:-1]
            places.append((places[-1][0] if tied else index + 1, row))
        return places

    def _rank_key(self, row: SummaryRow) -> tuple[Any, ...]:
        key: list[float] = []
        for rid in self.rank_by:
            cell = row.cells.get(rid)
            # a standard that does not apply (or was not assessed) ranks last, its score unread
            key += [cell.order, -cell.score] if cell and cell.applies else [math.inf, 0.0]
        return (*key, row.id)

    def levels(self, rid: str) -> list[str]:
        """Level labels to show as columns, highest first, then 未达到任何等级, 不参与定级 and 不适用."""
        seen = self.level_counts[rid]
        named = self.level_names.get(rid) or sorted(
            (label for label in seen if label not in (NO_LEVEL, NOT_GRADED, NOT_APPLICABLE)), key=lambda label: -self.level_floor[rid][label])
        return list(named) + [label for label in (NO_LEVEL, NOT_GRADED, NOT_APPLICABLE) if seen[label]]

    def applies_count(self, rid: str) -> int:
        """Unions the standard applies to (its gate held), graded or not."""
        return sum(self.level_counts[rid].values()) - self.level_counts[rid][NOT_APPLICABLE]

    def townships(self) -> list[str]:
        """Townships in the order their first union came."""
        return list(self.township_levels)

    def eligible_count(self, rid: str) -> int:
        return len(self.scores[rid])

    def most_missed(self, rid: str, limit: int = 15) -> list[ItemStat]:
        """Items most unions lost points on (then most points lost county-wide)."""
        stats = sorted(self.items[rid].values(), key=lambda s: (-s.lost_by, -s.points_lost, s.id))
        return stats[:limit]

    def flagged_rows(self) -> list[SummaryRow]:
        """Unions with a veto or missing data, in input order."""
        return [row for row in self.rows if row.flagged]


def report_title(counties: set[str]) -> str:
    """「青山县基层工会考核评价汇总」; 「全县…」 when no union names its county."""
    return f"{'、'.join(sorted(c for c in counties if c)) or '全县'}基层工会考核评价汇总"
