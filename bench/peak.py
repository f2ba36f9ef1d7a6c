"""The peak resident memory of a process and every process it starts, sampled every 50 ms, and a command
of the project timed with it (for the benchmarks)."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def measured(arguments: list[str], root: Path) -> tuple[dict[str, float], subprocess.CompletedProcess]:
    """`unionscore ARGUMENTS` from the tree at `root`: wall seconds, the CPU seconds of it and every process it
    waited for, the peak of their summed memory in MiB; and what it printed."""
    command = [sys.executable, "-c", "import cli; cli.main()", *arguments]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(root)}, cwd=root)
    with peak_memory(child.pid) as peak:
        stdout, stderr = child.communicate()
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    figures = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mib": round(peak[0] / 2**20)}
    return figures, subprocess.CompletedProcess(command, child.returncode, stdout.decode(), stderr.decode())
