"""The whole permission matrix: every role × every address of the site × method, against a table.

The addresses are found, not listed: every URL pattern Django's resolver knows (the pages, the
admin, the API), and for the API the methods of each path from the OpenAPI document that
django-ninja generates from its router. What each role gets is written down below, one row per URL
name and method (`PAGES`, `API`), or by a rule for a whole namespace (`RULES`: the Django admin).
A URL that has neither fails `test_every_address_has_a_row`, naming it: a page added later needs
its row before the suite passes.

The target is one union, QS-016 (青山镇鑫源食品厂工会), in the demo county's 2025 round; the roles are
seen from it: its own account, another union's of the same township (QS-017), its township's
account and another township's, the assessor, the county admin (also the Django admin's
superuser), and the admin of a second federation made for the test. URL parameters name that
union, its round, its first version, a standard of the round.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from service import evidence, tokens
from service.api import api
from service.demo import DEMO_PASSWORD
from service.importing import new_account
from service.models import Entry, Federation, Publication, Role, Round, Task, Township, Union, User, Version

ROLES = ("anonymous", "union_own", "union_other", "township_own", "township_other", "assessor", "admin", "other_federation")
ACCOUNTS = {"union_own": "qs-016", "union_other": "qs-017", "township_own": "t-qingshan", "township_other": "t-chengguan",
            "assessor": "assessor", "admin": "admin", "other_federation": "bh-admin"}
TARGET = "QS-016"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

Outcome = int | str  # a status code, or "login" / "admin-login": a redirect to that sign-in page
Row = dict[str, Outcome]


def row(anonymous: Outcome, union_own: Outcome, union_other: Outcome, township_own: Outcome, township_other: Outcome,
        assessor: Outcome, admin: Outcome, other_federation: Outcome) -> Row:
    return dict(zip(ROLES, (anonymous, union_own, union_other, township_own, township_other, assessor, admin, other_federation)))


def everyone(outcome: Outcome, anonymous: Outcome | None = None) -> Row:
    return row(outcome if anonymous is None else anonymous, *[outcome] * 7)


# API: 401 without a token; what a role may not see is 404, what it sees but may not change 403
API_SEES_ROUND = row(401, 200, 200, 200, 200, 200, 200, 404)
API_SEES_UNION = row(401, 200, 404, 200, 404, 200, 200, 404)
API_COUNTY_STAFF = row(401, 403, 404, 403, 404, 200, 200, 404)
API: dict[tuple[str, str], Row] = {
    ("api:openapi-json", "GET"): everyone(200),
    ("api:openapi-view", "GET"): everyone(200),
    ("api:api-root", "GET"): everyone(404),
    ("api:token", "POST"): everyone(200, anonymous=401),  # each account with its own password; anonymous with none
    ("api:token", "DELETE"): everyone(204, anonymous=401),
    ("api:rounds", "GET"): everyone(200, anonymous=401),
    ("api:unions", "GET"): API_SEES_ROUND,
    ("api:self_report", "GET"): API_SEES_UNION,
    ("api:self_report", "PUT"): row(401, 200, 404, 403, 404, 403, 403, 404),
    ("api:versions", "GET"): API_SEES_UNION,
    ("api:version", "GET"): API_SEES_UNION,
    # verification and publication (api_assessor.py): the county's staff; publishing, its admin only
    # an inspection with a value that does not read: nothing stored (a stored one would close the union's self-report)
    ("api:verified", "PUT"): row(401, 403, 404, 403, 404, 422, 422, 404),
    ("api:reconciliation", "GET"): API_COUNTY_STAFF,
    ("api:publish", "POST"): row(401, 403, 403, 403, 403, 403, 422, 404),  # a deadline in the past: nothing published
    # the 整改 loop and the history (api_loop.py): the union uploads and marks done; the assessor may not mark done (409)
    ("api:tasks", "GET"): API_SEES_UNION,
    ("api:task_evidence", "POST"): row(401, 200, 404, 403, 404, 403, 403, 404),  # a real PNG, multipart
    ("api:evidence_withdraw", "POST"): row(401, 200, 404, 403, 404, 403, 403, 404),  # the union's own, once; others may not
    ("api:task_transition", "POST"): row(401, 200, 404, 403, 404, 409, 409, 404),  # {"to": "done"}
    ("api:history", "GET"): API_SEES_UNION,
}

# pages: the sign-in page for anonymous callers, then as the API
PAGE_SEES_UNION = row("login", 200, 404, 200, 404, 200, 200, 404)
COUNTY_STAFF = row("login", 403, 403, 403, 403, 200, 200, 404)
STAFF_ON_UNION = row("login", 403, 404, 403, 404, 200, 200, 404)
ADMIN_ONLY = row("login", 403, 403, 403, 403, 403, 200, 200)  # the other county's admin opens a round of its own
PAGES: dict[str, dict[str, Row]] = {
    "login": {"GET": everyone(200), "POST": everyone(200)},  # an empty form comes back with its errors
    "logout": {"GET": everyone(405), "POST": everyone("login")},
    "password_change": {"GET": everyone(200, anonymous="login"), "POST": everyone(200, anonymous="login")},
    "home": {"GET": row("login", 302, 302, 200, 200, 200, 200, 200)},  # a union goes on to its own self-check
    "selfcheck": {"GET": PAGE_SEES_UNION, "POST": row("login", 302, 404, 403, 404, 403, 403, 404)},
    "result": {"GET": PAGE_SEES_UNION},
    "workplan": {"GET": PAGE_SEES_UNION},
    # the county's pages (views_assessor.py): staff only; what is not yet published is 404 to all
    "round_new": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},  # an empty form comes back with its error
    "round_board": {"GET": COUNTY_STAFF},
    "reminders": {"GET": COUNTY_STAFF},
    "figures": {"GET": COUNTY_STAFF},
    "publish": {"POST": row("login", 403, 403, 403, 403, 403, 200, 404)},  # no deadline: the board with its error
    "published_report": {"GET": row("login", 403, 403, 403, 403, 404, 404, 404)},
    "published_workbook": {"GET": row("login", 403, 403, 403, 403, 404, 404, 404)},
    # the union's own empty post of its form (above) saved a draft after its submission: it is revising, so the verify page
    # shows the figures read-only and an inspection is refused (409), nothing stored
    "verify": {"GET": STAFF_ON_UNION, "POST": row("login", 403, 404, 403, 404, 409, 409, 404)},
    "reconciliation": {"GET": STAFF_ON_UNION},
    "notice": {"GET": everyone(404, anonymous="login")},  # test_publishing walks the roles over a real publication
    # the 整改 loop, history and audit (views_loop.py): an empty form comes back to the task page with its error
    "tasks": {"GET": PAGE_SEES_UNION},
    "task_evidence": {"POST": row("login", 302, 404, 403, 404, 403, 403, 404)},
    "task_transition": {"POST": row("login", 302, 404, 403, 404, 302, 302, 404)},
    "evidence": {"GET": PAGE_SEES_UNION},
    "evidence_withdraw": {"POST": row("login", 302, 404, 403, 404, 403, 403, 404)},
    "overdue": {"GET": row("login", 403, 403, 200, 200, 200, 200, 404)},
    "compare": {"GET": row("login", 403, 403, 200, 200, 200, 200, 404)},
    "history": {"GET": PAGE_SEES_UNION},
    "audit": {"GET": ADMIN_ONLY},  # each county's admin sees its own county's trail
}


@dataclass(frozen=True)
class Address:
    """One URL pattern: its qualified name (or its route when it has none), route, and the URL to call."""

    name: str
    route: str
    url: str
    namespace: str


def admin_rows(address: Address) -> dict[str, Row] | None:
    """The Django admin: only staff get in (the demo's county admin is its superuser); everyone else is
    sent to the admin's sign-in page, which itself shows (and its sign-out goes back to the admin's start)."""
    staff = superuser_outcome(address)
    if staff is None:
        return None
    if address.name == "admin:login":
        return {"GET": row(200, 200, 200, 200, 200, 200, staff, 200)}
    others = 302 if address.name == "admin:logout" else "admin-login"
    return {"GET": row(others, others, others, others, others, others, staff, others)}


SITE_PAGES = {"admin:index": 200, "admin:login": 302, "admin:logout": 405, "admin:password_change": 200,
              "admin:password_change_done": 200, "admin:jsi18n": 200, "admin:app_list": 200,
              "admin:autocomplete": 403, "admin:view_on_site": 404}


def superuser_outcome(address: Address) -> Outcome | None:
    """What the superuser gets: the page, or the admin's own refusal where its ModelAdmin says so;
    None for an admin page this table does not know."""
    if address.name in SITE_PAGES:
        return SITE_PAGES[address.name]
    model = admin_model(address.route)
    if model is None:
        return 404 if address.route == "admin/(?P<url>.*)$" else None  # the catch-all: an address the admin has not
    suffix = address.route.removeprefix(f"admin/{model._meta.app_label}/{model._meta.model_name}/")
    if suffix == "<path:object_id>/delete/" and model_admin_allows(model, suffix) is False:
        return 403  # a record: the admin refuses its deletion before it looks for the object
    if suffix == "<path:object_id>/" or (f"/{model._meta.model_name}/0/" in address.url and "object_id" in suffix):
        return 302  # on to the change page; or back to the admin's start: no such object (admin_object() gave 0)
    allowed = model_admin_allows(model, suffix)
    return None if allowed is None else 200 if allowed else 403


def model_admin_allows(model: type[Model], suffix: str) -> bool | None:
    model_admin = admin.site.get_model_admin(model)
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="admin")
    asks = {"": model_admin.has_view_or_change_permission, "add/": model_admin.has_add_permission,
            "<path:object_id>/change/": model_admin.has_view_or_change_permission,
            "<path:object_id>/history/": model_admin.has_view_or_change_permission,
            "<path:object_id>/delete/": model_admin.has_delete_permission,
            "<id>/password/": model_admin.has_change_permission}
    return asks[suffix](request) if suffix in asks else None


RULES: dict[str, Callable[[Address], dict[str, Row] | None]] = {"admin": admin_rows}


def admin_model(route: str) -> type[Model] | None:
    found = re.match(r"admin/(\w+)/(\w+)/", route)
    if found is None:
        return None
    try:
        model = apps.get_model(*found.groups())
    except LookupError:
        return None
    return model if admin.site.is_registered(model) else None


# finding the addresses


def patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """Every URL pattern: its route, its namespace and the pattern."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace or "") if part)
            yield from patterns(entry, route, inner)
        else:
            yield route, namespace, entry


def addresses(values: dict[str, Callable[[str], str]]) -> list[Address]:
    found: dict[str, Address] = {}
    for route, namespace, pattern in patterns(get_resolver()):
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or route)
        found.setdefault(route, Address(name, route, url_of(route, values), namespace))
    return list(found.values())


def url_of(route: str, values: dict[str, Callable[[str], str]]) -> str:
    """The route with each parameter given its value (named groups of a regex too)."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name not in values:
            raise AssertionError(f"test_permissions: 地址 {route} 的参数 “{name}” 没有取值，请加入 values()")
        return values[name](route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", value, route).replace("^", "").replace("$", "")


def api_methods() -> dict[str, list[str]]:
    """The methods of each API path, from the OpenAPI document the router generates."""
    paths = api.get_openapi_schema()["paths"]
    return {path: sorted(method.upper() for method in operations) for path, operations in paths.items()}


def rows_for(address: Address, methods: dict[str, list[str]]) -> dict[str, Row] | None:
    if address.namespace in RULES:
        return RULES[address.namespace](address)
    if address.namespace == "api":
        openapi_path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", address.route)
        found = {method: API.get((address.name, method)) for method in methods.get(openapi_path, ["GET"])}
        return None if None in found.values() else {m: r for m, r in found.items() if r is not None}
    return PAGES.get(address.name)


# the world the matrix runs in


@pytest.fixture
def world(county: Round) -> dict[str, Callable[[str], str]]:
    """A second federation with its own round and admin; the values of URL parameters."""
    federation = Federation.objects.create(name="白河县")
    township = Township.objects.create(federation=federation, name="白河镇")
    Union.objects.create(federation=federation, township=township, code="BH-001", name="白河镇机械厂工会", type="enterprise")
    Round.objects.create(federation=federation, year=2025, title="白河县2025年度基层工会考核评价", rulesets=county.rulesets)
    new_account("bh-admin", Role.ADMIN, federation, password=DEMO_PASSWORD)
    for user in User.objects.filter(username__in=ACCOUNTS.values()):  # hashed as the test's hasher would: a sign-in
        user.set_password(DEMO_PASSWORD)                                # to the API must not rehash it and so end a session
        user.save()
    union = Union.objects.get(federation=county.federation, code=TARGET)
    task = loop_objects(county)
    return {"task_id": lambda _: str(task.pk), "evidence_id": lambda _: str(task.evidence.get().pk), "round": lambda _: str(county.pk), "round_id": lambda _: str(county.pk), "union": lambda _: TARGET,
            "code": lambda _: TARGET, "number": lambda _: "1", "ruleset_id": lambda _: county.ruleset_ids()[0],
            "app_label": lambda _: "service", "url": lambda _: "no-such-page/",
            "content_type_id": lambda _: str(ContentType.objects.get_for_model(Union).pk),
            "object_id": lambda route: admin_object(route, union), "id": lambda route: api_object(route, task) if route.startswith("api/") else admin_object(route, union)}


def api_object(route: str, task: Task) -> str:
    """The id in an API address: the evidence's for the evidence's own addresses, else the task's."""
    return str(task.evidence.get().pk if route.startswith("api/v1/evidence/") else task.pk)


def loop_objects(county: Round) -> Task:
    """The target's 整改 task (from its plan), with one piece of evidence uploaded."""
    entry = Entry.objects.get(round=county, union__code=TARGET)
    version = entry.versions.order_by("number").first()
    assert version is not None and version.result is not None
    publication = Publication.objects.create(round=county, created_by=User.objects.get(username="admin"))
    step = next(step for result in version.result["results"] for step in (result.get("plan") or {}).get("steps", []))
    task = Task.objects.create(entry=entry, publication=publication, ruleset=step["ruleset"], item=step["id"], name=step["name"],
                               step=step, deadline=dt.date(2026, 6, 30))
    evidence.upload(User.objects.get(username="qs-016"), task, SimpleUploadedFile("公示栏.png", PNG))
    return task


def admin_object(route: str, union: Union) -> str:
    """An object of the admin page's model: the target's own where it has one, else the first, else none (0)."""
    model = admin_model(route) or Union
    own = {Union: union, User: User.objects.get(username="qs-016"), Version: Version.objects.filter(entry__union=union).first()}
    found = own.get(model) or model.objects.order_by("pk").first()
    return str(found.pk) if found else "0"


ENDS_SESSION = {("logout", "POST"), ("api:token", "DELETE")}  # these get a client of their own


class Callers:
    """A client per role, signed in to the pages or holding an API token (kept, but for a call that signs out)."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, bool], Client] = {}

    def call(self, role: str, method: str, address: Address) -> HttpResponse:
        api_call = address.namespace == "api"
        fresh = (address.name, method) in ENDS_SESSION
        if (role, api_call) not in self.clients:
            self.clients[role, api_call] = self.made(role, api_call)
        client = self.made(role, api_call) if fresh else self.clients[role, api_call]
        if not api_call:
            return client.generic(method, address.url)  # a page's form posted empty
        if (address.name, method) == ("api:task_evidence", "POST"):
            return client.post(address.url, {"file": SimpleUploadedFile("整改照片.png", PNG)})
        body = request_body(role, method, address)
        return client.generic(method, address.url, "" if body is None else json.dumps(body, ensure_ascii=False),
                              content_type="application/json")

    def made(self, role: str, api_call: bool) -> Client:
        if role == "anonymous":
            return Client()
        user = User.objects.get(username=ACCOUNTS[role])
        if api_call:
            return Client(headers={"Authorization": f"Bearer {tokens.issue(user)[0]}"})
        client = Client()
        client.force_login(user)
        return client


def request_body(role: str, method: str, address: Address) -> Any:
    if (address.name, method) == ("api:token", "POST"):
        return {"username": ACCOUNTS.get(role, ""), "password": DEMO_PASSWORD if role != "anonymous" else ""}
    if (address.name, method) == ("api:verified", "PUT"):
        return {"facts": {"members": "三十一"}, "notes": {"members": {"method": "查阅资料", "note": ""}}}
    if (address.name, method) == ("api:publish", "POST"):
        return {"deadline": "2020-01-01"}
    if (address.name, method) == ("api:task_transition", "POST"):
        return {"to": "done", "note": ""}
    if (address.name, method) == ("api:self_report", "PUT"):  # with its 满意率 (else the submission asks to confirm it is blank: 409)
        return {"facts": Version.objects.get(entry__union__code=TARGET, entry__round__year=2025, number=1).facts["facts"]
                | {"survey.satisfaction": "92%"}}
    return None


def outcome(response: HttpResponse) -> Outcome:
    if response.status_code == 302:
        location = response["Location"]
        for page, tag in (("/login/", "login"), ("/admin/login/", "admin-login")):
            if location.startswith(page):
                return tag
    return response.status_code


# the tests


def test_every_address_has_a_row(world: dict[str, Callable[[str], str]]) -> None:
    methods = api_methods()
    found = addresses(world)
    missing = [f"{a.name}（{a.route}）" for a in found if rows_for(a, methods) is None]
    assert not missing, "这些地址在权限表中没有对应的行（PAGES 或 API），请补上每个角色应得的结果：" + "、".join(missing)
    present = {a.name for a in found} | {(a.name, m) for a in found for m in (rows_for(a, methods) or {})}
    stale = [name for name in PAGES if name not in present] + [f"{n} {m}" for n, m in API if (n, m) not in present]
    assert not stale, "权限表中有已不存在的地址：" + "、".join(stale)


def test_the_whole_permission_matrix(world: dict[str, Callable[[str], str]], capsys: pytest.CaptureFixture[str]) -> None:
    methods, callers = api_methods(), Callers()
    cells, wrong = 0, []
    for address in addresses(world):
        for method, expected in (rows_for(address, methods) or {}).items():
            for role in ROLES:
                got = outcome(callers.call(role, method, address))
                cells += 1
                if got != expected[role]:
                    wrong.append(f"{role:<17}{method:<7}{address.url}  应为 {expected[role]}，实际为 {got}")
    with capsys.disabled():
        print(f"\n权限矩阵：{len(ROLES)} 个角色 × {cells // len(ROLES)} 个（地址, 方法）= {cells} 次请求")  # noqa: T201
    assert not wrong, "\n".join(wrong)


def test_each_role_lists_exactly_what_it_may_see(world: dict[str, Callable[[str], str]], county: Round) -> None:
    """The lists behind the matrix's 200s: the API's rounds and unions, per role, counted from the data."""
    codes = {township: set(Union.objects.filter(township__name=township).values_list("code", flat=True))
             for township in ("青山镇", "城关街道")}
    every = set(Union.objects.filter(federation=county.federation).values_list("code", flat=True))
    expected = {"union_own": {"QS-016"}, "union_other": {"QS-017"}, "township_own": codes["青山镇"],
                "township_other": codes["城关街道"], "assessor": every, "admin": every}
    callers = Callers()
    rounds = Address("api:rounds", "api/v1/rounds", "/api/v1/rounds", "api")
    unions = Address("api:unions", "", f"/api/v1/rounds/{county.pk}/unions", "api")
    for role, seen in expected.items():
        assert [r["id"] for r in json.loads(callers.call(role, "GET", rounds).content)] == [county.pk], role
        assert {u["id"] for u in json.loads(callers.call(role, "GET", unions).content)} == seen, role
    [other] = json.loads(callers.call("other_federation", "GET", rounds).content)
    assert other["title"] == "白河县2025年度基层工会考核评价"
    assert callers.call("other_federation", "GET", unions).status_code == 404
