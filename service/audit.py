"""The audit trail: every change to facts, results, tasks and accounts, with who, when and what.

Events are only ever added (the admin cannot change or delete them). `summary` is the Chinese
sentence the audit page shows; `detail` holds what changed, for reading back later.
"""
from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from .models import AuditEvent, Federation, Round, Union, User

ACTOR: ContextVar[Any] = ContextVar("actor", default=None)  # the request's user, for changes made deep in Django's code


class ActorMiddleware:
    """Remembers who makes each request, for the changes recorded where no request is at hand (account saves)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = ACTOR.set(request)
        try:
            return self.get_response(request)
        finally:
            ACTOR.reset(token)


def actor() -> User | None:
    """The signed-in account of the request being served, if any."""
    request = ACTOR.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(user: User | None, action: str, summary: str, *, federation: Federation | None = None, round_: Round | None = None,
           union: Union | None = None, **detail: Any) -> AuditEvent:
    """Add one event; the federation defaults to the round's, the union's or the user's."""
    home = federation or (round_.federation if round_ else None) or (union.federation if union else None)
    if home is None and user is not None and user.is_authenticated:
        home = user.federation
    account = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(user=account, action=action, summary=summary[:300], federation=home, round=round_,
                                     union=union, detail=detail)
