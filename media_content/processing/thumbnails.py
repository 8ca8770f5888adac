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

from . import ProcessingFailed, ffmpeg, placeholder

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
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
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


def image_thumbnail(source: str | BinaryIO, *, box: tuple[int, int] = THUMBNAIL_BOX) -> bytes:
    """A JPEG fitting inside ``box`` (aspect kept), oriented, without metadata."""
    image = open_reduced(source, box)
    image.thumbnail(box, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return encode_jpeg(image, quality=THUMBNAIL_QUALITY)


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


def generate_video_thumbnail(
    path: str, *, title: str, duration: float | None
) -> tuple[bytes, bool]:
    """A 400x300 JPEG of the frame at 1 s (first frame for shorter clips).

    Returns ``(jpeg, is_placeholder)``: when ffmpeg fails or times out the
    title card is drawn instead, so the library never shows an empty tile.
    """
    at = VIDEO_THUMBNAIL_AT if duration is None or duration > VIDEO_THUMBNAIL_AT else 0.0
    width, height = VIDEO_THUMBNAIL_SIZE
    for seek in dict.fromkeys((at, 0.0)):  # a frame at 1 s, else the first one
        try:
            frame = ffmpeg.extract_frame_jpeg(
                path, at=seek, width=width, height=height, quality=VIDEO_THUMBNAIL_QSCALE
            )
        except ffmpeg.FFmpegError as error:
            logger.info("No video frame at %.1f s of %s: %s", seek, path, error.message)
            if "longer than" in error.message:
                break  # a timeout will not go better from the start
            continue
        return frame, False
    return placeholder.placeholder_jpeg(title), True
