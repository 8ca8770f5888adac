"""A vehicle's Reel: asked for in the portal, made in the worker, kept in the library.

``reel_request`` checks there is something to show, writes the ``VehicleReel``
row (one being made per vehicle: the database refuses a second) and sends the
task after the commit. ``reel_build`` claims the row, writes the video
(reel_video.py) into a temporary directory, and adds it to the library through
``media_create`` like an upload (checked by content, stored as MP4, then
processed: thumbnail, duration, codecs). The row ends ready with its item, or
failed with the reason in words.
"""

import datetime
import logging
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from dealer_media import broker
from library.models import MediaFile
from library.processing import ProcessingFailed
from library.processing.storage import local_path
from library.validation import MediaRejected, sniff
from media_content.items import post_create
from media_content.models import MediaContent
from media_content.services import DuplicateMedia, MediaDetails, media_create

from .captions import money
from .models import Vehicle, VehiclePhoto, VehicleReel

if TYPE_CHECKING:
    from .reel_video import ReelText

logger = logging.getLogger(__name__)

# A Reel takes a minute or two; one "being made" for longer than this lost its worker.
STALE_AFTER = datetime.timedelta(minutes=30)


class ReelRefused(Exception):
    """Why no Reel is started, in words, with the HTTP status the portal answers."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.message, self.status = message, status


def reel_photos(*, vehicle: Vehicle) -> list[MediaFile]:
    """The vehicle's photos in the file library, in the feed's order, each file once."""
    photos = (
        VehiclePhoto.objects.filter(vehicle=vehicle, file__media_type=MediaFile.MediaType.IMAGE)
        .exclude(file__processing_status=MediaFile.ProcessingStatus.FAILED)
        .select_related("file")
        .order_by("position")
    )
    items: dict[int, MediaFile] = {}
    for photo in photos:
        items.setdefault(photo.file_id, photo.file)
    return list(items.values())


def _give_up_stale(*, vehicle: Vehicle) -> None:
    """A Reel "being made" far longer than any takes: its worker died; say so and move on."""
    VehicleReel.objects.filter(
        vehicle=vehicle,
        status=VehicleReel.Status.BUILDING,
        created_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        status=VehicleReel.Status.FAILED,
        error="The worker stopped before the Reel was finished. Make it again.",
        finished_at=timezone.now(),
    )


def reel_request(*, vehicle: Vehicle, requested_by=None) -> VehicleReel:
    """Start making the vehicle's Reel; raises ReelRefused (400 or 409) in words."""
    if vehicle.availability == Vehicle.Availability.SOLD:
        raise ReelRefused(
            "This vehicle has sold: a Reel would advertise a car you no longer have.", status=400
        )
    if not reel_photos(vehicle=vehicle):
        raise ReelRefused("This vehicle has no photos in the library yet.", status=400)
    with transaction.atomic():
        _give_up_stale(vehicle=vehicle)
        try:
            with transaction.atomic():
                reel = VehicleReel.objects.create(
                    organization_id=vehicle.organization_id,
                    vehicle=vehicle,
                    requested_by=requested_by,
                )
        except IntegrityError as error:
            raise ReelRefused(
                "A Reel of this vehicle is being made already; it shows here when it is done.",
                status=409,
            ) from error
        reel_id = reel.pk
        broker.send_on_commit(broker.MAKE_VEHICLE_REEL, reel_id)
    return reel


def reel_text(vehicle: Vehicle) -> "ReelText":
    from .reel_video import ReelText

    return ReelText(
        heading=f"{vehicle.year} {vehicle.make} {vehicle.model}",
        trim=vehicle.trim,
        price=money(vehicle.asking_price, vehicle.currency),
        dealership=vehicle.organization.name,
        url=vehicle.url,
    )


def _claim(reel_id: int) -> bool:
    """Ours if it is being made and no live worker has it (a redelivery after a crash may)."""
    now = timezone.now()
    return bool(
        VehicleReel.objects.filter(pk=reel_id, status=VehicleReel.Status.BUILDING)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - STALE_AFTER))
        .update(started_at=now)
    )


def _finish(reel: VehicleReel, **fields) -> None:
    fields["finished_at"] = timezone.now()
    VehicleReel.objects.filter(pk=reel.pk).update(**fields)
    for name, value in fields.items():
        setattr(reel, name, value)


def _make(reel: VehicleReel) -> tuple[MediaContent, list[int], int]:
    # numpy and moviepy in the worker only: every web process would carry them (about 10 MB).
    from .reel_video import MAX_PHOTOS, write_reel

    vehicle = reel.vehicle
    photos = reel_photos(vehicle=vehicle)[:MAX_PHOTOS]
    if not photos:
        raise ReelRefused("The vehicle's photos are no longer in the library.", status=400)
    name = slugify(f"{vehicle.year} {vehicle.make} {vehicle.model}")[:80] or "vehicle"
    with ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="vehicle-reel-"))
        paths = [stack.enter_context(local_path(item.file)) for item in photos]
        out = os.path.join(workdir, "reel.mp4")
        plan = write_reel(photos=paths, text=reel_text(vehicle), out_path=out)
        title = f"{vehicle.year} {vehicle.make} {vehicle.model} – Reel"
        try:
            media = media_create(
                organization=vehicle.organization,
                created_by=reel.requested_by,
                path=out,
                original_filename=f"{name}-reel.mp4",
                details=MediaDetails(
                    title=title,
                    link_url=vehicle.url,
                    facebook_video_format=MediaContent.FacebookVideoFormat.REEL,
                ),
                sniffed=sniff(Path(out)),
                source=MediaFile.Source.REEL,
                vehicle=vehicle,
            )
        except DuplicateMedia as duplicate:  # the same photos and text gave the same bytes
            media = post_create(
                organization=vehicle.organization,
                files=[duplicate.existing],
                created_by=reel.requested_by,
                title=title,
                link_url=vehicle.url,
                facebook_video_format=MediaContent.FacebookVideoFormat.REEL,
            )
    return media, [item.pk for item in photos[: plan.photo_count]], plan.seconds


def reel_build(*, reel_id: int) -> VehicleReel | None:
    """Make the Reel if this worker wins its claim; the row says how it went."""
    if not _claim(reel_id):
        logger.info("Reel %s is gone, done, or being made by another worker.", reel_id)
        return None
    reel = VehicleReel.objects.select_related(
        "vehicle", "vehicle__organization", "requested_by"
    ).get(pk=reel_id)
    try:
        media, photo_ids, seconds = _make(reel)
    except (ReelRefused, ProcessingFailed, MediaRejected) as error:
        _finish(reel, status=VehicleReel.Status.FAILED, error=error.message)
        return reel
    except Exception as error:  # recorded on the row; a retry would most likely fail the same
        logger.exception("Reel %s failed", reel_id)
        why = f"The Reel could not be made ({error.__class__.__name__}: {error})"[:2000]
        _finish(reel, status=VehicleReel.Status.FAILED, error=why)
        return reel
    _finish(
        reel,
        status=VehicleReel.Status.DONE,
        media_content=media,
        photo_ids=photo_ids,
        seconds=seconds,
        error="",
    )
    return reel
