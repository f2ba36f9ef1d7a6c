"""unionscore: grade grassroots trade unions against declarative YAML rulesets.

The small public API: load rulesets and fact files, assess, run ruleset tests.
"""
from __future__ import annotations

from .assess import DurableEvaluator, OracleEvaluator, assess_union
from .diagnostics import Diagnostic, InvalidInput, UnionscoreError, UsageError
from .facts import load_fact_file
from .loader import load_ruleset
from .result import RulesetResult
from .ruleset_tests import run_tests
from .rulesets import resolve_rulesets

__all__ = [
    "Diagnostic", "DurableEvaluator", "InvalidInput", "OracleEvaluator", "RulesetResult", "UnionscoreError",
    "UsageError", "assess_union", "load_fact_file", "load_ruleset", "resolve_rulesets", "run_tests",
]
