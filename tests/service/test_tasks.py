"""The 整改 loop: a union's tasks from its plan, evidence, done, returned with a note, accepted (销号) and re-scored."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clients import assessed, signed_in
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from service import grader, rounds_admin, tokens, verification
from service.grader import GradingFailed
from service.models import AuditEvent, Entry, Round, Task, TaskEvent, User, Version
from service.result_page import cell

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LATER = dt.date(2026, 6, 30)


def bearer(username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username=username))[0]}"})


def entry_of(county: Round, code: str = "QS-016") -> Entry:
    return Entry.objects.select_related("union", "round").get(round=county, union__code=code)


def move(client: Client, task: Task, to: str, note: str = "") -> Any:
    return client.post(f"/api/v1/tasks/{task.pk}/transition", json.dumps({"to": to, "note": note}), content_type="application/json")


def upload(client: Client, task: Task, name: str = "公示栏.png", content: bytes = PNG) -> Any:
    return client.post(f"/api/v1/tasks/{task.pk}/evidence", {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def tasks(county: Round, publish_tasks: Callable[..., list[Task]]) -> list[Task]:
    return publish_tasks(entry_of(county), LATER)


def test_a_union_sees_its_tasks_from_its_plan_with_item_deadline_and_status(county: Round, tasks: list[Task]) -> None:
    answer = bearer("qs-016").get(f"/api/v1/rounds/{county.pk}/unions/qs-016/tasks")
    assert answer.status_code == 200
    listed = answer.json()
    assert [t["id"] for t in listed] == [t.pk for t in tasks]
    first = next(t for t in listed if t["item"] == "paizi.chair")
    assert first["deadline"] == "2026-06-30" and first["status"] == "open" and first["status_label"] == "整改中"
    assert first["evidence_expected"] == ["公示栏照片", "工会干部联系卡"] and first["target"].startswith("公示工会主席")
    page = signed_in("qs-016")
    text = page.get(f"/rounds/{county.pk}/QS-016/tasks/").content.decode()
    assert "工会主席亮身份" in text and "2026-06-30" in text and "公示栏照片" in text and "整改中" in text
    assert "<dt>考核标准</dt><dd>八有</dd>" in text and "paizi.chair" not in text  # the standard, not the item's code
    assert bearer("qs-017").get(f"/api/v1/rounds/{county.pk}/unions/qs-016/tasks").status_code == 404


def test_returned_with_a_note_then_accepted_rescores_as_assess_does(county: Round, tasks: list[Task], tmp_path: Path) -> None:
    union, assessor = bearer("qs-016"), bearer("assessor")
    task = next(t for t in tasks if t.item == "changsuo.library")  # two facts: library.exists, library.books
    entry = entry_of(county)
    before = entry.latest()
    assert before is not None
    assert upload(union, task).status_code == 200
    assert move(union, task, "done").json()["task"]["status"] == "done"
    refused = move(assessor, task, "returned")
    assert refused.status_code == 422 and refused.json() == [{"field": "note", "message": "退回须写明复查意见：哪些材料不足、还要做什么"}]
    assert move(assessor, task, "returned", "照片看不清藏书数量，请补登记册").json()["task"]["status"] == "returned"
    assert upload(union, task, "图书登记册.pdf", b"%PDF-1.7\n" + b"1" * 100).status_code == 200
    assert move(union, task, "done").status_code == 200
    accepted = move(assessor, task, "accepted", "登记册与现场一致")
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["task"]["status"] == "accepted" and body["version"] == before.number + 1
    version = Version.objects.get(entry=entry, number=body["version"])
    assert version.kind == Version.Kind.VERIFIED and version.based_on == before
    assert version.facts["facts"]["library.exists"] is True and version.facts["facts"]["library.books"] == 3000
    assert version.notes["library.books"] == {"method": "查阅资料", "note": "整改销号：建有职工书屋（每 500 册藏书得 1 分，3000 册满分）。登记册与现场一致"}
    bayou = {r["ruleset"]["id"]: r for r in version.result["results"]}["bayou"]
    old = {r["ruleset"]["id"]: r for r in before.result["results"]}["bayou"]
    assert bayou["score"] == old["score"] + 6  # the step's gain
    by_cli = {r["ruleset"]["id"]: r for r in assessed(entry, version.facts["facts"], tmp_path)["results"]}["bayou"]
    assert bayou["score"] == by_cli["score"]  # by hand: the CLI on the changed facts
    assert [e.status for e in TaskEvent.objects.filter(task=task)] == ["done", "returned", "done", "accepted"]
    assert Entry.objects.get(pk=entry.pk).status == Entry.Status.PUBLISHED  # the round stays published
    assert entry.published.get().version == before  # and what was published is what it was
    found = verification.reconciliation(entry)  # 销号 records facts as a verified version, but it is no inspection
    assert found is not None and found.verified_version is None and found.notes == {}


def test_accepting_brings_the_union_a_level_up_as_its_plan_said(county: Round, tasks: list[Task]) -> None:
    union, assessor = bearer("qs-016"), bearer("assessor")
    for task in [t for t in tasks if t.ruleset == "bayou"]:
        upload(union, task)
        assert move(union, task, "done").status_code == 200
        assert move(assessor, task, "accepted").status_code == 200
    latest = entry_of(county).latest()
    assert latest is not None
    bayou = latest.result["results"][0]
    assert (bayou["score"], bayou["level"]["name"]) == (61.55, "基本达标")  # plan.after_text: 八有 61.55 分（基本达标）
    page = signed_in("qs-016")
    text = page.get(f"/rounds/{county.pk}/QS-016/tasks/").content.decode()
    assert "50.55 分 不达标" in text and "61.55 分 基本达标" in text  # published, and 复核 now
    years = page.get("/unions/QS-016/history/").content.decode()  # the year as published, and what it is now
    assert re.search(r'data-label="八有">50.55 分 不达标<br><small class="muted">整改复核后 61.55 分 基本达标</small>', years)


def test_the_lists_show_the_published_score_and_label_the_one_a_closed_task_moved(county: Round, tasks: list[Task]) -> None:
    """The township's list showed QS-016 at 57.67 不达标 after a task was closed, with no word that the published result is
    54.67: it now shows the published score as 发布时 and the one after 销号 as 复核后, as the tasks page sets them."""
    union, assessor = bearer("qs-016"), bearer("assessor")
    task = next(t for t in tasks if t.ruleset == "bayou")
    upload(union, task)
    assert move(union, task, "done").status_code == 200 and move(assessor, task, "accepted").status_code == 200
    latest = entry_of(county).latest()
    assert latest is not None
    now = cell(latest.result["results"][0])
    assert now != "50.55 不达标"
    for user in ("t-qingshan", "assessor"):
        home = signed_in(user).get(f"/?round={county.pk}").content.decode()
        assert f'data-label="八有">发布时 50.55 不达标<br><small class="muted">复核后 {now}</small></td>' in home
        assert 'data-label="职工之家">31 不合格</td>' in home  # a standard no 销号 moved: as published, unlabelled


@pytest.mark.parametrize(("who", "to", "status", "expected"), [
    ("qs-016", "accepted", "done", 409),       # a union cannot close its own task
    ("assessor", "done", "open", 409),         # nor an assessor mark it done
    ("assessor", "accepted", "open", 409),     # nothing to re-check yet
    ("admin", "returned", "accepted", 409),    # 销号 is final
    ("qs-016", "done", "accepted", 409),
    ("qs-016", "finished", "open", 409),       # no such status
    ("t-qingshan", "accepted", "done", 403),   # a township sees but does not act
    ("qs-017", "done", "open", 404),           # another union's task does not exist for it
])
def test_only_the_state_machine_s_moves_are_made(tasks: list[Task], who: str, to: str, status: str, expected: int) -> None:
    task = tasks[0]
    Task.objects.filter(pk=task.pk).update(status=status)
    answer = move(bearer(who), task, to, "说明")
    assert answer.status_code == expected
    assert Task.objects.get(pk=task.pk).status == status and not TaskEvent.objects.filter(task=task).exists()
    if expected == 409:
        assert "整改任务现为" in answer.json()["detail"] or "不认识的状态" in answer.json()["detail"]


def test_marking_done_needs_evidence_first(tasks: list[Task]) -> None:
    answer = move(bearer("qs-016"), tasks[0], "done")
    assert answer.status_code == 409 and answer.json()["detail"] == "请先上传佐证材料（照片、PDF 或 Word 文件），再提请复查"


def test_the_pages_refuse_an_invalid_move_with_a_chinese_message(county: Round, tasks: list[Task]) -> None:
    page = signed_in("assessor")
    answer = page.post(f"/tasks/{tasks[0].pk}/transition/", {"to": "accepted"}, follow=True)
    assert "未变更：整改任务现为“整改中”，考核人员不能将其改为“已销号”" in answer.content.decode()
    assert Task.objects.get(pk=tasks[0].pk).status == "open"


def test_overdue_tasks_are_listed_per_township_for_the_county_and_township(county: Round, tasks: list[Task],
                                                                          publish_tasks: Callable[..., list[Task]]) -> None:
    other = entry_of(county, "QS-001")  # 城关街道
    publish_tasks(other, LATER)
    elsewhere = Task.objects.create(entry=other, publication=tasks[0].publication, ruleset="bayou", item=tasks[0].item,
                                    name=tasks[0].name, step=tasks[0].step, deadline=dt.date(2025, 1, 31))
    Task.objects.filter(pk=tasks[0].pk).update(deadline=dt.date(2025, 2, 1))
    Task.objects.filter(pk=tasks[1].pk).update(deadline=dt.date(2025, 2, 1), status=Task.Status.ACCEPTED)  # closed: not overdue
    seen = {}
    for username in ("assessor", "admin", "t-qingshan", "t-chengguan"):
        page = signed_in(username)
        text = page.get(f"/county/{county.pk}/overdue/").content.decode()
        seen[username] = {task.pk for task in (tasks[0], tasks[1], elsewhere) if f"#task-{task.pk}\"" in text}
    assert seen == {"assessor": {tasks[0].pk, elsewhere.pk}, "admin": {tasks[0].pk, elsewhere.pk},
                    "t-qingshan": {tasks[0].pk}, "t-chengguan": {elsewhere.pk}}
    union = signed_in("qs-016")
    assert union.get(f"/county/{county.pk}/overdue/").status_code == 403


def test_every_move_is_in_the_audit_trail(tasks: list[Task]) -> None:
    union, assessor = bearer("qs-016"), bearer("assessor")
    upload(union, tasks[0])
    move(union, tasks[0], "done")
    move(assessor, tasks[0], "returned", "材料不全")
    actions = list(AuditEvent.objects.filter(detail__task=tasks[0].pk).order_by("id").values_list("action", "user__username"))
    assert actions == [("evidence.upload", "qs-016"), ("task.done", "qs-016"), ("task.returned", "assessor")]
    assert "材料不全" in AuditEvent.objects.get(action="task.returned").summary


def test_a_grading_that_fails_at_sign_off_leaves_the_task_for_review(county: Round, tasks: list[Task],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """销号 grades the new facts in a worker; one that dies is said on the task page, not a server error."""
    task = next(t for t in tasks if t.item == "changsuo.library")
    union = bearer("qs-016")
    assert upload(union, task).status_code == 200 and move(union, task, "done").status_code == 200
    before = Version.objects.filter(entry=task.entry).count()

    def crash(*args: Any) -> None:
        raise GradingFailed("评估进程意外退出，本次保存未完成；请重试，仍不成功请联系管理员")

    monkeypatch.setattr(grader, "run", crash)
    page = Client(raise_request_exception=False)
    page.force_login(User.objects.get(username="assessor"))
    answer = page.post(f"/tasks/{task.pk}/transition/", {"to": "accepted"}, follow=True)
    assert answer.status_code == 200 and "未变更：评估进程意外退出，本次保存未完成" in answer.content.decode()
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE and Version.objects.filter(entry=task.entry).count() == before


def test_a_returned_task_goes_back_for_review_only_with_evidence_uploaded_after_the_return(tasks: list[Task]) -> None:
    """QS-016 pressed 整改完成，提请复查 again with the files the assessor had just returned, and the task was 待复查."""
    union, assessor = bearer("qs-016"), bearer("assessor")
    task = tasks[0]
    assert upload(union, task, "书屋1.png").status_code == 200 and upload(union, task, "书屋2.png").status_code == 200
    assert move(union, task, "done").status_code == 200
    returned = move(assessor, task, "returned", "照片看不清，请重新拍摄书屋全景")
    assert returned.json()["task"]["returned_at"] is not None
    again = move(union, task, "done")
    assert again.status_code == 409 and "照片看不清，请重新拍摄书屋全景" in again.json()["detail"]
    assert "退回后还没有上传新的佐证材料" in again.json()["detail"]
    mistake = upload(union, task, "传错了.png").json()
    assert bearer("qs-016").post(f"/api/v1/evidence/{mistake['id']}/withdraw").status_code == 200
    assert move(union, task, "done").status_code == 409  # a file withdrawn is no new evidence
    assert Task.objects.get(pk=task.pk).status == Task.Status.RETURNED
    assert upload(union, task, "书屋全景.png").status_code == 200
    assert move(union, task, "done").json()["task"]["status"] == "done"


def test_the_pages_refuse_a_resubmission_without_new_evidence_and_show_what_is_new(county: Round, tasks: list[Task]) -> None:
    union, assessor = bearer("qs-016"), bearer("assessor")
    task = tasks[0]
    upload(union, task, "书屋旧照.png")
    move(union, task, "done")
    move(assessor, task, "returned", "照片看不清，请重新拍摄书屋全景")
    page = signed_in("qs-016").post(f"/tasks/{task.pk}/transition/", {"to": "done"}, follow=True).content.decode()
    beside = page.split(f'id="task-{task.pk}"')[1].split("</li>")[0]  # said beside the task, where the page lands
    assert "未变更：整改任务已于" in beside and "退回后还没有上传新的佐证材料" in beside
    assert Task.objects.get(pk=task.pk).status == Task.Status.RETURNED
    upload(union, task, "书屋全景.png")
    move(union, task, "done")
    text = signed_in("assessor").get(f"/rounds/{county.pk}/QS-016/tasks/").content.decode()
    shown = re.sub(r"<[^>]+>", "", text.split(f'id="task-{task.pk}"')[1].split("<dt>已上传</dt>")[1].split("</dd>")[0])
    assert re.search(r"书屋旧照\.png（[^）]*）退回前上传", shown) and re.search(r"书屋全景\.png（[^）]*）退回后上传", shown)
    untouched = re.sub(r"<[^>]+>", "", text.split(f'id="task-{tasks[1].pk}"')[1].split("</li>")[0])
    assert "退回" not in untouched  # a task never returned marks nothing


def test_last_years_open_tasks_are_listed_on_the_new_year_s_tasks_page(county: Round, tasks: list[Task]) -> None:
    """After the next year opened, the union's home is the new round, whose 整改任务 tab said only
    「本年度还没有整改任务」 while last year's tasks were still open."""
    Task.objects.filter(pk=tasks[1].pk).update(status=Task.Status.ACCEPTED)  # done with: not listed
    following = rounds_admin.open_round(county.federation, User.objects.get(username="admin"), county.year + 1, ["bayou"], None, county)
    for username in ("qs-016", "t-qingshan", "assessor"):
        text = signed_in(username).get(f"/rounds/{following.pk}/QS-016/tasks/").content.decode()
        assert "本年度还没有整改任务" in text and "往年尚未销号的整改任务" in text
        assert f"{county.year} 年度还有 {len(tasks) - 1} 项整改任务尚未销号" in text
        assert f'href="/rounds/{county.pk}/QS-016/tasks/#task-{tasks[0].pk}"' in text and LATER.isoformat() in text
        assert f"#task-{tasks[1].pk}\"" not in text
    other = signed_in("qs-017").get(f"/rounds/{following.pk}/QS-017/tasks/").content.decode()
    assert "往年尚未销号的整改任务" not in other  # QS-017 has no task of its own
    assert "往年尚未销号的整改任务" not in signed_in("qs-016").get(f"/rounds/{county.pk}/QS-016/tasks/").content.decode()
