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


class Federation(models.Model):
    """A county federation (or any level above the unions: a city, a sector)."""

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=20, default="县总工会")

    class Meta:
        verbose_name = verbose_name_plural = "上级工会"

    def __str__(self) -> str:
        return self.name


class Township(models.Model):
    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="townships", verbose_name="上级工会")
    name = models.CharField("名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "乡镇（街道）"
        constraints = [models.UniqueConstraint(fields=["federation", "name"], name="township_unique_name")]

    def __str__(self) -> str:
        return self.name


class Union(models.Model):
    """A grassroots union; `code` is its id in fact files (QS-016)."""

    federation = models.ForeignKey(Federation, on_delete=models.PROTECT, related_name="unions", verbose_name="上级工会")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, null=True, blank=True, related_name="unions", verbose_name="乡镇（街道）")
    code = models.CharField("编号", max_length=64)
    name = models.CharField("名称", max_length=200)
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


class Version(models.Model):
    """One save of a union's facts: never changed once written."""

    class Kind(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "提交"
        IMPORTED = "imported", "导入"

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="versions", verbose_name="参评单位")
    number = models.PositiveIntegerField("版本")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    facts: Any = models.JSONField("事实", default=dict)  # a fact document: {"union": …, "period": …, "facts": {…}}
    result: Any = models.JSONField("评估结果", null=True, blank=True)  # as `assess --format json`; null when the facts do not check
    problems: Any = models.JSONField("问题", default=list)  # [{"field", "message"}]
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
