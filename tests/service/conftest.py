"""The service under test: Django with its test database (SQLite in memory, or the PostgreSQL server that
`make test` starts when UNIONSCORE_DB names one), holding the example county once per session.

`county` is the demo county (the 2025 round of 青山县, every example union imported, the demo accounts with
the password DEMO_PASSWORD). Passwords are hashed with a fast hasher here: Argon2's cost is the point
in production and only slows tests down (one test keeps Argon2 to prove it is used).

The browser tests' `server` (the service in a thread of the test, on the test's own database connection)
and `browser` (headless Debian Chromium through Selenium) are here too; their helpers are in clients.py.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from clients import CHROMEDRIVER, CHROMIUM, DESKTOP, signed_in
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connections
from django.test import Client
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

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
    publication = Publication.objects.get_or_create(round=entry.round, defaults={"created_by": User.objects.get(username=by)})[0]
    PublishedResult.objects.create(publication=publication, entry=entry, version=version)
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.PUBLISHED)
    return [Task.objects.create(entry=entry, publication=publication, ruleset=result["ruleset"]["id"], item=step["id"],
                                name=step["name"], step=step, deadline=deadline)
            for result in version.result["results"] for step in (result.get("plan") or {}).get("steps", [])]


@pytest.fixture
def publish_tasks(county: Round) -> Callable[..., list[Task]]:
    """publish_tasks(entry, deadline): tasks made directly, as publishing makes them (not through publishing.py)."""
    return publish


# the browser tests -------------------------------------------------------------------------------------
class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server(county: Round) -> Iterator[str]:
    """The service on a free port, one request at a time, on the test's own connection (so the test's
    transaction holds the demo county and rolls back whatever the browser saves)."""
    shared = connections["default"]
    shared.inc_thread_sharing()
    for signal in (signals.request_started, signals.request_finished):  # as Django's test client does
        signal.disconnect(close_old_connections)
    httpd = make_server("127.0.0.1", 0, WSGIHandler(), server_class=WSGIServer, handler_class=Quiet)

    def serve() -> None:
        connections["default"] = shared
        httpd.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)
    shared.dec_thread_sharing()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"缺少 {', '.join(missing)}：请安装 apt 包 chromium chromium-driver（中文界面：chromium-l10n）", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    chinese = os.environ | {"LANGUAGE": "zh_CN:zh", "LANG": "C.UTF-8"}  # Chromium on Linux takes its locale (dates) from here
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER), env=chinese), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads  # type: ignore[attr-defined]
    yield driver
    driver.quit()


__all__ = ["DEMO_PASSWORD", "signed_in"]
