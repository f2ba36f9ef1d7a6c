"""Deciding the levels held by rank for a whole run: score every union, rank, and hand the decisions back.

A cohort ruleset is decided from every union's scored result (engine/evaluate/cohort.py). When a cohort
ruleset `uses` another one, it reads the other's level, so it is decided after it, from results scored
with the other's decisions: `layers` orders them, and each layer costs one scoring pass over the unions
(one pass in the usual case). The batch scores in its worker processes (engine/batch/run.py); the web
service calls `apply_cohort_levels` for a round, then grades each union with
`assess(..., cohort=decisions)` as it grades any union, so a published result is what
`unionscore batch` writes for the same facts.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from ..diagnostics import InvalidInput
from ..facts.fact_file import FactFile
from ..language.model import Ruleset
from .assessment import Decisions, assess
from .cohort import CohortEntry, decide, entry_of
from .evaluators import Evaluator
from .result import RulesetResult

Scorer = Callable[[Decisions, tuple[str, ...]], Iterable[dict[str, CohortEntry]]]  # decisions so far, rulesets wanted → per union


def layers(rulesets: list[Ruleset]) -> list[list[Ruleset]]:
    """The cohort rulesets in the order they can be decided: each after the cohort rulesets it uses."""
    by_id = {ruleset.id: ruleset for ruleset in rulesets}

    def depth(ruleset: Ruleset) -> int:
        used = [depth(by_id[u]) + by_id[u].by_cohort for u in ruleset.uses if u in by_id]
        return max(used, default=0)

    found: dict[int, list[Ruleset]] = {}
    for ruleset in (r for r in rulesets if r.by_cohort):
        found.setdefault(depth(ruleset), []).append(ruleset)
    return [found[key] for key in sorted(found)]


def cohort_decisions(rulesets: list[Ruleset], score: Scorer) -> Decisions:
    """Every cohort ruleset decided, layer by layer; `score(decisions, ids)` yields, per union, the cohort
    entries of the rulesets `ids` as scored with the decisions made so far."""
    decisions: Decisions = {}
    for layer in layers(rulesets):
        ids = tuple(ruleset.id for ruleset in layer)
        entries: dict[str, list[CohortEntry]] = {rid: [] for rid in ids}
        for union in score(decisions, ids):
            for rid, entry in union.items():
                entries[rid].append(entry)
        decisions.update({ruleset.id: decide(ruleset, entries[ruleset.id]) for ruleset in layer})
    return decisions


def entries(union: dict[str, Any], results: dict[str, RulesetResult], ids: tuple[str, ...]) -> dict[str, CohortEntry]:
    """One union's cohort entries for the rulesets `ids`."""
    return {rid: entry_of(union, results[rid]) for rid in ids if rid in results}


def apply_cohort_levels(rulesets: list[Ruleset], fact_files: Iterable[FactFile], evaluator: Evaluator,
                        as_of: dt.date | None = None) -> Decisions:
    """The decisions for one round of the web service: every union whose facts are valid is scored (twice
    when a cohort ruleset uses another), the cohorts ranked. Grade each union with them:
    `assess(rulesets, fact_file, evaluator, as_of, cohort=decisions)`."""
    unions = list(fact_files)

    def score(decisions: Decisions, ids: tuple[str, ...]) -> Iterable[dict[str, CohortEntry]]:
        for fact_file in unions:
            try:
                results = assess(rulesets, fact_file, evaluator, as_of, cohort=decisions).results
            except InvalidInput:
                continue  # a union with bad facts has no result and takes no place
            yield entries(fact_file.union, results, ids)

    return cohort_decisions(rulesets, score)
