"""The dispatcher on time and fair: woken at each posting time, dealerships taking turns.

The messages are read from a private redis-server, in the order they were sent,
as kombu stored them: what a worker would receive.
"""

import base64
import datetime
import json

import pytest
import redis
from django.core.cache import cache
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from dealer_media import broker
from media_content import approval, approval_lifecycle, lifecycle
from media_content.models import ScheduledPost
from publishing import dispatch

from ..factories import MediaContentFactory, MembershipFactory, OrganizationFactory
from ..racing import at_once
from .conftest import use_broker

UTC = datetime.UTC
NOON = datetime.datetime(2025, 3, 4, 18, 0, tzinfo=UTC)
Status = ScheduledPost.Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_wake_ups_remembered():
    """Each test starts with no instant already woken for (the cache outlives a test)."""
    cache.clear()
    yield
    cache.clear()


def seconds(n: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


def at(time_machine, when: datetime.datetime) -> None:
    time_machine.move_to(when, tick=False)


def posts_of(organization, count: int, when: datetime.datetime) -> list[int]:
    posts = ScheduledPost.objects.bulk_create(
        ScheduledPost(
            organization=organization,
            title=f"{organization.name} {i}",
            destination="facebook",
            scheduled_time=when,
        )
        for i in range(count)
    )
    return [post.pk for post in posts]


def sent(client: redis.Redis, queue: str) -> list[dict]:
    """The messages waiting in ``queue``, first sent first: task, argument, eta, expires."""
    messages = [json.loads(raw) for raw in reversed(client.lrange(queue, 0, -1))]
    return [
        {
            "task": message["headers"]["task"],
            "args": json.loads(base64.b64decode(message["body"]))[0],
            "eta": message["headers"]["eta"],
            "expires": message["headers"]["expires"],
        }
        for message in messages
    ]


def published(client: redis.Redis) -> list[int]:
    """The posts sent to the publishing queue, in order; none of them with an ETA."""
    messages = sent(client, "publishing")
    assert all(m["task"] == broker.PUBLISH_POST and m["eta"] is None for m in messages), messages
    return [m["args"][0] for m in messages]


def wake_ups(client: redis.Redis) -> list[datetime.datetime]:
    messages = sent(client, "sweeps")
    assert all(m["task"] == broker.DISPATCH_DUE_POSTS and m["args"] == [] for m in messages)
    return [datetime.datetime.fromisoformat(m["eta"]) for m in messages]


# --- Woken at each posting time (a private Redis) ----------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_sweep_wakes_the_dispatcher_once_for_the_next_time_within_its_interval(
    time_machine, sunrise, private_broker
):
    _, client = private_broker
    at(time_machine, NOON)
    posts_of(sunrise, 2, NOON + seconds(17))
    posts_of(sunrise, 1, NOON + seconds(95))  # beyond the interval (30 s) and the margin

    report = dispatch.dispatch_due_posts()

    assert (report.claimed, report.wakes_at) == (0, NOON + seconds(17))
    assert wake_ups(client) == [NOON + seconds(17)]
    [wake_up] = sent(client, "sweeps")
    # Useless once beat's next sweep has passed: dropped by a worker that gets it later.
    assert datetime.datetime.fromisoformat(wake_up["expires"]) == NOON + seconds(17 + 40)
    assert published(client) == []
    # Beat's next sweep, or a second sweep at once, sends no second wake-up for 12:00:17.
    at(time_machine, NOON + seconds(1))
    assert dispatch.dispatch_due_posts().wakes_at is None
    assert wake_ups(client) == [NOON + seconds(17)]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_woken_sweep_sends_its_posts_at_once_and_wakes_for_the_next_time(
    time_machine, sunrise, lakeside, private_broker
):
    _, client = private_broker
    at(time_machine, NOON)
    first = posts_of(sunrise, 2, NOON + seconds(5)) + posts_of(lakeside, 1, NOON + seconds(5))
    second = posts_of(lakeside, 1, NOON + seconds(20))  # the same interval: a sweep of its own
    dispatch.dispatch_due_posts()
    assert wake_ups(client) == [NOON + seconds(5)]

    client.delete("sweeps")  # the worker took the wake-up; at its ETA it runs the sweep:
    at(time_machine, NOON + seconds(5))
    report = dispatch.dispatch_due_posts()
    assert (report.sent, report.wakes_at) == (3, NOON + seconds(20))
    assert sorted(published(client)) == sorted(first)  # plain messages, for any worker
    claimed = ScheduledPost.objects.filter(pk__in=first).values_list("claimed_at", flat=True)
    assert set(claimed) == {NOON + seconds(5)}  # on the second, not at beat's next sweep

    client.delete("sweeps", "publishing")
    at(time_machine, NOON + seconds(20))
    report = dispatch.dispatch_due_posts()
    assert (report.sent, report.wakes_at) == (1, None)
    assert published(client) == second
    assert wake_ups(client) == []


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_post_claimed_by_a_woken_sweep_whose_message_is_lost_goes_out_after_the_lease(
    time_machine, settings, sunrise, private_broker
):
    _, client = private_broker
    lease = settings.SCHEDULING_QUEUED_LEASE_SECONDS
    due = NOON + seconds(17)
    [post] = posts_of(sunrise, 1, due)
    at(time_machine, due)
    assert dispatch.dispatch_due_posts().sent == 1
    client.delete("publishing")  # lost with the broker, or a worker that took it and died

    at(time_machine, due + seconds(lease - 1))
    assert dispatch.dispatch_due_posts().released == 0
    assert published(client) == []
    at(time_machine, due + seconds(lease + 1))
    report = dispatch.dispatch_due_posts()
    assert (report.released, report.sent) == (1, 1)
    assert published(client) == [post]
    assert ScheduledPost.objects.get(pk=post).claimed_at == due + seconds(lease + 1)


# --- The dealerships take turns ------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_one_dealerships_burst_never_delays_anothers_single_post(
    time_machine, sunrise, lakeside, private_broker
):
    _, client = private_broker
    at(time_machine, NOON)
    burst = posts_of(sunrise, 200, NOON)  # created first: the lower ids
    [single] = posts_of(lakeside, 1, NOON)

    report = dispatch.dispatch_due_posts(batch_size=50)

    assert (report.batches, report.sent) == (5, 201)
    order = published(client)
    assert order[:3] == [burst[0], single, burst[1]]  # the first of each, then the burst
    assert sorted(order) == sorted([*burst, single])  # each once


def test_a_batch_takes_every_dealerships_first_post_then_their_second(time_machine, sunrise):
    at(time_machine, NOON)
    north, south = OrganizationFactory(name="North"), OrganizationFactory(name="South")
    a = posts_of(sunrise, 5, NOON)
    b = posts_of(north, 1, NOON - seconds(60))  # an older post goes first in its turn
    c = posts_of(south, 2, NOON)
    assert dispatch.claim_due_posts(now=NOON, limit=5) == [b[0], a[0], c[0], a[1], c[1]]
    assert dispatch.claim_due_posts(now=NOON, limit=5) == a[2:]
    assert dispatch.claim_due_posts(now=NOON, limit=5) == []
    assert set(ScheduledPost.objects.values_list("status", flat=True)) == {Status.QUEUED}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_racing_sweeps_send_every_post_once_and_leave_none_behind(sunrise, private_broker):
    """A short batch may be another dispatcher's doing: a sweep stops only on an empty one."""
    _, client = private_broker
    organizations = [sunrise, *(OrganizationFactory(name=f"Dealer {i}") for i in range(3))]
    ids = [pk for i, org in enumerate(organizations) for pk in posts_of(org, 10 + 40 * i, NOON)]
    reports = at_once(lambda: dispatch.dispatch_due_posts(batch_size=15), threads=4)

    assert sum(report.claimed for report in reports) == len(ids) == 280
    assert sorted(published(client)) == sorted(ids)
    assert set(ScheduledPost.objects.values_list("status", flat=True)) == {Status.QUEUED}


# --- How far ahead a sweep looks -----------------------------------------------------


def test_a_sweep_looks_ahead_by_the_interval_stored_for_beat(settings):
    settings.SCHEDULING_DISPATCH_EVERY_SECONDS = 30
    stored = PeriodicTask.objects.get(task=broker.DISPATCH_DUE_POSTS)
    assert dispatch.wake_ahead() == seconds(30 + 10)
    stored.interval = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.MINUTES)
    stored.save()
    assert dispatch.wake_ahead() == seconds(120 + 10)  # changed in the admin
    stored.enabled = False
    stored.save()
    assert dispatch.wake_ahead() == seconds(30 + 10)  # beat does not run it: the setting


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_wake_up_the_broker_refused_is_sent_by_the_next_sweep(
    time_machine, sunrise, private_broker
):
    _, client = private_broker
    at(time_machine, NOON)
    posts_of(sunrise, 1, NOON + seconds(17))
    restore = use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        assert dispatch.dispatch_due_posts().wakes_at is None  # logged; nothing raised
    finally:
        restore()
    at(time_machine, NOON + seconds(1))
    assert dispatch.dispatch_due_posts().wakes_at == NOON + seconds(17)
    assert wake_ups(client) == [NOON + seconds(17)]


# --- A post made due before beat's next sweep -------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_post_scheduled_before_beats_next_sweep_wakes_the_dispatcher_at_its_time(
    time_machine, sunrise, private_broker
):
    """The last sweep looked ahead before this post existed: scheduling it sends the wake-up."""
    _, client = private_broker
    at(time_machine, NOON)
    soon = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    later = MediaContentFactory(organization=sunrise, post_to_facebook=True)

    lifecycle.media_schedule(media=soon, when=NOON + seconds(12))
    lifecycle.media_schedule(media=later, when=NOON + seconds(31))  # beat's sweep comes first

    [wake_up] = sent(client, "sweeps")
    assert datetime.datetime.fromisoformat(wake_up["eta"]) == NOON + seconds(12)
    assert datetime.datetime.fromisoformat(wake_up["expires"]) == NOON + seconds(12 + 30)
    assert published(client) == []

    client.delete("sweeps")  # the worker took it; at its ETA:
    at(time_machine, NOON + seconds(12))
    report = dispatch.dispatch_due_posts()
    assert report.sent == 1
    assert published(client) == [soon.posts.get().pk]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_approval_for_a_time_before_beats_next_sweep_wakes_the_dispatcher(
    time_machine, sunrise, private_broker
):
    _, client = private_broker
    at(time_machine, NOON)
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    approval_lifecycle.media_submit_for_approval(media=media, when=NOON + seconds(20))
    owner = MembershipFactory(organization=sunrise, role="owner")

    approval.approval_approve(by=owner, media=media)

    assert wake_ups(client) == [NOON + seconds(20)]
