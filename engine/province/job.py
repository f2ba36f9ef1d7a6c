"""One partition graded, in a worker process (or on a Dask worker): read column by column, graded in
bulk, the rows the bulk evaluator leaves graded by the per-union engine, written as Parquet parts,
and counted into a `Tally` for the parent. Everything a worker needs travels as plain data
(ruleset specs, paths), so the same job runs in a local process pool and on a cluster."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from ..batch.workers import located
from ..bulk import BulkResult, Plan, compile_rulesets, grade_frame
from ..diagnostics import InvalidInput
from ..evaluate.assessment import assess
from ..evaluate.evaluators import DurableEvaluator
from ..evaluate.result import RulesetResult
from ..facts.fact_file import FactChecker, fact_checker, merged_declarations
from ..facts.sources import Header, Reading, Table, classify_header, row_cells, row_unit, union_row
from ..facts.union_ids import repeated_id
from ..language.model import Ruleset
from ..load.rulesets import resolve_rulesets
from .aggregate import Tally, count_grades, places
from .columnar import read_chunk
from .grades import Grades, blank, from_bulk, put
from .output import part_name, results_table, write_part
from .partitions import Partition, first_line, header_of, read_partition
from .repeats import origin


@dataclass(frozen=True)
class Settings:
    """What every partition of a run shares: the rulesets as named on the command line, the output folder, --as-of."""

    specs: tuple[str, ...]
    out: str
    as_of: dt.date | None = None


@dataclass(frozen=True)
class Prepared:
    rulesets: list[Ruleset]
    plans: dict[str, Plan | None]
    checker: FactChecker
    reading: Reading


@cache
def prepared(specs: tuple[str, ...]) -> Prepared:
    """Rulesets loaded and compiled once per worker process."""
    rulesets = resolve_rulesets(list(specs))
    decls = merged_declarations(rulesets)
    return Prepared(rulesets, compile_rulesets(rulesets, decls), fact_checker(rulesets), Reading(decls))


@cache
def evaluator() -> DurableEvaluator:
    return DurableEvaluator()


def grade_partition(partition: Partition, settings: Settings) -> Tally:
    """Grade one partition, write its part files, return its counts."""
    prep = prepared(settings.specs)
    table = read_partition(partition)
    header = classify_header(header_of(partition.file), prep.reading)
    chunk = read_chunk(table, header.columns, len(header.cells), prep.checker, settings.as_of)
    bulk = grade_frame(prep.plans, chunk.frame)
    grades = {r.id: from_bulk(bulk[r.id]) if r.id in bulk else blank(r, table.height) for r in prep.rulesets}
    apart = chunk.bad | unsure(bulk, table.height, all(p is not None for p in prep.plans.values()))
    lines = np.arange(table.height, dtype=np.int64) + first_line(partition)
    tally = Tally()
    left_out = np.zeros(table.height, dtype=bool)
    repeats = dict(partition.repeats)
    for row in sorted({*np.flatnonzero(apart).tolist(), *repeats}):
        left_out[row] = bool(apart[row]) and not one_by_one(row, row_cells(table.row(row)), header, partition, settings, grades, tally)
        if row in repeats and not left_out[row]:  # a row with wrong data is reported for them, as in a county batch
            left_out[row] = True
            where, union_id = origin(partition, row), str(chunk.union["id"][row])
            tally.fail(where, union_id, (repeated_id(where, union_id, repeats[row]),))
    kept = ~left_out
    for ruleset in prep.rulesets:
        write_part(results_table(grades[ruleset.id], chunk.union, lines, partition.source, kept),
                   Path(settings.out) / part_name(ruleset.id, partition.index))
    count_all(tally, grades, chunk.union, kept, chunk.frame.as_of)
    tally.one_by_one += int((apart & kept).sum())
    return tally


def unsure(bulk: dict[str, BulkResult], n: int, every_ruleset: bool) -> np.ndarray:
    """Rows the bulk evaluator did not settle: out of exact range, or every row when a ruleset is not compiled."""
    found = np.zeros(n, dtype=bool) if every_ruleset else np.ones(n, dtype=bool)
    for result in bulk.values():
        found |= result.unsure
    return found


def count_all(tally: Tally, grades: dict[str, Grades], union: dict[str, np.ndarray], kept: np.ndarray, as_of: np.ndarray) -> None:
    where = places(union, len(kept))
    for each in grades.values():
        count_grades(tally, each, where, kept)
    tally.graded += int(kept.sum())
    tally.as_of |= {dt.date.fromordinal(int(day)).isoformat() for day in np.unique(as_of[kept])}


def one_by_one(row: int, cells: tuple[Any, ...], header: Header, partition: Partition, settings: Settings,
               grades: dict[str, Grades], tally: Tally) -> bool:
    """A row graded by the per-union engine, as a county batch would: its results into `grades`, or
    its errors into the tally (False). As in a county batch, a blank line is not a union (False, nothing
    told), nor is a 合计 row or a footer (False, told in the tally's notices)."""
    number, table = first_line(partition) + row, Table(partition.source)
    if not union_row(cells, table, number, tally.skip):
        return False
    unit = row_unit(number, cells, header, table)
    errors = [d.render(with_source=False) for d in unit.problems]
    results: list[RulesetResult] = []
    if not errors:
        try:
            assessment = assess(prepared(settings.specs).rulesets, unit.read(), evaluator(), settings.as_of)
            results = list(assessment.results.values())
        except InvalidInput as exc:
            errors = [located(unit, d.render(with_source=False)) for d in exc.diagnostics]
    if errors:
        tally.fail(unit.origin, unit.union_id, tuple(errors))
        return False
    for result in results:
        put(grades[result.ruleset.id], row, result)
    return True
