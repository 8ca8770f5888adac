"""Benchmark of processing recovery: how long after a worker's SIGKILL, or after the broker's
return, an uploaded photo is processed, with nobody acting. Target: under 2 minutes each.

    python bench/processing_recovery.py [--rounds 1] [--outage 10]

Default settings (PROCESSING_LEASE_SECONDS 60, PROCESSING_SEND_GRACE_SECONDS 60, the sweep
every PROCESSING_SWEEP_SECONDS 30 as stored in beat), on this machine: a private
redis-server (Unix socket, no persistence) and a throwaway SQLite database (or
DATABASE_URL) in a temporary directory, real ``celery worker`` (solo pool) and real
``celery beat`` (DatabaseScheduler, every periodic job as ``migrate`` stores them).

1. **kill**: a worker claims the photo and is held inside its processing
   (``tests/processing/slow_worker.py``), then gets SIGKILL; a new worker starts at
   once. Prints the seconds from the SIGKILL to "ready".
2. **broker outage**: the broker is stopped, a photo is uploaded (``request_processing``
   answers, the message is refused), the broker starts again ``--outage`` seconds later,
   empty. Prints the seconds from the broker's return to "ready".
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 120


def configure(tmp: Path) -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}"),
        "MEDIA_ROOT": str(tmp / "media"),
        "CELERY_BROKER_URL": f"redis+socket://{tmp / 'redis.sock'}",
        "CELERY_TASK_DEFAULT_QUEUE": (queue := f"bench-{uuid.uuid4().hex[:8]}"),
        "CELERY_QUEUE_PREFIX": f"{queue}.",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CACHE_URL": "locmemcache://bench",
        "LOG_LEVEL": "INFO",
        "DJANGO_SETTINGS_MODULE": "dealer_media.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # post_migrate stores the beat schedule
    # The upload during the outage logs the refused message with its traceback: expected here.
    for name in ("library.processing.lease", "dealer_media.broker"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return {**os.environ}


class Redis:
    def __init__(self, tmp: Path):
        self.tmp, self.process = tmp, None

    def start(self) -> None:
        socket_path = self.tmp / "redis.sock"
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.tmp)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait(socket_path.exists, timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None
        (self.tmp / "redis.sock").unlink(missing_ok=True)


def celery(env: dict[str, str], tmp: Path, name: str, *args: str, app: str = "dealer_media"):
    log = (tmp / f"{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, *args, "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def worker(env, tmp, name, **extra):
    app = extra.pop("app", "dealer_media")
    from dealer_media.queues import queue_names

    names = queue_names(prefix=env["CELERY_QUEUE_PREFIX"], default=env["CELERY_TASK_DEFAULT_QUEUE"])
    return celery(
        {**env, **extra},
        tmp,
        name,
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "-Q",
        ",".join(names.values()),
        app=app,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait(condition, *, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise SystemExit(f"Not within {timeout} s.")


def new_photo(organization):
    """A photo uploaded to the library (checked and stored by ``file_create``), not yet
    sent to processing: ``request`` does that."""
    from PIL import Image

    from media_content.services import file_create

    with tempfile.NamedTemporaryFile(suffix=".jpg") as upload:
        Image.new("RGB", (2400, 1600), "navy").save(upload, "JPEG", quality=90)
        upload.flush()
        return file_create(
            organization=organization,
            created_by=None,
            path=upload.name,
            original_filename="lot.jpg",
            title="Truck month",
            allow_duplicate=True,  # the same bytes every round
            process=False,
        )


def ready(media) -> bool:
    media.refresh_from_db()
    return media.processing_status == media.ProcessingStatus.READY


def request(media) -> None:
    from django.db import transaction

    from library.processing.services import request_processing

    with transaction.atomic():
        request_processing(media=media)


def after_kill(env, tmp, organization, round_number: int) -> float:
    hold = tmp / f"held-{round_number}"
    doomed = worker(
        env,
        tmp,
        f"doomed-{round_number}",
        app="tests.processing.slow_worker",
        PROCESSING_TEST_HOLD=str(hold),
    )
    media = new_photo(organization)
    request(media)
    wait(hold.exists, timeout=60)
    doomed.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    doomed.wait()
    survivor = worker(env, tmp, f"worker-kill-{round_number}")
    try:
        wait(lambda: ready(media), timeout=600, interval=0.2)
        return time.monotonic() - killed
    finally:
        stop(survivor)


def after_outage(env, tmp, organization, redis: Redis, outage: float, round_number: int) -> float:
    from dealer_media.celery import app

    running = worker(env, tmp, f"worker-outage-{round_number}")
    try:
        wait(
            lambda: "ready." in (tmp / f"worker-outage-{round_number}.log").read_text(), timeout=60
        )
        redis.stop()
        app._pool = None  # this process's connections went with the broker
        media = new_photo(organization)
        request(media)  # logged: the broker is down
        time.sleep(outage)
        redis.start()
        back = time.monotonic()
        wait(lambda: ready(media), timeout=600, interval=0.2)
        return time.monotonic() - back
    finally:
        stop(running)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--outage", type=float, default=10.0, help="seconds the broker is down")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-recovery-", dir="/tmp"))  # short socket path
    env = configure(tmp)
    from django.conf import settings

    from dealer_media.tenancy.models import Organization

    organization = Organization.objects.create(name="Bench Motors", slug="bench-motors")
    redis = Redis(tmp)
    redis.start()
    beat = celery(
        env, tmp, "beat", "beat", "--scheduler=django_celery_beat.schedulers:DatabaseScheduler"
    )
    print(
        f"lease {settings.PROCESSING_LEASE_SECONDS} s, send grace "
        f"{settings.PROCESSING_SEND_GRACE_SECONDS} s, sweep every "
        f"{settings.PROCESSING_SWEEP_SECONDS} s; target {TARGET_SECONDS} s"
    )
    try:
        for number in range(1, args.rounds + 1):
            kill = after_kill(env, tmp, organization, number)
            print(f"round {number}: SIGKILL → ready in {kill:.1f} s")
            outage = after_outage(env, tmp, organization, redis, args.outage, number)
            print(f"round {number}: broker back → ready in {outage:.1f} s")
    finally:
        stop(beat)
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
