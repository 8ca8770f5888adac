"""Settings, all read from the environment, with embedded defaults for a laptop.

Defaults give a product that runs with nothing installed: SQLite and a
filesystem Celery broker under ``var/``, media on the local disk, and the
sandbox publisher instead of Meta. Production sets DATABASE_URL,
CELERY_BROKER_URL, MEDIA_STORAGE=s3 and friends (see the README).
"""

from datetime import timedelta
from pathlib import Path

import environ

from dealer_media.ops.csp import media_sources
from dealer_media.ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; missing file is fine

DEBUG = env.bool("DEBUG", default=False)

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

MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
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
    }
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
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

# --- Publishing ---------------------------------------------------------------
# One publisher class per destination, like EMAIL_BACKEND. SOCIAL_PUBLISHER picks
# the Facebook and Instagram pair: "graph" (Meta's Graph API) or "sandbox", which
# records what would have been posted and sends nothing. Without a Facebook app
# (FACEBOOK_APP_ID) the sandbox is the default. See docs/architecture.md.
FACEBOOK_APP_ID = env("FACEBOOK_APP_ID", default="")
FACEBOOK_APP_SECRET = env("FACEBOOK_APP_SECRET", default="")
# Facebook Login for Business: the configuration made in the app dashboard. Without
# one, the dialog asks for the permissions of social/meta_permissions.py by scope.
FACEBOOK_LOGIN_CONFIG_ID = env("FACEBOOK_LOGIN_CONFIG_ID", default="")
FACEBOOK_OAUTH_URL = env("FACEBOOK_OAUTH_URL", default="https://www.facebook.com")
# Instagram Login (Instagram API with Instagram Login): accounts with no Facebook Page.
INSTAGRAM_APP_ID = env("INSTAGRAM_APP_ID", default="")
INSTAGRAM_APP_SECRET = env("INSTAGRAM_APP_SECRET", default="")
INSTAGRAM_OAUTH_URL = env("INSTAGRAM_OAUTH_URL", default="https://www.instagram.com")
INSTAGRAM_API_URL = env("INSTAGRAM_API_URL", default="https://api.instagram.com")
INSTAGRAM_GRAPH_URL = env("INSTAGRAM_GRAPH_URL", default="https://graph.instagram.com")
SOCIAL_PUBLISHER = env("SOCIAL_PUBLISHER", default="graph" if FACEBOOK_APP_ID else "sandbox")
_SOCIAL_PUBLISHERS = {
    "graph": ("social.publishers.FacebookPublisher", "social.publishers.InstagramPublisher"),
    "sandbox": ("social.publishers.SandboxPublisher", "social.publishers.SandboxPublisher"),
}
if SOCIAL_PUBLISHER not in _SOCIAL_PUBLISHERS:
    raise environ.ImproperlyConfigured("SOCIAL_PUBLISHER must be 'graph' or 'sandbox'.")
PUBLISHERS = {
    "facebook": env("FACEBOOK_PUBLISHER", default=_SOCIAL_PUBLISHERS[SOCIAL_PUBLISHER][0]),
    "instagram": env("INSTAGRAM_PUBLISHER", default=_SOCIAL_PUBLISHERS[SOCIAL_PUBLISHER][1]),
    "banner": "banners.publisher.BannerPublisher",
}

# The Graph API (social/graph.py). The version is part of every path; Meta keeps
# each version about two years (https://developers.facebook.com/docs/graph-api/changelog).
FACEBOOK_GRAPH_URL = env("FACEBOOK_GRAPH_URL", default="https://graph.facebook.com")
# Video uploads: Meta now documents graph.facebook.com for them too ("The
# graph-video.facebook.com host for video uploads has been deprecated",
# https://developers.facebook.com/documentation/video-api/getting-started); set
# https://graph-video.facebook.com here to use the old host.
FACEBOOK_GRAPH_VIDEO_URL = env("FACEBOOK_GRAPH_VIDEO_URL", default=FACEBOOK_GRAPH_URL)
# The newest version Meta documents; social/versions.py knows each one's retirement date
# and `check --deploy` warns 90 days before it.
FACEBOOK_GRAPH_VERSION = env("FACEBOOK_GRAPH_VERSION", default="v26.0")
FACEBOOK_GRAPH_CONNECT_TIMEOUT = env.float("FACEBOOK_GRAPH_CONNECT_TIMEOUT", default=5.0)
FACEBOOK_GRAPH_READ_TIMEOUT = env.float("FACEBOOK_GRAPH_READ_TIMEOUT", default=60.0)
# Transient failures and rate limits are retried this many times, with backoff.
SOCIAL_MAX_RETRIES = env.int("SOCIAL_MAX_RETRIES", default=5)
SOCIAL_RETRY_BASE_SECONDS = env.float("SOCIAL_RETRY_BASE_SECONDS", default=30.0)
SOCIAL_RETRY_MAX_SECONDS = env.float("SOCIAL_RETRY_MAX_SECONDS", default=3600.0)
# Meta's answers that call for waits of their own (social/errors.py): Instagram's daily
# publishing limit (error 2207042) waits until its 24-hour window has room, read from
# Meta before any retry (social/instagram_limit.py; a read that fails is asked again
# after SOCIAL_DAILY_LIMIT_WAIT_SECONDS), at most SOCIAL_DAILY_LIMIT_MAX_WAITS waits; a
# temporary block (368) gets one long wait, then the post fails; a file Meta could not
# fetch (9004 / 2207052) is tried a few more times, then fails naming the host.
SOCIAL_DAILY_LIMIT_WAIT_SECONDS = env.float("SOCIAL_DAILY_LIMIT_WAIT_SECONDS", default=3600.0)
SOCIAL_DAILY_LIMIT_MAX_WAITS = env.int("SOCIAL_DAILY_LIMIT_MAX_WAITS", default=48)
SOCIAL_BLOCKED_WAIT_SECONDS = env.float("SOCIAL_BLOCKED_WAIT_SECONDS", default=6 * 3600.0)
SOCIAL_MEDIA_FETCH_MAX_RETRIES = env.int("SOCIAL_MEDIA_FETCH_MAX_RETRIES", default=2)
# Instagram containers and Facebook videos are checked again after this many
# seconds, at most SOCIAL_MAX_STATUS_CHECKS times (Meta: "query a container's
# status once per minute, for no more than 5 minutes",
# https://developers.facebook.com/docs/instagram-platform/content-publishing).
SOCIAL_STATUS_CHECK_SECONDS = env.float("SOCIAL_STATUS_CHECK_SECONDS", default=60.0)
SOCIAL_MAX_STATUS_CHECKS = env.int("SOCIAL_MAX_STATUS_CHECKS", default=10)
# Page Reels upload their bytes (or a file_url) to Meta's rupload host, then finish on
# /{page-id}/video_reels (https://developers.facebook.com/docs/video-api/guides/reels-publishing).
FACEBOOK_RUPLOAD_URL = env("FACEBOOK_RUPLOAD_URL", default="https://rupload.facebook.com")
# "Reels API is limited to 30 API-published posts within a 24-hour moving period"
# (same page); we count our own before sending, as Meta recommends.
FACEBOOK_REELS_PER_24H = env.int("FACEBOOK_REELS_PER_24H", default=30)
# A post left in "publishing" this long lost its worker: the periodic sweep marks it
# unconfirmed when a request had been sent, pending again when nothing was sent.
# Keep it well above FACEBOOK_GRAPH_READ_TIMEOUT.
PUBLISHING_STALE_SECONDS = env.int("PUBLISHING_STALE_SECONDS", default=15 * 60)
# A post due while its file is still being processed waits for it (the checks and the
# Instagram-ready copy need the file's details), for at most this long after its time;
# then it fails with the reason. The end of processing sends it at once; it also looks
# again every PUBLISHING_PROCESSING_CHECK_SECONDS, only in case that message was lost.
PUBLISHING_WAIT_FOR_PROCESSING_SECONDS = env.int(
    "PUBLISHING_WAIT_FOR_PROCESSING_SECONDS", default=15 * 60
)
PUBLISHING_PROCESSING_CHECK_SECONDS = env.float("PUBLISHING_PROCESSING_CHECK_SECONDS", default=30.0)

# --- Scheduling (media_content/dispatch.py, dealer_media/periodic.py) -----------
# The dispatcher's interval is stored in django-celery-beat (editable in the admin);
# this is only the value it is created with.
SCHEDULING_DISPATCH_EVERY_SECONDS = env.int("SCHEDULING_DISPATCH_EVERY_SECONDS", default=30)
SCHEDULING_BATCH_SIZE = env.int("SCHEDULING_BATCH_SIZE", default=500)
SCHEDULING_MAX_BATCHES_PER_SWEEP = env.int("SCHEDULING_MAX_BATCHES_PER_SWEEP", default=100)
# A post queued this long ago and still not started (its message lost) is queued again.
SCHEDULING_QUEUED_LEASE_SECONDS = env.int("SCHEDULING_QUEUED_LEASE_SECONDS", default=300)
# Processing (library/processing/lease.py). A worker holds an item by a lease of
# PROCESSING_LEASE_SECONDS, renewed every third of it while it works, so the lease runs
# out soon after the worker dies. An item sent to the workers and not taken within
# PROCESSING_SEND_GRACE_SECONDS (its message lost with the broker) is sent again (then
# after longer and longer waits, up to 15 minutes, so a long queue is not flooded).
# The sweep that sends them runs every PROCESSING_SWEEP_SECONDS (stored in
# django-celery-beat; this is the value it is created with). Worst case after a
# worker's death: lease + sweep interval + the processing itself, under 2 minutes.
PROCESSING_LEASE_SECONDS = env.int("PROCESSING_LEASE_SECONDS", default=60)
PROCESSING_SEND_GRACE_SECONDS = env.int("PROCESSING_SEND_GRACE_SECONDS", default=60)
PROCESSING_SWEEP_SECONDS = env.int("PROCESSING_SWEEP_SECONDS", default=30)
# Posted items are archived (hidden from the active library) after this many days.
MEDIA_ARCHIVE_POSTED_AFTER_DAYS = env.int("MEDIA_ARCHIVE_POSTED_AFTER_DAYS", default=90)

# --- Uploads ----------------------------------------------------------------
# Size limits by kind of media; the tus server advertises the largest.
UPLOAD_MAX_IMAGE_SIZE = env.int("UPLOAD_MAX_IMAGE_SIZE", default=30 * 1000 * 1000)
UPLOAD_MAX_VIDEO_SIZE = env.int("UPLOAD_MAX_VIDEO_SIZE", default=4 * 1000 * 1000 * 1000)
TUS_MAX_SIZE = env.int("TUS_MAX_SIZE", default=max(UPLOAD_MAX_IMAGE_SIZE, UPLOAD_MAX_VIDEO_SIZE))
# Where partial uploads wait until they are finished: "local" (TUS_UPLOAD_DIR, one
# directory per web host) or "s3" (an S3 multipart upload in the media bucket, so any web
# server can take the next PATCH). MEDIA_STORAGE=s3 makes it "s3" unless TUS_STORE says.
TUS_STORE = env("TUS_STORE", default="s3" if MEDIA_STORAGE == "s3" else "local")
if TUS_STORE not in {"local", "s3"}:
    raise environ.ImproperlyConfigured("TUS_STORE must be 'local' or 's3'.")
if TUS_STORE == "s3" and MEDIA_STORAGE != "s3":
    # A finished upload becomes the media item's file where it lies: in the media bucket.
    raise environ.ImproperlyConfigured("TUS_STORE=s3 needs MEDIA_STORAGE=s3 (the same bucket).")
TUS_UPLOAD_DIR = env.path("TUS_UPLOAD_DIR", default=VAR_DIR / "uploads")
TUS_EXPIRATION_HOURS = env.int("TUS_EXPIRATION_HOURS", default=24)
# Unfinished uploads a dealership may hold at once, by number and by bytes promised
# (Upload-Length): each one keeps disk for TUS_EXPIRATION_HOURS unless finished or cancelled.
TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION = env.int("TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION", default=20)
TUS_MAX_OPEN_BYTES_PER_ORGANIZATION = env.int(
    "TUS_MAX_OPEN_BYTES_PER_ORGANIZATION", default=20 * 1000 * 1000 * 1000
)
# Regular (multipart) uploads: files above this go to a temporary file, never memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

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

# Inventory feeds and photos (inventory/). Fetching from dealers' URLs is
# refused for any address that is not public (inventory/fetching.py);
# FETCH_ALLOWED_NETWORKS (e.g. 127.0.0.1/32) opens some, for tests and local demos only.
FETCH_ALLOWED_NETWORKS = env.list("FETCH_ALLOWED_NETWORKS", default=[])
FETCH_CONNECT_TIMEOUT_SECONDS = env.float("FETCH_CONNECT_TIMEOUT_SECONDS", default=5.0)
FETCH_READ_TIMEOUT_SECONDS = env.float("FETCH_READ_TIMEOUT_SECONDS", default=30.0)
# The whole of one fetch (a feed, with its import as it arrives; one photo): the read
# timeout starts again with every byte, this does not.
FETCH_TOTAL_TIMEOUT_SECONDS = env.float("FETCH_TOTAL_TIMEOUT_SECONDS", default=120.0)
INVENTORY_FEED_MAX_BYTES = env.int("INVENTORY_FEED_MAX_BYTES", default=50 * 1024**2)
INVENTORY_FETCH_PHOTOS = env.bool("INVENTORY_FETCH_PHOTOS", default=True)
# An uploaded feed file whose columns need mapping is kept (inventory/kept_uploads.py) in the
# private media bucket on S3, else in this directory (outside MEDIA_ROOT: never served).
INVENTORY_KEPT_UPLOAD_DIR = env.path(
    "INVENTORY_KEPT_UPLOAD_DIR", default=VAR_DIR / "inventory-uploads"
)
