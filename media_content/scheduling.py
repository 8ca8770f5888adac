"""Keeping an item's posts in line with its destinations and time, when the dealer edits it.

The form and the portal call these after saving what the dealer chose
(``post_to_*``, ``banner_end_date``); times come from
``timing.local_schedule_time``. Every change is a compare-and-set on the
post's status, so a post a worker has started publishing is never changed
under it.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from . import timing
from .models import MediaContent, ScheduledPost
from .services import (
    _enqueue_publishing,
    cancel_pending_posts,
    media_refresh_status,
    new_posts,
    refuse_destinations_with_errors,
)

logger = logging.getLogger(__name__)

Status = ScheduledPost.Status
UNSTARTED = (Status.PENDING, Status.QUEUED)


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


@transaction.atomic
def media_reschedule(*, media: MediaContent, when: datetime.datetime) -> list[ScheduledPost]:
    """Make the item's posts match its chosen destinations at ``when`` (aware).

    - a destination no longer chosen: its unstarted post is cancelled;
    - a chosen destination whose unstarted post has another time: that post is
      cancelled and a new one made at ``when`` (a new row, so a message already
      sent for the old one publishes nothing early);
    - a chosen destination with no live post and nothing posted yet: a new post;
    - posts being published, unconfirmed or posted are left alone.

    Posts due now are sent after the commit; later ones wait for the dispatcher.
    Answers the posts created.
    """
    media = MediaContent.objects.select_for_update().select_related("organization").get(pk=media.pk)
    _check_banner_dates(media, when)
    wanted = set(media.destinations)
    posts = media.posts.all()
    cancel_pending_posts(posts=posts.exclude(destination__in=wanted))
    cancel_pending_posts(posts=posts.filter(destination__in=wanted).exclude(scheduled_time=when))
    posts.filter(status__in=UNSTARTED).update(title=media.title, updated_at=timezone.now())
    keep = set(
        posts.filter(status__in=[*ScheduledPost.LIVE_STATUSES, Status.POSTED]).values_list(
            "destination", flat=True
        )
    )
    missing = [d for d in media.destinations if d not in keep]
    refuse_destinations_with_errors(media=media, destinations=missing)
    created = new_posts(media=media, destinations=missing, when=when)
    media.scheduled_post_time = when
    if posts.filter(status__in=ScheduledPost.LIVE_STATUSES).exists():
        media.status = MediaContent.Status.SCHEDULED
    elif media.status == MediaContent.Status.SCHEDULED:
        media.status = MediaContent.Status.DRAFT
    media.save(update_fields=["scheduled_post_time", "status", "updated_at"])
    media_refresh_status(media=media)
    if created and when <= timezone.now():
        _enqueue_publishing([post.pk for post in created])
    return created


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


def archive_old_posted_media(*, older_than: datetime.timedelta) -> int:
    """Archive posted items whose last post went out more than ``older_than`` ago.

    The seed's "archived: old posts for cleanup": they leave the active
    library; nothing is deleted. Answers the number archived.
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
