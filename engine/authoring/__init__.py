"""The rule author's tools: check (lint), ruleset tests and coverage, diff and impact, explain, the reference.
`measure` (a diff's impact on many unions, in bulk with numpy and polars) is imported where it is used."""
from __future__ import annotations

from .diff import ruleset_changes
from .explain import explain
from .impact import load_version
from .lint import check_file
from .ruleset_tests import load_tests, run_tests

__all__ = ["check_file", "explain", "load_tests", "load_version", "ruleset_changes", "run_tests"]
