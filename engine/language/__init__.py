"""The rule language: strict YAML, expressions (parse, type-check, evaluate), compiled conditions, the loaded
ruleset model, and how conditions and figures read in Chinese."""
from __future__ import annotations

from .conditions import ConditionSet, oracle_truths
from .expr_eval import Env
from .expressions import Expression, ExpressionError, Scope, compile_expression
from .model import Bonus, FactDecl, Item, Level, Ruleset, Section, Veto
from .yamlload import load_yaml, mark_at

__all__ = [
    "Bonus", "ConditionSet", "Env", "Expression", "ExpressionError", "FactDecl", "Item", "Level", "Ruleset", "Scope",
    "Section", "Veto", "compile_expression", "load_yaml", "mark_at", "oracle_truths",
]
