"""A task's evidence: the files a union uploads to show its 整改 is done.

Accepted: photos (JPEG, PNG), PDF and Word (.docx), at most MAX_BYTES (10 MB) each. The kind is read
from the file's first bytes (its magic number; a .docx must also be a zip holding word/document.xml),
and the name's extension must agree with it: an .exe renamed .pdf is refused. A file is stored
outside the web root, in settings.DATA / "evidence", under a generated name (random hex and the
extension of its kind); the name it was uploaded with is kept only as a label, never used as a
path. It is served only to accounts that may see the union, as an attachment with a safe name. A union may
withdraw a file it uploaded by mistake while the task is its to work on: the file and its record are kept,
shown as withdrawn, and no longer count as evidence.

Django hands a large upload to `SizeLimit` (settings.FILE_UPLOAD_HANDLERS) before any other
handler: beyond the limit the rest of the file is skipped, never written to a temporary file.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from . import access, audit
from .models import Evidence, Role, Task, User
from .tasks import TaskError, check_actor

MAX_BYTES = 10 * 2**20
MAX_MB = MAX_BYTES // 2**20
KINDS = {  # kind → (its content type, the extensions a name of it may have)
    "jpg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
}
EXTENSION = {content_type: extensions[0] for content_type, extensions in KINDS.values()}
ACCEPTED_TEXT = "照片（JPG、PNG）、PDF 或 Word（.docx）文件"


class EvidenceRefused(TaskError):
    """An upload that is not kept: too big (413), of a kind not accepted (415), or none at all (422)."""


def refused(status: int, message: str) -> EvidenceRefused:
    error = EvidenceRefused(message)
    error.status = status
    error.field = "file" if status == 422 else ""
    return error


class SizeLimit(FileUploadHandler):
    """Counts each uploaded file's bytes; beyond MAX_BYTES skips the rest and marks the request."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            if self.request is not None:
                self.request.upload_too_big = True  # type: ignore[attr-defined]
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def folder() -> Path:
    """Where evidence is kept (made on first use, readable by the service's account only)."""
    path = Path(settings.DATA) / "evidence"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def kind_of(head: bytes, stream: IO[bytes]) -> str | None:
    """The file's kind from its content, or None when it is none of the accepted kinds."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if is_word(stream) else None
    return None


def is_word(stream: IO[bytes]) -> bool:
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def label(name: str) -> str:
    """The uploaded name as a label: its last part only, without control characters, at most 120 characters."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(c for c in unicodedata.normalize("NFC", last) if unicodedata.category(c)[0] != "C").strip(" .")
    return clean[-120:] or "佐证材料"


def checked_kind(upload: UploadedFile) -> str:
    """The upload's kind, refused when too big, of another kind, or named as another kind."""
    if (upload.size or 0) > MAX_BYTES:
        raise refused(413, f"文件“{label(upload.name or '')}”超过 {MAX_MB} MB，未保存；请压缩照片或分成几个文件上传")
    upload.seek(0)
    head = upload.read(8)
    kind = kind_of(head, upload)
    name = label(upload.name or "")
    if kind is None:
        raise refused(415, f"文件“{name}”不是{ACCEPTED_TEXT}，未保存")
    if not name.lower().endswith(KINDS[kind][1]):
        raise refused(415, f"文件“{name}”的扩展名与内容不符（内容是 {kind.upper()} 文件），未保存；请改正文件名后再上传")
    return kind


def check_upload(user: User, task: Task, doing: str = "上传") -> None:
    """Only the union itself adds or withdraws evidence, and only while the task is its to work on."""
    check_actor(user, task)
    if user.role != Role.UNION:
        raise access.Refused(f"佐证材料由整改单位本单位账号{doing}")
    if task.status not in (Task.Status.OPEN, Task.Status.RETURNED):
        raise TaskError(f"整改任务现为“{Task.Status(task.status).label}”，不能再{doing}佐证材料")


def upload(user: User, task: Task, file: UploadedFile | None, too_big: bool = False) -> Evidence:
    """Keep one uploaded file as evidence of the task (under a generated name), audited."""
    check_upload(user, task)
    if too_big:
        raise refused(413, f"文件超过 {MAX_MB} MB，未保存；请压缩照片或分成几个文件上传")
    if file is None:
        raise refused(422, f"请选择要上传的文件：{ACCEPTED_TEXT}，每个不超过 {MAX_MB} MB")
    kind = checked_kind(file)
    content_type, extensions = KINDS[kind]
    stored = f"{secrets.token_hex(16)}{extensions[0]}"
    digest, size = write(folder() / stored, file)
    with transaction.atomic():
        evidence = Evidence.objects.create(task=task, original_name=label(file.name or ""), stored_name=stored,
                                           content_type=content_type, size=size, sha256=digest, created_by=user)
        audit.record(user, "evidence.upload", f"{task.entry.union}：为整改任务“{task.name}”上传佐证材料“{evidence.original_name}”",
                     round_=task.entry.round, union=task.entry.union, task=task.pk, evidence=evidence.pk,
                     name=evidence.original_name, size=size, sha256=digest)
    return evidence


def withdraw(user: User, evidence_id: int) -> Evidence:
    """A file the union uploaded by mistake, taken back while the task is still its to work on. Nothing is
    deleted: the file and its record stay, shown as withdrawn, and no longer count as the task's evidence."""
    found = evidence_for(user, evidence_id)
    check_upload(user, found.task, "撤回")
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("entry__union", "entry__round").get(pk=found.task_id)
        check_upload(user, task, "撤回")  # again under the lock: a submission for review may have come first
        now = timezone.now()
        if not Evidence.objects.filter(pk=found.pk, withdrawn_at__isnull=True).update(withdrawn_at=now, withdrawn_by=user):
            raise TaskError(f"佐证材料“{found.original_name}”已撤回")
        found.withdrawn_at, found.withdrawn_by = now, user
        audit.record(user, "evidence.withdraw", f"{task.entry.union}：撤回整改任务“{task.name}”的佐证材料“{found.original_name}”",
                     round_=task.entry.round, union=task.entry.union, task=task.pk, evidence=found.pk, name=found.original_name)
    return found


def current(task: Task) -> list[Evidence]:
    """The task's evidence not withdrawn (from the prefetched set when there is one)."""
    return [found for found in task.evidence.all() if found.withdrawn_at is None]


def withdrawn(task: Task) -> list[Evidence]:
    return [found for found in task.evidence.all() if found.withdrawn_at is not None]


def write(path: Path, file: UploadedFile) -> tuple[str, int]:
    """The file written to a new path (never over another), owner-readable; its SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in file.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def evidence_for(user: User, evidence_id: int) -> Evidence:
    """Evidence of a union the account may see (404 otherwise)."""
    found = (Evidence.objects.filter(pk=evidence_id, task__entry__union__in=access.unions(user),
                                     task__entry__round__in=access.rounds(user)).select_related("task").first())
    if found is None:
        raise Http404("没有这个佐证材料，或无权查看")
    return found


def path_of(evidence: Evidence) -> Path:
    """The stored file; its name was generated here, and is checked again to stay inside the folder."""
    root = folder().resolve()
    path = (root / evidence.stored_name).resolve()
    if path.parent != root:
        raise ValueError(f"佐证材料存储名异常：{evidence.stored_name}")
    return path
