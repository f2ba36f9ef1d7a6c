"""Who may see and change what: every view and API call asks here.

A union account sees only its own union; a township account the unions of its township; an
assessor and the county admin every union of their federation. Rounds are those of the account's
federation. What an account may not see does not exist for it (404), so ids cannot be probed;
what it may see but not change is refused (403).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Entry, Role, Round, Union, User


class Refused(PermissionDenied):
    """Seen but not to be changed by this account: 403 on the pages (Django's own PermissionDenied, with
    this message) and in the API (its handler in api.py)."""


def rounds(user: User) -> QuerySet[Round]:
    if not user.is_authenticated or user.federation_id is None:
        return Round.objects.none()
    return Round.objects.filter(federation_id=user.federation_id)


def unions(user: User) -> QuerySet[Union]:
    if not user.is_authenticated or user.federation_id is None:
        return Union.objects.none()
    found = Union.objects.filter(federation_id=user.federation_id)
    if user.role == Role.UNION:
        return found.filter(pk=user.union_id) if user.union_id else Union.objects.none()
    if user.role == Role.TOWNSHIP:
        return found.filter(township_id=user.township_id) if user.township_id else Union.objects.none()
    return found


def entries(user: User, round_: Round) -> QuerySet[Entry]:
    return Entry.objects.filter(round=round_, union__in=unions(user)).select_related("union", "union__township")


def round_for(user: User, round_id: int) -> Round:
    found = rounds(user).filter(pk=round_id).first()
    if found is None:
        raise Http404("没有这个考核年度")
    return found


def entry_for(user: User, round_id: int, union_code: str) -> Entry:
    """The entry of a union the account may see, by the union's code (QS-016, any case)."""
    found = entries(user, round_for(user, round_id)).filter(union__code__iexact=union_code).first()
    if found is None:
        raise Http404("没有这个工会，或无权查看")
    return found


CHECKED = (Entry.Status.VERIFIED, Entry.Status.PUBLISHED)  # the inspection's figures stand: the self-report is closed


def may_edit(user: User, entry: Entry) -> bool:
    """Only the union itself fills in its self-report, while the round is open and until the inspection has
    recorded its figures (a later self-report would stand in for the inspection's as the next one's base)."""
    return (user.role == Role.UNION and user.union_id == entry.union_id and entry.round.status == Round.Status.OPEN
            and entry.status not in CHECKED)


def check_edit(user: User, entry: Entry) -> None:
    if entry.status in CHECKED and user.role == Role.UNION and user.union_id == entry.union_id:
        raise Refused(closed_text(entry))
    if not may_edit(user, entry):
        raise Refused("只有本单位账号可以在填报期内修改自评数据")


def closed_text(entry: Entry) -> str:
    """Why an entry in CHECKED takes no self-report: its results are published, or the inspection recorded its figures."""
    return PUBLISHED_TEXT if entry.status == Entry.Status.PUBLISHED else VERIFIED_TEXT


VERIFIED_TEXT = "考核组已核查本单位的数据，自评数据不能再修改；对核定的数据有异议，请与县总工会考核人员联系"
PUBLISHED_TEXT = ("本年度考核结果已经发布，自评数据不能再修改：发布的结果见“得分与整改”页，需要整改的事项见“整改任务”页；"
                  "对发布的结果有异议，请与县总工会考核人员联系")
