"""Changes to accounts in the audit trail, wherever they are made: the pages, `db import`, the Django admin.

Account saves happen in Django's own code (sign-in, password forms, the admin), so they are caught with
model signals. Who made the change comes from `audit.ACTOR`, which `audit.ActorMiddleware` sets for each
request (a command-line import has none). A sign-in's own saves are not changes: Django saves last_login,
and re-hashes a password whose hashing settings are out of date (update_fields limited to those two). A
password is named as changed, never shown.
"""
from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from . import audit
from .models import Role, User

WATCHED = {"username": "账号名", "password": "密码", "role": "角色", "is_active": "启用状态", "federation_id": "上级工会",
           "township_id": "乡镇（街道）", "union_id": "基层工会", "must_change_password": "须修改初始密码",
           "is_staff": "后台权限", "is_superuser": "超级管理员"}
SIGN_IN_ONLY = frozenset({"last_login", "password"})  # what Django saves by itself at sign-in


def skipped(update_fields: Any) -> bool:
    return update_fields is not None and set(update_fields) <= SIGN_IN_ONLY


@receiver(pre_save, sender=User)
def remember(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """The account as stored, to compare with what is saved."""
    if instance.pk and not skipped(update_fields):
        instance._stored = User.objects.filter(pk=instance.pk).values(*WATCHED).first()  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def record_save(sender: type[User], instance: User, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    if skipped(update_fields):
        return
    stored = getattr(instance, "_stored", None)
    changed = [label for name, label in WATCHED.items() if stored is not None and stored[name] != getattr(instance, name)]
    role = Role(instance.role).label if instance.role in Role.values else instance.role
    if created or stored is None:
        audit.record(audit.actor(), "account.create", f"新建账号 {instance.username}（{role}）", federation=instance.federation,
                     union=instance.union, account=instance.username)
    elif changed:
        audit.record(audit.actor(), "account.change", f"账号 {instance.username}：修改了{'、'.join(changed)}",
                     federation=instance.federation, union=instance.union, account=instance.username, fields=changed)


@receiver(post_delete, sender=User)
def record_delete(sender: type[User], instance: User, **kwargs: Any) -> None:
    audit.record(audit.actor(), "account.delete", f"删除账号 {instance.username}", federation=instance.federation,
                 account=instance.username)
