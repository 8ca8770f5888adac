"""Processing a media item: what the Celery tasks and the admin call.

``request_processing(media=...)`` marks the item pending and enqueues
``process_media`` after the commit. ``media_process(media_id=...)`` does the
work: metadata, thumbnail (and display rendition for images), then writes
the outcome on the row, unless the file was replaced meanwhile (a newer task
owns it then). A file we cannot read raises ``ProcessingFailed``: the row
says "processing failed" with the reason, and the task does not retry.
"""

import datetime
import logging
from urllib.parse import urlparse

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from ..models import MediaContent
from . import ProcessingFailed, metadata, placeholder, thumbnails
from .renditions import DISPLAY, renditions_delete, save_rendition
from .storage import delete_files_on_commit, local_path

logger = logging.getLogger(__name__)

Status = MediaContent.ProcessingStatus

# Runs started for one file, counting Celery retries and redeliveries after a worker died
# (acks_late): past this the item is marked failed instead of trying again and again.
MAX_PROCESSING_ATTEMPTS = 6


def request_processing(*, media: MediaContent) -> None:
    """Mark the item pending and process it once this transaction has committed."""
    MediaContent.objects.filter(pk=media.pk).update(
        processing_status=Status.PENDING,
        processing_error="",
        processing_attempts=0,
        updated_at=timezone.now(),
    )
    media.processing_status, media.processing_error = Status.PENDING, ""
    media_id = media.pk
    transaction.on_commit(lambda: _send_processing_task(media_id))


def _send_processing_task(media_id: int) -> None:
    """A broker that is down is only logged: the stale-processing job sends it later."""
    from ..tasks import process_media

    try:
        process_media.delay(media_id)
    except (KombuOperationalError, OSError):
        logger.exception(
            "Could not send the processing task of media %s (is the broker down?); "
            "it is sent again within PROCESSING_STALE_SECONDS.",
            media_id,
        )


def requeue_stale_processing(*, older_than: datetime.timedelta) -> int:
    """Send again the items left waiting or half-processed: their message was lost.

    Each is claimed by a conditional UPDATE of ``updated_at``, so two sweeps
    never send one item twice; MAX_PROCESSING_ATTEMPTS bounds the restarts.
    Answers the number sent again.
    """
    cutoff = timezone.now() - older_than
    stale = MediaContent.objects.filter(
        processing_status__in=[Status.PENDING, Status.PROCESSING], updated_at__lt=cutoff
    )
    requeued = 0
    for media_id in list(stale.values_list("pk", flat=True)[:1000]):
        if stale.filter(pk=media_id).update(updated_at=timezone.now()):
            _send_processing_task(media_id)
            requeued += 1
    if requeued:
        logger.warning("%s media item(s) sent to processing again.", requeued)
    return requeued


def request_placeholder_refresh(*, media: MediaContent) -> bool:
    """After a title change: redraw the thumbnail if (and only if) it is the drawn title card."""
    from ..tasks import regenerate_video_thumbnail

    if media.media_type != MediaContent.MediaType.VIDEO or not media.thumbnail_is_placeholder:
        return False
    title, org_id, url = media.title, media.organization_id, media.thumbnail_url
    transaction.on_commit(lambda: regenerate_video_thumbnail.delay(title, org_id, url))
    return True


def media_mark_failed(*, media_id: int, reason: str) -> None:
    MediaContent.objects.filter(pk=media_id).update(
        processing_status=Status.FAILED,
        processing_error=reason[:2000],
        processed_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _new_thumbnail_name(media: MediaContent, data: bytes) -> str:
    """Save under a fresh random name (upload_to), so no cache shows the old picture."""
    field = MediaContent._meta.get_field("thumbnail")
    name = field.generate_filename(media, "thumbnail.jpg")
    return default_storage.save(name, ContentFile(data))


def media_process(*, media_id: int) -> MediaContent | None:
    media = MediaContent.objects.filter(pk=media_id).first()
    if media is None or not media.file:
        logger.info("Media %s is gone or has no file; nothing to process.", media_id)
        return None
    if media.processing_attempts >= MAX_PROCESSING_ATTEMPTS:
        media_mark_failed(
            media_id=media_id,
            reason=f"Processing was started {media.processing_attempts} times without finishing.",
        )
        return None
    MediaContent.objects.filter(pk=media_id).update(
        processing_status=Status.PROCESSING,
        processing_error="",
        processing_attempts=F("processing_attempts") + 1,
        updated_at=timezone.now(),
    )
    source_name = media.file.name
    display = None
    failure: ProcessingFailed | None = None
    fields: dict = {}
    is_placeholder = False
    with local_path(media.file) as path:
        size_bytes = media.size_bytes or media.file.size
        try:
            if media.media_type == MediaContent.MediaType.IMAGE:
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
            if media.media_type == MediaContent.MediaType.VIDEO:
                thumb, is_placeholder = placeholder.placeholder_jpeg(media.title), True

    new_thumb_name = _new_thumbnail_name(media, thumb) if thumb else ""
    with transaction.atomic():
        current = MediaContent.objects.select_for_update().filter(pk=media_id).first()
        if current is None or current.file.name != source_name:
            # Deleted, or a new file arrived: its own task will do the work.
            delete_files_on_commit([new_thumb_name])
            return current
        old_thumb = current.thumbnail.name
        update = {
            "size_bytes": size_bytes,
            "processed_at": timezone.now(),
            "updated_at": timezone.now(),
        }
        if new_thumb_name:
            update |= {"thumbnail": new_thumb_name, "thumbnail_is_placeholder": is_placeholder}
        if failure is not None:
            update |= {"processing_status": Status.FAILED, "processing_error": failure.message}
        else:
            update |= fields | {"processing_status": Status.READY, "processing_error": ""}
        MediaContent.objects.filter(pk=media_id).update(**update)
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
    candidates = MediaContent.objects.for_org(organization_id).filter(
        media_type=MediaContent.MediaType.VIDEO,
        thumbnail_is_placeholder=True,
        thumbnail__endswith=basename,
    )
    media = next((m for m in candidates if _thumbnail_path(m.thumbnail_url) == path), None)
    if media is None:
        return False
    new_name = _new_thumbnail_name(media, placeholder.placeholder_jpeg(title))
    with transaction.atomic():
        changed = MediaContent.objects.filter(
            pk=media.pk, thumbnail=media.thumbnail.name, thumbnail_is_placeholder=True
        ).update(thumbnail=new_name, updated_at=timezone.now())
        delete_files_on_commit([media.thumbnail.name] if changed else [new_name])
    return bool(changed)


def request_instagram_copy(*, media: MediaContent, mode: str = "pad") -> str:
    """Ask for the Instagram-ready JPEG (``pad`` keeps everything, ``crop`` fills the frame).

    Made by a task after the commit; returns the rendition spec to look for.
    """
    from ..tasks import make_rendition
    from .renditions import INSTAGRAM_CROP, INSTAGRAM_PAD

    if media.media_type != MediaContent.MediaType.IMAGE:
        raise ProcessingFailed("Only images have an Instagram-ready copy.")
    spec = {"pad": INSTAGRAM_PAD, "crop": INSTAGRAM_CROP}[mode]
    media_id = media.pk
    transaction.on_commit(lambda: make_rendition.delay(media_id, spec))
    return spec
