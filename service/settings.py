"""Django settings, from the environment that `service.bootstrap.configure` sets.

    UNIONSCORE_DB     database URL: sqlite:///path/unionscore.sqlite3 (default, in UNIONSCORE_DATA)
                      or postgresql://user:password@host:5432/name
    UNIONSCORE_DATA   the service's folder: the SQLite file, the secret key, uploads (default: the current folder)
    UNIONSCORE_DEBUG  1 for Django's debug pages (never on a county server)

Nothing is fetched from the internet: static files are served by WhiteNoise from the apps
(the API docs' Swagger UI comes with django-ninja). SQLite runs in WAL mode with immediate
transactions, so readers never wait for the writer and two writers queue instead of failing.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

from .bootstrap import SECRET_FILE

DATA = Path(os.environ.get("UNIONSCORE_DATA") or Path.cwd()).resolve()
BASE_DIR = Path(__file__).resolve().parent
DEBUG = os.environ.get("UNIONSCORE_DEBUG") == "1"


def secret_key(folder: Path) -> str:
    """The key that signs sessions: UNIONSCORE_SECRET_KEY, or the one `bootstrap.configure` keeps in the
    data folder; a process that has neither (type checks, tests) gets a key of its own."""
    path = folder / SECRET_FILE
    return os.environ.get("UNIONSCORE_SECRET_KEY") or (path.read_text(encoding="ascii").strip() if path.exists() else secrets.token_urlsafe(50))


def database(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                             "transaction_mode": "IMMEDIATE", "timeout": 30}
    return config


SECRET_KEY = secret_key(DATA)
ALLOWED_HOSTS = [host for host in os.environ.get("UNIONSCORE_HOSTS", "*").split(",") if host]
DATABASES = {"default": database(os.environ.get("UNIONSCORE_DB") or f"sqlite:///{DATA / 'unionscore.sqlite3'}")}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "service",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "service.audit.ActorMiddleware",
]
ROOT_URLCONF = "service.urls"
WSGI_APPLICATION = "service.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

AUTH_USER_MODEL = "service.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # reads passwords stored by other tools
]
AUTH_PASSWORD_VALIDATORS = [
    # the account name is printed beside the password on the accounts list: 0.6, not Django's 0.7, so that the name
    # typed twice (qs-003qs-003, 0.67) is refused too
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator", "OPTIONS": {"max_similarity": 0.6}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5                          # wrong passwords in a row for one account from one address
AXES_COOLOFF_TIME = 0.25                        # hours: then it may try again
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "service.views.locked_out"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True                   # served from the apps' static folders, no collectstatic step
WHITENOISE_AUTOREFRESH = DEBUG
SESSION_COOKIE_AGE = 8 * 3600                   # a working day,
SESSION_SAVE_EVERY_REQUEST = True               # from the last request: a form filled through the day is not lost at sign-in + 8 h
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20         # a fact record is a few KB
DATA_UPLOAD_MAX_NUMBER_FILES = 1                # evidence comes one file at a time: 100 (Django's) meant 1 GB spooled per request
FILE_UPLOAD_HANDLERS = ["service.evidence.SizeLimit",  # evidence over 10 MB is skipped, never written to disk
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}}}
