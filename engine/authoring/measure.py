"""Measuring a ruleset change over real unions: every union of the sources under both versions.

Sources are read as `batch` reads them. A CSV or Parquet file whose unions the columns can grade
under both versions is compared in bulk (engine/authoring/bulk_impact.py): a province's diff takes
seconds. Everything else (folders, fact files, workbooks, rulesets the columns do not grade) is
compared union by union (`compare_unit`). Both ways give the same unions, standings and counts.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from ..evaluate.assessment import Evaluator
from ..facts.fact_file import merged_declarations
from ..facts.sources import check_read_once, read_units
from .bulk_impact import BulkSource
from .impact import Impact, Version, compare_unit


def measure_impact(old: Version, new: Version, sources: Sequence[str | Path], evaluator: Evaluator,
                   as_of: dt.date | None = None, warn: Callable[[str], None] = lambda message: None) -> Impact:
    """Assess every union of the sources under both versions, in source order."""
    check_read_once(sources)
    decls = merged_declarations(new.chain + old.chain)  # a spreadsheet may head a column with either version's labels
    impact = Impact()
    for source in sources:
        bulk = BulkSource.of(Path(source), old, new, decls)
        if bulk is not None:
            bulk.compare(impact, evaluator, as_of, warn)
            continue
        for unit in read_units([source], decls, None, warn):
            impact.add(compare_unit(unit, old, new, evaluator, as_of))
    return impact
