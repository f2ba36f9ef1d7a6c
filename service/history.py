"""Year after year: each union's rounds, the county's comparison with last year, and past `batch` results.

A round's record of a union is its latest version that has a result and is not a draft (verified
after inspection or 销号, else submitted or imported, or archived from a past `batch`). A level is
compared by its place in the ruleset (levels are listed highest first); where the ruleset cannot be
loaded (a result archived from a ruleset this installation lacks) by the score.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery

from engine.diagnostics import UnionscoreError

from . import access, grader, result_lines
from .grading import Graded
from .models import Entry, Federation, PublishedResult, Round, Task, Township, Union, User, Version
from .records import store
from .result_page import number

SHOWN_ITEMS = 5  # items whose county-wide loss fell or grew most


# a round's record ---------------------------------------------------------------------------------------
def records_of(entries: Iterable[Entry] | Any) -> dict[int, dict[str, Any]]:
    """Each entry's record: the result of its latest non-draft version with one, by entry id."""
    newest = (Version.objects.filter(entry=OuterRef("pk"), result__isnull=False).exclude(kind=Version.Kind.DRAFT)
              .order_by("-number").values("pk")[:1])
    ids = Entry.objects.filter(pk__in=[e.pk for e in entries]).annotate(newest=Subquery(newest)).values_list("newest", flat=True)
    rows = Version.objects.filter(pk__in=[pk for pk in ids if pk]).values_list("entry_id", "result")
    return {entry_id: result for entry_id, result in rows if result is not None}


def scores(result: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """ruleset id → {"score", "level", "level_name"} of a result (standards that do not apply left out)."""
    found = {}
    for one in (result or {}).get("results", []):
        if one.get("applies", True):
            level = one.get("level") or {}
            found[one["ruleset"]["id"]] = {"score": one.get("score"), "level": level.get("id"), "level_name": level.get("name")}
    return found


def item_points(result: dict[str, Any] | None) -> dict[tuple[str, str], tuple[str, float, float]]:
    """(ruleset, item) → (name, points, max points) of a result."""
    return {(one["ruleset"]["id"], item["id"]): (item.get("name", item["id"]), item.get("points") or 0, item.get("max_points") or 0)
            for one in (result or {}).get("results", []) if one.get("applies", True) for item in one.get("items", [])}


# a union's history --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Year:
    round: Round
    entry: Entry
    results: dict[str, dict[str, Any]]
    published: dict[str, dict[str, Any]]
    tasks_done: int
    tasks: int
    changed: list[dict[str, Any]] = field(default_factory=list)  # items whose points changed since the year before


def union_history(user: User, union: Union) -> list[Year]:
    """The union's rounds the account may see, oldest first, with what changed from one to the next."""
    entries = list(Entry.objects.filter(union=union, round__in=access.rounds(user)).select_related("round").order_by("round__year"))
    record = records_of(entries)
    published = published_results(entries)
    counts: dict[int, dict[str, int]] = {row["entry"]: {"total": row["total"], "done": row["done"]} for row in Task.objects.filter(entry__in=entries).values("entry")
              .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Task.Status.ACCEPTED)))}
    years, before = [], None
    for entry in entries:
        result = record.get(entry.pk)
        row = counts.get(entry.pk, {})
        years.append(Year(entry.round, entry, scores(result), scores(published.get(entry.pk)), row.get("done", 0),
                          row.get("total", 0), changed_items(before, result) if before is not None else []))
        before = result if result is not None else before
    return years


def cells(year: Year, columns: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(standard's name, text, later) of each column of a year: the published score and level where the year is
    published (the record may have moved since, as tasks were closed: `later` says what it is now), else the
    latest record; 不适用 or —."""
    shown = year.published or year.results
    found = []
    for rid, name in columns:
        if rid not in shown:
            found.append((name, "不适用" if shown else "—", ""))
            continue
        now = year.results.get(rid)
        later = score_text(now) if year.published and now and now != shown[rid] else ""
        found.append((name, score_text(shown[rid]), later))
    return found


def score_text(score: dict[str, Any]) -> str:
    return f"{number(score['score'])} 分 {score.get('level_name') or ''}".strip()


def published_results(entries: list[Entry]) -> dict[int, dict[str, Any]]:
    """Each entry's result in its round's latest publication."""
    rows = (PublishedResult.objects.filter(entry__in=entries).order_by("entry_id", "-publication__created_at", "-pk")
            .values_list("entry_id", "ranked", "version__result"))
    found: dict[int, dict[str, Any]] = {}
    for entry_id, ranked, own in rows:
        result = ranked if ranked is not None else own
        if result is not None:
            found.setdefault(entry_id, result)
    return found


def changed_items(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The items whose points differ between two results, biggest change first."""
    old, new = item_points(before), item_points(after)
    rows = [{"ruleset": key[0], "item": key[1], "name": new[key][0], "before": old[key][1], "after": new[key][1],
             "change": round(new[key][1] - old[key][1], 2)} for key in new if key in old and new[key][1] != old[key][1]]
    return sorted(rows, key=lambda row: (-abs(row["change"]), row["item"]))


# the county's comparison --------------------------------------------------------------------------------
@dataclass
class Movement:
    """升级 / 持平 / 降级 counts of one standard ("up", "same", "down"), per township."""

    ruleset: str
    name: str
    townships: dict[str, Counter[str]] = field(default_factory=dict)
    fell: list[dict[str, Any]] = field(default_factory=list)  # items whose county-wide loss fell most
    grew: list[dict[str, Any]] = field(default_factory=list)

    def total(self) -> Counter[str]:
        return sum(self.townships.values(), Counter())


def previous_round(user: User, round_: Round) -> Round | None:
    return access.rounds(user).filter(year__lt=round_.year).order_by("-year").first()


def compare(user: User, round_: Round, before: Round) -> list[Movement]:
    """This round against `before` for the unions in both that the account may see, per standard."""
    now_entries = {e.union_id: e for e in access.entries(user, round_)}
    old_entries = {e.union_id: e for e in access.entries(user, before) if e.union_id in now_entries}
    now, old = records_of(now_entries.values()), records_of(old_entries.values())
    pairs = [(now_entries[u], now.get(now_entries[u].pk), old.get(e.pk)) for u, e in old_entries.items()]
    names = {r["id"]: r.get("name", r["id"]) for r in round_.rulesets}
    return [movement(ruleset, names[ruleset], pairs) for ruleset in round_.ruleset_ids()]


def movement(ruleset: str, name: str, pairs: list[tuple[Entry, Any, Any]]) -> Movement:
    order = level_order(ruleset)
    found = Movement(ruleset, name)
    losses: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    labels: dict[str, str] = {}
    for entry, now, old in pairs:
        a, b = scores(old).get(ruleset), scores(now).get(ruleset)
        if a is None or b is None:
            continue
        township = entry.union.township.name if entry.union.township else "（未分乡镇）"
        found.townships.setdefault(township, Counter())[direction(a, b, order)] += 1
        for index, result in ((0, old), (1, now)):
            for (rid, item), (label, points, most) in item_points(result).items():
                if rid == ruleset:
                    losses[item][index] += most - points
                    labels[item] = label
    deltas: list[dict[str, Any]] = [{"item": item, "name": labels[item], "before": round(b, 2), "after": round(a, 2), "change": round(a - b, 2)}
              for item, (b, a) in losses.items() if a != b]
    found.fell = sorted((d for d in deltas if d["change"] < 0), key=lambda d: d["change"])[:SHOWN_ITEMS]
    found.grew = sorted((d for d in deltas if d["change"] > 0), key=lambda d: -d["change"])[:SHOWN_ITEMS]
    found.townships = dict(sorted(found.townships.items()))
    return found


def level_order(ruleset: str) -> list[str]:
    """The ruleset's level ids, highest first; empty when it cannot be loaded. The rulesets it uses load
    with it, first: the levels are its own."""
    try:
        loaded = grader.rulesets_named((ruleset,))
    except UnionscoreError:
        return []
    return next(([level.id for level in found.levels] for found in loaded if found.id == ruleset), [])


def direction(before: dict[str, Any], after: dict[str, Any], order: list[str]) -> str:
    """"up" (升级), "same" (持平) or "down" (降级): by the level's place (lower index is higher), else by the score."""
    if before["level"] in order and after["level"] in order:
        a, b = order.index(before["level"]), order.index(after["level"])
        return "up" if b < a else "down" if b > a else "same"
    a, b = before["score"] or 0, after["score"] or 0
    return "up" if b > a else "down" if b < a else "same"


# past batch results -------------------------------------------------------------------------------------
@dataclass
class Imported:
    round: Round | None = None
    unions: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # what was imported but not checked


def import_results(path: Path, year: int, county: str | None = None) -> Imported:
    """A `batch` run's results.jsonl (one line per union × ruleset) as ARCHIVED versions of the round of
    `year`, made if new (as 已发布). Each line is checked whole first (service/result_lines.py): a bad one
    is reported with its file and line and not imported, the rest go on. The good ones are stored in one
    transaction, so a failure while storing leaves the database as it was."""
    report = Imported()
    installed = result_lines.installed_levels()
    unions: dict[str, dict[str, Any]] = {}
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if raw.strip():
                try:
                    take(unions, result_lines.read(raw, year, installed), number)
                except result_lines.Refused as refused:
                    report.failures.append(f"{path}:{number}: 错误 [{refused.code}] 第 {number} 行：{refused}，此行未导入")
    if not unions:
        report.failures.append(f"{path}: 错误 [results-empty] 没有可以导入的结果")
        return report
    report.notices = unchecked(path, unions.values(), installed)
    name = county or next(iter(unions.values()))["union"].get("county") or "本县"
    with transaction.atomic():
        report.round = past_round(name, year, unions.values())
        for record in unions.values():
            archive(report, record)
    return report


def take(unions: dict[str, dict[str, Any]], line: dict[str, Any], number: int) -> None:
    """The line's result in its union's record (made by the union's first line), or Refused."""
    code, ruleset = line["union"]["id"], line["result"]["ruleset"]["id"]
    record = unions.setdefault(code, {"union": line["union"], "as_of": line["as_of"], "results": [], "line": number})
    if (line["union"], line["as_of"]) != (record["union"], record["as_of"]):
        raise result_lines.Refused("results-union", f"工会 {code} 的 union 或 as_of 与第 {record['line']} 行不同")
    if any(r["ruleset"]["id"] == ruleset for r in record["results"]):
        raise result_lines.Refused("results-duplicate", f"工会 {code} 的“{ruleset}”结果重复（只取第一行）")
    record["results"].append(line["result"])


def unchecked(path: Path, records: Iterable[dict[str, Any]], installed: result_lines.Installed) -> list[str]:
    """A notice for each ruleset version imported that this installation lacks: its levels were not checked."""
    refs = sorted({(r["ruleset"]["id"], r["ruleset"]["version"]) for record in records for r in record["results"]} - set(installed))
    return [f"{path}: 提示 [results-ruleset-unchecked] 本系统没有“{ruleset}”（{version} 版）标准，其结果按文件导入，等级未核对"
            for ruleset, version in refs]


def past_round(county: str, year: int, records: Iterable[dict[str, Any]]) -> Round:
    federation, _ = Federation.objects.get_or_create(name=county)
    refs: dict[str, dict[str, Any]] = {}
    for record in records:
        for result in record["results"]:
            ref = result["ruleset"]
            refs.setdefault(ref["id"], {"id": ref["id"], "name": ref.get("name", ref["id"]), "version": ref.get("version", ""),
                                        "hash": ref.get("hash", "")})
    found, _ = Round.objects.get_or_create(federation=federation, year=year, defaults={
        "title": f"{county}{year}年度基层工会考核评价", "rulesets": list(refs.values()), "status": Round.Status.PUBLISHED})
    return found


def archive(report: Imported, record: dict[str, Any]) -> None:
    """One union's results as an archived version (skipped when the same result is already its record)."""
    assert report.round is not None
    header = record["union"]
    federation = report.round.federation
    township = Township.objects.get_or_create(federation=federation, name=header["township"])[0] if header.get("township") else None
    union, _ = Union.objects.get_or_create(federation=federation, code=header["id"], defaults={
        "name": header.get("name") or header["id"], "type": header["type"], "township": township})
    entry, _ = Entry.objects.get_or_create(round=report.round, union=union)
    result = {"union": header, "as_of": record.get("as_of"), "results": record["results"]}
    latest = entry.versions.filter(kind=Version.Kind.ARCHIVED).order_by("-number").first()
    if latest is not None and latest.result == result:
        report.skipped += 1
        return
    graded = Graded({"union": union.header(), "period": report.round.year, "facts": {}}, result=result)
    store(entry, None, graded, Version.Kind.ARCHIVED)
    report.unions += 1
