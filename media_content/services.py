"""What staff and dealers do to media items: publish now, retry, archive.

Views, admin actions and tasks all call these; they never change the rows
themselves. Publishing tasks are enqueued only after the transaction commits.
"""

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import MediaContent, ScheduledPost


def _enqueue_publishing(post_ids: list[int]) -> None:
    """Send the publishing tasks after the commit; a broker that is down is only logged.

    The posts are committed as pending and due, so the dispatcher's next sweep
    sends them when the broker is back: the dealer never sees a broker error.
    """
    from .dispatch import send_publishing_tasks

    ids = list(post_ids)
    if ids:
        transaction.on_commit(lambda: send_publishing_tasks(ids))


def media_publish_now(*, media: MediaContent) -> list[ScheduledPost]:
    """One pending post per chosen destination that has no live post yet, due now."""
    return media_schedule(media=media, when=timezone.now())


def new_posts(
    *, media: MediaContent, destinations: list[str], when: datetime.datetime
) -> list[ScheduledPost]:
    """Pending posts of ``media`` at ``when``; the title is copied so history outlives the item."""
    return [
        ScheduledPost.objects.create(
            organization_id=media.organization_id,
            media_content=media,
            title=media.title,
            destination=destination,
            scheduled_time=when,
        )
        for destination in destinations
    ]


@transaction.atomic
def media_schedule(
    *, media: MediaContent, when: datetime.datetime, destinations: list[str] | None = None
) -> list[ScheduledPost]:
    """Schedule the item's chosen destinations (or ``destinations``) at ``when``.

    Destinations that already have a live post keep it. Posts due now are
    enqueued after the commit; later ones wait for the dispatcher.
    """
    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    live = set(
        media.posts.filter(status__in=ScheduledPost.LIVE_STATUSES).values_list(
            "destination", flat=True
        )
    )
    wanted = media.destinations if destinations is None else destinations
    created = new_posts(media=media, destinations=[d for d in wanted if d not in live], when=when)
    if created:
        media.scheduled_post_time = when
        media.status = MediaContent.Status.SCHEDULED
        media.save(update_fields=["scheduled_post_time", "status", "updated_at"])
        if when <= timezone.now():
            _enqueue_publishing([post.pk for post in created])
    return created


@transaction.atomic
def media_retry_failed(*, media: MediaContent) -> int:
    """Send again only the destinations that failed; those that posted are left alone."""
    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    failed = media.posts.filter(status=ScheduledPost.Status.FAILED)
    live = media.posts.filter(status__in=ScheduledPost.LIVE_STATUSES).values("destination")
    retry_ids = list(failed.exclude(destination__in=live).values_list("pk", flat=True))
    # Compare-and-set: only rows still failed move back to pending.
    retried = ScheduledPost.objects.filter(
        pk__in=retry_ids, status=ScheduledPost.Status.FAILED
    ).update(status=ScheduledPost.Status.PENDING, scheduled_time=timezone.now(), claimed_at=None)
    if retried:
        media.status = MediaContent.Status.SCHEDULED
        media.save(update_fields=["status", "updated_at"])
        _enqueue_publishing(retry_ids)
    return retried


@transaction.atomic
def media_archive(*, media: MediaContent) -> None:
    """Hide an item from the active library and cancel what has not gone out yet."""
    cancel_pending_posts(posts=media.posts.all())
    MediaContent.objects.filter(pk=media.pk).update(
        status=MediaContent.Status.ARCHIVED, updated_at=timezone.now()
    )


def cancel_pending_posts(*, posts: QuerySet[ScheduledPost]) -> int:
    """Cancel posts that nobody has started publishing; in-flight ones are left to finish.

    Queued posts are cancelled too: their message, when it arrives, finds a
    post that is neither pending nor queued and publishes nothing.
    """
    return posts.filter(
        status__in=[ScheduledPost.Status.PENDING, ScheduledPost.Status.QUEUED]
    ).update(status=ScheduledPost.Status.CANCELLED, updated_at=timezone.now())


def media_refresh_status(*, media: MediaContent) -> MediaContent.Status:
    """Derive the item's status from its posts: posted only when every destination posted."""
    if media.status in (MediaContent.Status.ARCHIVED, MediaContent.Status.DRAFT):
        return media.status
    latest: dict[str, str] = {}
    for destination, status in media.posts.order_by("created_at", "id").values_list(
        "destination", "status"
    ):
        if status != ScheduledPost.Status.CANCELLED:
            latest[destination] = status
    if not latest:
        return media.status
    statuses = set(latest.values())
    if statuses == {ScheduledPost.Status.POSTED}:
        new_status = MediaContent.Status.POSTED
    elif ScheduledPost.Status.FAILED in statuses and not statuses & set(
        ScheduledPost.LIVE_STATUSES
    ):
        new_status = MediaContent.Status.FAILED
    else:
        new_status = MediaContent.Status.SCHEDULED
    if new_status != media.status:
        MediaContent.objects.filter(pk=media.pk).update(
            status=new_status, updated_at=timezone.now()
        )
        media.status = new_status
    return new_status


# --- Portal edits ------------------------------------------------------------
# (The scheduling work may replace the destination handling with its
# reschedule/cancel services; views call only these two functions.)

EDITABLE_FIELDS = (
    "title",
    "description",
    "link_url",
    "post_to_facebook",
    "post_to_instagram",
    "post_to_banner",
)


@transaction.atomic
def media_update(
    *, media: MediaContent, when: datetime.datetime | None = None, **changes
) -> MediaContent:
    """Save a dealer's edit; a scheduled item's posts follow its destinations and time.

    ``when`` moves a scheduled item to a new time. Destinations taken away lose
    their unstarted post; added ones get a post at the item's time (at once if
    that time has passed). A drawn title card is redrawn when the title changes.
    """
    from .processing.services import request_placeholder_refresh
    from .scheduling import media_reschedule

    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(sorted(unknown))}")
    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    old_title = media.title
    for name, value in changes.items():
        setattr(media, name, value)
    media.full_clean(exclude=["file", "thumbnail"])
    media.save()
    if media.status == MediaContent.Status.SCHEDULED and (when or media.scheduled_post_time):
        media_reschedule(media=media, when=when or media.scheduled_post_time)
    else:
        live = media.posts.filter(status__in=ScheduledPost.LIVE_STATUSES)
        cancel_pending_posts(posts=live.exclude(destination__in=media.destinations))
        live.filter(status=ScheduledPost.Status.PENDING).update(title=media.title)
    if media.title != old_title:
        request_placeholder_refresh(media=media)
    media_refresh_status(media=media)
    media.refresh_from_db()
    return media


@transaction.atomic
def media_delete(*, media: MediaContent) -> None:
    """Remove an item: pending posts are cancelled, history rows stay, files go after commit."""
    from banners.models import Banner

    cancel_pending_posts(posts=media.posts.all())
    names = {f.name for f in (media.file, media.thumbnail) if f}
    # A banner made from this item shares its files: those stay while it does.
    shared = Banner.objects.filter(Q(image__in=names) | Q(thumbnail__in=names))
    for banner in shared.only("image", "thumbnail"):
        names -= {banner.image.name, banner.thumbnail.name}
    storage = media.file.storage
    media.delete()
    for name in names:
        transaction.on_commit(lambda name=name: storage.delete(name))
