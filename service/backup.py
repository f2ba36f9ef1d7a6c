"""`unionscore db backup` and `db restore`: the service's database copied while the service runs.

SQLite: SQLite's online backup API copies the live database in one step, inside one read
transaction, so the copy is the database as it was at one moment even while the service writes
(in WAL mode the writer goes on meanwhile). The copy is checked (integrity_check), made a single
file (journal_mode=DELETE) and only then put in place. A restore copies a backup into the target
the same way, in one write transaction: the whole backup is there, or the target is as it was.

PostgreSQL: pg_dump (custom format, one snapshot) and pg_restore (--single-transaction) when
they are on PATH; otherwise the exact commands to run instead. The password never appears on a
command line or in what is printed: the tools get it through PGPASSWORD.

Nothing is lost: a backup never replaces an existing file without `force`; a restore never
replaces a database that holds data without `force`, and then keeps what it held in a backup
first. Backup files are readable by their owner only (they hold password hashes).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from engine.atomic import PART
from engine.diagnostics import UnionscoreError, UsageError

from .bootstrap import SCHEMES

SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
MAGIC = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}  # how each kind of backup file begins
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
STAMPED = re.compile(r"unionscore-\d{8}-\d{6}\.(sqlite3|pgdump)")
# filled by `migrate` alone: a database holding only these holds no data of the county
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"})
PASSWORD_NOTE = ("密码不写在命令里：运行时按提示输入，或事先写入 pgpass 文件"
                 "（Linux：~/.pgpass；Windows：%APPDATA%\\postgresql\\pgpass.conf）。")


class BackupFailed(UnionscoreError):
    """The backup or restore could not be made; nothing was changed."""

    exit_code = 1


@dataclass(frozen=True)
class Done:
    """What was written, and a line for the person who asked."""

    path: Path
    message: str


def database_of(url: str | None) -> dict[str, Any]:
    """The Django database settings of `url`, or of the service's default (UNIONSCORE_DB, or
    unionscore.sqlite3 in UNIONSCORE_DATA or the current folder)."""
    if url is not None and not url.startswith(SCHEMES):
        raise UsageError(f"--db 应为数据库地址，如 sqlite:///县总工会.sqlite3 或 postgresql://用户:密码@主机/库名；实际为 “{url}”")
    from . import settings

    config = settings.database(url) if url else dict(settings.DATABASES["default"])
    if config["ENGINE"].endswith("sqlite3") and config["NAME"] in ("", ":memory:"):
        raise UsageError("--db 应指向一个 SQLite 数据库文件，如 sqlite:///县总工会.sqlite3")
    return config


def backend(config: dict[str, Any]) -> str:
    return "sqlite" if config["ENGINE"].endswith("sqlite3") else "postgresql"


def backup(url: str | None, target: Path, force: bool = False, keep: int | None = None, folder: bool = False) -> Done:
    """Copy the database to `target`: a file, or a folder (one that exists, or `folder`, or with `keep`;
    made if missing) to hold a file named by the time, where with `keep` only the newest `keep`
    backups named by the time stay."""
    config = database_of(url)
    kind = backend(config)
    if folder or keep is not None or target.is_dir():
        if target.exists() and not target.is_dir():
            raise UsageError(f"{target} 是文件，不是文件夹：--keep 只保留文件夹中按时间命名的备份")
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"unionscore-{dt.datetime.now():%Y%m%d-%H%M%S}{SUFFIX[kind]}"
    else:
        path = target
    message = sqlite_backup(Path(config["NAME"]), path, force) if kind == "sqlite" else pg_backup(config, path, force)
    if keep is not None:
        prune(target, keep)
    return Done(path, message)


def restore(source: Path, url: str | None, force: bool = False) -> Done:
    """Put the backup `source` into the database (a new one, or with `force` one that holds data:
    what it held is backed up beside `source` first)."""
    config = database_of(url)
    kind = backend(config)
    with source.open("rb") as handle:
        if not handle.read(len(MAGIC[kind])) == MAGIC[kind]:
            raise BackupFailed(f"{source} 不是 {NAMES[kind]} 数据库的备份（unionscore db backup 写出的文件），未恢复")
    if kind == "sqlite":
        return sqlite_restore(source, Path(config["NAME"]), force)
    return pg_restore(source, config, force)


# --- placing files ---------------------------------------------------------------------------------


@contextlib.contextmanager
def temporary_beside(target: Path) -> Iterator[Path]:
    """An empty file next to `target`, readable by its owner only, removed unless it was placed."""
    if not target.parent.is_dir():
        raise BackupFailed(f"文件夹 {target.parent} 不存在")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=PART, dir=target.parent)
    os.close(handle)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def place(temporary: Path, target: Path, force: bool) -> None:
    """Rename the finished file to `target`; an existing `target` is replaced only with `force`
    (without it, a hard link makes the check and the rename one step where the file system can)."""
    if force:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise BackupFailed(f"{target} 已存在，未覆盖；请换一个文件名、给出文件夹（按时间命名），或加 --force 覆盖") from None
    except OSError:  # no hard links here (FAT, some network shares): check, then rename
        if target.exists():
            raise BackupFailed(f"{target} 已存在，未覆盖；请换一个文件名，或加 --force 覆盖") from None
        os.replace(temporary, target)


def prune(folder: Path, keep: int) -> None:
    """Remove all but the newest `keep` backups named by the time (never any other file)."""
    for kind in SUFFIX.values():
        named = sorted(p for p in folder.iterdir() if STAMPED.fullmatch(p.name) and p.suffix == kind)
        for old in named[:-keep]:
            old.unlink()


def size_of(path: Path) -> str:
    return f"{path.stat().st_size / 2**20:.1f} MB"


# --- SQLite ----------------------------------------------------------------------------------------


def open_sqlite(path: Path, mode: str) -> sqlite3.Connection:
    """A connection to an existing file (never one created by opening it)."""
    if not path.is_file():
        raise BackupFailed(f"数据库文件 {path} 不存在")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=30)


def checked(connection: sqlite3.Connection, path: Path) -> str:
    """What a unionscore database holds, after SQLite has checked every page of it."""
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if verdict != "ok" or not {"django_migrations", "service_version"} <= tables:
            raise BackupFailed(f"{path} 不是完好的 unionscore 数据库" + ("" if verdict == "ok" else f"（{verdict}）"))
        unions, versions = (connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("service_union", "service_version"))
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"{path} 不是完好的 SQLite 数据库（{exc}）") from None
    return f"{unions} 个工会、{versions} 个版本"


def copy_sqlite(source: sqlite3.Connection, target: Path, journal: str | None) -> None:
    """Every page of `source` into `target` in one step (one transaction on each side)."""
    connection = sqlite3.connect(target, timeout=30)
    try:
        source.backup(connection)
        if journal:
            connection.execute(f"PRAGMA journal_mode={journal}")
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"未能写入 {target}：{exc}") from None
    finally:
        connection.close()


def same_file(database: Path, other: Path) -> bool:
    """Whether `other` is the database or one of its WAL files (never to be written over or read as a backup)."""
    return other.resolve() in {Path(f"{database.resolve()}{tail}") for tail in ("", "-wal", "-shm", "-journal")}


def sqlite_backup(database: Path, target: Path, force: bool) -> str:
    if same_file(database, target):
        raise UsageError(f"备份文件不能是数据库 {database} 本身")
    source = open_sqlite(database, "rw")  # read only in fact; "ro" cannot join a WAL database everywhere
    try:
        with temporary_beside(target) as temporary:
            copy_sqlite(source, temporary, "DELETE")
            with contextlib.closing(open_sqlite(temporary, "ro")) as copy:
                held = checked(copy, target)
            place(temporary, target, force)
    finally:
        source.close()
    return f"已备份到 {target}（{held}，{size_of(target)}）"


def sqlite_holds_data(path: Path) -> bool:
    """Whether a restore would replace anything of the county's (a file that is not a database counts)."""
    if not path.exists():
        return Path(f"{path}-wal").exists()
    if path.stat().st_size == 0:
        return False
    try:
        with contextlib.closing(open_sqlite(path, "ro")) as connection:
            tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return any(connection.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables if t not in BOOKKEEPING)
    except sqlite3.DatabaseError:
        return True


def sqlite_restore(source: Path, database: Path, force: bool) -> Done:
    if same_file(database, source):
        raise UsageError(f"备份文件不能是要恢复到的数据库 {database} 本身")
    saved = ""
    with contextlib.closing(open_sqlite(source, "ro")) as backup_file:
        held = checked(backup_file, source)
        if sqlite_holds_data(database):
            saved = keep_before_restore(database, source, force)
        if database.exists():  # in place, one write transaction: other connections see all of it or none
            copy_sqlite(backup_file, database, None)
        else:
            with temporary_beside(database) as temporary:
                copy_sqlite(backup_file, temporary, None)
                place(temporary, database, False)
    return Done(database, f"已从 {source} 恢复到 {database}（{held}）{saved}")


def keep_before_restore(database: Path, source: Path, force: bool) -> str:
    if not force:
        raise BackupFailed(f"{database} 中已有数据，未恢复。要恢复到新的数据库，请用 --db 指定新文件；确需替换现有数据，请加 --force"
                           "（替换前会先把现有数据另存一份备份）")
    saved = source.parent / f"before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}{SUFFIX['sqlite']}"
    sqlite_backup(database, saved, False)
    return f"；原有数据已另存为 {saved}"


# --- PostgreSQL ------------------------------------------------------------------------------------


def pg_environment(config: dict[str, Any]) -> dict[str, str]:
    """The connection for libpq's tools, the password included, as environment variables."""
    found = {"PGHOST": config["HOST"], "PGPORT": config["PORT"], "PGUSER": config["USER"],
             "PGPASSWORD": config["PASSWORD"], "PGDATABASE": config["NAME"],
             "PGSSLMODE": config.get("OPTIONS", {}).get("sslmode")}
    return {name: str(value) for name, value in found.items() if value}


def pg_arguments(config: dict[str, Any]) -> list[str]:
    """The connection as command-line options, without the password (for commands to print)."""
    found = [("--host", config["HOST"]), ("--port", config["PORT"]), ("--username", config["USER"])]
    return [f"{option}={value}" for option, value in found if value]


def pg_tool(name: str, config: dict[str, Any], commands: list[list[str]]) -> str:
    """The path of a PostgreSQL tool; when it is missing, the commands to run by hand."""
    found = shutil.which(name)
    if found:
        return found
    lines = "\n".join("  " + shlex.join(command) for command in commands)
    raise BackupFailed(f"未找到 {name}。PostgreSQL 数据库用 PostgreSQL 自带的 pg_dump、pg_restore 备份和恢复"
                       f"（版本不低于数据库服务器）：请安装 PostgreSQL 客户端（Debian/Ubuntu：sudo apt-get install postgresql-client；"
                       f"Windows：PostgreSQL 安装程序中的 Command Line Tools）并加入 PATH 后重新运行，或者直接运行：\n{lines}\n{PASSWORD_NOTE}")


def run_tool(command: list[str], config: dict[str, Any]) -> None:
    environment = os.environ | pg_environment(config)
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupFailed(f"{Path(command[0]).name} 未能完成，未做任何改动：{done.stderr.strip()}")


def pg_backup(config: dict[str, Any], target: Path, force: bool) -> str:
    shown = ["pg_dump", *pg_arguments(config), "--format=custom", f"--file={target}", config["NAME"]]
    tool = pg_tool("pg_dump", config, [shown])
    with temporary_beside(target) as temporary:
        run_tool([tool, "--format=custom", "--no-password", f"--file={temporary}"], config)
        place(temporary, target, force)
    return f"已备份到 {target}（pg_dump 自定义格式，{size_of(target)}）"


def pg_restore(source: Path, config: dict[str, Any], force: bool) -> Done:
    connection = pg_arguments(config)
    shown = [["createdb", *connection, config["NAME"]],
             ["pg_restore", *connection, "--no-owner", "--single-transaction", "--clean", "--if-exists", f"--dbname={config['NAME']}", str(source)]]
    tool = pg_tool("pg_restore", config, shown)
    saved = ""
    if pg_holds_data(config, shown[0]):
        saved = pg_keep_before_restore(config, source, force)
    run_tool([tool, "--no-owner", "--single-transaction", "--clean", "--if-exists", "--no-password",
              f"--dbname={config['NAME']}", str(source)], config)
    return Done(source, f"已从 {source} 恢复到 PostgreSQL 数据库 {config['NAME']}{saved}")


def pg_holds_data(config: dict[str, Any], createdb: list[str]) -> bool:
    """Whether any table of the database (besides those `migrate` fills) has a row."""
    query = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    try:
        with psycopg.connect(**pg_connection(config)) as connection:
            tables = [row[0] for row in connection.execute(query)]
            return any(connection.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables if t not in BOOKKEEPING)
    except psycopg.OperationalError as exc:
        raise BackupFailed(f"未能连接数据库 {config['NAME']}（{str(exc).strip()}）。新的数据库须先建立：\n  {shlex.join(createdb)}\n{PASSWORD_NOTE}") from None


def pg_connection(config: dict[str, Any]) -> dict[str, Any]:
    found = {"host": config["HOST"], "port": config["PORT"], "user": config["USER"], "password": config["PASSWORD"],
             "dbname": config["NAME"]} | dict(config.get("OPTIONS", {}))
    return {name: value for name, value in found.items() if value}


def pg_keep_before_restore(config: dict[str, Any], source: Path, force: bool) -> str:
    if not force:
        raise BackupFailed(f"PostgreSQL 数据库 {config['NAME']} 中已有数据，未恢复。要恢复到新的数据库，请先建立空数据库并用 --db 指定；"
                           "确需替换现有数据，请加 --force（替换前会先把现有数据另存一份备份）")
    saved = source.parent / f"before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}{SUFFIX['postgresql']}"
    pg_backup(config, saved, False)
    return f"；原有数据已另存为 {saved}"
