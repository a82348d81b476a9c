"""FastDSO settings, read from the environment (12-factor).

Defaults give the embedded set-up: a SQLite file in the project, DEBUG off,
the django-q2 ORM broker (no extra server). Production sets DATABASE_URL,
SECRET_KEY, ALLOWED_HOSTS and, optionally, REDIS_URL.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FASTDSO_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    # Embedded set-up: a random key generated once per install and kept out
    # of the repo. Production passes SECRET_KEY in the environment.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_q",
    "django_tables2",
    "import_export",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "fastdso",
    "inventory",
    "sales",
    "distribution",
    "forecast",
    "redistribution",
    "replay",
    "health",
    "benchmarks",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fastdso.middleware.HostileParametersMiddleware",
    "fastdso.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fastdso.middleware.SpanishByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "fastdso.middleware.ReadOnlyForViewersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside the language, the user and the messages: its 503 page has the app's layout.
    "fastdso.middleware.DatabaseBusyMiddleware",
    "fastdso.middleware.JobServiceDownMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fastdso.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fastdso.menu.menu_context",
                "inventory.context.demo_context",
            ],
            "builtins": ["fastdso.templatetags.fastdso_tags"],
        },
    },
]

WSGI_APPLICATION = "fastdso.wsgi.application"
ASGI_APPLICATION = "fastdso.asgi.application"

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
# Health checks: a kept connection is tested before a request reuses it, so
# the first requests after a database restart reconnect instead of failing.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if not IS_POSTGRES:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE
        # takes the write lock up front so two writers queue, not deadlock.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-200000; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 60,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: job progress and the Store Health results live here, so that
# every web and worker process sees them while a job's transaction is still
# open. One host: a file cache in var/. Several hosts: REDIS_URL (the same
# Redis is then the django-q2 broker too). -----------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("FASTDSO_CACHE_PREFIX", "fastdso"),
            # Redis down or unreachable: a page waits 2 s at most to learn it,
            # then reads the database or answers the 503 of the job service.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- django-q2 --------------------------------------------------------------
# Delivery: a task is delivered once in normal operation. `timeout` stops a
# job after Q_TIMEOUT s (its transaction rolls back; the job is failed);
# `retry` (how long the broker waits for the ack before delivering a task
# again) is longer than that, so a running task is never delivered twice;
# `ack_failures` + `max_attempts` 1: a failed task is acknowledged, not retried.
# The one redelivery left is after a worker died (the task was never
# acknowledged): it finds its job failed or done, claims nothing and does
# nothing (fastdso/jobs.py job_execute). A dead worker never freezes the
# cluster (fastdso/worker.py); docs/operations.md tells operators what happens.
Q_TIMEOUT = int(os.environ.get("Q_TIMEOUT", "3600"))
Q_CLUSTER: dict[str, object] = {
    "name": "fastdso",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "recycle": 50,
    "timeout": Q_TIMEOUT,
    "retry": Q_TIMEOUT + 60,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "label": "Tareas",
}
if REDIS_URL:
    # One Redis for the broker and the cache (a string is read with redis.from_url).
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Jobs run inline (same process) when true: tests and management commands.
# The web app otherwise enqueues them to the django-q2 worker.
FASTDSO_JOBS_SYNC = env_bool("FASTDSO_JOBS_SYNC", False)
# Web uploads above this are refused before parsing (the 357 MB reference
# file fits the default). Management commands have no limit unless --max-mb.
FASTDSO_MAX_UPLOAD_MB = int(os.environ.get("FASTDSO_MAX_UPLOAD_MB", "1024"))
# Uploaded files are deleted from the uploads storage when their job ends;
# 1 keeps them (audit). The Job row (name, user, summary, errors) always stays.
FASTDSO_KEEP_UPLOADS = env_bool("FASTDSO_KEEP_UPLOADS", False)
# 0: start.sh loads no demo data (an empty app for real data).
FASTDSO_DEMO = env_bool("FASTDSO_DEMO", True)
# SPEC v3 §5.7: without shipment confirmations, a CD count dated this many
# days after a run's export ends its reservation (the goods were picked).
FASTDSO_CD_PICK_DAYS = int(os.environ.get("FASTDSO_CD_PICK_DAYS", "2"))
FASTDSO_MAX_STORED_ERRORS = 100_000

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for
# one user from one IP address, that pair is locked out for
# FASTDSO_LOGIN_LOCKOUT_MINUTES (HTTP 429, a Spanish page). Other users and
# other addresses are not affected; a successful login resets the count.
# `python manage.py axes_reset_username USER` unlocks a user at once.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
FASTDSO_LOGIN_LOCKOUT_MINUTES = int(os.environ.get("FASTDSO_LOGIN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = int(os.environ.get("FASTDSO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=FASTDSO_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "fastdso.views.login_locked_out"
AXES_VERBOSE = False
if env_bool("BEHIND_PROXY"):
    # The client's address as the proxy saw it (the last hop it appended).
    AXES_CLIENT_IP_CALLABLE = "fastdso.views.client_ip_behind_proxy"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Number separators per language (fastdso/formatting.py uses them everywhere).
FORMAT_MODULE_PATH = ["fastdso.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Santiago")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads go through the "uploads" storage, so that a worker on another host
# reads what the web host received: local disk by default (a shared mount
# when web and workers are on several hosts: FASTDSO_UPLOADS_DIR), or an
# S3-compatible bucket through django-storages (FASTDSO_S3_BUCKET, see
# docs/operations.md), or any storage class (FASTDSO_UPLOADS_STORAGE).
MEDIA_ROOT = VAR_DIR / "media"
UPLOADS_DIR = Path(os.environ.get("FASTDSO_UPLOADS_DIR", MEDIA_ROOT))


def _uploads_storage() -> dict[str, object]:
    if os.environ.get("FASTDSO_S3_BUCKET"):
        options = {
            "bucket_name": os.environ["FASTDSO_S3_BUCKET"],
            "location": os.environ.get("FASTDSO_S3_PREFIX", "fastdso"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        }
        for option, variable in (
            ("endpoint_url", "FASTDSO_S3_ENDPOINT_URL"),
            ("region_name", "FASTDSO_S3_REGION"),
            ("access_key", "FASTDSO_S3_ACCESS_KEY"),
            ("secret_key", "FASTDSO_S3_SECRET_KEY"),
        ):
            if os.environ.get(variable):
                options[option] = os.environ[variable]
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    backend = os.environ.get("FASTDSO_UPLOADS_STORAGE", "django.core.files.storage.FileSystemStorage")
    if backend.endswith("FileSystemStorage"):
        return {"BACKEND": backend, "OPTIONS": {"location": str(UPLOADS_DIR), "file_permissions_mode": 0o640}}
    return {"BACKEND": backend}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "uploads": _uploads_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the finders: no collectstatic step in the two-command
# set-up, and no manifest to forget in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Admin import/export: no live formulas in exported files (the admin
# classes also neutralise every formula-like cell, see fastdso/admin_base.py).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True

# --- REST API (/api/v1/, the api app) -----------------------------------------
# Tokens (api.authentication) or the browser session; the roles of the web
# (api.permissions); one request budget per token (api.throttling).
FASTDSO_API_THROTTLE_RATE = os.environ.get("FASTDSO_API_THROTTLE_RATE", "600/min")
# Without Redis the API throttle counts in this small SQLite file of the host
# (atomic; never behind an import's write lock): api/throttling.py.
FASTDSO_API_THROTTLE_DB = Path(os.environ.get("FASTDSO_API_THROTTLE_DB", VAR_DIR / "api-throttle.sqlite3"))
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.RolePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "FastDSO API",
    "DESCRIPTION": (
        "Uploads, jobs, distribution runs, transfer plans, stock and purchase forecasts. "
        "Authenticate with `Authorization: Token <key>` (a token from the profile page or "
        "`manage.py api_token`) or with the browser session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.RolePermission"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Vendored Swagger UI (drf-spectacular-sidecar), served by WhiteNoise: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "fastdso.models.Job.Status",
        "RunStatusEnum": "distribution.models.DistributionRun.Status",
        "PlanModeEnum": "redistribution.models.TransferPlan.Mode",
        "ScopeEnum": "redistribution.models.TransferPlan.Scope",
        "ReplayScopeEnum": "replay.models.ReplayRun.Scope",
        "SalesModeEnum": "sales.models.SalesLoad.Mode",
    },
}

# --- Tables -----------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "tables/table.html"
DJANGO_TABLES2_PAGE_RANGE = 7

# --- Security ---------------------------------------------------------------
# SECURE_HTTPS turns on the HTTPS-only settings; it defaults on when the
# deployment passes its own SECRET_KEY and DEBUG is off (production).
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG and bool(os.environ.get("SECRET_KEY")))
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
if env_bool("BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
