"""Racing claims on PostgreSQL: many threads, one post, one publication."""

import threading

import pytest

from media_content.models import ScheduledPost
from publishing import engine as publishing

from .factories import ScheduledPostFactory
from .racing import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SlowCountingPublisher:
    label = "slow"
    calls: list[int] = []
    lock = threading.Lock()

    def publish(self, post, claim):
        with self.lock:
            SlowCountingPublisher.calls.append(post.pk)
        return publishing.PublishResult(external_id=f"fb_{post.pk}")


def test_eight_racing_workers_publish_a_post_once(settings, sunrise):
    SlowCountingPublisher.calls = []
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "tests.test_claims_postgres.SlowCountingPublisher",
    }
    post = ScheduledPostFactory(media_content__organization=sunrise)
    results = at_once(lambda: publishing.publish_post(post_id=post.pk), threads=8)

    assert SlowCountingPublisher.calls == [post.pk]
    assert sum(result is not None for result in results) == 1
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
    assert post.attempts == 1
