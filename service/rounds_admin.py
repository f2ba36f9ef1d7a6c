"""The county admin's rounds: opening one, the status board per township, the reminder list.

A round opens with its year (2000–2100, after the county's latest round), standards, deadline (not
already past) and unions. The unions come from last year's round (each gets an empty entry here: the
self-check form then prefills from its last record, as views.prefill does) or from the county workbook
through `unionscore db import --year …`, which adds them to the round of that year. The board counts
each township's entries by status (未填报 / 草稿 / 已提交 / 已核查 / 已发布); the reminder list is a
workbook of the unions that have not submitted, with their account names, for the county to send round
(no mail server is assumed).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from xlsxwriter import Workbook

from engine.load.loader import bundled_ids
from engine.load.rulesets import resolve_rulesets

from . import audit
from .models import Entry, Federation, Role, Round, User

YEARS = range(2000, 2101)  # the years a round may be opened for
NOT_SUBMITTED = (Entry.Status.EMPTY, Entry.Status.DRAFT)
NO_TOWNSHIP = "（未分乡镇）"


class RoundError(Exception):
    """A round that cannot be opened as asked (said in Chinese)."""


def ruleset_choices() -> list[tuple[str, str]]:
    """The bundled standards: (id, name)."""
    return [(r.id, r.name) for r in resolve_rulesets(tuple(bundled_ids()))]


def open_round(federation: Federation, user: User, year: int, ruleset_ids: list[str], deadline: dt.date | None,
               source: Round | None, today: dt.date | None = None) -> Round:
    """A new round of the federation, its unions those of `source` (last year's round) when given."""
    check_dates(year, deadline, today or timezone.localdate(), federation.rounds.aggregate(latest=Max("year"))["latest"])
    if not ruleset_ids:
        raise RoundError("请至少选择一个考核标准")
    unknown = [i for i in ruleset_ids if i not in bundled_ids()]
    if unknown:  # an id is looked up as a path too: only the bundled standards may be chosen here
        raise RoundError(f"没有考核标准 “{unknown[0]}”：请从列出的标准中选择")
    if source is not None and source.federation_id != federation.pk:
        raise RoundError("只能从本县的考核年度复制参评工会")
    rulesets = resolve_rulesets(tuple(ruleset_ids))
    chosen = [{"id": r.id, "name": r.name, "version": r.version, "hash": r.hash} for r in rulesets if r.id in ruleset_ids]
    try:
        with transaction.atomic():
            made = Round.objects.create(federation=federation, year=year, title=f"{federation.name}{year}年度基层工会考核评价",
                                        rulesets=chosen, deadline=deadline)
            unions = list(source.entries.values_list("union_id", flat=True)) if source is not None else []
            Entry.objects.bulk_create([Entry(round=made, union_id=union) for union in unions])
            audit.record(user, "round.open", f"开启{made.title}：{len(chosen)} 个考核标准，{len(unions)} 个参评工会"
                         + (f"（取自{source.year}年度）" if source is not None else ""),
                         round_=made, rulesets=[r["id"] for r in chosen], deadline=deadline.isoformat() if deadline else None,
                         source=source.pk if source is not None else None, unions=len(unions))
    except IntegrityError:
        raise RoundError(f"{year} 年度的考核已经存在") from None
    return made


def check_dates(year: int, deadline: dt.date | None, today: dt.date, latest: int | None = None) -> None:
    """A year in YEARS and not before `latest`, the county's latest round (whose unions a new round copies as last year's;
    that year itself is refused as existing), and a 填报截止 not already past (a round open for entries whose deadline
    has gone by)."""
    if year not in YEARS:
        raise RoundError(f"年度 {year} 超出范围：应在 {YEARS.start} 至 {YEARS.stop - 1} 年之间")
    if latest is not None and year < latest:
        raise RoundError(f"不能开启 {year} 年度：本县已有 {latest} 年度的考核，新的考核年度应晚于 {latest} 年")
    if deadline is not None and deadline < today:
        raise RoundError(f"填报截止日期 {deadline:%Y-%m-%d} 已经过去：应为今天（{today:%Y-%m-%d}）或以后的日期")


@dataclass(frozen=True)
class BoardRow:
    township: str
    counts: tuple[int, ...]  # in the order of Entry.Status
    total: int


def status_board(round_: Round) -> list[BoardRow]:
    """Each township's entries by status, and the county's total last."""
    found: dict[str, dict[str, int]] = {}
    rows = round_.entries.values("union__township__name", "status").annotate(n=Count("pk")).order_by("union__township__name")
    for row in rows:
        found.setdefault(row["union__township__name"] or NO_TOWNSHIP, {})[row["status"]] = row["n"]
    statuses = [value for value, _ in Entry.Status.choices]
    board = [BoardRow(name, tuple(counts.get(s, 0) for s in statuses), sum(counts.values())) for name, counts in found.items()]
    totals = tuple(sum(row.counts[i] for row in board) for i in range(len(statuses)))
    return [*board, BoardRow("合计", totals, sum(totals))]


def reminders(round_: Round) -> bytes:
    """The workbook of the round's unions that have not submitted: union, code, township, account, status, deadline."""
    entries = round_.entries.filter(status__in=NOT_SUBMITTED).select_related("union__township").order_by("union__township__name", "union__code")
    accounts: dict[int, list[str]] = {}
    for union_id, username in User.objects.filter(role=Role.UNION, union__entries__round=round_).values_list("union_id", "username"):
        accounts.setdefault(union_id, []).append(username)
    buffer = io.BytesIO()
    book = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("未提交")
    bold = book.add_format({"bold": True})
    deadline = f"，截止 {round_.deadline:%Y-%m-%d}" if round_.deadline else ""
    sheet.write_string(0, 0, f"{round_.title}：尚未提交自评的工会（{entries.count()} 个{deadline}）", bold)
    for column, header in enumerate(("工会", "编号", "乡镇（街道）", "账号", "状态")):
        sheet.write_string(1, column, header, bold)
    for row, entry in enumerate(entries, 2):
        union = entry.union
        cells = (union.name, union.code, union.township.name if union.township else NO_TOWNSHIP,
                 "、".join(accounts.get(union.pk, [])) or "（无账号）", entry.get_status_display())
        for column, value in enumerate(cells):
            sheet.write_string(row, column, value)
    sheet.autofilter(1, 0, 1 + entries.count(), 4)
    sheet.freeze_panes(2, 0)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 4, 16)
    book.close()
    return buffer.getvalue()
