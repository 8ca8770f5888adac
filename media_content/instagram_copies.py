"""The Instagram-ready copy as the posts see it: which posts ask for it, and when.

Processing makes the copy's pixels (``processing.renditions.make_instagram_copy``:
a JPEG padded or cropped to 4:5..1.91:1, 320..1440 px wide, under 8 MB) and knows
no post. Here is what depends on posts: a post that goes to Instagram asks for the
copy of its fit (``MediaContent.instagram_fit``) for each photo Instagram would
refuse and the copy fixes (``post_checks.copy_would_fix``), and the copy a post's
delivery sends instead of the file. The kind is registered from here
(``rendition_kinds``), so the publishing engine waits for it without naming it.
"""

from library.models import MediaFile, Rendition
from library.processing import ProcessingFailed
from library.processing.rendition_kinds import RenditionKind, register
from library.processing.renditions import (
    INSTAGRAM_SPECS,
    instagram_copy_of,
    instagram_spec,
    make_instagram_copy,
    renditions_delete,
    request_rendition,
)

from .models import Destination, MediaContent
from .post_checks import COPY_FAILED, copy_would_fix
from .post_files import PostItem


def _file_of(media: MediaContent | PostItem) -> MediaFile | None:
    """A post item's file, or a post's cover."""
    return media.media_file if isinstance(media, PostItem) else media.lead_file


def instagram_copy(media: MediaContent | PostItem) -> Rendition | None:
    """The Instagram-ready JPEG of the post's fit, posted instead of the original.

    ``media`` is a post (its cover) or one of its items (``PostItem``): the file's
    renditions, the post's fit.
    """
    if media.media_type != MediaFile.MediaType.IMAGE:
        return None
    file = _file_of(media)
    return instagram_copy_of(file, media.instagram_fit) if file is not None else None


def instagram_specs_asked_for(file: MediaFile) -> set[str]:
    """The Instagram copies (by fit) the posts still to go out with this file ask for."""
    fits = (
        MediaContent.objects.filter(post_files__file_id=file.pk)
        .exclude(status__in=[MediaContent.Status.POSTED, MediaContent.Status.ARCHIVED])
        .values_list("instagram_fit", flat=True)
    )
    return {instagram_spec(fit) for fit in fits}


def request_instagram_copy(*, media: MediaContent | PostItem) -> str:
    """Have the worker make the Instagram-ready JPEG of the item's fit, after the commit.

    ``pad`` keeps the whole picture (white bars), ``crop`` fills the frame. The
    admin's action and the dealer's choice both come here. Refused
    (ProcessingFailed, in words) for videos and for files not processed yet:
    processing makes the copy itself when it finishes, if Instagram is chosen.
    Answers the rendition spec to look for.
    """
    file = _file_of(media)
    if file is None or file.media_type != MediaFile.MediaType.IMAGE:
        raise ProcessingFailed("Only images have an Instagram-ready copy.")
    if file.processing_status != MediaFile.ProcessingStatus.READY:
        raise ProcessingFailed(
            "The file is not processed yet; the Instagram-ready copy is made when it is, "
            "if Instagram is chosen."
        )
    spec = instagram_spec(media.instagram_fit)
    if file.instagram_copy_error:
        MediaFile.objects.filter(pk=file.pk).update(instagram_copy_error="")
        file.instagram_copy_error = ""
    request_rendition(file_id=file.pk, spec=spec)
    return spec


def instagram_copy_follow_choice(*, media: MediaContent) -> str | None:
    """Keep the post's Instagram-ready copies in line with what the dealer chose.

    Called when processing finishes and when the dealer saves Instagram or the
    fit: for each image of the post, the copy of this fit is asked for when the
    post goes to Instagram and the copy would clear every Instagram error.
    Answers the last spec asked for, if any. Call inside the transaction that
    saved the choice (the task is sent after its commit).
    """
    asked = None
    if not isinstance(media, MediaContent):
        return None
    wanted = instagram_spec(media.instagram_fit)
    for item in media.items():
        if item.media_type != MediaFile.MediaType.IMAGE:
            continue
        kept = instagram_specs_asked_for(item.media_file) | {wanted}
        stale = tuple(spec for spec in INSTAGRAM_SPECS if spec not in kept)
        renditions_delete(media=item.media_file, specs=stale)
        if not item.processing_finished:
            continue
        if not media.goes_to_instagram or item.renditions.filter(spec=wanted).exists():
            continue
        if not copy_would_fix(item):
            continue
        asked = request_instagram_copy(media=item)
    return asked


def _copies_wanted(post: MediaContent, items: list[PostItem]) -> list[tuple[PostItem, str]]:
    """The post's processed photos Instagram would refuse and the copy fixes."""
    spec = instagram_spec(post.instagram_fit)
    return [
        (item, spec)
        for item in items
        if item.media_type == MediaFile.MediaType.IMAGE
        and item.is_processed
        and copy_would_fix(item)
    ]


def _copy_still_asked(file: MediaFile, spec: str) -> bool:
    """Processed, and of the fit a post still to go out with the file chose (or no post)."""
    return file.processing_status == MediaFile.ProcessingStatus.READY and spec in (
        instagram_specs_asked_for(file) or {spec}
    )


INSTAGRAM_COPY = register(
    RenditionKind(
        name="instagram",
        prefix="instagram-",
        make=make_instagram_copy,
        still_asked=_copy_still_asked,
        destinations=frozenset({Destination.INSTAGRAM.value}),
        wanted=_copies_wanted,
        follow=instagram_copy_follow_choice,
        error_field="instagram_copy_error",
        waiting="Waiting for the Instagram-ready copy.",
        late="the Instagram-ready copy was still being made {minutes} minutes after its time. "
        "Once the library shows the copy ready, send it again.",
        failed=COPY_FAILED,
    )
)
