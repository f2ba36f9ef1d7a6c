"""The Django admin: the county admin's back office for accounts, unions and rounds (versions are read-only)."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Entry, Federation, Round, Township, Union, User, Version


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = ("username", "role", "federation", "township", "union", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("单位", {"fields": ("role", "federation", "township", "union", "must_change_password")}))


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ("entry", "number", "kind", "created_by", "created_at")
    readonly_fields = ("entry", "number", "kind", "facts", "result", "problems", "created_by", "created_at")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


admin.site.register([Federation, Township, Union, Round, Entry])
admin.site.site_header = admin.site.site_title = "unionscore 管理"
