"""The queues on a real Redis: where "post now" and scheduled deliveries wait.

Each test has a private redis-server, so the queues have their production names
(``publishing_now``, ``publishing``…).
"""

import base64
import datetime
import json
from collections.abc import Iterator

import pytest
import redis
from django.db import transaction

from dealer_media import broker
from media_content import lifecycle
from media_content.models import ScheduledPost
from publishing import dispatch, engine

from ..factories import MediaContentFactory, ScheduledPostFactory
from .conftest import use_broker
from .processes import private_redis

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

NOON = datetime.datetime(2025, 3, 4, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture
def private_broker() -> Iterator[tuple[str, redis.Redis]]:
    """A redis-server of this test's own, this process sending to it (not eagerly)."""
    with private_redis() as server:
        restore = use_broker(server.url)
        client = redis.Redis(unix_socket_path=str(server.socket))
        try:
            yield server.url, client
        finally:
            client.close()
            restore()


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
