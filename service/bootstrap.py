"""Starting Django from a `unionscore` command: the database and data folder as the user gave them."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import django
from django.core.management import call_command

from engine.diagnostics import UsageError

SCHEMES = ("sqlite://", "postgres://", "postgresql://")
SECRET_FILE = ".unionscore-secret-key"  # in the data folder; service/settings.py reads it
DEMO_DB = "unionscore-demo.sqlite3"  # `serve --demo` makes it in the current folder (service/demo.py fills it)


def demo_database(folder: Path) -> str:
    return f"sqlite:///{(folder / DEMO_DB).resolve()}"


def keep_secret_key(folder: Path) -> None:
    """The data folder's session key, made once (readable by its owner only): sessions survive restarts."""
    path = folder / SECRET_FILE
    if os.environ.get("UNIONSCORE_SECRET_KEY") or path.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(50))


def configure(db: str | None = None, data: Path | None = None, migrate: bool = True) -> None:
    """Point the settings at `db` (a URL; default: unionscore.sqlite3 in `data`, the current folder)
    and start Django; bring the database's tables up to date unless `migrate` is false."""
    if db is not None and not db.startswith(SCHEMES):
        raise UsageError(f"--db 应为数据库地址，如 sqlite:///县总工会.sqlite3 或 postgresql://用户:密码@主机/库名；实际为 “{db}”")
    if data is not None:
        os.environ["UNIONSCORE_DATA"] = str(data)
    keep_secret_key(Path(os.environ.get("UNIONSCORE_DATA") or Path.cwd()))
    if db is not None:
        os.environ["UNIONSCORE_DB"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "service.settings")
    django.setup()
    if migrate:
        migrate_tables()


def migrate_tables() -> None:
    """Bring the configured database's tables up to date (made if new)."""
    call_command("migrate", verbosity=0, interactive=False)


def database_file() -> Path | None:
    """The configured database's SQLite file (None for PostgreSQL), once `configure` has run."""
    from django.conf import settings

    config = settings.DATABASES["default"]
    return Path(config["NAME"]) if config["ENGINE"].endswith("sqlite3") else None
