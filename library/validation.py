"""What a file is, decided by its content: never by its name or the client's content type.

Images: Pillow must identify JPEG, PNG, WebP or GIF and decode it fully (a
truncated file fails), under Pillow's decompression-bomb limit. Videos: the
first bytes must look like an MP4/MOV (``ftyp``) or WebM (EBML) container, and
the bundled ffmpeg (imageio-ffmpeg), forced to that container's demuxer so a
playlist or other text cannot steer it, must decode a video frame.
"""

import contextlib
import dataclasses
import re
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from library.models import MediaFile

SUPPORTED = "JPEG, PNG, WebP or GIF images, or MP4, MOV or WebM videos"

IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}


class MediaRejected(Exception):
    """Bad input: ``message`` is for a person; ``status`` the HTTP status to answer."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


@dataclasses.dataclass(frozen=True)
class Sniffed:
    media_type: str  # MediaFile.MediaType
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def head_extension(head: bytes) -> str:
    """The file name extension the first bytes announce ('bin' when they name nothing)."""
    kind = container_kind(head)
    if kind != "image":
        return VIDEO_TYPES[kind][2] if kind else "bin"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG"):
        return "png"
    return "gif" if head.startswith(b"GIF") else "webp"


def container_kind(head: bytes) -> str | None:
    """The container the first bytes announce: 'image', 'mp4', 'mov', 'webm' or None."""
    if (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or head[:6] in (b"GIF87a", b"GIF89a")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    ):
        return "image"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def megabytes(size: int) -> str:
    """30000000 → '30 MB'; below a megabyte, bytes."""
    if size < 1_000_000:
        return f"{size:,} bytes"
    return f"{round(size / 1_000_000, 1):g} MB"


def size_limit(media_type: str) -> int:
    if media_type == MediaFile.MediaType.IMAGE:
        return settings.UPLOAD_MAX_IMAGE_SIZE
    return settings.UPLOAD_MAX_VIDEO_SIZE


def check_size(media_type: str, size: int) -> None:
    limit = size_limit(media_type)
    if size > limit:
        kind = "Images" if media_type == MediaFile.MediaType.IMAGE else "Videos"
        raise MediaRejected(
            f"{kind} can be at most {megabytes(limit)}; this file is {megabytes(size)}.",
            status=413,
            code="too_large",
        )


SUPPORTED_IMAGES = "a JPEG, PNG, WebP or GIF image"


class MediaSource(Protocol):
    """Bytes to check: a local file, or an object in the bucket (read where it lies)."""

    size: int

    def head(self, size: int) -> bytes: ...

    def image_path(self) -> contextlib.AbstractContextManager[Path]:
        """A local file for Pillow (an image is at most ``UPLOAD_MAX_IMAGE_SIZE``)."""

    def ffmpeg_input(self) -> str:
        """What ffmpeg's ``-i`` reads: a path, or a presigned URL."""


class LocalSource:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.size = self.path.stat().st_size

    def head(self, size: int) -> bytes:
        with open(self.path, "rb") as file:
            return file.read(size)

    @contextlib.contextmanager
    def image_path(self) -> Iterator[Path]:
        yield self.path

    def ffmpeg_input(self) -> str:
        return str(self.path)

    def __fspath__(self) -> str:  # open(), os.path.getsize() take it as the path
        return str(self.path)


def sniff(path: "Path | MediaSource", *, images_only: bool = False) -> Sniffed:
    """Identify and check the file at ``path``; raise MediaRejected if it is not usable.

    The one content check of every file we store: library uploads (both ways),
    banners and the admin's file fields. ``images_only`` is for banners.
    """
    source = LocalSource(path) if isinstance(path, (str, Path)) else path
    size = source.size
    if size == 0:
        raise MediaRejected("The file is empty.", code="empty")
    kind = container_kind(source.head(16))
    if kind is None or (images_only and kind != "image"):
        wanted = SUPPORTED_IMAGES if images_only else SUPPORTED
        raise MediaRejected(
            f"This file is not a supported type: upload {wanted}.",
            status=415,
            code="unsupported_type",
        )
    if kind == "image":
        check_size(MediaFile.MediaType.IMAGE, size)  # before any byte is fetched
        with source.image_path() as image_path:
            sniffed = _sniff_image(image_path)
    else:
        sniffed = _sniff_video(source.ffmpeg_input(), kind)
    check_size(sniffed.media_type, size)
    return sniffed


def _sniff_image(path: Path) -> Sniffed:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in IMAGE_FORMATS:
                    raise MediaRejected(
                        f"{image_format} images are not supported: upload {SUPPORTED_IMAGES}.",
                        status=415,
                        code="unsupported_type",
                    )
                image.load()  # decodes every byte: a truncated or corrupt file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise MediaRejected(
            "This image has too many pixels to process safely "
            f"(at most {Image.MAX_IMAGE_PIXELS:,} pixels).",
            status=413,
            code="decompression_bomb",
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise MediaRejected(
            "This image is truncated or corrupt and cannot be read.", code="corrupt"
        ) from error
    content_type, extension = IMAGE_FORMATS[image_format]
    return Sniffed(MediaFile.MediaType.IMAGE, content_type, extension, width, height)


VIDEO_TYPES = {
    "mp4": ("mov", "video/mp4", "mp4"),
    "mov": ("mov", "video/quicktime", "mov"),
    "webm": ("matroska", "video/webm", "webm"),
}
_VIDEO_STREAM = re.compile(r"Stream #\d+:\d+.*?: Video: .*?, (\d{2,5})x(\d{2,5})")


_DAMAGED = re.compile(r"prematurely|partial file|corrupt|truncat|invalid data", re.IGNORECASE)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _sniff_video(path: str, kind: str) -> Sniffed:
    demuxer, content_type, extension = VIDEO_TYPES[kind]
    command = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-xerror",
        "-f",
        demuxer,
        "-i",
        path,
        # First output: decode one frame (the codec really is a video codec).
        *("-map", "0:v:0", "-frames:v", "1", "-f", "null", "-"),
        # Second: read every packet without decoding (fast), so a cut-off file fails.
        *("-map", "0:v:0", "-c", "copy", "-f", "null", "-"),
    ]
    try:
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            command, capture_output=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise MediaRejected("This video could not be read in time.", code="corrupt") from error
    output = result.stderr.decode("utf-8", "replace")
    match = _VIDEO_STREAM.search(output)
    damaged = _DAMAGED.search(output)
    if result.returncode != 0 or match is None or damaged:
        if "Stream #" in output and " Video: " not in output:
            raise MediaRejected("This file has no video stream.", code="no_video")
        raise MediaRejected(
            "This video is truncated or corrupt and cannot be read.", code="corrupt"
        )
    width, height = int(match.group(1)), int(match.group(2))
    return Sniffed(MediaFile.MediaType.VIDEO, content_type, extension, width, height)
