"""The service under test: Django with its test database (SQLite in memory, or the PostgreSQL server that
`make test` starts when UNIONSCORE_DB names one), holding the example county once per session.

`county` is the demo county (the 2025 round of 青山县, every example union imported, the demo accounts with
the password DEMO_PASSWORD). Passwords are hashed with a fast hasher here: Argon2's cost is the point
in production and only slows tests down (one test keeps Argon2 to prove it is used).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from service.demo import DEMO_PASSWORD, make_demo
from service.models import Round, User


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """The demo county, made once for the session (about 44 unions graded)."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        make_demo()
    yield


@pytest.fixture(autouse=True)
def fast_hasher(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",  # type: ignore[attr-defined]
                                 "django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.fixture
def county(db: None) -> Round:
    return Round.objects.get(year=2025)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def union_client(county: Round) -> Client:
    """QS-016 (青山镇鑫源食品厂工会) signed in."""
    return signed_in("qs-016")


__all__ = ["DEMO_PASSWORD", "signed_in"]
