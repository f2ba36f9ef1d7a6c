"""Publishing a round: its results frozen, the county's report and workbook, 整改通知书, and the 整改 tasks.

Each entry's result is its latest verified version, else its latest submitted or imported one (a
union the inspection did not visit keeps its self-report); an entry with neither (未填报, only drafts)
is left out and said so. A union that saved a draft after submitting (`records.unsubmitted`: revising,
while the round is open) has its submission published and the draft left out, and said so too: the
board names them before (the admin ticks that it has seen them), the publication after (`drafts`).
Versions are never changed, so freezing is pointing at them: a Publication with one PublishedResult
per entry. An accepted task (销号) makes a new version; the published one stays as it was, and so do
the publication's files.

The files are written once, first into a staging folder with no database lock held, then moved to
the data folder (settings.DATA / "published" / <round> / <publication>) as the publication is recorded:
report.html and summary.xlsx (the renderers `batch` uses, from the published facts assessed again
in a grading worker), and notices/<stem>.docx, one 整改通知书 for each union whose published
result leaves something to rectify, named as `batch` names a union's pages: the code when it is plain
(QS-016), else a stem with a hash of the code, so a code such as 「A/B」 or 「../x」 is never a path.
Each step of a union's plan becomes a Task with the deadline the county gives (after today, within two years).
A round is published once.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from engine.language.functions import add_years
from engine.report.union_page import union_file_stem

from . import audit, grader, records, verification
from .grading import round_rulesets
from .models import Entry, Publication, PublishedResult, Round, Task, User, Version
from .published_files import county_files, has_gaps, notice
from .selfcheck_form import layout

PUBLISHED_KINDS = (Version.Kind.VERIFIED, Version.Kind.SUBMITTED, Version.Kind.IMPORTED)
REPORT, WORKBOOK, NOTICES, MANIFEST = "report.html", "summary.xlsx", "notices", "publication.json"
ALREADY = "本年度结果已经发布，不能重复发布；发布后只有整改销号会形成新的核定版本"
DEADLINE_YEARS = 2  # the latest 整改期限, in years from the day of publishing
PUBLISH_TIMEOUT = 1800  # seconds for a whole county assessed again in one worker


class PublishError(Exception):
    """A round that cannot be published now (said in Chinese)."""


@dataclass(frozen=True)
class Published:
    publication: Publication
    results: int
    left_out: list[str]
    drafts: list[str]  # the drafts left out: their unions' submissions were published (draft_line)
    notices: int
    tasks: int


def folder(publication: Publication) -> Path:
    return Path(settings.DATA) / "published" / str(publication.round_id) / str(publication.pk)


def latest_publication(round_: Round) -> Publication | None:
    return round_.publications.order_by("-created_at", "-pk").first()


def published_deadline(round_: Round) -> dt.date | None:
    """The 整改期限 the round was published with, as its tasks and 整改通知书 say it (`freeze` gives every task of the
    publication that one date); None before publication, or when the publication made no task."""
    return Task.objects.filter(publication__round=round_).order_by("-publication__created_at").values_list("deadline", flat=True).first()


def publish(round_: Round, user: User, deadline: dt.date, today: dt.date | None = None) -> Published:
    """Freeze the round's results, write its files, make the tasks; audited. Raises PublishError.

    The slow part (the county assessed again, the 整改通知书) is done first, into a staging folder, with
    no database lock held: a county of thousands of unions takes minutes, and SQLite would refuse every
    other write meanwhile. A short transaction then checks that nothing it froze has changed, records the
    publication and moves the files into place."""
    today = today or timezone.localdate()
    refuse_published(round_)
    check_deadline(deadline, today)
    entries = list(round_.entries.select_related("union__township", "union__federation").order_by("union__code"))
    picked = chosen_versions(round_)
    versions = Version.objects.in_bulk(picked.values())
    frozen = [(entry, versions[picked[entry.pk]]) for entry in entries if entry.pk in picked]
    if not frozen:
        raise PublishError("本年度还没有可以发布的结果（没有工会提交）")
    left_out = [f"{entry.union}（{entry.get_status_display()}）" for entry in entries if entry.pk not in picked]
    parent = Path(settings.DATA) / "published" / str(round_.pk)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".publishing-", dir=parent))
    placed: Path | None = None
    try:
        ranked = write_county_files(round_, frozen, staging)
        results = {entry.pk: ranked.get(entry.union.code) for entry, _ in frozen}
        notices = write_notices(round_, frozen, results, deadline, today, staging)
        with transaction.atomic():
            drafts = [draft_line(entry, draft) for entry, draft in unsubmitted_drafts(round_)]  # before freeze makes them 已发布
            publication, tasks = record(round_, user, frozen, results, (notices, left_out, drafts), deadline, today, staging)
            placed = folder(publication)
            os.replace(staging, placed)
    except BaseException:
        for path in (staging, placed):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)
        raise
    return Published(publication, len(frozen), left_out, drafts, notices, tasks)


def unsubmitted_drafts(round_: Round) -> list[tuple[Entry, Version]]:
    """The round's unions, by code, whose latest version is a draft saved after a submission (`records.unsubmitted`):
    publishing publishes the submission and leaves the draft out, and the union can no longer submit it."""
    candidates = (round_.entries.filter(status=Entry.Status.DRAFT, versions__kind__in=PUBLISHED_KINDS).distinct()
                  .select_related("union", "round").order_by("union__code"))
    return [(entry, draft) for entry in candidates if (draft := records.unsubmitted(entry)) is not None]


def draft_line(entry: Entry, draft: Version) -> str:
    """A draft left out, as the board and the publishing's answer name it."""
    return f"{entry.union}：第 {draft.number} 版草稿，{records.saved_by(draft)} 保存"


def check_deadline(deadline: dt.date, today: dt.date) -> None:
    """A 整改 deadline after today and at most DEADLINE_YEARS later: it is printed in every task and 整改通知书."""
    if deadline <= today:
        raise PublishError("整改期限应晚于今天")
    latest = add_years(today, DEADLINE_YEARS)
    if deadline > latest:
        raise PublishError(f"整改期限 {deadline:%Y-%m-%d} 太远：最晚为 {latest:%Y-%m-%d}（今天起两年内）")


def record(round_: Round, user: User, frozen: list[tuple[Entry, Version]], results: dict[int, dict[str, Any] | None],
           told: tuple[int, list[str], list[str]], deadline: dt.date, today: dt.date, staging: Path) -> tuple[Publication, int]:
    """In the transaction: the round still unpublished and its chosen versions those assessed, then the
    publication, its rows and tasks, the round published, audited (`told`: notices written, entries and drafts left out)."""
    refuse_published(round_)
    if chosen_versions(round_) != {entry.pk: version.pk for entry, version in frozen}:
        raise PublishError("发布过程中有单位提交或核查了新的结果，请重新发布")
    try:
        publication = Publication.objects.create(round=round_, created_by=user)
    except IntegrityError:  # another publishing of the round committed first (on PostgreSQL neither saw the other)
        raise PublishError(ALREADY) from None
    tasks = freeze(publication, frozen, results, deadline, today, staging)
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLISHED)
    round_.status = Round.Status.PUBLISHED
    notices, left_out, drafts = told
    audit.record(user, "round.publish", f"发布{round_.title}：{len(frozen)} 个工会的结果，{notices} 份整改通知书，{tasks} 项整改任务",
                 round_=round_, publication=publication.pk, results=len(frozen), notices=notices, tasks=tasks,
                 deadline=deadline.isoformat(), left_out=left_out, drafts=drafts)
    return publication, tasks


def refuse_published(round_: Round) -> None:
    if Round.objects.filter(pk=round_.pk, status=Round.Status.PUBLISHED).exists() or round_.publications.exists():
        raise PublishError(ALREADY)


def chosen_versions(round_: Round) -> dict[int, int]:
    """What is published for each entry of the round (entry → version, in one query): its latest verified
    version, else its latest submitted or imported one; an entry with neither is absent."""
    found: dict[int, tuple[bool, int, int]] = {}
    rows = Version.objects.filter(entry__round=round_, kind__in=PUBLISHED_KINDS, result__isnull=False).values_list("entry_id", "kind", "number", "pk")
    for entry, kind, number, pk in rows:
        key = (kind == Version.Kind.VERIFIED, number, pk)
        found[entry] = max(found.get(entry, key), key)
    return {entry: key[2] for entry, key in found.items()}


def freeze(publication: Publication, frozen: list[tuple[Entry, Version]], results: dict[int, dict[str, Any] | None], deadline: dt.date,
           today: dt.date, staging: Path) -> int:
    """The published rows, statuses, tasks and the manifest; the number of tasks. Where the round's standards
    hold levels by rank, `results` (by entry) are the results as ranked over the whole round: what is published."""
    rows = [PublishedResult(publication=publication, entry=e, version=v, ranked=results[e.pk]) for e, v in frozen]
    PublishedResult.objects.bulk_create(rows)
    Entry.objects.filter(pk__in=[e.pk for e, _ in frozen]).update(status=Entry.Status.PUBLISHED)
    tasks = [task for row in rows for task in tasks_of(publication, row.entry, row.result, deadline)]
    Task.objects.bulk_create(tasks)
    manifest = {"round": publication.round_id, "publication": publication.pk, "deadline": deadline.isoformat(), "published": today.isoformat(),
                "results": {e.union.code: v.number for e, v in frozen}}
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return len(tasks)


def write_notices(round_: Round, frozen: list[tuple[Entry, Version]], results: dict[int, dict[str, Any] | None], deadline: dt.date,
                  today: dt.date, target: Path) -> int:
    """One 整改通知书 for each union whose published result leaves something to rectify; how many."""
    (target / NOTICES).mkdir(parents=True, exist_ok=True)
    decls = {decl.name: decl for group in layout(tuple(round_rulesets(round_))) for decl in group.facts}
    notices = 0
    for entry, version in frozen:
        result = results[entry.pk] or version.result
        if has_gaps(result):
            union = entry.union
            verified = version.kind == Version.Kind.VERIFIED
            found = verification.reconciliation(entry) if verified else None
            changes = verification.changes_shown(found, decls) if found else []
            (target / notice_name(union.code)).write_bytes(notice(result, union.name, round_.federation.issuer, round_.year, today, deadline,
                                                                  verified, changes))
            notices += 1
    return notices


def tasks_of(publication: Publication, entry: Entry, result: dict[str, Any], deadline: dt.date) -> list[Task]:
    """One task per step of each standard's plan in the published result."""
    return [Task(entry=entry, publication=publication, ruleset=result["ruleset"]["id"], item=step["id"], name=step["name"][:300],
                 step=step, deadline=deadline)
            for result in result.get("results", []) if result.get("applies", True)
            for step in (result.get("plan") or {}).get("steps") or []]


def write_county_files(round_: Round, frozen: list[tuple[Entry, Version]], target: Path) -> dict[str, dict[str, Any]]:
    """report.html and summary.xlsx in `target`; the results as ranked, by union code (see county_files)."""
    units: list[Any] = [(v.facts.get("union") or e.union.header(), v.facts.get("period") or round_.year, v.facts.get("facts", {}))
                        for e, v in frozen]
    title = f"{round_.federation.name}{round_.year}年度基层工会考核评价结果（发布）"
    return grader.in_worker("结果未发布", PUBLISH_TIMEOUT, county_files, tuple(round_.ruleset_ids()), units, str(target), title)


def published_file(publication: Publication, name: str) -> Path | None:
    """One of the publication's files (report.html, summary.xlsx, notices/<code>.docx), if it was written."""
    path = folder(publication) / name
    return path if path.is_file() else None


def notice_name(code: str) -> str:
    """Where a union's 整改通知书 is, inside its publication's folder."""
    return f"{NOTICES}/{union_file_stem(code)}.docx"


def notice_codes(publication: Publication, codes: Iterable[str]) -> set[str]:
    """Those of `codes` whose unions have a 整改通知书 in the publication."""
    stems = {path.stem for path in (folder(publication) / NOTICES).glob("*.docx")}
    return {code for code in codes if union_file_stem(code) in stems}
