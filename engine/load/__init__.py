"""Loading rulesets: file → `extends` → JSON Schema → build → semantic checks, and resolving the rulesets of a run."""
from __future__ import annotations

from .loader import bundled_ids, load_ruleset, locate
from .rulesets import requested, resolve_rulesets

__all__ = [
    "bundled_ids", "load_ruleset", "locate", "requested", "resolve_rulesets",
]
