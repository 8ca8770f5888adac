"""Our display copies of vehicle photos for the catalogs, when the dealer chooses them.

A copy is the photo's library item's ``catalog-2048`` rendition (``PHOTO_COPY``
in rules.py; made by media_content's rendition mechanism: one row per item and
spec, race-free), a JPEG within every catalog's limits and without EXIF or GPS.
The feed names it by a stable URL of ours, ``/catalog/<token>/photo/<id>.jpg``
(views.py streams the stored file with long cache headers), so neither a
presigned S3 URL nor a new file name ever reaches Meta, Google or TikTok.

Copies are asked for when a photo arrives in the library (photos.py), when the
dealer chooses copies, and whenever a feed or a photo URL finds one missing
(the feed then carries the feed's own photo URL: a missing copy never breaks it).
"""

import logging

from django.core.cache import cache

from dealer_media import broker
from library.models import MediaFile, Rendition
from library.processing import ProcessingFailed
from library.processing.renditions import rendition_get_or_create

from ..models import Vehicle, VehiclePhoto
from .models import CatalogFeed
from .rules import PHOTO_COPY

logger = logging.getLogger(__name__)
REQUEST_EVERY_SECONDS = 300  # at most one sweep of a dealership's photos asked for per 5 minutes


def copies_wanted(*, organization_id: int) -> bool:
    return CatalogFeed.objects.filter(
        organization_id=organization_id, photos=CatalogFeed.Photos.LIBRARY
    ).exists()


def copy_request(*, media_id: int) -> None:
    """Have the worker make one photo's copy, after the commit (made once: it is a rendition)."""
    broker.send_on_commit(broker.MAKE_RENDITION, media_id, PHOTO_COPY.spec)


def copies_request(*, organization_id: int) -> bool:
    """Have the worker make the dealership's missing copies, at most once per few minutes."""
    key = f"inventory:catalog-copies-asked:{organization_id}"
    if not cache.add(key, 1, REQUEST_EVERY_SECONDS):
        return False
    broker.send_on_commit(broker.MAKE_CATALOG_COPIES, organization_id)
    return True


def _missing_media(*, organization_id: int):
    """The library items of photos of vehicles in stock that have no copy yet."""
    photos = VehiclePhoto.objects.for_org(organization_id).filter(
        file__isnull=False, file__media_type=MediaFile.MediaType.IMAGE
    )
    photos = photos.exclude(vehicle__availability=Vehicle.Availability.SOLD)
    with_copy = Rendition.objects.filter(spec=PHOTO_COPY.spec).values("media_id")
    return (
        MediaFile.objects.filter(pk__in=photos.values("file_id"))
        .exclude(pk__in=with_copy)
        .order_by("pk")
    )


def copies_make(*, organization_id: int) -> dict:
    """The worker's part: make every missing copy of the dealership; a bad file is skipped."""
    counts = {"made": 0, "failed": 0}
    for media in _missing_media(organization_id=organization_id).iterator(chunk_size=100):
        try:
            made = rendition_get_or_create(media=media, spec=PHOTO_COPY.spec)
        except ProcessingFailed as failed:
            logger.info("No catalog copy of media %s: %s", media.pk, failed.message)
            counts["failed"] += 1
            continue
        counts["made" if made is not None else "failed"] += 1
    return counts


def photo_copy(*, photo: VehiclePhoto) -> Rendition | None:
    """The photo's stored copy, if made."""
    if photo.file_id is None:
        return None
    return Rendition.objects.filter(media_id=photo.file_id, spec=PHOTO_COPY.spec).first()
