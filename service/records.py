"""Saving a union's facts: every save a new version, numbered in order, nothing overwritten."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from .grading import Graded, grade
from .models import Entry, User, Version

STATUS_AFTER = {Version.Kind.DRAFT: Entry.Status.DRAFT, Version.Kind.SUBMITTED: Entry.Status.SUBMITTED,
                Version.Kind.IMPORTED: Entry.Status.SUBMITTED}


def store(entry: Entry, user: User | None, graded: Graded, kind: str) -> Version:
    """A new version of the entry (the next number, taken under a lock on the entry)."""
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = Version.objects.create(entry=locked, number=number, kind=kind, facts=graded.facts,
                                         result=graded.result, problems=graded.problems, created_by=user)
        locked.status = STATUS_AFTER[Version.Kind(kind)]
        locked.save(update_fields=["status"])
    entry.status = locked.status
    return version


def save(entry: Entry, user: User | None, document: Any, kind: str = Version.Kind.DRAFT) -> tuple[Graded, Version | None]:
    """Grade the document and keep it: a draft is kept even with problems (so no typing is lost);
    a submission or an import only when the facts check."""
    graded = grade(entry, document)
    if graded.problems and kind != Version.Kind.DRAFT:
        return graded, None
    return graded, store(entry, user, graded, kind)
