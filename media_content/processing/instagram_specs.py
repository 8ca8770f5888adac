"""The Instagram-ready copy's specs, and the copy a post's item sends.

Shared by the checks (which judge the copy) and ``renditions`` (which makes the
copy, asks for it and registers its kind, and needs the checks to know when a
copy fixes them): kept apart so that neither imports the other.
"""

from library.models import MediaFile, Rendition

INSTAGRAM_PAD = "instagram-pad"
INSTAGRAM_CROP = "instagram-crop"
INSTAGRAM_SPECS = (INSTAGRAM_PAD, INSTAGRAM_CROP)
FIT_SPECS = {"pad": INSTAGRAM_PAD, "crop": INSTAGRAM_CROP}
# Why the copy could not be made, as the checks and the engine's refusal say it.
COPY_FAILED = "We could not make the Instagram-ready copy: {error}"


def instagram_spec(fit: str) -> str:
    """The rendition spec of the dealer's fit (a post's ``instagram_fit``)."""
    return FIT_SPECS[fit]


def instagram_copy(media) -> Rendition | None:
    """The Instagram-ready JPEG of the post's fit, posted instead of the original.

    ``media`` is a post (its cover) or one of its items (``PostItem``): the file's
    renditions, the post's fit.
    """
    if media.media_type != MediaFile.MediaType.IMAGE:
        return None
    file = media.media_file if hasattr(media, "media_file") else media.lead_file
    return file.renditions.filter(spec=instagram_spec(media.instagram_fit)).first()
