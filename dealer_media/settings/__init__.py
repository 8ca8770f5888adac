"""Settings, all read from the environment, with embedded defaults for a laptop.

Defaults give a product that runs with nothing installed: SQLite and a
filesystem Celery broker under ``var/``, media on the local disk, and the
sandbox publisher instead of Meta. Production sets DATABASE_URL,
CELERY_BROKER_URL, MEDIA_STORAGE=s3 and friends (see the README).

This module holds Django's and the operations' settings; ``product.py`` the
product's own (publishing, scheduling, processing, uploads, inventory).
"""

from datetime import timedelta

import environ

from dealer_media.ops.csp import media_sources
from dealer_media.ops.logs import logging_config

from .environment import BASE_DIR, DEBUG, MEDIA_STORAGE, VAR_DIR, env

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key")
else:
    SECRET_KEY = env("SECRET_KEY")  # no default outside DEBUG on purpose

# ".localhost" lets the demo dealers' sites answer on sunrise.localhost:8000 and friends.
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", ".localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "ordered_model",
    "axes",
    "dealer_media.tenancy",
    "dealer_media.accounts",  # after auth and axes: replaces their admin registrations
    "library",
    "media_content",
    "uploads",
    "publishing",
    "banners",
    "social",
    "inventory",
    "csp",
    "dealer_media.ops",
]

MIDDLEWARE = [
    # Operations (dealer_media/ops): a request id for every answer and log line (first, so
    # that redirects carry it too), the CSP header, and /health/ answered before host
    # validation and sessions.
    "dealer_media.ops.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "dealer_media.ops.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it tells the person when the dealership they act for changes.
    "dealer_media.tenancy.middleware.CurrentOrganizationMiddleware",
    "dealer_media.tenancy.sites.SiteOrganizationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dealer_media.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dealer_media.tenancy.context_processors.organization",
                "social.context_processors.connection_alerts",
                "media_content.context_processors.approvals",
            ],
        },
    },
]

WSGI_APPLICATION = "dealer_media.wsgi.application"

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: with DATABASE_POOL_MAX_SIZE, each process keeps a psycopg pool of at most that
# many connections, shared by its threads (Django's "pool" option; CONN_MAX_AGE must be 0).
# A thread holds one only while it uses the database: a publishing thread gives it back
# while it waits on Meta (dealer_media/db_connections.py), so a few serve 32 threads.
# 0 (the default): one connection per thread. With many hosts, PgBouncer in transaction
# mode in front of PostgreSQL shares them across hosts (README, "Database connections");
# it needs server-side cursors off, as QuerySet.iterator() would hold one across
# transactions.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
)
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=0)
if DATABASE_POOL_MAX_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_MAX_SIZE,
        # How long a thread waits for a free connection before its query fails.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server, worker and beat share the file. Kept open
    # like PostgreSQL's: each close of the last connection to a WAL file checkpoints it.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that a worker process in a test can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# --- Cache ------------------------------------------------------------------
# Files under var/ by default: the web server, the Celery worker and beat are separate
# processes, and a change one of them makes (a banner the worker switches on at its
# time, a display copy it made) must reach the others' cached carousel at once. With
# several machines set REDIS_CACHE_URL (or CACHE_URL, any django-environ cache URL).
_cache_url = env("REDIS_CACHE_URL", default="") or env("CACHE_URL", default="")
if _cache_url:
    CACHES = {"default": {**env.cache_url_config(_cache_url), "KEY_PREFIX": "dm"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# How long a dealership's active banners stay cached (seconds). Keep it below
# AWS_QUERYSTRING_EXPIRE: the cached entries hold signed image URLs on S3.
BANNERS_CACHE_SECONDS = env.int("BANNERS_CACHE_SECONDS", default=3600)
# The website embed (/embed/<public key>/...): browsers and CDNs keep its answers this
# long, then serve them stale while they revalidate (ETag, 304): a banner change shows
# within the sum (5 minutes).
BANNERS_EMBED_MAX_AGE = env.int("BANNERS_EMBED_MAX_AGE", default=60)
BANNERS_EMBED_STALE_WHILE_REVALIDATE = env.int("BANNERS_EMBED_STALE_WHILE_REVALIDATE", default=240)
# Impressions and clicks are counted in Redis and flushed to the database by a periodic
# task (banners/counting.py); with no Redis, each count is one upsert in the database.
BANNERS_COUNTER_REDIS_URL = env("BANNERS_COUNTER_REDIS_URL", default="") or (
    _cache_url if _cache_url.startswith(("redis://", "rediss://")) else ""
)
BANNERS_COUNTS_FLUSH_SECONDS = env.int("BANNERS_COUNTS_FLUSH_SECONDS", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Sign-in throttling (django-axes) ----------------------------------------
# Failures are counted per username and, separately, per client address: this many
# within the cool-off lock that account (from anywhere) or that address (for anyone)
# until the cool-off has passed since the last failure, or a superuser unlocks it in
# the admin (Axes, Access attempts, action "Unlock") or runs `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success must not wipe the count: it would also wipe the address's failures for
# other accounts, letting anyone with a valid account keep guessing from that address.
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
# Logs and the admin's records name the account and the address (never the password),
# so a lockout can be explained and the right one unlocked.
AXES_SENSITIVE_PARAMETERS = []
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "dealer_media.accounts.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "dealer_media.accounts.signin.client_ip_address"
# Behind a reverse proxy the client's address is in X-Forwarded-For: set how many
# proxies we run in front of Django (each appending one address). 0: REMOTE_ADDR.
CLIENT_IP_PROXY_COUNT = env.int("CLIENT_IP_PROXY_COUNT", default=0)
_client_ip_header = env("CLIENT_IP_HEADER", default="X-Forwarded-For")
CLIENT_IP_HEADER = "HTTP_" + _client_ip_header.upper().replace("-", "_")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "media_content:library"
LOGOUT_REDIRECT_URL = "login"

# --- Time and language ----------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files and media -----------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Browser libraries installed from npm by `make` (package.json), served as /static/vendor/...
    ("vendor/tus", BASE_DIR / "node_modules" / "tus-js-client" / "dist"),
]
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

# Local media files answered by Django itself (dealer_media/media_views.py), with the
# type and disposition we chose and a sandboxing policy. On by default with DEBUG; in
# production prefer S3 or a web server on a separate host (README, "Serving media").
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
if MEDIA_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "dealer_media.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=6 * 3600),
        },
    }
elif MEDIA_STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise environ.ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Security (production values when DEBUG is off) -----------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Tokens of social accounts are encrypted with this key (Fernet, urlsafe base64).
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")

# --- Email: invitations, password reset, approval notices ----------------------------
# EMAIL_URL is django-environ's form: consolemail:// (the default: messages, links
# included, go to the log), or smtp+tls://user:password@smtp.example.com:587 in production.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Dealer Media <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# A reset link works for this long (reset emails per hour: dealer_media/accounts/password_reset.py).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60) * 60
# Where the portal is, for links in emails sent by workers (no request to build them from).
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu keeps its exchange tables here; its default is "control" in the cwd.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # A worker looks for new messages this often (kombu's default is once a second): a
        # post now crosses the broker twice, to be processed and then published.
        "polling_interval": 0.1,
    }
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
# Tasks go to queues by kind of work (dealer_media/queues.py: the routing table), each
# served by the worker line of Procfile.production that suits it. CELERY_QUEUE_PREFIX
# stays empty in production; tests and benches sharing a Redis set one of their own.
CELERY_QUEUE_PREFIX = env("CELERY_QUEUE_PREFIX", default="")
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default=f"{CELERY_QUEUE_PREFIX}celery")
CELERY_TASK_ROUTES = ("dealer_media.queues.route_task",)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Logging (dealer_media/ops/logs.py) ----------------------------------------
# LOG_FORMAT=json: one JSON object a line (python-json-logger); "plain" otherwise. Every
# line carries the request id (X-Request-ID), also in the Celery tasks a request enqueued.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))
# django-axes logs every failed sign-in and lockout (username and address) at WARNING.
LOGGING["loggers"] = {"axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")}}

# --- Operations: Content-Security-Policy (django-csp) ---------------------------------
# A strict policy on every page (portal, admin, the dealers' websites, /health/): no inline
# script or style anywhere, nothing may frame the pages. Media (pictures, videos) may also
# come from the storage's host (S3, MEDIA_URL on another host) and CSP_MEDIA_SOURCES.
CSP_MEDIA_SOURCES = media_sources(
    media_url=MEDIA_URL,
    media_storage=MEDIA_STORAGE,
    storage_options=STORAGES["default"].get("OPTIONS"),
    extra=env.list("CSP_MEDIA_SOURCES", default=[]),
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *CSP_MEDIA_SOURCES],
        "media-src": ["'self'", "blob:", *CSP_MEDIA_SOURCES],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if env("CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [env("CSP_REPORT_URI")]

# --- Operations: health (dealer_media/ops/health.py) ----------------------------------
# /health/ checks the database, the cache, the default storage and the broker. Load
# balancers probe it over plain HTTP by IP address: keep it off the HTTPS redirect (the
# middleware answers it before host validation, see docs/architecture.md).
SECURE_REDIRECT_EXEMPT = [r"^health/?$"]

# --- Operations: errors to Sentry (dealer_media/ops/sentry.py) -------------------------
# Nothing is sent without SENTRY_DSN; with it, Django and Celery errors go to Sentry with
# tokens scrubbed and no personal data.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from dealer_media.ops.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default=""),
        release=env("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# The product's own settings: publishing, scheduling, processing, uploads, inventory.
from .product import *  # noqa: E402, F403
