"""Vehicles' photos fetched by the worker into the media library.

Downloads run a few at a time (``PHOTO_DOWNLOADS_AT_ONCE`` threads) through
fetching.py (the SSRF rules, timeouts, the image size limit) into temporary
files; the database work stays in the calling thread. Each file passes the
uploads' content check (``sniff``, images only); its sha256 finds an item the
dealership already has, or ``media_create`` adds one (stored, then processed
like any upload: thumbnails, metadata). The photo row links the vehicle to it.
"""

import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.utils import timezone

from library.duplicates import file_sha256
from library.models import MediaFile
from library.validation import MediaRejected, size_limit, sniff
from media_content.services import DuplicateMedia, file_create

from .catalogs.copies import copies_wanted, copy_request
from .fetching import FetchRefused, fetch, pool_manager
from .models import Vehicle, VehiclePhoto

# Photo downloads at a time per vehicle.
PHOTO_DOWNLOADS_AT_ONCE = 4

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def _download(url: str, manager) -> tuple[str | None, str]:
    """``(path of a temporary file, "")`` or ``(None, why not)``."""
    handle, path = tempfile.mkstemp(prefix="vehicle-photo-")
    try:
        with (
            os.fdopen(handle, "wb") as out,
            fetch(url, max_bytes=size_limit(MediaFile.MediaType.IMAGE), manager=manager) as fetched,
        ):
            for chunk in fetched.chunks():
                out.write(chunk)
    except FetchRefused as refused:
        os.unlink(path)
        return None, refused.message
    except Exception as error:  # a photo's failure is recorded; the others go on
        os.unlink(path)
        logger.warning("vehicle photo %s: %s", url, error)
        return None, f"It could not be downloaded ({error.__class__.__name__})."
    return path, ""


def photos_to_fetch(*, vehicle: Vehicle) -> list[VehiclePhoto]:
    """The feed's photos the vehicle does not have yet (rows made for new URLs)."""
    photos = {p.source_url: p for p in vehicle.photos.all()}
    wanted = []
    for position, url in enumerate(vehicle.image_urls):
        photo = photos.get(url)
        if photo is None:
            photo = VehiclePhoto.objects.create(
                organization_id=vehicle.organization_id,
                vehicle=vehicle,
                source_url=url,
                position=position,
            )
        elif photo.position != position:
            photo.position = position
            photo.save(update_fields=["position"])
        if photo.file_id is None and photo.attempts < MAX_ATTEMPTS:
            wanted.append(photo)
    gone = [p.pk for url, p in photos.items() if url not in vehicle.image_urls]
    VehiclePhoto.objects.filter(pk__in=gone).delete()  # the library files stay
    return wanted


def _into_library(*, vehicle: Vehicle, photo: VehiclePhoto, path: str) -> tuple[MediaFile, bool]:
    """The library file with these bytes (the dealership's own, or a new one) and if new.

    A file only: no post. The inventory's rules and the Post button make posts of it.
    """
    sniffed = sniff(Path(path), images_only=True)
    sha256 = file_sha256(path)  # a photo is small: its item has its sha256 at once
    name = unquote(Path(urlsplit(photo.source_url).path).name)[:200] or "photo"
    try:
        media = file_create(
            organization=vehicle.organization,
            created_by=None,
            path=path,
            original_filename=name,
            title=f"{vehicle.year} {vehicle.make} {vehicle.model} – photo {photo.position + 1}",
            sha256=sha256,
            sniffed=sniffed,
            source=MediaFile.Source.INVENTORY_PHOTO,
            vehicle=vehicle,
        )
    except DuplicateMedia as duplicate:  # the library has these bytes: link that file
        return duplicate.existing, False
    return media, True


def fetch_photos(*, vehicle: Vehicle) -> dict:
    """Fetch the vehicle's missing photos; returns counts of fetched, shared and failed."""
    wanted = photos_to_fetch(vehicle=vehicle)
    counts = {"fetched": 0, "shared": 0, "failed": 0}
    if not wanted:
        return counts
    copies = copies_wanted(organization_id=vehicle.organization_id)
    manager = pool_manager()
    with ThreadPoolExecutor(max_workers=PHOTO_DOWNLOADS_AT_ONCE) as pool:
        downloads = list(pool.map(lambda p: _download(p.source_url, manager), wanted))
    for photo, (path, why_not) in zip(wanted, downloads, strict=True):
        photo.attempts += 1
        photo.fetched_at = timezone.now()
        try:
            if path is None:
                raise MediaRejected(why_not)
            with transaction.atomic():
                media, new = _into_library(vehicle=vehicle, photo=photo, path=path)
                photo.file, photo.error = media, ""
                photo.save()
                if copies:  # the dealer's catalogs carry our copies: make this one's
                    copy_request(media_id=media.pk)
            counts["fetched" if new else "shared"] += 1
        except MediaRejected as rejected:
            photo.error = rejected.message
            photo.save(update_fields=["attempts", "fetched_at", "error"])
            counts["failed"] += 1
        finally:
            if path is not None:
                os.unlink(path)
    return counts
