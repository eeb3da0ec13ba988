"""One settings module, driven by environment variables (see README "Configuration").

Defaults give a zero-set-up development system on SQLite; production sets DATABASE_URL to PostgreSQL,
GOVHALL_SECRET_KEY, GOVHALL_DEBUG=0 and GOVHALL_ALLOWED_HOSTS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from govhall.core.env import env_bool, env_int, env_list, env_rate, env_str
from govhall.core.tz import SHANGHAI_NAME

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GOVHALL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("GOVHALL_DEBUG", True)
SECRET_KEY = env_str("GOVHALL_SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
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
    "govhall.ratings",
    "govhall.hotline",
    "govhall.queueing",
    "govhall.disclosure",
    "govhall.stats",
    "govhall.integrity",
    "govhall.inspections",
    "govhall.legal",
    "govhall.rulemaking",
    "govhall.evaluation",
    "govhall.workbench",
    "govhall.portal",
    "govhall.demo",
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
                "govhall.workbench.nav.nav_context",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL says otherwise (postgres://user@host:5432/name in production).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'govhall.sqlite3'}"),
        conn_max_age=env_int("GOVHALL_DB_CONN_MAX_AGE", 60, minimum=0),
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
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding lets psycopg prepare a statement on the connection once it has run it this many times, so
    # PostgreSQL plans it once per connection: the case reads join eight tables, and planning them took 7 ms of the
    # 7.2 ms each cost (bench/README.md, "The ORM's cost cut"). 0 turns it off — needed behind a pooler in
    # transaction mode (PgBouncer before 1.21), which cannot keep a connection's prepared statements.
    _prepare_after = env_int("GOVHALL_DB_PREPARE_THRESHOLD", 5, minimum=0)
    if _prepare_after:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=_prepare_after
        )
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"]["NAME"] = env_str("GOVHALL_TEST_DB_NAME", "") or None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "govhall" / "locale"]
TIME_ZONE = SHANGHAI_NAME
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
MEDIA_ROOT = Path(env_str("GOVHALL_MEDIA_ROOT", str(VAR_DIR / "media")))

LOGIN_URL = "/accounts/login/"
LOGOUT_REDIRECT_URL = "/"
LOGIN_REDIRECT_URL = "/"

# The hall the calendar's office-minute clocks use when a caller names none.
GOVHALL_DEFAULT_OFFICE_HOURS = env_str("GOVHALL_DEFAULT_OFFICE_HOURS", "09:00-12:00,13:30-17:30")
# Seconds a process trusts its cached copy of the holiday table before checking the revision again.
GOVHALL_CALENDAR_CACHE_SECONDS = env_int("GOVHALL_CALENDAR_CACHE_SECONDS", 30, minimum=0)

NINJA_PAGINATION_PER_PAGE = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "govhall.core.logfilters.RedactSecrets"},
        "quiet_permission_denied": {"()": "govhall.core.logfilters.QuietPermissionDenied"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("GOVHALL_LOG_LEVEL", "INFO")},
    "loggers": {
        "jieba": {"level": "WARNING"},
        "django.request": {"filters": ["quiet_permission_denied"]},
    },
}
# The address printed in the QR code of every notice, for the public verification page (/verify/<number>/).
GOVHALL_PUBLIC_URL = env_str("GOVHALL_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Largest accepted upload of one application material, in MB.
GOVHALL_MAX_UPLOAD_MB = env_int("GOVHALL_MAX_UPLOAD_MB", 20, minimum=1)
# The API takes materials base64-encoded in JSON (4/3 of the file size), several per request.
DATA_UPLOAD_MAX_MEMORY_SIZE = GOVHALL_MAX_UPLOAD_MB * 8 * 1024 * 1024
# The seal maker (制章者) named in every department seal.
GOVHALL_SEAL_MAKER_NAME = env_str("GOVHALL_SEAL_MAKER_NAME", "") or "政务服务中心电子印章制作系统"
# TrueType CJK font for notices, "path[#index]"; empty: the first of documents.render.FONT_CANDIDATES present.
GOVHALL_PDF_FONT = env_str("GOVHALL_PDF_FONT", "")
# Mail for notifications: printed to the console in development; SMTP (EMAIL_HOST…) in production.
EMAIL_BACKEND = env_str(
    "GOVHALL_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_TIMEOUT = 10
# SMS gateway: a dotted path to a class with send(phone, text) -> id (govhall.notifications.sms); console by default.
GOVHALL_SMS_BACKEND = env_str("GOVHALL_SMS_BACKEND", "govhall.notifications.sms.ConsoleSmsBackend")
GOVHALL_SMS_FILE_PATH = Path(env_str("GOVHALL_SMS_FILE_PATH", "") or VAR_DIR / "sms.log")
# The signature that opens every SMS (工信部 requires the sender's signature in 【】).
GOVHALL_SMS_SIGNATURE = env_str("GOVHALL_SMS_SIGNATURE", "【政务服务中心】")
# Outbox delivery: attempts before a message is given up on, and the first retry delay (doubled each time).
GOVHALL_NOTIFY_MAX_ATTEMPTS = env_int("GOVHALL_NOTIFY_MAX_ATTEMPTS", 5, minimum=1)
GOVHALL_NOTIFY_RETRY_SECONDS = env_int("GOVHALL_NOTIFY_RETRY_SECONDS", 60, minimum=1)
# Working days to conclude an efficiency complaint.
GOVHALL_COMPLAINT_LIMIT_WORKDAYS = env_int("GOVHALL_COMPLAINT_LIMIT_WORKDAYS", 10, minimum=1)
# The department that answers for complaints nobody handles yet (its name; one that does not exist is refused);
# empty: the one with most supervisors, else most center administrators (complaints.actions.complaints_office).
GOVHALL_COMPLAINT_DEPARTMENT = env_str("GOVHALL_COMPLAINT_DEPARTMENT", "")
# 好差评 (国办发〔2019〕51号): working days to verify, rectify and feed back a bad review (5 in some cities, 15 in
# others); days after conclusion before an unrated case gets the default rating (0: never, the default) and the
# level it gets; minutes the window rating device offers the case just handled there.
GOVHALL_RATING_RECTIFY_WORKDAYS = env_int("GOVHALL_RATING_RECTIFY_WORKDAYS", 5, minimum=1)
GOVHALL_RATING_DEFAULT_AFTER_DAYS = env_int("GOVHALL_RATING_DEFAULT_AFTER_DAYS", 0, minimum=0)
GOVHALL_RATING_DEFAULT_LEVEL = env_str("GOVHALL_RATING_DEFAULT_LEVEL", "4")
GOVHALL_RATING_WINDOW_MINUTES = env_int("GOVHALL_RATING_WINDOW_MINUTES", 30, minimum=1)
# Overrides of supervision.policy.EscalationPolicy (e.g. {"order_days": 2}); set in a settings override, not the env.
GOVHALL_SUPERVISION: dict[str, Any] = {}
# Background workers: first delay before a failing row is tried again (doubled per failure, capped at WORKER_MAX).
GOVHALL_WORKER_RETRY_SECONDS = env_int("GOVHALL_WORKER_RETRY_SECONDS", 60, minimum=1)
GOVHALL_WORKER_MAX_RETRY_SECONDS = env_int("GOVHALL_WORKER_MAX_RETRY_SECONDS", 6 * 3600, minimum=1)


# 索引号 of the disclosure catalog, a str.format template over {organ_code} (组织机构代码, from the organ's USCC), {year},
# {serial}, {category}, {date} (docs/disclosure.md). Numbers already given keep their form; serials run per prefix.
GOVHALL_DISCLOSURE_INDEX_FORMAT = env_str(
    "GOVHALL_DISCLOSURE_INDEX_FORMAT", "{organ_code}/{year}-{serial:05d}"
)


# --- security (docs/security.md) ---------------------------------------------------------------------------------


# Wrong check codes per case or complaint number (from any address), and per client address (any number).
GOVHALL_THROTTLE_LOOKUP = env_rate("GOVHALL_THROTTLE_LOOKUP", "10/3600")
GOVHALL_THROTTLE_LOOKUP_IP = env_rate("GOVHALL_THROTTLE_LOOKUP_IP", "30/900")
# Wrong passwords per account (login page, admin, HTTP Basic), and per client address.
GOVHALL_THROTTLE_LOGIN = env_rate("GOVHALL_THROTTLE_LOGIN", "5/900")
GOVHALL_THROTTLE_LOGIN_IP = env_rate("GOVHALL_THROTTLE_LOGIN_IP", "30/900")
# Queue tickets taken at the self-service kiosk (/queue/) per client address: a kiosk in a busy hall gives about
# one ticket a minute, bursts of a few; a script pressing the button hundreds of times is stopped.
GOVHALL_THROTTLE_TICKET_IP = env_rate("GOVHALL_THROTTLE_TICKET_IP", "60/600")
# Open311 POST requests.json per api_key and per client address (docs/open311.md).
GOVHALL_THROTTLE_OPEN311 = env_rate("GOVHALL_THROTTLE_OPEN311", "60/3600")
GOVHALL_THROTTLE_OPEN311_IP = env_rate("GOVHALL_THROTTLE_OPEN311_IP", "120/3600")
# Public information requests (POST /api/v1/info-requests and the request page) per client address: a citizen files
# a few; a script filing hundreds would bury the disclosure office's statutory clocks (docs/disclosure.md).
GOVHALL_THROTTLE_INFO_REQUEST_IP = env_rate("GOVHALL_THROTTLE_INFO_REQUEST_IP", "20/3600")
# Behind a reverse proxy: the META key of the header carrying the client's address (e.g. HTTP_X_REAL_IP).
GOVHALL_CLIENT_IP_HEADER = env_str("GOVHALL_CLIENT_IP_HEADER", "")
AUTHENTICATION_BACKENDS = ["govhall.core.auth.LockoutModelBackend"]
# Sessions stay in the database (Django's db store); govhall's store only compiles the per-request read once.
SESSION_ENGINE = "govhall.core.sessions"
# Digits of the check code (查询码) given to new cases; codes issued with another length stay valid.
GOVHALL_CHECK_CODE_DIGITS = env_int("GOVHALL_CHECK_CODE_DIGITS", 8, minimum=6, maximum=12)
# Longest path plus query string answered (414 in Chinese beyond it); keep it below the WSGI server's own limit.
GOVHALL_MAX_URL_LENGTH = env_int("GOVHALL_MAX_URL_LENGTH", 2048, minimum=256)


# --- production behind TLS (docs/deployment.md) ------------------------------------------------------------------


# On by default whenever debug is off: redirect to HTTPS, cookies only over HTTPS, HSTS. GOVHALL_HTTPS=0 is for a
# plain-HTTP loopback test cluster only (`check --deploy` then warns, as it should).
GOVHALL_HTTPS = env_bool("GOVHALL_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = GOVHALL_HTTPS
SESSION_COOKIE_SECURE = GOVHALL_HTTPS
CSRF_COOKIE_SECURE = GOVHALL_HTTPS
SECURE_HSTS_SECONDS = env_int("GOVHALL_HSTS_SECONDS", 31536000 if GOVHALL_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GOVHALL_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("GOVHALL_HSTS_PRELOAD", False)
# Load balancers probe the health endpoint over plain HTTP on the server's own port.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy: the META name of the header that says the original request was HTTPS
# (e.g. HTTP_X_FORWARDED_PROTO for nginx's `proxy_set_header X-Forwarded-Proto $scheme`). Only set it when the
# proxy always sets or strips that header, or a client could claim HTTPS on a plain connection.
_PROXY_SSL_HEADER = env_str("GOVHALL_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
# Entering the browsers' HSTS preload list is the operator's decision (it cannot be undone quickly, and an
# intranet hall's domain is often not public): GOVHALL_HSTS_PRELOAD=1 sends the flag; the check only asks for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores index INCLUDE columns and NULLS NOT DISTINCT; production PostgreSQL uses them, so the warnings are noise.
    SILENCED_SYSTEM_CHECKS += ["models.W040", "models.W047"]


# Signed checkpoints of the audit trail (docs/security.md): the SM2 key file, kept out of the database (create it
# with `manage.py checkpoint_key`), the append-only directory of checkpoint files, and how often the worker writes
# one: after this many minutes or this many new entries, whichever comes first.
GOVHALL_CHECKPOINT_KEY = Path(env_str("GOVHALL_CHECKPOINT_KEY", "") or VAR_DIR / "checkpoint-key.json")
GOVHALL_CHECKPOINT_DIR = Path(env_str("GOVHALL_CHECKPOINT_DIR", "") or VAR_DIR / "checkpoints")
GOVHALL_CHECKPOINT_MINUTES = env_int("GOVHALL_CHECKPOINT_MINUTES", 10, minimum=1)
GOVHALL_CHECKPOINT_ENTRIES = env_int("GOVHALL_CHECKPOINT_ENTRIES", 1000, minimum=1)
# The key of every audit entry's HMAC-SM3 (docs/security.md): kept out of the database, so an administrator who can
# only write SQL cannot append an entry that verifies. Empty means derived from SECRET_KEY with a fixed label; when
# SECRET_KEY is rotated, set this to the old derived value (`manage.py shell -c "from govhall.core.hashchain import
# mac_key; print(mac_key().decode())"`) first, or every existing entry stops verifying.
GOVHALL_AUDIT_MAC_KEY = env_str("GOVHALL_AUDIT_MAC_KEY", "")
