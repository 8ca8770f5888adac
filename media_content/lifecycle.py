"""A ScheduledPost's life as the dealer moves it: schedule, reschedule, cancel, publish now, retry.

Views, the admin, tasks and the seed call these; apart from approval's holds,
nothing else creates, cancels or re-times posts. Every change is a compare-and-set
on the post's status, so a post a worker has started publishing is never changed
under it. Posts due now are sent to the broker after the commit (``broker``);
later ones wait for the dispatcher. The states themselves are drawn in
``ScheduledPost``'s docstring.

Post and delivery status have no other writers than this module and its two
siblings: ``approval_lifecycle.py`` (posts held for an approver, released, sent
back) and ``delivery_lifecycle.py`` (the engine's claims and outcomes, decided by
``dispatch``, ``publishing`` and ``unconfirmed``); ``tests/test_one_writer.py``
holds them to it.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from dealer_media import broker, periodic, queues

from . import timing
from .models import Destination, MediaContent, ScheduledPost

logger = logging.getLogger(__name__)

Status = ScheduledPost.Status
UNSTARTED = (Status.HELD, Status.PENDING, Status.QUEUED)


def send_due_posts(post_ids: list[int]) -> None:
    """After the commit, one publishing task per post; a broker that is down is only logged.

    Someone is waiting for these (post now, a retry, an approval or the end of
    processing made them due), so they go to the "post now" queue, which no
    backlog of scheduled posts stands in front of. The posts are committed
    pending and due, so the dispatcher's next sweep sends them when the broker
    is back: the dealer never sees a broker error.
    """
    ids = list(post_ids)

    def _send() -> None:
        sent = broker.send_each(
            broker.PUBLISH_POST, [(post_id,) for post_id in ids], queue=queues.PUBLISHING_NOW
        )
        if sent < len(ids):
            logger.warning(
                "%s publishing task(s) not sent; the dispatcher's next sweep sends them.",
                len(ids) - sent,
            )

    if ids:
        transaction.on_commit(_send)


def send_posts_waiting_for_processing(
    *, file_id: int | None = None, post_id: int | None = None
) -> list[int]:
    """The file is processed (ready or failed): the deliveries of its posts that wait go now.

    Called after the commit that says so, so a post released to wait just
    before is found pending here (``publishing`` looks again after releasing
    one, for the other order). "Waiting" is a due first send that a claim
    released to wait (``next_attempt_at`` set): pending, never sent, no progress
    saved. A post in a retry's backoff has progress and keeps its time; one not
    tried yet has its own message on the way. A duplicate nudge sends a second
    message that finds the post claimed or posted and publishes nothing.
    Answers the ids sent.
    """
    now = timezone.now()
    whose = (
        {"media_content_id": post_id}
        if post_id is not None
        else {"media_content__post_files__file_id": file_id}
    )
    candidates = ScheduledPost.objects.filter(
        **whose,
        status=Status.PENDING,
        scheduled_time__lte=now,
        send_started_at__isnull=True,
        next_attempt_at__isnull=False,
    ).values_list("pk", "external_state")
    ids = [pk for pk, state in candidates if not state]
    if not ids:
        return []
    with transaction.atomic():
        ScheduledPost.objects.filter(pk__in=ids, status=Status.PENDING).update(
            next_attempt_at=now, updated_at=now
        )
        send_due_posts(ids)
    return ids


# --- The refusal check ----------------------------------------------------------


def refuse_destinations_with_errors(*, media: MediaContent, destinations: list[str]) -> None:
    """Scheduling refuses a destination whose checks found an error, and says which and why.

    Raises ValidationError keyed by the destination's form field (``post_to_instagram``).
    A file still processing has no errors yet: the publishing step checks it again.
    """
    from .carousel_checks import post_checks

    problems = {}
    for destination in destinations:
        errors = post_checks(media, destination).errors
        if errors:
            label = Destination(destination).label
            problems[f"post_to_{destination}"] = f"Cannot schedule {label}: {errors[0]}"
    if problems:
        raise ValidationError(problems, code="destination_refused")


def _check_banner_dates(media: MediaContent, when: datetime.datetime) -> None:
    if not (media.post_to_banner and media.banner_end_date):
        return
    start = timing.local_date(when, media.organization)
    if media.banner_end_date < start:
        raise ValidationError(
            {
                "banner_end_date": "The banner's last day cannot be before its first day, "
                f"{start:%B} {start.day}, {start.year}."
            }
        )


def wake_dispatcher_if_soon(*, when: datetime.datetime) -> None:
    """After the commit, wake the dispatcher at ``when`` if beat's next sweep would be late.

    Each sweep wakes the dispatcher at the next posting time it sees within beat's
    interval; a post made due sooner than that, after the last sweep looked, was
    not there to be seen. Duplicates cost a sweep that finds nothing.
    """
    now = timezone.now()
    ahead = periodic.dispatcher_interval()
    if now < when <= now + ahead:
        broker.send_on_commit(broker.DISPATCH_DUE_POSTS, eta=when, expires=when + ahead)


# --- Making posts -----------------------------------------------------------------


def _add_posts(
    *, media: MediaContent, destinations: list[str], when: datetime.datetime
) -> list[ScheduledPost]:
    """Pending posts at ``when`` for ``destinations``, after their checks; due ones are sent.

    The title is copied onto each post so that history outlives the item.
    """
    refuse_destinations_with_errors(media=media, destinations=destinations)
    created = [
        ScheduledPost.objects.create(
            organization_id=media.organization_id,
            media_content=media,
            title=media.title,
            destination=destination,
            scheduled_time=when,
        )
        for destination in destinations
    ]
    if created and when <= timezone.now():
        send_due_posts([post.pk for post in created])
    elif created:
        wake_dispatcher_if_soon(when=when)
    return created


def _destinations_with(media: MediaContent, statuses) -> set[str]:
    return set(media.posts.filter(status__in=statuses).values_list("destination", flat=True))


@transaction.atomic
def media_schedule(
    *, media: MediaContent, when: datetime.datetime, destinations: list[str] | None = None
) -> list[ScheduledPost]:
    """Add posts at ``when`` for the item's chosen destinations (or ``destinations``).

    Destinations that already have a live post keep it; nothing is cancelled.
    """
    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    live = _destinations_with(media, ScheduledPost.LIVE_STATUSES)
    wanted = media.destinations if destinations is None else destinations
    created = _add_posts(media=media, destinations=[d for d in wanted if d not in live], when=when)
    if created:
        media.scheduled_post_time = when
        media.status = MediaContent.Status.SCHEDULED
        media.save(update_fields=["scheduled_post_time", "status", "updated_at"])
    return created


def media_publish_now(*, media: MediaContent) -> list[ScheduledPost]:
    """One pending post per chosen destination that has no live post yet, due now."""
    return media_schedule(media=media, when=timezone.now())


@transaction.atomic
def media_reschedule(*, media: MediaContent, when: datetime.datetime) -> list[ScheduledPost]:
    """Make the item's posts match its chosen destinations at ``when`` (aware).

    - a destination no longer chosen: its unstarted post is cancelled;
    - a chosen destination whose unstarted post has another time: that post is
      cancelled and a new one made at ``when`` (a new row, so a message already
      sent for the old one publishes nothing early);
    - a chosen destination with no live post and nothing posted yet: a new post;
    - posts being published, unconfirmed or posted are left alone.

    Answers the posts created.
    """
    media = MediaContent.objects.select_for_update().select_related("organization").get(pk=media.pk)
    _check_banner_dates(media, when)
    wanted = set(media.destinations)
    posts = media.posts.all()
    cancel_pending_posts(posts=posts.exclude(destination__in=wanted))
    cancel_pending_posts(posts=posts.filter(destination__in=wanted).exclude(scheduled_time=when))
    posts.filter(status__in=UNSTARTED).update(title=media.title, updated_at=timezone.now())
    keep = _destinations_with(media, [*ScheduledPost.LIVE_STATUSES, Status.POSTED])
    created = _add_posts(
        media=media, destinations=[d for d in media.destinations if d not in keep], when=when
    )
    media.scheduled_post_time = when
    if posts.filter(status__in=ScheduledPost.LIVE_STATUSES).exists():
        media.status = MediaContent.Status.SCHEDULED
    elif media.status == MediaContent.Status.SCHEDULED:
        media.status = MediaContent.Status.DRAFT
    media.save(update_fields=["scheduled_post_time", "status", "updated_at"])
    media_refresh_status(media=media)
    return created


# --- Cancelling -------------------------------------------------------------------


def cancel_pending_posts(*, posts: QuerySet[ScheduledPost], reason: str = "") -> int:
    """Cancel posts that nobody has started publishing; in-flight ones are left to finish.

    Queued posts are cancelled too: their message, when it arrives, finds a
    post that is neither pending nor queued and publishes nothing. ``reason``
    is shown in the history ("cancelled: vehicle sold").
    """
    reason_field = {"last_error": reason} if reason else {}
    return posts.filter(status__in=UNSTARTED).update(
        status=Status.CANCELLED, updated_at=timezone.now(), **reason_field
    )


@transaction.atomic
def posts_cancel_unstarted(*, posts: list[MediaContent], reason: str) -> int:
    """Cancel the unstarted deliveries of ``posts`` with ``reason``; a scheduled post left
    with nothing live is a draft again. Answers the number cancelled (a sold vehicle's)."""
    cancelled = cancel_pending_posts(
        posts=ScheduledPost.objects.filter(media_content__in=posts), reason=reason
    )
    for media in posts:
        media.refresh_from_db(fields=["status"])
        if media.status == MediaContent.Status.SCHEDULED and not media.posts.filter(
            status__in=ScheduledPost.LIVE_STATUSES
        ):
            MediaContent.objects.filter(pk=media.pk).update(
                status=MediaContent.Status.DRAFT, updated_at=timezone.now()
            )
        else:
            media_refresh_status(media=media)
    return cancelled


@transaction.atomic
def media_unschedule(*, media: MediaContent) -> int:
    """Cancel every post of the item that has not started; call before deleting the item.

    Posted, failed and cancelled rows stay as history: ``ScheduledPost.media_content``
    is SET_NULL, and the title and destination are on the row. Answers the
    number cancelled.
    """
    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    cancelled = cancel_pending_posts(posts=media.posts.all())
    if media.status == MediaContent.Status.SCHEDULED and not media.posts.filter(
        status__in=ScheduledPost.LIVE_STATUSES
    ):
        media.status = MediaContent.Status.DRAFT
        media.save(update_fields=["status", "updated_at"])
        media_refresh_status(media=media)
    return cancelled


# --- Retrying, archiving, the item's status ----------------------------------------


@transaction.atomic
def media_retry_failed(*, media: MediaContent) -> int:
    """Send again only the destinations that failed; those that posted are left alone.

    Refused (ValidationError, nothing changed) while a destination's checks still fail.
    """
    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    failed = media.posts.filter(status=Status.FAILED)
    live = media.posts.filter(status__in=ScheduledPost.LIVE_STATUSES).values("destination")
    retry = failed.exclude(destination__in=live)
    refuse_destinations_with_errors(
        media=media, destinations=sorted(set(retry.values_list("destination", flat=True)))
    )
    retry_ids = list(retry.values_list("pk", flat=True))
    # Compare-and-set: only rows still failed move back to pending.
    retried = ScheduledPost.objects.filter(pk__in=retry_ids, status=Status.FAILED).update(
        status=Status.PENDING, scheduled_time=timezone.now(), claimed_at=None
    )
    if retried:
        media.status = MediaContent.Status.SCHEDULED
        media.save(update_fields=["status", "updated_at"])
        send_due_posts(retry_ids)
    return retried


@transaction.atomic
def media_archive(*, media: MediaContent) -> None:
    """Hide an item from the active library and cancel what has not gone out yet."""
    cancel_pending_posts(posts=media.posts.all())
    MediaContent.objects.filter(pk=media.pk).update(
        status=MediaContent.Status.ARCHIVED, updated_at=timezone.now()
    )


def archive_old_posted_media(*, older_than: datetime.timedelta) -> int:
    """Archive posted items whose last post went out more than ``older_than`` ago.

    They leave the active library; nothing is deleted. Answers the number archived.
    """
    cutoff = timezone.now() - older_than
    last_posted = (
        ScheduledPost.objects.filter(media_content=OuterRef("pk"), status=Status.POSTED)
        .values("media_content")
        .annotate(last=Max("posted_at"))
        .values("last")
    )
    old_ids = (
        MediaContent.objects.filter(status=MediaContent.Status.POSTED)
        .annotate(last_posted=Subquery(last_posted))
        .filter(last_posted__lt=cutoff)
        .values("pk")
    )
    archived = MediaContent.objects.filter(
        pk__in=old_ids, status=MediaContent.Status.POSTED
    ).update(status=MediaContent.Status.ARCHIVED, updated_at=timezone.now())
    if archived:
        logger.info("Archived %s posted item(s) older than %s.", archived, older_than)
    return archived


def media_refresh_status(*, media: MediaContent) -> MediaContent.Status:
    """Derive the item's status from its posts: posted only when every destination posted."""
    if media.status in (MediaContent.Status.ARCHIVED, MediaContent.Status.DRAFT):
        return media.status
    latest: dict[str, str] = {}
    for destination, status in media.posts.order_by("created_at", "id").values_list(
        "destination", "status"
    ):
        if status != Status.CANCELLED:
            latest[destination] = status
    if not latest:
        return media.status
    statuses = set(latest.values())
    if Status.HELD in statuses:
        new_status = MediaContent.Status.WAITING
    elif statuses == {Status.POSTED}:
        new_status = MediaContent.Status.POSTED
    elif Status.FAILED in statuses and not statuses & set(ScheduledPost.LIVE_STATUSES):
        new_status = MediaContent.Status.FAILED
    else:
        new_status = MediaContent.Status.SCHEDULED
    if new_status != media.status:
        MediaContent.objects.filter(pk=media.pk).update(
            status=new_status, updated_at=timezone.now()
        )
        media.status = new_status
    return new_status
