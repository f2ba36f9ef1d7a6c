"""A database made by an older unionscore is brought up to date by `migrate`, its data intact.

tests/service/data/0001-initial.sqlite3 was made with the first migration (service 0001_initial)
and holds a little of everything: a federation, a township, two unions, four accounts, a round,
entries, versions (imported, draft, submitted, one with problems and no result) and an API token.
The test migrates a copy as `unionscore serve` would (bootstrap.configure), then checks that every
row is still there with every value it had, that the accounts can still sign in, and that the
schema is the models' (no migration pending, no model change without a migration, every column).
Later migrations (0002 …) need no change here: they are what this test runs.

Keep the file: it stands for the databases counties already have. Only if 0001_initial itself
were ever changed (it must not be, once released), make it again with the same data:

    rm tests/service/data/0001-initial.sqlite3
    UNIONSCORE_DATA=$(mktemp -d) .venv/bin/python tests/service/test_migrations.py

(`make_kept` below writes through the models as they were at 0001, so it keeps working after 0002.)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

HERE = Path(__file__).resolve().parent
KEPT = HERE / "data" / "0001-initial.sqlite3"
REPO = HERE.parents[1]
PASSWORD = "kept-password-2025"
# run in another process, as the service starts: migrate, then read the data back through today's models
CHECK = """
import json, sys
from service import bootstrap
bootstrap.configure(sys.argv[1])
from django.apps import apps
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from service.models import Entry, Round, Union, User
executor = MigrationExecutor(connection)
with connection.cursor() as cursor:
    columns = {m._meta.db_table: [sorted(f.column for f in m._meta.local_concrete_fields),
                                  sorted(c.name for c in connection.introspection.get_table_description(cursor, m._meta.db_table))]
               for m in apps.get_app_config("service").get_models()}
try:
    call_command("makemigrations", "service", check=True, dry_run=True, verbosity=0)
    changes = False
except SystemExit:
    changes = True
entry = Entry.objects.get(union__code="QS-016")
print(json.dumps({
    "pending": [str(m) for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())],
    "changes": changes,
    "columns": columns,
    "sign_in": sorted(u.username for u in User.objects.all() if check_password(sys.argv[2], u.password)),
    "headers": [u.header() for u in Union.objects.select_related("federation", "township")],
    "rulesets": Round.objects.get().ruleset_ids(),
    "latest": [entry.latest().number, entry.latest().kind, entry.status],
    "facts": entry.latest().facts,
}, ensure_ascii=False))
"""


def rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by column name (not SQLite's own counters: migrating adds rows, so they move)."""
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {table: [dict(row) for row in connection.execute(f'SELECT * FROM "{table}"')] for table in tables}


def migrated(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    copy = tmp_path / "county.sqlite3"
    shutil.copyfile(KEPT, copy)
    environment = os.environ | {"UNIONSCORE_DATA": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", CHECK, f"sqlite:///{copy}", PASSWORD], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return copy, json.loads(done.stdout)


def test_an_old_database_is_migrated_with_every_row_and_value_kept(tmp_path: Path) -> None:
    before = rows(KEPT)
    copy, _ = migrated(tmp_path)
    after = rows(copy)
    for table, old_rows in before.items():
        kept = [{column: row[column] for column in old_rows[0]} for row in after[table]] if old_rows else []
        assert all(row in kept for row in old_rows), f"{table} 的数据在迁移后丢失或改变"
    assert len(before["service_version"]) == 6 and len(before["service_user"]) == 4


def test_after_migrating_the_schema_is_current_and_the_data_reads_as_before(tmp_path: Path) -> None:
    _, seen = migrated(tmp_path)
    assert seen["pending"] == [] and seen["changes"] is False
    assert all(fields == columns for fields, columns in seen["columns"].values()), seen["columns"]
    assert seen["sign_in"] == ["admin", "qs-001", "qs-016", "t-qingshan"]
    assert {"id": "QS-016", "name": "青山镇鑫源食品厂工会", "type": "enterprise", "county": "青山县", "township": "青山镇"} in seen["headers"]
    assert seen["rulesets"] == ["bayou"]
    assert seen["latest"] == [3, "submitted", "submitted"]
    assert seen["facts"]["facts"]["employees"] == 265


# --- making the kept database ----------------------------------------------------------------------


def make_kept(path: Path) -> None:
    """The 0001 database with its data, written through the models as they were at 0001_initial."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from service import bootstrap

    bootstrap.configure(f"sqlite:///{path}", migrate=False)
    call_command("migrate", "service", "0001_initial", verbosity=0)
    for app in ("contenttypes", "auth", "admin", "sessions", "axes"):
        call_command("migrate", app, verbosity=0)
    models = MigrationExecutor(connection).loader.project_state(("service", "0001_initial")).apps
    fill(models)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=DELETE")  # one file, as kept in git
        cursor.execute("VACUUM")


def fill(models: Any) -> None:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    def model(name: str) -> Any:
        return models.get_model("service", name)

    federation = model("Federation").objects.create(name="青山县")
    township = model("Township").objects.create(federation=federation, name="青山镇")
    round_ = model("Round").objects.create(federation=federation, year=2025, title="青山县2025年度基层工会考核评价",
                                           rulesets=[bayou_entry()], deadline=dt.date(2026, 3, 31))
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "keptsalt2025", iterations=1000)  # a stored hash that checks quickly
    admin = model("User").objects.create(username="admin", password=hashed, role="admin", federation=federation, is_staff=True)
    model("User").objects.create(username="t-qingshan", password=hashed, role="township", federation=federation, township=township)
    for code, name, kinds in (("QS-016", "青山镇鑫源食品厂工会", ["imported", "draft", "submitted"]), ("QS-001", None, ["imported", "draft", "draft"])):
        facts = fact_file(code)
        union = model("Union").objects.create(federation=federation, township=township, code=code, name=name or facts["union"]["name"],
                                              type=facts["union"]["type"])
        user = model("User").objects.create(username=code.lower(), password=hashed, role="union", federation=federation,
                                            township=township, union=union, must_change_password=True)
        entry = model("Entry").objects.create(round=round_, union=union, status="submitted" if kinds[-1] != "draft" else "draft")
        for number, kind in enumerate(kinds, 1):
            add_version(model("Version"), entry, number, kind, facts, None if kind == "imported" else user)
    model("ApiToken").objects.create(user=admin, digest=hashlib.sha256(b"kept-token").hexdigest(),
                                     expires_at=dt.datetime(2026, 12, 31, tzinfo=dt.UTC))


def add_version(versions: Any, entry: Any, number: int, kind: str, facts: dict[str, Any], user: Any) -> None:
    document = {"union": facts["union"], "period": 2025, "facts": dict(facts["facts"])}
    problems = []
    if number == 3 and kind == "draft":  # a draft kept with a problem, as the form keeps it
        document["facts"]["employees"] = "二百三十"
        problems = [{"field": "employees", "message": "employees 应为不小于 0 的整数，实际为 “二百三十”"}]
    elif number > 1:
        document["facts"]["employees"] = 250 + number * 5
    result = None if problems else assessed(document)
    versions.objects.create(entry=entry, number=number, kind=kind, facts=document, result=result, problems=problems, created_by=user)


def fact_file(code: str) -> dict[str, Any]:
    """A fact file of the example county, its values as JSON keeps them (dates as text)."""
    raw = yaml.safe_load((REPO / "facts" / "qingshan" / f"{code}.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(raw, default=str, ensure_ascii=False))


def assessed(document: dict[str, Any]) -> dict[str, Any]:
    """The result as `assess --format json` gives it for the document (bayou only: a small file)."""
    from cli import cli

    folder = Path(os.environ["UNIONSCORE_DATA"])
    (folder / "facts.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    done = CliRunner().invoke(cli, ["assess", "--ruleset", "bayou", "--format", "json", str(folder / "facts.yaml")])
    assert done.exit_code == 0, done.output
    result: dict[str, Any] = json.loads(done.output)
    return result


def bayou_entry() -> dict[str, Any]:
    from engine.load.rulesets import resolve_rulesets

    [bayou] = resolve_rulesets(["bayou"])
    return {"id": bayou.id, "name": bayou.name, "version": bayou.version, "hash": bayou.hash}


if __name__ == "__main__":
    if KEPT.exists():
        sys.exit(f"{KEPT} 已存在：它代表各县已有的数据库，不应重新生成（见本文件开头的说明）")
    KEPT.parent.mkdir(exist_ok=True)
    make_kept(KEPT)
