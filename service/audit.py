"""The audit trail: every change to facts, results, tasks and accounts, with who, when and what.

Events are only ever added (the admin cannot change or delete them). `summary` is the Chinese
sentence the audit page shows; `detail` holds what changed, for reading back later.
"""
from __future__ import annotations

from typing import Any

from .models import AuditEvent, Federation, Round, Union, User


def record(user: User | None, action: str, summary: str, *, federation: Federation | None = None, round_: Round | None = None,
           union: Union | None = None, **detail: Any) -> AuditEvent:
    """Add one event; the federation defaults to the round's, the union's or the user's."""
    home = federation or (round_.federation if round_ else None) or (union.federation if union else None)
    if home is None and user is not None and user.is_authenticated:
        home = user.federation
    account = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(user=account, action=action, summary=summary[:300], federation=home, round=round_,
                                     union=union, detail=detail)
