"""The audit page: the county admin's, every event newest first, filtered by union and action; nothing deletable."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from clients import signed_in
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory

from service import audit
from service.models import AuditEvent, Entry, Evidence, Publication, PublishedResult, Round, Task, TaskEvent, User, Version


def test_only_the_county_admin_sees_the_audit_page(county: Round) -> None:
    assert signed_in("admin").get("/audit/").status_code == 200
    for username in ("assessor", "t-qingshan", "qs-016"):
        assert signed_in(username).get("/audit/").status_code == 403, username
    assert Client().get("/audit/")["Location"].startswith("/login/")


def test_events_newest_first_filtered_by_union_and_action(county: Round) -> None:
    user = User.objects.get(username="assessor")
    qs016 = Entry.objects.get(round=county, union__code="QS-016").union
    audit.record(user, "task.returned", "第一条：退回", round_=county, union=qs016)
    audit.record(user, "task.accepted", "第二条：销号", round_=county, union=qs016)
    audit.record(user, "task.accepted", "别的工会：销号", round_=county, union=Entry.objects.get(round=county, union__code="QS-017").union)
    text = signed_in("admin").get("/audit/").content.decode()
    assert text.index("别的工会：销号") < text.index("第二条：销号") < text.index("第一条：退回")
    only = signed_in("admin").get("/audit/?union=qs-016&action=task.accepted").content.decode()
    assert "第二条：销号" in only and "第一条：退回" not in only and "别的工会" not in only and "共 1 条" in only
    assert '<option value="task.accepted" selected>' in only


def test_the_audit_page_lists_the_loop_s_steps(county: Round, publish_tasks: Callable[..., list[Task]]) -> None:
    task = publish_tasks(Entry.objects.get(round=county, union__code="QS-016"), dt.date(2026, 6, 30))[0]
    union = signed_in("qs-016")
    union.post(f"/tasks/{task.pk}/evidence/", {"file": SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10)})
    union.post(f"/tasks/{task.pk}/transition/", {"to": "done"})
    signed_in("assessor").post(f"/tasks/{task.pk}/transition/", {"to": "accepted", "note": "核实无误"})
    text = signed_in("admin").get("/audit/?union=QS-016").content.decode()
    for action in ("上传佐证材料", "整改完成，提请复查", "复查销号", "核查核定"):  # in words, without the codes beside them
        assert f'<td class="what">{action}</td>' in text, action
    assert "<code>" not in text
    assert "待复查 → 已销号（核实无误）" in text


@pytest.mark.parametrize("model", [Version, AuditEvent, TaskEvent, Evidence, Publication, PublishedResult])
def test_the_django_admin_changes_and_deletes_no_record(county: Round, model: type) -> None:
    model_admin = admin.site.get_model_admin(model)
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="admin")
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_an_audit_event_cannot_be_deleted_in_the_django_admin(county: Round) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    answer = signed_in("admin").post(f"/admin/service/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 403 and AuditEvent.objects.filter(pk=event.pk).exists()


def test_changes_to_accounts_are_recorded_with_who_made_them(county: Round) -> None:
    """A password changed on the page, an account changed in the Django admin, a sign-in (not a change)."""
    before = AuditEvent.objects.count()
    union = Client()
    signed = union.post("/login/", {"username": "qs-016", "password": "unionscore-demo"})  # saves last_login: no event
    assert signed.status_code == 302
    assert AuditEvent.objects.count() == before
    done = union.post("/password/", {"old_password": "unionscore-demo", "new_password1": "Qingshan-2026-xinyuan",
                                     "new_password2": "Qingshan-2026-xinyuan"})
    assert done.status_code == 302
    changed = AuditEvent.objects.latest("id")
    assert (changed.action, changed.user.username, changed.summary) == ("account.change", "qs-016", "账号 qs-016：修改了密码")
    assert "Qingshan-2026" not in str(changed.detail)
    target = User.objects.get(username="qs-017")
    page = signed_in("admin").post(f"/admin/service/user/{target.pk}/change/", {
        "username": "qs-017", "role": "union", "federation": target.federation_id, "township": target.township_id or "",
        "union": target.union_id or "", "date_joined_0": "2025-01-01", "date_joined_1": "00:00:00"})
    assert page.status_code == 302, page.content.decode()[:500]
    deactivated = AuditEvent.objects.latest("id")
    assert deactivated.action == "account.change" and deactivated.user.username == "admin"
    assert deactivated.summary == "账号 qs-017：修改了启用状态"  # is_active left unticked on the form
    listed = signed_in("admin").get("/audit/?action=account.change").content.decode()
    assert "修改账号" in listed and "账号 qs-016：修改了密码" in listed
