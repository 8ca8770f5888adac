"""Approval's writes: deliveries held for an approver, released, cancelled, held again.

``approval.py`` decides (who may, when a post waits, the trail, the emails) and
calls these; ``lifecycle.py`` writes the rest of a post's life and
``delivery_lifecycle.py`` the engine's. A held delivery is never claimed, so
nothing waiting for an approver goes out. Each function runs inside the
caller's transaction, on the item it has locked.
"""

import datetime

from django.utils import timezone

from .lifecycle import cancel_pending_posts, refuse_destinations_with_errors
from .models import MediaContent, ScheduledPost

Status = ScheduledPost.Status


def _save_status(media: MediaContent, status: str, **fields) -> None:
    media.status = status
    for name, value in fields.items():
        setattr(media, name, value)
    media.save(update_fields=["status", *fields, "updated_at"])


def hold_deliveries(*, media: MediaContent, when: datetime.datetime) -> list[ScheduledPost]:
    """Held deliveries at ``when`` for the item's destinations, in place of its unstarted ones.

    Refused (ValidationError) while a destination's checks fail, so an approver
    is never asked about a post that cannot go out.
    """
    cancel_pending_posts(posts=media.posts.all())
    refuse_destinations_with_errors(media=media, destinations=media.destinations)
    return [
        ScheduledPost.objects.create(
            organization_id=media.organization_id,
            media_content=media,
            title=media.title,
            destination=destination,
            scheduled_time=when,
            status=Status.HELD,
        )
        for destination in media.destinations
    ]


def media_submit_for_approval(*, media: MediaContent, when: datetime.datetime | None) -> None:
    """The draft waits for an approver, its deliveries held at ``when`` (None: once approved)."""
    hold_deliveries(media=media, when=when or timezone.now())
    _save_status(media, MediaContent.Status.WAITING, scheduled_post_time=when)


def media_approve(*, media: MediaContent, when: datetime.datetime) -> list[int]:
    """Approved: the held deliveries become pending at ``when`` and the item is scheduled.

    Answers their ids, for the caller to send those already due.
    """
    ids = list(media.posts.filter(status=Status.HELD).values_list("pk", flat=True))
    # Compare-and-set: only rows still held move on.
    ScheduledPost.objects.filter(pk__in=ids, status=Status.HELD).update(
        status=Status.PENDING, scheduled_time=when, next_attempt_at=None, updated_at=timezone.now()
    )
    _save_status(media, MediaContent.Status.SCHEDULED, scheduled_post_time=when)
    return ids


def media_send_back(*, media: MediaContent) -> None:
    """Sent back by an approver: the held deliveries are cancelled, the item is a draft again."""
    media.posts.filter(status=Status.HELD).update(
        status=Status.CANCELLED, updated_at=timezone.now()
    )
    _save_status(media, MediaContent.Status.DRAFT)


def media_hold_again(*, media: MediaContent) -> bool:
    """Edited after approval by someone who may not approve: it waits for approval again.

    Its deliveries not started are held (a queued one's message finds it held
    and publishes nothing). False, nothing changed, when all have gone out.
    """
    unstarted = media.posts.filter(status__in=[Status.PENDING, Status.QUEUED], send_started_at=None)
    if not unstarted.update(status=Status.HELD, claimed_at=None, next_attempt_at=None):
        return False
    _save_status(media, MediaContent.Status.WAITING)
    return True
