"""Bearer tokens for the API: issued for a user name and password, kept only as their SHA-256.

A token is 32 random bytes (URL-safe text) and lives `LIFETIME`, a working day like a web
session; then the caller asks for a new one. The database holds the digest, never the token, so a
copy of the database (a backup) signs nobody in. A token stops working at once when its account
is deactivated or must change its password; `revoke` ends one before its time (DELETE /api/v1/token).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken, User

LIFETIME = dt.timedelta(hours=8)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user: User) -> tuple[str, dt.datetime]:
    """A new token for the account and when it expires; the account's expired tokens are dropped."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    token = secrets.token_urlsafe(32)
    expires = now + LIFETIME
    ApiToken.objects.create(user=user, digest=digest_of(token), expires_at=expires)
    return token, expires


def holder(token: str) -> User | None:
    """The account a token signs in, if the token is known, unexpired and the account may use it."""
    found = (ApiToken.objects.select_related("user")
             .filter(digest=digest_of(token), expires_at__gt=timezone.now(),
                     user__is_active=True, user__must_change_password=False)
             .first())
    return found.user if found else None


def revoke(token: str) -> None:
    ApiToken.objects.filter(digest=digest_of(token)).delete()


class BearerToken(HttpBearer):
    """`Authorization: Bearer <令牌>`; the token's account becomes `request.user`."""

    openapi_description = "先以账号和密码调用 POST /api/v1/token 获取令牌，之后每次请求在请求头中发送 Authorization: Bearer <令牌>。令牌 8 小时内有效。"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = holder(token)
        if user is not None:
            request.user = user
        return user
