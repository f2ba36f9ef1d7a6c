"""Results as Parquet: one file per ruleset and partition, `results/<ruleset>/part-<n>.parquet`, one
row per union with its score, level, vetoes and every item's points and outcome as columns.
polars (`pl.read_parquet("out/results/bayou/*.parquet")`) and DuckDB read the folder as one table."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..bulk.scoring import OUTCOMES
from .grades import Grades

UNION_COLUMNS = ("id", "name", "type", "city", "county", "township")


def part_name(ruleset_id: str, index: int) -> str:
    return f"results/{ruleset_id}/part-{index:05d}.parquet"


def parts_glob(ruleset_id: str) -> str:
    """Every part of one ruleset's results, as polars and DuckDB read them."""
    return f"results/{ruleset_id}/*.parquet"


def results_table(grades: Grades, union: dict[str, np.ndarray], lines: np.ndarray, source: str, kept: np.ndarray) -> pa.Table:
    """The rows `kept` (graded) of one ruleset, in input order."""
    rows = np.flatnonzero(kept)
    n = len(rows)
    columns: dict[str, pa.Array] = {"source": pa.array([source] * n, pa.string()), "line": pa.array(lines[rows], pa.int64())}
    for field in UNION_COLUMNS:
        values = union.get(field)
        columns[f"union.{field}"] = pa.array([None] * n if values is None else values[rows].tolist(), pa.string())
    ids = np.array([level.id for level in grades.ruleset.levels] + [None], dtype=object)
    columns |= {
        "ruleset": pa.array([grades.ruleset.id] * n, pa.string()), "score": pa.array(grades.score[rows]),
        "bonus": pa.array(grades.bonus[rows]), "level": pa.array(ids[grades.level[rows]].tolist(), pa.string()),
        "level_name": pa.array(grades.level_text()[rows].tolist(), pa.string()),
        "eligible": pa.array(grades.eligible[rows]), "applies": pa.array(grades.applies[rows]),
        "vetoes": pa.array(veto_lists(grades, rows), pa.list_(pa.string())),
    }
    names = np.array(OUTCOMES, dtype=object)
    for item_id, points in grades.points.items():
        columns[f"points:{item_id}"] = pa.array(points[rows])
        columns[f"outcome:{item_id}"] = pa.array(names[grades.outcome[item_id][rows]].tolist(), pa.string())
    return pa.table(columns)


def veto_lists(grades: Grades, rows: np.ndarray) -> list[list[str]]:
    hits = {veto_id: hit[rows] for veto_id, hit in grades.vetoes.items()}
    return [[veto_id for veto_id, hit in hits.items() if hit[index]] for index in range(len(rows))]


def write_part(table: pa.Table, path: Path) -> None:
    """Written under a temporary name, then renamed: a part file is complete or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.part")
    pq.write_table(table, temporary)
    os.replace(temporary, path)
