"""The pages of the 整改 loop, the history and the audit trail.

A union's tasks (upload or withdraw evidence, mark done; the assessor accepts or returns), an evidence file,
the overdue tasks per township, a union's years, this round against the last, and the county
admin's audit page. Scoping as everywhere: service.access (404 unseen, 403 seen but not changeable);
a move the task cannot make is refused with a Chinese message on the task page.
"""
from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from . import access, evidence, history, tasks
from .grader import GradingFailed
from .models import AuditEvent, Entry, Role, Task
from .published_files import ASK_FOR_REVIEW
from .views import account, attachment, short_names, signed_in

AUDIT_PAGE = 100
MOVES = {Task.Status.DONE: ASK_FOR_REVIEW, Task.Status.ACCEPTED: "复查通过，销号", Task.Status.RETURNED: "退回重新整改"}
COLOURS = {"up": ("升级", "#2e7d32"), "same": ("持平", "#9e9e9e"), "down": ("降级", "#c62828")}


# a union's tasks -------------------------------------------------------------------------------------------
@signed_in
@require_GET
def task_list(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    user = account(request)
    entry = access.entry_for(user, round_id, code)
    found = list(tasks.tasks_of(entry))
    today = timezone.localdate()
    names = short_names(entry.round)
    notes = list(messages.get_messages(request))  # what an upload or a move said goes beside its task, where the page lands
    rows = [{"task": task, "moves": [(to, MOVES[Task.Status(to)]) for to in sorted(tasks.moves_for(user, task))],
             "standard": names.get(task.ruleset, task.ruleset),
             "notes": [note for note in notes if note.extra_tags == task_anchor(task)],
             "review": Task.Status.RETURNED in tasks.moves_for(user, task),
             "upload": user.role == Role.UNION and task.status in tasks.STILL_OPEN,
             "evidence": evidence.current(task), "withdrawn": evidence.withdrawn(task), "returned": tasks.latest_return(task),
             "overdue": tasks.is_overdue(task, today)} for task in found]
    return render(request, "service/loop/tasks.html", {
        "entry": entry, "round": entry.round, "union": entry.union, "rows": rows, "scores": score_rows(entry),
        "messages": [note for note in notes if note.extra_tags not in {task_anchor(task) for task in found}],
        "accepted": sum(task.status == Task.Status.ACCEPTED for task in found), "max_mb": evidence.MAX_MB,
        "accept": evidence.ACCEPTED_TEXT, "editable": access.may_edit(user, entry),
        "earlier": [{"task": task, "round": task.entry.round, "overdue": tasks.is_overdue(task, today)}
                    for task in tasks.unfinished_earlier(user, entry)]})


def score_rows(entry: Entry) -> list[dict[str, Any]]:
    """Per standard: the published score and level, and the 复核 one (the record now, after 销号)."""
    published = history.scores(history.published_results([entry]).get(entry.pk))
    now = history.scores(history.records_of([entry]).get(entry.pk))
    names = short_names(entry.round)
    return [{"name": names.get(rid, rid), "published": published.get(rid), "now": now.get(rid)}
            for rid in entry.round.ruleset_ids() if rid in now or rid in published]


def task_anchor(task: Task) -> str:
    return f"task-{task.pk}"


def back_to(task: Task) -> HttpResponse:
    return redirect(f"{reverse('tasks', args=[task.entry.round_id, task.entry.union.code])}#{task_anchor(task)}")


@signed_in
@require_POST
def task_evidence(request: HttpRequest, task_id: int) -> HttpResponse:
    user = account(request)
    task = tasks.task_for(user, task_id)
    try:
        kept = evidence.upload(user, task, request.FILES.get("file"), getattr(request, "upload_too_big", False))
    except tasks.TaskError as exc:
        messages.error(request, str(exc), extra_tags=task_anchor(task))
    else:
        messages.success(request, f"已上传“{kept.original_name}”（{filesizeformat(kept.size)}）。", extra_tags=task_anchor(task))
    return back_to(task)


@signed_in
@require_POST
def evidence_withdraw(request: HttpRequest, evidence_id: int) -> HttpResponse:
    user = account(request)
    found = evidence.evidence_for(user, evidence_id)
    try:
        evidence.withdraw(user, evidence_id)
    except tasks.TaskError as exc:
        messages.error(request, str(exc), extra_tags=task_anchor(found.task))
    else:
        messages.success(request, f"已撤回“{found.original_name}”：不再作为佐证材料，上传记录仍保留。", extra_tags=task_anchor(found.task))
    return back_to(found.task)


@signed_in
@require_POST
def task_transition(request: HttpRequest, task_id: int) -> HttpResponse:
    user = account(request)
    task = tasks.task_for(user, task_id)
    to = request.POST.get("to", "")
    try:
        event = tasks.transition(user, task, to, request.POST.get("note", ""))
    except (tasks.TaskError, GradingFailed) as exc:  # 销号 grades again: a worker that died changes nothing
        messages.error(request, f"未变更：{exc}", extra_tags=task_anchor(task))
        return back_to(task)
    tail = f"，已按整改目标生成第 {event.version.number} 版核定数据并重新评分" if event.version else ""
    messages.success(request, f"整改任务“{task.name}”已改为“{Task.Status(to).label}”{tail}。", extra_tags=task_anchor(task))
    return back_to(task)


@signed_in
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """A stored file, to those who may see its union, always as an attachment under a safe name."""
    found = evidence.evidence_for(account(request), evidence_id)
    try:
        handle = evidence.path_of(found).open("rb")
    except OSError as exc:
        raise Http404("佐证材料文件已不在存储目录中，请联系管理员") from exc
    response = FileResponse(handle, content_type=found.content_type)
    extension = evidence.EXTENSION.get(found.content_type, "")
    name = found.original_name if found.original_name.lower().endswith(extension) else found.original_name + extension
    response["Content-Disposition"] = attachment(name, f"evidence-{found.pk}{extension}")
    return cast(HttpResponse, response)  # streamed, not an HttpResponse: the decorators only pass it on


# overdue, history, comparison -----------------------------------------------------------------------------
@signed_in
@require_GET
def overdue_page(request: HttpRequest, round_id: int) -> HttpResponse:
    user = account(request)
    round_ = access.round_for(user, round_id)
    groups = tasks.overdue(user, round_)
    return render(request, "service/loop/overdue.html", {"round": round_, "groups": groups, "today": timezone.localdate(),
                                                         "total": sum(len(g.tasks) for g in groups)})


@signed_in
@require_GET
def history_page(request: HttpRequest, code: str) -> HttpResponse:
    user = account(request)
    union = access.unions(user).filter(code__iexact=code).first()
    if union is None:
        raise Http404("没有这个工会，或无权查看")
    years = history.union_history(user, union)
    ids = list(dict.fromkeys(rid for year in years for rid in year.round.ruleset_ids()))
    names = {rid: name for year in years for rid, name in short_names(year.round).items()}
    columns = [(rid, names.get(rid, rid)) for rid in ids]
    return render(request, "service/loop/history.html", {
        "union": union, "years": [(year, history.cells(year, columns)) for year in reversed(years)], "columns": columns})


@signed_in
@require_GET
def compare_page(request: HttpRequest, round_id: int) -> HttpResponse:
    user = account(request)
    round_ = access.round_for(user, round_id)
    if user.role == Role.UNION:
        raise PermissionDenied("年度对比只供乡镇（街道）工会和县总工会查看")
    before = history.previous_round(user, round_)
    movements = history.compare(user, round_, before) if before else []
    names = short_names(round_)
    return render(request, "service/loop/compare.html", {
        "round": round_, "before": before,
        "movements": [{"m": m, "short": names.get(m.ruleset, m.name), "total": m.total(), "chart": chart(m)} for m in movements]})


def chart(movement: history.Movement) -> SafeString:
    """升级 / 持平 / 降级 per township as a stacked bar chart: inline SVG, no script."""
    rows = list(movement.townships.items())
    if not rows:
        return mark_safe("")
    width, left, bar, gap = 640, 120, 22, 10
    height = 30 + len(rows) * (bar + gap)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(movement.name)}：各乡镇升级、持平、降级的工会数" '
             'xmlns="http://www.w3.org/2000/svg" font-size="13">']
    for index, (label, colour) in enumerate(COLOURS.values()):
        parts.append(f'<rect x="{left + index * 90}" y="4" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{left + index * 90 + 16}" y="15">{label}</text>')
    for number, (township, counts) in enumerate(rows):
        y, total, x = 26 + number * (bar + gap), sum(counts.values()) or 1, float(left)
        parts.append(f'<text x="{left - 6}" y="{y + 16}" text-anchor="end">{escape(township[:8])}</text>')
        for kind, (label, colour) in COLOURS.items():
            span = (width - left - 10) * counts.get(kind, 0) / total
            if span:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{span:.1f}" height="{bar}" fill="{colour}"><title>{escape(township)} '
                             f'{label} {counts[kind]} 个</title></rect>')
                parts.append(f'<text x="{x + span / 2:.1f}" y="{y + 16}" text-anchor="middle" fill="#fff">{counts[kind]}</text>')
            x += span
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text in it is escaped above


# the audit trail ----------------------------------------------------------------------------------------------
@signed_in
@require_GET
def audit_page(request: HttpRequest) -> HttpResponse:
    """Every event of the admin's federation, newest first, filtered by union code and action; read-only."""
    user = account(request)
    if user.role != Role.ADMIN or user.federation_id is None:
        raise PermissionDenied("操作记录只供县总工会管理员查看")
    events = AuditEvent.objects.filter(federation_id=user.federation_id).select_related("user", "union", "round")
    actions = sorted(set(events.values_list("action", flat=True).distinct()))
    union, action = request.GET.get("union", "").strip(), request.GET.get("action", "").strip()
    if union:
        events = events.filter(union__code__iexact=union)
    if action:
        events = events.filter(action=action)
    page = Paginator(events.order_by("-created_at", "-id"), AUDIT_PAGE).get_page(request.GET.get("page"))
    return render(request, "service/loop/audit.html", {"page": page, "actions": actions, "union": union, "action": action})
