"""Grading in worker processes: the engine, without Django, one assessment at a time per process.

durable-rules is not safe across threads and a bug in its C core can kill the process it runs
in (see ../shared/durable-rules-notes.md), so the web server never runs it itself: each save
is graded in a small pool of worker processes (one per core), each with its own evaluator and
rulesets. A worker that dies is replaced; the save that killed it gets an error, the server
goes on. The pool is started on first use, with the spawn method (the server has threads).
"""
from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from typing import Any, TypeVar

from engine.diagnostics import InvalidInput, Mark, UnionscoreError
from engine.evaluate.assessment import assess
from engine.evaluate.evaluators import DurableEvaluator
from engine.facts.fact_file import FactFile
from engine.language.model import Ruleset
from engine.load.rulesets import resolve_rulesets
from engine.plan.planner import next_level_plans
from engine.report.record import as_json

T = TypeVar("T")
TIMEOUT = 120  # seconds for one union: far beyond the tens of milliseconds a union takes
PARENT_CHECK = 1.0  # seconds between a worker's looks at whether the server is still there
_POOL: list[ProcessPoolExecutor] = []
_STARTING = threading.Lock()
_WORKER: dict[str, DurableEvaluator] = {}


class GradingFailed(UnionscoreError):
    """The worker grading this save stopped (a crash in the rules engine); the save is not stored."""

    exit_code = 3


@cache
def rulesets_named(ids: tuple[str, ...]) -> list[Ruleset]:
    return resolve_rulesets(ids)


def grade_facts(ids: tuple[str, ...], union: dict[str, str], year: int, facts: dict[str, Any]) -> tuple[str | None, list[dict[str, str]]]:
    """In a worker: the result as `assess --format json` prints it, or the problems ({"field", "message"})."""
    evaluator = _WORKER.setdefault("evaluator", DurableEvaluator())
    rulesets = rulesets_named(ids)
    fact_file = FactFile("网页填报", union, year, facts, {name: Mark(name) for name in facts})
    try:
        assessment = assess(rulesets, fact_file, evaluator)
    except InvalidInput as exc:
        return None, [{"field": d.mark.file, "message": d.message} for d in exc.diagnostics]
    return as_json(assessment, next_level_plans(rulesets, assessment, evaluator)), []


def run(ids: tuple[str, ...], union: dict[str, str], year: int, facts: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """Grade in the pool; a worker that died is replaced and this save fails with GradingFailed."""
    text, problems = in_worker("本次保存未完成", TIMEOUT, grade_facts, ids, union, year, facts)
    return (json.loads(text) if text is not None else None), problems


def in_worker(undone: str, timeout: float, work: Callable[..., T], *arguments: Any) -> T:
    """`work(*arguments)` in the pool. A worker that died is replaced, and it or a timeout is GradingFailed,
    saying what was `undone` (本次保存未完成, 结果未发布)."""
    executor = pool()
    try:
        return executor.submit(work, *arguments).result(timeout=timeout)
    except BrokenProcessPool:
        restart(executor)
        raise GradingFailed(f"评估进程意外退出，{undone}；请重试，仍不成功请联系管理员") from None
    except TimeoutError:
        raise GradingFailed(f"评估超过 {timeout} 秒仍未完成，{undone}；请稍后重试，仍不成功请联系管理员") from None


def pool() -> ProcessPoolExecutor:
    with _STARTING:
        if not _POOL:
            workers = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
            _POOL.append(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=leave_with_server,
                                             initargs=(os.getpid(),)))
        return _POOL[0]


def leave_with_server(server: int) -> None:
    """In a worker: end when the server process is gone, however it ended (SIGTERM or SIGKILL leave it no time to
    end its pool; its workers had lived on). The parent is looked at every second by a daemon thread (the
    kernel's parent-death signal would follow the thread that started the worker, a request's)."""
    def watch() -> None:
        while os.getppid() == server:
            time.sleep(PARENT_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="leave-with-server", daemon=True).start()


def restart(broken: ProcessPoolExecutor) -> None:
    with _STARTING:
        if _POOL and _POOL[0] is broken:
            _POOL.clear()
    broken.shutdown(wait=False, cancel_futures=True)
