"""Derived files kept beside the original, one ``Rendition`` row per (file, spec).

Specs: ``display`` (longest side 1280, for the library and the admin),
``instagram-pad`` and ``instagram-crop`` (the mechanical fix for Instagram:
a JPEG within 4:5..1.91:1, 320..1440 px wide, under 8 MB), and
``catalog-<px>`` (a vehicle photo's copy for the catalogs of Meta, Google and
TikTok: a JPEG at most ``<px>`` on its longest side, under 8 MB, no metadata;
``inventory/catalogs/copies.py`` asks for it). Each is a kind registered in
``rendition_kinds``: the display size and the catalog copy here, the
Instagram-ready copy by the posts (``media_content.instagram_copies``, which
knows when a post asks for it; the pixels are made here), as is the ribbon on a
post's cover (``media_content.ribbons``). This module knows no post.

Creation is race-free like Wagtail's: the file is written first, then the
row; if another worker's row won the unique constraint, our file is deleted
and theirs returned.
"""

import logging
import math
from fractions import Fraction

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from PIL import Image

from dealer_media import broker
from library.models import MediaFile, Rendition

from . import ProcessingFailed
from .limits import (
    IG_IMAGE_MAX_BYTES,
    IG_IMAGE_MAX_WIDTH,
    IG_IMAGE_MIN_WIDTH,
    IG_MAX_ASPECT,
    IG_MIN_ASPECT,
)
from .rendition_kinds import RenditionKind, kind_of_spec, register
from .storage import delete_files_on_commit, local_path
from .thumbnails import encode_jpeg, flatten_rgb, open_reduced

logger = logging.getLogger(__name__)

DISPLAY = "display"
CATALOG_PREFIX = "catalog-"
CATALOG_COPY_MAX_BYTES = 8 * 1024 * 1024
CATALOG_SIDES = range(500, 4097)  # the longest sides a catalog copy may be asked at
INSTAGRAM_PAD = "instagram-pad"
INSTAGRAM_CROP = "instagram-crop"
INSTAGRAM_SPECS = (INSTAGRAM_PAD, INSTAGRAM_CROP)
FIT_SPECS = {"pad": INSTAGRAM_PAD, "crop": INSTAGRAM_CROP}


def catalog_side(spec: str) -> int | None:
    """The longest side of a ``catalog-<px>`` spec, or None for any other spec."""
    if not spec.startswith(CATALOG_PREFIX) or not spec[len(CATALOG_PREFIX) :].isdigit():
        return None
    side = int(spec[len(CATALOG_PREFIX) :])
    return side if side in CATALOG_SIDES else None


def instagram_spec(fit: str) -> str:
    """The rendition spec of a fit: ``pad`` keeps the whole picture, ``crop`` fills the frame."""
    return FIT_SPECS[fit]


def instagram_copy_of(file: MediaFile, fit: str) -> Rendition | None:
    """The file's Instagram-ready copy of ``fit``, once the worker has made it (else None)."""
    return file.renditions.filter(spec=instagram_spec(fit)).first()


def nearest_allowed_aspect(aspect: float) -> Fraction:
    """The aspect the Instagram-ready copy of a picture of ``aspect`` has (4:5..1.91:1)."""
    return min(max(Fraction(aspect), IG_MIN_ASPECT), IG_MAX_ASPECT)


def _allowed_height(width: int, height: int) -> int:
    """The height nearest ``height`` that keeps width:height within 4:5..1.91:1 exactly."""
    lowest = math.ceil(width / IG_MAX_ASPECT)
    highest = math.floor(width / IG_MIN_ASPECT)
    return min(max(height, lowest), highest)


def instagram_ready(image: Image.Image, *, mode: str) -> Image.Image:
    """Pad (white bars) or crop (centre) to the nearest allowed aspect, then fit the width.

    Widths end within 320..1440 px (Instagram would rescale others anyway).
    """
    image = flatten_rgb(image)  # transparency onto white, as JPEG has none
    width, height = image.size
    if mode == "pad":
        if Fraction(width, height) < IG_MIN_ASPECT:  # too tall: widen with bars
            new_size = (math.ceil(height * IG_MIN_ASPECT), height)
        else:  # too wide (or fine): heighten with bars
            new_size = (width, _allowed_height(width, height))
        if new_size != (width, height):
            canvas = Image.new("RGB", new_size, "white")
            canvas.paste(image, ((new_size[0] - width) // 2, (new_size[1] - height) // 2))
            image = canvas
    else:
        if Fraction(width, height) > IG_MAX_ASPECT:  # too wide: cut the sides
            new_width = math.floor(height * IG_MAX_ASPECT)
            left = (width - new_width) // 2
            image = image.crop((left, 0, left + new_width, height))
        else:  # too tall (or fine): cut top and bottom
            new_height = _allowed_height(width, height)
            top = (height - new_height) // 2
            image = image.crop((0, top, width, top + new_height))
    width, height = image.size
    goal_width = min(max(width, IG_IMAGE_MIN_WIDTH), IG_IMAGE_MAX_WIDTH)
    goal_height = _allowed_height(goal_width, max(1, round(height * goal_width / width)))
    if (goal_width, goal_height) != (width, height):
        image = image.resize((goal_width, goal_height), Image.Resampling.LANCZOS)
    return image


def jpeg_under(image: Image.Image, *, limit: int, what: str = "The Instagram copy") -> bytes:
    """The best JPEG quality that stays under ``limit`` bytes (Instagram's 8 MB)."""
    for quality in (90, 85, 78, 70, 60):
        data = encode_jpeg(image, quality=quality)
        if len(data) <= limit:
            return data
    raise ProcessingFailed(f"{what} stays over 8 MB even at low quality.")  # Instagram's limit


def make_display(media: MediaFile, spec: str) -> tuple[bytes, tuple[int, int]]:
    """The JPEG at most 1280 px on its longest side the library and the admin show."""
    if spec != DISPLAY:
        raise ValueError(f"Unknown rendition spec {spec!r}")
    with local_path(media.file) as path:
        image = open_reduced(path, (1280, 1280))
        image.thumbnail((1280, 1280), Image.Resampling.LANCZOS)
        return encode_jpeg(image, quality=85), image.size


def make_catalog_copy(media: MediaFile, spec: str) -> tuple[bytes, tuple[int, int]]:
    """The catalogs' JPEG of a vehicle photo, at most ``catalog-<px>`` on its longest side."""
    side = catalog_side(spec)
    if side is None:
        raise ValueError(f"Unknown rendition spec {spec!r}")
    with local_path(media.file) as path:
        image = open_reduced(path, (side, side))
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        data = jpeg_under(image, limit=CATALOG_COPY_MAX_BYTES, what="The catalog copy")
        return data, image.size


def make_instagram_copy(media: MediaFile, spec: str) -> tuple[bytes, tuple[int, int]]:
    """The JPEG of the file padded or cropped (``spec``) to what Instagram takes, and its size."""
    if spec not in INSTAGRAM_SPECS:
        raise ValueError(f"Unknown rendition spec {spec!r}")
    with local_path(media.file) as path:
        image = open_reduced(path, (IG_IMAGE_MAX_WIDTH * 2, IG_IMAGE_MAX_WIDTH * 2))
        ready = instagram_ready(image, mode="pad" if spec == INSTAGRAM_PAD else "crop")
        return jpeg_under(ready, limit=IG_IMAGE_MAX_BYTES), ready.size


def _render(media: MediaFile, spec: str) -> tuple[bytes, tuple[int, int]]:
    if media.media_type != MediaFile.MediaType.IMAGE:
        raise ProcessingFailed("Only images have display and Instagram-ready copies.")
    kind = kind_of_spec(spec)
    if kind is None:
        raise ValueError(f"Unknown rendition spec {spec!r}")
    return kind.make(media, spec)


def save_rendition(*, media: MediaFile, spec: str, data: bytes, size: tuple[int, int]) -> Rendition:
    """Store ``data`` as the (media, spec) rendition unless one exists already."""
    rendition = Rendition(media=media, spec=spec, width=size[0], height=size[1])
    rendition.size_bytes = len(data)
    rendition.file.save("rendition.jpg", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            rendition.save()
    except IntegrityError:
        rendition.file.storage.delete(rendition.file.name)  # another worker's row won
        return Rendition.objects.get(media=media, spec=spec)
    return rendition


def rendition_get_or_create(*, media: MediaFile, spec: str) -> Rendition | None:
    """The (media, spec) rendition, made from the current file if missing.

    Answers None, keeping nothing, when the file changed while we rendered: it
    was deleted, got a new file, or its kind says the spec is no longer asked for
    (``RenditionKind.still_asked``: the dealer chose the other fit, a post now asks
    for another ribbon). The check runs under the file's row lock, as processing's
    final write and the posts' edits take it, so a copy of an old file or of an old
    choice is never kept.
    """
    existing = Rendition.objects.filter(media=media, spec=spec).first()
    if existing is not None:
        return existing
    kind = kind_of_spec(spec)
    if kind is not None and not kind.still_asked(media, spec):
        return None  # asked for before a change: what is asked for now has its own task
    source = media.file.name
    data, size = _render(media, spec)
    with transaction.atomic():
        current = MediaFile.objects.select_for_update().filter(pk=media.pk).first()
        if current is None or current.file.name != source:
            return None
        if kind is not None and not kind.still_asked(current, spec):
            return None
        return save_rendition(media=current, spec=spec, data=data, size=size)


def renditions_delete(*, media: MediaFile, specs: tuple[str, ...] | None = None) -> int:
    """Delete rows now and their files after the commit (the post_delete handler does that)."""
    queryset = Rendition.objects.filter(media=media)
    if specs is not None:
        queryset = queryset.filter(spec__in=specs)
    names = list(queryset.values_list("file", flat=True))
    count, _ = queryset.delete()
    delete_files_on_commit(names)  # the signal handler does it too; deleting twice is harmless
    return count


def request_rendition(*, file_id: int, spec: str) -> None:
    """Have the worker make the file's rendition, after the commit (``rendition_make``)."""
    broker.send_on_commit(broker.MAKE_RENDITION, file_id, spec)


register(RenditionKind(name="display", prefix=DISPLAY, make=make_display))
register(RenditionKind(name="catalog", prefix=CATALOG_PREFIX, make=make_catalog_copy))
