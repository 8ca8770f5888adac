"""Fixtures of the scheduling tests: a counting publisher, a private Redis broker, one that is down."""

import socket
from collections.abc import Iterator

import pytest
import redis

from dealer_media.celery import app
from publishing import engine as publishing

from .processes import private_redis


class CountingPublisher:
    """Answers an id and remembers which posts it was asked to publish."""

    label = "counting"
    calls: list[int] = []

    def publish(self, post, claim):
        CountingPublisher.calls.append(post.pk)
        return publishing.PublishResult(external_id=f"fb_{post.pk}")


@pytest.fixture
def counting(settings):
    CountingPublisher.calls = []
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "tests.scheduling.conftest.CountingPublisher",
        "instagram": "tests.scheduling.conftest.CountingPublisher",
    }
    settings.MEDIA_URL = "https://cdn.sunrise.example/media/"  # Instagram's checks need it public
    return CountingPublisher


def _reset_broker_pools() -> None:
    app._pool = None
    app.amqp._producer_pool = None


def use_broker(url: str, *, eager: bool = False):
    """Point this process's Celery app at ``url``; answers a function that undoes it."""
    # Celery prefers the CELERY_BROKER_URL variable to broker_url; the write URL wins over both.
    old_write_url, old_eager = app.conf.get("broker_write_url"), app.conf.task_always_eager
    app.conf.broker_write_url = url
    app.conf.task_always_eager = eager
    _reset_broker_pools()

    def restore():
        app.conf.broker_write_url = old_write_url
        app.conf.task_always_eager = old_eager
        _reset_broker_pools()

    return restore


@pytest.fixture
def broker_down():
    """A Redis broker URL on a port where nothing listens: every send fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    restore = use_broker(f"redis://127.0.0.1:{port}/0")
    yield
    restore()


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
