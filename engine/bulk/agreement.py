"""Whether the bulk grades of a union equal the per-union engine's: what tests and the benchmark
compare (scores, bonus, levels, eligibility, vetoes, sections, every item's points and outcome)."""
from __future__ import annotations

from typing import Any

from ..diagnostics import InvalidInput
from ..evaluate.assessment import assess
from ..evaluate.evaluators import Evaluator
from ..evaluate.result import RulesetResult
from ..facts.fact_file import FactFile, merged_declarations
from ..language.model import Ruleset
from . import rational
from .frame import Row, build_frame
from .grade import compile_rulesets, grade_frame
from .scoring import OUTCOMES, BulkResult


def row_grades(bulk: BulkResult, row: int) -> dict[str, Any]:
    """One union's grades from the bulk result, in the engine's exact values."""
    levels = bulk.ruleset.levels
    index = int(bulk.level[row])
    return {
        "score": rational.at(bulk.score, row), "bonus": rational.at(bulk.bonus, row),
        "level": levels[index].id if index >= 0 else None, "eligible": bool(bulk.eligible[row]), "applies": bool(bulk.applies[row]),
        "vetoes": [veto_id for veto_id, hit in bulk.vetoes.items() if hit[row]],
        "sections": {key: (rational.at(e, row), rational.at(p, row)) for key, (e, p) in bulk.sections.items()},
        "items": {key: (OUTCOMES[item.outcome[row]], rational.at(item.points, row), rational.at(item.possible, row))
                  for key, item in bulk.items.items()},
    }


def engine_grades(result: RulesetResult) -> dict[str, Any]:
    """The same fields from one per-union result."""
    return {
        "score": result.score, "bonus": result.bonus, "level": result.level.id if result.level else None,
        "eligible": result.eligible, "applies": result.applies, "vetoes": [v.id for v in result.vetoes],
        "sections": {s.id: (s.points, s.max_points) for s in result.sections},
        "items": {i.id: (i.outcome, i.points, i.max_points) for i in result.items + result.bonus_items},
    }


def differences(bulk: BulkResult, row: int, result: RulesetResult) -> list[str]:
    """The fields where the two disagree, named (empty when they agree)."""
    mine, theirs = row_grades(bulk, row), engine_grades(result)
    found = [f"{key}: {mine[key]!r} ≠ {theirs[key]!r}" for key in ("score", "bonus", "level", "eligible", "applies", "vetoes") if mine[key] != theirs[key]]
    for group in ("sections", "items"):
        found += [f"{key}: {mine[group].get(key)!r} ≠ {value!r}" for key, value in theirs[group].items() if mine[group].get(key) != value]
    return found


def graded_apart(rulesets: list[Ruleset], fact_files: list[FactFile], evaluator: Evaluator) -> tuple[list[Row], list[dict[str, RulesetResult]]]:
    """Each union assessed by the per-union engine, with its checked facts as the bulk evaluator reads them
    (unions with invalid facts are left out: they are errors in both paths)."""
    rows, results = [], []
    for fact_file in fact_files:
        try:
            assessment = assess(rulesets, fact_file, evaluator)
        except InvalidInput:
            continue
        rows.append(Row(fact_file.union, fact_file.period, assessment.facts, assessment.as_of))
        results.append(assessment.results)
    return rows, results


def disagreements(rulesets: list[Ruleset], fact_files: list[FactFile], evaluator: Evaluator) -> tuple[int, list[str], int]:
    """(unions compared, what differs, rows left to the per-union engine): bulk against per-union."""
    rows, results = graded_apart(rulesets, fact_files, evaluator)
    decls = merged_declarations(rulesets)
    bulk = grade_frame(compile_rulesets(rulesets, decls), build_frame(rows, decls))
    found, unsure = [], 0
    for row, result in enumerate(results):
        for ruleset_id, grades in bulk.items():
            if grades.unsure[row]:
                unsure += 1
                continue
            found += [f"{rows[row].union.get('id')} {ruleset_id} {d}" for d in differences(grades, row, result[ruleset_id])]
    return len(rows), found, unsure
