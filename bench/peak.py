"""The peak resident memory of a process and every process it starts, sampled every 50 ms (for the benchmarks)."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil


@contextmanager
def peak_memory(pid: int) -> Iterator[list[int]]:
    """Samples while the block runs; afterwards the list's one element is the peak of the summed RSS, in bytes."""
    process, stop, peak = psutil.Process(pid), threading.Event(), [0]

    def sample() -> None:
        while not stop.is_set():
            try:
                tree = [process] + process.children(recursive=True)
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()
