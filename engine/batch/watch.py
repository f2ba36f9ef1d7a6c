"""Time limits of a batch: a union may take `--timeout` seconds, and a worker must keep answering.

Inside a worker, a union past its time is stopped by SIGALRM (`time_limit`): Python code that
runs too long. A worker that stops answering altogether (stuck in C code, stopped, swapped
out) cannot stop itself: each worker writes the number of the union it is on and when it
started into shared memory (`Watch`), and the parent kills a worker whose union is past the
limit plus a grace period. Writes need no lock (a worker stopped while holding one would stop
the parent too): a worker clears the start time before changing the number, and the parent
reads the start time on both sides of the number.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from multiprocessing.context import BaseContext
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h
FIELDS = 3  # per worker: pid, number of the union it is on, when it started (time.monotonic; 0 between unions)


class UnionTimeout(BaseException):
    """A union ran past its time limit. A BaseException, so no `except Exception` on the way swallows it."""


def grace(timeout: float) -> float:
    """How long past the limit the parent waits for a worker's own answer before it kills the worker."""
    return max(2.0, timeout / 10)


class Watch:
    """What each worker of a pool is doing, in memory the parent and its workers share."""

    def __init__(self, jobs: int, context: BaseContext) -> None:
        self.cells: Any = context.RawArray(ctypes.c_double, jobs * FIELDS)
        self.joined: Any = context.Value(ctypes.c_int, 0)
        self.slot = -1  # set in each worker by `join`

    def join(self) -> None:
        """In a new worker: take the next free slot."""
        with self.joined.get_lock():
            self.slot, self.joined.value = self.joined.value % (len(self.cells) // FIELDS), self.joined.value + 1
        self.cells[self.slot * FIELDS] = os.getpid()

    def begin(self, number: int) -> None:
        base = self.slot * FIELDS
        self.cells[base + 2] = 0.0
        self.cells[base + 1] = number
        self.cells[base + 2] = time.monotonic()

    def end(self) -> None:
        self.cells[self.slot * FIELDS + 2] = 0.0

    def busy(self) -> Iterator[tuple[int, int, float]]:
        """(pid, union number, started) of each worker now on a union."""
        for base in range(0, len(self.cells), FIELDS):
            started = self.cells[base + 2]
            number = self.cells[base + 1]
            if started and started == self.cells[base + 2]:
                yield int(self.cells[base]), int(number), started

    def overdue(self, limit: float) -> list[tuple[int, int]]:
        """(pid, union number) of the workers on one union for longer than `limit` seconds."""
        now = time.monotonic()
        return [(pid, number) for pid, number, started in self.busy() if now - started > limit]

    def next_check(self, limit: float) -> float:
        """Seconds until a worker can first be overdue: a union that starts later has a later deadline."""
        deadlines = [started + limit for _, _, started in self.busy()]
        return max(0.05, min(deadlines, default=time.monotonic() + limit) - time.monotonic())

    def pids(self) -> list[int]:
        """The workers that joined this pool and are still children of this process."""
        ours = {child.pid for child in multiprocessing.active_children()}
        return [pid for base in range(0, len(self.cells), FIELDS) if (pid := int(self.cells[base])) in ours]


def kill(pid: int) -> None:
    """SIGKILL: the one signal a stopped or stuck process cannot delay."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def die_with_parent(parent: int) -> None:
    """In a worker: the kernel kills it when the batch process ends, however that ends (Linux)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the batch ended before prctl took effect
        os._exit(1)


def on_alarm(signum: int, frame: object) -> None:
    raise UnionTimeout


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """In a worker: raise UnionTimeout in the block once it has run `seconds` (SIGALRM; needs `on_alarm` installed)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
