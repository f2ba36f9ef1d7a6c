"""Saving a union's facts: every save a new version, numbered in order, nothing overwritten, each one audited."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.timezone import localtime

from engine.language.model import FactDecl

from . import access, audit
from .grading import Graded, grade, round_rulesets
from .models import Entry, Round, User, Version
from .selfcheck_form import Group, layout, unanswered

STATUS_AFTER = {Version.Kind.DRAFT: Entry.Status.DRAFT, Version.Kind.SUBMITTED: Entry.Status.SUBMITTED,
                Version.Kind.IMPORTED: Entry.Status.SUBMITTED, Version.Kind.VERIFIED: Entry.Status.VERIFIED,
                Version.Kind.ARCHIVED: Entry.Status.PUBLISHED}
VERIFY_METHODS = ("查阅资料", "实地查看", "座谈")
BASE_KINDS = (Version.Kind.SUBMITTED, Version.Kind.IMPORTED, Version.Kind.VERIFIED)


def store(entry: Entry, user: User | None, graded: Graded, kind: str, based_on: Version | None = None,
          notes: dict[str, Any] | None = None, follows: int | None = None, inspection: bool = False) -> Version:
    """A new version of the entry (the next number, taken under a lock on the entry), each guard checked again under
    the lock: a self-report arriving once the inspection has recorded its figures (graded while an assessor saved) is
    refused; so is a save on a version another has since followed (`follows`, `based_on`: `Stale`) and an inspection
    the entry no longer takes (`inspection`: `Closed`)."""
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if kind in (Version.Kind.DRAFT, Version.Kind.SUBMITTED) and locked.status in access.CHECKED:
            raise access.Refused(access.closed_text(locked))
        if inspection:
            check_inspectable(locked)
        if based_on is not None:  # an inspection: the base it graded must still be the latest
            fresh_base(locked, based_on)
        if follows is not None:  # a self-report: the version its form showed must still be the latest
            fresh(locked.latest(), follows)
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = Version.objects.create(entry=locked, number=number, kind=kind, facts=graded.facts,
                                         result=graded.result, problems=graded.problems, created_by=user,
                                         based_on=based_on, notes=notes or {})
        if locked.status != Entry.Status.PUBLISHED:  # a 销号 adds to a published record: it stays 已发布
            locked.status = STATUS_AFTER[Version.Kind(kind)]
            locked.save(update_fields=["status"])
        audit.record(user, f"version.{kind}", f"{entry.union}：{Version.Kind(kind).label}，第 {number} 版",
                     round_=entry.round, union=entry.union, version=number, changed=sorted((notes or {}).keys()))
    entry.status = locked.status
    return version


def save(entry: Entry, user: User | None, document: Any, kind: str = Version.Kind.DRAFT,
         follows: int | None = None, confirmed: Collection[str] | None = None) -> tuple[Graded, Version | None]:
    """Grade the document and keep it: a draft is kept even with problems (so no typing is lost);
    a submission or an import only when the facts check. `follows`: the number of the version the form or client
    started from (0: the entry had none); `Stale` when another save has followed it (two open copies of the form),
    before grading and again under the entry's lock. None: not checked (an import, a client that sends no base).

    A submission that leaves blank facts its result lacks (`left_blank`) is not kept either unless `confirmed` names
    each of them: it comes back with no problems and no version, for the form to keep it as a draft and ask, and the
    API to answer 409. None: not asked (an import, the API's ?confirm=true)."""
    if follows is not None:
        fresh(entry.latest(), follows)
    graded = grade(entry, document)
    if kind != Version.Kind.DRAFT and (graded.problems or not blanks_confirmed(entry, graded, confirmed)):
        return graded, None
    return graded, store(entry, user, graded, kind, follows=follows)


def left_blank(entry: Entry, graded: Graded) -> list[tuple[Group, tuple[FactDecl, ...]]]:
    """The facts a graded document leaves blank that its result lacks, by the parts of the form (`unanswered`)."""
    return unanswered(layout(tuple(round_rulesets(entry.round))), graded.facts.get("facts", {}), graded.result)


def blanks_confirmed(entry: Entry, graded: Graded, confirmed: Collection[str] | None) -> bool:
    return confirmed is None or all(decl.name in confirmed for _, decls in left_blank(entry, graded) for decl in decls)


class Stale(Exception):
    """A save made on a version another save has since followed (two assessors on one union, two open copies of the
    self-check form): keeping it would take back what the other recorded unseen."""

    def __init__(self, newer: Version) -> None:
        super().__init__(f"期间已有第 {newer.number} 版{newer.get_kind_display()}数据保存，本次未保存：第 {newer.number} 版由"
                         f"{saved_by(newer)} 保存，请看过最新数据后重试")
        self.newer = newer


def saved_by(version: Version) -> str:
    """Who saved the version and when, as messages say it: 「账号 qs-037 于 2025-06-01 10:00」 (an import names no one)."""
    who = f"账号 {version.created_by.username} " if version.created_by else ""
    return f"{who}于 {localtime(version.created_at):%Y-%m-%d %H:%M}"


class Unknown(Exception):
    """A save said to follow a version the entry does not have (a client's `base` past the latest: mistyped, or read
    before the database was restored from a backup)."""

    def __init__(self, shown: int, latest: Version | None) -> None:
        now = f"最新为第 {latest.number} 版" if latest is not None else "本单位尚无任何版本（应为 0）"
        super().__init__(f"第 {shown} 版不存在，{now}")
        self.latest = latest.number if latest is not None else 0


def fresh(latest: Version | None, shown: int | None) -> None:
    """`Stale` when `latest`, the version a save would now follow, is not number `shown`, the one a form showed or a
    grading started from (0: none); `Unknown` when there is no version `shown`. None: nothing to check."""
    if shown is None:
        return
    if shown > (latest.number if latest is not None else 0):
        raise Unknown(shown, latest)
    if latest is not None and latest.number != shown:
        raise Stale(latest)


def fresh_base(entry: Entry, shown: Version | None) -> Version | None:
    """The entry's `verification_base`; `Stale` when it is no longer `shown`, the one a form or a grading started from."""
    base = verification_base(entry)
    fresh(base, shown.number if shown is not None else None)
    return base


def verification_base(entry: Entry) -> Version | None:
    """What an inspection starts from: the latest verified version, else the latest submitted or imported one."""
    return entry.versions.filter(kind__in=BASE_KINDS).order_by("-number").first()


class Closed(Exception):
    """An inspection the entry does not take now (said in Chinese): its results are published, or its union is
    revising its self-report."""


def check_inspectable(entry: Entry) -> None:
    """`Closed` when the assessor may not record an inspection now (the page and the API say why, 409 in the API):

    - the entry's results are published: they are frozen, and after publication its facts change only through a
      整改 task's 销号 (service.tasks, which records its version through `verify` as no inspection);
    - its union is revising: it saved a draft after its latest submission while the round is open (and so it can
      still submit). An inspection would close the self-report (access.CHECKED) and the draft's changes would be
      lost unseen; the assessor waits for the union to submit again. Once the round is no longer open the union
      cannot submit that draft, and the submission is inspected as it stands.

    A union that has submitted nothing (no `verification_base`, drafts at most) has nothing to inspect, as before:
    the verify page says 「尚未提交自评，还不能核查」 and the API answers 409. A county that collects paper forms
    imports them (an import counts as a submission) and inspects those."""
    if entry.status == Entry.Status.PUBLISHED:
        raise Closed("该工会的结果已经发布，核定数据随之冻结，不能再核查修改。发布之后，事实只能通过整改任务的销号改变："
                     "工会上传佐证材料、提请复查，考核人员复查通过后销号。")
    draft = revising(entry)
    if draft is not None:
        raise Closed(f"该工会正在修改自评：提交之后，{saved_by(draft)} 保存了第 {draft.number} 版草稿，尚未再次提交。"
                     "为免工会正在修改的数据丢失，请待工会再次提交后再核查。")


def revising(entry: Entry) -> Version | None:
    """The union's draft saved after its latest submission, while the round is open (see `check_inspectable`)."""
    return unsubmitted(entry) if entry.round.status == Round.Status.OPEN else None


def unsubmitted(entry: Entry) -> Version | None:
    """The union's latest version when it is a draft saved after a submission: one it has not submitted (again).
    While the round is open it is `revising`; a publication freezes the submission and leaves the draft out."""
    latest = entry.latest()
    if latest is None or latest.kind != Version.Kind.DRAFT:
        return None
    return latest if verification_base(entry) is not None else None


def verify(entry: Entry, user: User, changes: dict[str, Any], notes: dict[str, dict[str, str]],
           shown: Version | None = None, inspection: bool = False) -> tuple[Graded, Version | None]:
    """The inspection's record: the base version's facts with `changes` (by dotted path; None removes a fact),
    graded and stored as a verified version when the facts check. `notes` says for each changed fact how it
    was found ({"method": 查阅资料 / 实地查看 / 座谈, "note": …}); a change without one is a problem. `shown`: the
    base the assessor's form showed; `Stale` when another save has followed it (as when one follows while grading).
    `inspection`: the assessor's own (the verify page and the API), `Closed` when the entry takes none now
    (`check_inspectable`), before grading and again under the entry's lock; a 销号 (service.tasks) is none."""
    if inspection:
        check_inspectable(entry)
    base = fresh_base(entry, shown)
    facts = dict(base.facts.get("facts", {})) if base is not None else {}
    for name, value in changes.items():
        if value is None:
            facts.pop(name, None)
        else:
            facts[name] = value
    graded = grade(entry, {"facts": facts})
    missing = [{"field": name, "message": f"请注明核查方式（{'、'.join(VERIFY_METHODS)}）"}
               for name in changes if notes.get(name, {}).get("method") not in VERIFY_METHODS]
    if graded.problems or missing:
        return Graded(graded.facts, problems=graded.problems + missing), None
    return graded, store(entry, user, graded, Version.Kind.VERIFIED, based_on=base, notes={name: notes[name] for name in changes},
                         inspection=inspection)
