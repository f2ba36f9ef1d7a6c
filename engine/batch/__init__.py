"""`unionscore batch`: a whole county from its sources to an output folder, in worker processes."""
from __future__ import annotations

from .run import BatchOptions, run_batch

__all__ = [
    "BatchOptions", "run_batch",
]
