"""A delivery's life in the engine: queued, claimed, finished, settled. Writes only.

``lifecycle.py`` and ``approval_lifecycle.py`` write what a dealer does to a post
(schedule, cancel, retry, hold for approval); this module writes what the engine
does to one delivery (``ScheduledPost``): the dispatcher queues it, a worker
claims it for publishing and finishes it, the stale sweep and a person settle it
when its outcome is unknown, and its permalink is recorded once read. Every write is a compare-and-set on the status it
expects and, for a worker, on its own claim (``under_claim``), so whoever lost a
delivery writes nothing. When to queue, retry, fail or send again is decided by
the callers (``dispatch``, ``publishing``, ``unconfirmed``); sending is theirs too.
"""

import contextlib
import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .lifecycle import media_refresh_status
from .models import ScheduledPost

Status = ScheduledPost.Status
OUTCOMES = (Status.POSTED, Status.FAILED, Status.UNCONFIRMED)
SETTLED = (Status.POSTED, Status.FAILED, Status.PENDING)


def next_attempt_due(*, now: datetime.datetime) -> Q:
    """Deliveries whose next attempt is due: a retry's backoff keeps a pending one back."""
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


# --- The dispatcher's queue -------------------------------------------------------


def queue_deliveries(*, ids: list[int], now: datetime.datetime) -> int:
    """The dispatcher's claim: those still pending become queued, stamped ``claimed_at=now``.

    Compare-and-set on pending, so one taken meanwhile stays with whoever took
    it. Answers how many this dispatcher won.
    """
    return ScheduledPost.objects.filter(pk__in=ids, status=Status.PENDING).update(
        status=Status.QUEUED, claimed_at=now, updated_at=now
    )


def release_lapsed_queue_claims(*, now: datetime.datetime, lease: datetime.timedelta) -> int:
    """Queued deliveries never started within ``lease`` are pending again: their message was lost."""
    return ScheduledPost.objects.filter(status=Status.QUEUED, claimed_at__lt=now - lease).update(
        status=Status.PENDING, claimed_at=None, updated_at=now
    )


def unqueue_deliveries(*, ids: list[int], claimed_at: datetime.datetime) -> int:
    """Deliveries a dispatcher queued but could not send go back to pending for the next sweep.

    Only those still queued under that dispatcher's ``claimed_at``.
    """
    return ScheduledPost.objects.filter(
        pk__in=ids, status=Status.QUEUED, claimed_at=claimed_at
    ).update(status=Status.PENDING, claimed_at=None, updated_at=timezone.now())


# --- A worker's publishing claim --------------------------------------------------


def claim_delivery(*, delivery_id: int, now: datetime.datetime) -> bool:
    """A worker's claim to publish: a due pending or queued delivery becomes ``publishing``.

    One conditional UPDATE, so of two workers (a duplicated message, a retried
    task) only one wins; its ``claimed_at=now`` conditions all its later writes.
    """
    return bool(
        ScheduledPost.objects.filter(
            next_attempt_due(now=now), pk=delivery_id, status__in=[Status.PENDING, Status.QUEUED]
        ).update(
            status=Status.PUBLISHING,
            claimed_at=now,
            send_started_at=None,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def under_claim(*, delivery: ScheduledPost) -> QuerySet[ScheduledPost]:
    """The delivery, only while the claim it was loaded with holds: a worker writes through this.

    Empty once the stale sweep or a person took it, so a worker that lost it writes nothing.
    """
    return ScheduledPost.objects.filter(
        pk=delivery.pk, status=Status.PUBLISHING, claimed_at=delivery.claimed_at
    )


def _claim_write(delivery: ScheduledPost, **fields) -> bool:
    """One UPDATE under the claim, carrying what is sent; when won, ``delivery`` in memory
    holds what was written, so nobody reads it again.

    The record of what is sent (``sent_text``, ``sent_file_urls``, set in memory as the
    engine starts a first send) rides on every write of the claim, so it costs no
    UPDATE of its own and is kept whichever write comes first.
    """
    fields = {
        "sent_text": delivery.sent_text,
        "sent_file_urls": delivery.sent_file_urls,
        "updated_at": timezone.now(),
        **fields,
    }
    if not under_claim(delivery=delivery).update(**fields):
        return False
    for name, value in fields.items():
        setattr(delivery, name, value)
    return True


def _read_again(delivery: ScheduledPost) -> None:
    """The claim was lost: the delivery in memory reads as the database says (if still there)."""
    with contextlib.suppress(ScheduledPost.DoesNotExist):
        delivery.refresh_from_db()


def write_progress(*, delivery: ScheduledPost, **fields) -> bool:
    """Under the claim: the worker's progress (``external_state``, ``send_started_at``),
    never the status. Answers False (nothing written) when the claim was lost."""
    if "status" in fields:
        raise ValueError("A delivery's status moves by claim, release and finish only.")
    return _claim_write(delivery, **fields)


def release_delivery(*, delivery: ScheduledPost, delay: float, last_error: str) -> bool:
    """Under the claim: pending again until ``delay`` seconds from now, its progress kept.

    For a retry's backoff, a step Meta is still working on, or a file still
    processing. Answers False (nothing written) when the claim was lost. Either way
    ``delivery`` in memory then reads as the database does.
    """
    released = _claim_write(
        delivery,
        status=Status.PENDING,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
        send_started_at=None,
        external_state=delivery.external_state,
        last_error=last_error,
    )
    if not released:
        _read_again(delivery)
    return released


def hold_delivery(*, delivery: ScheduledPost, delay: float, last_error: str) -> bool:
    """Under the claim: pending again for ``delay`` seconds, this claim not counted as a try.

    For a delivery that a shut gate kept from being sent (``publishing.gates``: its
    Page is rate-limited or its breaker is open): nothing was tried, so neither its
    attempts nor its retries grow. Answers False (nothing written) when the claim was lost.
    """
    now = timezone.now()
    return bool(
        under_claim(delivery=delivery).update(
            status=Status.PENDING,
            next_attempt_at=now + datetime.timedelta(seconds=delay),
            attempts=F("attempts") - 1,
            last_error=last_error,
            updated_at=now,
        )
    )


@transaction.atomic
def finish_delivery(*, delivery: ScheduledPost, status: str, **fields) -> bool:
    """Under the claim: the delivery's outcome (posted, failed, unconfirmed); the post follows.

    The post's status is derived again even when the claim was lost, from what
    the database says. Answers False when the claim was lost (nothing written).
    Either way ``delivery`` in memory then reads as the database does.
    """
    if status not in OUTCOMES:
        raise ValueError(f"A delivery finishes posted, failed or unconfirmed, not {status!r}.")
    finished = _claim_write(delivery, status=status, **fields)
    if not finished:
        _read_again(delivery)
    if delivery.media_content_id:
        media_refresh_status(media=delivery.media_content)
    return finished


# --- Outcome unknown --------------------------------------------------------------


def mark_stale_deliveries_unconfirmed(
    *, ids: list[int], claimed_before: datetime.datetime, reason: str, now: datetime.datetime
) -> int:
    """Deliveries left ``publishing`` since before ``claimed_before`` after a send: unconfirmed.

    They may have gone out, so nothing sends them again: a person or Meta
    settles them. The caller derives their posts' status. Answers how many.
    """
    return ScheduledPost.objects.filter(
        pk__in=ids, status=Status.PUBLISHING, claimed_at__lte=claimed_before
    ).update(status=Status.UNCONFIRMED, last_error=reason, updated_at=now)


def release_stale_unsent_deliveries(
    *, ids: list[int], claimed_before: datetime.datetime, now: datetime.datetime
) -> int:
    """Deliveries left ``publishing`` since before ``claimed_before``, never sent: pending again.

    Their worker died before sending anything, so sending them again is safe;
    the caller sends them. Answers how many.
    """
    return ScheduledPost.objects.filter(
        pk__in=ids,
        status=Status.PUBLISHING,
        send_started_at__isnull=True,
        claimed_at__lte=claimed_before,
    ).update(status=Status.PENDING, next_attempt_at=None, updated_at=now)


@transaction.atomic
def settle_unconfirmed_delivery(*, delivery: ScheduledPost, status: str, **fields) -> bool:
    """An unconfirmed delivery is posted or failed (a person checked, or Meta answered), or
    pending again to be sent once more; its post's status follows.

    Compare-and-set on unconfirmed: answers False when someone settled it first.
    """
    if status not in SETTLED:
        raise ValueError(
            f"An unconfirmed delivery becomes posted, failed or pending, not {status!r}."
        )
    settled = ScheduledPost.objects.filter(pk=delivery.pk, status=Status.UNCONFIRMED).update(
        status=status, updated_at=timezone.now(), **fields
    )
    if settled and delivery.media_content_id:
        media_refresh_status(media=delivery.media_content)
    return bool(settled)


# --- After the fact ---------------------------------------------------------------


def record_link(*, delivery: ScheduledPost, external_state: dict, external_url: str = "") -> bool:
    """A posted delivery's permalink read from the destination after it went out, or how
    the reading went (``external_state``); never its status. ``external_url`` empty: the
    link stays as it is.

    Compare-and-set on posted: a delivery settled otherwise since keeps what was decided.
    """
    fields = {"external_state": external_state, "updated_at": timezone.now()}
    if external_url:
        fields["external_url"] = external_url
    return bool(ScheduledPost.objects.filter(pk=delivery.pk, status=Status.POSTED).update(**fields))
