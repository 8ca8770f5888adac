"""A post's files: which files of the library, in the dealer's order.

A post (``MediaContent``) holds the text, destinations, time and deliveries; its
files are ``PostFile`` rows at positions 0, 1, 2, ... (0 is the cover). A file can
be in any number of posts: composing always makes a new post and never changes a
file or another post. A post that has gone out, or is going out, keeps its files.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from dealer_media.tenancy.models import Organization
from library.models import MediaFile

from . import lifecycle
from .models import POST_CHOICES, MediaContent, PostFile, ScheduledPost

MAX_ITEMS = 10  # Instagram's carousel limit; Facebook's photo sets are kept to the same

STARTED = (
    ScheduledPost.Status.PUBLISHING,
    ScheduledPost.Status.UNCONFIRMED,
    ScheduledPost.Status.POSTED,
)


def library_files(*, organization: Organization | int, file_ids: list[int]) -> list[MediaFile]:
    """The dealership's files in the order given; another dealership's id is "not found"."""
    if not file_ids:
        raise ValidationError({"items": "Choose at least one file of the library."})
    if len(set(file_ids)) != len(file_ids):
        raise ValidationError({"items": "A file can be in a post only once."})
    if len(file_ids) > MAX_ITEMS:
        raise ValidationError(
            {"items": f"A post has at most {MAX_ITEMS} items; this one has {len(file_ids)}."}
        )
    found = MediaFile.objects.for_org(organization).in_bulk(file_ids)
    missing = [str(pk) for pk in file_ids if pk not in found]
    if missing:
        raise ValidationError(
            {"items": f"File {', '.join(missing)} is not in this dealership's library."}
        )
    return [found[pk] for pk in file_ids]


def _write_files(*, post: MediaContent, files: list[MediaFile]) -> None:
    post.post_files.all().delete()
    PostFile.objects.bulk_create(
        PostFile(organization_id=post.organization_id, post=post, file=file, position=place)
        for place, file in enumerate(files)
    )
    post.forget_files()


@transaction.atomic
def post_set_files(*, post: MediaContent, file_ids: list[int]) -> MediaContent:
    """Keep exactly the dealer's order of files for ``post``, cover first.

    Refused in words (ValidationError, nothing changed) for another dealership's
    file, too many files, a post that has gone out, or an order whose checks
    fail for a destination still waiting to go out.
    """
    from .renditions_wanted import post_follow_choices

    post = MediaContent.objects.select_for_update().get(pk=post.pk)
    files = library_files(organization=post.organization_id, file_ids=file_ids)
    if files != post.items() and post.posts.filter(status__in=STARTED).exists():
        raise ValidationError(
            {"items": "This post has gone out (or is going out): its items stay as they were sent."}
        )
    _write_files(post=post, files=files)
    post_follow_choices(post=post)
    waiting = post.posts.filter(status__in=lifecycle.UNSTARTED).values_list(
        "destination", flat=True
    )
    lifecycle.refuse_destinations_with_errors(media=post, destinations=sorted(set(waiting)))
    return post


# The same, under the name callers that speak of items use.
media_set_items = post_set_files


def post_create(
    *,
    organization: Organization,
    files: list[MediaFile],
    created_by=None,
    **fields,
) -> MediaContent:
    """A new draft post of ``files`` (checked, saved, files in order); no delivery yet."""
    post = MediaContent(organization=organization, created_by=created_by, **fields)
    post.title = post.title or (files[0].title if files else "Untitled")
    post.full_clean()
    post.save()
    _write_files(post=post, files=files)
    return post


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
    created_by=None,
) -> MediaContent:
    """A NEW post of the library files ``item_ids``, one delivery per destination.

    ``when`` None keeps it a draft; a time in the past or now posts at once. The
    files are only read: their titles, and every other post, stay as they were.
    """
    from .renditions_wanted import post_follow_choices

    files = library_files(organization=organization, file_ids=item_ids)
    post = post_create(
        organization=organization,
        files=files,
        created_by=created_by,
        title=title.strip() or files[0].title,
        description=description,
        link_url=link_url,
        facebook_caption=facebook_caption,
        instagram_caption=instagram_caption,
        first_comment=first_comment,
        alt_text=alt_text,
        post_to_facebook="facebook" in destinations,
        post_to_instagram="instagram" in destinations,
        post_to_banner="banner" in destinations,
        banner_end_date=banner_end_date,
        ribbon_text=" ".join(ribbon_text.split()),
    )
    post_follow_choices(post=post)
    if when is not None and post.destinations:
        lifecycle.media_schedule(media=post, when=when)
    return post


@transaction.atomic
def post_duplicate(*, post: MediaContent, created_by=None) -> MediaContent:
    """A new draft with the same files and text, to post again (the original stays as sent)."""
    copy = post_create(
        organization=post.organization,
        files=post.files_in_order(),
        created_by=created_by,
        **{name: getattr(post, name) for name in POST_TEXT_FIELDS},
    )
    return copy


# A duplicate copies the post's choices and its ribbon.
POST_TEXT_FIELDS = (*POST_CHOICES, "ribbon_text")
