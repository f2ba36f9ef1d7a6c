"""The service under test: Django with its test database (SQLite in memory, or the PostgreSQL server that
`make test` starts when UNIONSCORE_DB names one), holding the example county once per session.

`county` is the demo county (the 2025 round of 青山县, every example union imported, the demo accounts with
the password DEMO_PASSWORD). Passwords are hashed with a fast hasher here: Argon2's cost is the point
in production and only slows tests down (one test keeps Argon2 to prove it is used).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clients import signed_in
from django.test import Client

from service.demo import DEMO_PASSWORD, make_demo
from service.models import Entry, Publication, PublishedResult, Round, Task, User


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


@pytest.fixture(autouse=True)
def data_folder(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The service's data folder (evidence uploads land in it) is the test's own."""
    settings.DATA = tmp_path  # type: ignore[attr-defined]
    return tmp_path


@pytest.fixture
def county(db: None) -> Round:
    return Round.objects.get(year=2025)


@pytest.fixture
def union_client(county: Round) -> Client:
    """QS-016 (青山镇鑫源食品厂工会) signed in."""
    return signed_in("qs-016")


def publish(entry: Entry, deadline: dt.date, by: str = "admin") -> list[Task]:
    """The entry's latest version published, and one 整改 task per step of each standard's plan (as publishing does)."""
    version = entry.versions.exclude(result__isnull=True).order_by("-number").first()
    assert version is not None
    publication = Publication.objects.create(round=entry.round, created_by=User.objects.get(username=by))
    PublishedResult.objects.create(publication=publication, entry=entry, version=version)
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.PUBLISHED)
    return [Task.objects.create(entry=entry, publication=publication, ruleset=result["ruleset"]["id"], item=step["id"],
                                name=step["name"], step=step, deadline=deadline)
            for result in version.result["results"] for step in (result.get("plan") or {}).get("steps", [])]


@pytest.fixture
def publish_tasks(county: Round) -> Callable[..., list[Task]]:
    """publish_tasks(entry, deadline): tasks made directly, as publishing makes them (not through publishing.py)."""
    return publish


__all__ = ["DEMO_PASSWORD", "signed_in"]
