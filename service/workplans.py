"""The Word 整改工作方案 of one standard for one stored version, as `unionscore plan --format docx` writes it.

The version's facts are assessed again with the round's rulesets and planned to the next level (the
plan the result page shows), in a grading worker (service.grader: the engine never runs in the
server's threads). This module is imported by the workers, so it reaches Django's models only for
type checks.

The plan is to be finished by (`deadline`):

- once the round is published, the 整改期限 it was published with (`publishing.published_deadline`), which the
  整改通知书 and every task of the union say: the plan is the union's answer to them;
- before that, the round's 填报截止: a union checking itself puts right what it can before it submits, since only
  what is in its submission is assessed, so its plan's end is the day its self-report is due, not a 整改期限 the
  county has yet to set; without a 填报截止 after the assessment date (none set, or one before 31 December), the end
  of June of the next year: half a year to put things right.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.diagnostics import Mark
from engine.evaluate.evaluators import DurableEvaluator
from engine.facts.fact_file import FactFile
from engine.plan.planner import Planner
from engine.report.workplan.word import write

from . import grader

if TYPE_CHECKING:
    from .models import Version

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')  # not in a file name on Windows


@dataclass(frozen=True)
class Workplan:
    """A written plan (`content`), or why there is none (`refused`)."""

    filename: str
    content: bytes = b""
    refused: str = ""


def deadline(given: dt.date | None, as_of: dt.date) -> dt.date:
    """`given` (the published 整改期限, else the 填报截止) when it falls after the assessment date, else 30 June of the next year."""
    return given if given is not None and given > as_of else dt.date(as_of.year + 1, 6, 30)


def written(ids: tuple[str, ...], union: dict[str, str], year: int, facts: dict[str, Any], ruleset_id: str,
            given: dt.date | None) -> tuple[bytes, str]:
    """In a worker: the .docx, or why the CLI would write none (「不生成整改工作方案：…」)."""
    evaluator = grader._WORKER.setdefault("evaluator", DurableEvaluator())  # the worker's one evaluator, shared with grading
    fact_file = FactFile("网页填报", union, year, facts, {name: Mark(name) for name in facts})
    plan = Planner.assessing(grader.rulesets_named(ids), fact_file, evaluator).plan(ruleset_id, timetable=True)
    if plan.target is None and not plan.reachable and not plan.measures:
        return b"", f"不生成整改工作方案：{plan.why_not}。"
    with tempfile.TemporaryDirectory(prefix="unionscore-plan-") as folder:
        path = Path(folder) / "plan.docx"
        write(plan, deadline(given, plan.as_of), path)
        return path.read_bytes(), ""


def workplan(version: Version, ruleset_id: str, short_name: str, published: dt.date | None) -> Workplan:
    """The .docx of the standard's plan for the version, named 「<工会><标准>整改工作方案.docx」, to be finished by the
    round's `published` 整改期限 (None: not published), else by its 填报截止 (see the module's docstring)."""
    entry, stored = version.entry, version.facts
    arguments = (tuple(entry.round.ruleset_ids()), stored.get("union") or entry.union.header(),
                 stored.get("period") or entry.round.year, stored.get("facts", {}), ruleset_id, published or entry.round.deadline)
    content, refused = grader.in_worker("整改工作方案未生成", grader.TIMEOUT, written, *arguments)
    name = UNSAFE.sub("_", f"{entry.union.name}{short_name}整改工作方案") + ".docx"
    return Workplan(name, content, refused)
