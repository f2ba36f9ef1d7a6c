"""`unionscore db backup` and `db restore` on a live database: the demo county in its own database
(SQLite file; on the PostgreSQL run of `make test`, also a database on that server), written to by
another process the way the service writes (service.records.store), backed up meanwhile, restored
into a fresh database and compared with the original record by record, table by table.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from click.testing import CliRunner, Result

from cli import cli

SERVER = os.environ.get("UNIONSCORE_DB", "")
ON_POSTGRESQL = SERVER.startswith(("postgres://", "postgresql://"))
# The PostgreSQL cases exist only in make test's second round, on pg_virtualenv's server (never skipped).
BACKENDS = ["sqlite", *(["postgresql"] if ON_POSTGRESQL else [])]

MAKE_DEMO = """
import sys
from service import bootstrap
bootstrap.configure(sys.argv[1])
from django.test import override_settings
from service.demo import make_demo
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    make_demo()
"""
# versions saved as the service saves them, round the first eight unions, until the stop file appears
WRITER = """
import sys
from pathlib import Path
from service import bootstrap
bootstrap.configure(sys.argv[1], migrate=False)
from service.grading import Graded
from service.models import Entry, User, Version
from service.records import store
stop, limit = Path(sys.argv[2]), int(sys.argv[3])
entries = list(Entry.objects.select_related("union").order_by("pk")[:8])
graded = [Graded(e.latest().facts, e.latest().result) for e in entries]
users = [User.objects.get(union=e.union) for e in entries]
kinds = [Version.Kind.DRAFT, Version.Kind.SUBMITTED]
written = 0
print("ready", flush=True)
while not stop.exists() and written < limit:
    at = written % len(entries)
    store(entries[at], users[at], graded[at], kinds[written % 2])
    written += 1
print(written, flush=True)
"""
STATUS_AFTER = {"draft": "draft", "submitted": "submitted", "imported": "submitted"}


# --- databases of either kind --------------------------------------------------------------------


class Database:
    """A database of the demo county outside the test database: a SQLite file or a PostgreSQL database."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind, self.folder = kind, folder
        self.name = f"unionscore_{uuid.uuid4().hex[:12]}"
        self.url = f"sqlite:///{folder / (self.name + '.sqlite3')}" if kind == "sqlite" else pg_url(self.name)

    @property
    def path(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))

    def create(self, template: Database | None = None) -> Database:
        if self.kind == "sqlite":
            if template is not None:
                with sqlite3.connect(template.path) as source, sqlite3.connect(self.path) as target:
                    source.backup(target)
        else:
            server(f'CREATE DATABASE "{self.name}"' + (f' TEMPLATE "{template.name}"' if template else ""))
        return self

    def drop(self) -> None:
        if self.kind == "postgresql":
            server(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.kind == "sqlite":
            with sqlite3.connect(self.path) as connection:
                return connection.execute(sql).fetchall()
        with psycopg.connect(self.url) as connection:
            return connection.execute(sql).fetchall()

    def tables(self) -> dict[str, list[str]]:
        """Every table, every record (in a fixed order)."""
        listing = ("SELECT name FROM sqlite_master WHERE type = 'table'" if self.kind == "sqlite" else
                   "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
        names = sorted(row[0] for row in self.rows(listing))
        return {name: sorted(repr(row) for row in self.rows(f'SELECT * FROM "{name}"')) for name in names}


def pg_url(name: str) -> str:
    return urlsplit(SERVER)._replace(path=f"/{name}", query="").geturl()


def server(sql: str) -> None:
    with psycopg.connect(pg_url("postgres"), autocommit=True) as connection:
        connection.execute(sql)


def python(script: str, *arguments: str, folder: Path) -> subprocess.Popen[str]:
    environment = os.environ | {"UNIONSCORE_DATA": str(folder)}
    return subprocess.Popen([sys.executable, "-c", script, *arguments], cwd=folder, env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finished(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out


@pytest.fixture(scope="session")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Database]]:
    """The demo county, made once per kind of database by `migrate` and `make_demo` in another process."""
    made: dict[str, Database] = {}
    yield made
    for database in made.values():
        database.drop()


def demo(kind: str, demos: dict[str, Database], factory: pytest.TempPathFactory) -> Database:
    if kind not in demos:
        folder = factory.mktemp("demo")
        database = Database(kind, folder).create()
        finished(python(MAKE_DEMO, database.url, folder=folder))
        demos[kind] = database
    return demos[kind]


@pytest.fixture(params=BACKENDS)
def copies(request: pytest.FixtureRequest, demos: dict[str, Database], tmp_path_factory: pytest.TempPathFactory,
           tmp_path: Path) -> Iterator[list[Database]]:
    """Databases made in a test (removed afterwards); the first is a copy of the demo county."""
    made = [Database(request.param, tmp_path).create(demo(request.param, demos, tmp_path_factory))]
    yield made
    for database in made:
        database.drop()


def fresh(copies: list[Database]) -> Database:
    """A new empty database to restore into (a SQLite file that does not exist yet)."""
    database = Database(copies[0].kind, copies[0].folder)
    copies.append(database if database.kind == "sqlite" else database.create())
    return database


def run(*arguments: str) -> Result:
    return CliRunner().invoke(cli, ["db", *arguments])


def versions(database: Database) -> int:
    return database.rows("SELECT count(*) FROM service_version")[0][0]


def assert_whole(database: Database) -> None:
    """Every entry's versions are numbered 1…n without a gap, and its status is its latest version's."""
    numbers = database.rows("SELECT entry_id, count(*), min(number), max(number) FROM service_version GROUP BY entry_id")
    assert numbers and all(count == last and first == 1 for _, count, first, last in numbers)
    latest = database.rows("SELECT e.status, v.kind FROM service_entry e JOIN service_version v ON v.entry_id = e.id "
                           "WHERE v.number = (SELECT max(number) FROM service_version w WHERE w.entry_id = e.id)")
    assert all(status == STATUS_AFTER[kind] for status, kind in latest)


# --- backing up while the service writes -----------------------------------------------------------


def test_a_backup_taken_while_the_service_writes_is_whole_and_restores_record_for_record(copies: list[Database], tmp_path: Path) -> None:
    live = copies[0]
    before = versions(live)
    writer = python(WRITER, live.url, str(tmp_path / "stop"), "100000", folder=tmp_path)
    assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    backups = []
    for number in range(3):
        time.sleep(0.5)
        done = run("backup", "--db", live.url, str(tmp_path / f"live-{number}"))
        assert done.exit_code == 0, done.output
        backups.append(tmp_path / f"live-{number}")
    (tmp_path / "stop").touch()
    written = int(finished(writer))
    live_rows = live.tables()
    for backup in backups:
        restored = fresh(copies)
        done = run("restore", "--db", restored.url, str(backup))
        assert done.exit_code == 0 and "已从" in done.output, done.output
        assert_whole(restored)
        assert before < versions(restored) <= before + written  # taken while versions were being written
        assert set(restored.tables()["service_version"]) <= set(live_rows["service_version"])  # versions never change
    assert_restores_as_it_is(live, copies, tmp_path)


def assert_restores_as_it_is(live: Database, copies: list[Database], tmp_path: Path) -> None:
    """Quiet now: a backup restored holds every record of every table, and the service writes on in it."""
    assert run("backup", "--db", live.url, str(tmp_path / "quiet")).exit_code == 0
    restored = fresh(copies)
    assert run("restore", "--db", restored.url, str(tmp_path / "quiet")).exit_code == 0
    assert restored.tables() == live.tables()
    assert finished(python(WRITER, restored.url, str(tmp_path / "never"), "3", folder=tmp_path)).split() == ["ready", "3"]
    assert versions(restored) == versions(live) + 3


def test_a_restore_never_replaces_data_unless_forced_and_then_keeps_it(copies: list[Database], tmp_path: Path) -> None:
    live = copies[0]
    assert run("backup", "--db", live.url, str(tmp_path / "county.backup")).exit_code == 0
    finished(python(WRITER, live.url, str(tmp_path / "never"), "2", folder=tmp_path))
    held = live.tables()
    refused = run("restore", "--db", live.url, str(tmp_path / "county.backup"))
    assert refused.exit_code == 1 and "已有数据，未恢复" in refused.output and "--force" in refused.output
    assert live.tables() == held
    forced = run("restore", "--db", live.url, "--force", str(tmp_path / "county.backup"))
    assert forced.exit_code == 0 and "原有数据已另存为" in forced.output
    assert versions(live) == len(held["service_version"]) - 2
    kept = next(tmp_path.glob("before-restore-*"))
    restored = fresh(copies)
    assert run("restore", "--db", restored.url, str(kept)).exit_code == 0 and restored.tables() == held


def test_a_database_made_by_migrate_alone_is_empty_and_may_be_restored_into(copies: list[Database], tmp_path: Path) -> None:
    empty = fresh(copies)
    finished(python("import sys\nfrom service import bootstrap\nbootstrap.configure(sys.argv[1])", empty.url, folder=tmp_path))
    assert run("backup", "--db", copies[0].url, str(tmp_path / "county.backup")).exit_code == 0
    assert run("restore", "--db", empty.url, str(tmp_path / "county.backup")).exit_code == 0
    assert empty.tables() == copies[0].tables()


# --- SQLite files ----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_copy(demos: dict[str, Database], tmp_path_factory: pytest.TempPathFactory) -> Database:
    """A copy of the demo county in a SQLite file, alone in its folder."""
    return Database("sqlite", tmp_path_factory.mktemp("copy")).create(demo("sqlite", demos, tmp_path_factory))


def test_a_broken_backup_changes_nothing_and_leaves_nothing(sqlite_copy: Database, tmp_path: Path) -> None:
    assert run("backup", "--db", sqlite_copy.url, str(tmp_path / "good.sqlite3")).exit_code == 0
    data = (tmp_path / "good.sqlite3").read_bytes()
    (tmp_path / "broken.sqlite3").write_bytes(data[:len(data) // 2])
    target = tmp_path / "new" / "unionscore.sqlite3"
    target.parent.mkdir()
    done = run("restore", "--db", f"sqlite:///{target}", str(tmp_path / "broken.sqlite3"))
    assert done.exit_code == 1 and "不是完好的" in done.output
    assert list(target.parent.iterdir()) == []
    held = sqlite_copy.tables()
    forced = run("restore", "--db", sqlite_copy.url, "--force", str(tmp_path / "broken.sqlite3"))
    assert forced.exit_code == 1 and sqlite_copy.tables() == held


def test_a_backup_never_replaces_a_file_and_a_folder_keeps_the_newest(sqlite_copy: Database, tmp_path: Path) -> None:
    (tmp_path / "old.sqlite3").write_text("an older backup")
    refused = run("backup", "--db", sqlite_copy.url, str(tmp_path / "old.sqlite3"))
    assert refused.exit_code == 1 and "已存在，未覆盖" in refused.output
    assert (tmp_path / "old.sqlite3").read_text() == "an older backup"
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "unionscore-20200101-000000.sqlite3").write_text("old")
    (folder / "notes.txt").write_text("not a backup")
    done = run("backup", "--db", sqlite_copy.url, "--keep", "1", str(folder))
    assert done.exit_code == 0 and "44 个工会、44 个版本" in done.output
    [new] = folder.glob("unionscore-*")
    assert new.name != "unionscore-20200101-000000.sqlite3" and str(new) in done.output
    assert (folder / "notes.txt").read_text() == "not a backup"
    assert new.stat().st_mode & 0o077 == 0  # password hashes: the owner's eyes only


def test_a_folder_not_yet_made_is_made_when_named_as_one(sqlite_copy: Database, tmp_path: Path) -> None:
    for named in (f"{tmp_path / 'daily'}/", str(tmp_path / "kept")):
        keep = [] if named.endswith("/") else ["--keep", "3"]
        done = run("backup", "--db", sqlite_copy.url, *keep, named)
        assert done.exit_code == 0, done.output
        [made] = Path(named).glob("unionscore-*.sqlite3")
        assert str(made) in done.output
    (tmp_path / "a-file").write_text("mine")
    refused = run("backup", "--db", sqlite_copy.url, "--keep", "3", str(tmp_path / "a-file"))
    assert refused.exit_code == 2 and "不是文件夹" in refused.output and (tmp_path / "a-file").read_text() == "mine"


def test_the_database_itself_is_never_a_backup_file(sqlite_copy: Database) -> None:
    done = run("backup", "--db", sqlite_copy.url, "--force", str(sqlite_copy.path))
    assert done.exit_code == 2 and "不能是数据库" in done.output
    assert run("restore", "--db", sqlite_copy.url, "--force", str(sqlite_copy.path)).exit_code == 2


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    done = run("backup", "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}", str(tmp_path / "b.sqlite3"))
    assert done.exit_code == 1 and "不存在" in done.output and list(tmp_path.iterdir()) == []


# --- PostgreSQL without its tools ----------------------------------------------------------------


def test_without_pg_dump_the_exact_commands_are_printed_without_the_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    url = "postgresql://county:s3cret@db.county.example:5432/unionscore"
    done = run("backup", "--db", url, str(tmp_path / "county.pgdump"))
    assert done.exit_code == 1 and "s3cret" not in done.output
    assert f"pg_dump --host=db.county.example --port=5432 --username=county --format=custom --file={tmp_path / 'county.pgdump'} unionscore" in done.output
    (tmp_path / "county.pgdump").write_bytes(b"PGDMP")
    done = run("restore", "--db", url, str(tmp_path / "county.pgdump"))
    assert done.exit_code == 1 and "s3cret" not in done.output
    assert "createdb --host=db.county.example --port=5432 --username=county unionscore" in done.output
    assert "pg_restore --host=db.county.example --port=5432 --username=county --no-owner --single-transaction" in done.output
