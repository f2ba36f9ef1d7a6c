"""The Django admin: the county admin's back office for accounts, unions and rounds. What is a record (versions,
publications, 整改 task events, evidence, the audit trail) can be looked at here but never added, changed or deleted."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    AuditEvent,
    Entry,
    Evidence,
    Federation,
    Publication,
    PublishedResult,
    Round,
    TaskEvent,
    Township,
    Union,
    User,
    Version,
)


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ("username", "role", "federation", "township", "union", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("单位", {"fields": ("role", "federation", "township", "union", "must_change_password")}))


class RecordAdmin(admin.ModelAdmin):
    """A record: shown, never added, changed or deleted here (only superseded by a new one, through the service)."""

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Version)
class VersionAdmin(RecordAdmin):
    list_display = ("entry", "number", "kind", "created_by", "created_at")
    readonly_fields = ("entry", "number", "kind", "facts", "result", "problems", "based_on", "notes", "created_by", "created_at")


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    list_display = ("created_at", "user", "action", "union", "summary")
    list_filter = ("action",)


@admin.register(TaskEvent)
class TaskEventAdmin(RecordAdmin):
    list_display = ("task", "status", "created_by", "created_at")


@admin.register(Evidence)
class EvidenceAdmin(RecordAdmin):
    list_display = ("task", "original_name", "content_type", "size", "created_by", "created_at")


@admin.register(Publication)
class PublicationAdmin(RecordAdmin):
    list_display = ("round", "created_by", "created_at")


@admin.register(PublishedResult)
class PublishedResultAdmin(RecordAdmin):
    list_display = ("publication", "entry", "version")


admin.site.register([Federation, Township, Union, Round, Entry])
admin.site.site_header = admin.site.site_title = "unionscore 管理"
