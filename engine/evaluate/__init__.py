"""Assessing one union: environments, condition truths (durable-rules or the oracle), scoring, results."""
from __future__ import annotations

from .assess import (
    DurableEvaluator,
    Evaluator,
    OracleEvaluator,
    assess_union,
    assessment_date,
)
from .result import Gap, ItemScore, RulesetResult, SectionScore

__all__ = [
    "DurableEvaluator", "Evaluator", "Gap", "ItemScore", "OracleEvaluator", "RulesetResult", "SectionScore",
    "assess_union", "assessment_date",
]
