"""Posts of several library items: which items, in the dealer's order.

The post is its first item (the *lead*): its title, text, destinations, time and
``ScheduledPost`` rows, exactly as for a post of one item. Further items are
``MediaAttachment`` rows at positions 1, 2, ... So ``media.items()`` is the order
the dealer chose, and scheduling, publishing and history work unchanged.

When the dealer drags another item to the front, that item becomes the lead: the
post's fields move onto it, the old lead's unstarted posts are cancelled and the
new lead's are made (new rows, as a rescheduled time makes). A post that has gone
out, or is going out, keeps its items.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from dealer_media.tenancy.models import Organization

from . import lifecycle
from .models import MediaAttachment, MediaContent, ScheduledPost
from .processing.services import instagram_copy_follow_choice, ribbon_follow_choice

MAX_ITEMS = 10  # Instagram's carousel limit; Facebook's photo sets are kept to the same

POST_FIELDS = (
    "title",
    "description",
    "link_url",
    "post_to_facebook",
    "post_to_instagram",
    "post_to_banner",
    "scheduled_post_time",
    "banner_end_date",
    "ribbon_text",  # the ribbon is drawn on whichever item leads
)
STARTED = (
    ScheduledPost.Status.PUBLISHING,
    ScheduledPost.Status.UNCONFIRMED,
    ScheduledPost.Status.POSTED,
)


def _library_items(*, organization: Organization | int, item_ids: list[int]) -> list[MediaContent]:
    """The dealership's items in the order given; another dealership's id is "not found"."""
    if not item_ids:
        raise ValidationError({"items": "Choose at least one item of the library."})
    if len(set(item_ids)) != len(item_ids):
        raise ValidationError({"items": "An item can be in a post only once."})
    if len(item_ids) > MAX_ITEMS:
        raise ValidationError(
            {"items": f"A post has at most {MAX_ITEMS} items; this one has {len(item_ids)}."}
        )
    found = MediaContent.objects.for_org(organization).in_bulk(item_ids)
    missing = [str(pk) for pk in item_ids if pk not in found]
    if missing:
        raise ValidationError(
            {"items": f"Item {', '.join(missing)} is not in this dealership's library."}
        )
    return [found[pk] for pk in item_ids]


def _check_can_join(*, item: MediaContent, lead: MediaContent) -> None:
    if item.pk != lead.pk and item.attachments.exists():
        raise ValidationError(
            {"items": f"“{item.title}” is itself a post of several items; add its items instead."}
        )


def _move_post(*, old: MediaContent, new: MediaContent) -> None:
    """Make ``new`` the post: the post's fields and its unstarted posts move onto it."""
    if old.posts.filter(status__in=STARTED).exists():
        raise ValidationError(
            {"items": "This post has gone out (or is going out): its first item cannot change."}
        )
    if new.posts.filter(status__in=ScheduledPost.LIVE_STATUSES).exists():
        raise ValidationError(
            {"items": f"“{new.title}” has posts of its own scheduled; it cannot lead this post."}
        )
    was_scheduled = old.status == MediaContent.Status.SCHEDULED
    for name in POST_FIELDS:
        setattr(new, name, getattr(old, name))
    new.save(update_fields=[*POST_FIELDS, "updated_at"])
    old.post_to_facebook = old.post_to_instagram = old.post_to_banner = False
    old.ribbon_text = ""
    old.save(
        update_fields=["post_to_facebook", "post_to_instagram", "post_to_banner", "ribbon_text"]
    )
    ribbon_follow_choice(media=old)  # its ribbon pictures go
    lifecycle.media_unschedule(media=old)
    MediaContent.objects.filter(pk=old.pk, status=MediaContent.Status.SCHEDULED).update(
        status=MediaContent.Status.DRAFT
    )
    if was_scheduled:
        new.status = MediaContent.Status.SCHEDULED
        new.save(update_fields=["status", "updated_at"])


@transaction.atomic
def media_set_items(*, media: MediaContent, item_ids: list[int]) -> MediaContent:
    """Keep exactly the dealer's order of items for the post led by ``media``.

    ``item_ids`` is every item of the post, first first (``media`` itself among
    them unless it is removed). Answers the lead afterwards: the first item.
    Refused in words (ValidationError, nothing changed) for another dealership's
    item, too many items, or an order whose checks fail for a chosen destination.
    """
    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    items = _library_items(organization=media.organization_id, item_ids=item_ids)
    if items != media.items() and media.posts.filter(status__in=STARTED).exists():
        raise ValidationError(
            {"items": "This post has gone out (or is going out): its items stay as they were sent."}
        )
    for item in items:
        _check_can_join(item=item, lead=media)
    lead = items[0]
    moved = lead.pk != media.pk
    if moved:
        _move_post(old=media, new=lead)
        media.attachments.all().delete()
    lead.attachments.all().delete()
    MediaAttachment.objects.bulk_create(
        MediaAttachment(organization_id=lead.organization_id, media=lead, item=item, position=place)
        for place, item in enumerate(items[1:], start=1)
    )
    waiting = lead.posts.filter(status__in=lifecycle.UNSTARTED).values_list(
        "destination", flat=True
    )
    # A carousel's child gets its Instagram-ready copy like a single image does.
    for item in items:
        instagram_copy_follow_choice(media=item)
    ribbon_follow_choice(media=lead)  # drawn on the new lead
    # Posts not yet sent go out with the new order: it must pass their checks.
    lifecycle.refuse_destinations_with_errors(media=lead, destinations=sorted(set(waiting)))
    if moved and lead.status == MediaContent.Status.SCHEDULED and lead.scheduled_post_time:
        lifecycle.media_reschedule(media=lead, when=lead.scheduled_post_time)
    return lead


@transaction.atomic
def media_compose(
    *,
    organization: Organization,
    item_ids: list[int],
    title: str,
    description: str = "",
    link_url: str = "",
    destinations: list[str],
    when=None,
    banner_end_date=None,
    facebook_caption: str = "",
    instagram_caption: str = "",
    first_comment: str = "",
    alt_text: str = "",
    ribbon_text: str = "",
) -> MediaContent:
    """One post of several items, one ``ScheduledPost`` per destination.

    ``when`` None keeps it a draft; a time in the past or now posts at once. The
    per-network text, first comment and alt text are the post's, kept on the lead,
    and so is ``ribbon_text``, drawn by the worker on the lead's photo.
    """
    items = _library_items(organization=organization, item_ids=item_ids)
    lead = items[0]
    lead.title = title.strip() or lead.title  # no title typed: the first item's
    lead.description, lead.link_url = description, link_url
    lead.facebook_caption, lead.instagram_caption = facebook_caption, instagram_caption
    lead.first_comment, lead.alt_text = first_comment, alt_text
    lead.post_to_facebook = "facebook" in destinations
    lead.post_to_instagram = "instagram" in destinations
    lead.post_to_banner = "banner" in destinations
    lead.banner_end_date = banner_end_date
    lead.ribbon_text, lead.ribbon_error = " ".join(ribbon_text.split()), ""
    lead.full_clean(exclude=["file", "thumbnail"])
    lead.save()
    lead = media_set_items(media=lead, item_ids=item_ids)
    if when is not None and lead.destinations:
        lifecycle.media_schedule(media=lead, when=when)
    return lead
