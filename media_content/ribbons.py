"""Ribbons on a post's cover photo: "Just arrived", "Price drop: $12,900", "SOLD".

A band across the bottom of the photo in the dealership's colour
(``Organization.brand_colour``), the ribbon's text on the left and the
dealership's name on the right, in the fonts that ship with the project, scaled
to the photo. Its text colour, white or near-black, is whichever contrasts more
with the band (WCAG 2 contrast ratio).

The picture is a ``Rendition`` of the cover (the post's lead item). Its spec
says what is drawn: ``ribbon-<text as a slug>-<digest>``, the digest covering
the text, the colour, the name and the shape, so a changed price, colour or
name is a new spec and never a stale picture. The shape is Instagram's (the
item's fit, 4:5..1.91:1, 320..1440 px wide, under 8 MB, as the Instagram-ready
copy) when the post goes to Instagram, else the photo as it is, at most 2048 px
on its longest side (what Facebook shows). One picture serves every
destination: Facebook, Instagram and the website banner. The worker draws it
(``request_ribbon``); nothing here draws in a request. Registered from here as a
rendition kind in the file library's registry (``processing.rendition_kinds``), so the
library makes it and the publishing engine waits for it without either naming it.
"""

import hashlib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from library.models import MediaFile, Rendition
from library.processing import ProcessingFailed
from library.processing.limits import IG_IMAGE_MAX_BYTES, IG_IMAGE_MAX_WIDTH
from library.processing.placeholder import ELLIPSIS, draw_text, fonts_at, text_width
from library.processing.rendition_kinds import RenditionKind, register
from library.processing.renditions import (
    instagram_ready,
    jpeg_under,
    renditions_delete,
    request_rendition,
)
from library.processing.storage import local_path
from library.processing.thumbnails import open_reduced

from .models import MediaContent

PREFIX = "ribbon-"
LIGHT_TEXT = (255, 255, 255)
DARK_TEXT = (17, 24, 39)  # near-black, as the title card's text
PLAIN_LONGEST_SIDE = 2048  # Facebook shows photos up to 2048 px wide
BAND_SHARE = 0.15  # the band's height, a share of the photo's shorter side
MIN_BAND = 24
# Why the ribbon could not be drawn, as the checks and the engine's refusal say it.
RIBBON_FAILED = (
    "We could not draw the ribbon “{post.ribbon_text}” on the cover photo: {error} "
    "Remove the ribbon or change the first photo."
)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2's relative luminance of an sRGB colour (0 black to 1 white)."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2's contrast ratio, 1 (none) to 21 (black on white)."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near-black, whichever reads better on ``background``."""
    light = contrast_ratio(LIGHT_TEXT, background)
    return LIGHT_TEXT if light >= contrast_ratio(DARK_TEXT, background) else DARK_TEXT


def _fit(text: str, *, width: float, fonts) -> str:
    """``text`` cut with an ellipsis to ``width`` (empty when not even that fits)."""
    if text_width(text, fonts) <= width:
        return text
    while text and text_width(text + ELLIPSIS, fonts) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS if text.strip() else ""


def draw_ribbon(image: Image.Image, *, text: str, name: str, colour: str) -> Image.Image:
    """The photo with a band across its bottom: ``text`` left, the dealership's ``name`` right.

    Sizes follow the photo's shorter side; a long text shrinks (to half its size)
    before the name gives way, cut with an ellipsis, then left out.
    """
    image = image.convert("RGB")
    width, height = image.size
    band = max(MIN_BAND, round(min(width, height) * BAND_SHARE))
    pad = max(4, round(band * 0.35))
    background = hex_to_rgb(colour)
    ink = text_colour_on(background)
    draw = ImageDraw.Draw(image)
    top = height - band
    draw.rectangle((0, top, width, height), fill=background)
    room = width - 2 * pad
    size = max(8, round(band * 0.5))
    main_fonts = fonts_at(size)
    while size > band * 0.25 and text_width(text, main_fonts) > room:
        size -= 1
        main_fonts = fonts_at(size)
    text = _fit(text, width=room, fonts=main_fonts)
    main_width = text_width(text, main_fonts)
    name_fonts = fonts_at(max(7, round(band * 0.3)))
    name = _fit(name, width=room - main_width - pad, fonts=name_fonts) if name.strip() else ""
    _draw_centred(draw, text, x=pad, top=top, band=band, fonts=main_fonts, fill=ink, bold=True)
    if name:
        x = width - pad - text_width(name, name_fonts)
        _draw_centred(draw, name, x=x, top=top, band=band, fonts=name_fonts, fill=ink)
    return image


def _draw_centred(draw, line: str, *, x: float, top: int, band: int, fonts, fill, bold=False):
    _, y0, _, y1 = fonts[0].getbbox("Hg")
    y = top + band / 2 - (y0 + y1) / 2
    stroke = max(1, fonts[0].size // 28) if bold else 0
    draw_text(draw, (x, y), line, fonts=fonts, fill=fill, stroke_width=stroke)


# --- The rendition of a post's cover ----------------------------------------------------


@dataclass(frozen=True)
class Ribbon:
    """What a post's ribbon shows, and the shape of the picture it is drawn on."""

    text: str
    name: str
    colour: str
    shape: str  # "plain", "instagram-pad" or "instagram-crop"

    @property
    def spec(self) -> str:
        seen = "\x1f".join((self.text, self.colour.lower(), self.name, self.shape))
        digest = hashlib.sha256(seen.encode()).hexdigest()[:12]
        return f"{PREFIX}{slugify(self.text)[:32].strip('-') or 'text'}-{digest}"


def is_ribbon_spec(spec: str) -> bool:
    return spec.startswith(PREFIX)


def ribbon_wanted(media: MediaContent) -> Ribbon | None:
    """The ribbon the post led by ``media`` asks for (photos only), with today's settings."""
    if not media.ribbon_text or media.media_type != MediaContent.MediaType.IMAGE:
        return None
    organization = media.organization
    shape = f"instagram-{media.instagram_fit}" if media.goes_to_instagram else "plain"
    return Ribbon(
        text=media.ribbon_text,
        name=organization.name,
        colour=organization.brand_colour,
        shape=shape,
    )


def ribbon_of_spec(file: MediaFile, spec: str) -> Ribbon | None:
    """The ribbon a post whose cover is ``file`` asks for under ``spec`` (None: none does)."""
    posts = (
        MediaContent.objects.filter(post_files__file_id=file.pk, post_files__position=0)
        .exclude(ribbon_text="")
        .select_related("organization")
    )
    for post in posts:
        ribbon = ribbon_wanted(post)
        if ribbon is not None and ribbon.spec == spec:
            return ribbon
    return None


def ribbon_spec(media: MediaContent) -> str | None:
    ribbon = ribbon_wanted(media)
    return ribbon.spec if ribbon else None


def ribbon_for(media: MediaContent) -> Rendition | None:
    """The cover with today's ribbon, once the worker has drawn it (else None)."""
    spec = ribbon_spec(media)
    return media.lead_file.renditions.filter(spec=spec).first() if spec else None


def ribbon_pending(media: MediaContent) -> bool:
    """The worker still has to draw the ribbon this processed photo's post asks for."""
    cover = media.lead_file
    return (
        cover is not None
        and cover.processing_status == MediaContent.ProcessingStatus.READY
        and not cover.ribbon_error
        and ribbon_spec(media) is not None
        and ribbon_for(media) is None
    )


def render_ribbon(file: MediaFile, ribbon: Ribbon) -> tuple[bytes, tuple[int, int]]:
    """The JPEG of the cover ``file`` with ``ribbon`` drawn on it: oriented, without EXIF or GPS."""
    with local_path(file.file) as path:
        if ribbon.shape == "plain":
            image = open_reduced(path, (PLAIN_LONGEST_SIDE, PLAIN_LONGEST_SIDE))
            image.thumbnail((PLAIN_LONGEST_SIDE, PLAIN_LONGEST_SIDE), Image.Resampling.LANCZOS)
        else:  # the Instagram-ready copy's very shape, so the carousel's checks hold
            image = open_reduced(path, (IG_IMAGE_MAX_WIDTH * 2, IG_IMAGE_MAX_WIDTH * 2))
            image = instagram_ready(image, mode=ribbon.shape.removeprefix("instagram-"))
    if min(image.size) < MIN_BAND * 2:
        raise ProcessingFailed("The photo is too small to draw a ribbon on.")
    drawn = draw_ribbon(image, text=ribbon.text, name=ribbon.name, colour=ribbon.colour)
    return jpeg_under(drawn, limit=IG_IMAGE_MAX_BYTES, what="The ribbon's picture"), drawn.size


def _make_ribbon(file: MediaFile, spec: str) -> tuple[bytes, tuple[int, int]]:
    ribbon = ribbon_of_spec(file, spec)
    if ribbon is None:
        raise ProcessingFailed("No post asks for this ribbon any more.")
    return render_ribbon(file, ribbon)


def _ribbon_still_asked(file: MediaFile, spec: str) -> bool:
    """The processed cover of a post that asks for this very ribbon (text, colour, name, shape)."""
    return (
        file.processing_status == MediaFile.ProcessingStatus.READY
        and ribbon_of_spec(file, spec) is not None
    )


def _cover_wanted(post: MediaContent, items: list) -> list[tuple[object, str]]:
    """The processed cover, with the ribbon the post asks for."""
    spec = ribbon_spec(post)
    return [(items[0], spec)] if spec and items and items[0].is_processed else []


def request_ribbon(*, media: MediaContent) -> str | None:
    """Have the worker draw the ribbon the post asks for, after the commit, if not drawn yet.

    Only for processed photos: processing asks for it itself when it finishes.
    Answers the spec to look for (None: no ribbon, or not yet processed).
    """
    spec = ribbon_spec(media)
    cover = media.lead_file
    if spec is None or cover is None or cover.processing_status != MediaFile.ProcessingStatus.READY:
        return None
    if cover.renditions.filter(spec=spec).exists():
        return spec
    if cover.ribbon_error:
        MediaFile.objects.filter(pk=cover.pk).update(ribbon_error="")
        cover.ribbon_error = ""
    request_rendition(file_id=cover.pk, spec=spec)
    return spec


def ribbon_follow_choice(*, media: MediaContent) -> str | None:
    """Keep the cover's ribbon picture in line with the post: the text, its destinations and
    fit (the shape), the dealership's name and colour. Ribbons no post of the cover asks
    for any more are removed (rows now, files after the commit unless a banner still shows
    one); the one asked for is requested. Call inside the transaction that made the change."""
    cover = media.lead_file
    if cover is None:
        return None
    wanted = {
        spec
        for post in MediaContent.objects.filter(post_files__file=cover, post_files__position=0)
        .exclude(pk=media.pk)
        .exclude(ribbon_text="")
        .select_related("organization")
        if (spec := ribbon_spec(post))
    } | {ribbon_spec(media) or ""}
    stale = cover.renditions.filter(spec__startswith=PREFIX).exclude(spec__in=wanted)
    specs = tuple(stale.values_list("spec", flat=True))
    if specs:
        renditions_delete(media=cover, specs=specs)
    return request_ribbon(media=media)


def ribbon_set(*, media: MediaContent, text: str) -> str | None:
    """Draw ``text`` as a ribbon on the cover of the post ``media`` ("" removes it)."""
    text = " ".join(text.split())[: MediaContent._meta.get_field("ribbon_text").max_length]
    MediaContent.objects.filter(pk=media.pk).update(ribbon_text=text, updated_at=timezone.now())
    media.ribbon_text = text
    cover = media.lead_file
    if cover is not None and cover.ribbon_error:
        MediaFile.objects.filter(pk=cover.pk).update(ribbon_error="")
        cover.ribbon_error = ""
    return ribbon_follow_choice(media=media)


def ribbon_summary(media: MediaContent) -> dict | None:
    """For the portal: the ribbon this post asks for, and its picture once drawn."""
    if not media.ribbon_text:
        return None
    drawn = ribbon_for(media)
    return {
        "text": media.ribbon_text,
        "url": drawn.url if drawn else "",
        "size": [drawn.width, drawn.height] if drawn else None,
        "pending": ribbon_pending(media),
        "photo": media.media_type == MediaContent.MediaType.IMAGE,
        "error": media.lead_file.ribbon_error if media.lead_file else "",
    }


RIBBON = register(
    RenditionKind(
        name="ribbon",
        prefix=PREFIX,
        make=_make_ribbon,
        still_asked=_ribbon_still_asked,
        destinations=None,  # one picture of the cover serves every destination
        wanted=_cover_wanted,
        follow=ribbon_follow_choice,
        error_field="ribbon_error",
        waiting="Waiting for the ribbon to be drawn on the cover photo.",
        late="the ribbon “{post.ribbon_text}” was still being drawn on the cover photo "
        "{minutes} minutes after its time. Once the post's page shows the ribbon, send it again.",
        failed=RIBBON_FAILED,
        ask_again_while_waiting=True,  # it may have changed, or its task been lost
    )
)
