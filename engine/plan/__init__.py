"""The rectification planner: quantified targets per item and the least-effort plan to a level."""
from __future__ import annotations

from .planner import Planner, next_level_plans, planned
from .records import Change, Plan, Standing, Step, Target

__all__ = [
    "Change", "Plan", "Planner", "Standing", "Step", "Target", "next_level_plans", "planned",
]
