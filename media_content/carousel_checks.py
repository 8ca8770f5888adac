"""Checks of a post of several items: each item's own checks, plus what the set needs.

A post of one item is judged by ``checks.validate_for`` alone. A post of several
(``MediaContent.items()``: the lead, then its attachments in order) is judged per
destination:

- Instagram carousel: 2 to 10 items, each item's own checks, and every child of the
  first child's shape (Instagram crops the others to it);
- Facebook multi-photo post: photos only (a video among them is refused, named);
- website banner: the first image.

Kept apart from ``post_checks.py`` (single items) so both can change without colliding.
"""

from fractions import Fraction

from library.processing.renditions import nearest_allowed_aspect

from .instagram_copies import instagram_copy
from .models import Destination, MediaContent
from .post_checks import CheckResult, validate_for

# Instagram carousels: "up to 10 images, videos, or a mix" (IG User Media reference,
# carousel posts), and "at least 2" children (same page: children, a list of 2 to 10).
IG_CAROUSEL_MIN_ITEMS = 2
IG_CAROUSEL_MAX_ITEMS = 10
# Instagram crops every child to the first one's aspect ratio (content publishing guide,
# carousel posts: "All images are cropped based on the first image in the carousel").
# A rounding of a few pixels is no crop a person sees.
IG_CAROUSEL_ASPECT_TOLERANCE = Fraction(1, 100)


def _name(item: MediaContent, place: int) -> str:
    return f"“{item.title}” (item {place})"


def _prefixed(result: CheckResult, item: MediaContent, place: int, found: CheckResult) -> None:
    result.errors.extend(f"{_name(item, place)}: {error}" for error in found.errors)
    result.warnings.extend(f"{_name(item, place)}: {warning}" for warning in found.warnings)
    result.preparing.extend(f"{_name(item, place)}: {note}" for note in found.preparing)


def _instagram_shape(item: MediaContent) -> Fraction | None:
    """The aspect ratio Instagram will see: the Instagram-ready copy's when it is sent."""
    if item.media_type != MediaContent.MediaType.IMAGE:
        return Fraction(item.width, item.height) if item.width and item.height else None
    copy = instagram_copy(item)
    if copy is not None:
        return Fraction(copy.width, copy.height)
    if not (item.width and item.height):
        return None
    # Out of range, it is sent as its Instagram-ready copy (the item's own check asks for
    # it): judge the shape that copy will have.
    return nearest_allowed_aspect(Fraction(item.width, item.height))


def _instagram(items: list[MediaContent]) -> CheckResult:
    result = CheckResult()
    if not IG_CAROUSEL_MIN_ITEMS <= len(items) <= IG_CAROUSEL_MAX_ITEMS:
        result.errors.append(
            f"An Instagram carousel has {IG_CAROUSEL_MIN_ITEMS} to {IG_CAROUSEL_MAX_ITEMS} "
            f"items; this post has {len(items)}."
        )
    for place, item in enumerate(items, start=1):
        _prefixed(result, item, place, validate_for(item, Destination.INSTAGRAM))
    first = _instagram_shape(items[0])
    if first is None:
        return result
    for place, item in enumerate(items[1:], start=2):
        aspect = _instagram_shape(item)
        if aspect is None or abs(aspect / first - 1) <= IG_CAROUSEL_ASPECT_TOLERANCE:
            continue
        hint = (
            " Choose photos of one shape: the first item's decides."
            if item.media_type == MediaContent.MediaType.IMAGE
            else " Choose a video of the first item's shape."
        )
        result.errors.append(
            f"{_name(item, place)} is {float(aspect):.2f}:1 but the first item is "
            f"{float(first):.2f}:1; Instagram crops every item of a carousel to the first "
            f"one's shape.{hint}"
        )
    return result


def _facebook(items: list[MediaContent]) -> CheckResult:
    result = CheckResult()
    for place, item in enumerate(items, start=1):
        if item.media_type != MediaContent.MediaType.IMAGE:
            result.errors.append(
                f"{_name(item, place)} is a video; Facebook posts several items together only "
                "as photos. Post the video on its own, or remove it from this post."
            )
            continue
        _prefixed(result, item, place, validate_for(item, Destination.FACEBOOK))
    return result


def first_image(media: MediaContent) -> MediaContent | None:
    """The website banner of a post of several items shows its first image."""
    return next(
        (item for item in media.items() if item.media_type == MediaContent.MediaType.IMAGE), None
    )


def _banner(items: list[MediaContent]) -> CheckResult:
    image = next((item for item in items if item.media_type == MediaContent.MediaType.IMAGE), None)
    if image is None:
        return CheckResult(errors=["A website banner needs an image; no item of this post is one."])
    result = validate_for(image, Destination.BANNER)
    result.warnings.append(f"The website banner shows the first image, “{image.title}”.")
    return result


_SET_CHECKS = {
    Destination.INSTAGRAM: _instagram,
    Destination.FACEBOOK: _facebook,
    Destination.BANNER: _banner,
}


def post_checks(media: MediaContent, destination: str) -> CheckResult:
    """Errors and warnings for sending the post led by ``media`` to ``destination``."""
    items = media.items()
    if len(items) == 1:
        result = validate_for(items[0], destination)
    else:
        result = _SET_CHECKS[Destination(destination)](items)
    _ribbon(media, result)
    return result


def _ribbon(media: MediaContent, result: CheckResult) -> None:
    """The ribbon on the cover: drawn (said), being drawn (waited for), or failed (refused)."""
    from .ribbons import RIBBON_FAILED, ribbon_for, ribbon_pending

    if not media.ribbon_text:
        return
    if media.media_type != MediaContent.MediaType.IMAGE:
        result.warnings.append(
            f"The ribbon “{media.ribbon_text}” is drawn on photos only; the first item is a video."
        )
    elif media.lead_file.ribbon_error:
        result.errors.append(RIBBON_FAILED.format(post=media, error=media.lead_file.ribbon_error))
    elif ribbon_pending(media):
        result.preparing.append(
            f"The ribbon “{media.ribbon_text}” is being drawn on the cover photo."
        )
    elif ribbon_for(media) is not None:
        result.warnings.append(
            f"The cover photo goes out with the ribbon “{media.ribbon_text}” drawn on it."
        )


def post_destination_checks(media: MediaContent) -> dict[str, dict[str, list[str]]]:
    """Every destination's errors and warnings for the whole post, as plain data."""
    return {
        destination.value: post_checks(media, destination).as_dict() for destination in Destination
    }


def items_processing_finished(media: MediaContent) -> bool:
    """Every item's checks are known (ready or failed)."""
    return media.files_processing_finished()
