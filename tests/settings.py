"""Test settings: the real settings module, with test-only defaults for what it requires."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from dealer_media.settings import *  # noqa: F403
from dealer_media.settings import BASE_DIR, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "var" / "test-media"))
STATIC_ROOT = None  # tests serve static files through the finders
WHITENOISE_USE_FINDERS = True
# Eager in the test process; the worker and beat processes that tests start say "false"
# (tests/processes.py: celery_env), so beat sends its tasks to the workers as in production.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "true").lower() != "false"
# One cache per test process (tests/test_cache_shared.py checks the default's sharing).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ``TEST_CLOCK_AHEAD_DAYS=365 make test`` runs the suite (and the worker, beat and web processes
# it starts, which load these settings too) with the clock that many days ahead, ticking: a test
# that holds only on today's date fails then. ``make test-clock-ahead`` does exactly that.
CLOCK_AHEAD_DAYS = int(os.environ.get("TEST_CLOCK_AHEAD_DAYS") or 0)
if CLOCK_AHEAD_DAYS:
    import datetime as _datetime

    import time_machine

    time_machine.travel(
        _datetime.datetime.now(_datetime.UTC) + _datetime.timedelta(days=CLOCK_AHEAD_DAYS),
        tick=True,
    ).start().time_ns()  # the clock ticks from its first reading: read it now, so that every
    # process of the run (tests, workers, web servers) keeps exactly the same offset
