"""The dispatcher: due pending posts become queued, and their publishing tasks are sent.

The database is the source of truth; the broker only carries nudges. A sweep
(the periodic task ``media_content.tasks.dispatch_due_posts``, every 30 s by
default, stored in django-celery-beat):

1. gives back posts queued longer than the lease and never started (their
   message was lost with a broker or a worker): ``queued → pending``, by a
   conditional UPDATE, so they are claimed again below;
2. claims due pending posts in batches: one ``SELECT … FOR UPDATE SKIP
   LOCKED`` and one conditional UPDATE (``pending → queued``, ``claimed_at =
   now``) per batch, in one transaction. Two dispatchers at once skip each
   other's locked rows on PostgreSQL; on SQLite the project's IMMEDIATE
   transactions serialise them, and the UPDATE's ``status = pending`` keeps
   the claim a compare-and-set anyway;
3. sends one publishing task per claimed post after the commit, over one
   broker connection. If the broker is down, the posts not sent go back to
   ``pending`` (compare-and-set on our ``claimed_at``) and the sweep stops:
   the next sweep after the broker is back sends them. Nothing is raised.

Publishing itself claims ``pending|queued → publishing`` (publishing.py), so a
post sent twice (a lost message that was not lost after all, two dispatchers,
"post now" racing a sweep) is still published once. The UPDATEs themselves are
``delivery_lifecycle``'s; the locking SELECT and the sending are here.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dealer_media import broker, queues
from media_content import delivery_lifecycle
from media_content.models import ScheduledPost

# One sweep claims at most this many batches; the next sweep takes the rest.
MAX_BATCHES_PER_SWEEP = 100

logger = logging.getLogger(__name__)

Status = ScheduledPost.Status


@dataclass
class DispatchReport:
    released: int = 0  # queued posts whose lease expired, given back to pending
    claimed: int = 0
    sent: int = 0
    batches: int = 0
    broker_down: bool = False


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


def claim_due_posts(*, now: datetime.datetime, limit: int) -> list[int]:
    """Claim up to ``limit`` due posts for this dispatcher: two queries, one transaction."""
    with transaction.atomic():
        ids = list(
            ScheduledPost.objects.select_for_update(skip_locked=True)
            .filter(due_q(now))
            .order_by("scheduled_time")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        won = delivery_lifecycle.queue_deliveries(ids=ids, now=now)
        if won != len(ids):
            # Only without row locks (SQLite outside IMMEDIATE mode): keep what we changed.
            ids = list(
                ScheduledPost.objects.filter(
                    pk__in=ids, status=Status.QUEUED, claimed_at=now
                ).values_list("pk", flat=True)
            )
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


def dispatch_due_posts(
    *,
    batch_size: int | None = None,
    max_batches: int | None = None,
    lease: datetime.timedelta | None = None,
) -> DispatchReport:
    """One sweep: release expired leases, then claim and send due posts batch by batch.

    Posts that fall due during the sweep wait for the next one, so a sweep
    always ends. Never raises because of the broker.
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
        if len(ids) < batch_size:
            break
    if report.claimed:
        logger.info(
            "Dispatched %s post(s) in %s batch(es).%s",
            report.sent,
            report.batches,
            " The broker is down; the rest wait for the next sweep." if report.broker_down else "",
        )
    return report
