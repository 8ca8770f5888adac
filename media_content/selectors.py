"""Reads for the portal: the library, one item's state, the posting history."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from dealer_media.tenancy.models import Organization
from dealer_media.validators import CONTROL_CHARACTERS

from .models import Destination, MediaContent, PostFile, ScheduledPost

# What a dealer sees per destination (the post states folded into fewer words).
POST_BADGE = {
    ScheduledPost.Status.HELD: "waiting",
    ScheduledPost.Status.PENDING: "scheduled",
    ScheduledPost.Status.QUEUED: "scheduled",
    ScheduledPost.Status.PUBLISHING: "scheduled",
    ScheduledPost.Status.POSTED: "posted",
    ScheduledPost.Status.FAILED: "failed",
    ScheduledPost.Status.UNCONFIRMED: "unconfirmed",
}
BADGE_LABELS = {
    "draft": "Draft",
    "waiting": "Waiting for approval",
    "scheduled": "Scheduled",
    "posted": "Posted",
    "failed": "Failed",
    "archived": "Archived",
    "unconfirmed": "Needs a check",
}


@dataclass(frozen=True)
class DestinationState:
    """One destination of one item: the badge, and why it failed when it did."""

    destination: str
    label: str
    status: str
    error: str = ""
    external_id: str = ""
    external_url: str = ""
    scheduled_time: datetime.datetime | None = None
    posted_at: datetime.datetime | None = None
    sandbox: bool = False
    check_url: str = ""  # for "Needs a check": where the dealer looks (their Page)
    first_comment: str = ""  # the first comment's own line ("First comment failed: ...")
    first_comment_status: str = ""
    # A scheduled post whose destination is not connected (or needs reconnecting): why.
    needs_connection: str = ""

    @property
    def status_label(self) -> str:
        return BADGE_LABELS.get(self.status, self.status.title())

    def as_json(self, tzinfo: datetime.tzinfo) -> dict:
        def local(value):
            return value.astimezone(tzinfo).isoformat() if value else None

        return {
            "label": self.label,
            "status": self.status,
            "error": self.error,
            "external_id": self.external_id,
            "external_url": self.external_url,
            "scheduled_time": local(self.scheduled_time),
            "posted_at": local(self.posted_at),
            "sandbox": self.sandbox,
            "check_url": self.check_url,
            "first_comment": self.first_comment,
            "first_comment_status": self.first_comment_status,
            "needs_connection": self.needs_connection,
        }


def _posts_oldest_first() -> Prefetch:
    return Prefetch(
        "posts",
        queryset=ScheduledPost.objects.order_by("created_at", "id"),
        to_attr="posts_in_order",
    )


def library_items(
    *,
    organization: Organization,
    query: str = "",
    media_type: str = "",
    status: str = "",
) -> QuerySet[MediaContent]:
    """The dealership's media library, newest first; archived items only when asked for.

    Posts come in one extra query for the whole page (``posts_in_order``), so a
    page costs the same number of queries however large the library is.
    """
    items = MediaContent.objects.for_org(organization)
    # Saved text holds no control characters, and PostgreSQL refuses a NUL in a query.
    query = CONTROL_CHARACTERS.sub("", query).strip()
    if query:
        items = items.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if media_type in MediaContent.MediaType.values:
        items = items.filter(post_files__position=0, post_files__file__media_type=media_type)
    if status in MediaContent.Status.values:
        items = items.filter(status=status)
    else:
        items = items.exclude(status=MediaContent.Status.ARCHIVED)
    return items.order_by("-created_at", "-id").prefetch_related(
        _posts_oldest_first(), _files_in_order()
    )


def _files_in_order() -> Prefetch:
    return Prefetch("post_files", queryset=PostFile.objects.select_related("file"))


def media_for_portal(*, organization: Organization, pk: int) -> MediaContent:
    """One item of the dealership, with its posts; another dealership's id is not found."""
    return (
        MediaContent.objects.for_org(organization)
        .prefetch_related(_posts_oldest_first(), _files_in_order())
        .get(pk=pk)
    )


def destination_states(
    *,
    media: MediaContent,
    profile_urls: dict[str, str] | None = None,
    blocked: dict[str, str] | None = None,
) -> list[DestinationState]:
    """The badge of each destination the item goes to, from its latest post there.

    A post that needs a check carries its reason and, from ``profile_urls``, the
    Page or profile where the dealer can see whether it went out. A scheduled post
    to a destination in ``blocked`` (not connected) carries that reason, so it is
    flagged before its time rather than failing at it.
    """
    shown = (ScheduledPost.Status.FAILED, ScheduledPost.Status.UNCONFIRMED)
    posts = getattr(media, "posts_in_order", None)
    if posts is None:
        posts = list(media.posts.order_by("created_at", "id"))
    latest: dict[str, ScheduledPost] = {}
    for post in posts:
        if post.status != ScheduledPost.Status.CANCELLED:
            latest[post.destination] = post
    states = []
    for destination in media.destinations:
        label = Destination(destination).label
        post = latest.get(destination)
        if media.status == MediaContent.Status.ARCHIVED:
            states.append(DestinationState(destination, label, "archived"))
        elif post is None:
            states.append(DestinationState(destination, label, "draft"))
        else:
            states.append(
                DestinationState(
                    destination,
                    label,
                    POST_BADGE[post.status],
                    error=post.last_error if post.status in shown else "",
                    external_id=post.external_id,
                    external_url=post.external_url,
                    scheduled_time=post.scheduled_time,
                    posted_at=post.posted_at,
                    sandbox=post.is_sandbox,
                    check_url=(profile_urls or {}).get(destination, "")
                    if post.status == ScheduledPost.Status.UNCONFIRMED
                    else "",
                    first_comment=post.first_comment_note,
                    first_comment_status=post.first_comment_status,
                    needs_connection=(blocked or {}).get(destination, "")
                    if POST_BADGE[post.status] == "scheduled"
                    else "",
                )
            )
    return states


def media_as_json(*, media: MediaContent) -> dict:
    """What the edit modal and scripts read about one item (times in the dealership's zone)."""
    from .post_checks import instagram_copy_summary
    from .ribbons import ribbon_summary

    tzinfo = media.organization.tzinfo
    scheduled = media.scheduled_post_time
    data = {
        "id": media.pk,
        "title": media.title,
        "description": media.description,
        "link_url": media.link_url,
        "facebook_caption": media.facebook_caption,
        "instagram_caption": media.instagram_caption,
        "first_comment": media.first_comment,
        "alt_text": media.alt_text,
        "post_to_facebook": media.post_to_facebook,
        "post_to_instagram": media.post_to_instagram,
        "post_to_banner": media.post_to_banner,
        "instagram_fit": media.instagram_fit,
        "facebook_video_format": media.facebook_video_format,
        "status": media.status,
        "media_type": media.media_type,
        "media_url": media.media_url,
        "thumbnail_url": media.thumbnail_url,
        "instagram_preview_url": instagram_preview_url(media=media),
        "scheduled_post_time": scheduled.astimezone(tzinfo).isoformat() if scheduled else None,
        "destinations": {
            state.destination: state.as_json(tzinfo) for state in destination_states(media=media)
        },
    }
    items = media.items()
    # The cover's processing (the seed's key, from before a post had several files).
    data["processing_status"] = items[0].processing_status if items else ""
    data["checks"] = media_destination_checks(media=media)
    data["instagram_copy"] = instagram_copy_summary(items[0]) if items else None
    data["ribbon"] = ribbon_summary(media)  # the cover's ribbon, once drawn: its picture
    # A post of several items: every item, first first (the first is this one).
    data["items"] = [
        {
            "id": item.pk,
            "file_id": item.pk,
            "position": position,
            "title": item.title,
            "media_type": item.media_type,
            "media_url": item.media_url,
            "thumbnail_url": item.thumbnail_url,
        }
        for position, item in enumerate(items)
    ]
    data["deliveries"] = deliveries_as_json(media=media, tzinfo=tzinfo)
    return data


def deliveries_as_json(*, media: MediaContent, tzinfo) -> list[dict]:
    """Each delivery of the post, newest first: where, when, how it went and what it sent."""
    return [
        {
            "id": post.pk,
            "destination": post.destination,
            "status": post.status,
            "scheduled_time": post.scheduled_time.astimezone(tzinfo).isoformat(),
            "sent_text": post.sent_text,
            "sent_file_urls": post.sent_file_urls,
            "external_url": post.external_url,
        }
        for post in media.posts.order_by("-scheduled_time", "-pk")
    ]


def instagram_preview_url(*, media: MediaContent) -> str:
    """What the Instagram preview shows: the Instagram-ready copy, the photo, or the Reel frame."""
    from .instagram_copies import instagram_copy

    if media.media_type == MediaContent.MediaType.VIDEO:
        return media.thumbnail_url
    copy = instagram_copy(media)
    return copy.file.url if copy is not None and copy.file else media.media_url


def media_destination_checks(*, media: MediaContent) -> dict[str, dict[str, list[str]]]:
    """Errors and warnings per destination, as plain data for pages and scheduling.

    ``{"facebook": {"errors": [...], "warnings": [...]}, "instagram": ..., "banner": ...}``;
    a destination with errors cannot be scheduled.
    """
    from .carousel_checks import post_destination_checks

    return post_destination_checks(media)


def history_posts(
    *, organization: Organization, destination: str = "", status: str = ""
) -> QuerySet[ScheduledPost]:
    """Every post of the dealership, the latest first (posted time, else scheduled time)."""
    posts = ScheduledPost.objects.for_org(organization).select_related("media_content")
    if destination in Destination.values:
        posts = posts.filter(destination=destination)
    if status in ScheduledPost.Status.values:
        posts = posts.filter(status=status)
    else:
        posts = posts.exclude(status=ScheduledPost.Status.CANCELLED)
    return posts.annotate(happened_at=Coalesce("posted_at", "scheduled_time")).order_by(
        "-happened_at", "-id"
    )


def posts_between(
    *, organization: Organization, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[ScheduledPost]:
    """Posts that go out (or went out) in ``[start, end)``, for the calendar."""
    return (
        ScheduledPost.objects.for_org(organization)
        .exclude(status=ScheduledPost.Status.CANCELLED)
        .annotate(happened_at=Coalesce("posted_at", "scheduled_time"))
        .filter(happened_at__gte=start, happened_at__lt=end)
        .select_related("media_content")
        .order_by("happened_at", "id")
    )


def posts_waiting_count(*, organization: Organization, destinations: list[str]) -> dict[str, int]:
    """Posts still to go out, per destination among ``destinations``."""
    if not destinations:
        return {}
    rows = (
        ScheduledPost.objects.for_org(organization)
        .filter(
            destination__in=destinations,
            status__in=[ScheduledPost.Status.PENDING, ScheduledPost.Status.QUEUED],
        )
        .values_list("destination", flat=True)
    )
    counts: dict[str, int] = {}
    for destination in rows:
        counts[destination] = counts.get(destination, 0) + 1
    return counts
