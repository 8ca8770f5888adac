"""The product's own settings, read from the environment like the rest (see the README).

Publishing to each destination, the schedule's sweeps, processing, uploads and the
inventory's fetching; Django's and the operations' settings are in ``__init__``.
"""

import environ

from .environment import MEDIA_STORAGE, VAR_DIR, env

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
FACEBOOK_GRAPH_READ_TIMEOUT = env.float("FACEBOOK_GRAPH_READ_TIMEOUT", default=60.0)
# Transient failures and rate limits are retried this many times, with backoff.
SOCIAL_MAX_RETRIES = env.int("SOCIAL_MAX_RETRIES", default=5)
SOCIAL_RETRY_BASE_SECONDS = env.float("SOCIAL_RETRY_BASE_SECONDS", default=30.0)
# Meta's answers that call for waits of their own (social/errors.py): Instagram's daily
# publishing limit (error 2207042) waits until its 24-hour window has room, read from
# Meta before any retry (social/instagram_limit.py; a read that fails is asked again
# after SOCIAL_DAILY_LIMIT_WAIT_SECONDS), at most SOCIAL_DAILY_LIMIT_MAX_WAITS waits
# (a temporary block and a file Meta could not fetch: social/graph_publisher.py).
SOCIAL_DAILY_LIMIT_WAIT_SECONDS = env.float("SOCIAL_DAILY_LIMIT_WAIT_SECONDS", default=3600.0)
SOCIAL_DAILY_LIMIT_MAX_WAITS = env.int("SOCIAL_DAILY_LIMIT_MAX_WAITS", default=48)
# Instagram containers and Facebook videos are checked again after this many
# seconds, at most SOCIAL_MAX_STATUS_CHECKS times (Meta: "query a container's
# status once per minute, for no more than 5 minutes",
# https://developers.facebook.com/docs/instagram-platform/content-publishing).
SOCIAL_STATUS_CHECK_SECONDS = env.float("SOCIAL_STATUS_CHECK_SECONDS", default=60.0)
SOCIAL_MAX_STATUS_CHECKS = env.int("SOCIAL_MAX_STATUS_CHECKS", default=10)
# Meta's rate limits (social/limits.py): a usage header at SOCIAL_USAGE_PAUSE_PERCENT or
# more, an estimated time to regain access, or a rate-limit error shuts the gate of the
# Page, Instagram account or app concerned (publishing/gates.py) until access comes back,
# or for SOCIAL_USAGE_PAUSE_SECONDS when Meta gives no time. Only its posts wait.
SOCIAL_USAGE_PAUSE_PERCENT = env.float("SOCIAL_USAGE_PAUSE_PERCENT", default=95.0)
SOCIAL_USAGE_PAUSE_SECONDS = env.float("SOCIAL_USAGE_PAUSE_SECONDS", default=300.0)
# Page Reels upload their bytes (or a file_url) to Meta's rupload host, then finish on
# /{page-id}/video_reels (https://developers.facebook.com/docs/video-api/guides/reels-publishing).
FACEBOOK_RUPLOAD_URL = env("FACEBOOK_RUPLOAD_URL", default="https://rupload.facebook.com")
# "Reels API is limited to 30 API-published posts within a 24-hour moving period"
# (same page); we count our own before sending, as Meta recommends.
FACEBOOK_REELS_PER_24H = env.int("FACEBOOK_REELS_PER_24H", default=30)
# A post due while its file is still being processed waits for it (the checks and the
# Instagram-ready copy need the file's details), for at most this long after its time;
# then it fails with the reason. The end of processing sends it at once; it also looks
# again every PUBLISHING_PROCESSING_CHECK_SECONDS, only in case that message was lost.
PUBLISHING_WAIT_FOR_PROCESSING_SECONDS = env.int(
    "PUBLISHING_WAIT_FOR_PROCESSING_SECONDS", default=15 * 60
)
PUBLISHING_PROCESSING_CHECK_SECONDS = env.float("PUBLISHING_PROCESSING_CHECK_SECONDS", default=30.0)
# A Page's circuit breaker (publishing/gates.py): after PUBLISHING_BREAKER_FAILURES failures
# in a row where Meta did not answer (server errors, timeouts, temporary errors), the
# Page's posts wait; after a cool-down one post is the probe, and its answer closes the
# breaker or opens it again for twice as long, up to the maximum. A probe whose worker
# died is taken again after PUBLISHING_BREAKER_PROBE_TIMEOUT_SECONDS (as the stale sweep
# judges a worker dead: publishing/unconfirmed.py). Posts waiting for a gate look again
# every PUBLISHING_GATE_RECHECK_SECONDS while a probe is out, and come back spread over
# PUBLISHING_GATE_JITTER_SECONDS so that a Page's 200 posts do not all leave at once.
PUBLISHING_BREAKER_FAILURES = env.int("PUBLISHING_BREAKER_FAILURES", default=5)
PUBLISHING_BREAKER_COOLDOWN_SECONDS = env.float("PUBLISHING_BREAKER_COOLDOWN_SECONDS", default=60.0)
PUBLISHING_BREAKER_COOLDOWN_MAX_SECONDS = env.float(
    "PUBLISHING_BREAKER_COOLDOWN_MAX_SECONDS", default=3600.0
)
PUBLISHING_BREAKER_PROBE_TIMEOUT_SECONDS = env.float(
    "PUBLISHING_BREAKER_PROBE_TIMEOUT_SECONDS", default=900.0
)
PUBLISHING_GATE_RECHECK_SECONDS = env.float("PUBLISHING_GATE_RECHECK_SECONDS", default=15.0)
PUBLISHING_GATE_JITTER_SECONDS = env.float("PUBLISHING_GATE_JITTER_SECONDS", default=30.0)

# --- Scheduling (publishing/dispatch.py, dealer_media/periodic.py) -----------
# The dispatcher's interval is stored in django-celery-beat (editable in the admin);
# this is only the value it is created with.
SCHEDULING_DISPATCH_EVERY_SECONDS = env.int("SCHEDULING_DISPATCH_EVERY_SECONDS", default=30)
SCHEDULING_BATCH_SIZE = env.int("SCHEDULING_BATCH_SIZE", default=500)
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
