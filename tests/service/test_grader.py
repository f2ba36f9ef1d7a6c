"""The worker pool that grades saves: a worker that dies fails that one save, and the next save is graded."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from service import grader
from service.grading import flat_facts

REPO = Path(__file__).resolve().parents[2]
UNION = {"id": "QS-016", "name": "青山镇鑫源食品厂工会", "type": "enterprise"}


def qs016_facts() -> dict[str, object]:
    document = yaml.safe_load((REPO / "facts" / "qingshan" / "QS-016.yaml").read_text(encoding="utf-8"))
    return flat_facts(document)[0]


def test_a_killed_worker_fails_one_save_and_the_pool_is_replaced() -> None:
    facts = qs016_facts()
    result, problems = grader.run(("bayou",), UNION, 2025, facts)
    assert problems == [] and result is not None
    first = grader.pool()
    for process in list(first._processes.values()):  # what a crash in durable-rules' C core does to a worker
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    with pytest.raises(grader.GradingFailed, match="评估进程意外退出"):
        grader.run(("bayou",), UNION, 2025, facts)
    again, _ = grader.run(("bayou",), UNION, 2025, facts)
    assert grader.pool() is not first
    assert again is not None and again["results"][0]["score"] == result["results"][0]["score"]


SERVER = """
import os, sys
sys.path.insert(0, sys.argv[1])
from service import grader
grader.run(("bayou",), {"id": "QS-016", "name": "工会", "type": "enterprise"}, 2025, {})
print(" ".join(str(p.pid) for p in grader.pool()._processes.values()), flush=True)
os.kill(os.getpid(), 9)  # a server stopped by SIGKILL (or by SIGTERM, which waitress leaves to its default) ends nothing
"""


def test_grading_workers_end_when_the_server_is_killed() -> None:
    """`kill` of `unionscore serve` had left its grading workers running, each holding its rulesets in memory."""
    done = subprocess.run([sys.executable, "-c", SERVER, str(REPO)], capture_output=True, text=True, timeout=120, check=False)
    pids = [int(pid) for pid in done.stdout.split()]
    assert pids, done.stderr
    deadline = time.monotonic() + 10 * grader.PARENT_CHECK
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in pids)


def alive(pid: int) -> bool:
    """Running: neither gone nor a zombie waiting for whoever adopted it to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")
