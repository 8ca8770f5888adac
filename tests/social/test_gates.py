"""A throttled or failing Page slows down only itself, and nothing is lost (publishing/gates.py).

Sunrise's Page (111) and Lakeside's (222) post through the fake Graph API over HTTP;
the clock is frozen and moved by time_machine, so the fake's time moves with it.
"""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from media_content.models import ScheduledPost
from publishing import engine as publishing
from publishing.models import PublishingGate
from social.models import SocialAccount

from ..factories import MediaContentFactory, ScheduledPostFactory
from .fake_graph import Reply, graph_error

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=datetime.UTC)
LAKESIDE_TOKEN = "EAAGsecondPageTokenQQ1234567890abcdefXYZ"
# Meta's temporary error: it answered that nothing was done (is_transient, code 2).
DOWN = graph_error(2, "Service temporarily unavailable", status=503, transient=True)
Status = ScheduledPost.Status


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pages(clock, fake_graph, account, lakeside):
    """Sunrise's Page 111 (``account``) and Lakeside's Page 222, both connected."""
    fake_graph.tokens[LAKESIDE_TOKEN] = "page"
    other = SocialAccount(
        organization=lakeside, page_id="222", page_name="Lakeside Auto", verified_at=START
    )
    other.set_token(LAKESIDE_TOKEN)
    other.save()
    account.verified_at = START
    account.save()
    return account, other


def _posts(organization, count: int, destination: str = "facebook") -> list[ScheduledPost]:
    return [
        ScheduledPostFactory(
            media_content=MediaContentFactory(
                organization=organization,
                title=f"{organization.name} truck {n}",
                post_to_facebook=True,
                post_to_instagram=True,
            ),
            destination=destination,
        )
        for n in range(count)
    ]


def _publish(posts: list[ScheduledPost]) -> None:
    for post in posts:
        publishing.publish_post(post_id=post.pk)
    for post in posts:
        post.refresh_from_db()


def _sent(fake_graph, page: str) -> int:
    return len(fake_graph.calls("POST", f"/{page}/photos"))


def _after_the_wait(posts: list[ScheduledPost]) -> datetime.datetime:
    return max(post.next_attempt_at for post in posts) + datetime.timedelta(seconds=1)


def test_a_failing_page_trips_its_breaker_one_probe_decides_and_nothing_is_lost(
    settings, fake_graph, pages, clock, sunrise, lakeside
):
    settings.PUBLISHING_BREAKER_FAILURES = 3
    settings.PUBLISHING_BREAKER_COOLDOWN_SECONDS = 60
    settings.PUBLISHING_GATE_JITTER_SECONDS = 30
    sunrise_posts = _posts(sunrise, 6)
    lakeside_posts = _posts(lakeside, 2)
    fake_graph.script("POST", "/111/photos", DOWN, DOWN, DOWN, DOWN)

    # Three failures in a row where Meta answered that nothing was done: the breaker opens.
    _publish(sunrise_posts[:3])
    assert _sent(fake_graph, "111") == 3
    gate = PublishingGate.objects.get(key="meta:111")
    assert gate.state == PublishingGate.State.OPEN
    assert gate.retry_at == START + datetime.timedelta(seconds=60)
    assert "temporary problem" in gate.last_error

    # Sunrise's posts wait without a request or a try spent; Lakeside's go out meanwhile.
    late = _posts(sunrise, 1)  # made while the breaker is open: it waits too
    _publish(sunrise_posts + lakeside_posts + late)
    assert _sent(fake_graph, "111") == 3
    assert _sent(fake_graph, "222") == 2
    assert {post.status for post in lakeside_posts} == {Status.POSTED}
    waiting = sunrise_posts + late
    for post in waiting:
        assert post.status == Status.PENDING
        assert post.last_error == (
            "Waiting: Facebook failed 3 times in a row for this Page; we try again in about "
            "1 minute and send the waiting posts once it answers."
        )
        assert (
            gate.retry_at <= post.next_attempt_at <= gate.retry_at + datetime.timedelta(seconds=30)
        )
    assert [post.attempts for post in waiting] == [1, 1, 1, 0, 0, 0, 0]
    assert [post.external_state.get("retries", 0) for post in waiting] == [1, 1, 1, 0, 0, 0, 0]

    # After the cool-down exactly one post is the probe; it fails: open again, for twice as long.
    clock.move_to(_after_the_wait(waiting))
    _publish(waiting)
    assert _sent(fake_graph, "111") == 4
    gate.refresh_from_db()
    assert gate.state == PublishingGate.State.OPEN
    assert gate.trips == 2
    assert gate.retry_at == timezone.now() + datetime.timedelta(seconds=120)
    assert {post.status for post in waiting} == {Status.PENDING}
    assert "we try again in about 2 minutes" in waiting[-1].last_error

    # The next probe is answered: the breaker closes and every waiting post goes out once.
    clock.move_to(_after_the_wait(waiting))
    _publish(waiting)
    gate.refresh_from_db()
    assert gate.state == PublishingGate.State.CLOSED
    assert gate.consecutive_failures == 0
    assert {post.status for post in waiting} == {Status.POSTED}
    assert _sent(fake_graph, "111") == 4 + len(waiting)
    assert len({post.external_id for post in waiting}) == len(waiting)
    published = [edge for edge, _ in fake_graph.published if edge == "photos"]
    assert len(published) == len(waiting) + len(lakeside_posts)


def test_a_page_that_meta_slows_down_waits_alone(fake_graph, pages, clock, sunrise, lakeside):
    usage = {"111": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 4}]}
    fake_graph.script(
        "POST",
        "/111/photos",
        graph_error(
            80001,
            "There have been too many calls to this Page account.",
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        ),
    )
    sunrise_posts = _posts(sunrise, 3)
    lakeside_posts = _posts(lakeside, 2)
    _publish(sunrise_posts + lakeside_posts)

    refused, *waiting = sunrise_posts
    assert refused.status == Status.PENDING
    assert "limiting how often" in refused.last_error  # its own refusal, retried after 4 min
    for post in waiting:
        assert post.status == Status.PENDING
        assert post.last_error == (
            "Waiting: Facebook asked us to slow down for this Page; it will go out "
            "automatically in about 4 minutes."
        )
        assert post.attempts == 0
        assert "retries" not in post.external_state
        assert post.next_attempt_at >= START + datetime.timedelta(minutes=4)
    assert {post.status for post in lakeside_posts} == {Status.POSTED}
    assert _sent(fake_graph, "111") == 1
    assert PublishingGate.objects.get(key="meta:111").paused_until == START + datetime.timedelta(
        minutes=4
    )

    clock.move_to(_after_the_wait(sunrise_posts))
    _publish(sunrise_posts)
    assert {post.status for post in sunrise_posts} == {Status.POSTED}
    assert _sent(fake_graph, "111") == 1 + 3


def test_the_app_at_its_limit_holds_every_post_of_the_app(
    settings, fake_graph, pages, clock, sunrise, lakeside
):
    settings.SOCIAL_USAGE_PAUSE_SECONDS = 300
    app_usage = {"call_count": 100, "total_cputime": 12, "total_time": 9}
    fake_graph.script(
        "POST",
        "/111/photos",
        Reply(
            body={"id": "9001", "post_id": "111_9001"},
            headers={"X-App-Usage": json.dumps(app_usage)},
        ),
    )
    first = _posts(sunrise, 1)
    _publish(first)
    assert first[0].status == Status.POSTED  # the answer was a success; the next ones wait

    held = _posts(lakeside, 1) + _posts(sunrise, 1, destination="instagram")
    _publish(held)
    for post in held:
        assert post.status == Status.PENDING
        assert post.last_error == (
            "Waiting: Meta asked us to slow down for every dealership; it will go out "
            "automatically in about 5 minutes."
        )
    assert _sent(fake_graph, "222") == 0
    assert fake_graph.calls("POST", "/media") == []

    clock.move_to(_after_the_wait(held))
    _publish(held)
    assert {post.status for post in held} == {Status.POSTED}


def test_usage_under_the_threshold_slows_nothing(settings, fake_graph, pages, clock, sunrise):
    usage = {"111": [{"type": "pages", "call_count": 60, "total_time": 40}]}
    fake_graph.script(
        "POST",
        "/111/photos",
        Reply(
            body={"id": "9002", "post_id": "111_9002"},
            headers={
                "X-Business-Use-Case-Usage": json.dumps(usage),
                "X-App-Usage": json.dumps({"call_count": 94}),
            },
        ),
    )
    posts = _posts(sunrise, 2)
    _publish(posts)
    assert {post.status for post in posts} == {Status.POSTED}
    assert not PublishingGate.objects.exists()
