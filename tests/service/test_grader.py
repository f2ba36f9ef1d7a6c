"""The worker pool that grades saves: a worker that dies fails that one save, and the next save is graded."""
from __future__ import annotations

import os
import signal
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
