"""The 整改 loop: a task's life from the publication to 销号, one checked transition at a time.

A task is one step of a union's plan (Task.step, as in the result's plan.steps). The union marks it
done once its evidence is uploaded; the assessor (or the county admin) re-checks it (复查) and
accepts it (销号) or returns it with a note. Only these moves exist:

    整改中 open ──union──▶ 待复查 done ──assessor──▶ 已销号 accepted
    已退回 returned ──union──▶ 待复查 done ──assessor──▶ 已退回 returned (a note is required)

A returned task goes back for 复查 only with evidence uploaded after its latest return: the note asked for more.

Accepting applies the step's fact changes (fact → after) as a new verified version
(records.verify, method 查阅资料, note "整改销号：…"), so the union's 复核 score and level follow.
Every move is a TaskEvent and an audit event; nothing is changed back.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from . import access, audit, records
from .models import Entry, Role, Round, Task, TaskEvent, User, Version

UNION_MOVES = {Task.Status.OPEN: {Task.Status.DONE}, Task.Status.RETURNED: {Task.Status.DONE}}
ASSESSOR_MOVES = {Task.Status.DONE: {Task.Status.ACCEPTED, Task.Status.RETURNED}}
REVIEWERS = (Role.ASSESSOR, Role.ADMIN)
STILL_OPEN = (Task.Status.OPEN, Task.Status.RETURNED)  # the union's turn: what can be overdue
ACCEPT_METHOD = "查阅资料"


class TaskError(Exception):
    """A move the task cannot make now (HTTP 409), or a request that lacks something (`field`: 422)."""

    status = 409
    field = ""


class NoteRequired(TaskError):
    status = 422
    field = "note"


def task_for(user: User, task_id: int) -> Task:
    """A task of a union the account may see (404 otherwise: ids cannot be probed)."""
    found = (Task.objects.filter(pk=task_id, entry__union__in=access.unions(user), entry__round__in=access.rounds(user))
             .select_related("entry__union__township", "entry__round").first())
    if found is None:
        raise Http404("没有这个整改任务，或无权查看")
    return found


def tasks_of(entry: Entry) -> QuerySet[Task]:
    return entry.tasks.prefetch_related("evidence", "events__created_by").order_by("deadline", "id")


def unfinished_earlier(user: User, entry: Entry) -> QuerySet[Task]:
    """The union's tasks of earlier rounds not yet 销号 (those the account may see): a new round does not end them."""
    return (Task.objects.filter(entry__union=entry.union_id, entry__round__in=access.rounds(user), entry__round__year__lt=entry.round.year)
            .exclude(status=Task.Status.ACCEPTED).select_related("entry__round").order_by("-entry__round__year", "deadline", "id"))


def is_overdue(task: Task, today: dt.date) -> bool:
    """Past its deadline and still the union's to do (a task waiting for 复查 is the county's delay)."""
    return task.deadline < today and task.status in STILL_OPEN


def moves_for(user: User, task: Task) -> set[str]:
    """The statuses this account may move the task to now."""
    if user.role == Role.UNION and user.union_id == task.entry.union_id:
        return set(UNION_MOVES.get(Task.Status(task.status), set()))
    if user.role in REVIEWERS:
        return set(ASSESSOR_MOVES.get(Task.Status(task.status), set()))
    return set()


def check_actor(user: User, task: Task) -> None:
    """Only the union itself and the county's assessors and admin act on a task; others only look (403)."""
    own = user.role == Role.UNION and user.union_id == task.entry.union_id
    if not own and user.role not in REVIEWERS:
        raise access.Refused("只有本单位账号（整改、上传佐证材料）和县总工会考核人员（复查、销号）可以操作整改任务")


def transition(user: User, task: Task, to: str, note: str = "") -> TaskEvent:
    """Move the task to `to`, checked against the state machine under a lock on the task."""
    check_actor(user, task)
    note = (note or "").strip()
    if to not in Task.Status.values:
        raise TaskError(f"不认识的状态 “{to}”：应为 done（整改完成，提请复查）、accepted（销号）或 returned（退回）")
    with transaction.atomic():
        locked = Task.objects.select_for_update().select_related("entry__union", "entry__round").get(pk=task.pk)
        check_move(user, locked, to, note)
        was = Task.Status(locked.status).label
        if not Task.objects.filter(pk=locked.pk, status=locked.status).update(status=to):  # SQLite has no row locks
            raise TaskError("整改任务刚被他人处理过，请刷新后再看")
        version = accept(user, locked, note) if to == Task.Status.ACCEPTED else None
        event = TaskEvent.objects.create(task=locked, status=to, note=note, version=version, created_by=user)
        locked.status = to
        audit.record(user, f"task.{to}", f"{locked.entry.union}：整改任务“{locked.name}”{was} → {Task.Status(to).label}"
                     + (f"（{note}）" if note else ""), round_=locked.entry.round, union=locked.entry.union,
                     task=locked.pk, item=locked.item, note=note, version=version.number if version else None)
    task.status = to
    return event


def check_move(user: User, task: Task, to: str, note: str) -> None:
    if to not in moves_for(user, task):
        who = "本单位" if user.role == Role.UNION else "考核人员"
        raise TaskError(f"整改任务现为“{Task.Status(task.status).label}”，{who}不能将其改为“{Task.Status(to).label}”")
    if to == Task.Status.RETURNED and not note:
        raise NoteRequired("退回须写明复查意见：哪些材料不足、还要做什么")
    if to == Task.Status.DONE:
        check_evidence(task)


def check_evidence(task: Task) -> None:
    """Something for the assessor to re-check: a file not withdrawn, and after a return one uploaded since."""
    kept = task.evidence.filter(withdrawn_at__isnull=True)
    if not kept.exists():
        raise TaskError("请先上传佐证材料（照片、PDF 或 Word 文件），再提请复查")
    returned = latest_return(task)
    if returned and not kept.filter(created_at__gt=returned.created_at).exists():
        raise TaskError(f"整改任务已于 {timezone.localtime(returned.created_at):%Y-%m-%d %H:%M} 被退回（复查意见：{returned.note}）；"
                        "退回后还没有上传新的佐证材料，请按复查意见整改并上传新的材料，再提请复查")


def latest_return(task: Task) -> TaskEvent | None:
    """The task's latest 退回 (from the prefetched events when there are), or None when it was never returned."""
    returns = [event for event in task.events.all() if event.status == Task.Status.RETURNED]
    return max(returns, key=lambda event: (event.created_at, event.pk), default=None)


def accept(user: User, task: Task, note: str) -> Version | None:
    """销号: the step's fact changes as a new verified version (None when the step changes no fact)."""
    changes = planned_changes(task)
    if not changes:
        return None
    text = f"整改销号：{task.name}" + (f"。{note}" if note else "")
    try:
        graded, version = records.verify(task.entry, user, changes, {name: {"method": ACCEPT_METHOD, "note": text} for name in changes})
    except records.Stale as stale:  # an inspection saved while this one graded
        raise TaskError(f"销号未完成：{stale}") from None
    if version is None:
        problems = "；".join(p["message"] for p in graded.problems)
        raise TaskError(f"销号未完成：按整改目标修改后的数据未通过检查（{problems}）")
    return version  # the entry stays 已发布 (records.store); the new version is its 复核 record


def planned_changes(task: Task) -> dict[str, Any]:
    """The facts the step sets, fact → the value it is to have after the 整改."""
    return {change["fact"]: change.get("after") for change in task.step.get("changes", []) if change.get("fact")}


# overdue tasks -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Overdue:
    township: str
    tasks: list[Task]


def overdue(user: User, round_: Round, today: dt.date | None = None) -> list[Overdue]:
    """The round's tasks past their deadline and still the union's to do, per township (those the account sees)."""
    if user.role == Role.UNION:
        raise access.Refused("逾期整改任务一览只供乡镇（街道）工会和县总工会查看")
    day = today or timezone.localdate()
    found = (Task.objects.filter(entry__in=access.entries(user, round_), deadline__lt=day, status__in=STILL_OPEN)
             .select_related("entry__union__township").order_by("entry__union__township__name", "deadline", "entry__union__code"))
    groups: dict[str, list[Task]] = {}
    for task in found:
        township = task.entry.union.township
        groups.setdefault(township.name if township else "（未分乡镇）", []).append(task)
    return [Overdue(name, tasks) for name, tasks in groups.items()]
