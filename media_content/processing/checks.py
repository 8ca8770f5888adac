"""Per-destination checks: errors (the post cannot go out) and warnings (it can, but...).

``validate_for(media, destination)`` runs after processing and again before
publishing; ``destination_checks(media)`` gives every destination at once as
plain data for the portal and the admin.

Limits are Meta's published figures, checked on 2026-11-24. Meta's reference
pages in our search corpus name the endpoints; the figures themselves are
quoted from the media-guideline pages cited next to each limit, which
restate Meta's specifications. Re-check them when Meta changes the API.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings

from ..models import Destination, MediaContent
from .facebook_video import facebook_video_checks

MB = 1024 * 1024

# --- Instagram (content publishing through the Graph API) --------------------
# Source: https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
# (IG User Media: image and Reels specifications), figures as restated in
# https://www.ayrshare.com/docs/media-guidelines/instagram.md
IG_IMAGE_FORMATS = {"JPEG"}  # IG User Media reference: "Format: JPEG" (the API takes only JPEG)
IG_IMAGE_MAX_BYTES = 8 * MB  # ayrshare instagram.md: "Max image size: 8 MB"
IG_MIN_ASPECT = Fraction(4, 5)  # ayrshare instagram.md: "Within a 4:5 to 1.91:1 range"
IG_MAX_ASPECT = Fraction(191, 100)  # same source
IG_IMAGE_MIN_WIDTH = 320  # ayrshare instagram.md: "Minimum width: 320 px" (smaller is scaled up)
IG_IMAGE_MAX_WIDTH = 1440  # ayrshare instagram.md: "Maximum width: 1440 px" (larger is scaled down)
# Reels (media_type=REELS; single videos are Reels since VIDEO was retired):
IG_REELS_CONTAINERS = {"mp4", "mov"}  # ayrshare instagram.md: "Container: MOV or MP4"
IG_REELS_VIDEO_CODECS = {"h264", "hevc"}  # ayrshare instagram.md: "Video codec: HEVC or H264"
IG_REELS_AUDIO_CODECS = {"aac"}  # ayrshare instagram.md: "Audio codec: AAC"
IG_REELS_MIN_SECONDS = 3  # ayrshare instagram.md: "Duration min: 3 seconds"
IG_REELS_MAX_SECONDS = 15 * 60  # ayrshare instagram.md: "Duration max: 15 minutes"
IG_REELS_MAX_BYTES = 300 * MB  # ayrshare instagram.md (English): "Max video size: 300 MB"
IG_REELS_MIN_FPS, IG_REELS_MAX_FPS = 23, 60  # ayrshare instagram.md: "Frame rate: 23-60 FPS"
IG_REELS_MAX_WIDTH = 1920  # ayrshare instagram.md: "Maximum columns (horizontal pixels): 1920"
IG_REELS_RECOMMENDED_ASPECT = 9 / 16  # ayrshare instagram.md: "Recommended aspect ratio: 9:16"

# --- Facebook Page photos and videos ------------------------------------------
# Source: https://developers.facebook.com/docs/graph-api/reference/page/photos
# and https://developers.facebook.com/docs/graph-api/reference/video-upload-limits/
# figures as restated in https://www.ayrshare.com/docs/media-guidelines/facebook_pages.md
FB_PHOTO_FORMATS = {"JPEG", "PNG", "GIF", "BMP", "TIFF"}  # facebook_pages.md: supported formats
FB_PHOTO_MAX_BYTES = 10 * MB  # facebook_pages.md: "Max image size: 10 MB"
FB_PHOTO_RECOMMENDED_BYTES = 4 * MB  # Page Photos reference: under 4 MB recommended
FB_PNG_RECOMMENDED_BYTES = 1 * MB  # Page Photos reference: PNG under 1 MB recommended
FB_VIDEO_CONTAINERS = {"mp4", "mov", "avi"}  # facebook_pages.md: "MP4, MOV, and AVI"
FB_VIDEO_URL_MAX_BYTES = 1024 * MB  # Page videos by file_url: about 1 GB (larger: chunked)
FB_VIDEO_MAX_BYTES = 10 * 1024 * MB  # facebook_pages.md: chunked uploads up to 10 GB
FB_VIDEO_MAX_SECONDS = 4 * 3600  # facebook_pages.md: "Duration max: 4 hours"
FB_VIDEO_MIN_ASPECT = Fraction(9, 16)  # facebook_pages.md: portrait 9:16 ...
FB_VIDEO_MAX_ASPECT = Fraction(16, 9)  # ... to landscape 16:9

# --- Website banner (our own carousel) ----------------------------------------
BANNER_MIN_WIDTH = 800  # narrower images look blurred across a desktop carousel
BANNER_RECOMMENDED_WIDTH = 1200
BANNER_MIN_ASPECT = 1.2  # the carousel is a wide strip; tall images get cropped hard


@dataclass
class CheckResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"errors": list(self.errors), "warnings": list(self.warnings)}


def _aspect(width: int | None, height: int | None) -> Fraction | None:
    """Exact width:height, so limits hold at their boundaries (1080x1350 is exactly 4:5)."""
    return Fraction(width, height) if width and height else None


def _container_kind(media: MediaContent) -> str:
    """mp4 or mov for ffmpeg's shared demuxer name, from the stored file's extension."""
    extension = media.file.name.rsplit(".", 1)[-1].lower() if media.file else ""
    demuxer = media.container.lower()
    if "mp4" in demuxer.split(",") or "mov" in demuxer.split(","):
        return {"m4v": "mp4", "qt": "mov"}.get(extension, extension)
    return demuxer.split(",")[0]


def _public_url_check(media: MediaContent, result: CheckResult, destination: str) -> None:
    """Instagram downloads the file from its URL itself: a local address cannot work.

    (Facebook does not need this: the publisher sends a local file's bytes.)
    """
    url = media.media_url
    if url.startswith(("https://", "http://")):
        return
    message = (
        "Instagram fetches the file from the internet itself, and this server keeps media "
        "on its own disk, which Instagram cannot reach."
    )
    if settings.PUBLISHERS.get(destination, "").endswith("SandboxPublisher"):
        result.warnings.append(message + " (Fine for the sandbox, which sends nothing.)")
    else:
        result.errors.append(message)


def _processing_gate(media: MediaContent, result: CheckResult) -> bool:
    """Checks need the file's details; say so instead of guessing."""
    status = media.processing_status
    if status == MediaContent.ProcessingStatus.FAILED:
        result.errors.append(f"We could not process this file: {media.processing_error}")
        return False
    if status != MediaContent.ProcessingStatus.READY:
        result.warnings.append("Still processing: the checks run again when the file is ready.")
        return False
    return True


def _instagram(media: MediaContent, result: CheckResult) -> None:
    from .renditions import instagram_copy

    if media.media_type == MediaContent.MediaType.IMAGE:
        ready = instagram_copy(media)
        if ready is not None:
            result.warnings.append(
                "The Instagram-ready JPEG copy will be posted instead of the original."
            )
            _instagram_image(
                result, "JPEG", ready.width, ready.height, ready.size_bytes, fix_hint=""
            )
        else:
            _instagram_image(
                result,
                media.container,
                media.width,
                media.height,
                media.size_bytes,
                fix_hint=" Make an Instagram-ready JPEG copy to fix this.",
            )
    else:
        _instagram_reel(media, result)
    _public_url_check(media, result, Destination.INSTAGRAM)


def _instagram_image(
    result: CheckResult, fmt: str, width: int | None, height: int | None, size: int, fix_hint: str
) -> None:
    if fmt.upper() not in IG_IMAGE_FORMATS:
        result.errors.append(
            f"Instagram takes only JPEG images; this is {fmt or 'unknown'}.{fix_hint}"
        )
    aspect = _aspect(width, height)
    if aspect is not None and not (IG_MIN_ASPECT <= aspect <= IG_MAX_ASPECT):
        result.errors.append(
            f"Instagram needs an aspect ratio between 4:5 and 1.91:1; this image is "
            f"{width}x{height} ({float(aspect):.2f}:1).{fix_hint}"
        )
    if size > IG_IMAGE_MAX_BYTES:
        result.errors.append(
            f"Instagram takes images up to 8 MB; this one is {size / MB:.1f} MB.{fix_hint}"
        )
    if width and width < IG_IMAGE_MIN_WIDTH:
        result.warnings.append(
            f"The image is {width} px wide; Instagram scales images under "
            f"{IG_IMAGE_MIN_WIDTH} px up, so it will look soft."
        )
    elif width and width > IG_IMAGE_MAX_WIDTH:
        result.warnings.append(
            f"The image is {width} px wide; Instagram scales it down to {IG_IMAGE_MAX_WIDTH} px."
        )


def _instagram_reel(media: MediaContent, result: CheckResult) -> None:
    kind = _container_kind(media)
    if kind not in IG_REELS_CONTAINERS:
        result.errors.append(
            f"Instagram Reels must be MP4 or MOV files; this is {kind or 'unknown'}."
        )
    if media.video_codec.lower() not in IG_REELS_VIDEO_CODECS:
        result.errors.append(
            f"Instagram Reels need H.264 or HEVC video; this uses {media.video_codec or 'unknown'}."
        )
    if media.audio_codec and media.audio_codec.lower() not in IG_REELS_AUDIO_CODECS:
        result.errors.append(f"Instagram Reels need AAC sound; this uses {media.audio_codec}.")
    if media.duration is not None:
        if media.duration < IG_REELS_MIN_SECONDS:
            result.errors.append(
                f"Instagram Reels must last at least 3 seconds; this is {media.duration:.1f} s."
            )
        elif media.duration > IG_REELS_MAX_SECONDS:
            result.errors.append(
                f"Instagram Reels can last at most 15 minutes; this is {media.duration / 60:.1f} min."
            )
    if media.size_bytes > IG_REELS_MAX_BYTES:
        result.errors.append(
            f"Instagram takes Reels up to 300 MB; this one is {media.size_bytes / MB:.0f} MB."
        )
    if media.frame_rate and not (IG_REELS_MIN_FPS <= media.frame_rate <= IG_REELS_MAX_FPS):
        result.errors.append(
            f"Instagram Reels need 23 to 60 frames per second; this has {media.frame_rate:g}."
        )
    if media.width and media.width > IG_REELS_MAX_WIDTH:
        result.errors.append(
            f"Instagram Reels can be at most {IG_REELS_MAX_WIDTH} px wide; this is {media.width} px."
        )
    aspect = _aspect(media.width, media.height)
    if aspect is not None and abs(float(aspect) - IG_REELS_RECOMMENDED_ASPECT) > 0.02:
        result.warnings.append("Reels show best in 9:16 (portrait); this video will be framed.")


def _facebook(media: MediaContent, result: CheckResult) -> None:
    if media.media_type == MediaContent.MediaType.IMAGE:
        fmt = media.container.upper()
        if fmt not in FB_PHOTO_FORMATS:
            result.errors.append(
                f"Facebook Page photos must be JPEG, PNG, GIF, BMP or TIFF; this is {fmt or 'unknown'}."
            )
        if media.size_bytes > FB_PHOTO_MAX_BYTES:
            result.errors.append(
                f"Facebook takes photos up to 10 MB; this one is {media.size_bytes / MB:.1f} MB."
            )
        elif fmt == "PNG" and media.size_bytes > FB_PNG_RECOMMENDED_BYTES:
            result.warnings.append("Facebook recommends PNG photos under 1 MB; it may compress it.")
        elif media.size_bytes > FB_PHOTO_RECOMMENDED_BYTES:
            result.warnings.append("Facebook recommends photos under 4 MB; it may compress it.")
    else:
        kind = _container_kind(media)
        if kind not in FB_VIDEO_CONTAINERS:
            result.errors.append(
                f"Facebook Page videos must be MP4, MOV or AVI; this is {kind or 'unknown'}."
            )
        if media.size_bytes > FB_VIDEO_MAX_BYTES:
            result.errors.append("Facebook takes videos up to 10 GB.")
        elif media.size_bytes > FB_VIDEO_URL_MAX_BYTES:
            result.warnings.append(
                "Over 1 GB: the video has to be sent in chunks, which is slower."
            )
        if media.duration is not None and media.duration > FB_VIDEO_MAX_SECONDS:
            result.errors.append("Facebook Page videos can last at most 4 hours.")
        aspect = _aspect(media.width, media.height)
        if aspect is not None and not (FB_VIDEO_MIN_ASPECT <= aspect <= FB_VIDEO_MAX_ASPECT):
            result.warnings.append(
                "Facebook shows videos between 9:16 and 16:9; this one will be letterboxed."
            )
        facebook_video_checks(media, result.errors, result.warnings)


def _banner(media: MediaContent, result: CheckResult) -> None:
    if media.media_type != MediaContent.MediaType.IMAGE:
        result.errors.append("Website banners must be images, not videos.")
        return
    if media.width and media.width < BANNER_MIN_WIDTH:
        result.errors.append(
            f"Website banners need images at least {BANNER_MIN_WIDTH} px wide; "
            f"this one is {media.width} px."
        )
    elif media.width and media.width < BANNER_RECOMMENDED_WIDTH:
        result.warnings.append(
            f"Banners look sharpest from {BANNER_RECOMMENDED_WIDTH} px wide; "
            f"this one is {media.width} px."
        )
    aspect = _aspect(media.width, media.height)
    if aspect is not None and aspect < BANNER_MIN_ASPECT:
        result.warnings.append("The banner strip is wide; a tall or square image will be cropped.")


_CHECKS = {
    Destination.INSTAGRAM: _instagram,
    Destination.FACEBOOK: _facebook,
    Destination.BANNER: _banner,
}


def validate_for(media: MediaContent, destination: str) -> CheckResult:
    """Errors and warnings for sending ``media`` to ``destination``."""
    result = CheckResult()
    if media.media_type == MediaContent.MediaType.VIDEO and destination == Destination.BANNER:
        _banner(media, result)  # wrong kind of file: no need to wait for processing
        return result
    if _processing_gate(media, result):
        _CHECKS[Destination(destination)](media, result)
    return result


def destination_checks(media: MediaContent) -> dict[str, dict[str, list[str]]]:
    """Every destination's errors and warnings, as plain data (portal, admin, API)."""
    return {
        destination.value: validate_for(media, destination).as_dict() for destination in Destination
    }
