"""Real Celery processes for integration tests, pointed at the test database."""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from dealer_media import queues
from dealer_media.celery import app as celery_app


def test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def queue_prefix(queue: str) -> str:
    """The named queues (publishing, processing…) of a test's own ``queue``: ``<queue>.publishing``."""
    return f"{queue}."


def worker_queues(queue: str) -> list[str]:
    """Every queue of a test's own ``queue``: a worker consuming fewer would leave tasks waiting."""
    return list(queues.queue_names(prefix=queue_prefix(queue), default=queue).values())


@contextmanager
def sending_to(queue: str) -> Iterator[None]:
    """This process routes its tasks to the queues of the workers started with ``queue``."""
    conf = celery_app.conf
    before = conf.task_default_queue, conf.get("queue_prefix")
    conf.task_default_queue, conf.queue_prefix = queue, queue_prefix(queue)
    try:
        yield
    finally:
        conf.task_default_queue, conf.queue_prefix = before


def celery_env(queue: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_QUEUE_PREFIX": queue_prefix(queue),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, queue: str, log_path: Path):
        self.process = process
        self.queue = queue
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def celery_worker(
    queue: str | None = None, *, app: str = "dealer_media", pool: str = "solo", **extra: str
) -> Iterator[WorkerProcess]:
    """A real worker process on its own queues (every kind); stopped (warm shutdown) afterwards.

    ``app`` is the module holding the Celery app (a test may wrap the product's);
    ``pool="prefork"`` runs tasks in one child process, as production does.
    """
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    log_path = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
    log_file = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            f"--pool={pool}",
            *(["--concurrency=1"] if pool == "prefork" else []),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            ",".join(worker_queues(queue)),
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=celery_env(queue, **extra),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        yield WorkerProcess(process, queue, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


def wait_for(condition, *, timeout: float = 30.0, interval: float = 0.2):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")


def pool_processes(pid: int) -> list[int]:
    """The child processes of ``pid`` (a prefork worker's pool), read from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children
