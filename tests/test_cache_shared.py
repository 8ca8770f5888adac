"""The embedded default cache is shared by the web server, the worker and beat of one machine.

A banner the worker switches on at its time must reach the web server's cached
carousel at once; a cache local to each process would show the old one for an hour.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_django(code: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_CACHE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {"DJANGO_SETTINGS_MODULE": "dealer_media.settings", "DEBUG": "true"}
    script = f"import django; django.setup()\nfrom django.core.cache import cache\n{code}"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_value_one_process_caches_is_seen_by_another():
    key = f"shared-check-{uuid.uuid4().hex}"
    run_django(f"cache.set({key!r}, 'from the worker', 60)")
    assert run_django(f"print(cache.get({key!r}))") == "from the worker"
    run_django(f"cache.delete({key!r})")
