"""Django settings for Mutualis, read from the environment with safe defaults.

Environment: DATABASE_URL, SECRET_KEY, MUTUALIS_HOME (data folder, default ./var),
DEBUG, ALLOWED_HOSTS, LANGUAGE_CODE, TIME_ZONE, SESSION_IDLE_MINUTES.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("MUTUALIS_HOME", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a key generated once into HOME/secret_key."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = HOME / "secret_key"
    if not path.exists():
        HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def database_from_url(url: str | None) -> dict:
    """A DATABASES entry from postgres://user:pass@host:port/name or sqlite:///path."""
    if not url:
        HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{HOME / 'mutualis.sqlite3'}"
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # Parameters bound by the server and statements prepared after their second
            # use: PostgreSQL parses and plans a hot query once per connection (this
            # halves its CPU per claim). Behind PgBouncer < 1.21 in transaction mode,
            # set DATABASE_PREPARED=0.
            "OPTIONS": (
                {"server_side_binding": True, "prepare_threshold": 2}
                if os.environ.get("DATABASE_PREPARED", "1") != "0"
                else {}
            ),
        }
    if parts.scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as in dj-database-url.
        name = unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Tests use a file too (not shared-cache memory), so locking behaves as
            # in production: writers wait on the busy timeout instead of failing.
            "TEST": {"NAME": f"{name.removesuffix('.sqlite3')}-test.sqlite3"},
            # WAL + immediate transactions + busy timeout: several clerks at one
            # counter never see "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    raise ValueError(f"DATABASE_URL scheme not supported: {parts.scheme!r}")


DEBUG = _flag("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

DOMAIN_APPS = [
    "mutualis.core",
    "mutualis.members",
    "mutualis.benefits",
    "mutualis.contributions",
    "mutualis.providers",
    "mutualis.claims",
    "mutualis.accounting",
    "mutualis.indicators",
    "mutualis.governance",
    "mutualis.api",
    "mutualis.web",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_tasks_db",
    *DOMAIN_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mutualis.core.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mutualis.core.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mutualis.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "mutualis.urls"
WSGI_APPLICATION = "mutualis.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mutualis.web.context.navigation",
            ],
            "builtins": ["mutualis.web.templatetags.mutualis"],
        },
    }
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords: argon2 first; rules a clerk can live with but a guesser cannot.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

# Sessions expire after SESSION_IDLE_MINUTES without a request.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES")
CSRF_COOKIE_SECURE = _flag("SECURE_COOKIES")

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Dakar")
USE_I18N = True
USE_TZ = True
# Off: with it, {{ id }} in a link renders "1 222" once ids pass 1,000 and the link
# breaks. Amounts are grouped by the `money` filter (force_grouping) instead.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
SERVE_STATIC = _flag("SERVE_STATIC", True)
MEDIA_ROOT = HOME / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Health data never goes to logs: no request bodies, no SQL with parameters.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django.db.backends": {"level": "WARNING", "propagate": True}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []
