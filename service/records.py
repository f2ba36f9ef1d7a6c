"""Saving a union's facts: every save a new version, numbered in order, nothing overwritten, each one audited."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from . import access, audit
from .grading import Graded, grade
from .models import Entry, User, Version

STATUS_AFTER = {Version.Kind.DRAFT: Entry.Status.DRAFT, Version.Kind.SUBMITTED: Entry.Status.SUBMITTED,
                Version.Kind.IMPORTED: Entry.Status.SUBMITTED, Version.Kind.VERIFIED: Entry.Status.VERIFIED,
                Version.Kind.ARCHIVED: Entry.Status.PUBLISHED}
VERIFY_METHODS = ("查阅资料", "实地查看", "座谈")
BASE_KINDS = (Version.Kind.SUBMITTED, Version.Kind.IMPORTED, Version.Kind.VERIFIED)


def store(entry: Entry, user: User | None, graded: Graded, kind: str, based_on: Version | None = None,
          notes: dict[str, Any] | None = None) -> Version:
    """A new version of the entry (the next number, taken under a lock on the entry). A self-report arriving once
    the inspection has recorded its figures (graded while an assessor saved) is refused."""
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if kind in (Version.Kind.DRAFT, Version.Kind.SUBMITTED) and locked.status in access.CHECKED:
            raise access.Refused(access.VERIFIED_TEXT)
        if based_on is not None:  # an inspection: the base it graded must still be the latest
            fresh_base(locked, based_on)
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = Version.objects.create(entry=locked, number=number, kind=kind, facts=graded.facts,
                                         result=graded.result, problems=graded.problems, created_by=user,
                                         based_on=based_on, notes=notes or {})
        if locked.status != Entry.Status.PUBLISHED:  # a later inspection or 销号 adds to a published record: it stays 已发布
            locked.status = STATUS_AFTER[Version.Kind(kind)]
            locked.save(update_fields=["status"])
        audit.record(user, f"version.{kind}", f"{entry.union}：{Version.Kind(kind).label}，第 {number} 版",
                     round_=entry.round, union=entry.union, version=number, changed=sorted((notes or {}).keys()))
    entry.status = locked.status
    return version


def save(entry: Entry, user: User | None, document: Any, kind: str = Version.Kind.DRAFT) -> tuple[Graded, Version | None]:
    """Grade the document and keep it: a draft is kept even with problems (so no typing is lost);
    a submission or an import only when the facts check."""
    graded = grade(entry, document)
    if graded.problems and kind != Version.Kind.DRAFT:
        return graded, None
    return graded, store(entry, user, graded, kind)


class Stale(Exception):
    """An inspection made on a version another save has since followed (two assessors on one union): saving it
    would take back what the other recorded unseen."""

    def __init__(self, newer: Version) -> None:
        super().__init__(f"期间已有第 {newer.number} 版{newer.get_kind_display()}数据保存，本次未保存；请看过最新数据后重试")
        self.newer = newer


def fresh_base(entry: Entry, shown: Version | None) -> Version | None:
    """The entry's `verification_base`; `Stale` when it is no longer `shown`, the one a form or a grading started from."""
    base = verification_base(entry)
    if shown is not None and base is not None and base.number != shown.number:
        raise Stale(base)
    return base


def verification_base(entry: Entry) -> Version | None:
    """What an inspection starts from: the latest verified version, else the latest submitted or imported one."""
    return entry.versions.filter(kind__in=BASE_KINDS).order_by("-number").first()


def verify(entry: Entry, user: User, changes: dict[str, Any], notes: dict[str, dict[str, str]],
           shown: Version | None = None) -> tuple[Graded, Version | None]:
    """The inspection's record: the base version's facts with `changes` (by dotted path; None removes a fact),
    graded and stored as a verified version when the facts check. `notes` says for each changed fact how it
    was found ({"method": 查阅资料 / 实地查看 / 座谈, "note": …}); a change without one is a problem. `shown`: the
    base the assessor's form showed; `Stale` when another save has followed it (as when one follows while grading)."""
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
    return graded, store(entry, user, graded, Version.Kind.VERIFIED, based_on=base, notes={name: notes[name] for name in changes})
