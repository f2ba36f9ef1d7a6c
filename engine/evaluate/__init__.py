"""Assessing one union: environments, condition truths (durable-rules or the oracle), scoring, results."""
from __future__ import annotations

from .assessment import Assessment, assess, assess_union, assessment_date
from .evaluators import DurableEvaluator, Evaluator, OracleEvaluator, evaluator_named
from .result import Gap, ItemScore, LevelRef, RulesetRef, RulesetResult, SectionScore, VetoHit

__all__ = [
    "Assessment", "DurableEvaluator", "Evaluator", "Gap", "ItemScore", "LevelRef", "OracleEvaluator", "RulesetRef", "RulesetResult",
    "SectionScore", "VetoHit", "assess", "assess_union", "assessment_date", "evaluator_named",
]
