"""The county's pages: opening a round and its status board, verification and reconciliation, publishing.

Only the county's staff use them: the assessor verifies; the county admin also opens and publishes
rounds. As everywhere (service.access), what an account may not see is 404; a union or township
account that sees the union or round but is not county staff is refused (403). The one exception
is a union's 整改通知书, which goes to the union: whoever may see the union may download it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from . import access, publishing, records, rounds_admin, verification
from .grader import GradingFailed
from .grading import round_rulesets
from .models import Entry, Role, Round, User, Version
from .selfcheck_form import base_number, bind, changed, layout, problem_lines
from .views import DOCX, account, attachment, short_names, signed_in, stale_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STAFF = (Role.ASSESSOR, Role.ADMIN)


def staff(user: User, admin_only: bool = False) -> None:
    """County staff: an assessor or the admin, of a federation (an account without one has no county to act for)."""
    if user.role not in ((Role.ADMIN,) if admin_only else STAFF) or user.federation_id is None:
        raise PermissionDenied("只有县总工会管理员可以进行此操作" if admin_only else "只有考核人员和县总工会管理员可以查看")


def staff_round(request: HttpRequest, round_id: int, admin_only: bool = False) -> Round:
    user = account(request)
    found = access.round_for(user, round_id)
    staff(user, admin_only)
    return found


def staff_entry(request: HttpRequest, round_id: int, code: str) -> Entry:
    user = account(request)
    entry = access.entry_for(user, round_id, code)
    staff(user)
    return entry


# rounds -------------------------------------------------------------------------------------------
@signed_in
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    """Open a round: year, standards, deadline, and the unions of an earlier round (or import them)."""
    user = account(request)
    staff(user, admin_only=True)
    earlier = list(access.rounds(user))
    error = ""
    if request.method == "POST":
        try:
            made = rounds_admin.open_round(user.federation, user, *round_form(request.POST, earlier))  # type: ignore[arg-type]
        except rounds_admin.RoundError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已开启{made.title}，{made.entries.count()} 个参评工会。")
            return redirect("round_board", made.pk)
    year = (earlier[0].year + 1) if earlier else dt.date.today().year
    return render(request, "service/assessor/round_new.html", {
        "error": error, "earlier": earlier, "choices": rounds_admin.ruleset_choices(), "year": request.POST.get("year", year),
        "checked": request.POST.getlist("rulesets") or (earlier[0].ruleset_ids() if earlier else []),
        "deadline": request.POST.get("deadline", ""), "source": request.POST.get("source", str(earlier[0].pk) if earlier else "")})


def round_form(data: QueryDict, earlier: list[Round]) -> tuple[int, list[str], dt.date | None, Round | None]:
    try:
        year = int(data.get("year", ""))
    except ValueError:
        raise rounds_admin.RoundError("年度应为四位数字，如 2026") from None
    deadline = date_field(data.get("deadline", ""), "填报截止日期", required=False)
    source = next((r for r in earlier if str(r.pk) == data.get("source")), None)
    return year, data.getlist("rulesets"), deadline, source


def date_field(text: str, label: str, required: bool = True) -> dt.date | None:
    if not text.strip():
        if required:
            raise rounds_admin.RoundError(f"请填写{label}")
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise rounds_admin.RoundError(f"{label}应为日期，如 2026-06-30") from None


@signed_in
def round_board(request: HttpRequest, round_id: int) -> HttpResponse:
    """The status board per township, the unions to verify, publishing and its files."""
    return board_page(request, staff_round(request, round_id))


def board_page(request: HttpRequest, round_: Round, error: str = "") -> HttpResponse:
    entries = [e for e in round_.entries.select_related("union__township").order_by("union__township__name", "union__code")
               if e.status not in rounds_admin.NOT_SUBMITTED]
    publication = publishing.latest_publication(round_)
    drafts = publishing.unsubmitted_drafts(round_) if publication is None else []
    return render(request, "service/assessor/board.html", {
        "round": round_, "board": rounds_admin.status_board(round_), "statuses": [label for _, label in Entry.Status.choices],
        "entries": entries, "publication": publication,
        "drafts": [publishing.draft_line(entry, draft) for entry, draft in drafts], "drafts_seen": seen(drafts),
        "is_admin": account(request).role == Role.ADMIN, "error": error, "deadline": request.POST.get("deadline", ""),
        "report_ready": bool(publication and publishing.published_file(publication, publishing.REPORT)),
        "workbook_ready": bool(publication and publishing.published_file(publication, publishing.WORKBOOK)),
        "notices": publishing.notice_codes(publication, (e.union.code for e in entries)) if publication else set()})


@signed_in
def reminders(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = staff_round(request, round_id)
    response = HttpResponse(rounds_admin.reminders(round_), content_type=XLSX)
    response["Content-Disposition"] = attachment(f"{round_.title}未提交名单.xlsx", f"reminders-{round_.year}.xlsx")
    return response


# publishing ---------------------------------------------------------------------------------------
@signed_in
@require_POST
def publish(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = staff_round(request, round_id, admin_only=True)
    try:
        deadline = date_field(request.POST.get("deadline", ""), "整改期限")
        assert deadline is not None
        if request.POST.get("confirm") != "yes":  # publishing cannot be undone: the browser asks, and so does this
            raise publishing.PublishError("请勾选“已核对各工会的核定结果”后再发布：发布后结果冻结，不能撤回或重新发布")
        check_drafts_seen(round_, request.POST.get("drafts", ""))
        done = publishing.publish(round_, account(request), deadline)
    except (rounds_admin.RoundError, publishing.PublishError, GradingFailed) as exc:
        round_.refresh_from_db()  # as it is now: a publishing that finished meanwhile (a double click) made it 已发布
        return board_page(request, round_, str(exc))
    left = f"；{len(done.left_out)} 个工会未提交，未发布" if done.left_out else ""
    drafts = (f"；{len(done.drafts)} 个工会发布的是其提交的结果，提交后保存的草稿未发布：{'；'.join(done.drafts)}"
              if done.drafts else "")
    messages.success(request, f"已发布 {done.results} 个工会的结果，{done.notices} 份整改通知书，{done.tasks} 项整改任务{left}{drafts}。")
    return redirect("round_board", round_.pk)


def seen(drafts: list[tuple[Entry, Version]]) -> str:
    """The drafts the board lists, as its tick confirming them posts them back (their versions' ids)."""
    return ",".join(str(draft.pk) for _, draft in drafts)


def check_drafts_seen(round_: Round, posted: str) -> None:
    """Publishing leaves out the drafts unions saved after submitting: refused unless the admin ticked the board's list of
    them, and that list had every one there is now (a union may start revising while the page is open)."""
    drafts = publishing.unsubmitted_drafts(round_)
    if not {str(draft.pk) for _, draft in drafts} <= set(posted.split(",")):
        raise publishing.PublishError(f"有 {len(drafts)} 个工会提交后又保存了草稿、尚未再次提交（名单见下）：请看过名单，勾选确认后再发布；"
                                      "打开本页之后名单有变化的，也须重新确认")


def published(round_: Round, name: str) -> Any:
    publication = publishing.latest_publication(round_)
    path = publishing.published_file(publication, name) if publication else None
    if path is None:
        raise Http404("本年度结果尚未发布")
    return path


@signed_in
def published_report(request: HttpRequest, round_id: int) -> HttpResponse:
    path = published(staff_round(request, round_id), publishing.REPORT)
    return HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")


@signed_in
def published_workbook(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = staff_round(request, round_id)
    response = HttpResponse(published(round_, publishing.WORKBOOK).read_bytes(), content_type=XLSX)
    response["Content-Disposition"] = attachment(f"{round_.title}结果汇总.xlsx", f"summary-{round_.year}.xlsx")
    return response


@signed_in
def notice_docx(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    """The union's 整改通知书: for the union itself, its township and the county."""
    entry = access.entry_for(account(request), round_id, code)
    path = published(entry.round, publishing.notice_name(entry.union.code))
    response = HttpResponse(path.read_bytes(), content_type=DOCX)
    response["Content-Disposition"] = attachment(f"{entry.union.name}整改通知书.docx", f"notice-{entry.union.code}.docx")
    return response


# verification ---------------------------------------------------------------------------------------
@signed_in
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    """The inspection's form: each fact as self-reported, the value found (changed only where different), how it was found;
    read-only, saying why, when the entry takes no inspection now (published, or its union revising: records.check_inspectable)."""
    entry = staff_entry(request, round_id, code)
    groups = layout(tuple(round_rulesets(entry.round)))
    own, base = verification.self_version(entry), records.verification_base(entry)
    if own is None or base is None:
        return render(request, "service/assessor/verify.html", {"entry": entry, "round": entry.round, "union": entry.union, "rows": []})
    try:
        records.check_inspectable(entry)
        if request.method == "POST":
            return save_inspection(request, entry, groups, (own, base))
    except records.Closed as closed:  # on a post, also when it became so while grading (checked again under the entry's lock)
        return closed_page(request, entry, groups, (own, base), str(closed))
    return verify_page(request, entry, groups, (own, base), base.facts.get("facts", {}), [], {})


def save_inspection(request: HttpRequest, entry: Entry, groups: Any, versions: tuple[Version, Version]) -> HttpResponse:
    """The posted inspection, stored as a verified version; else the form again with what was typed and why it was not saved."""
    own, base = versions
    shown = entry.versions.filter(number=base_number(request.POST) or 0).first() or base  # the version the form showed
    changes = changed(groups, shown.facts.get("facts", {}), request.POST)
    notes = {name: {"method": request.POST.get(f"method.{name}", ""), "note": request.POST.get(f"note.{name}", "").strip()}
             for name in changes}
    facts, problems = base.facts.get("facts", {}), []
    try:
        graded, version = records.verify(entry, account(request), changes, notes, shown, inspection=True)
    except GradingFailed as exc:
        messages.error(request, str(exc))
        graded, version = None, None
    except records.Stale as stale:
        messages.error(request, stale_text(stale.newer, len(changes)))
        graded, version, base = None, None, stale.newer
        facts = base.facts.get("facts", {})
    if version is not None:
        messages.success(request, f"核查结果已保存（第 {version.number} 版），改动 {len(changes)} 项事实。")
        return redirect("reconciliation", entry.round_id, entry.union.code)
    if graded is not None:
        problems = graded.problems
        messages.error(request, f"未保存：有 {problem_lines(groups, problems)} 处需要修改。")
    facts = {name: value for name, value in {**facts, **changes}.items() if value is not None}
    return verify_page(request, entry, groups, (own, base), facts, problems, notes)


def verify_page(request: HttpRequest, entry: Entry, groups: Any, versions: tuple[Version, Version], facts: dict[str, Any],
                problems: list[dict[str, str]], notes: dict[str, dict[str, str]]) -> HttpResponse:
    """The form: `versions` the self-report and the base it changes, `facts` in the inputs."""
    own, base = versions
    rows, general = verify_rows(groups, own, facts, problems, notes)
    return render(request, "service/assessor/verify.html", {
        "entry": entry, "round": entry.round, "union": entry.union, "rows": rows, "general": general, "own": own, "base": base,
        "methods": records.VERIFY_METHODS, "notes": notes, "problem_count": problem_lines(groups, problems)})


def closed_page(request: HttpRequest, entry: Entry, groups: Any, versions: tuple[Version, Version], reason: str) -> HttpResponse:
    """The base's figures read-only beside the self-report's, and why no inspection is taken now; a post is refused (409)."""
    own, base = versions
    refused = request.method == "POST"
    rows, _ = verify_rows(groups, own, base.facts.get("facts", {}), [], {})
    return render(request, "service/assessor/verify.html", {
        "entry": entry, "round": entry.round, "union": entry.union, "rows": rows, "own": own, "base": base,
        "closed": ("未保存：" if refused else "") + reason}, status=409 if refused else 200)


def verify_rows(groups: Any, own: Version, facts: dict[str, Any], problems: list[dict[str, str]],
                notes: dict[str, dict[str, str]]) -> tuple[list[Any], list[str]]:
    """Per group, each fact as self-reported beside its field holding `facts`, and its note; the problems belonging to no field."""
    mine, _ = bind(groups, own.facts.get("facts", {}), [])
    theirs, general = bind(groups, facts, problems)
    return [(g, [(own_field, field, notes.get(field.name, {})) for own_field, field in zip(s.fields, g.fields)])
            for s, g in zip(mine, theirs)], general


@signed_in
def reconciliation(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    """自评分 and 核定分 side by side: per standard and section, the items that changed and the facts behind them."""
    entry = staff_entry(request, round_id, code)
    found = verification.reconciliation(entry)
    rulesets = round_rulesets(entry.round)
    decls = {d.name: d for g in layout(tuple(rulesets)) for d in g.facts}
    captions = {name: caption for r in rulesets for name, caption in r.captions.items()}
    names = short_names(entry.round)
    return render(request, "service/assessor/reconciliation.html", {
        "entry": entry, "round": entry.round, "union": entry.union, "found": found,
        "standards": [(names.get(s.ruleset, s.name), s, [(i, [verification.fact_row(f, decls, captions) for f in i.facts]) for i in s.items])
                      for s in (found.standards if found else ())],
        "changes": verification.changes_shown(found, decls) if found else []})


@signed_in
def figures(request: HttpRequest, round_id: int) -> HttpResponse:
    """The county's figures: how many unions over-reported, by how many points, on which items most often."""
    round_ = staff_round(request, round_id)
    found = verification.county_figures(round_, short_names(round_))
    return render(request, "service/assessor/figures.html", {
        "round": round_, "figures": [(f, f.most_often(), verification.item_chart(f.most_often())) for f in found]})
