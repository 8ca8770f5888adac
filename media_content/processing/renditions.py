"""Derived files kept beside the original, one ``Rendition`` row per (media, spec).

Specs: ``display`` (longest side 1280, for the library and the admin),
``instagram-pad`` and ``instagram-crop`` (the mechanical fix for Instagram:
a JPEG within 4:5..1.91:1, 320..1440 px wide, under 8 MB), and
``ribbon-<text>-<digest>`` (the post's cover with its ribbon, ``ribbons.py``), and
``catalog-<px>`` (a vehicle photo's copy for the catalogs of Meta, Google and
TikTok: a JPEG at most ``<px>`` on its longest side, under 8 MB, no metadata;
``inventory/catalogs/copies.py`` asks for it).

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

from library.models import MediaFile

from ..models import Rendition
from . import ProcessingFailed
from .limits import (
    IG_IMAGE_MAX_BYTES,
    IG_IMAGE_MAX_WIDTH,
    IG_IMAGE_MIN_WIDTH,
    IG_MAX_ASPECT,
    IG_MIN_ASPECT,
)
from .storage import delete_files_on_commit, local_path
from .thumbnails import encode_jpeg, flatten_rgb, open_reduced

logger = logging.getLogger(__name__)

DISPLAY = "display"
INSTAGRAM_PAD = "instagram-pad"
INSTAGRAM_CROP = "instagram-crop"
INSTAGRAM_SPECS = (INSTAGRAM_PAD, INSTAGRAM_CROP)
FIT_SPECS = {"pad": INSTAGRAM_PAD, "crop": INSTAGRAM_CROP}
CATALOG_PREFIX = "catalog-"
CATALOG_COPY_MAX_BYTES = 8 * 1024 * 1024
CATALOG_SIDES = range(500, 4097)  # the longest sides a catalog copy may be asked at


def catalog_side(spec: str) -> int | None:
    """The longest side of a ``catalog-<px>`` spec, or None for any other spec."""
    if not spec.startswith(CATALOG_PREFIX) or not spec[len(CATALOG_PREFIX) :].isdigit():
        return None
    side = int(spec[len(CATALOG_PREFIX) :])
    return side if side in CATALOG_SIDES else None


def the_file(media) -> MediaFile:
    """The file itself, a post item's file, or a post's first file."""
    if isinstance(media, MediaFile):
        return media
    item_file = getattr(media, "media_file", None)
    return item_file if item_file is not None else media.lead_file


def instagram_specs_asked_for(file: MediaFile) -> set[str]:
    """The Instagram copies (by fit) the posts still to go out with this file ask for."""
    from ..models import MediaContent

    fits = (
        MediaContent.objects.filter(post_files__file_id=file.pk)
        .exclude(status__in=[MediaContent.Status.POSTED, MediaContent.Status.ARCHIVED])
        .values_list("instagram_fit", flat=True)
    )
    return {instagram_spec(fit) for fit in fits}


def instagram_spec(fit: str) -> str:
    """The rendition spec of the dealer's fit (a post's ``instagram_fit``)."""
    return FIT_SPECS[fit]


def nearest_allowed_aspect(aspect: float) -> Fraction:
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


def _render(media: MediaFile, spec: str) -> tuple[bytes, tuple[int, int]]:
    if media.media_type != MediaFile.MediaType.IMAGE:
        raise ProcessingFailed("Only images have display and Instagram-ready copies.")
    from .ribbons import is_ribbon_spec, render_ribbon, ribbon_of_spec

    if is_ribbon_spec(spec):
        ribbon = ribbon_of_spec(media, spec)
        if ribbon is None:
            raise ProcessingFailed("No post asks for this ribbon any more.")
        return render_ribbon(media, ribbon)
    with local_path(media.file) as path:
        if spec == DISPLAY:
            image = open_reduced(path, (1280, 1280))
            image.thumbnail((1280, 1280), Image.Resampling.LANCZOS)
            return encode_jpeg(image, quality=85), image.size
        if side := catalog_side(spec):
            image = open_reduced(path, (side, side))
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
            data = jpeg_under(image, limit=CATALOG_COPY_MAX_BYTES, what="The catalog copy")
            return data, image.size
        if spec in INSTAGRAM_SPECS:
            image = open_reduced(path, (IG_IMAGE_MAX_WIDTH * 2, IG_IMAGE_MAX_WIDTH * 2))
            ready = instagram_ready(image, mode="pad" if spec == INSTAGRAM_PAD else "crop")
            return jpeg_under(ready, limit=IG_IMAGE_MAX_BYTES), ready.size
    raise ValueError(f"Unknown rendition spec {spec!r}")


def save_rendition(*, media: MediaFile, spec: str, data: bytes, size: tuple[int, int]) -> Rendition:
    """Store ``data`` as the (media, spec) rendition unless one exists already."""
    media = the_file(media)
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


def instagram_copy(media) -> Rendition | None:
    """The Instagram-ready JPEG of the post's fit, posted instead of the original.

    ``media`` is a post (its cover) or one of its items (``PostItem``): the file's
    renditions, the post's fit.
    """
    if media.media_type != MediaFile.MediaType.IMAGE:
        return None
    return the_file(media).renditions.filter(spec=instagram_spec(media.instagram_fit)).first()


def rendition_get_or_create(*, media: MediaFile, spec: str) -> Rendition | None:
    """The (media, spec) rendition, made from the current file if missing.

    Answers None, keeping nothing, when the item changed while we rendered: it
    was deleted, got a new file, or (for an Instagram copy) is not processed or
    the dealer chose the other fit, or (for a ribbon) the post now asks for
    another ribbon (a new text, colour, name or shape). The check runs under the
    item's row lock, as processing's final write and ``media_update`` take it, so
    a copy of an old file or of the old fit is never kept.
    """
    from .ribbons import is_ribbon_spec, ribbon_of_spec

    media = the_file(media)
    existing = Rendition.objects.filter(media=media, spec=spec).first()
    if existing is not None:
        return existing
    if is_ribbon_spec(spec) and ribbon_of_spec(media, spec) is None:
        return None  # asked for before a change: the ribbon asked for now has its own task
    source = media.file.name
    data, size = _render(media, spec)
    with transaction.atomic():
        current = MediaFile.objects.select_for_update().filter(pk=media.pk).first()
        if current is None or current.file.name != source:
            return None
        if spec in INSTAGRAM_SPECS and (
            current.processing_status != MediaFile.ProcessingStatus.READY
            or spec not in (instagram_specs_asked_for(current) or {spec})
        ):
            return None
        if is_ribbon_spec(spec) and (
            current.processing_status != MediaFile.ProcessingStatus.READY
            or ribbon_of_spec(current, spec) is None
        ):
            return None
        return save_rendition(media=current, spec=spec, data=data, size=size)


def renditions_delete(*, media: MediaFile, specs: tuple[str, ...] | None = None) -> int:
    """Delete rows now and their files after the commit (the post_delete handler does that)."""
    media = the_file(media)
    queryset = Rendition.objects.filter(media=media)
    if specs is not None:
        queryset = queryset.filter(spec__in=specs)
    names = list(queryset.values_list("file", flat=True))
    count, _ = queryset.delete()
    delete_files_on_commit(names)  # the signal handler does it too; deleting twice is harmless
    return count
