"""A province run checked against the per-union engine: a seeded sample of its unions graded again
one at a time (durable-rules), every written field compared with the Parquet results."""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import polars as pl

from ..evaluate.assessment import assess
from ..evaluate.result import RulesetResult
from ..facts.sources import Header, Table, classify_header, row_unit
from ..values import json_score
from .job import evaluator, prepared
from .output import parts_glob
from .partitions import Partition, first_line, header_of, read_partition


def expected_row(result: RulesetResult) -> dict[str, Any]:
    """What the Parquet row of this result must hold."""
    row = {"score": json_score(result.score), "bonus": json_score(result.bonus), "level": result.level.id if result.level else None,
           "level_name": result.level_text, "eligible": result.eligible, "applies": result.applies, "vetoes": result.veto_ids}
    for item in result.items + result.bonus_items:
        row[f"points:{item.id}"], row[f"outcome:{item.id}"] = json_score(item.points), item.outcome
    return row


def sample_mismatches(out: Path, source: Path, specs: tuple[str, ...], count: int, seed: int) -> tuple[int, list[str]]:
    """(unions compared, what differs) for `count` unions of `source` drawn with `seed`."""
    prep = prepared(specs)
    written = {r.id: pl.read_parquet(out / parts_glob(r.id)) for r in prep.rulesets}
    lines = written[prep.rulesets[0].id].filter(pl.col("source") == str(source)).get_column("line").to_list()
    chosen = sorted(random.Random(seed).sample(lines, min(count, len(lines))))
    header = classify_header(header_of(str(source)), prep.reading)
    found: list[str] = []
    for line in chosen:
        found += union_mismatches(line, source, header, written, specs)
    return len(chosen), found


def union_mismatches(line: int, source: Path, header: Header, written: dict[str, pl.DataFrame], specs: tuple[str, ...]) -> list[str]:
    partition = Partition(str(source), 0, line - first_line(Partition(str(source), 0, 0, 0)), 1)
    cells = read_partition(partition).row(0)
    unit = row_unit(line, cells, header, Table(str(source)))
    assessment = assess(prepared(specs).rulesets, unit.read(), evaluator())
    found = []
    for ruleset_id, result in assessment.results.items():
        rows = written[ruleset_id].filter((pl.col("source") == str(source)) & (pl.col("line") == line)).to_dicts()
        expected = expected_row(result)
        if len(rows) != 1:
            found.append(f"第 {line} 行 {ruleset_id}：结果中有 {len(rows)} 行")
            continue
        found += [f"第 {line} 行 {ruleset_id} {key}：{rows[0].get(key)!r} ≠ {value!r}" for key, value in expected.items() if rows[0].get(key) != value]
    return found
