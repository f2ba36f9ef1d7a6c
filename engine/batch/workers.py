"""Worker processes for a batch: chunks of units assessed in order, crashes contained.

Units go to workers in fixed-size chunks and come back in order, so the output is the same
whatever the number of workers. A union that fails (bad file, bad row, an error while
scoring) is reported and the batch goes on. durable-rules runs in C and can kill a process:
when a worker dies, the chunks it left unfinished are re-run one union per task in fresh
workers, and a union that kills its worker again is reported as an internal error.
"""
from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import InvalidInput
from ..evaluate.assessment import Assessment, assess
from ..evaluate.evaluators import DurableEvaluator
from ..evaluate.result import RulesetResult
from ..facts.sources import Unit
from ..language.model import Ruleset
from ..plan.planner import next_level_plans
from ..plan.records import Plan
from ..report.record import document, json_lines
from ..report.union_page import union_file_stem, union_pages

CHUNK = 16
IN_FLIGHT_PER_JOB = 4


@dataclass
class Outcome:
    """One union as it comes back from a worker: its results, its pages and JSON lines, or an error."""

    origin: str
    union_id: str | None = None
    union: dict[str, Any] = field(default_factory=dict)
    as_of: str = ""
    results: list[RulesetResult] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    lines: bytes = b""
    errors: list[str] = field(default_factory=list)


_WORKER: dict[str, Any] = {}


def start_worker(rulesets: list[Ruleset], as_of: dt.date | None, pages: Path) -> None:
    """Runs once in each worker process: keep the rulesets, open durable-rules lazily."""
    _WORKER.update(rulesets=rulesets, as_of=as_of, evaluator=DurableEvaluator(), pages=pages, written=itertools.count())


def assess_chunk(units: list[Unit]) -> list[Outcome]:
    """Assess a chunk of units in a worker; every failure is caught per union."""
    return [assess_unit(unit) for unit in units]


def assess_unit(unit: Unit) -> Outcome:
    if unit.problems:
        return Outcome(unit.origin, errors=[d.render(with_source=False) for d in unit.problems])
    try:
        facts = unit.read()
        rulesets, evaluator = _WORKER["rulesets"], _WORKER["evaluator"]
        assessment = assess(rulesets, facts, evaluator, _WORKER["as_of"])
        plans = next_level_plans(rulesets, assessment, evaluator)
        return Outcome(unit.origin, facts.union.get("id"), facts.union, assessment.as_of.isoformat(), list(assessment.results.values()),
                       write_pages(assessment, plans), json_lines(document(assessment, plans)))
    except InvalidInput as exc:
        return Outcome(unit.origin, errors=[located(unit, d.render(with_source=False)) for d in exc.diagnostics])
    except Exception as exc:  # noqa: BLE001 - one union's bug must not stop the county
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Outcome(unit.origin, errors=[f"{unit.origin}: 内部错误：评估此工会时程序出错（{detail}），其余工会不受影响"])


def write_pages(assessment: Assessment, plans: dict[str, Plan]) -> dict[str, str]:
    """The union's own report pages, written here under temporary names; the parent moves
    them into place once it has accepted the union (its id is not a duplicate)."""
    written = {}
    stem = union_file_stem(assessment.fact_file.union["id"])
    for suffix, text in union_pages(assessment, plans).items():
        path = _WORKER["pages"] / f".{stem}.{os.getpid()}-{next(_WORKER['written'])}.{suffix}.part"
        path.write_text(text, encoding="utf-8")
        written[suffix] = str(path)
    return written


def located(unit: Unit, message: str) -> str:
    """A spreadsheet row's diagnostics name the workbook only: say which sheet and row too."""
    return message if unit.path is not None else f"{unit.origin}：{message}"


def chunks(units: Iterable[Unit], size: int = CHUNK) -> Iterator[list[Unit]]:
    batch: list[Unit] = []
    for unit in units:
        batch.append(unit)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Pool:
    """Worker processes (fork), restarted when one dies."""

    def __init__(self, jobs: int, rulesets: list[Ruleset], as_of: dt.date | None, pages: Path) -> None:
        self.jobs, self.init_args = jobs, (rulesets, as_of, pages)
        self.executor = self.new_executor()

    def new_executor(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("fork")
        return ProcessPoolExecutor(self.jobs, mp_context=context, initializer=start_worker, initargs=self.init_args)

    def submit(self, units: list[Unit]) -> Future:
        return self.executor.submit(assess_chunk, units)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.new_executor()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def one_by_one(self, units: list[Unit]) -> list[Outcome]:
        """After a worker died: each union alone, so the one that kills a worker is named."""
        outcomes = []
        for unit in units:
            try:
                outcomes += self.submit([unit]).result()
            except BrokenProcessPool:
                self.restart()
                outcomes.append(Outcome(unit.origin, errors=[f"{unit.origin}: 内部错误：评估此工会时工作进程意外退出（规则引擎崩溃），已跳过"]))
        return outcomes


def run_units(units: Iterable[Unit], rulesets: list[Ruleset], jobs: int, as_of: dt.date | None, pages: Path) -> Iterator[Outcome]:
    """Outcomes in the order of `units`, assessed by `jobs` worker processes that write each
    union's pages into the folder `pages`."""
    pool = Pool(jobs, rulesets, as_of, pages)
    pending: list[tuple[list[Unit], Future]] = []
    source = chunks(units)
    try:
        while True:
            while len(pending) < jobs * IN_FLIGHT_PER_JOB:
                batch = next(source, None)
                if batch is None:
                    break
                pending.append((batch, pool.submit(batch)))
            if not pending:
                return
            batch, future = pending.pop(0)
            yield from collect(pool, batch, future, pending)
    finally:
        pool.close()


def collect(pool: Pool, batch: list[Unit], future: Future, pending: list[tuple[list[Unit], Future]]) -> list[Outcome]:
    """The outcomes of one chunk; if its worker died, re-run it and every pending chunk safely."""
    try:
        return future.result()
    except BrokenProcessPool:
        pool.restart()
        outcomes = pool.one_by_one(batch)
        for index, (other, _) in enumerate(pending):
            pending[index] = (other, pool.submit(other))
        return outcomes


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
