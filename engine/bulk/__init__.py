"""Grading in bulk: a ruleset's items, vetoes, gate and levels compiled to column operations over
every union of a chunk at once (numpy, exact rationals), equal to the per-union engine's grades.

durable-rules stays the engine of `assess`, of per-union pages and of every explanation; this
package grades, it never explains. A ruleset with a construct it cannot evaluate exactly is left
to the per-union engine (`compile_rulesets`), and so is a union whose numbers leave exact range
(`BulkResult.unsure`).
"""
from __future__ import annotations

from .columns import Unsupported
from .frame import Frame, Row, build_frame
from .grade import Plan, compile_rulesets, grade_frame
from .scoring import OUTCOMES, BulkResult

__all__ = ["OUTCOMES", "BulkResult", "Frame", "Plan", "Row", "Unsupported", "build_frame", "compile_rulesets", "grade_frame"]
