"""Django settings for Yangguang.

Everything comes from the environment with safe defaults for the embedded mode (`make run`):
SQLite under ``var/``, local files under ``var/media``, in-memory channel layer. Production sets
``DATABASE_URL`` (PostgreSQL), ``YANGGUANG_SECRET_KEY``, ``REDIS_URL`` and ``YANGGUANG_DEBUG=0``;
it refuses to start with the development secret.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# The working directory of the embedded mode; `make run` and `make test` run from the repository root.
VAR_DIR = Path(os.environ.get("YANGGUANG_VAR_DIR", Path.cwd() / "var")).resolve()

DEV_SECRET = "yangguang-development-secret-not-for-production"  # noqa: S105 - refused in production
DEBUG = os.environ.get("YANGGUANG_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("YANGGUANG_SECRET_KEY", DEV_SECRET)
if not DEBUG and SECRET_KEY == DEV_SECRET:
    raise ImproperlyConfigured("YANGGUANG_SECRET_KEY must be set when YANGGUANG_DEBUG=0")

ALLOWED_HOSTS = os.environ.get("YANGGUANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("YANGGUANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "yangguang.core",
    "yangguang.rules",
    "yangguang.accounts",
    "yangguang.catalogue",
    "yangguang.suppliers",
    "yangguang.projects",
    "yangguang.notices",
    "yangguang.tendering",
    "yangguang.auctions",
    "yangguang.bidding",
    "yangguang.evaluation",
    "yangguang.experts",
    "yangguang.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "yangguang.urls"
ASGI_APPLICATION = "yangguang.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yangguang.accounts.context.navigation",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'yangguang.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers queue instead of failing
    # with "database is locked" half-way; WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif os.environ.get("YANGGUANG_DB_POOL", "1") == "1":
    # Under ASGI Django must not keep a connection per thread (CONN_MAX_AGE); without a pool every request
    # opens a new PostgreSQL connection. psycopg's pool hands out open connections instead.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("YANGGUANG_DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("YANGGUANG_DB_POOL_MAX", "10")),
        "timeout": 10,
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Hot statements run prepared (core/prepared.py): psycopg prepares only when a threshold is set, and
    # PostgreSQL must keep one generic plan per prepared statement instead of re-planning it for every
    # parameter value. Django's own queries are bound on the client and never prepared.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["prepare_threshold"] = 5
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:workbench"
LOGOUT_REDIRECT_URL = "portal:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Pub/sub: a group message is one PUBLISH, pushed to the subscribed processes (no list polling); live
    # updates are not queued for absent listeners, which re-read the state on reconnect
    # (docs/performance-auctions.md: Redis transit p50 40-60 ms -> 2-7 ms under load).
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The platform's signing key for log checkpoints (Ed25519, PEM). Created under var/ in embedded mode.
YANGGUANG_SIGNING_KEY_FILE = Path(
    os.environ.get("YANGGUANG_SIGNING_KEY_FILE", VAR_DIR / "keys" / "platform-ed25519.pem")
)
YANGGUANG_LOG_ORIGIN = os.environ.get("YANGGUANG_LOG_ORIGIN", "yangguang.local/log")
# Seconds between signed checkpoints when the log has grown.
YANGGUANG_CHECKPOINT_INTERVAL = int(os.environ.get("YANGGUANG_CHECKPOINT_INTERVAL", "300"))
# Requests one server process runs at once (core/asgi_http.py); each may hold a database connection.
YANGGUANG_HTTP_THREADS = int(os.environ.get("YANGGUANG_HTTP_THREADS", "8"))
YANGGUANG_WORKER_TICK = float(os.environ.get("YANGGUANG_WORKER_TICK", "5"))
# Live auctions (auctions/live.py): updates arriving within this many milliseconds share one WebSocket frame
# (longer under load: at least as long as the previous flush took); at most this many bids per batched call.
YANGGUANG_AUCTION_FANOUT_WINDOW_MS = float(os.environ.get("YANGGUANG_AUCTION_FANOUT_WINDOW_MS", "5"))
YANGGUANG_AUCTION_BATCH_MAX = int(os.environ.get("YANGGUANG_AUCTION_BATCH_MAX", "100"))
# Fast sandbox (YANGGUANG_SANDBOX=1): procedure durations are compressed, a day into a minute, so a whole
# procedure can be demonstrated end to end. Every page then carries a banner; never for real trading.
YANGGUANG_SANDBOX = os.environ.get("YANGGUANG_SANDBOX", "0") == "1"
YANGGUANG_SANDBOX_SECONDS_PER_DAY = 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YANGGUANG_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
