"""One environment-driven settings module.

Every knob is an environment variable (documented in README.md):

TRADELANE_DATA_DIR       folder for the SQLite database, secret key and uploads (default ./var)
DATABASE_URL             e.g. postgresql://user@host:5432/tradelane; default: SQLite in DATA_DIR
TRADELANE_SECRET_KEY     Django secret key; default: generated once into DATA_DIR/secret_key
TRADELANE_DEBUG          1 to turn debug on (off by default)
TRADELANE_ALLOWED_HOSTS  comma-separated host names (default: localhost,127.0.0.1,[::1])
TRADELANE_TIME_ZONE      server time zone (default Asia/Shanghai)
TRADELANE_CONN_MAX_AGE   seconds a database connection is reused (default 600)
TRADELANE_HTTPS          1 when served over HTTPS (behind a TLS proxy): secure cookies, HSTS
TRADELANE_LOGIN_*        login throttling (see the README's "Security" section)
TRADELANE_ECB_FETCH      1 to let the worker fetch the ECB's reference rates (off by default)
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("TRADELANE_DATA_DIR", "var")).resolve()


def _private_dir(path: Path) -> None:
    """The data folder holds the secret key and the database: only its owner may enter it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    _tighten(path, 0o700)


def _tighten(path: Path, mode: int) -> None:
    """Take group and other access away from a file or folder of ours that has it."""
    try:
        st = path.stat()
        if st.st_uid == os.geteuid() and st.st_mode & 0o077:
            path.chmod(mode)
    except OSError:  # not ours to change (a shared mount): leave it as the admin set it
        pass


def _private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing (SQLite opens an empty file as an empty
    database and creates its -wal and -shm files with the database file's mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _tighten(path, 0o600)


_private_dir(DATA_DIR)


def _secret_key() -> str:
    key = os.environ.get("TRADELANE_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Written once with O_EXCL so concurrent first starts agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("TRADELANE_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("TRADELANE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TRADELANE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",  # its templates and static files: the API docs page works offline
    "django_tasks",
    "django_tasks_db",
    "axes",  # login throttling and lockout (after contrib.auth)
    "tradelane.core",
    "tradelane.accounts",
    "tradelane.catalog",
    "tradelane.inventory",
    "tradelane.orders",
    "tradelane.logistics",
    "tradelane.forwarding",
    "tradelane.finance",
    "tradelane.integrations.spreadsheets",
    "tradelane.integrations.stores",
    "tradelane.web",
    "tradelane.integrations.carriers",
    "tradelane.integrations.forwarder_apis",
    "tradelane.integrations.ecb",
]

MIDDLEWARE = [
    "tradelane.integrations.stores.middleware.WebhookFastPath",  # /hooks/ skips the rest
    "django.middleware.security.SecurityMiddleware",
    # the ERPs' ECCANG / Hualei calls skip the browser middleware below
    "tradelane.integrations.forwarder_apis.middleware.VendorFastPath",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tradelane.api.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it answers lockouts
]

ROOT_URLCONF = "tradelane.urls"
WSGI_APPLICATION = "tradelane.wsgi.application"

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
                "tradelane.web.context.navigation",
                "tradelane.web.context.installation_warnings",
            ],
        },
    }
]

_sqlite_path = DATA_DIR / "tradelane.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        DATABASES["default"].setdefault("OPTIONS", {})
else:
    _private_file(_sqlite_path)
    DATABASES = {
        "default": {
            "ENGINE": "tradelane.core.sqlite3",
            "NAME": str(_sqlite_path),
            "OPTIONS": {},
        }
    }
# Persistent connections: a new SQLite connection per request cost ~1 ms to open and, as the
# last one closed, a WAL checkpoint (an fsync, 10+ ms) to close (benchmarks/sync.py).
# Health checks drop a connection that broke (PostgreSQL restarted) before it is reused.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("TRADELANE_CONN_MAX_AGE", "600"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Django's backend with the writers of a process queued on a lock (core/sqlite3/base.py)
    DATABASES["default"]["ENGINE"] = "tradelane.core.sqlite3"
    # WAL lets readers run beside the single writer; IMMEDIATE transactions take the write
    # lock up front, so two writers queue on the busy timeout instead of deadlocking on a
    # lock upgrade (the classic SQLITE_BUSY in the middle of a transaction).
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            # Bulk paths send IN-lists of a different length each chunk, so each is a new
            # statement; a large per-connection cache of them grew memory with the row count.
            # 64, not 16: an inbound scan runs some twenty statements, and with 16 kept SQLite
            # prepared most of them again on every scan (3.5 against 4-5 ms of CPU a scan).
            "cached_statements": 64,
        }
    )
    # Tests use a file, not :memory:, so that threads and live servers share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's standard validators (their messages are translated into Chinese by Django itself).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logins (the web page and /admin/) are throttled by django-axes: after
# TRADELANE_LOGIN_FAILURE_LIMIT failures for one user name, or from one address, further
# attempts are refused for TRADELANE_LOGIN_LOCKOUT_MINUTES (each failure while locked starts
# the wait again); an admin unlocks on the page "Login lockouts" or with
# `tradelane manage axes_reset_username NAME`. API keys are 32 random bytes: nothing to guess.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend with its per-request reads compiled once (accounts/backends.py)
    "tradelane.accounts.backends.ModelBackend",
]
# the database session store with its read compiled once (accounts/sessions.py)
SESSION_ENGINE = "tradelane.accounts.sessions"
AXES_FAILURE_LIMIT = int(os.environ.get("TRADELANE_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TRADELANE_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tradelane.web.views.auth.locked_out"
AXES_VERBOSE = False
# Behind a proxy the client's address is the last one the proxy adds to X-Forwarded-For.
_PROXY_COUNT = int(os.environ.get("TRADELANE_PROXY_COUNT", "0") or 0)
TRADELANE_PROXY_COUNT = _PROXY_COUNT  # also for the public tracking miss limit
if _PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = _PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TRADELANE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves STATIC_ROOT (filled by collectstatic; `tradelane up` runs it) and warns
# on every request handler it builds when the folder is missing, so it always exists.
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded files (product images) through Django's default storage: files in DATA_DIR/media
# here; several machines point STORAGES["default"] at shared storage. Never served as static
# files: a view that checks the reader's role streams them.
MEDIA_ROOT = DATA_DIR / "media"
CATALOG_IMAGE_MAX_MB = float(os.environ.get("TRADELANE_IMAGE_MAX_MB", "5") or 5)

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# The task queue: the database by default (no other server); "rq" (or the backend's full
# path) keeps it in Redis (TRADELANE_REDIS_URL) for workers on many machines; "immediate" runs
# tasks inline. Scheduled work (outbox delivery, store pulls, reconciliation, tracking polls)
# runs in every worker whichever queue is used (core.periodic).
TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = os.environ.get("TRADELANE_TASKS_BACKEND", "db").strip() or "db"
_tasks_backend = TASK_BACKENDS.get(_tasks_backend, _tasks_backend)
TASKS = {"default": {"BACKEND": _tasks_backend}}
# where this installation is reached from outside (public tracking links pushed to stores);
# `tradelane up` sets it to the address it serves on when it is unset (cli._default_public_url)
TRADELANE_PUBLIC_URL = os.environ.get("TRADELANE_PUBLIC_URL", "").strip()
# the public tracking page and API refuse a client after this many unknown numbers in the
# window (seconds); 0 switches the limit off
TRADELANE_PUBLIC_TRACKING_MISSES = int(os.environ.get("TRADELANE_PUBLIC_TRACKING_MISSES", "30"))
TRADELANE_PUBLIC_TRACKING_WINDOW = int(os.environ.get("TRADELANE_PUBLIC_TRACKING_WINDOW", "600"))
REDIS_URL = os.environ.get("TRADELANE_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
if _tasks_backend == TASK_BACKENDS["rq"]:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]

# Idempotency-Key: how long an unfinished request holds its key before a retry may take it
# over, and the largest body hashed for it (each endpoint's own, smaller limit applies first)
TRADELANE_IDEMPOTENCY_LEASE_SECONDS = int(
    os.environ.get("TRADELANE_IDEMPOTENCY_LEASE_SECONDS", "60")
)
TRADELANE_IDEMPOTENCY_MAX_BODY_BYTES = 64 * 1024 * 1024

# The cache holds shared state (the public tracking miss limit), so it is never per process:
# the database by default (its table is made by a migration), or Redis with
# TRADELANE_CACHE_URL=redis://host:6379/1 (pip install '.[redis]').
_CACHE_URL = os.environ.get("TRADELANE_CACHE_URL", "").strip()
if _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tradelane_cache",
        }
    }

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Served over HTTPS (TLS ends at a proxy in front: nginx, a cloud balancer): cookies only over
# TLS, HSTS, plain HTTP redirected, and the proxy's X-Forwarded-Proto believed. The proxy must
# set that header itself (and drop a client's); `tradelane up` tells waitress to trust it from
# TRADELANE_TRUSTED_PROXY. `tradelane manage check --deploy` is clean with these.
HTTPS = _env_bool("TRADELANE_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("TRADELANE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("TRADELANE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _env_bool("TRADELANE_HSTS_PRELOAD", True)
    # the store and carrier webhooks arrive over HTTPS too, so nothing is exempt
TRUSTED_PROXY = os.environ.get("TRADELANE_TRUSTED_PROXY", "127.0.0.1").strip()

# Content Security Policy (django-csp): scripts only from our own static files (no inline
# script, no eval: htmx runs with allowEval off), no plugins, no framing, forms post only
# here. Styles allow inline style attributes: the pygal charts are inline SVG with their own
# <style>, and progress bars set their width; CSS cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


LOG_LEVEL = os.environ.get("TRADELANE_LOG_LEVEL", "WARNING").strip().upper() or "WARNING"
# The console is read by a person: a 4xx is one line, the task worker reports failures only
# (every task's start and end show with TRADELANE_LOG_LEVEL=INFO). See core.console_log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "one_line_client_errors": {"()": "tradelane.core.console_log.OneLineClientErrors"},
        "task_failures_only": {
            "()": "tradelane.core.console_log.TaskFailuresOnly",
            "level": LOG_LEVEL,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["task_failures_only"]}},
    # on the logger itself, so every handler (and a test's caplog) gets the one line
    # waitress.queue warns "Task queue depth is N" on every request queued behind busy
    # threads: a line per webhook in a burst, which slowed the burst (benchmarks/sync.py)
    "loggers": {
        "django.request": {"filters": ["one_line_client_errors"]},
        "waitress.queue": {"level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}


# Imported files (spreadsheets, order files, rate sheets): a file beyond one of these limits is
# refused whole with 413 (see core.spreadsheet_safety and the README's configuration table).
def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ValueError(f"{name} must be 1 or more, not {number}")
    return number


IMPORT_MAX_ROWS = _env_int("TRADELANE_IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_CELL_CHARS = _env_int("TRADELANE_IMPORT_MAX_CELL_CHARS", 32_768)
IMPORT_MAX_EXPANDED_MB = _env_int("TRADELANE_IMPORT_MAX_EXPANDED_MB", 256)
IMPORT_MAX_ZIP_RATIO = _env_int("TRADELANE_IMPORT_MAX_ZIP_RATIO", 100)

# the last-mile switch: carrier label requests retried with a doubling wait, then a problem
TRADELANE_LASTMILE_MAX_ATTEMPTS = _env_int("TRADELANE_LASTMILE_MAX_ATTEMPTS", 5)
TRADELANE_LASTMILE_BACKOFF_S = _env_int("TRADELANE_LASTMILE_BACKOFF_S", 60)
# the worker asks a waybill's last-mile carrier for news at most this often (seconds)
TRADELANE_LASTMILE_POLL_INTERVAL_S = _env_int("TRADELANE_LASTMILE_POLL_INTERVAL_S", 7200)

# the ECB's euro reference rates, fetched by the worker (off by default: no call leaves the
# installation unless asked); at most once per interval across every worker
TRADELANE_ECB_FETCH = _env_bool("TRADELANE_ECB_FETCH")
TRADELANE_ECB_URL = os.environ.get(
    "TRADELANE_ECB_URL", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist-90d.xml"
).strip()
TRADELANE_ECB_FETCH_INTERVAL_S = _env_int("TRADELANE_ECB_FETCH_INTERVAL_S", 3600)
