"""Item kinds: how an item's base points are found. One module per kind, listed here and nowhere else.

Each kind is a frozen dataclass implementing `engine.language.kind.Kind`: its schema branch,
build, scoring and reason, explain parts, planner goals, diff fields, checks and reference text
(its docstring). Adding a kind means a module, a line in `KINDS` and its tests.
"""
from __future__ import annotations

from ..codes import Code
from ..language.kind import Kind
from .around import Around
from .base import UNCAPPED
from .count import Count
from .deductions import DeductionsOnly
from .judged import Judged
from .scale import Scale
from .shortfall import Shortfall
from .tiers import Tier, Tiers
from .when import When

KINDS: dict[str, type[Kind]] = {kind.key: kind for kind in (When, Tiers, Count, Scale, Shortfall, Around, Judged, DeductionsOnly)}
FALLBACK = DeductionsOnly  # an item with only `deduct`
CHOSEN_BY_FIELD = tuple(kind for kind in KINDS.values() if kind is not FALLBACK)


def kind_codes() -> dict[str, Code]:
    """The diagnostic codes the kinds report themselves."""
    return {code: entry for kind in KINDS.values() for code, entry in kind.codes.items()}


def kind_fields() -> dict[str, str]:
    """Every kind's `record` keys in Chinese (for `diff`)."""
    return {key: text for kind in KINDS.values() for key, text in kind.fields.items()}


__all__ = ["CHOSEN_BY_FIELD", "FALLBACK", "KINDS", "UNCAPPED", "Around", "Count", "DeductionsOnly", "Judged", "Scale", "Shortfall",
           "Tier", "Tiers", "When", "kind_codes", "kind_fields"]
