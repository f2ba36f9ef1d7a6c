"""A ruleset change measured over a CSV or Parquet file in bulk: the file read column by column, as a
province batch reads it, and graded under both versions at once by engine/bulk/. A province's diff
takes seconds instead of hours.

Rows the columns do not settle (a cell that does not read, facts one version rejects, numbers out of
exact range) are compared union by union (`compare_unit`). So are, by the county batch's reader,
whole files the columns cannot take: not UTF-8, a union over two lines, no 编号 or 类型 on the first
line, a fact the two versions read differently, or a version the columns do not grade. Only the
unions whose level or score changes become `UnionImpact`s; the others are counted, so memory does
not grow with the file.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ..bulk import BulkResult, Plan, compile_rulesets, grade_frame
from ..bulk.rational import Array, Q
from ..bulk.scoring import OUTCOMES
from ..evaluate.assessment import Evaluator
from ..evaluate.scoring import PASSING
from ..facts.fact_file import FactChecker, bundled_declarations, fact_checker, merged_declarations
from ..facts.sources import (
    Column,
    Header,
    Reading,
    Table,
    classify_header,
    csv_short_header,
    header_problems,
    row_cells,
    row_unit,
    union_row,
    warn_ignored,
)
from ..language.model import FactDecl
from ..province.checks import HEADER_ROW, unreadable, warn_unheaded
from ..province.columnar import read_chunk
from ..province.grades import level_texts
from ..province.mode import PARTITION_ROWS, TABULAR
from ..province.partitions import first_line, header_of, plan_partitions, read_partition
from ..values import Fraction, Number, normal
from .impact import Impact, Standing, UnionImpact, Version, compare_unit

UNION_HEADER = ("id", "name", "township")  # what a UnionImpact shows of a union


@dataclass(frozen=True)
class Side:
    """One version as the columns grade it: the checker of its facts and its rulesets compiled."""

    version: Version
    checker: FactChecker
    plans: dict[str, Plan | None]

    @classmethod
    def of(cls, version: Version) -> Side | None:
        plans = compile_rulesets(version.chain, merged_declarations(version.chain))
        return cls(version, fact_checker(version.chain), plans) if plans.get(version.ruleset.id) is not None else None

    def graded(self, frame: pl.DataFrame, header: Header, as_of: dt.date | None) -> Graded:
        """The version's target ruleset over a partition, and the rows it leaves to the per-union engine."""
        declared, columns = {decl.name for decl in self.checker.decls}, header.columns
        chunk = read_chunk(frame, [c for c in columns if c.decl is None or c.target in declared], len(header.cells), self.checker, as_of)
        results = grade_frame(self.plans, chunk.frame)
        apart = chunk.bad | undeclared(frame, columns, declared)
        for result in results.values():
            apart |= result.unsure
        target = results[self.version.ruleset.id]
        return Graded(target, apart, level_texts(target.ruleset, target.level, target.eligible, target.applies), chunk.union,
                      self.version.names)


@dataclass(frozen=True)
class Graded:
    """A version's target ruleset graded over a partition: the grades, each row's level as shown, its header."""

    result: BulkResult
    apart: Array  # rows the per-union engine compares
    level_text: Array
    union: dict[str, Array]
    names: dict[str, str]  # the version's (`Version.names`)

    def level_ids(self) -> Array:
        return np.array([level.id for level in self.result.ruleset.levels] + [None], dtype=object)[self.result.level]

    def standing(self, row: int) -> Standing:
        """Row `row` as `Standing.of` gives it from the per-union engine's result."""
        result, ruleset = self.result, self.result.ruleset
        hit = tuple(veto.id for veto in ruleset.vetoes if result.vetoes[veto.id][row])
        outcome = {item.id: OUTCOMES[result.items[item.id].outcome[row]] for item in ruleset.every_item()}
        level = int(result.level[row])
        return Standing(exact(result.score, row), ruleset.levels[level].id if level >= 0 else None, str(self.level_text[row]),
                        bool(result.eligible[row]), tuple(exact(result.items[item.id].points, row) for item in ruleset.every_item()), self.names,
                        tuple(item.id for item in ruleset.items() if item.required and outcome[item.id] not in PASSING), hit,
                        tuple(item.id for item in ruleset.every_item() if outcome[item.id] == "missing"),
                        tuple(item.id for item in ruleset.every_item() if outcome[item.id] == "na" and result.items[item.id].possible.num[row] == 0))


def exact(q: Q, row: int) -> Number:
    return normal(Fraction(int(q.num[row]), int(q.den[row])))


def undeclared(frame: pl.DataFrame, columns: list[Column], declared: set[str]) -> Array:
    """Rows with a fact the version does not declare and no bundled standard knows: the per-union engine
    rejects those (fact-undeclared), so they are compared one by one."""
    found = np.zeros(frame.height, dtype=bool)
    for column in columns:
        if column.decl is not None and column.target not in declared and column.target not in bundled_declarations():
            found |= frame.get_column(frame.columns[column.index]).is_not_null().to_numpy()
    return found


@dataclass(frozen=True)
class BulkSource:
    """A CSV or Parquet file whose unions are compared in bulk."""

    source: Path
    versions: tuple[Version, Version]
    header: Header  # its columns, and those it ignores
    sides: tuple[Side, Side]

    @classmethod
    def of(cls, source: Path, old: Version, new: Version, decls: Mapping[str, FactDecl]) -> BulkSource | None:
        """The source compared in bulk, or None when the county batch's reader takes it (see the module's doc)."""
        if source.suffix.lower() not in TABULAR or not source.is_file() or unreadable(source):
            return None
        reading = Reading(decls)
        header = classify_header(header_of(str(source)), reading)
        if not header.columns or header_problems(header.columns, Table(str(source)), HEADER_ROW) or read_apart(old, new, header.columns):
            return None
        if csv_short_header(source, reading):
            return None
        sides = Side.of(old), Side.of(new)
        if sides[0] is None or sides[1] is None:
            return None
        return cls(source, (old, new), header, (sides[0], sides[1]))

    def compare(self, impact: Impact, evaluator: Evaluator, as_of: dt.date | None, warn: Callable[[str], None]) -> None:
        warn_ignored(Table(str(self.source)), self.header, warn)
        warn_unheaded(self.source, self.header, warn)
        for partition in plan_partitions([self.source], PARTITION_ROWS):
            self.compare_rows(read_partition(partition), first_line(partition), impact, evaluator, as_of, warn)

    def compare_rows(self, frame: pl.DataFrame, first: int, impact: Impact, evaluator: Evaluator, as_of: dt.date | None,
                     warn: Callable[[str], None]) -> None:
        """Each row in order: compared one by one, built as a changed union, or counted."""
        old, new = (side.graded(frame, self.header, as_of) for side in self.sides)
        apart = old.apart | new.apart
        changed = ((old.level_ids() != new.level_ids()) | (old.result.eligible != new.result.eligible)
                   | (old.result.score.num != new.result.score.num) | (old.result.score.den != new.result.score.den))
        table = Table(str(self.source))
        for row in range(frame.height):
            if apart[row]:
                self.one_by_one(row_cells(frame.row(row)), first + row, table, impact, evaluator, as_of, warn)
            elif changed[row]:
                union = {key: str(old.union[key][row] or "") if key in old.union else "" for key in UNION_HEADER}
                impact.add(UnionImpact(table.origin(first + row), union, old.standing(row), new.standing(row)))
            else:
                impact.unchanged(table.origin(first + row), str(old.union["id"][row]), old.level_text[row], new.level_text[row])

    def one_by_one(self, cells: tuple, line: int, table: Table, impact: Impact, evaluator: Evaluator, as_of: dt.date | None,
                   warn: Callable[[str], None]) -> None:
        """A row compared by the per-union engine. As when a county batch reads it, a blank line is not a union,
        nor is a 合计 row or a footer (told)."""
        if union_row(cells, table, line, warn):
            impact.add(compare_unit(row_unit(line, cells, self.header, table), *self.versions, evaluator, as_of))


def read_apart(old: Version, new: Version, columns: list[Column]) -> bool:
    """Whether a column's fact is read differently by the two versions (its type, unit, range or values):
    the per-union engine reads such a cell as each version declares it."""
    facts = [merged_declarations(version.chain) for version in (old, new)]
    return any(reading(facts[0][c.target]) != reading(facts[1][c.target]) for c in columns if c.target in facts[0] and c.target in facts[1])


def reading(decl: FactDecl) -> tuple:
    return decl.type, decl.items, tuple(decl.values or ()), decl.min, decl.max, decl.unit
