"""What staff and dealers do to media items: create, edit, replace the file, delete.

Views, admin actions and tasks all call these; they never change the rows
themselves. What happens to the item's posts is ``lifecycle.py``.
"""

import dataclasses
import datetime
import os

from django.core.exceptions import ValidationError
from django.db import transaction

from library.validation import MediaRejected, sniff

from .duplicates import library_duplicate
from .lifecycle import (
    cancel_pending_posts,
    media_publish_now,
    media_refresh_status,
    media_reschedule,
)
from .models import POST_CHOICES, MediaContent, MediaFile, ScheduledPost

# --- Portal edits ------------------------------------------------------------

EDITABLE_FIELDS = POST_CHOICES


@transaction.atomic
def media_update(
    *, media: MediaContent, when: datetime.datetime | None = None, **changes
) -> MediaContent:
    """Save a dealer's edit; a scheduled item's posts follow its destinations and time.

    ``when`` moves a scheduled item to a new time. Destinations taken away lose
    their unstarted post; added ones get a post at the item's time (at once if
    that time has passed). A drawn title card is redrawn when the title changes.
    """
    from library.processing.services import request_placeholder_refresh

    from .renditions_wanted import post_follow_choices

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
    if media.title != old_title and media.lead_file is not None:
        request_placeholder_refresh(media=media.lead_file, title=media.title)
    post_follow_choices(post=media)  # the renditions the destinations and the fit now ask for
    media_refresh_status(media=media)
    media.refresh_from_db()
    return media


def ribbon_removable(*, media: MediaContent) -> bool:
    """A ribbon can come off until a post of it has started going out."""
    started = (
        ScheduledPost.Status.PUBLISHING,
        ScheduledPost.Status.UNCONFIRMED,
        ScheduledPost.Status.POSTED,
    )
    return bool(media.ribbon_text) and not media.posts.filter(status__in=started).exists()


@transaction.atomic
def media_remove_ribbon(*, media: MediaContent) -> MediaContent:
    """The post goes out with its cover photo as it is; refused once a post has gone out."""
    from .ribbons import ribbon_set

    media = MediaContent.objects.select_for_update().get(pk=media.pk)
    if not media.ribbon_text:
        raise ValidationError("This post has no ribbon to remove.")
    if not ribbon_removable(media=media):
        raise ValidationError(
            "This post has gone out (or is going out) with its ribbon; it stays as it was sent."
        )
    ribbon_set(media=media, text="")
    return media


@transaction.atomic
def media_delete(*, media: MediaContent) -> None:
    """Remove a post: unsent deliveries are cancelled, history rows stay.

    Its files that no other post uses go with it (files after the commit); files
    other posts carry stay in the library.
    """
    from library.services import file_remove

    cancel_pending_posts(posts=media.posts.all())
    files = media.files_in_order()
    media.delete()
    for file in files:
        if not file.post_files.exists():
            file_remove(file=file)


class DuplicateMedia(Exception):
    """The dealership already has a file with these bytes; ``existing`` is that file."""

    def __init__(self, existing: MediaFile):
        super().__init__(f"The library already has this file: “{existing.title}”.")
        self.existing = existing


@dataclasses.dataclass(frozen=True)
class MediaDetails:
    """What the dealer says about a new item: its text, destinations and when it goes out."""

    title: str = ""
    description: str = ""
    link_url: str = ""
    facebook_caption: str = ""
    instagram_caption: str = ""
    first_comment: str = ""
    alt_text: str = ""
    post_to_facebook: bool = False
    post_to_instagram: bool = False
    post_to_banner: bool = False
    instagram_fit: str = MediaContent.InstagramFit.PAD
    facebook_video_format: str = MediaContent.FacebookVideoFormat.AUTO
    schedule_mode: str = "draft"
    scheduled_at: datetime.datetime | None = None
    banner_end_date: datetime.date | None = None


def file_create(
    *,
    organization,
    created_by,
    path,
    original_filename: str,
    title: str = "",
    sha256: str = "",
    sniffed=None,
    allow_duplicate: bool = False,
    source: str = MediaFile.Source.UPLOAD,
    vehicle=None,
    process: bool = True,
) -> MediaFile:
    """Validate the file at ``path`` by content, store it and add it to the library.

    ``path`` is a local file, or a finished upload's ``MediaSource``; one that
    names an object already at its final key in storage (``stored_name``, S3
    multipart uploads) is adopted there, not copied.

    Raises ``validation.MediaRejected`` for a file we cannot use and
    ``DuplicateMedia`` when the dealership already has these bytes (unless
    ``allow_duplicate``). The bytes are copied into the default storage under a
    generated name (streamed: S3 gets a multipart upload); the stored file is
    removed again if the transaction fails. The sha256 is computed here only
    when the duplicate check needs it (``duplicates``); else the worker does.
    Processing is asked for after the commit.
    """
    from library.processing.services import request_processing

    sniffed = sniffed or sniff(path)
    if not allow_duplicate:
        size = path.size if hasattr(path, "size") else os.path.getsize(path)
        existing, sha256 = library_duplicate(
            organization=organization, source=path, size=size, sha256=sha256
        )
        if existing is not None:
            raise DuplicateMedia(existing)
    file = MediaFile(
        organization=organization,
        created_by=created_by,
        title=(title or original_filename or "Untitled")[:255],
        source=source,
        vehicle=vehicle,
    )
    copied = _store_file(
        media=file, path=path, sniffed=sniffed, sha256=sha256, name=original_filename
    )
    try:
        with transaction.atomic():
            file.save()
            if process:
                request_processing(media=file)  # thumbnails and metadata, after the commit
    except BaseException:
        if copied:  # an adopted object stays with its upload, for another try
            file.file.delete(save=False)
        raise
    return file


def media_create(
    *,
    organization,
    created_by,
    path,
    original_filename: str,
    details: MediaDetails,
    sha256: str = "",
    sniffed=None,
    allow_duplicate: bool = False,
    source: str = MediaFile.Source.UPLOAD,
    vehicle=None,
) -> MediaContent:
    """A new file in the library (``file_create``) and a post of it, as ``details`` say.

    The post is a draft, posted now or scheduled (``details.schedule_mode``); all
    of it is one transaction. ``schedule_mode="library"`` makes the file only,
    and answers it (a ``MediaFile``).
    """
    from library.processing.services import request_processing

    from .items import post_create
    from .renditions_wanted import post_follow_choices

    with transaction.atomic():
        file = file_create(
            organization=organization,
            created_by=created_by,
            path=path,
            original_filename=original_filename,
            title=details.title,
            sha256=sha256,
            sniffed=sniffed,
            allow_duplicate=allow_duplicate,
            source=source,
            vehicle=vehicle,
            process=False,
        )
        if details.schedule_mode == "library":
            request_processing(media=file)
            return file
        try:
            media = post_create(
                organization=organization,
                files=[file],
                created_by=created_by,
                title=file.title,
                description=details.description,
                link_url=details.link_url,
                facebook_caption=details.facebook_caption,
                instagram_caption=details.instagram_caption,
                first_comment=details.first_comment,
                alt_text=details.alt_text,
                post_to_facebook=details.post_to_facebook,
                post_to_instagram=details.post_to_instagram,
                post_to_banner=details.post_to_banner,
                instagram_fit=details.instagram_fit,
                facebook_video_format=details.facebook_video_format,
                banner_end_date=details.banner_end_date if details.post_to_banner else None,
            )
            if details.schedule_mode == "now":
                media_publish_now(media=media)
            elif details.schedule_mode == "scheduled" and details.scheduled_at is not None:
                media_reschedule(media=media, when=details.scheduled_at)
            post_follow_choices(post=media)
            request_processing(media=file)  # after the post's task: "Post now" waits for it
        except BaseException:
            file.file.delete(save=False)
            raise
    media.refresh_from_db()
    return media


def _store_file(*, media: MediaFile, path, sniffed, sha256: str, name: str) -> bool:
    """Copy the checked file into storage under a name and type of the detected format.

    False when the file was adopted where it lies (``stored_name``) rather than copied.
    """
    from django.core.files import File

    media.media_type = sniffed.media_type
    media.content_type = sniffed.content_type
    media.original_filename = (name or "")[:255]
    media.sha256 = sha256
    media.width, media.height = sniffed.width, sniffed.height
    stored_name = getattr(path, "stored_name", "")
    if stored_name:
        if not stored_name.endswith(f".{sniffed.extension}"):
            raise MediaRejected(
                "This file's first bytes and its content disagree about its type.",
                status=415,
                code="unsupported_type",
            )
        media.size_bytes = path.size
        media.file.name = stored_name
        return False
    media.size_bytes = os.path.getsize(path)
    with open(path, "rb") as source:
        # The name only carries the sniffed extension; upload_to generates the rest.
        media.file.save(f"upload.{sniffed.extension}", File(source), save=False)
    return True


def media_replace_file(
    *, media: MediaContent, path, original_filename: str, sniffed=None
) -> MediaContent:
    """Give an item a new file (the admin's file field): checked, stored and processed again.

    The old file goes after the commit unless a banner still shows it; the new
    one is removed again if saving the row fails.
    """
    from library.processing.services import request_processing

    post = media if isinstance(media, MediaContent) else None
    media = media.lead_file if post is not None else media
    sniffed = sniffed or sniff(path)
    old_name = media.file.name
    # The worker hashes the new file while processing it.
    _store_file(media=media, path=path, sniffed=sniffed, sha256="", name=original_filename)
    try:
        with transaction.atomic():
            media.save()
            request_processing(media=media)
    except BaseException:
        media.file.delete(save=False)
        raise
    if old_name and old_name != media.file.name:
        from library.processing.storage import delete_files_on_commit

        delete_files_on_commit([old_name])
    if post is not None:
        post.forget_files()
        return post
    return media
