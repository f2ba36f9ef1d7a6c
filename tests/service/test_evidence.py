"""Evidence uploads: kinds read from the content, a size limit, generated names outside the web root, scoped downloads."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clients import signed_in
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client

from service import evidence, tokens
from service.models import AuditEvent, Entry, Evidence, Round, Task, User

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "x")
    return buffer.getvalue()


@pytest.fixture
def task(county: Round, publish_tasks: Callable[..., list[Task]]) -> Task:
    return publish_tasks(Entry.objects.get(round=county, union__code="QS-016"), dt.date(2026, 6, 30))[0]


def bearer(username: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {tokens.issue(User.objects.get(username=username))[0]}"})


def upload(task: Task, name: str, content: bytes, username: str = "qs-016") -> Any:
    return bearer(username).post(f"/api/v1/tasks/{task.pk}/evidence", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("照片.jpg", JPG, "image/jpeg"), ("照片.JPEG", JPG, "image/jpeg"), ("公示栏.png", PNG, "image/png"),
    ("登记册.pdf", PDF, "application/pdf"),
    ("制度.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_photos_pdf_and_word_are_kept_under_a_generated_name_outside_the_web_root(task: Task, data_folder: Path, name: str,
                                                                                  content: bytes, kind: str) -> None:
    answer = upload(task, name, content)
    assert answer.status_code == 200, answer.content
    kept = Evidence.objects.get(pk=answer.json()["id"])
    assert (kept.original_name, kept.content_type, kept.size) == (name, kind, len(content))
    assert kept.stored_name != name and kept.stored_name.isascii() and len(kept.stored_name.split(".")[0]) == 32
    assert (data_folder / "evidence" / kept.stored_name).read_bytes() == content
    assert (data_folder / "evidence" / kept.stored_name).stat().st_mode & 0o077 == 0  # the service's account only


@pytest.mark.parametrize(("name", "content", "status", "message"), [
    ("setup.pdf", EXE, 415, "文件“setup.pdf”不是照片（JPG、PNG）、PDF 或 Word（.docx）文件，未保存"),
    ("报告.docx", plain_zip(), 415, "文件“报告.docx”不是照片（JPG、PNG）、PDF 或 Word（.docx）文件，未保存"),
    ("照片.pdf", PNG, 415, "文件“照片.pdf”的扩展名与内容不符（内容是 PNG 文件），未保存；请改正文件名后再上传"),
    ("page.html", b"<html><script>alert(1)</script>", 415, "文件“page.html”不是照片（JPG、PNG）、PDF 或 Word（.docx）文件，未保存"),
])
def test_wrong_kinds_are_refused_by_their_content(task: Task, data_folder: Path, name: str, content: bytes, status: int,
                                                 message: str) -> None:
    answer = upload(task, name, content)
    assert (answer.status_code, answer.json()) == (status, {"detail": message})
    assert not Evidence.objects.exists() and not list((data_folder / "evidence").glob("*"))


def test_a_file_over_ten_megabytes_is_refused_and_never_written(task: Task, data_folder: Path) -> None:
    answer = upload(task, "大照片.png", PNG + b"\x00" * evidence.MAX_BYTES)
    assert answer.status_code == 413 and answer.json()["detail"] == "文件超过 10 MB，未保存；请压缩照片或分成几个文件上传"
    assert not Evidence.objects.exists() and not list((data_folder / "evidence").glob("*"))
    assert upload(task, "刚好.png", PNG + b"\x00" * (evidence.MAX_BYTES - len(PNG))).status_code == 200  # exactly 10 MB is fine


def test_one_file_at_a_time(task: Task, data_folder: Path) -> None:
    """Django spools up to 100 files of a request to disk before any view runs; evidence comes one at a time."""
    files = [SimpleUploadedFile(f"照片{n}.png", PNG) for n in range(2)]
    answer = bearer("qs-016").post(f"/api/v1/tasks/{task.pk}/evidence", {"file": files})
    assert (answer.status_code, answer.json()) == (400, {"detail": "请求中的文件或字段过多：每次上传一个文件，未保存"})
    page = signed_in("qs-016").post(f"/tasks/{task.pk}/evidence/", {"file": [SimpleUploadedFile(f"照片{n}.png", PNG) for n in range(2)]})
    assert page.status_code == 400 and "请求有误，未保存" in page.content.decode()
    assert not Evidence.objects.exists() and not list((data_folder / "evidence").glob("*"))


@pytest.mark.parametrize("name", ["../../x.pdf", "..\\..\\windows\\x.pdf", "/etc/passwd.pdf", "a/../../../x.pdf", "\x00x\n.pdf"])
def test_path_like_names_are_labels_only(task: Task, data_folder: Path, name: str) -> None:
    answer = upload(task, name, PDF)
    assert answer.status_code == 200, answer.content
    kept = Evidence.objects.get()
    assert "/" not in kept.original_name and "\\" not in kept.original_name and "\x00" not in kept.original_name
    assert kept.original_name.endswith(".pdf")
    assert [p.name for p in (data_folder / "evidence").iterdir()] == [kept.stored_name]
    assert not (data_folder.parent / "x.pdf").exists()


def test_another_union_s_task_does_not_exist_for_it(task: Task) -> None:
    assert upload(task, "x.pdf", PDF, "qs-017").status_code == 404
    assert upload(task, "x.pdf", PDF, "t-qingshan").status_code == 403  # sees the union, uploads nothing
    assert upload(task, "x.pdf", PDF, "assessor").status_code == 403
    assert bearer("qs-016").post("/api/v1/tasks/999999/evidence", {"file": SimpleUploadedFile("x.pdf", PDF)}).status_code == 404
    assert not Evidence.objects.exists()


def test_no_upload_once_the_task_is_with_the_assessor(task: Task) -> None:
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)
    answer = upload(task, "x.pdf", PDF)
    assert answer.status_code == 409 and answer.json()["detail"] == "整改任务现为“待复查”，不能再上传佐证材料"
    missing = bearer("qs-016").post(f"/api/v1/tasks/{task.pk}/evidence", {})
    assert missing.status_code == 409  # the task's state is checked first


def test_downloads_are_attachments_for_those_who_may_see_the_union(task: Task) -> None:
    kept = upload(task, "../公示栏<script>.png", PNG).json()
    for username, status in (("qs-016", 200), ("t-qingshan", 200), ("assessor", 200), ("qs-017", 404), ("t-chengguan", 404)):
        client = signed_in(username)
        answer = client.get(kept["url"])
        assert answer.status_code == status, username
        if status == 200:
            assert b"".join(answer.streaming_content) == PNG  # type: ignore[attr-defined]
            assert answer["Content-Type"] == "image/png" and answer["X-Content-Type-Options"] == "nosniff"
            assert answer["Content-Disposition"].startswith('attachment; filename="')
            assert "/" not in answer["Content-Disposition"].split("filename=")[1].split(";")[0]
    assert Client().get(kept["url"]).status_code == 302  # to the sign-in page


def task_block(page: str, task: Task) -> tuple[str, str]:
    """The task's own block on the tasks page, and the page above the list."""
    above, tasks = page.split('<ol class="gaps tasks">')
    return tasks.split(f'<li id="task-{task.pk}">')[1].split('<li id="task-')[0], above


def test_the_page_uploads_and_says_what_was_wrong_beside_the_task(task: Task, county: Round) -> None:
    """The page comes back at the task (#task-N): what the upload said is there, not at the top, out of sight on a phone."""
    client = signed_in("qs-016")
    done = client.post(f"/tasks/{task.pk}/evidence/", {"file": SimpleUploadedFile("setup.pdf", EXE)}, follow=True)
    assert done.redirect_chain[-1][0].endswith(f"#task-{task.pk}")
    block, above = task_block(done.content.decode(), task)
    wrong = "文件“setup.pdf”不是照片（JPG、PNG）、PDF 或 Word（.docx）文件，未保存"
    assert wrong in block and wrong not in above
    done = client.post(f"/tasks/{task.pk}/evidence/", {"file": SimpleUploadedFile("公示栏.png", PNG)}, follow=True)
    block, above = task_block(done.content.decode(), task)
    assert f"已上传“公示栏.png”（{filesizeformat(len(PNG))}）" in block and "已上传" not in above and Evidence.objects.count() == 1


def withdraw(kept: dict[str, Any], username: str = "qs-016") -> Any:
    return bearer(username).post(f"/api/v1/evidence/{kept['id']}/withdraw")


def test_a_file_uploaded_by_mistake_is_withdrawn_kept_and_no_longer_counted(task: Task, data_folder: Path) -> None:
    wrong, right = upload(task, "家里的照片.jpg", JPG).json(), upload(task, "公示栏.png", PNG).json()
    answer = withdraw(wrong)
    assert answer.status_code == 200, answer.content
    assert answer.json()["withdrawn_by"] == "qs-016" and answer.json()["withdrawn_at"]
    listed = bearer("qs-016").get(f"/api/v1/rounds/{task.entry.round_id}/unions/QS-016/tasks").json()
    mine = next(t for t in listed if t["id"] == task.pk)
    assert [e["name"] for e in mine["evidence"]] == ["公示栏.png"] and [e["name"] for e in mine["withdrawn"]] == ["家里的照片.jpg"]
    kept = Evidence.objects.get(pk=wrong["id"])  # nothing deleted: the record and the file stay
    assert (data_folder / "evidence" / kept.stored_name).read_bytes() == JPG
    assert withdraw(wrong).json()["detail"] == "佐证材料“家里的照片.jpg”已撤回"
    withdraw(right)
    done = bearer("qs-016").post(f"/api/v1/tasks/{task.pk}/transition", {"to": "done"}, content_type="application/json")
    assert (done.status_code, done.json()["detail"]) == (409, "请先上传佐证材料（照片、PDF 或 Word 文件），再提请复查")
    assert AuditEvent.objects.filter(action="evidence.withdraw", union=task.entry.union).count() == 2


def test_only_the_union_withdraws_and_only_while_the_task_is_its_own_to_work_on(task: Task) -> None:
    kept = upload(task, "x.pdf", PDF).json()
    assert withdraw(kept, "qs-017").status_code == 404
    assert withdraw(kept, "assessor").json()["detail"] == "佐证材料由整改单位本单位账号撤回"
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)
    answer = withdraw(kept)
    assert (answer.status_code, answer.json()["detail"]) == (409, "整改任务现为“待复查”，不能再撤回佐证材料")
    assert Evidence.objects.get(pk=kept["id"]).withdrawn_at is None


def test_the_page_withdraws_beside_the_task_and_lists_what_was_withdrawn(task: Task) -> None:
    kept = upload(task, "传错了.pdf", PDF).json()
    client = signed_in("qs-016")
    assert f'action="/evidence/{kept["id"]}/withdraw/"' in task_block(client.get(f"/rounds/{task.entry.round_id}/QS-016/tasks/").content.decode(), task)[0]
    done = client.post(f"/evidence/{kept['id']}/withdraw/", follow=True)
    assert done.redirect_chain[-1][0].endswith(f"#task-{task.pk}")
    block, _ = task_block(done.content.decode(), task)
    assert "已撤回“传错了.pdf”：不再作为佐证材料，上传记录仍保留。" in block
    assert "<dt>已上传</dt><dd>无</dd>" in block and "<dt>已撤回</dt>" in block and "由 qs-016 撤回" in block
    assessor = signed_in("assessor").get(f"/rounds/{task.entry.round_id}/QS-016/tasks/").content.decode()
    assert "/withdraw/" not in assessor and "传错了.pdf" in assessor  # the assessor sees what was withdrawn, and cannot withdraw
