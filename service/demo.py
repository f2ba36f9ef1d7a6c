"""`unionscore serve --demo`: the example county as the 2025 round, with accounts anyone may use.

The demo database (unionscore-demo.sqlite3 in the current folder) is made once and reused.
Every demo account has the password DEMO_PASSWORD: admin, assessor, the township accounts
named after their township (t-qingshan for 青山镇) and each example union by its id in lower
case (qs-016). They exist only in demo databases: `unionscore db import` gives real accounts
one-time passwords.
"""
from __future__ import annotations

from pathlib import Path

from engine.load.loader import bundled_ids

from .importing import import_round, new_account
from .models import Federation, Role, Township, User

DEMO_PASSWORD = "unionscore-demo"
COUNTY = Path(__file__).resolve().parent.parent / "facts" / "qingshan"
TOWNSHIPS = {"城关街道": "t-chengguan", "青山镇": "t-qingshan", "河口镇": "t-hekou", "柳林乡": "t-liulin", "石桥镇": "t-shiqiao"}


def ensure_demo() -> list[str]:
    """The demo county in the (migrated) database, made if missing; its account lines to print."""
    if not Federation.objects.exists():
        make_demo()
    return [f"{user.username:<14}{Role(user.role).label}　{user.union or user.township or user.federation}"
            for user in User.objects.order_by("role", "username").select_related("union", "township", "federation")]


def make_demo() -> None:
    imported = import_round([COUNTY], 2025, list(bundled_ids()), accounts=False)  # the demo's are named, one password
    federation = imported.round.federation
    for township in Township.objects.filter(federation=federation):
        new_account(TOWNSHIPS.get(township.name, f"t-{township.pk}"), Role.TOWNSHIP, federation, township=township, password=DEMO_PASSWORD)
    for union in federation.unions.select_related("township"):
        new_account(union.code.lower(), Role.UNION, federation, union=union, township=union.township, password=DEMO_PASSWORD)
    new_account("admin", Role.ADMIN, federation, password=DEMO_PASSWORD)
    new_account("assessor", Role.ASSESSOR, federation, password=DEMO_PASSWORD)
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
