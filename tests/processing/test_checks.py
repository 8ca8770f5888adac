"""Per-destination checks at their boundaries, and the Instagram-ready fix."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from library.processing.renditions import (
    INSTAGRAM_CROP,
    INSTAGRAM_PAD,
    rendition_get_or_create,
)
from media_content.models import MediaContent, PostItem
from media_content.post_checks import MB, destination_checks, validate_for

from .media import image_bytes

pytestmark = pytest.mark.django_db

IMAGE, VIDEO = MediaContent.MediaType.IMAGE, MediaContent.MediaType.VIDEO
READY = MediaContent.ProcessingStatus.READY


def _image(make_media, **fields) -> PostItem:
    """A post of one photo, as the checks read it: its file with the post's choices."""
    defaults = {"width": 1080, "height": 1080, "container": "JPEG", "processing_status": READY}
    media = make_media(image_bytes(64, 64), "photo.jpg", **(defaults | fields))
    return media.items()[0]


def _video(make_media, **fields) -> PostItem:
    defaults = {
        "width": 1080,
        "height": 1920,
        "duration": 30.0,
        "container": "mov,mp4,m4a,3gp,3g2,mj2",
        "video_codec": "h264",
        "audio_codec": "aac",
        "frame_rate": 30.0,
        "processing_status": READY,
    }
    media = make_media(b"\x00" * 100, "clip.mp4", media_type=VIDEO, **(defaults | fields))
    return media.items()[0]


def _errors(media, destination="instagram"):
    return validate_for(media, destination).errors


def _instagram_problems(media):
    """What Instagram refuses in the original: errors, or the reasons the copy will fix."""
    result = validate_for(media, "instagram")
    return result.errors + result.warnings


@pytest.mark.parametrize(
    ("width", "height", "ok"),
    [
        (1080, 1350, True),  # exactly 4:5
        (1080, 1351, False),  # a pixel taller than 4:5
        (1910, 1000, True),  # exactly 1.91:1
        (1911, 1000, False),  # a pixel wider than 1.91:1
        (1080, 566, True),  # Meta's own landscape example
    ],
)
def test_instagram_aspect_ratio_boundaries(make_media, width, height, ok):
    media = _image(make_media, width=width, height=height)
    assert (not any("aspect ratio" in e for e in _instagram_problems(media))) is ok


@pytest.mark.parametrize(("size", "ok"), [(8 * MB, True), (8 * MB + 1, False)])
def test_instagram_image_size_limit(make_media, size, ok):
    media = _image(make_media, size_bytes=size)
    assert (not any("8 MB" in e for e in _instagram_problems(media))) is ok


def test_instagram_takes_only_jpeg_and_offers_the_copy_that_fixes_it(make_media):
    result = validate_for(_image(make_media, container="PNG"), "instagram")
    assert result.errors == []  # choosing Instagram is not refused: the copy fixes it
    assert any(
        "only JPEG" in w and "Choosing Instagram makes an Instagram-ready JPEG copy (padded)" in w
        for w in result.warnings
    )


@pytest.mark.parametrize(
    ("width", "warned"), [(319, True), (320, False), (1440, False), (1441, True)]
)
def test_instagram_width_outside_320_to_1440_is_a_warning(make_media, width, warned):
    result = validate_for(_image(make_media, width=width, height=width), "instagram")
    assert not [e for e in result.errors if "px" in e]
    assert any("px wide" in w for w in result.warnings) is warned


def test_local_files_need_a_public_url_error_unless_the_sandbox_publishes(make_media, settings):
    media = _image(make_media)
    sandbox = validate_for(media, "instagram")
    assert not sandbox.errors and any("cannot reach" in w for w in sandbox.warnings)
    settings.PUBLISHERS = {**settings.PUBLISHERS, "instagram": "social.publishers.GraphInstagram"}
    assert any("Instagram cannot reach" in e for e in _errors(media))
    # Facebook takes a local file's bytes: no public address needed.
    settings.PUBLISHERS = {**settings.PUBLISHERS, "facebook": "social.publishers.GraphFacebook"}
    assert validate_for(media, "facebook").errors == []


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"duration": 2.9}, "at least 3 seconds"),
        ({"duration": 900.1}, "at most 15 minutes"),
        ({"video_codec": "vp9"}, "H.264 or HEVC"),
        ({"audio_codec": "mp3"}, "AAC"),
        ({"frame_rate": 22.0}, "23 to 60"),
        ({"frame_rate": 61.0}, "23 to 60"),
        ({"width": 1921, "height": 3414}, "1920 px wide"),
        ({"size_bytes": 300 * MB + 1}, "300 MB"),
        ({"container": "matroska,webm"}, "MP4 or MOV"),
    ],
)
def test_instagram_reels_rules(make_media, fields, fragment):
    assert any(fragment in e for e in _errors(_video(make_media, **fields)))


@pytest.mark.parametrize(
    "fields",
    [
        {"duration": 3.0},
        {"duration": 900.0},
        {"video_codec": "hevc"},
        {"audio_codec": ""},  # a silent Reel is fine
        {"frame_rate": 23.0},
        {"frame_rate": 60.0},
        {"width": 1920, "height": 3413},
        {"size_bytes": 300 * MB},
    ],
)
def test_instagram_reels_at_the_limits_pass(make_media, fields):
    assert _errors(_video(make_media, **fields)) == []


def test_landscape_reel_gets_a_framing_warning_not_an_error(make_media):
    result = validate_for(_video(make_media, width=1920, height=1080), "instagram")
    assert not result.errors and any("9:16" in w for w in result.warnings)


def test_facebook_photo_formats_and_sizes(make_media):
    assert _errors(_image(make_media, container="WEBP"), "facebook")
    assert not _errors(_image(make_media, container="PNG", size_bytes=MB), "facebook")
    png = validate_for(_image(make_media, container="PNG", size_bytes=MB + 1), "facebook")
    assert not png.errors and any("PNG photos under 1 MB" in w for w in png.warnings)
    assert not _errors(_image(make_media, size_bytes=10 * MB), "facebook")
    assert any(
        "10 MB" in e for e in _errors(_image(make_media, size_bytes=10 * MB + 1), "facebook")
    )


def test_facebook_video_rules(make_media):
    assert not _errors(_video(make_media, width=1920, height=1080), "facebook")
    assert _errors(_video(make_media, container="matroska,webm"), "facebook")
    assert any(
        "4 hours" in e for e in _errors(_video(make_media, duration=4 * 3600 + 1), "facebook")
    )
    wide = validate_for(_video(make_media, width=2400, height=1000), "facebook")
    assert not wide.errors and any("letterboxed" in w for w in wide.warnings)


@pytest.mark.parametrize(
    ("width", "errors", "warnings"), [(799, 1, 0), (800, 0, 1), (1199, 0, 1), (1200, 0, 0)]
)
def test_banner_minimum_width(make_media, width, errors, warnings):
    result = validate_for(_image(make_media, width=width, height=width // 3), "banner")
    assert (len(result.errors), len(result.warnings)) == (errors, warnings)


def test_videos_cannot_be_banners(make_media):
    assert any("must be images" in e for e in _errors(_video(make_media), "banner"))


def test_failed_processing_is_an_error_and_pending_a_warning(make_media):
    failed = _image(make_media, processing_status="failed", processing_error="moov atom not found")
    assert validate_for(failed, "facebook").errors == [
        "We could not process this file: moov atom not found"
    ]
    pending = validate_for(_image(make_media, processing_status="pending"), "facebook")
    assert not pending.errors and pending.warnings


def test_destination_checks_gives_every_destination_as_plain_data(make_media):
    checks = destination_checks(_image(make_media, container="PNG", width=3000, height=1000))
    assert set(checks) == {"facebook", "instagram", "banner"}
    assert all(set(value) == {"errors", "warnings", "preparing"} for value in checks.values())
    assert not checks["instagram"]["errors"] and not checks["facebook"]["errors"]
    assert any("Instagram-ready JPEG copy" in w for w in checks["instagram"]["warnings"])


@pytest.mark.parametrize(
    ("spec", "source", "expected"),
    [
        (INSTAGRAM_PAD, (3000, 1000), (1440, 754)),  # too wide: bars above and below
        (INSTAGRAM_CROP, (3000, 1000), (1440, 754)),  # too wide: sides cut
        (INSTAGRAM_PAD, (500, 1000), (800, 1000)),  # too tall: bars at sides
        (INSTAGRAM_CROP, (500, 1000), (500, 625)),  # too tall: top and bottom cut
        (INSTAGRAM_PAD, (200, 200), (320, 320)),  # too small: scaled up to 320
    ],
)
def test_instagram_ready_copy_of_a_png_passes_the_checks(
    make_media, process, spec, source, expected
):
    png = image_bytes(*source, fmt="PNG", mode="RGBA", halves=((0, 0, 0, 0), "blue"))
    media = process(make_media(png, "graphic.png", instagram_fit=spec.removeprefix("instagram-")))
    item = media.items()[0]
    assert any("Instagram takes only JPEG" in w for w in validate_for(item, "instagram").warnings)
    rendition = rendition_get_or_create(media=media.lead_file, spec=spec)
    with default_storage.open(rendition.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    assert image.format == "JPEG" and image.size == expected
    assert (rendition.width, rendition.height) == expected
    result = validate_for(item, "instagram")
    assert not [e for e in result.errors if "public web address" not in e]
    fit = "padded" if spec == INSTAGRAM_PAD else "cropped"
    assert f"The Instagram-ready JPEG copy ({fit}) will be posted instead of the original." in (
        result.warnings
    )
    assert rendition_get_or_create(media=media.lead_file, spec=spec).pk == rendition.pk  # made once


def test_requesting_the_instagram_copy_makes_it_after_the_commit(
    make_media, process, django_capture_on_commit_callbacks
):
    from media_content.instagram_copies import request_instagram_copy
    from media_content.selectors import media_destination_checks

    media = process(
        make_media(image_bytes(1000, 2000, fmt="PNG"), "tall.png", instagram_fit="crop")
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        spec = request_instagram_copy(media=media)
    assert not media.lead_file.renditions.filter(spec=spec).exists()  # made in the task
    for callback in callbacks:
        callback()
    rendition = media.lead_file.renditions.get(spec=spec)
    assert (rendition.width, rendition.height) == (1000, 1250)
    checks = media_destination_checks(media=media)["instagram"]
    assert [e for e in checks["errors"] if "public web address" not in e] == []
