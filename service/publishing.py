"""Publishing a round: its results frozen, the county's report and workbook, 整改通知书, and the 整改 tasks.

Each entry's result is its latest verified version, else its latest submitted or imported one (a
union the inspection did not visit keeps its self-report); an entry with neither (未填报, only drafts)
is left out and said so. Versions are never changed, so freezing is pointing at them: a Publication
with one PublishedResult per entry. A later verification or an accepted task makes a new version;
the published one stays as it was, and so do the publication's files.

The files are written once, under the data folder (settings.DATA / "published" / <round> / <publication>):
report.html and summary.xlsx (the renderers `batch` uses, from the published facts assessed again
in a grading worker), and notices/<union code>.docx, one 整改通知书 for each union whose published
result leaves something to rectify. Each step of a union's plan becomes a Task with the deadline
the county gives. A round is published once.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import audit, grader
from .models import Entry, Publication, PublishedResult, Round, Task, User, Version
from .published_files import county_files, has_gaps, notice

PUBLISHED_KINDS = (Version.Kind.VERIFIED, Version.Kind.SUBMITTED, Version.Kind.IMPORTED)
REPORT, WORKBOOK, NOTICES, MANIFEST = "report.html", "summary.xlsx", "notices", "publication.json"
PUBLISH_TIMEOUT = 1800  # seconds for a whole county assessed again in one worker


class PublishError(Exception):
    """A round that cannot be published now (said in Chinese)."""


@dataclass(frozen=True)
class Published:
    publication: Publication
    results: int
    left_out: list[str]
    notices: int
    tasks: int


def folder(publication: Publication) -> Path:
    return Path(settings.DATA) / "published" / str(publication.round_id) / str(publication.pk)


def latest_publication(round_: Round) -> Publication | None:
    return round_.publications.order_by("-created_at", "-pk").first()


def chosen_version(entry: Entry) -> Version | None:
    """What is published for an entry: its latest verified version, else its latest submitted or imported one."""
    found = entry.versions.filter(kind__in=PUBLISHED_KINDS, result__isnull=False)
    return found.filter(kind=Version.Kind.VERIFIED).order_by("-number").first() or found.order_by("-number").first()


def publish(round_: Round, user: User, deadline: dt.date, today: dt.date | None = None) -> Published:
    """Freeze the round's results, write its files, make the tasks; audited. Raises PublishError."""
    today = today or timezone.localdate()
    if round_.status == Round.Status.PUBLISHED or round_.publications.exists():
        raise PublishError("本年度结果已经发布，不能重复发布；发布后的核查和整改销号形成新的版本")
    if deadline <= today:
        raise PublishError("整改期限应晚于今天")
    entries = list(round_.entries.select_related("union__township", "union__federation").order_by("union__code"))
    chosen = [(entry, chosen_version(entry)) for entry in entries]
    frozen = [(entry, version) for entry, version in chosen if version is not None]
    if not frozen:
        raise PublishError("本年度还没有可以发布的结果（没有工会提交）")
    left_out = [f"{entry.union}（{entry.get_status_display()}）" for entry, version in chosen if version is None]
    with transaction.atomic():
        publication = Publication.objects.create(round=round_, created_by=user)
        target = folder(publication)
        try:
            made = freeze(publication, frozen, deadline, today, target)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLISHED)
        round_.status = Round.Status.PUBLISHED
        audit.record(user, "round.publish", f"发布{round_.title}：{len(frozen)} 个工会的结果，{made[0]} 份整改通知书，{made[1]} 项整改任务",
                     round_=round_, publication=publication.pk, results=len(frozen), notices=made[0], tasks=made[1],
                     deadline=deadline.isoformat(), left_out=left_out)
    return Published(publication, len(frozen), left_out, *made)


def freeze(publication: Publication, frozen: list[tuple[Entry, Version]], deadline: dt.date, today: dt.date,
           target: Path) -> tuple[int, int]:
    """The published rows, statuses, tasks and files; the numbers of notices and tasks. Where the round's
    standards hold levels by rank, the results as ranked over the whole round are what is published."""
    round_ = publication.round
    ranked = write_county_files(round_, frozen, target)
    rows = [PublishedResult(publication=publication, entry=e, version=v, ranked=ranked.get(e.union.code)) for e, v in frozen]
    PublishedResult.objects.bulk_create(rows)
    Entry.objects.filter(pk__in=[e.pk for e, _ in frozen]).update(status=Entry.Status.PUBLISHED)
    tasks = [task for row in rows for task in tasks_of(publication, row.entry, row.result, deadline)]
    Task.objects.bulk_create(tasks)
    (target / NOTICES).mkdir(parents=True, exist_ok=True)
    notices = 0
    for row in rows:
        if has_gaps(row.result):
            union = row.entry.union
            (target / NOTICES / f"{union.code}.docx").write_bytes(
                notice(row.result, union.name, round_.federation.name, round_.year, today, deadline))
            notices += 1
    manifest = {"round": round_.pk, "publication": publication.pk, "deadline": deadline.isoformat(), "published": today.isoformat(),
                "results": {e.union.code: v.number for e, v in frozen}}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return notices, len(tasks)


def tasks_of(publication: Publication, entry: Entry, result: dict[str, Any], deadline: dt.date) -> list[Task]:
    """One task per step of each standard's plan in the published result."""
    return [Task(entry=entry, publication=publication, ruleset=result["ruleset"]["id"], item=step["id"], name=step["name"][:300],
                 step=step, deadline=deadline)
            for result in result.get("results", []) if result.get("applies", True)
            for step in (result.get("plan") or {}).get("steps") or []]


def write_county_files(round_: Round, frozen: list[tuple[Entry, Version]], target: Path) -> dict[str, dict[str, Any]]:
    """report.html and summary.xlsx in `target` (made here); the results as ranked, by union code (see county_files)."""
    units: list[Any] = [(v.facts.get("union") or e.union.header(), v.facts.get("period") or round_.year, v.facts.get("facts", {}))
                        for e, v in frozen]
    title = f"{round_.federation.name}{round_.year}年度基层工会考核评价结果（发布）"
    executor = grader.pool()
    try:
        target.mkdir(parents=True, exist_ok=True)
        return executor.submit(county_files, tuple(round_.ruleset_ids()), units, str(target), title).result(timeout=PUBLISH_TIMEOUT)
    except BrokenProcessPool:
        grader.restart(executor)
        raise grader.GradingFailed("评估进程意外退出，结果未发布；请重试，仍不成功请联系管理员") from None


def published_file(publication: Publication, name: str) -> Path | None:
    """One of the publication's files (report.html, summary.xlsx, notices/<code>.docx), if it was written."""
    path = folder(publication) / name
    return path if path.is_file() else None


def notice_codes(publication: Publication) -> set[str]:
    """The codes of the unions that have a 整改通知书 in the publication."""
    return {path.stem for path in (folder(publication) / NOTICES).glob("*.docx")}
