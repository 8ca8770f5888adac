"""Per-destination checks: errors (the post cannot go out) and warnings (it can, but...).

``validate_for(media, destination)`` runs after processing and again before
publishing; ``destination_checks(media)`` gives every destination at once as
plain data for the portal and the admin. ``media`` is one file of a post read
with the post's choices (``PostItem``: the file's size and format, the post's fit
and destinations); a whole post is judged by ``carousel_checks.post_checks``.

Limits are Meta's published figures, checked on 2026-11-24. Meta's reference
pages in our search corpus name the endpoints; the figures themselves are
quoted from the media-guideline pages cited next to each limit, which
restate Meta's specifications. Re-check them when Meta changes the API.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings

from library.processing.limits import (
    BANNER_MIN_ASPECT,
    BANNER_MIN_WIDTH,
    BANNER_RECOMMENDED_WIDTH,
    FB_PHOTO_FORMATS,
    FB_PHOTO_MAX_BYTES,
    FB_PHOTO_RECOMMENDED_BYTES,
    FB_PNG_RECOMMENDED_BYTES,
    FB_VIDEO_CONTAINERS,
    FB_VIDEO_MAX_ASPECT,
    FB_VIDEO_MAX_BYTES,
    FB_VIDEO_MAX_SECONDS,
    FB_VIDEO_MIN_ASPECT,
    FB_VIDEO_URL_MAX_BYTES,
    IG_IMAGE_FORMATS,
    IG_IMAGE_MAX_BYTES,
    IG_IMAGE_MAX_WIDTH,
    IG_IMAGE_MIN_WIDTH,
    IG_MAX_ASPECT,
    IG_MIN_ASPECT,
    IG_REELS_AUDIO_CODECS,
    IG_REELS_CONTAINERS,
    IG_REELS_MAX_BYTES,
    IG_REELS_MAX_FPS,
    IG_REELS_MAX_SECONDS,
    IG_REELS_MAX_WIDTH,
    IG_REELS_MIN_FPS,
    IG_REELS_MIN_SECONDS,
    IG_REELS_RECOMMENDED_ASPECT,
    IG_REELS_VIDEO_CODECS,
    MB,
)
from library.processing.renditions import instagram_copy_of

from .facebook_video import facebook_video_checks
from .models import Destination, MediaContent
from .post_files import PostItem

# Why the Instagram-ready copy could not be made, as the checks and the engine's refusal say it.
COPY_FAILED = "We could not make the Instagram-ready copy: {error}"


@dataclass
class CheckResult:
    """``errors`` stop a post; ``warnings`` do not; ``preparing`` is work under way for it.

    Preparing (the Instagram-ready copy being made) stops nothing either: the
    publisher waits for it as it waits for processing.
    """

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preparing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "preparing": list(self.preparing),
        }


def _aspect(width: int | None, height: int | None) -> Fraction | None:
    """Exact width:height, so limits hold at their boundaries (1080x1350 is exactly 4:5)."""
    return Fraction(width, height) if width and height else None


def _container_kind(media: PostItem) -> str:
    """mp4 or mov for ffmpeg's shared demuxer name, from the stored file's extension."""
    extension = media.file.name.rsplit(".", 1)[-1].lower() if media.file else ""
    demuxer = media.container.lower()
    if "mp4" in demuxer.split(",") or "mov" in demuxer.split(","):
        return {"m4v": "mp4", "qt": "mov"}.get(extension, extension)
    return demuxer.split(",")[0]


def _public_url_check(media: PostItem, result: CheckResult, destination: str) -> None:
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


def _processing_gate(media: PostItem, result: CheckResult) -> bool:
    """Checks need the file's details; say so instead of guessing."""
    status = media.processing_status
    if status == MediaContent.ProcessingStatus.FAILED:
        result.errors.append(f"We could not process this file: {media.processing_error}")
        return False
    if status != MediaContent.ProcessingStatus.READY:
        result.warnings.append("Still processing: the checks run again when the file is ready.")
        return False
    return True


FIT_WORDS = {"pad": "padded", "crop": "cropped"}


def _instagram(media: PostItem, result: CheckResult) -> None:
    reach = CheckResult()
    _public_url_check(media, reach, Destination.INSTAGRAM)
    if media.media_type == MediaContent.MediaType.IMAGE:
        _instagram_photo(media, result, copy_can_reach=not reach.errors)
    else:
        _instagram_reel(media, result)
    result.errors[:0] = reach.errors  # what no copy can fix comes first
    result.warnings.extend(reach.warnings)


def _original_photo_result(media: PostItem) -> CheckResult:
    original = CheckResult()
    _instagram_image(original, media.container, media.width, media.height, media.size_bytes)
    return original


def _instagram_photo(media: PostItem, result: CheckResult, *, copy_can_reach: bool) -> None:
    """Judge the copy of the dealer's fit if there is one; else say what the copy will fix.

    The copy (a JPEG within 4:5..1.91:1, 320..1440 px wide, under 8 MB) fixes
    every error the original can have here: format, aspect ratio and size.
    """
    fit = FIT_WORDS[media.instagram_fit]
    ready = instagram_copy_of(media.media_file, media.instagram_fit)
    if ready is not None:
        result.warnings.append(
            f"The Instagram-ready JPEG copy ({fit}) will be posted instead of the original."
        )
        _instagram_image(result, "JPEG", ready.width, ready.height, ready.size_bytes)
        return
    original = _original_photo_result(media)
    result.warnings.extend(original.warnings)
    if not original.errors:
        return
    reasons = " ".join(original.errors)
    if not copy_can_reach:  # a copy would not be enough: the errors stand as they are
        result.errors.extend(original.errors)
    elif media.instagram_copy_error:
        result.errors.append(COPY_FAILED.format(error=media.instagram_copy_error))
    elif media.goes_to_instagram:
        result.preparing.append(f"An Instagram-ready copy is being made ({fit}). {reasons}")
    else:
        result.warnings.append(
            f"{reasons} Choosing Instagram makes an Instagram-ready JPEG copy ({fit}) that fixes this."
        )


def copy_would_fix(media: PostItem) -> bool:
    """The Instagram-ready copy would clear every Instagram error of this processed image."""
    if (
        media.media_type != MediaContent.MediaType.IMAGE
        or media.processing_status != MediaContent.ProcessingStatus.READY
    ):
        return False
    reach = CheckResult()
    _public_url_check(media, reach, Destination.INSTAGRAM)
    return not reach.errors and bool(_original_photo_result(media).errors)


def instagram_copy_summary(media: PostItem) -> dict:
    """For the portal: does this image need the copy (so the fit is asked), and is it made?"""
    is_image = media.media_type == MediaContent.MediaType.IMAGE
    ready = instagram_copy_of(media.media_file, media.instagram_fit) if is_image else None
    needed = ready is not None or (
        is_image and media.is_processed and bool(_original_photo_result(media).errors)
    )
    return {
        "fit": media.instagram_fit,
        "needed": needed,
        "url": ready.url if ready else "",
        "size": [ready.width, ready.height] if ready else None,
        "error": media.instagram_copy_error,
    }


def _instagram_image(
    result: CheckResult, fmt: str, width: int | None, height: int | None, size: int
) -> None:
    if fmt.upper() not in IG_IMAGE_FORMATS:
        result.errors.append(f"Instagram takes only JPEG images; this is {fmt or 'unknown'}.")
    aspect = _aspect(width, height)
    if aspect is not None and not (IG_MIN_ASPECT <= aspect <= IG_MAX_ASPECT):
        result.errors.append(
            f"Instagram needs an aspect ratio between 4:5 and 1.91:1; this image is "
            f"{width}x{height} ({float(aspect):.2f}:1)."
        )
    if size > IG_IMAGE_MAX_BYTES:
        result.errors.append(f"Instagram takes images up to 8 MB; this one is {size / MB:.1f} MB.")
    if width and width < IG_IMAGE_MIN_WIDTH:
        result.warnings.append(
            f"The image is {width} px wide; Instagram scales images under "
            f"{IG_IMAGE_MIN_WIDTH} px up, so it will look soft."
        )
    elif width and width > IG_IMAGE_MAX_WIDTH:
        result.warnings.append(
            f"The image is {width} px wide; Instagram scales it down to {IG_IMAGE_MAX_WIDTH} px."
        )


def _instagram_reel(media: PostItem, result: CheckResult) -> None:
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


def _facebook(media: PostItem, result: CheckResult) -> None:
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


def _banner(media: PostItem, result: CheckResult) -> None:
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


def validate_for(media: PostItem, destination: str) -> CheckResult:
    """Errors and warnings for sending ``media`` to ``destination``."""
    result = CheckResult()
    if media.media_type == MediaContent.MediaType.VIDEO and destination == Destination.BANNER:
        _banner(media, result)  # wrong kind of file: no need to wait for processing
        return result
    if _processing_gate(media, result):
        _CHECKS[Destination(destination)](media, result)
    return result


def destination_checks(media: PostItem) -> dict[str, dict[str, list[str]]]:
    """Every destination's errors and warnings, as plain data (portal, admin, API)."""
    return {
        destination.value: validate_for(media, destination).as_dict() for destination in Destination
    }
