"""Which way a video goes to a Facebook Page: a Reel (``/video_reels``) or a Page video.

Meta leaves a vertical upload to ``/videos`` as a draft on many Pages, so a
vertical clip of Reel length goes as a Reel unless the dealer chose otherwise
(``MediaContent.facebook_video_format``). The publisher and the destination
check both ask :func:`facebook_video_way`, so what the check says is what is
sent.
"""

from dataclasses import dataclass

from .models import MediaContent
from .post_files import PostItem

# Reels Publishing API, "Reel specifications" and "Rate Limit":
# https://developers.facebook.com/docs/video-api/guides/reels-publishing
# "Duration: 3 to 90 seconds"; "Aspect Ratio: 9 x 16"; "Resolution: 1080 x 1920
# pixels (recommended). Minimum is 540 x 960 pixels".
FB_REEL_MIN_SECONDS = 3
FB_REEL_MAX_SECONDS = 90
FB_REEL_MIN_WIDTH = 540
FB_REEL_MIN_HEIGHT = 960

Format = MediaContent.FacebookVideoFormat


@dataclass(frozen=True)
class VideoWay:
    reel: bool
    chosen: bool  # the dealer forced it (not the automatic choice)
    reason: str  # "vertical, 42 s", "landscape", "longer than 90 s"...

    @property
    def words(self) -> str:
        kind = "a Reel" if self.reel else "a regular Page video"
        how = "as you chose" if self.chosen else self.reason
        return f"Will post as {kind} ({how})."


def _seconds(duration: float) -> str:
    return f"{round(duration, 1):g} s"


def _shape(media: PostItem) -> str:
    if not (media.width and media.height):
        return "size unknown"
    if media.height > media.width:
        return "vertical"
    return "square" if media.height == media.width else "landscape"


def fits_a_reel(media: PostItem) -> tuple[bool, str]:
    """Taller than wide and 3 to 90 s long; answers the reason in words either way."""
    shape = _shape(media)
    if shape != "vertical":
        return False, shape
    if media.duration is None:
        return False, "vertical, length unknown"
    if media.duration < FB_REEL_MIN_SECONDS:
        return False, f"vertical, shorter than {FB_REEL_MIN_SECONDS} s"
    if media.duration > FB_REEL_MAX_SECONDS:
        return False, f"vertical, longer than {FB_REEL_MAX_SECONDS} s"
    return True, f"vertical, {_seconds(media.duration)}"


def facebook_video_way(media: PostItem) -> VideoWay:
    """The dealer's choice when there is one, else a Reel for what fits one."""
    fits, reason = fits_a_reel(media)
    choice = media.facebook_video_format
    if choice == Format.REEL:
        return VideoWay(reel=True, chosen=True, reason=reason)
    if choice == Format.VIDEO:
        return VideoWay(reel=False, chosen=True, reason=reason)
    return VideoWay(reel=fits, chosen=False, reason=reason)


def facebook_video_checks(media: PostItem, errors: list[str], warnings: list[str]) -> None:
    """Say which way the video goes; Reel limits are errors only when the dealer chose Reel."""
    way = facebook_video_way(media)
    other = "Regular video" if way.reel else "Reel"
    warnings.append(f"{way.words} Choose “{other}” under Facebook to post it the other way.")
    if not (way.reel and way.chosen):
        return
    duration = media.duration
    if duration is not None and not (FB_REEL_MIN_SECONDS <= duration <= FB_REEL_MAX_SECONDS):
        errors.append(
            f"Facebook Reels last {FB_REEL_MIN_SECONDS} to {FB_REEL_MAX_SECONDS} seconds; this "
            f"video lasts {_seconds(duration)}. Choose “Regular video” or “Automatic”."
        )
    if _shape(media) != "vertical":
        warnings.append("Reels show best vertical (9:16); this video will be framed.")
    elif media.width < FB_REEL_MIN_WIDTH or media.height < FB_REEL_MIN_HEIGHT:
        warnings.append(
            f"Facebook asks for Reels of at least {FB_REEL_MIN_WIDTH}x{FB_REEL_MIN_HEIGHT} "
            f"pixels; this one is {media.width}x{media.height}."
        )
