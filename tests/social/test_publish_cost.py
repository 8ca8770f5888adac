"""What one publish costs in database round trips, counted as the tus PATCH's are.

At the peak (3,000 posts in a minute on one host) every statement is CPU on the worker
and on PostgreSQL. A dealer's usual post goes to Facebook and Instagram: the first
delivery to finish leaves the post scheduled, the second makes it posted.
"""

import datetime

import pytest
from django.utils import timezone

from media_content import lifecycle
from media_content.delivery_lifecycle import mark_stale_deliveries_unconfirmed
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing
from publishing.publisher import PublishResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(photo):
    """The photo scheduled for Facebook and Instagram in an hour, as the portal does."""
    when = timezone.now() + datetime.timedelta(hours=1)
    posts = lifecycle.media_schedule(media=photo, when=when)
    return {post.destination: post for post in posts}


def test_a_facebook_photo_costs_ten_statements(
    fake_graph, account, scheduled, django_assert_num_queries
):
    """1 the claim (UPDATE), 2 the post and its item, 3 the item's files in order,
    4 the Page's connection, 5 the gates of the Page and the app (``publishing.gates``),
    6 the send's stamp with what is sent (UPDATE), 7 SAVEPOINT (BEGIN in production),
    8 posted (UPDATE), 9 the item's deliveries, to derive its status (still scheduled:
    Instagram is to come), 10 RELEASE (COMMIT in production).

    No read of the permalink: Meta's answer names the post.
    """
    with django_assert_num_queries(10):
        post = publishing.publish_post(post_id=scheduled["facebook"].pk)
    assert post.status == ScheduledPost.Status.POSTED
    assert post.sent_text.startswith("Spring sale")
    assert [r.method for r in fake_graph.requests] == ["POST"]
    stored = ScheduledPost.objects.get(pk=post.pk)
    assert (stored.status, stored.external_url, stored.sent_text, stored.sent_file_urls) == (
        post.status,
        "https://www.facebook.com/111_1000",
        post.sent_text,
        post.sent_file_urls,
    )
    assert stored.media_content.status == MediaContent.Status.SCHEDULED


def test_an_instagram_image_costs_sixteen_statements(
    fake_graph, account, scheduled, django_assert_num_queries
):
    """1 the claim, 2 the post and its item, 3 its files, 4 the checks' Instagram-ready
    copy, 5 an Instagram Login, 6 else the Page's linked account, 7 the gates of the
    account and the app, 8 the copy sent, 9 posts of the dealership waiting ahead for room
    in the 24-hour limit, 10 the container's id (UPDATE), 11 the send's stamp with the
    container's status and what is sent (UPDATE), 12 SAVEPOINT, 13 posted, 14 the item's
    deliveries, 15 the item posted (UPDATE: both destinations are), 16 RELEASE.
    """
    facebook = publishing.publish_post(post_id=scheduled["facebook"].pk)
    assert facebook.status == ScheduledPost.Status.POSTED
    with django_assert_num_queries(16):
        post = publishing.publish_post(post_id=scheduled["instagram"].pk)
    assert post.status == ScheduledPost.Status.POSTED
    assert post.external_state["container_status"] == "FINISHED"
    assert [r.method for r in fake_graph.requests[1:]] == ["GET", "POST", "GET", "POST"]
    stored = ScheduledPost.objects.get(pk=post.pk)
    assert (stored.external_id, stored.external_state, stored.sent_text) == (
        "m1002",
        post.external_state,
        post.sent_text,
    )
    assert stored.media_content.status == MediaContent.Status.POSTED


class SweptAfterSending:
    """Sends, then the stale sweep takes the post before the worker records the outcome."""

    label = "swept"

    def publish(self, post, claim):
        claim.begin_send()
        mark_stale_deliveries_unconfirmed(
            ids=[post.pk], claimed_before=post.claimed_at, reason="Stuck.", now=timezone.now()
        )
        return PublishResult(external_id="111_1", external_url="https://www.facebook.com/111_1")


def test_a_lost_finish_writes_nothing_and_answers_what_the_database_says(
    settings, account, scheduled
):
    settings.PUBLISHERS = {**settings.PUBLISHERS, "facebook": f"{__name__}.SweptAfterSending"}
    post = publishing.publish_post(post_id=scheduled["facebook"].pk)
    assert (post.status, post.external_id, post.last_error) == ("unconfirmed", "", "Stuck.")
    stored = ScheduledPost.objects.get(pk=post.pk)
    assert (stored.status, stored.external_id, stored.sent_text) == (
        "unconfirmed",
        "",
        post.sent_text,
    )
    assert post.sent_text.startswith("Spring sale")  # the send's own write kept it
