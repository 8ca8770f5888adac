"""Celery beat and a private Redis server, as processes started by the integration tests."""

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from ..processes import celery_env, wait_for


class Record:
    """What the RecordingPublisher of the worker processes wrote."""

    def __init__(self, path: Path):
        self.path = path

    @property
    def env(self) -> dict[str, str]:
        return {
            "SCHEDULING_TEST_RECORD": str(self.path),
            "FACEBOOK_PUBLISHER": "tests.scheduling.publishers.RecordingPublisher",
            "INSTAGRAM_PUBLISHER": "tests.scheduling.publishers.RecordingPublisher",
        }

    def count(self, event: str) -> Counter:
        if not self.path.exists():
            return Counter()
        return Counter(
            int(line.split()[1])
            for line in self.path.read_text().splitlines()
            if line.startswith(event + " ")
        )

    def most_in_flight(self) -> int:
        """The most publishes started and not yet done at one time."""
        in_flight = most = 0
        for line in self.path.read_text().splitlines() if self.path.exists() else []:
            in_flight += 1 if line.startswith("start ") else -1 if line.startswith("done ") else 0
            most = max(most, in_flight)
        return most


class Proc:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def celery_beat(queue: str, **extra: str) -> Iterator[Proc]:
    """Real ``celery beat`` with the DatabaseScheduler, reading the test database."""
    log_path = Path(tempfile.mkstemp(prefix="celery-beat-", suffix=".log")[1])
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "dealer_media",
                "beat",
                "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
                "--max-interval=1",
                "--loglevel=INFO",
            ],
            cwd=settings.BASE_DIR,
            env=celery_env(queue, **extra),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield Proc(process, log_path)
        finally:
            _stop(process)


class RedisServer:
    """A private redis-server on a Unix socket, without persistence: stopping it loses messages."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis+socket://{self.socket}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.socket.exists, timeout=10, interval=0.05)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None
        self.socket.unlink(missing_ok=True)


@contextmanager
def private_redis() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        raise RuntimeError("redis-server is not installed")
    directory = Path(tempfile.mkdtemp(prefix="redis-", dir="/tmp"))  # short socket path
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def unique_queue() -> str:
    return f"sched-{uuid.uuid4().hex[:8]}-{os.getpid()}"
