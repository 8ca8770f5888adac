"""Thumbnails and the display rendition, made fast and without location data.

Images: ``draft`` asks libjpeg for a reduced decode (a 12 MP JPEG decodes at
1/2 to 1/8 scale), and EXIF orientation is applied *after* that reduction:
transposing first would force a full-size decode (see docs/performance.md).
Every output is a new image saved without EXIF or XMP, so GPS and other
location tags never leave the original.

Videos: one frame through ffmpeg with input seeking (``-ss`` before ``-i``);
the drawn placeholder when ffmpeg fails or times out.
"""

import io
import logging
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

from . import ProcessingFailed, ffmpeg, metadata, placeholder
from .metadata import Metadata

logger = logging.getLogger(__name__)

THUMBNAIL_BOX = (400, 300)
DISPLAY_LONGEST_SIDE = 1280
THUMBNAIL_QUALITY = 82
DISPLAY_QUALITY = 85

VIDEO_THUMBNAIL_SIZE = (400, 300)
VIDEO_THUMBNAIL_AT = 1.0  # seconds; shorter clips use their first frame
VIDEO_THUMBNAIL_QSCALE = 5  # ffmpeg -q:v for MJPEG: 2 (best) to 31


def open_reduced(source: str | BinaryIO, box: tuple[int, int]) -> Image.Image:
    """Decode at the smallest JPEG scale that still fills ``box``, then orient.

    ``box`` is for the picture as displayed; EXIF orientations 5 to 8 swap
    the sides, so the request to the decoder is turned the same way.
    """
    try:
        image = Image.open(source)
        width, height = image.size
        if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            box = (box[1], box[0])
        scale = min(box[0] / width, box[1] / height, 1.0)
        image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise ProcessingFailed(f"This file is not an image we can read ({error}).") from error
    return ImageOps.exif_transpose(image)


def flatten_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white: JPEG has no alpha channel."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB") if image.mode != "RGB" else image


def encode_jpeg(image: Image.Image, *, quality: int) -> bytes:
    """Save as a clean JPEG: no EXIF, no XMP, nothing from the original's ``info``."""
    clean = flatten_rgb(image)
    icc = image.info.get("icc_profile")
    clean.info = {}
    buffer = io.BytesIO()
    options = {"quality": quality, "optimize": False, "progressive": False}
    if icc:
        options["icc_profile"] = icc  # colours, not location: kept
    clean.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def image_renditions(source: str | BinaryIO) -> tuple[bytes, tuple[bytes, tuple[int, int]]]:
    """Thumbnail and display rendition from one reduced decode.

    Returns ``(thumbnail_jpeg, (display_jpeg, (width, height)))``.
    """
    display_box = (DISPLAY_LONGEST_SIDE, DISPLAY_LONGEST_SIDE)
    image = open_reduced(source, display_box)
    image.thumbnail(display_box, Image.Resampling.LANCZOS, reducing_gap=2.0)
    display = encode_jpeg(image, quality=DISPLAY_QUALITY)
    display_size = image.size
    image.thumbnail(THUMBNAIL_BOX, Image.Resampling.BILINEAR)
    return encode_jpeg(image, quality=THUMBNAIL_QUALITY), (display, display_size)


def video_thumbnail_and_metadata(path: str, *, title: str) -> tuple[Metadata, bytes, bool]:
    """Metadata and a 400x300 JPEG of the frame at 1 s (first frame for shorter clips).

    Returns ``(metadata, jpeg, is_placeholder)``. Usually one ffmpeg run gives
    both; clips shorter than 1 s take a second run from their start. When no
    frame can be had (or ffmpeg times out) the title card is drawn instead,
    so the library never shows an empty tile. A file ffmpeg cannot read at
    all raises ProcessingFailed.
    """
    width, height = VIDEO_THUMBNAIL_SIZE
    options = {"width": width, "height": height, "quality": VIDEO_THUMBNAIL_QSCALE}
    try:
        info, frame = ffmpeg.frame_and_info(path, at=VIDEO_THUMBNAIL_AT, **options)
    except ffmpeg.FFmpegError as error:
        if "longer than" not in error.message:
            raise ProcessingFailed(error.message) from error
        logger.warning("No thumbnail frame for %s: %s", path, error.message)
        return metadata.video_metadata(path), placeholder.placeholder_jpeg(title), True
    if frame is None:
        try:
            _, frame = ffmpeg.frame_and_info(path, at=0.0, **options)
        except ffmpeg.FFmpegError as error:
            logger.warning("No first frame for %s: %s", path, error.message)
    details = metadata.from_video_info(info)
    if frame is None:
        return details, placeholder.placeholder_jpeg(title), True
    return details, frame, False
