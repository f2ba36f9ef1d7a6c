"""unionscore: grade grassroots trade unions against declarative YAML rulesets.

The small public API: load rulesets and fact files, assess, run ruleset tests.
"""
from __future__ import annotations

from .authoring.ruleset_tests import run_tests
from .diagnostics import Diagnostic, InvalidInput, UnionscoreError, UsageError
from .evaluate.assessment import Assessment, assess, assess_union
from .evaluate.evaluators import DurableEvaluator, OracleEvaluator
from .evaluate.result import RulesetResult
from .facts.fact_file import load_fact_file
from .load.loader import load_ruleset
from .load.rulesets import resolve_rulesets

__all__ = [
    "Assessment", "Diagnostic", "DurableEvaluator", "InvalidInput", "OracleEvaluator", "RulesetResult", "UnionscoreError",
    "UsageError", "assess", "assess_union", "load_fact_file", "load_ruleset", "resolve_rulesets", "run_tests",
]
