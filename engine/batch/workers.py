"""Worker processes for a batch: chunks of units assessed in order, crashes and hangs contained.

Units go to workers in fixed-size chunks and come back in order, so the output is the same
whatever the number of workers. A union that fails (bad file, bad row, an error while
scoring) or runs past the time limit is reported and the batch goes on. durable-rules runs
in C and can kill or hang a process: when a worker dies, or stops answering and is killed
(`watch.py`), the chunks it left unfinished are re-run one union per task in fresh workers; a
union that kills its worker again is reported as an internal error, the one that hung it as
past its time. An error writing a union's pages (a full disk) is not the union's: it stops the
batch. Workers end with the batch, however the batch ends.
"""
from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import signal
import traceback
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import PART
from ..diagnostics import InternalError, InvalidInput
from ..evaluate.assessment import Decisions, assess
from ..evaluate.cohort import CohortEntry
from ..evaluate.evaluators import DurableEvaluator
from ..evaluate.rounds import entries
from ..facts.sources import Table, Unit
from ..language.model import Ruleset
from ..plan.planner import next_level_plans
from ..report.county import CountyEntry, county_entry
from ..report.record import document, json_lines
from ..report.summary_workbook import ItemRow, item_row
from ..report.union_page import union_file_stem, union_pages
from .garbage import quiet_collector
from .watch import UnionTimeout, Watch, die_with_parent, grace, kill, on_alarm, time_limit

CHUNK = 16
IN_FLIGHT_PER_JOB = 4


@dataclass
class Outcome:
    """One union as it comes back from a worker: what the county keeps of its results, its pages and JSON
    lines, or an error. Its full results stay in the worker: pickling and unpickling them took about
    0.9 ms of a union's 13."""

    origin: str
    union_id: str | None = None
    union: dict[str, Any] = field(default_factory=dict)
    tally: CountyEntry | None = None  # what the county's aggregates and the item sheets keep of it
    item_rows: tuple[ItemRow, ...] = ()
    pages: dict[str, str] = field(default_factory=dict)
    lines: bytes = b""
    errors: list[str] = field(default_factory=list)
    entries: dict[str, CohortEntry] = field(default_factory=dict)  # a scoring pass: what the cohort pass needs


@dataclass(frozen=True)
class Work:
    """What the workers do: assess each union and write its pages with the cohort levels decided
    (`cohort`), or only score it for the cohort pass (`scoring`: the ids of the rulesets to rank)."""

    cohort: Decisions = field(default_factory=dict)
    scoring: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """Units in input order, numbered from `first`: the watch names the union a worker is on by its number."""

    first: int
    units: list[Unit]

    def numbered(self) -> Iterator[tuple[int, Unit]]:
        return enumerate(self.units, self.first)


_WORKER: dict[str, Any] = {}


def start_worker(rulesets: list[Ruleset], as_of: dt.date | None, pages: Path, timeout: float, work: Work, watch: Watch, parent: int) -> None:
    """Runs once in each worker process: end with the batch, leave Ctrl-C to it, keep the rulesets,
    open durable-rules lazily."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch process hears Ctrl-C and ends its workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGALRM, on_alarm)
    watch.join()
    quiet_collector()
    _WORKER.update(rulesets=rulesets, as_of=as_of, evaluator=DurableEvaluator(), pages=pages, timeout=timeout,
                   watch=watch, written=itertools.count(), work=work)


def assess_chunk(chunk: Chunk) -> list[Outcome]:
    """Assess a chunk of units in a worker, telling the watch which union it is on."""
    watch: Watch = _WORKER["watch"]
    outcomes = []
    try:
        for number, unit in chunk.numbered():
            watch.begin(number)
            outcomes.append(assess_unit(unit))
    finally:
        watch.end()
    return outcomes


def assess_unit(unit: Unit) -> Outcome:
    """One union within the time limit; every failure of its own is caught and becomes its outcome."""
    if unit.problems:
        return Outcome(unit.origin, unit.union_id, errors=[d.render(with_source=False) for d in unit.problems])
    timeout = _WORKER["timeout"]
    try:
        with time_limit(timeout):
            return scored(unit) if _WORKER["work"].scoring else assessed(unit)
    except UnionTimeout:
        _WORKER["evaluator"] = DurableEvaluator()  # the stopped one may be half-way through firing
        return Outcome(unit.origin, unit.union_id, errors=[f"{unit.origin}: 评估此工会超过 {timeout:g} 秒仍未完成，已停止"
                                                            f"（时限由 --timeout 设定），其余工会不受影响"])


def scored(unit: Unit) -> Outcome:
    """A scoring pass for the cohort levels: the union's entries, nothing written. A union that fails here
    fails again in the pass that writes the outputs, and is reported there."""
    union_id = unit.union_id
    try:
        facts = unit.read()
        union_id = facts.union.get("id")
        work: Work = _WORKER["work"]
        assessment = assess(_WORKER["rulesets"], facts, _WORKER["evaluator"], _WORKER["as_of"], None, work.cohort)
    except Exception as exc:  # noqa: BLE001 - the pass that writes the outputs reports it
        return Outcome(unit.origin, union_id, errors=[str(exc)])
    return Outcome(unit.origin, union_id, facts.union, entries=entries(facts.union, assessment.results, work.scoring))


def assessed(unit: Unit) -> Outcome:
    """A union's outcome; one that fails names its id when known (a spreadsheet row's, a fact file's once read)."""
    union_id = unit.union_id
    try:
        facts = unit.read()
        union_id = facts.union.get("id")
        rulesets, evaluator = _WORKER["rulesets"], _WORKER["evaluator"]
        assessment = assess(rulesets, facts, evaluator, _WORKER["as_of"], None, _WORKER["work"].cohort)  # positional: tests stand in for assess
        plans = next_level_plans(rulesets, assessment, evaluator)
        texts, lines = union_pages(assessment, plans), json_lines(document(assessment, plans))
        results = list(assessment.results.values())
        tally = county_entry(facts.union, assessment.as_of.isoformat(), results, {r.id: r.name for r in rulesets})
    except InvalidInput as exc:
        return Outcome(unit.origin, union_id, errors=[located(unit, d.render(with_source=False)) for d in exc.diagnostics])
    except InternalError as exc:  # names the ruleset and item
        return Outcome(unit.origin, union_id, errors=[f"{unit.origin}: {exc}"])
    except Exception as exc:  # noqa: BLE001 - one union's bug must not stop the county
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Outcome(unit.origin, union_id, errors=[f"{unit.origin}: 内部错误：评估此工会时程序出错（{detail}），其余工会不受影响"])
    pages = write_pages(union_file_stem(assessment.fact_file.union["id"]), texts)  # an OSError here stops the batch
    return Outcome(unit.origin, union_id, facts.union, tally, tuple(map(item_row, results)), pages, lines)


def write_pages(stem: str, texts: dict[str, str]) -> dict[str, str]:
    """The union's own report pages, written here under temporary names; the parent moves them into place
    once it has accepted the union (its id is not a duplicate)."""
    written = {}
    for suffix, text in texts.items():
        path = _WORKER["pages"] / f".{stem}.{os.getpid()}-{next(_WORKER['written'])}.{suffix}{PART}"
        path.write_text(text, encoding="utf-8")
        written[suffix] = str(path)
    return written


def located(unit: Unit, message: str) -> str:
    """A workbook row's diagnostics name the workbook, row and column: say which sheet too. Those of a
    fact file or a CSV row already say where they are."""
    if unit.path is not None or unit.facts is None or unit.origin == Table(unit.facts.path).origin(unit.facts.header_mark.line):
        return message
    return f"{unit.origin}：{message}"


def chunks(units: Iterable[Unit], size: int = CHUNK) -> Iterator[Chunk]:
    numbered = enumerate(units)
    while batch := list(itertools.islice(numbered, size)):
        yield Chunk(batch[0][0], [unit for _, unit in batch])


class Pool:
    """Worker processes (fork) under a watch; restarted when one dies or is killed for not answering."""

    def __init__(self, jobs: int, rulesets: list[Ruleset], as_of: dt.date | None, pages: Path, timeout: float, work: Work | None = None) -> None:
        self.jobs, self.timeout, self.init_args = jobs, timeout, (rulesets, as_of, pages, timeout, work or Work())
        self.stuck: set[int] = set()  # the numbers of the unions a worker stopped answering on
        self.executor, self.watch = self.new_executor()

    def new_executor(self) -> tuple[ProcessPoolExecutor, Watch]:
        context = multiprocessing.get_context("fork")
        watch = Watch(self.jobs, context)
        initargs = (*self.init_args, watch, os.getpid())
        return ProcessPoolExecutor(self.jobs, mp_context=context, initializer=start_worker, initargs=initargs), watch

    def submit(self, chunk: Chunk) -> Future:
        try:
            return self.executor.submit(assess_chunk, chunk)
        except BrokenProcessPool:  # a worker died since the last look
            self.restart()
            return self.executor.submit(assess_chunk, chunk)

    def result(self, future: Future) -> list[Outcome]:
        """A chunk's outcomes. While waiting, a worker on one union past the time limit and a grace period
        is killed; its pool then breaks (BrokenProcessPool), as when a worker crashes."""
        limit = self.timeout + grace(self.timeout)
        while not wait([future], timeout=self.watch.next_check(limit)).done:
            ours = self.watch.pids()
            for pid, number in self.watch.overdue(limit):
                if pid in ours:
                    self.stuck.add(number)
                    kill(pid)
        return future.result()

    def restart(self) -> None:
        self.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor, self.watch = self.new_executor()

    def kill(self) -> None:
        """End every worker now: after a crash, or when the batch stops early. A worker killed half-way through
        sending its outcomes leaves half a message in the pipe, and the pool's result reader would wait for the
        rest for ever (the batch hung at Ctrl-C, or at its exit after a restart): the batch's own end of that pipe
        is closed too, so that once the killed workers are gone the reader meets its end instead."""
        for pid in self.watch.pids():
            kill(pid)
        unblock_results(self.executor)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def holds_stuck(self, chunk: Chunk) -> bool:
        return any(number in self.stuck for number, _ in chunk.numbered())

    def one_by_one(self, chunk: Chunk) -> list[Outcome]:
        """After a worker died or hung: each union alone, so the one that kills or hangs a worker is named.
        A union that hung a worker is not run again."""
        outcomes = []
        for number, unit in chunk.numbered():
            if number in self.stuck:
                outcomes.append(self.lost(unit, number))
                continue
            try:
                outcomes += self.result(self.submit(Chunk(number, [unit])))
            except BrokenProcessPool:
                self.restart()
                outcomes.append(self.lost(unit, number))
        return outcomes

    def lost(self, unit: Unit, number: int) -> Outcome:
        """A union whose worker was lost: it hung (and was killed), or it died."""
        if number in self.stuck:
            message = (f"{unit.origin}: 评估此工会超过 {self.timeout:g} 秒，工作进程无响应，已终止（时限由 --timeout 设定），"
                       f"其余工会不受影响")
        else:
            message = f"{unit.origin}: 内部错误：评估此工会时工作进程意外退出（规则引擎崩溃），已跳过"
        return Outcome(unit.origin, unit.union_id, errors=[message])


def unblock_results(executor: ProcessPoolExecutor) -> None:
    """Close the batch's writing end of the pool's result pipe: CPython's ProcessPoolExecutor keeps it, unused, and
    forks no worker after the first (fork start method). With the workers killed, a reader waiting on a half-sent
    message then meets the end of the pipe and the pool breaks, instead of waiting for ever."""
    queue = getattr(executor, "_result_queue", None)
    writer = getattr(queue, "_writer", None)
    if writer is not None:
        writer.close()


def run_units(units: Iterable[Unit], rulesets: list[Ruleset], jobs: int, as_of: dt.date | None, pages: Path,
              timeout: float, work: Work | None = None) -> Generator[Outcome, None, None]:
    """Outcomes in the order of `units`, assessed by `jobs` worker processes that write each union's pages
    into the folder `pages`, each union within `timeout` seconds; `work` says what they do (see `Work`)."""
    pool = Pool(jobs, rulesets, as_of, pages, timeout, work)
    pending: list[tuple[Chunk, Future | None]] = []
    source = chunks(units)
    try:
        while True:
            while len(pending) < jobs * IN_FLIGHT_PER_JOB and (chunk := next(source, None)) is not None:
                pending.append((chunk, pool.submit(chunk)))
            if not pending:
                return
            chunk, future = pending.pop(0)
            yield from collect(pool, chunk, future, pending)
    except BaseException:
        pool.kill()  # Ctrl-C, SIGTERM, a failed write: no worker outlives the batch
        raise
    finally:
        pool.close()


def collect(pool: Pool, chunk: Chunk, future: Future | None, pending: list[tuple[Chunk, Future | None]]) -> list[Outcome]:
    """The outcomes of one chunk. If its pool broke (a worker died or was killed), re-run it one union at a time
    and resubmit every pending chunk; a chunk holding a union that hung a worker is kept for one by one (None)."""
    try:
        return pool.result(future) if future is not None else pool.one_by_one(chunk)
    except BrokenProcessPool:
        pool.restart()
        outcomes = pool.one_by_one(chunk)
        for index, (other, _) in enumerate(pending):
            pending[index] = (other, None if pool.holds_stuck(other) else pool.submit(other))
        return outcomes


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
