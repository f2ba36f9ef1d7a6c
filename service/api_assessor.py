"""The API of verification and publication (a router mounted on api.py's API, same token and permissions).

    PUT  /rounds/{round}/unions/{union}/verified        {"facts": {…only what changed…}, "notes": {fact: {"method", "note"}}}
                                                          → {"version", "result", "reconciliation"}
    GET  /rounds/{round}/unions/{union}/reconciliation  per standard: {"ruleset", "self", "verified", "items"}
    POST /rounds/{round}/publish                         {"deadline"} → the publication's numbers

Assessors and the county admin only (publishing: the admin only); a union or township account that
sees the union is refused (403), as everywhere. Bad facts or a change without its method: 422 with
the problems in Chinese, nothing stored.
"""
from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import P, PathEx, Router
from ninja.errors import AuthenticationError, HttpError

from . import access, publishing, records, verification
from .api_schemas import Message, Problem, Problems, PublishIn, PublishOut, ReconciliationOut, VerifiedIn, VerifiedOut
from .models import Entry, Role, User

router = Router(tags=["核查与发布"])
SEEN = {401: Message, 404: Message}
RoundId = PathEx[int, P(description="考核年度编号：GET /api/v1/rounds 所列的 id")]
UnionCode = PathEx[str, P(description="工会编号，如 QS-016（不区分大小写）")]
STAFF = (Role.ASSESSOR, Role.ADMIN)


def caller(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise AuthenticationError()
    return user


def staff_entry(request: HttpRequest, round_id: int, code: str) -> tuple[User, Entry]:
    user = caller(request)
    entry = access.entry_for(user, round_id, code)
    if user.role not in STAFF:
        raise access.Refused("只有考核人员和县总工会管理员可以核查")
    return user, entry


def flat(facts: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested facts by dotted path; a null stays (the inspection found no such fact: it is removed)."""
    found: dict[str, Any] = {}
    for key, value in facts.items():
        if isinstance(value, dict):
            found |= flat(value, f"{prefix}{key}.")
        else:
            found[f"{prefix}{key}"] = value
    return found


@router.put("/rounds/{round}/unions/{union}/verified",
            response={200: VerifiedOut, 403: Message, 409: Message, 422: list[Problem], 503: Message, **SEEN},
            url_name="verified", summary="保存核查结果")
def put_verified(request: HttpRequest, round: RoundId, union: UnionCode, document: VerifiedIn) -> dict[str, Any]:
    """保存现场核查的结果：只写核查发现与自评不一致的事实（点分路径或嵌套；null 表示核查中没有这项），每项在 notes 中注明核查方式
    （查阅资料、实地查看、座谈）和说明。以最近的核定版本（没有时以工会提交的版本）为基础修改，生成新的“核定”版本并重新评分，
    返回版本编号、评估结果和自评与核定的对照。数据有误或缺少核查方式时返回 422，不保存。工会尚未提交、结果已经发布（核定数据冻结，
    发布后事实只能通过整改任务的销号改变）、工会提交后又保存了草稿正在修改，或期间已有新的版本保存时返回 409，不保存。
    考核人员和县总工会管理员可用。"""
    user, entry = staff_entry(request, round, union)
    if records.verification_base(entry) is None:
        raise HttpError(409, f"工会 “{entry.union.code}” 尚未提交自评，还不能核查")
    notes = {name: note.model_dump() for name, note in document.notes.items()}
    try:
        graded, version = records.verify(entry, user, flat(document.facts), notes, inspection=True)
    except (records.Closed, records.Stale) as refused:  # published or being revised; another save while this one graded
        raise HttpError(409, str(refused)) from None
    if version is None:
        raise Problems(graded.problems)
    found = verification.reconciliation(entry)
    return {"version": version.number, "result": version.result, "reconciliation": verification.as_json(found) if found else None}


@router.get("/rounds/{round}/unions/{union}/reconciliation", response={200: ReconciliationOut, 403: Message, **SEEN},
            url_name="reconciliation", summary="自评与核定对照")
def get_reconciliation(request: HttpRequest, round: RoundId, union: UnionCode) -> dict[str, Any]:
    """工会自评（最近提交的版本）与核定（其后最近的核查版本）的对照，按考核标准分列：各自的得分与等级，以及得分或结果不同的指标和
    指标所读事实的自评值、核定值。尚未核查时核定与自评相同、指标为空；尚未提交时返回 404。考核人员和县总工会管理员可用。"""
    _, entry = staff_entry(request, round, union)
    found = verification.reconciliation(entry)
    if found is None:
        raise Http404(f"工会 “{entry.union.code}” 尚未提交自评")
    return verification.as_json(found)


@router.post("/rounds/{round}/publish", response={200: PublishOut, 403: Message, 409: Message, 422: list[Problem], **SEEN},
             url_name="publish", summary="发布本年度结果")
def post_publish(request: HttpRequest, round: RoundId, body: PublishIn) -> dict[str, Any]:
    """发布考核年度的结果（县总工会管理员）：各工会以最新的核定版本（未核查的以提交的版本）为准冻结，生成全县结果报告、汇总表和
    整改通知书，按整改规划为每个整改事项建立整改任务，期限为 deadline。提交后又保存了草稿、尚未再次提交的工会，发布其提交的结果，
    草稿不发布、也不能再提交，列于 drafts。已发布的年度返回 409；整改期限不晚于今天、或晚于今天起两年返回 422。"""
    user = caller(request)
    round_ = access.round_for(user, round)
    if user.role != Role.ADMIN:
        raise access.Refused("只有县总工会管理员可以发布结果")
    try:
        publishing.check_deadline(body.deadline, timezone.localdate())
    except publishing.PublishError as exc:
        raise Problems([{"field": "deadline", "message": str(exc)}]) from None
    try:
        done = publishing.publish(round_, user, body.deadline)
    except publishing.PublishError as exc:
        raise HttpError(409, str(exc)) from None
    return {"publication": done.publication.pk, "results": done.results, "notices": done.notices, "tasks": done.tasks,
            "left_out": done.left_out, "drafts": done.drafts}
