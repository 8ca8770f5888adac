"""The dispatcher: due pending posts become queued, and their publishing tasks are sent.

The database is the source of truth; the broker only carries nudges. A sweep
(the task ``media_content.tasks.dispatch_due_posts``, sent by beat every 30 s by
default, stored in django-celery-beat, and by the sweep before it at each posting
time, step 4):

1. gives back posts queued longer than the lease and never started (their
   message was lost with a broker or a worker): ``queued → pending``, by a
   conditional UPDATE, so they are claimed again below;
2. claims due pending posts in batches, the dealerships taking turns: every
   dealership's first due post, then every one's second, and so on (oldest
   first within a dealership), so one dealership's 200 posts never delay
   another's one. Per batch, in one transaction: one ``SELECT … FOR UPDATE SKIP
   LOCKED`` of the batch's ids, picked by a subquery that ranks each
   dealership's due posts (``row_number()``; PostgreSQL refuses FOR UPDATE in
   a query with a window function, not around one), and one conditional
   UPDATE (``pending → queued``, ``claimed_at = now``). Two dispatchers at once
   skip each other's locked rows on PostgreSQL, so a batch may come back short
   while others hold the rest: a sweep ends on a batch that claims nothing. On
   SQLite the project's IMMEDIATE transactions serialise them, and the
   UPDATE's ``status = pending`` keeps the claim a compare-and-set anyway;
3. sends one publishing task per claimed post, in those turns, after the
   commit, over one broker connection. If the broker is down, the posts not
   sent go back to ``pending`` (compare-and-set on our ``claimed_at``) and the
   sweep stops: the next sweep after the broker is back sends them;
4. wakes the dispatcher at the next posting time: when a pending post falls due
   within beat's interval (plus a margin for a late beat), one message of this
   same task is sent with that exact time as its ETA, so the posts of 10:00:00
   and 10:00:17 are each swept on the second, not up to an interval later, and
   the woken sweep wakes the one after. One wake-up per instant: Django's cache
   (shared by the processes) lets only the first sweep that sees it send it,
   and a duplicate would only be a sweep that finds nothing. The posts
   themselves are sent without ETA, so they spread over all publishing workers
   and none waits in a worker's memory (with Redis a worker takes every ETA
   message it sees, whatever its prefetch limit). A lost wake-up only makes
   its posts wait for beat's next sweep; a woken sweep whose messages are lost
   is covered by the lease of step 1.

Nothing is raised because of the broker. Publishing itself claims ``pending|queued
→ publishing`` (``engine.publish_post``), so a post sent twice (a lost message
that was not lost after all, two dispatchers, "post now" racing a sweep) is
still published once. The UPDATEs themselves are ``delivery_lifecycle``'s; the
locking SELECT and the sending are here.
"""

import datetime
import logging
import math
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from dealer_media import broker, periodic, queues
from media_content import delivery_lifecycle
from media_content.models import ScheduledPost

# One sweep claims at most this many batches; the next sweep takes the rest.
MAX_BATCHES_PER_SWEEP = 100
# A sweep wakes the dispatcher for posts due within beat's interval and this much more:
# beat (it looks at its schedule every 5 s) and the sweeps worker may start the next
# periodic sweep a few seconds late.
WAKE_AHEAD_MARGIN = datetime.timedelta(seconds=10)

logger = logging.getLogger(__name__)

Status = ScheduledPost.Status


@dataclass
class DispatchReport:
    released: int = 0  # queued posts whose lease expired, given back to pending
    claimed: int = 0
    sent: int = 0
    batches: int = 0
    broker_down: bool = False
    wakes_at: datetime.datetime | None = None  # the next posting time this sweep woke us for


def due_q(now: datetime.datetime) -> Q:
    """Pending posts whose time has come.

    The retry back-off (``delivery_lifecycle.next_attempt_due``: a post waiting
    for its next attempt is pending but not due) is honoured.
    """
    time_has_come = Q(status=Status.PENDING, scheduled_time__lte=now)
    return time_has_come & delivery_lifecycle.next_attempt_due(now=now)


def release_expired_leases(*, now: datetime.datetime, lease: datetime.timedelta) -> int:
    """Queued posts never started within ``lease`` go back to pending (compare-and-set)."""
    released = delivery_lifecycle.release_lapsed_queue_claims(now=now, lease=lease)
    if released:
        logger.warning("%s queued post(s) were never started; queuing them again.", released)
    return released


def in_turns_q(*, now: datetime.datetime, limit: int) -> QuerySet:
    """The ids of the first ``limit`` due posts with the dealerships taking turns.

    Each dealership's due posts are ranked oldest first; the batch takes every
    dealership's first, then every one's second, and so on.
    """
    turn = Window(
        RowNumber(),
        partition_by=F("organization_id"),
        order_by=(F("scheduled_time").asc(), F("pk").asc()),
    )
    return (
        ScheduledPost.objects.filter(due_q(now))
        .annotate(turn=turn)
        .order_by("turn", "scheduled_time", "pk")
        .values("pk")[:limit]
    )


def in_turns(rows: list[tuple[int, int, datetime.datetime]]) -> list[int]:
    """(id, dealership, time) of one batch, in the order of its turns (as ``in_turns_q``).

    A batch holds each dealership's oldest due posts, so the rank within the
    batch is the rank among all of them.
    """
    taken: Counter[int] = Counter()
    ranked = []
    for pk, organization_id, scheduled_time in sorted(rows, key=lambda row: (row[2], row[0])):
        taken[organization_id] += 1
        ranked.append((taken[organization_id], scheduled_time, pk))
    return [pk for _, _, pk in sorted(ranked)]


def claim_due_posts(*, now: datetime.datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due posts, dealerships in turns: two queries, one transaction.

    Answers the ids in the order to send them. Fewer than ``limit`` (even none)
    while posts are still due means another dispatcher holds the others.
    """
    with transaction.atomic():
        rows = list(
            ScheduledPost.objects.select_for_update(skip_locked=True)
            .filter(due_q(now), pk__in=in_turns_q(now=now, limit=limit))
            .order_by()
            .values_list("pk", "organization_id", "scheduled_time")
        )
        if not rows:
            return []
        ids = in_turns(rows)
        won = delivery_lifecycle.queue_deliveries(ids=ids, now=now)
        if won != len(ids):
            # Only without row locks (SQLite outside IMMEDIATE mode): keep what we changed.
            ours = set(
                ScheduledPost.objects.filter(
                    pk__in=ids, status=Status.QUEUED, claimed_at=now
                ).values_list("pk", flat=True)
            )
            ids = [pk for pk in ids if pk in ours]
    return ids


def send_publishing_tasks(post_ids: list[int]) -> list[int]:
    """Send one publishing task per post over one connection; answers the ids NOT sent.

    Scheduled deliveries go to the publishing queue; a dealer's "post now" has its
    own (``lifecycle.send_due_posts``), so it never waits behind a peak sent here.

    Never raises: a broker that is down is logged, and the caller leaves those
    posts for the next sweep.
    """
    sent = broker.send_each(
        broker.PUBLISH_POST, [(post_id,) for post_id in post_ids], queue=queues.PUBLISHING
    )
    if sent < len(post_ids):
        logger.warning(
            "%s publishing task(s) not sent; the dispatcher's next sweep sends them.",
            len(post_ids) - sent,
        )
    return post_ids[sent:]


def unclaim(*, post_ids: list[int], claimed_at: datetime.datetime) -> int:
    """Give back posts we claimed but could not send (only if still ours and queued)."""
    if not post_ids:
        return 0
    return delivery_lifecycle.unqueue_deliveries(ids=post_ids, claimed_at=claimed_at)


def wake_ahead() -> datetime.timedelta:
    """How far ahead a sweep looks for the next posting time: beat's interval and a margin.

    The interval stored in django-celery-beat (the admin may change it), else the
    one it is created with.
    """
    return periodic.dispatcher_interval() + WAKE_AHEAD_MARGIN


def next_posting_time(
    *, now: datetime.datetime, within: datetime.timedelta
) -> datetime.datetime | None:
    """The earliest time after ``now`` and within ``within`` at which a pending post falls due."""
    return (
        ScheduledPost.objects.filter(
            status=Status.PENDING, scheduled_time__gt=now, scheduled_time__lte=now + within
        )
        .order_by("scheduled_time")
        .values_list("scheduled_time", flat=True)
        .first()
    )


def first_to_wake(*, at: datetime.datetime, now: datetime.datetime) -> bool:
    """True for the first sweep to ask about the instant ``at`` (Django's shared cache).

    A cache that cannot answer says True: a second wake-up costs only a sweep
    that finds nothing.
    """
    seconds = math.ceil((at - now + WAKE_AHEAD_MARGIN).total_seconds())
    try:
        return cache.add(wake_key(at), True, timeout=seconds)
    except Exception:  # the cache's own client errors (Redis down); the file cache raises none
        logger.warning("The cache did not answer; waking the dispatcher anyway.", exc_info=True)
        return True


def forget_wake(*, at: datetime.datetime) -> None:
    """The wake-up for ``at`` was not sent: the next sweep may send it."""
    try:
        cache.delete(wake_key(at))
    except Exception:  # as in first_to_wake; the key then expires soon after ``at``
        logger.warning("The cache did not answer.", exc_info=True)


def wake_key(at: datetime.datetime) -> str:
    return f"dispatch:wake:{at.isoformat()}"


def wake_at_next_posting_time(*, now: datetime.datetime) -> datetime.datetime | None:
    """Send this sweep's task for the next posting time within beat's interval (one per instant).

    Answers that time, or None when no post falls due before beat's next sweep,
    another sweep already woke us for it, or the broker is down (beat's next
    sweep sends those posts, later).
    """
    ahead = wake_ahead()
    at = next_posting_time(now=now, within=ahead)
    if at is None or not first_to_wake(at=at, now=now):
        return None
    if not broker.send(broker.DISPATCH_DUE_POSTS, eta=at, expires=at + ahead):
        forget_wake(at=at)
        return None
    return at


def dispatch_due_posts(
    *,
    batch_size: int | None = None,
    max_batches: int | None = None,
    lease: datetime.timedelta | None = None,
) -> DispatchReport:
    """One sweep: release expired leases, claim and send due posts batch by batch, then
    wake the dispatcher at the next posting time.

    Posts that fall due during the sweep wait for the wake-up it sends (at once,
    their time having passed), so a sweep always ends. Never raises because of
    the broker.
    """
    batch_size = batch_size or settings.SCHEDULING_BATCH_SIZE
    max_batches = max_batches or MAX_BATCHES_PER_SWEEP
    lease = lease or datetime.timedelta(seconds=settings.SCHEDULING_QUEUED_LEASE_SECONDS)
    now = timezone.now()
    report = DispatchReport(released=release_expired_leases(now=now, lease=lease))
    for _ in range(max_batches):
        ids = claim_due_posts(now=now, limit=batch_size)
        if not ids:
            break
        report.batches += 1
        report.claimed += len(ids)
        unsent = send_publishing_tasks(ids)
        report.sent += len(ids) - len(unsent)
        if unsent:
            unclaim(post_ids=unsent, claimed_at=now)
            report.broker_down = True
            break
    if report.claimed:
        logger.info(
            "Dispatched %s post(s) in %s batch(es).%s",
            report.sent,
            report.batches,
            " The broker is down; the rest wait for the next sweep." if report.broker_down else "",
        )
    if not report.broker_down:
        report.wakes_at = wake_at_next_posting_time(now=now)
    return report
