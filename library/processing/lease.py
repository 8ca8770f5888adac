"""The processing lease: one worker at a time per item, and no item left waiting for long.

Every item waiting for or under processing carries a deadline,
``processing_lease_until``:

- pending: the time by which a worker should have taken it
  (PROCESSING_SEND_GRACE_SECONDS after its message went to the broker; none at
  all when the broker refused the message, so the next sweep sends it);
- processing: the worker's lease (PROCESSING_LEASE_SECONDS), renewed by a thread
  every third of it while the worker works, so it runs out soon after that
  worker is killed.

A worker takes an item by a conditional UPDATE (pending, or processing with its
lease run out); ``processing_claimed_at`` is its claim and its final write is
conditioned on it, so a duplicate delivery finds the item taken and does
nothing. The periodic sweep (:func:`resend_overdue`) sends again every item past
its deadline, each claimed by a conditional UPDATE on the deadline it read, so
two beats never send one item twice. The broker only carries nudges: the row
says what is still to do.
"""

import datetime
import logging
import threading

from django.conf import settings
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from dealer_media import broker
from library.models import MediaFile

logger = logging.getLogger(__name__)

Status = MediaFile.ProcessingStatus
UNFINISHED = (Status.PENDING, Status.PROCESSING)

# A message the broker took but no worker picked up is sent again after waits that
# double (the item's age since it was asked for) up to this, so a long queue after a
# bulk upload gets a few duplicates per item, not one every sweep.
MAX_RESEND_WAIT = datetime.timedelta(minutes=15)


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PROCESSING_LEASE_SECONDS)


def send_grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PROCESSING_SEND_GRACE_SECONDS)


def send_processing_task(media_id: int) -> bool:
    """Send the task; a broker that is down is logged and remembered for the sweep."""
    if not broker.send(broker.PROCESS_MEDIA, media_id):
        logger.warning(
            "Could not send the processing task of media %s (is the broker down?); "
            "the processing sweep sends it once the broker is back.",
            media_id,
        )
        # Nothing is out for it: no deadline means "send at the next sweep".
        MediaFile.objects.filter(pk=media_id, processing_status=Status.PENDING).update(
            processing_lease_until=None
        )
        return False
    return True


def claim(*, media_id: int) -> datetime.datetime | None:
    """Take the item for this worker; answers the claim, or None when it is not ours to do.

    None: another worker holds a live lease, the item is ready or failed, or gone.
    """
    now = timezone.now()
    lease_over = Q(processing_lease_until__isnull=True) | Q(processing_lease_until__lt=now)
    taken = (
        MediaFile.objects.filter(pk=media_id)
        .filter(
            Q(processing_status=Status.PENDING) | Q(lease_over, processing_status=Status.PROCESSING)
        )
        .update(
            processing_status=Status.PROCESSING,
            processing_claimed_at=now,
            processing_lease_until=now + lease_length(),
            processing_error="",
            processing_attempts=F("processing_attempts") + 1,
            updated_at=now,
        )
    )
    return now if taken else None


def mine(*, media_id: int, claim: datetime.datetime) -> QuerySet[MediaFile]:
    """The item, only while this worker's claim still holds it."""
    return MediaFile.objects.filter(
        pk=media_id, processing_status=Status.PROCESSING, processing_claimed_at=claim
    )


def holds(media: MediaFile, claim: datetime.datetime) -> bool:
    return media.processing_status == Status.PROCESSING and media.processing_claimed_at == claim


def renew(*, media_id: int, claim: datetime.datetime) -> bool:
    return bool(
        mine(media_id=media_id, claim=claim).update(
            processing_lease_until=timezone.now() + lease_length()
        )
    )


def release_for_retry(*, media_id: int, claim: datetime.datetime, wait: datetime.timedelta) -> None:
    """An unexpected error: pending again; the task's own retry is due within ``wait``.

    Past it (the retry's message lost too) the sweep sends it again.
    """
    now = timezone.now()
    mine(media_id=media_id, claim=claim).update(
        processing_status=Status.PENDING,
        processing_claimed_at=None,
        processing_lease_until=now + wait + send_grace(),
        updated_at=now,
    )


class LeaseKeeper:
    """Renews this worker's lease every third of it while the work runs (a daemon thread).

    A killed worker renews nothing, so its lease runs out within
    PROCESSING_LEASE_SECONDS however long the file takes to process.
    """

    def __init__(self, *, media_id: int, claim: datetime.datetime):
        self.media_id, self.claim = media_id, claim
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"processing-lease-{media_id}", daemon=True
        )

    def __enter__(self) -> "LeaseKeeper":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        interval = max(settings.PROCESSING_LEASE_SECONDS / 3, 0.2)
        used_database = False
        try:
            while not self._stop.wait(interval):
                used_database = True
                try:
                    if not renew(media_id=self.media_id, claim=self.claim):
                        logger.warning("Media %s: this worker's lease was taken.", self.media_id)
                        return
                except Exception:
                    logger.exception("Could not renew the lease of media %s", self.media_id)
        finally:
            if used_database:
                connection.close()  # this thread's own connection


def _resend_wait(*, status: str, deadline, requested_at, now) -> tuple[datetime.timedelta, bool]:
    """How long the new message has before the next sweep; and whether it is a fresh request."""
    if status == Status.PROCESSING or deadline is None or requested_at is None:
        # Its worker died (lease over), or no message was ever out: start afresh.
        return send_grace(), True
    # The broker took it and no worker picked it up (lost, or a long queue): back off.
    return min(max(now - requested_at, send_grace()), MAX_RESEND_WAIT), False


def resend_overdue(*, limit: int = 1000) -> int:
    """Send again every item past its deadline; answers how many were sent."""
    now = timezone.now()
    overdue = MediaFile.objects.filter(processing_status__in=UNFINISHED).filter(
        Q(processing_lease_until__isnull=True) | Q(processing_lease_until__lt=now)
    )
    rows = overdue.order_by("pk").values_list(
        "pk", "processing_status", "processing_lease_until", "processing_requested_at"
    )[:limit]
    sent = 0
    for media_id, status, deadline, requested_at in list(rows):
        wait, fresh = _resend_wait(
            status=status, deadline=deadline, requested_at=requested_at, now=now
        )
        won = MediaFile.objects.filter(
            pk=media_id, processing_status=status, processing_lease_until=deadline
        ).update(
            processing_status=Status.PENDING,
            processing_claimed_at=None,
            processing_lease_until=now + wait,
            processing_requested_at=now if fresh else requested_at,
        )
        if won and send_processing_task(media_id):
            sent += 1
    if sent:
        logger.warning("%s media item(s) sent to processing again.", sent)
    return sent
