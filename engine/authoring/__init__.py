"""The rule author's tools: check (lint), ruleset tests and coverage, diff and impact, explain, the reference."""
from __future__ import annotations

from .ruleset_tests import run_tests

__all__ = ["run_tests"]
