"""The Django app of the service."""
from __future__ import annotations

from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "service"
    verbose_name = "基层工会考核评价"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import account_audit  # noqa: F401  (connects the account signals)
