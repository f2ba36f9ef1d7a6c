"""`unionscore batch`: a whole county, from sources to an output folder of reports.

Sources are read lazily, unions are assessed by worker processes, and each result is
written as soon as it arrives; only the compact summary rows and the aggregates stay in
memory. Every output file is written atomically.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..facts.fact_file import merged_declarations
from ..facts.sources import read_units
from ..language.model import Ruleset
from ..report.county import CountyStats
from ..report.county_report import write_county_report
from ..report.summary_workbook import ItemSheets, write_summary_csv
from ..report.union_page import union_file_stem
from .output_folder import OutputFolder
from .workers import Outcome, run_units


@dataclass(frozen=True)
class BatchOptions:
    sources: tuple[Path, ...]
    out: Path
    jobs: int
    as_of: dt.date | None = None
    sheet: str | None = None
    force: bool = False
    rank_by: tuple[str, ...] = ()


def county_stats(rulesets: list[Ruleset], rank_by: tuple[str, ...]) -> CountyStats:
    ids = [r.id for r in rulesets]
    names = {r.id: r.name for r in rulesets}
    levels = {r.id: [level.name for level in r.levels] for r in rulesets}
    return CountyStats(ids, names, list(rank_by) or ids, levels)


class Collector:
    """Takes outcomes in order: duplicates become failures, the rest go to every output."""

    def __init__(self, folder: OutputFolder, stats: CountyStats, sheets: ItemSheets, jsonl: IO[bytes]) -> None:
        self.folder, self.stats, self.sheets, self.jsonl = folder, stats, sheets, jsonl
        self.seen: dict[str, str] = {}
        self.counties: set[str] = set()

    def take(self, outcome: Outcome) -> None:
        if outcome.errors:
            self.stats.add_failure(outcome.origin, outcome.union_id, outcome.errors)
            return
        union_id = str(outcome.union_id)
        if union_id in self.seen:
            message = f"{outcome.origin}: 工会编号 “{union_id}” 重复：已在 {self.seen[union_id]} 中出现，本单位未计入"
            self.stats.add_failure(outcome.origin, union_id, [message])
            self.folder.discard(outcome.pages)
            return
        self.seen[union_id] = outcome.origin
        self.counties.add(outcome.union.get("county") or "")
        self.jsonl.write(outcome.lines)
        self.folder.place_union(union_file_stem(union_id), outcome.pages)
        self.stats.add(outcome.union, outcome.as_of, outcome.results)
        self.sheets.add(outcome.union, outcome.results)


def run_batch(options: BatchOptions, rulesets: list[Ruleset], warn: Callable[[str], None], tick: Callable[[], object]) -> CountyStats:
    """Assess every union of every source; write the output folder; return the aggregates."""
    folder = OutputFolder(options.out, options.force)
    stats = county_stats(rulesets, options.rank_by)
    units = read_units(options.sources, merged_declarations(rulesets), options.sheet, warn)
    with ItemSheets(folder.file("summary.xlsx"), [r.id for r in rulesets], {r.id: r.name for r in rulesets}) as sheets:
        with folder.stream("results.jsonl") as jsonl:
            collector = Collector(folder, stats, sheets, jsonl)
            for outcome in run_units(units, rulesets, options.jobs, options.as_of, folder.unions):
                collector.take(outcome)
                tick()
        write_summary_csv(folder.file("summary.csv"), stats)
        sheets.save(stats)
    write_county_report(folder.file("report.html"), stats, report_title(collector.counties))
    return stats


def report_title(counties: set[str]) -> str:
    return f"{'、'.join(sorted(c for c in counties if c)) or '全县'}基层工会考核评价汇总"
