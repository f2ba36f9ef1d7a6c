"""One ruleset's grades for every row of a partition, as they are written and counted: scores and
points rounded as the JSON results round them, levels, vetoes, item outcomes. Rows the bulk evaluator
left to the per-union engine are filled in from its results."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..bulk import rational
from ..bulk.rational import Array, Q
from ..bulk.scoring import OUTCOMES, BulkResult
from ..evaluate.result import NO_LEVEL, NOT_APPLICABLE, NOT_GRADED, RulesetResult
from ..language.model import Ruleset
from ..values import json_score

CODES = {name: code for code, name in enumerate(OUTCOMES)}
LOSING = (CODES["partial"], CODES["fail"], CODES["missing"])


@dataclass
class Grades:
    ruleset: Ruleset
    score: Array
    bonus: Array
    level: Array  # index into ruleset.levels, −1 for none
    eligible: Array
    applies: Array
    vetoes: dict[str, Array]
    points: dict[str, Array]
    lost: dict[str, Array]  # max_points − points, rounded as shown
    losing: dict[str, Array]  # max_points − points > 0, exactly
    outcome: dict[str, Array]

    def level_text(self) -> Array:
        """Per row, the level as people read it (`RulesetResult.level_text`)."""
        return level_texts(self.ruleset, self.level, self.eligible, self.applies)

    def gaps(self, item_id: str) -> Array:
        """Rows where the item is a gap: it lost points (partial, fail or missing)."""
        return np.isin(self.outcome[item_id], LOSING) & self.losing[item_id]


def level_texts(ruleset: Ruleset, level: Array, eligible: Array, applies: Array) -> Array:
    """Per row, the level as people read it (`RulesetResult.level_text`): 不适用, 不参与定级, the level or 未达到任何等级."""
    names = np.array([each.name for each in ruleset.levels] + [NO_LEVEL], dtype=object)
    return np.where(~applies, NOT_APPLICABLE, np.where(~eligible, NOT_GRADED, names[level]))


def hundredths(q: Q) -> Array:
    """A score as JSON gives it: rounded half away from zero to 2 decimals, as a float."""
    whole = (np.abs(q.num).astype(object) * 200 + q.den) // (2 * q.den)
    signed = np.where(q.num < 0, -whole, whole).astype(np.float64)
    return signed / 100


def from_bulk(bulk: BulkResult) -> Grades:
    sink = np.zeros(len(bulk.level), dtype=bool)  # points and their maxima are small: nothing overflows here
    lost = {k: rational.sub(v.possible, v.points, sink) for k, v in bulk.items.items()}
    return Grades(
        bulk.ruleset, hundredths(bulk.score), hundredths(bulk.bonus), bulk.level.copy(), bulk.eligible.copy(), bulk.applies.copy(),
        {k: v.copy() for k, v in bulk.vetoes.items()}, {k: hundredths(v.points) for k, v in bulk.items.items()},
        {k: hundredths(v) for k, v in lost.items()}, {k: v.num > 0 for k, v in lost.items()},
        {k: v.outcome.copy() for k, v in bulk.items.items()},
    )


def blank(ruleset: Ruleset, n: int) -> Grades:
    """Grades for rows all filled in from per-union results (a ruleset the columns do not grade)."""
    items = ruleset.every_item()
    zeros = np.zeros(n, dtype=np.float64)
    return Grades(ruleset, zeros.copy(), zeros.copy(), np.full(n, -1, dtype=np.int16), np.zeros(n, dtype=bool), np.zeros(n, dtype=bool),
                  {v.id: np.zeros(n, dtype=bool) for v in ruleset.vetoes}, {i.id: zeros.copy() for i in items},
                  {i.id: zeros.copy() for i in items}, {i.id: np.zeros(n, dtype=bool) for i in items},
                  {i.id: np.zeros(n, dtype=np.int8) for i in items})


def put(grades: Grades, row: int, result: RulesetResult) -> None:
    """Row `row` from the per-union engine's result."""
    ids = [level.id for level in grades.ruleset.levels]
    grades.score[row], grades.bonus[row] = json_score(result.score), json_score(result.bonus)
    grades.level[row] = ids.index(result.level.id) if result.level else -1
    grades.eligible[row], grades.applies[row] = result.eligible, result.applies
    hit = set(result.veto_ids)
    for veto_id, column in grades.vetoes.items():
        column[row] = veto_id in hit
    for item in result.items + result.bonus_items:
        grades.points[item.id][row], grades.outcome[item.id][row] = json_score(item.points), CODES[item.outcome]
        grades.lost[item.id][row], grades.losing[item.id][row] = json_score(item.lost), item.lost > 0
