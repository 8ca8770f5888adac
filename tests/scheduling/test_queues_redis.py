"""The queues on a real Redis: where "post now" and scheduled deliveries wait, and who serves them.

Each test has a private redis-server, so the queues have their production names
(``publishing_now``, ``publishing``…) and the Procfiles' worker lines run as written.
"""

import base64
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dealer_media import broker
from media_content import lifecycle
from media_content.models import ScheduledPost
from publishing import dispatch, engine

from ..factories import MediaContentFactory, ScheduledPostFactory
from ..processes import celery_env, wait_for
from .processes import Record

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

NOON = datetime.datetime(2025, 3, 4, 18, 0, tzinfo=datetime.UTC)
BIN = Path(sys.executable).parent


def waiting(client: redis.Redis, queue: str) -> list[tuple[str, int]]:
    """The (task, post id) of each message waiting in ``queue``, as kombu stored them."""
    messages = [json.loads(raw) for raw in client.lrange(queue, 0, -1)]
    return sorted(
        (message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0][0])
        for message in messages
    )


def test_post_now_waits_on_its_own_queue_and_scheduled_deliveries_on_publishing(
    sunrise, private_broker, time_machine
):
    _, client = private_broker
    time_machine.move_to(NOON, tick=True)
    scheduled = ScheduledPostFactory(
        media_content__organization=sunrise, scheduled_time=NOON - datetime.timedelta(minutes=1)
    )
    failed = ScheduledPostFactory(
        media_content__organization=sunrise,
        scheduled_time=NOON - datetime.timedelta(hours=1),
        status=ScheduledPost.Status.FAILED,
    )
    assert dispatch.dispatch_due_posts().sent == 1  # the peak's path: the dispatcher
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    [now] = lifecycle.media_publish_now(media=media)  # a dealer's "post now"
    assert lifecycle.media_retry_failed(media=failed.media_content) == 1  # a dealer's "retry"
    with transaction.atomic():  # the engine's retry after a transient error
        engine.enqueue_publish(scheduled.pk, countdown=30)

    assert waiting(client, "publishing_now") == sorted(
        [(broker.PUBLISH_POST, now.pk), (broker.PUBLISH_POST, failed.pk)]
    )
    assert waiting(client, "publishing") == [(broker.PUBLISH_POST, scheduled.pk)] * 2
    assert client.llen("celery") == 0


@contextmanager
def procfile_line(
    procfile: str, name: str, broker_url: str, log_dir: Path, **extra: str
) -> Iterator[Path]:
    """Run one line of a Procfile as written, through a shell as honcho does."""
    lines = (Path(settings.BASE_DIR) / procfile).read_text().splitlines()
    command = dict(line.split(": ", 1) for line in lines if line.strip())[name]
    env = {
        **celery_env("celery"),
        "CELERY_QUEUE_PREFIX": "",
        "CELERY_BROKER_URL": broker_url,
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        **extra,
    }
    log_path = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log", dir=log_dir)[1])
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S602 (a Procfile line runs in a shell)
            command,
            shell=True,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield log_path
        finally:
            os.killpg(process.pid, 15)  # warm shutdown of the worker and its pool
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def posted(*posts: ScheduledPost) -> bool:
    ids = [post.pk for post in posts]
    return ScheduledPost.objects.filter(pk__in=ids, status="posted").count() == len(ids)


def test_the_development_worker_line_publishes_post_now_and_scheduled_posts(
    sunrise, private_broker, tmp_path
):
    url, client = private_broker
    record = Record(tmp_path / "published.txt")
    scheduled = ScheduledPostFactory(
        media_content__organization=sunrise,
        scheduled_time=timezone.now() - datetime.timedelta(seconds=1),
    )
    with procfile_line("Procfile", "worker", url, tmp_path, **record.env) as log:
        assert dispatch.dispatch_due_posts().sent == 1
        media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
        [now] = lifecycle.media_publish_now(media=media)
        wait_for(lambda: posted(scheduled, now), timeout=60)
    assert record.count("done") == {scheduled.pk: 1, now.pk: 1}
    assert (client.llen("publishing"), client.llen("publishing_now")) == (0, 0)
    banner = log.read_text()
    for queue in ("publishing_now", "publishing", "processing", "sweeps", "celery"):
        assert re.search(rf"\.> {queue}\s+exchange={queue}", banner), banner


@pytest.mark.postgres
def test_the_publishing_line_keeps_many_posts_in_flight_on_threads(
    sunrise, private_broker, tmp_path
):
    """The production lines: the sweeps worker dispatches, the thread pool publishes at once."""
    url, _ = private_broker
    record = Record(tmp_path / "published.txt")
    due = timezone.now() - datetime.timedelta(seconds=1)
    posts = [
        ScheduledPostFactory(media_content__organization=sunrise, scheduled_time=due)
        for _ in range(12)
    ]
    slow_publishes = {**record.env, "SCHEDULING_TEST_PUBLISH_SECONDS": "1"}
    with (
        procfile_line(
            "Procfile.production",
            "worker_publishing",
            url,
            tmp_path,
            PUBLISHING_CONCURRENCY="12",
            **slow_publishes,
        ) as log,
        procfile_line("Procfile.production", "worker_sweeps", url, tmp_path),
    ):
        broker.send("media_content.tasks.dispatch_due_posts")  # as beat sends it
        wait_for(lambda: posted(*posts), timeout=90)
    assert record.count("done") == {post.pk: 1 for post in posts}
    assert record.most_in_flight() >= 6, record.path.read_text()
    output = log.read_text()
    assert "concurrency: 12 (thread)" in output, output
    assert not re.search(r"Traceback|ERROR", output), output
    assert "publish_scheduled_post" not in output, output  # no line per post (--loglevel)


@pytest.mark.postgres
def test_the_sweeps_line_holds_a_wake_up_until_the_posting_time(sunrise, private_broker, tmp_path):
    """No beat runs: only the wake-up the first sweep sent can publish the post, on its time."""
    url, client = private_broker
    record = Record(tmp_path / "published.txt")
    due = timezone.now().replace(microsecond=0) + datetime.timedelta(seconds=10)
    post = ScheduledPostFactory(media_content__organization=sunrise, scheduled_time=due)
    assert dispatch.dispatch_due_posts().wakes_at == due  # sent to the sweeps queue
    assert client.llen("sweeps") == 1
    with (
        procfile_line("Procfile.production", "worker_publishing", url, tmp_path, **record.env),
        procfile_line("Procfile.production", "worker_sweeps", url, tmp_path) as sweeps,
    ):
        wait_for(lambda: posted(post), timeout=60)
    assert record.count("done") == {post.pk: 1}
    post.refresh_from_db()
    assert post.claimed_at >= due  # the worker held it until its ETA: not a moment early
    output = sweeps.read_text()
    assert "dispatch_due_posts" in output and "'sent': 1" in output, output
    assert not re.search(r"Traceback|ERROR", output), output
