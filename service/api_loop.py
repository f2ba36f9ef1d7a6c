"""The API of the 整改 loop and the history (a router mounted on api.py's API, same token and permissions).

    GET  /rounds/{round}/unions/{union}/tasks   a union's 整改 tasks
    POST /tasks/{id}/evidence                    multipart, field "file": one evidence file
    POST /evidence/{id}/withdraw                 a file uploaded by mistake, withdrawn (kept, no longer counted)
    POST /tasks/{id}/transition                  {"to", "note"}: done / accepted / returned
    GET  /unions/{union}/history                 [{"year", "round", "results": {ruleset: {"score", "level"}}}]

Errors as everywhere in the API: 404 unseen, 403 seen but not to be changed, 409 a move the task
cannot make now, 413 a file over the limit, 415 a file of a kind not accepted, 422 a missing note or file.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import File, P, PathEx, Router, UploadedFile
from ninja.errors import AuthenticationError

from . import access, evidence, history, tasks
from .api_schemas import EvidenceOut, HistoryYear, Message, Problem, TaskOut, Transition, TransitionOut
from .models import Evidence, Task, User

router = Router(tags=["整改与历年记录"])
SEEN = {401: Message, 404: Message}
ACTED = {403: Message, 409: Message, 422: list[Problem], **SEEN}
RoundId = PathEx[int, P(description="考核年度编号：GET /api/v1/rounds 所列的 id")]
UnionCode = PathEx[str, P(description="工会编号，如 QS-016（不区分大小写）")]
TaskId = PathEx[int, P(description="整改任务编号：GET …/tasks 所列的 id")]
EvidenceId = PathEx[int, P(description="佐证材料编号：GET …/tasks 所列 evidence 的 id")]


def caller(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise AuthenticationError()
    return user


@router.get("/rounds/{round}/unions/{union}/tasks", response={200: list[TaskOut], **SEEN}, url_name="tasks", summary="整改任务")
def list_tasks(request: HttpRequest, round: RoundId, union: UnionCode) -> list[dict[str, Any]]:
    """工会在该考核年度的整改任务（发布结果时按整改规划逐步生成），按整改期限排序：指标、整改目标、期限、状态、须提交和已上传的佐证材料。"""
    entry = access.entry_for(caller(request), round, union)
    return [task_out(task) for task in tasks.tasks_of(entry)]


def task_out(task: Task) -> dict[str, Any]:
    returned = tasks.latest_return(task)
    return {"id": task.pk, "ruleset": task.ruleset, "item": task.item, "name": task.name, "target": task.step.get("target", ""),
            "evidence_expected": task.step.get("evidence", []), "deadline": task.deadline, "status": task.status,
            "status_label": Task.Status(task.status).label, "overdue": tasks.is_overdue(task, timezone.localdate()),
            "evidence": [evidence_out(found) for found in evidence.current(task)],
            "withdrawn": [evidence_out(found) for found in evidence.withdrawn(task)],
            "returned_at": returned.created_at if returned else None}


def evidence_out(found: Evidence) -> dict[str, Any]:
    return {"id": found.pk, "name": found.original_name, "content_type": found.content_type, "size": found.size,
            "sha256": found.sha256, "by": found.created_by.username if found.created_by_id else None, "at": found.created_at,
            "url": reverse("evidence", args=[found.pk]), "withdrawn_at": found.withdrawn_at,
            "withdrawn_by": found.withdrawn_by.username if found.withdrawn_by is not None else None}


@router.post("/tasks/{id}/evidence", response={200: EvidenceOut, 413: Message, 415: Message, **ACTED}, url_name="task_evidence",
             summary="上传佐证材料")
def post_evidence(request: HttpRequest, id: TaskId, file: UploadedFile | None = File(None)) -> dict[str, Any]:  # noqa: B008
    """本单位账号为整改中或已退回的任务上传一份佐证材料（multipart/form-data，字段名 file）：照片（JPG、PNG）、PDF 或 Word（.docx），
    每个不超过 10 MB。按文件内容识别类型，扩展名须与内容相符；文件以系统生成的名称存放，原文件名只作说明。
    超过大小返回 413，类型不符返回 415，任务已提请复查或已销号返回 409。"""
    user = caller(request)
    task = tasks.task_for(user, id)
    return evidence_out(evidence.upload(user, task, file, getattr(request, "upload_too_big", False)))


@router.post("/evidence/{id}/withdraw", response={200: EvidenceOut, **ACTED}, url_name="evidence_withdraw", summary="撤回佐证材料")
def post_withdraw(request: HttpRequest, id: EvidenceId) -> dict[str, Any]:
    """本单位账号撤回传错的佐证材料（任务整改中或已退回时）。文件和上传记录仍保留，标为已撤回，不再作为佐证材料；
    任务已提请复查或已销号、或已撤回过返回 409，其他账号返回 403。"""
    return evidence_out(evidence.withdraw(caller(request), id))


@router.post("/tasks/{id}/transition", response={200: TransitionOut, **ACTED}, url_name="task_transition", summary="整改任务状态变更")
def post_transition(request: HttpRequest, id: TaskId, change: Transition) -> dict[str, Any]:
    """变更整改任务的状态。本单位：整改中或已退回 → done（整改完成，提请复查；须已上传佐证材料，
    已退回的须有退回后新上传的材料）。考核人员、县总工会管理员：
    done → accepted（复查通过，销号：按整改目标修改事实，生成新的核定版本并重新评分）或 returned（退回，须写明复查意见）。
    其他变更返回 409；无权操作返回 403。"""
    user = caller(request)
    task = tasks.task_for(user, id)
    event = tasks.transition(user, task, change.to, change.note)
    version = event.version
    return {"task": task_out(Task.objects.get(pk=task.pk)), "version": version.number if version else None,
            "result": version.result if version else None}


@router.get("/unions/{union}/history", response={200: list[HistoryYear], **SEEN}, url_name="history", summary="历年记录")
def union_history(request: HttpRequest, union: UnionCode) -> list[dict[str, Any]]:
    """工会历年的得分与等级（从早到晚）：每个考核年度取最新的非草稿评估结果（复核、核定、提交或历年导入），及发布时的结果和整改任务销号情况。"""
    user = caller(request)
    found = access.unions(user).filter(code__iexact=union).first()
    if found is None:
        raise Http404("没有这个工会，或无权查看")
    return [year_out(year) for year in history.union_history(user, found)]


def year_out(year: history.Year) -> dict[str, Any]:
    return {"year": year.round.year, "round": year.round.pk, "results": year.results, "published": year.published,
            "tasks": year.tasks, "tasks_accepted": year.tasks_done}

