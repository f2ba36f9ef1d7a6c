"""What the service keeps: federations, townships, unions, accounts, rounds, and every version of every record.

A `Round` is one assessment year of one federation with its rulesets (id, version, hash as they were
when the round opened). An `Entry` is a union's place in a round; each save of its facts is a new
`Version` (who, when, the facts as a fact document, the result computed from them) and nothing is
ever updated or deleted: the latest version is the record, the earlier ones its history.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import QuerySet

CODE_LENGTH, NAME_LENGTH, TOWNSHIP_LENGTH = 64, 200, 100  # a union's code and name, a township's name


class Federation(models.Model):
    """A county federation (or any level above the unions: a city, a sector)."""

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=20, default="县总工会")

    class Meta:
        verbose_name = verbose_name_plural = "上级工会"

    def __str__(self) -> str:
        return self.name

    @property
    def issuer(self) -> str:
        """Who signs and reviews: the federation as a body, 「青山县总工会」 for the county 「青山县」."""
        return self.name if self.name.endswith("工会") else f"{self.name}总工会"


class Township(models.Model):
    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="townships", verbose_name="上级工会")
    name = models.CharField("名称", max_length=TOWNSHIP_LENGTH)

    class Meta:
        verbose_name = verbose_name_plural = "乡镇（街道）"
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="township_unique_name")]

    def __str__(self) -> str:
        return self.name


class Union(models.Model):
    """A grassroots union; `code` is its id in fact files (QS-016)."""

    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="unions", verbose_name="上级工会")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, null=True, blank=True, related_name="unions", verbose_name="乡镇（街道）")
    code = models.CharField("编号", max_length=CODE_LENGTH)
    name = models.CharField("名称", max_length=NAME_LENGTH)
    type = models.CharField("类型", max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "基层工会"
        constraints = [models.UniqueConstraint(fields=["federation", "code"], name="union_unique_code")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def header(self) -> dict[str, str]:
        """The union header of a fact document."""
        found = {"id": self.code, "name": self.name, "type": self.type, "county": self.federation.name}
        return found | ({"township": self.township.name} if self.township else {})


def record_problem(header: dict[str, Any]) -> tuple[str, str] | None:
    """The field of a union's header that cannot be its record here, and why; or None. The pages are addressed by the code
    (/rounds/1/QS-016/), so it may not hold a / (no address could name it, and every list linking it would
    fail) nor be . or ..; and the code, the name and the township fit their columns (PostgreSQL refuses a
    longer value, and the whole import stopped)."""
    code = str(header["id"])
    if "/" in code or code in (".", ".."):
        return "id", f"编号 “{code}” 不能用作网页地址（不能含有 “/”，也不能是 “.” 或 “..”），请修改编号后再导入"
    for field, label, most in (("id", "编号", CODE_LENGTH), ("name", "名称", NAME_LENGTH), ("township", "乡镇（街道）", TOWNSHIP_LENGTH)):
        value = str(header.get(field) or "")
        if len(value) > most:
            return field, f"{label} “{value[:20]}…” 过长：最多 {most} 个字符，请修改后再导入"
    return None


class Role(models.TextChoices):
    ADMIN = "admin", "县总工会管理员"
    ASSESSOR = "assessor", "考核人员"
    TOWNSHIP = "township", "乡镇（街道）工会"
    UNION = "union", "基层工会"


class User(AbstractUser):
    """An account: a role and the federation, township or union it belongs to."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.UNION)
    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, null=True, blank=True, verbose_name="上级工会")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, null=True, blank=True, verbose_name="乡镇（街道）")
    union = models.ForeignKey(Union, on_delete=models.PROTECT, null=True, blank=True, verbose_name="基层工会")
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "账号"


class Round(models.Model):
    """One assessment year of one federation."""

    class Status(models.TextChoices):
        OPEN = "open", "填报中"
        CLOSED = "closed", "已截止"
        PUBLISHED = "published", "已发布"

    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="rounds", verbose_name="上级工会")
    year = models.PositiveIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    rulesets = models.JSONField("规则集", default=list)  # [{"id", "name", "version", "hash"}], as when the round opened
    deadline = models.DateField("填报截止日期", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核年度"
        constraints = [models.UniqueConstraint(fields=["federation", "year"], name="round_unique_year")]
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.title

    def ruleset_ids(self) -> list[str]:
        return [entry["id"] for entry in self.rulesets]


class Entry(models.Model):
    """A union's place in a round; its versions are its record."""

    class Status(models.TextChoices):
        EMPTY = "empty", "未填报"
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        VERIFIED = "verified", "已核查"
        PUBLISHED = "published", "已发布"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="entries", verbose_name="考核年度")
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="entries", verbose_name="基层工会")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.EMPTY)

    class Meta:
        verbose_name = verbose_name_plural = "参评单位"
        constraints = [models.UniqueConstraint(fields=["round", "union"], name="entry_unique_union")]

    def __str__(self) -> str:
        return f"{self.round} {self.union}"

    def latest(self) -> Version | None:
        return self.versions.order_by("-number").first()

    def standing(self) -> QuerySet[Version]:
        """The versions that may stand for the entry (`standing_versions`), newest first."""
        return standing_versions().filter(entry=self).order_by("-number")

    def standing_latest(self) -> Version | None:
        """The newest version that stands for the entry (see `standing`), as its pages head it."""
        return self.standing().first()


def standing_versions() -> QuerySet[Version]:
    """The versions that may stand for their entry: all of them, except that once an entry's results are published a
    draft its union left unsubmitted does not (the published version stands, or a 销号's after it)."""
    return Version.objects.exclude(kind=Version.Kind.DRAFT, entry__status=Entry.Status.PUBLISHED)


class Version(models.Model):
    """One save of a union's facts: never changed once written."""

    class Kind(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "提交"
        IMPORTED = "imported", "导入"
        VERIFIED = "verified", "核定"  # the inspection's facts: the self-report with what it found different
        ARCHIVED = "archived", "历年结果"  # a result from a past `batch` run (results.jsonl), without its facts

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="versions", verbose_name="参评单位")
    number = models.PositiveIntegerField("版本")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    facts: Any = models.JSONField("事实", default=dict)  # a fact document: {"union": …, "period": …, "facts": {…}}
    result: Any = models.JSONField("评估结果", null=True, blank=True)  # as `assess --format json`; null when the facts do not check
    problems: Any = models.JSONField("问题", default=list)  # [{"field", "message"}]
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name="依据的版本")  # a verified version: the version it starts from
    notes: Any = models.JSONField("核查说明", default=dict)  # a verified version: {fact: {"method", "note"}} per changed fact
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, verbose_name="保存人")
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "版本"
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="version_unique_number")]
        ordering = ["entry", "number"]

    def __str__(self) -> str:
        return f"{self.entry} 第 {self.number} 版"


class ApiToken(models.Model):
    """A bearer token for the API, stored as its SHA-256 only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens", verbose_name="账号")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"


class Publication(models.Model):
    """A round's verified results made public: each entry's version at that moment, frozen for good.

    Versions are never changed, so freezing is pointing at them; a later verification or an accepted
    整改 task makes a new version and leaves the published one as it was."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="publications", verbose_name="考核年度")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="发布人")
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "结果发布"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["round"], name="round_published_once")]  # two at once (PostgreSQL): one kept

    def __str__(self) -> str:
        return f"{self.round} 发布于 {self.created_at:%Y-%m-%d %H:%M}"


class PublishedResult(models.Model):
    """One entry's result in a publication: the version that was published, and the result as published
    where levels held by rank in a cohort (decided over the whole round) make it differ from the version's own."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="results", verbose_name="结果发布")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="published", verbose_name="参评单位")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+", verbose_name="版本")
    ranked: Any = models.JSONField("按排名定级后的结果", null=True, blank=True)  # null: the version's result as it is

    @property
    def result(self) -> Any:
        return self.ranked if self.ranked is not None else self.version.result

    class Meta:
        verbose_name = verbose_name_plural = "发布的结果"
        constraints = [models.UniqueConstraint(fields=["publication", "entry"], name="published_once")]


class Task(models.Model):
    """One step of a union's 整改 plan, from a publication, carried to 销号."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        DONE = "done", "待复查"
        RETURNED = "returned", "已退回"
        ACCEPTED = "accepted", "已销号"

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="tasks", verbose_name="参评单位")
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="tasks", verbose_name="结果发布")
    ruleset = models.CharField("规则集", max_length=64)
    item = models.CharField("指标", max_length=128)  # the plan step's id: an item, a veto or "gate"
    name = models.CharField("整改事项", max_length=300)
    step: Any = models.JSONField("整改步骤", default=dict)  # the plan step as in the result's JSON: target, changes, evidence …
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改任务"
        ordering = ["entry", "deadline", "id"]

    def __str__(self) -> str:
        return f"{self.entry.union} {self.name}"


class TaskEvent(models.Model):
    """A task's change of status, with who, when and why (复查意见)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="events", verbose_name="整改任务")
    status = models.CharField("新状态", max_length=20, choices=Task.Status.choices)
    note = models.TextField("说明", blank=True)
    version = models.ForeignKey(Version, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="销号后的核定版本")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="操作人")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改任务记录"
        ordering = ["task", "created_at", "id"]


class Evidence(models.Model):
    """A file a union uploaded for a task, stored outside the web root under a generated name."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="evidence", verbose_name="整改任务")
    original_name = models.CharField("原文件名", max_length=255)
    stored_name = models.CharField("存储名", max_length=80, unique=True)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="撤回人")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)  # a withdrawn file is kept, no longer counted

    class Meta:
        verbose_name = verbose_name_plural = "整改佐证材料"
        ordering = ["task", "created_at", "id"]


class AuditEvent(models.Model):
    """One change to facts, results, tasks or accounts: who, when, what. Only ever added."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人")
    action = models.CharField("操作", max_length=40)
    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, null=True, blank=True, verbose_name="上级工会")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, null=True, blank=True, verbose_name="考核年度")
    union = models.ForeignKey(Union, on_delete=models.PROTECT, null=True, blank=True, verbose_name="基层工会")
    summary = models.CharField("摘要", max_length=300)
    detail: Any = models.JSONField("详情", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "操作记录"
        ordering = ["-created_at", "-id"]
