"""One settings module, driven by environment variables (see README "Configuration").

Defaults give a zero-set-up development system on SQLite; production sets DATABASE_URL to PostgreSQL,
GOVHALL_SECRET_KEY, GOVHALL_DEBUG=0 and GOVHALL_ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GOVHALL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("GOVHALL_DEBUG", True)
SECRET_KEY = os.environ.get("GOVHALL_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("GOVHALL_SECRET_KEY must be set when GOVHALL_DEBUG is off")
ALLOWED_HOSTS = env_list("GOVHALL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("GOVHALL_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "govhall.core",
    "govhall.calendars",
    "govhall.org",
    "govhall.catalog",
    "govhall.clocks",
    "govhall.workflow",
    "govhall.ledger",
    "govhall.notifications",
    "govhall.documents",
    "govhall.cases",
    "govhall.supervision",
    "govhall.complaints",
    "govhall.stats",
    "govhall.workbench",
    "govhall.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govhall.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "govhall.core.middleware.RejectMalformedInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "govhall.urls"
WSGI_APPLICATION = "govhall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "govhall" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL says otherwise (postgres://user@host:5432/name in production).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'govhall.sqlite3'}"),
        conn_max_age=int(os.environ.get("GOVHALL_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the background workers share the file; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside transactions.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"]["NAME"] = os.environ.get("GOVHALL_TEST_DB_NAME") or None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "govhall" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from npm (package-lock.json pins them) and are served by WhiteNoise.
STATICFILES_DIRS = [
    BASE_DIR / "govhall" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/pico", NODE_MODULES / "@picocss" / "pico" / "css"),
]
STORAGES = {
    # Files written by a transaction that rolls back are deleted again (govhall/core/storage.py).
    "default": {"BACKEND": "govhall.core.storage.TransactionalFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("GOVHALL_MEDIA_ROOT", VAR_DIR / "media"))

LOGIN_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL = "/"

# The hall the calendar's office-minute clocks use when a caller names none.
GOVHALL_DEFAULT_OFFICE_HOURS = os.environ.get("GOVHALL_DEFAULT_OFFICE_HOURS", "09:00-12:00,13:30-17:30")
# Seconds a process trusts its cached copy of the holiday table before checking the revision again.
GOVHALL_CALENDAR_CACHE_SECONDS = int(os.environ.get("GOVHALL_CALENDAR_CACHE_SECONDS", "30"))

NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "govhall.core.logfilters.RedactSecrets"},
        "quiet_permission_denied": {"()": "govhall.core.logfilters.QuietPermissionDenied"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("GOVHALL_LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "django.request": {"filters": ["quiet_permission_denied"]},
    },
}
# The address printed in the QR code of every notice, for the public verification page (/verify/<number>/).
GOVHALL_PUBLIC_URL = os.environ.get("GOVHALL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Largest accepted upload of one application material, in MB.
GOVHALL_MAX_UPLOAD_MB = int(os.environ.get("GOVHALL_MAX_UPLOAD_MB", "20"))
# The API takes materials base64-encoded in JSON (4/3 of the file size), several per request.
DATA_UPLOAD_MAX_MEMORY_SIZE = GOVHALL_MAX_UPLOAD_MB * 8 * 1024 * 1024
# The seal maker (制章者) named in every department seal; documents.actions has the default.
if os.environ.get("GOVHALL_SEAL_MAKER_NAME"):
    GOVHALL_SEAL_MAKER_NAME = os.environ["GOVHALL_SEAL_MAKER_NAME"]
# Mail for notifications: printed to the console in development; SMTP (EMAIL_HOST…) in production.
EMAIL_BACKEND = os.environ.get(
    "GOVHALL_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_TIMEOUT = 10
# SMS gateway: a dotted path to a class with send(phone, text) -> id (govhall.notifications.sms); console by default.
GOVHALL_SMS_BACKEND = os.environ.get("GOVHALL_SMS_BACKEND", "govhall.notifications.sms.ConsoleSmsBackend")
GOVHALL_SMS_FILE_PATH = Path(os.environ.get("GOVHALL_SMS_FILE_PATH", VAR_DIR / "sms.log"))


# --- security (docs/security.md) ---------------------------------------------------------------------------------


def env_rate(name: str, default: str) -> tuple[int, int]:
    """Parse "attempts/seconds" (e.g. "10/3600"): that many failures within the window lock for one window."""
    raw = os.environ.get(name, default)
    try:
        attempts, seconds = (int(part) for part in raw.split("/"))
    except ValueError:
        raise RuntimeError(f"{name} must look like 10/3600 (failed attempts/seconds), not {raw!r}") from None
    if attempts < 1 or seconds < 1:
        raise RuntimeError(f"{name}: both numbers must be positive, not {raw!r}")
    return attempts, seconds


# Wrong check codes per case or complaint number (from any address), and per client address (any number).
GOVHALL_THROTTLE_LOOKUP = env_rate("GOVHALL_THROTTLE_LOOKUP", "10/3600")
GOVHALL_THROTTLE_LOOKUP_IP = env_rate("GOVHALL_THROTTLE_LOOKUP_IP", "30/900")
# Wrong passwords per account (login page, admin, HTTP Basic), and per client address.
GOVHALL_THROTTLE_LOGIN = env_rate("GOVHALL_THROTTLE_LOGIN", "5/900")
GOVHALL_THROTTLE_LOGIN_IP = env_rate("GOVHALL_THROTTLE_LOGIN_IP", "30/900")
# Behind a reverse proxy: the META key of the header carrying the client's address (e.g. HTTP_X_REAL_IP).
GOVHALL_CLIENT_IP_HEADER = os.environ.get("GOVHALL_CLIENT_IP_HEADER", "")
AUTHENTICATION_BACKENDS = ["govhall.core.auth.LockoutModelBackend"]
# Digits of the check code (查询码) given to new cases; codes issued with another length stay valid.
GOVHALL_CHECK_CODE_DIGITS = int(os.environ.get("GOVHALL_CHECK_CODE_DIGITS", "8"))
if not 6 <= GOVHALL_CHECK_CODE_DIGITS <= 12:
    raise RuntimeError("GOVHALL_CHECK_CODE_DIGITS must be between 6 and 12")
# Longest path plus query string answered (414 in Chinese beyond it); keep it below the WSGI server's own limit.
GOVHALL_MAX_URL_LENGTH = int(os.environ.get("GOVHALL_MAX_URL_LENGTH", "2048"))
