"""What a file is: dimensions, duration, codecs, frame rate, bit rate.

Images through Pillow (reading the header only, no decode), videos through
ffmpeg. Width and height are as displayed: EXIF orientation (images) and
the display matrix (phone videos) are taken into account.
"""

from dataclasses import asdict, dataclass

from PIL import Image, UnidentifiedImageError

from . import ProcessingFailed, ffmpeg

# EXIF orientations 5 to 8 turn the picture by 90 degrees: width and height swap.
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Metadata:
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    container: str = ""
    video_codec: str = ""
    audio_codec: str = ""
    frame_rate: float | None = None
    bit_rate: int | None = None

    def as_fields(self) -> dict:
        return asdict(self)


def image_metadata(path: str) -> Metadata:
    try:
        with Image.open(path) as image:
            image.verify()  # catches many corrupt files without decoding; must come first
        with Image.open(path) as image:
            width, height = image.size
            orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
            container = image.format or ""
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise ProcessingFailed(f"This file is not an image we can read ({error}).") from error
    if orientation in _SWAPPING_ORIENTATIONS:
        width, height = height, width
    return Metadata(width=width, height=height, container=container)


def from_video_info(info: ffmpeg.VideoInfo) -> Metadata:
    return Metadata(
        width=info.width,
        height=info.height,
        duration=info.duration,
        container=info.container,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        frame_rate=info.frame_rate,
        bit_rate=info.bit_rate,
    )


def video_metadata(path: str) -> Metadata:
    try:
        return from_video_info(ffmpeg.probe(path))
    except ffmpeg.FFmpegError as error:
        raise ProcessingFailed(error.message) from error
