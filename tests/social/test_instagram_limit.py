"""Instagram's publishing limit: a moving 24-hour window of posts by apps per account.

Meta answers a ``media_publish`` past the limit with code 9 / subcode 2207042 and says to
try again the following day. Before any retry the quota is read
(``GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config``): the post waits
until the oldest publish in the window leaves it (known from our own posts), or a whole
``quota_duration`` when that cannot be told, and ``media_publish`` is never sent inside
the window. Everything here runs against the fake Graph API over HTTP, with the clock
moved by time_machine (the fake's window moves with it).
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from media_content.models import ScheduledPost
from publishing import engine as publishing

from ..factories import MediaContentFactory, ScheduledPostFactory
from .fake_graph import Reply

pytestmark = pytest.mark.django_db

IG = "17841400000000001"
DAY = datetime.timedelta(hours=24)
CONFIG = {"quota_total": 50, "quota_duration": 86400}


def _published_by_us(photo, count: int, *, at: datetime.datetime) -> None:
    """Posts we published on this Instagram account at ``at`` (our record of the window)."""
    ScheduledPost.objects.bulk_create(
        ScheduledPost(
            media_content=photo,
            organization=photo.organization,
            title=photo.title,
            destination="instagram",
            scheduled_time=at,
            status=ScheduledPost.Status.POSTED,
            posted_at=at,
            external_id=f"old{at.timestamp()}-{n}",
        )
        for n in range(count)
    )


def _window_full(fake_graph, photo, *, oldest: datetime.datetime, ours: bool = True) -> None:
    """50 of 50 used: one publish at ``oldest``, the other 49 an hour ago."""
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    fake_graph.fill_ig_quota(1, at=oldest.timestamp())
    fake_graph.fill_ig_quota(49, at=hour_ago.timestamp())
    if ours:
        _published_by_us(photo, 1, at=oldest)
        _published_by_us(photo, 49, at=hour_ago)


def _room_when_the_container_is_made(fake_graph) -> None:
    """The read before the container still showed room: another publish came in between
    our read and our media_publish (another app on the same account, say)."""
    fake_graph.script(
        "GET",
        "/content_publishing_limit",
        Reply(body={"data": [{"quota_usage": 49, "config": CONFIG}]}),
    )


def _publishes(fake_graph) -> int:
    return len(fake_graph.calls("POST", f"/{IG}/media_publish"))


def _quota_reads(fake_graph) -> int:
    return len(fake_graph.calls("GET", f"/{IG}/content_publishing_limit"))


def _publish(post) -> ScheduledPost:
    publishing.publish_post(post_id=post.pk)
    post.refresh_from_db()
    return post


def _due_now(post) -> None:
    """A retry made due inside the window (an early message, a person's nudge...)."""
    ScheduledPost.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())


def test_after_2207042_the_retry_waits_until_the_oldest_publish_leaves_the_window(
    fake_graph, account, photo
):
    start = timezone.now()
    oldest = start - datetime.timedelta(hours=20)
    _window_full(fake_graph, photo, oldest=oldest)
    _room_when_the_container_is_made(fake_graph)
    post = _publish(ScheduledPostFactory(media_content=photo, destination="instagram"))

    # Refused with 2207042: the quota is read, and the retry waits for the oldest to leave.
    assert _publishes(fake_graph) == 1
    assert fake_graph.published == []
    assert post.status == ScheduledPost.Status.PENDING
    assert _quota_reads(fake_graph) == 2  # before the container, and after the refusal
    room = oldest + DAY
    assert room - datetime.timedelta(seconds=5) <= post.next_attempt_at
    assert post.next_attempt_at <= room + datetime.timedelta(minutes=2)
    assert "Meta code 9/2207042" in post.last_error
    assert "50 of its 50 posts" in post.last_error
    assert "in about 4 hours" in post.last_error
    assert post.send_started_at is None
    assert post.external_state["retries_daily_limit"] == 1

    # Inside the window, every retry reads the quota first and sends nothing.
    for hours in (1, 2, 3):
        with time_machine.travel(start + datetime.timedelta(hours=hours)):
            assert publishing.publish_post(post_id=post.pk) is None  # not due yet
            _due_now(post)
            post = _publish(post)
            assert post.status == ScheduledPost.Status.PENDING
            assert post.next_attempt_at >= room - datetime.timedelta(seconds=5)
            assert "Instagram allows 50 posts by apps in 24 hours" in post.last_error
    assert _publishes(fake_graph) == 1
    assert _quota_reads(fake_graph) == 5

    # Once the oldest has left the window, it goes out, once, from the same container.
    with time_machine.travel(post.next_attempt_at + datetime.timedelta(seconds=1)):
        post = _publish(post)
    assert post.status == ScheduledPost.Status.POSTED
    assert post.last_error == ""
    assert _publishes(fake_graph) == 2  # the refused one, and the one that went out
    assert [edge for edge, _ in fake_graph.published] == ["media_publish"]
    assert len(fake_graph.calls("POST", f"/{IG}/media")) == 1
    assert _quota_reads(fake_graph) == 6


def test_when_the_oldest_publish_is_not_ours_the_retry_waits_the_quota_duration(
    fake_graph, account, photo
):
    fake_graph.ig_quota_config = {"quota_total": 50, "quota_duration": 7200}
    start = timezone.now()
    # Published elsewhere (another app): we cannot tell when the oldest leaves.
    fake_graph.fill_ig_quota(50, at=(start - datetime.timedelta(minutes=30)).timestamp())
    _room_when_the_container_is_made(fake_graph)
    post = _publish(ScheduledPostFactory(media_content=photo, destination="instagram"))

    assert post.status == ScheduledPost.Status.PENDING
    wait = (post.next_attempt_at - start).total_seconds()
    assert 7200 - 5 <= wait <= 7200 + 60  # the config's quota_duration, as read
    assert "in about 2 hours" in post.last_error
    assert _publishes(fake_graph) == 1

    with time_machine.travel(post.next_attempt_at + datetime.timedelta(seconds=1)):
        post = _publish(post)
    assert post.status == ScheduledPost.Status.POSTED
    assert _publishes(fake_graph) == 2
    assert [edge for edge, _ in fake_graph.published] == ["media_publish"]


def test_a_container_that_expired_during_the_wait_is_made_again_and_published_once(
    fake_graph, account, photo
):
    start = timezone.now()
    fake_graph.fill_ig_quota(50, at=(start - datetime.timedelta(minutes=30)).timestamp())
    _room_when_the_container_is_made(fake_graph)
    post = _publish(ScheduledPostFactory(media_content=photo, destination="instagram"))
    assert post.next_attempt_at >= start + DAY - datetime.timedelta(seconds=5)
    first_container = post.external_state["container_id"]

    # A day later the window has room, and the container has expired (24 hours).
    with time_machine.travel(post.next_attempt_at + datetime.timedelta(seconds=1)):
        post = _publish(post)
        assert post.status == ScheduledPost.Status.PENDING  # making a new container
        assert post.external_state["container_id"] == ""
        post = _publish(post)
    assert post.status == ScheduledPost.Status.POSTED
    assert len(fake_graph.calls("POST", f"/{IG}/media")) == 2
    assert post.external_state["container_id"] != first_container
    assert [edge for edge, _ in fake_graph.published] == ["media_publish"]


def test_a_quota_read_that_fails_never_lets_a_retry_publish(fake_graph, account, photo, settings):
    settings.SOCIAL_DAILY_LIMIT_WAIT_SECONDS = 3600
    start = timezone.now()
    _window_full(fake_graph, photo, oldest=start - datetime.timedelta(hours=20))
    _room_when_the_container_is_made(fake_graph)
    # After the refusal, the quota read answers a bare 500 (no Graph error object).
    fake_graph.script("GET", "/content_publishing_limit", Reply(status=500, raw=b""))
    post = _publish(ScheduledPostFactory(media_content=photo, destination="instagram"))

    assert post.status == ScheduledPost.Status.PENDING
    assert "Instagram did not say how many posts the account has left" in post.last_error
    wait = (post.next_attempt_at - start).total_seconds()
    assert 3600 - 5 <= wait <= 3600 + 60  # asked again in an hour; nothing sent meanwhile

    # The retry's read fails too: it sends nothing and waits again.
    fake_graph.script("GET", "/content_publishing_limit", Reply(status=503, raw=b""))
    with time_machine.travel(post.next_attempt_at + datetime.timedelta(seconds=1)):
        post = _publish(post)
        assert post.status == ScheduledPost.Status.PENDING
        # Read at last: still full, so it waits for the oldest to leave.
        _due_now(post)
        post = _publish(post)
    assert post.status == ScheduledPost.Status.PENDING
    assert "in about 3 hours" in post.last_error
    assert _publishes(fake_graph) == 1
    assert fake_graph.published == []


def test_posts_waiting_for_room_take_the_slots_one_by_one(fake_graph, account, photo, sunrise):
    start = timezone.now()
    # The two oldest publishes leave the window 4 and 5 hours from now.
    for hours_ago in (20, 19):
        at = start - datetime.timedelta(hours=hours_ago)
        fake_graph.fill_ig_quota(1, at=at.timestamp())
        _published_by_us(photo, 1, at=at)
    hour_ago = start - datetime.timedelta(hours=1)
    fake_graph.fill_ig_quota(48, at=hour_ago.timestamp())
    _published_by_us(photo, 48, at=hour_ago)

    first = _publish(ScheduledPostFactory(media_content=photo, destination="instagram"))
    other = MediaContentFactory(organization=sunrise, post_to_instagram=True)
    second = _publish(ScheduledPostFactory(media_content=other, destination="instagram"))

    # Nothing was sent: the window was read full before any container was made.
    assert fake_graph.calls("POST") == []
    assert first.status == second.status == ScheduledPost.Status.PENDING
    four, five = start + datetime.timedelta(hours=4), start + datetime.timedelta(hours=5)
    assert abs(first.next_attempt_at - four) < datetime.timedelta(seconds=5)
    assert abs(second.next_attempt_at - five) < datetime.timedelta(seconds=5)
    assert "1 post of this dealership waits ahead of it" in second.last_error

    with time_machine.travel(first.next_attempt_at + datetime.timedelta(seconds=1)):
        first = _publish(first)
        assert publishing.publish_post(post_id=second.pk) is None  # its slot is the next one
    with time_machine.travel(second.next_attempt_at + datetime.timedelta(seconds=1)):
        second = _publish(second)
    assert first.status == second.status == ScheduledPost.Status.POSTED
    assert _publishes(fake_graph) == 2  # no refusal: each went out when it had room
    assert len(fake_graph.published) == 2
