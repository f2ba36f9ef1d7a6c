"""The 时间安排 of a 整改工作方案: which fix is worked on in which month, up to the deadline.

Deterministic, from the plan alone: vetoes and the gate at once (first month); then required
and high-effort items, then medium, then low, spread over the working months in proportion to
their effort weights; the last month is the self-check and the superior union's inspection.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...diagnostics import UsageError
from ...language.model import DEFAULT_OWNER
from ...plan.records import Plan, Step
from ...values import cn_date
from .blocks import book

EFFORT_ORDER = {"high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"


@dataclass(frozen=True, slots=True)
class Task:
    month: Month
    text: str
    owner: str


def months(as_of: dt.date, deadline: dt.date) -> list[Month]:
    """The calendar months worked in: from the day after the assessment to the deadline."""
    if deadline <= as_of:
        raise UsageError(f"整改期限 {cn_date(deadline)} 应晚于评估日期 {cn_date(as_of)}")
    start = as_of + dt.timedelta(days=1)
    count = (deadline.year - start.year) * 12 + deadline.month - start.month + 1
    return [Month(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1) for i in range(count)]


def schedule(plan: Plan, deadline: dt.date) -> list[Task]:
    """Every task of the plan in month order: kick-off, fixes, idle-month checks, inspection."""
    calendar = months(plan.as_of, deadline)
    working = calendar[:-1] or calendar  # a single month holds both the work and the inspection
    meeting = "召开工会委员会会议" if plan.has_committee else f"{plan.chair}召集会员"  # a 工会小组 has no committee
    tasks = [Task(working[0], f"{meeting}，学习{book(plan.ruleset_name)}，研究部署整改工作，明确责任分工", plan.chair)]
    tasks += [Task(working[0], _step_text(step), owner(step)) for step in plan.steps if not step.scored]
    tasks += [Task(working[0], f"必备项“{left.name}”（本轮目标不要求，但仍须整改）" + (f"：{left.todo}" if left.todo else ""), left.owner)
              for left in plan.left]
    tasks += [Task(working[0], _step_text(step) + "，年内完成", owner(step)) for step in plan.steps if step.scored and step.yearly]  # take the year
    tasks += _spread([step for step in plan.steps if step.scored and not step.yearly], working)
    tasks += [Task(month, "督促检查整改进度，巩固已完成事项的成果", plan.committee)
              for month in working if not any(task.month == month for task in tasks)]
    tasks += _inspection(plan, deadline, calendar[-1])
    return sorted(tasks, key=lambda task: task.month)  # stable: the order within a month is kept


def priority(step: Step) -> int:
    """0 vetoes and the gate, 1 required or high-effort items, 2 medium, 3 low."""
    if not step.scored:
        return 0
    return 1 if step.required else EFFORT_ORDER.get(step.effort, 2)


def owner(step: Step) -> str:
    return step.owner or DEFAULT_OWNER


def _spread(items: list[Step], working: list[Month]) -> list[Task]:
    """Items in priority order over the working months, each starting where the effort before it ends
    and running on through the months its own effort takes."""
    ordered = sorted(items, key=priority)
    weights = [max(step.weight, 1) for step in ordered]
    total, done, count = sum(weights), 0, len(working)
    tasks = []
    for step, weight in zip(ordered, weights):
        first = done * count // total
        last = max(first, -(-(done + weight) * count // total) - 1)  # ceil, minus one
        done += weight
        until = f"，{working[last].month}月底前完成" if last > first else ""
        tasks.append(Task(working[first], _step_text(step) + until, owner(step)))
        tasks += [Task(month, f"继续推进：{step.name}", owner(step)) for month in working[first + 1:last + 1]]
    return tasks


def _step_text(step: Step) -> str:
    if step.kind == "veto":
        return f"立即消除否决情形：{step.name}"
    if step.kind == "gate":
        return f"落实申报条件：{step.name}"
    todo = "；".join(change.text for change in step.changes if change.text not in step.name)
    return step.name + ("（必备）" if step.required else "") + (f"：{todo}" if todo else "")


def _inspection(plan: Plan, deadline: dt.date, last: Month) -> list[Task]:
    by = f"{deadline.month}月{deadline.day}日前" if (deadline + dt.timedelta(days=1)).day != 1 else ""
    return [Task(last, f"对照{book(plan.ruleset_name)}逐项开展自查自评，补齐完善台账资料", plan.committee),
            Task(last, f"{by}形成整改情况报告，报上级工会申请验收，迎接检查", plan.chair)]
