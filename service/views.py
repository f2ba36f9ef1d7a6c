"""The pages: sign in, the rounds and unions an account may see, the self-check form and its result.

Every page asks service.access what the account may see (404 otherwise) and change (403). An
account with a one-time password is sent to change it before anything else.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from engine.language.model import FactDecl

from . import access, history, records, verification
from .grader import GradingFailed
from .grading import Graded, round_rulesets
from .models import Entry, Role, Round, User, Version, standing_versions
from .publishing import published_deadline
from .result_page import score_cells, standards
from .selfcheck_form import Group, base_number, bind, changed, document, field_id, fold_idle, layout, problem_lines
from .workplans import Workplan, workplan

PAGE_SIZE = 100
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
View = Callable[..., HttpResponse]
WITHDRAWN = "注意：本单位已提交的自评现在改为草稿，乡镇和县总工会看到的状态是“草稿”，改好后请再次提交。"
PASSWORD_ERRORS = {
    "password_incorrect": "{old}不正确，请重新输入。",
    "password_mismatch": "两次输入的新密码不一致。",
    "password_too_short": "新密码太短：至少需要 {min_length} 个字符。",
    "password_too_common": "新密码太常见，容易被猜到，请换一个。",
    "password_entirely_numeric": "新密码不能全是数字。",
    "password_too_similar": "新密码与账号名太相似，请换一个。",
    "password_unchanged": "新密码不能与{old}相同，请换一个。",
}


def account(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # every page but sign-in is behind login_required
    return user


def signed_in(view: View) -> View:
    """Signed in, and past the forced change of a one-time password."""
    @login_required
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if account(request).must_change_password:
            return redirect("password_change")
        return view(request, *args, **kwargs)
    return checked


# home ------------------------------------------------------------------------------------------
@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """A union goes to its self-check of the latest open round (unless it asks for a round's table);
    everyone else sees a round's unions."""
    user = account(request)
    entry = open_entry(user) if user.role == Role.UNION and "round" not in request.GET else None
    if entry is not None:
        return redirect("selfcheck", entry.round_id, entry.union.code)
    rounds = list(access.rounds(user))
    chosen = next((r for r in rounds if str(r.pk) == request.GET.get("round")), rounds[0] if rounds else None)
    context: dict[str, Any] = {"rounds": rounds, "chosen": chosen}
    if chosen is not None:
        context |= round_table(user, chosen, request.GET.get("page"))
    return render(request, "service/home.html", context)


def open_entry(user: User) -> Entry | None:
    return (Entry.objects.filter(union__in=access.unions(user), round__in=access.rounds(user), round__status=Round.Status.OPEN)
            .select_related("union").order_by("-round__year").first())


def round_table(user: User, round_: Round, page_number: str | None) -> dict[str, Any]:
    """The round's unions the account may see, a page at a time, with status and latest score per standard."""
    entries = access.entries(user, round_).order_by("union__township__name", "union__code")
    page = Paginator(entries, PAGE_SIZE).get_page(page_number)
    ids = round_.ruleset_ids()
    names = short_names(round_)
    results, published = latest_results(list(page.object_list)), history.published_results(list(page.object_list))
    counts = {row["status"]: row["n"] for row in entries.order_by().values("status").annotate(n=Count("pk"))}
    columns = [names.get(i, i) for i in ids]
    return {"page": page, "columns": columns,
            "rows": [(entry, table_cells(columns, ids, results.get(entry.pk), published.get(entry.pk))) for entry in page.object_list],
            "counts": [(label, counts.get(value, 0)) for value, label in Entry.Status.choices]}


def table_cells(columns: list[str], ids: list[str], latest: Any, published: Any) -> list[tuple[str, str, str]]:
    """Per standard: its name, score and level, and the 复核 one. Once published, the published result, and where a task's
    销号 has moved it since, the latest too (the tasks page's 发布时 and 复核, the year's record's 整改复核后); else the latest."""
    shown = score_cells(published or latest, ids)
    now = score_cells(latest, ids) if published else shown
    return [(name, cell, later if later != cell else "") for name, cell, later in zip(columns, shown, now)]


def latest_results(entries: list[Entry]) -> dict[int, Any]:
    """Each entry's latest result (of its latest version that has one and may stand for it)."""
    newest = standing_versions().filter(entry=OuterRef("pk"), result__isnull=False).order_by("-number").values("pk")[:1]
    found = Entry.objects.filter(pk__in=[e.pk for e in entries]).annotate(newest=Subquery(newest)).values_list("newest", flat=True)
    return dict(Version.objects.filter(pk__in=[pk for pk in found if pk]).values_list("entry_id", "result"))


def short_names(round_: Round) -> dict[str, str]:
    return {r.id: r.short_name or r.name for r in round_rulesets(round_)}


# the self-check form -----------------------------------------------------------------------------
@signed_in
@require_http_methods(["GET", "POST"])
def selfcheck(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    """The self-check form (read-only for those who may not edit); a post saves a draft or submits."""
    entry = access.entry_for(account(request), round_id, code)
    if request.method == "POST":
        return save_form(request, entry)
    facts, problems, note = prefill(entry)
    latest = entry.latest()
    return form_page(request, entry, facts, problems, note, latest.number if latest else 0)


def save_form(request: HttpRequest, entry: Entry) -> HttpResponse:
    """保存草稿 keeps the facts even with problems; 提交 is refused with them, and nothing is stored. Either is refused
    when another save has followed the version the form showed (its hidden `base`: another open copy of the form)."""
    user = account(request)
    access.check_edit(user, entry)
    submit, was_submitted = request.POST.get("action") == "submit", entry.status == Entry.Status.SUBMITTED
    groups = layout(tuple(round_rulesets(entry.round)))
    posted, base = document(groups, request.POST), base_number(request.POST)
    confirmed = request.POST.get("blank", "").split(",")  # the blank facts the form listed, when its tick is ticked
    try:
        graded, version = records.save(entry, user, posted, Version.Kind.SUBMITTED if submit else Version.Kind.DRAFT, follows=base,
                                       confirmed=confirmed)
        if version is None and not graded.problems:
            return held(request, entry, graded, base, was_submitted)
    except GradingFailed as exc:
        messages.error(request, str(exc))
        return form_page(request, entry, posted["facts"], [], "", base)
    except records.Stale as stale:
        return stale_form(request, entry, groups, base, stale.newer)
    except records.Unknown as unknown:  # a `base` past the latest: not one this service wrote into the form
        messages.error(request, f"未保存：本页所依据的{unknown}。输入框中是你填写的数据，请核对后再保存。")
        return form_page(request, entry, posted["facts"], [], "", unknown.latest)
    if version is None:
        messages.error(request, f"未提交：有 {problem_lines(groups, graded.problems)} 处需要修改，本次填写的内容尚未保存。请按提示修改后再提交，或先保存草稿。")
        return form_page(request, entry, graded.facts.get("facts", {}), graded.problems, "", base)
    return saved(request, entry, version, problem_lines(groups, graded.problems), was_submitted)


def held(request: HttpRequest, entry: Entry, graded: Graded, base: int | None, was_submitted: bool) -> HttpResponse:
    """A submission leaving blank facts its result lacks: kept as a draft (no typing is lost), and the form lists them
    by its parts, with a tick to submit them as they are (posting back the facts it listed, as the publish form's
    second tick does: a fact left blank since is asked about again)."""
    version = records.store(entry, account(request), graded, Version.Kind.DRAFT, follows=base)
    blank = records.left_blank(entry, graded)
    messages.warning(request, f"未提交：有 {sum(len(decls) for _, decls in blank)} 项没有填写（见下），提交后按“无资料不得分”计分。"
                              f"本次填写的内容已保存为草稿（第 {version.number} 版）。有资料的请补填后再提交；确实没有资料的，"
                              f"请勾选确认后再提交。{WITHDRAWN if was_submitted else ''}")
    return form_page(request, entry, graded.facts.get("facts", {}), [], "", version.number, blank)


def stale_form(request: HttpRequest, entry: Entry, groups: tuple[Group, ...], base: int | None, newer: Version) -> HttpResponse:
    """Nothing stored: the newer version in the form, with this form's changes (against what it showed) on top, as the
    verify form does, so saving again keeps both; the message says who saved which version when."""
    shown = entry.versions.filter(number=base).first() if base else earlier_record(entry)
    changes = changed(groups, shown.facts.get("facts", {}) if shown else {}, request.POST)
    messages.error(request, stale_text(newer, len(changes)))
    facts = {name: value for name, value in {**newer.facts.get("facts", {}), **changes}.items() if value is not None}
    return form_page(request, entry, facts, [], "", newer.number)


def stale_text(newer: Version, kept: int) -> str:
    """Why a form was not saved (the self-check's or the verify form's): another save followed the version it showed."""
    return (f"未保存：打开本页之后，{records.saved_by(newer)} 保存了第 {newer.number} 版{newer.get_kind_display()}数据。"
            f"输入框中现为第 {newer.number} 版的数据，你改动的 {kept} 项已保留在上面；请核对后再保存。")


def saved(request: HttpRequest, entry: Entry, version: Version, problems: int, was_submitted: bool) -> HttpResponse:
    if version.kind == Version.Kind.SUBMITTED:
        messages.success(request, f"已提交（第 {version.number} 版）。以下是按所填数据计算的得分和整改规划。")
        return redirect("result", entry.round_id, entry.union.code)
    tail = f"，还有 {problems} 处需要修改后才能提交" if problems else "，数据检查通过，可以提交"
    messages.success(request, f"草稿已保存（第 {version.number} 版）{tail}。{WITHDRAWN if was_submitted else ''}")
    return redirect("selfcheck", entry.round_id, entry.union.code)


def prefill(entry: Entry) -> tuple[dict[str, Any], list[dict[str, str]], str]:
    """The facts to show: the version standing for the entry (its latest, but not a draft left out of the published
    results), else the union's record (with facts) of an earlier round."""
    latest = entry.standing_latest()
    if latest is not None and latest.kind == Version.Kind.VERIFIED:
        return latest.facts.get("facts", {}), latest.problems, f"以下是考核组核查后核定的数据（第 {latest.number} 版）；本单位提交的自评数据见“得分与整改”页的历次版本。"
    if latest is not None:
        left = unpublished_draft(entry)  # then `latest` is the submission published
        return latest.facts.get("facts", {}), latest.problems, f"{left}以下是发布的结果所依据的数据（第 {latest.number} 版）。" if left else ""
    earlier = earlier_record(entry)
    if earlier is None:
        return {}, [], ""
    note = (f"本年度尚未填报。以下数据取自 {earlier.entry.round.year} 年度的记录（第 {earlier.number} 版），"
            "请逐项核对，改为本年度的情况后再保存。")
    return earlier.facts.get("facts", {}), [], note


def unpublished_draft(entry: Entry) -> str:
    """Once the entry's results are published, the draft its union had saved after submitting and not submitted, said."""
    draft = records.unsubmitted(entry) if entry.status == Entry.Status.PUBLISHED else None
    if draft is None:
        return ""
    return (f"第 {draft.number} 版草稿（{records.saved_by(draft)} 保存）在本年度结果发布时尚未提交，没有发布，也不能再提交；"
            "发布的是本单位此前提交的数据。")


def earlier_record(entry: Entry) -> Version | None:
    """The union's latest version with facts in an earlier round: what a form is prefilled with before the entry has one."""
    return (Version.objects.filter(entry__union=entry.union, entry__round__year__lt=entry.round.year)
            .exclude(kind=Version.Kind.ARCHIVED)  # a year imported from results.jsonl has no facts
            .select_related("entry__round").order_by("-entry__round__year", "-number").first())


def form_page(request: HttpRequest, entry: Entry, facts: dict[str, Any], problems: list[dict[str, str]], note: str,
              base: int | None, blank: list[tuple[Group, tuple[FactDecl, ...]]] | None = None) -> HttpResponse:
    """The form holding `facts`; `base`, the version it stands on (0: none yet), goes back with the next save; `blank`,
    the facts a submission left blank (`held`), listed with the tick that submits them so."""
    user = account(request)
    rulesets = tuple(round_rulesets(entry.round))
    bound, general = bind(layout(rulesets), facts, problems)
    groups = fold_idle(bound, rulesets, latest_results([entry]).get(entry.pk))
    editable = access.may_edit(user, entry)
    return render(request, "service/selfcheck.html", {
        "entry": entry, "round": entry.round, "union": entry.union, "groups": groups, "general": general,
        "problem_count": problem_lines(layout(rulesets), problems), "note": note, "editable": editable, "latest": entry.latest(), "base": base,
        "why_readonly": "" if editable else readonly_reason(user, entry),
        "blank": [(g, [(field_id(d.name), d.label) for d in decls]) for g, decls in blank or []],
        "blank_names": ",".join(d.name for _, decls in blank or [] for d in decls), "blank_count": sum(len(d) for _, d in blank or []),
    })


def readonly_reason(user: User, entry: Entry) -> str:
    if user.role == Role.UNION and user.union_id == entry.union_id:
        return f"{access.closed_text(entry)}。" if entry.status in access.CHECKED else "本年度填报已截止，只能查看。"
    return "只读：只有本单位账号可以在填报期内修改自评数据。"


# the result --------------------------------------------------------------------------------------
@signed_in
def result(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    entry = access.entry_for(account(request), round_id, code)
    versions = list(entry.versions.select_related("created_by").order_by("-number"))
    current = set(entry.standing().values_list("pk", flat=True))
    standing = [v for v in versions if v.pk in current]  # not a draft left out of the published results
    number = request.GET.get("version")
    chosen = chosen_version(versions, number) if number is not None else next(iter(standing), None)
    names = short_names(entry.round)
    good = next((v for v in standing if v.result is not None), None)
    columns = [names.get(i, i) for i in entry.round.ruleset_ids()]
    rulesets = tuple(round_rulesets(entry.round))
    form = layout(rulesets)
    groups, general = bind(form, chosen.facts.get("facts", {}), chosen.problems) if chosen else ([], [])
    return render(request, "service/result.html", {
        "entry": entry, "round": entry.round, "union": entry.union, "version": chosen, "last_good": good,
        "groups": groups, "general": general,  # a version that does not check: its problems by field, as the form lists them
        "problem_count": problem_lines(form, chosen.problems) if chosen else 0,
        "editable": access.may_edit(account(request), entry), "note": unpublished_draft(entry),
        "standards": standards(chosen.result if chosen else None, names, rulesets), "inspected": inspected(entry, chosen, form),
        "history": [(v, list(zip(columns, score_cells(v.result, entry.round.ruleset_ids())))) for v in versions],
        "columns": columns,
    })


def inspected(entry: Entry, shown: Version | None, form: tuple[Group, ...]) -> dict[str, Any] | None:
    """What the inspection changed of the union's self-report (label, 自评, 核定, 核查方式, note, as the reconciliation
    lists them), for a version that stands on it (the verified version, or a 销号's after it): its figures are not the
    union's own. None before an inspection, or for a version before it."""
    found = verification.reconciliation(entry)
    if found is None or found.verified_version is None or shown is None or shown.number < found.verified_version.number:
        return None
    return {"found": found, "rows": verification.changes_shown(found, {d.name: d for g in form for d in g.facts})}


def chosen_version(versions: list[Version], number: str | None) -> Version | None:
    """?version=N, or the latest."""
    if number is None:
        return versions[0] if versions else None
    found = next((v for v in versions if str(v.number) == number), None)
    if found is None:
        raise Http404("没有这个版本")
    return found


@signed_in
def workplan_docx(request: HttpRequest, round_id: int, code: str, ruleset_id: str) -> HttpResponse:
    """The Word 整改工作方案 of one standard, for the shown version (?version=N, else the latest)."""
    entry = access.entry_for(account(request), round_id, code)
    names = short_names(entry.round)
    if ruleset_id not in entry.round.ruleset_ids():
        raise Http404("本年度没有这个考核标准")
    versions = list(entry.versions.exclude(result__isnull=True).order_by("-number"))
    version = chosen_version(versions, request.GET.get("version"))
    if version is None:
        raise Http404("还没有可以生成整改工作方案的评估结果")
    try:
        written = workplan(version, ruleset_id, names[ruleset_id], published_deadline(entry.round))
    except GradingFailed as exc:
        written = Workplan("", refused=str(exc))
    if written.refused:
        messages.info(request, written.refused)
        return redirect(f"{reverse('result', args=[entry.round_id, entry.union.code])}?version={version.number}")
    response = HttpResponse(written.content, content_type=DOCX)
    response["Content-Disposition"] = attachment(written.filename, f"workplan-{entry.union.code}-{ruleset_id}.docx")
    return response


def attachment(name: str, fallback: str) -> str:
    """An attachment named in UTF-8 (RFC 5987), with an ASCII name for browsers that do not read it."""
    plain = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in fallback)
    return f"attachment; filename=\"{plain}\"; filename*=utf-8''{quote(name, safe='')}"


# accounts ----------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password; forced at first sign-in with a one-time password."""
    user = account(request)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.must_change_password = False
        saved.save()
        update_session_auth_hash(request, saved)
        messages.success(request, "密码已修改，请牢记新密码。")
        return redirect("home")
    old = "初始密码" if user.must_change_password else "当前密码"  # as the page labels the first field
    return render(request, "service/password.html", {"form": form, "forced": user.must_change_password, "old": old,
                                                     "errors": password_errors(form, old)})


class NewPasswordForm(PasswordChangeForm):
    """Django's change of password that also refuses to keep the current one: at the forced change a chair typed the
    one-time password from the account list again, and kept it for good."""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        new = self.cleaned_data.get("new_password1")
        if new and new == self.cleaned_data.get("old_password"):  # the old one is there only when it was right
            self.add_error("new_password1", ValidationError("新密码不能与当前密码相同", code="password_unchanged"))
        return cleaned


def password_errors(form: PasswordChangeForm, old: str) -> list[str]:
    """The form's errors in Chinese, by their codes (Django's own translations miss some of them)."""
    found = [error for errors in form.errors.as_data().values() for error in errors]
    return [PASSWORD_ERRORS.get(error.code or "", " ".join(error.messages)).format(**(error.params or {}), old=old) for error in found]


def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Too many wrong passwords for one account from one address (django-axes): wait, then try again."""
    return render(request, "service/locked_out.html", status=429)
