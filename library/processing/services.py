"""Processing a library file: what the Celery tasks and the admin call.

``request_processing(media=file)`` marks the file pending and enqueues
``process_media`` after the commit. ``media_process(media_id=...)`` claims the
file (``lease.py``: one worker at a time, a lease renewed while it works) and
does the work: metadata, thumbnail (and display rendition for images), then
writes the outcome on the row, unless the file was replaced or the claim lost
meanwhile (a newer task owns it then). A file we cannot read raises ``ProcessingFailed``: the row
says "processing failed" with the reason, and the task does not retry.
"""

import datetime
import logging
from urllib.parse import urlparse

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from dealer_media import broker
from library.duplicates import file_sha256
from library.models import MediaFile
from library.signals import file_changed

from . import ProcessingFailed, lease, metadata, placeholder, thumbnails
from .rendition_kinds import kind_of_spec
from .renditions import (
    DISPLAY,
    rendition_get_or_create,
    renditions_delete,
    save_rendition,
)
from .storage import delete_files_on_commit, local_path

logger = logging.getLogger(__name__)

Status = MediaFile.ProcessingStatus

# Runs started for one file, counting Celery retries and runs sent again after a worker
# died: past this the item is marked failed instead of trying again and again.
MAX_PROCESSING_ATTEMPTS = 6
# process_media's longest retry countdown (retry_backoff_max) and some slack: an item
# given back for a retry is not sent again by the sweep before its retry is due.
RETRY_WAIT = datetime.timedelta(seconds=300 + 60)


def request_processing(*, media: MediaFile) -> None:
    """Mark the file pending and process it once this transaction has committed.

    A worker still busy with a previous file loses its claim: its result is dropped.
    """
    now = timezone.now()
    MediaFile.objects.filter(pk=media.pk).update(
        processing_status=Status.PENDING,
        processing_error="",
        processing_attempts=0,
        processing_requested_at=now,
        processing_claimed_at=None,
        processing_lease_until=now + lease.send_grace(),
        instagram_copy_error="",
        updated_at=now,
    )
    media.processing_status, media.processing_error = Status.PENDING, ""
    media.instagram_copy_error = ""
    media_id = media.pk
    transaction.on_commit(lambda: lease.send_processing_task(media_id))


def requeue_stale_processing() -> int:
    """Send again the items whose worker died or whose message was lost (the periodic sweep)."""
    return lease.resend_overdue()


def request_placeholder_refresh(*, media: MediaFile, title: str | None = None) -> bool:
    """After a title change: redraw the thumbnail if (and only if) it is the drawn title card.

    The card shows ``title``: the file's own unless the caller names another (a
    post's cover shows the post's title).
    """
    if media.media_type != MediaFile.MediaType.VIDEO or not media.thumbnail_is_placeholder:
        return False
    title = media.title if title is None else title
    org_id, url = media.organization_id, media.thumbnail_url
    broker.send_on_commit(broker.REGENERATE_VIDEO_THUMBNAIL, title, org_id, url)
    return True


def _say_file_changed_on_commit(file_id: int, spec: str = "") -> None:
    """Once ready or failed is committed, whoever waits for the file hears it (``file_changed``).

    Pushed by this event, not found by a poll.
    """
    transaction.on_commit(
        lambda: file_changed.send_robust(sender=MediaFile, file_id=file_id, spec=spec),
        robust=True,
    )


def media_mark_failed(*, media_id: int, reason: str) -> None:
    MediaFile.objects.filter(pk=media_id).update(
        processing_status=Status.FAILED,
        processing_error=reason[:2000],
        processing_claimed_at=None,
        processing_lease_until=None,
        processed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    _say_file_changed_on_commit(media_id)


def _new_thumbnail_name(media: MediaFile, data: bytes) -> str:
    """Save under a fresh random name (upload_to), so no cache shows the old picture."""
    field = MediaFile._meta.get_field("thumbnail")
    name = field.generate_filename(media, "thumbnail.jpg")
    return default_storage.save(name, ContentFile(data))


def media_process(
    *, media_id: int, retry_wait: datetime.timedelta = RETRY_WAIT
) -> MediaFile | None:
    """Process the file if this worker wins its claim; a duplicate delivery does nothing.

    On an unexpected error the claim is given back (pending, for the task's retry
    due within ``retry_wait``) and the error raised.
    """
    claim = lease.claim(media_id=media_id)
    if claim is None:
        logger.info("Media %s is gone, done, or processed by another worker.", media_id)
        return None
    media = MediaFile.objects.get(pk=media_id)
    if not media.file:
        media_mark_failed(media_id=media_id, reason="The item has no file to process.")
        return None
    if media.processing_attempts > MAX_PROCESSING_ATTEMPTS:
        media_mark_failed(
            media_id=media_id,
            reason=f"Processing was started {media.processing_attempts - 1} times "
            "without finishing.",
        )
        return None
    try:
        with lease.LeaseKeeper(media_id=media_id, claim=claim):
            return _process_claimed(media, claim=claim)
    except ProcessingFailed:
        raise
    except Exception:
        lease.release_for_retry(media_id=media_id, claim=claim, wait=retry_wait)
        raise


def _process_claimed(media: MediaFile, *, claim: datetime.datetime) -> MediaFile | None:
    media_id = media.pk
    source_name = media.file.name
    display = None
    failure: ProcessingFailed | None = None
    fields: dict = {}
    is_placeholder = False
    with local_path(media.file) as path:
        size_bytes = media.size_bytes or media.file.size
        # Uploads leave the sha256 to us unless the duplicate check needed it.
        sha256 = media.sha256 or file_sha256(path)
        try:
            if media.media_type == MediaFile.MediaType.IMAGE:
                fields = metadata.image_metadata(path).as_fields()
                thumb, display = thumbnails.image_renditions(path)
            else:
                details, thumb, is_placeholder = thumbnails.video_thumbnail_and_metadata(
                    path, title=media.title
                )
                fields = details.as_fields()
        except ProcessingFailed as error:
            failure = error
            thumb, is_placeholder = None, False
            if media.media_type == MediaFile.MediaType.VIDEO:
                thumb, is_placeholder = placeholder.placeholder_jpeg(media.title), True

    new_thumb_name = _new_thumbnail_name(media, thumb) if thumb else ""
    with transaction.atomic():
        current = MediaFile.objects.select_for_update().filter(pk=media_id).first()
        if current is None or current.file.name != source_name or not lease.holds(current, claim):
            # Deleted, a new file arrived, or our lease ran out: another task does the work.
            delete_files_on_commit([new_thumb_name])
            return current
        old_thumb = current.thumbnail.name
        update = {
            "size_bytes": size_bytes,
            "sha256": sha256,
            "processed_at": timezone.now(),
            "updated_at": timezone.now(),
            "processing_claimed_at": None,
            "processing_lease_until": None,
        }
        if new_thumb_name:
            update |= {"thumbnail": new_thumb_name, "thumbnail_is_placeholder": is_placeholder}
        if failure is not None:
            update |= {"processing_status": Status.FAILED, "processing_error": failure.message}
        else:
            update |= fields | {"processing_status": Status.READY, "processing_error": ""}
        MediaFile.objects.filter(pk=media_id).update(**update)
        _say_file_changed_on_commit(media_id)
        if new_thumb_name and old_thumb and old_thumb != new_thumb_name:
            delete_files_on_commit([old_thumb])
        renditions_delete(media=current)  # made from the previous file, or stale
        current.refresh_from_db()
        if display is not None:
            data, size = display
            save_rendition(media=current, spec=DISPLAY, data=data, size=size)
    if failure is not None:
        raise failure
    return current


def _thumbnail_path(url: str) -> str:
    return urlparse(url).path


def placeholder_regenerate(*, title: str, organization_id: int, thumbnail_url: str) -> bool:
    """Draw the title card again for the video whose placeholder is at ``thumbnail_url``.

    A real video frame is never replaced: only rows still marked as
    placeholder, and still showing that very file, are changed.
    """
    path = _thumbnail_path(thumbnail_url)
    basename = path.rsplit("/", 1)[-1]
    if not basename:
        return False
    candidates = MediaFile.objects.for_org(organization_id).filter(
        media_type=MediaFile.MediaType.VIDEO,
        thumbnail_is_placeholder=True,
        thumbnail__endswith=basename,
    )
    media = next((m for m in candidates if _thumbnail_path(m.thumbnail_url) == path), None)
    if media is None:
        return False
    new_name = _new_thumbnail_name(media, placeholder.placeholder_jpeg(title))
    with transaction.atomic():
        changed = MediaFile.objects.filter(
            pk=media.pk, thumbnail=media.thumbnail.name, thumbnail_is_placeholder=True
        ).update(thumbnail=new_name, updated_at=timezone.now())
        delete_files_on_commit([media.thumbnail.name] if changed else [new_name])
    return bool(changed)


def rendition_make(*, media_id: int, spec: str) -> None:
    """The worker's part: make the file's rendition; one it cannot make is noted on the file
    (in its kind's error field), for the checks and the posts waiting for it."""
    media = MediaFile.objects.select_related("organization").filter(pk=media_id).first()
    if media is None:
        return
    try:
        made = rendition_get_or_create(media=media, spec=spec)
    except ProcessingFailed as error:
        logger.info("No %s rendition for file %s: %s", spec, media_id, error.message)
        kind = kind_of_spec(spec)
        field = kind.error_field if kind is not None else ""
        if field:
            MediaFile.objects.filter(pk=media_id, file=media.file.name).update(
                **{field: error.message[:2000]}, updated_at=timezone.now()
            )
            _say_file_changed_on_commit(media_id, spec)
        return
    if made is None:
        logger.info("File %s changed while its %s rendition was made; not kept.", media_id, spec)
        return
    _say_file_changed_on_commit(media_id, spec)
