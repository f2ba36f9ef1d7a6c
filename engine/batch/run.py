"""`unionscore batch`: a whole county, from sources to an output folder of reports.

Sources are read lazily, unions are assessed by worker processes, and each result is
written as soon as it arrives; only the compact summary rows and the aggregates stay in
memory. Every output file is written atomically. A batch always ends: a union past --timeout is
stopped and reported, and a batch that cannot finish (a full disk, a read-only or busy output
folder, lost workers, Ctrl-C or SIGTERM) removes what it wrote and says why.
"""
from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import IO

from ..diagnostics import InvalidInput
from ..evaluate.cohort import CohortEntry
from ..evaluate.rounds import cohort_decisions
from ..facts.fact_file import merged_declarations
from ..facts.sources import Reading, check_read_once, header_mistakes, units_of
from ..facts.union_ids import FirstRecords, repeated_id
from ..language.model import Ruleset
from ..report.county import CountyStats
from ..report.county_report import write_county_report
from ..report.summary_workbook import ItemSheets, write_summary_csv
from ..report.union_page import union_file_stem
from .alongside import alongside
from .failure import NothingGraded, stopped
from .garbage import quiet_while
from .output_folder import OutputFolder, check_apart
from .workers import Outcome, Work, run_units


@dataclass(frozen=True)
class BatchOptions:
    sources: tuple[Path, ...]
    out: Path
    jobs: int
    as_of: dt.date | None = None
    sheet: str | None = None
    force: bool = False
    rank_by: tuple[str, ...] = ()
    include_hidden: bool = False  # read hidden sheets, rows and columns too
    unused: tuple[str, ...] = ()  # columns that resemble a fact's name but are not facts
    timeout: float = 60.0  # seconds one union may take


def county_stats(rulesets: list[Ruleset], rank_by: tuple[str, ...]) -> CountyStats:
    ids = [r.id for r in rulesets]
    names = {r.id: r.name for r in rulesets}
    levels = {r.id: [level.name for level in r.levels] for r in rulesets}
    return CountyStats(ids, names, list(rank_by) or ids, levels)


class Collector:
    """Takes outcomes in order: duplicates become failures, the rest go to every output."""

    def __init__(self, folder: OutputFolder, stats: CountyStats, sheets: ItemSheets, jsonl: IO[bytes]) -> None:
        self.folder, self.stats, self.sheets, self.jsonl = folder, stats, sheets, jsonl
        self.ids = FirstRecords()
        self.stems: dict[str, str] = {}  # page file stem, case folded → union id

    def take(self, outcome: Outcome) -> None:
        earlier = self.ids.earlier(outcome.union_id, outcome.origin)
        if outcome.errors:
            self.stats.add_failure(outcome.origin, outcome.union_id, outcome.errors)
            return
        union_id = str(outcome.union_id)
        if earlier is not None:
            self.stats.add_failure(outcome.origin, union_id, [repeated_id(outcome.origin, union_id, earlier)])
            self.folder.discard(outcome.pages)
            return
        stem = union_file_stem(union_id)
        if stem.casefold() in self.stems:  # two ids whose hashes agree (engine/report/union_page.py): never seen
            message = f"{outcome.origin}: 工会编号 “{union_id}” 与 “{self.stems[stem.casefold()]}” 的报告文件名相同，本单位未计入"
            self.stats.add_failure(outcome.origin, union_id, [message])
            self.folder.discard(outcome.pages)
            return
        self.stems[stem.casefold()] = union_id
        self.jsonl.write(outcome.lines)
        self.folder.place_union(stem, outcome.pages)
        assert outcome.tally is not None  # every assessed union has one: only a scoring pass's outcome lacks it
        self.stats.take(outcome.tally)
        self.sheets.take(outcome.union, outcome.item_rows)


def run_batch(options: BatchOptions, rulesets: list[Ruleset], warn: Callable[[str], None], tick: Callable[[], object]) -> CountyStats:
    """Assess every union of every source; write the output folder; return the aggregates. A batch that
    cannot finish raises BatchFailed, the files it wrote removed."""
    reading = Reading(merged_declarations(rulesets), options.sheet, options.include_hidden, warn, frozenset(options.unused))
    check_read_once(options.sources)
    mistakes = header_mistakes(options.sources, reading)
    if mistakes:  # before the output folder is touched
        raise InvalidInput(mistakes)
    check_apart(options.out, options.sources)
    folder = OutputFolder(options.out, options.force)
    try:
        with sigterm_as_interrupt(), folder, quiet_while():
            return fill(folder, options, rulesets, reading, tick)
    except (OSError, BrokenProcessPool, KeyboardInterrupt) as error:
        raise stopped(error, options.out, folder.started) from error


def fill(folder: OutputFolder, options: BatchOptions, rulesets: list[Ruleset], reading: Reading, tick: Callable[[], object]) -> CountyStats:
    """The output folder, file by file: union pages and results.jsonl as unions come back, then the summaries
    (report.html in a second process while summary.xlsx is saved). Levels held by rank in a cohort are decided
    first, from a scoring pass over every union."""
    stats = county_stats(rulesets, options.rank_by)
    decisions = cohort_decisions(rulesets, lambda decided, ids: scoring_pass(options, rulesets, reading, folder, Work(decided, ids)))
    units = units_of(options.sources, replace(reading, warn=recorded(reading.warn, stats.notices)))
    with ItemSheets(folder.file("summary.xlsx"), [r.id for r in rulesets], {r.id: r.name for r in rulesets}) as sheets:
        outcomes = run_units(units, rulesets, options.jobs, options.as_of, folder.unions, options.timeout, Work(decisions))
        with folder.stream("results.jsonl") as jsonl, closing(outcomes):
            collector = Collector(folder, stats, sheets, jsonl)
            for outcome in outcomes:
                collector.take(outcome)
                tick()
        if not stats.rows:
            raise NothingGraded(["\n".join(failure.messages) for failure in stats.failures], len(stats.failures))
        write_summary_csv(folder.file("summary.csv"), stats)
        with alongside(partial(write_county_report, folder.file("report.html"), stats, stats.title()), "写 report.html"):
            sheets.save(stats)
    return stats


def scoring_pass(options: BatchOptions, rulesets: list[Ruleset], reading: Reading, folder: OutputFolder, work: Work) -> Iterator[dict[str, CohortEntry]]:
    """Every union scored for the cohort pass, quietly: what it reads is told, and what fails is reported, once,
    by the pass that writes the outputs."""
    units = units_of(options.sources, replace(reading, warn=lambda message: None))
    ids = FirstRecords()  # a union ranks once, by the record the outputs keep
    with closing(run_units(units, rulesets, options.jobs, options.as_of, folder.unions, options.timeout, work)) as outcomes:
        yield from (outcome.entries for outcome in outcomes if ids.earlier(outcome.union_id, outcome.origin) is None and not outcome.errors)


def recorded(warn: Callable[[str], None], notices: list[str]) -> Callable[[str], None]:
    """`warn`, and each notice kept for report.html and summary.xlsx (数据读取说明)."""
    def both(message: str) -> None:
        notices.append(message)
        warn(message)
    return both


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the batch as Ctrl-C does: workers killed, the files of the run removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
