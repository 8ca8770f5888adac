"""The dispatcher with a controlled clock: due and not due, batches, leases, time zones."""

import datetime
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media_content import timing
from media_content.models import ScheduledPost
from publishing import dispatch

from ..factories import MediaContentFactory, OrganizationFactory, ScheduledPostFactory
from .conftest import use_broker

UTC = datetime.UTC
NOON = datetime.datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
Status = ScheduledPost.Status

pytestmark = pytest.mark.django_db


def at(time_machine, when: datetime.datetime) -> None:
    time_machine.move_to(when, tick=False)


def make_posts(organization, count: int, when: datetime.datetime) -> list[ScheduledPost]:
    media = MediaContentFactory(organization=organization)
    return ScheduledPost.objects.bulk_create(
        ScheduledPost(
            organization=organization,
            media_content=None if i else media,
            title=f"Post {i}",
            destination="facebook",
            scheduled_time=when,
        )
        for i in range(count)
    )


def statuses(posts) -> list[str]:
    return list(
        ScheduledPost.objects.filter(pk__in=[p.pk for p in posts])
        .order_by("pk")
        .values_list("status", flat=True)
    )


def test_due_posts_go_out_once_and_later_ones_wait(time_machine, counting, sunrise):
    at(time_machine, NOON)
    due = ScheduledPostFactory(media_content__organization=sunrise, scheduled_time=NOON)
    overdue = ScheduledPostFactory(
        media_content__organization=sunrise, scheduled_time=NOON - datetime.timedelta(hours=2)
    )
    later = ScheduledPostFactory(
        media_content__organization=sunrise, scheduled_time=NOON + datetime.timedelta(seconds=1)
    )

    report = dispatch.dispatch_due_posts()

    assert (report.claimed, report.sent, report.broker_down) == (2, 2, False)
    assert sorted(counting.calls) == sorted([due.pk, overdue.pk])
    assert statuses([due, overdue, later]) == ["posted", "posted", "pending"]

    assert dispatch.dispatch_due_posts().claimed == 0  # nothing twice
    at(time_machine, NOON + datetime.timedelta(seconds=1))
    assert dispatch.dispatch_due_posts().claimed == 1
    assert sorted(counting.calls) == sorted([due.pk, overdue.pk, later.pk])


def test_claims_only_pending_posts(time_machine, sunrise):
    at(time_machine, NOON)
    posts = [
        ScheduledPostFactory(
            media_content__organization=sunrise,
            scheduled_time=NOON,
            status=s,
            posted_at=NOON if s == "posted" else None,
        )
        for s in ("pending", "publishing", "posted", "failed", "cancelled", "unconfirmed")
    ]
    assert dispatch.claim_due_posts(now=NOON, limit=100) == [posts[0].pk]
    assert statuses(posts) == [
        "queued",
        "publishing",
        "posted",
        "failed",
        "cancelled",
        "unconfirmed",
    ]
    assert ScheduledPost.objects.get(pk=posts[0].pk).claimed_at == NOON


def test_batches_oldest_first(time_machine, sunrise):
    at(time_machine, NOON)
    posts = make_posts(sunrise, 7, NOON)
    for minutes, post in enumerate(reversed(posts)):
        ScheduledPost.objects.filter(pk=post.pk).update(
            scheduled_time=NOON - datetime.timedelta(minutes=minutes)
        )
    oldest_first = [p.pk for p in posts]
    first = dispatch.claim_due_posts(now=NOON, limit=3)
    second = dispatch.claim_due_posts(now=NOON, limit=3)
    third = dispatch.claim_due_posts(now=NOON, limit=3)
    assert [first, second, third] == [oldest_first[:3], oldest_first[3:6], oldest_first[6:]]
    assert dispatch.claim_due_posts(now=NOON, limit=3) == []


def _sweep_queries(organization, posts: int, batch_size: int) -> tuple[int, int]:
    make_posts(organization, posts, NOON)
    with CaptureQueriesContext(connection) as queries:
        report = dispatch.dispatch_due_posts(batch_size=batch_size)
    ScheduledPost.objects.all().delete()
    return report.batches, len(queries)


def test_a_constant_number_of_queries_per_batch(time_machine, sunrise):
    """Claiming costs the same per batch whatever its size (publishing is the worker's job)."""
    at(time_machine, NOON)
    restore = use_broker("memory://")  # real messages, to an in-process broker
    try:
        small = _sweep_queries(sunrise, posts=10, batch_size=4)  # batches of 4, 4, 2
        large = _sweep_queries(sunrise, posts=100, batch_size=40)  # 40, 40, 20
        one = _sweep_queries(sunrise, posts=30, batch_size=40)
    finally:
        restore()
    assert small == large == (3, 18)
    assert one == (1, 10)
    # Per batch: SELECT … FOR UPDATE SKIP LOCKED (the batch picked in turns by its
    # subquery), UPDATE, and the SAVEPOINT/RELEASE pair of the test's own transaction.
    # Per sweep: the lease release, the last (empty) batch's SAVEPOINT, SELECT and
    # RELEASE, and the wake-up's look-ahead: beat's interval and the next posting time.
    assert (large[1] - one[1]) / (large[0] - one[0]) == 4


def test_an_expired_lease_is_claimed_again(time_machine, counting, sunrise):
    at(time_machine, NOON)
    lost = ScheduledPostFactory(
        media_content__organization=sunrise,
        scheduled_time=NOON - datetime.timedelta(minutes=10),
        status="queued",
        claimed_at=NOON - datetime.timedelta(seconds=301),
    )
    in_flight = ScheduledPostFactory(
        media_content__organization=sunrise,
        scheduled_time=NOON - datetime.timedelta(minutes=1),
        status="queued",
        claimed_at=NOON - datetime.timedelta(seconds=60),
    )

    report = dispatch.dispatch_due_posts(lease=datetime.timedelta(seconds=300))

    assert (report.released, report.claimed) == (1, 1)
    assert counting.calls == [lost.pk]
    assert statuses([lost, in_flight]) == ["posted", "queued"]
    # The other one's lease runs out later: it is sent then, still once.
    at(time_machine, NOON + datetime.timedelta(seconds=241))
    assert dispatch.dispatch_due_posts(lease=datetime.timedelta(seconds=300)).released == 1
    assert counting.calls == [lost.pk, in_flight.pk]
    assert ScheduledPost.objects.get(pk=in_flight.pk).attempts == 1


def test_a_duplicate_message_after_a_lease_publishes_once(time_machine, counting, sunrise):
    """The lost message was only late: both deliveries arrive; one publication."""
    at(time_machine, NOON)
    post = ScheduledPostFactory(
        media_content__organization=sunrise,
        scheduled_time=NOON,
        status="queued",
        claimed_at=NOON - datetime.timedelta(hours=1),
    )
    dispatch.dispatch_due_posts()
    dispatch.send_publishing_tasks([post.pk])  # the late original message
    assert counting.calls == [post.pk]


@pytest.mark.parametrize(
    ("tz", "date", "time", "due_utc"),
    [
        # Autumn fold: 1:30 AM happens twice; the post goes at the first, in daylight time.
        ("America/Chicago", (2024, 11, 3), (1, 30), (2024, 11, 3, 6, 30)),
        ("Europe/Berlin", (2024, 10, 27), (2, 30), (2024, 10, 27, 0, 30)),
        # The morning after the spring jump: 3:00 AM is an hour closer to midnight in UTC.
        ("America/Los_Angeles", (2024, 3, 10), (3, 0), (2024, 3, 10, 10, 0)),
        ("Europe/Berlin", (2024, 3, 31), (3, 0), (2024, 3, 31, 1, 0)),
    ],
)
def test_dealer_clock_times_fall_due_at_the_right_instant(
    time_machine, counting, sunrise, tz, date, time, due_utc
):
    sunrise.timezone = tz
    sunrise.save()
    due = datetime.datetime(*due_utc, tzinfo=UTC)
    at(time_machine, due - datetime.timedelta(days=2))
    when = timing.local_schedule_time(
        organization=sunrise, date=datetime.date(*date), time=datetime.time(*time)
    )
    post = ScheduledPostFactory(media_content__organization=sunrise, scheduled_time=when)

    at(time_machine, due - datetime.timedelta(seconds=1))
    assert dispatch.dispatch_due_posts().claimed == 0
    at(time_machine, due)
    assert dispatch.dispatch_due_posts().claimed == 1
    assert counting.calls == [post.pk]
    # An hour later (the second 1:30 AM in the fold) nothing goes out again.
    at(time_machine, due + datetime.timedelta(hours=1))
    assert dispatch.dispatch_due_posts().claimed == 0


def test_nine_am_stays_nine_am_across_the_change(time_machine, counting, sunrise):
    """A dealer's daily 9 AM posts around the spring change in Los Angeles."""
    at(time_machine, datetime.datetime(2024, 3, 8, 12, 0, tzinfo=UTC))
    posts = {
        day: ScheduledPostFactory(
            media_content__organization=sunrise,
            scheduled_time=timing.local_schedule_time(
                organization=sunrise, date=datetime.date(2024, 3, day), time=datetime.time(9, 0)
            ),
        )
        for day in (9, 10)
    }
    assert posts[9].scheduled_time.hour == 17  # PST, UTC-8
    assert posts[10].scheduled_time.hour == 16  # PDT, UTC-7
    at(time_machine, datetime.datetime(2024, 3, 10, 16, 0, tzinfo=UTC))
    dispatch.dispatch_due_posts()
    assert sorted(counting.calls) == sorted([posts[9].pk, posts[10].pk])


@pytest.mark.django_db(transaction=True)
def test_racing_dispatchers_never_claim_the_same_post(sunrise, lakeside):
    """Four dispatchers at once, in threads with their own connections (PostgreSQL or SQLite).

    Each picks its batch in turns between the dealerships before locking it, so on
    PostgreSQL they often pick the same posts and skip each other's locked rows.
    """
    make_posts(sunrise, 150, NOON)
    make_posts(lakeside, 45, NOON)
    make_posts(OrganizationFactory(name="North"), 5, NOON - datetime.timedelta(minutes=1))
    barrier = threading.Barrier(4)
    claims: list[list[int]] = [[] for _ in range(4)]

    def dispatcher(index: int) -> None:
        try:
            barrier.wait()
            while batch := dispatch.claim_due_posts(now=NOON, limit=15):
                claims[index].extend(batch)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    everything = [post_id for claim in claims for post_id in claim]
    assert len(everything) == len(set(everything)) == 200
    assert set(ScheduledPost.objects.values_list("status", flat=True)) == {"queued"}
