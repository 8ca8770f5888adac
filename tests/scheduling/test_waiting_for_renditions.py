"""The engine waits for the renditions a delivery sends, whatever their kind: it waits while
one is being made (in the kind's words), sends once it is made, and refuses in the kind's
words when the worker could not make it or the wait ran out.

A kind of the tests' own (a mark drawn with Pillow on the cover, sent to Facebook only)
shows the engine knows no kind by name; the Instagram-ready copy of a carousel's second
photo shows it with a real kind. The fallback poll is an hour away: a post that goes out
within a test was sent by the rendition being made.
"""

import datetime
import io

import pytest
import time_machine
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from library.models import MediaFile, Rendition
from library.processing import renditions
from library.processing.rendition_kinds import RenditionKind, register, unregister
from library.processing.services import rendition_make
from library.processing.storage import local_path
from library.processing.thumbnails import encode_jpeg, open_reduced
from media_content.models import MediaContent, ScheduledPost
from media_content.renditions_wanted import renditions_failed, renditions_pending
from publishing import engine as publishing
from tests.factories import MediaContentFactory, MediaFileFactory
from tests.processing.media import image_bytes

pytestmark = pytest.mark.django_db

HOUR = 3600
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
MARK_SPEC = "test-mark-cover"


def _draw_mark(file: MediaFile, spec: str) -> tuple[bytes, tuple[int, int]]:
    with local_path(file.file) as path:
        image = open_reduced(path, (640, 640)).convert("RGB")
    image.thumbnail((640, 640))
    ImageDraw.Draw(image).rectangle((0, 0, 40, 40), fill="yellow")
    return encode_jpeg(image, quality=85), image.size


MARK = RenditionKind(
    name="test-mark",
    prefix="test-mark-",
    make=_draw_mark,
    destinations=frozenset({"facebook"}),
    wanted=lambda post, items: [(items[0], MARK_SPEC)] if items[0].is_processed else [],
    error_field="ribbon_error",  # a field of the file; the post has no ribbon to judge it
    waiting="Waiting for the test mark.",
    late="the test mark on “{post.title}” was still being made {minutes} minutes after its time.",
    failed="We could not make the test mark: {error}",
)


@pytest.fixture
def mark():
    register(MARK)
    yield MARK
    unregister(MARK.name)


@pytest.fixture
def slow_fallback(settings):
    settings.PUBLISHING_PROCESSING_CHECK_SECONDS = HOUR


def _post(media: MediaContent, destination: str) -> ScheduledPost:
    return ScheduledPost.objects.create(
        organization=media.organization,
        media_content=media,
        title=media.title,
        destination=destination,
        scheduled_time=NOW,
    )


def _publish_at(when: datetime.datetime, post: ScheduledPost, capture, *, execute: bool) -> list:
    """Publish the post at ``when``; answers the callbacks of its commit (run if ``execute``)."""
    with time_machine.travel(when, tick=False), capture(execute=execute) as callbacks:
        publishing.publish_post(post_id=post.pk)
    return callbacks


def _state(post: ScheduledPost) -> tuple[str, int, str]:
    post.refresh_from_db()
    return post.status, post.attempts, post.last_error


def test_a_delivery_waits_for_its_rendition_then_goes_when_it_is_made(
    sunrise, counting, slow_fallback, mark, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_instagram=True)
    cover = media.lead_file
    facebook, instagram = _post(media, "facebook"), _post(media, "instagram")

    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as sent:
            publishing.publish_post(post_id=facebook.pk)
        assert _state(facebook) == ("pending", 1, "Waiting for the test mark.")
        assert facebook.next_attempt_at == NOW + datetime.timedelta(minutes=1, seconds=HOUR)
        assert len(sent) == 1  # the fallback poll only: this kind is not asked for again
        assert [w.spec for w in renditions_pending(media, "facebook")] == [MARK_SPEC]
        # Instagram does not send the mark: its delivery does not wait for it.
        with django_capture_on_commit_callbacks(execute=True):
            publishing.publish_post(post_id=instagram.pk)
        assert _state(instagram) == ("posted", 1, "")

        with django_capture_on_commit_callbacks(execute=True):  # the worker, then the nudge
            rendition_make(media_id=cover.pk, spec=MARK_SPEC)

    assert _state(facebook) == ("posted", 2, "")
    assert counting.calls == [instagram.pk, facebook.pk]
    drawn = Rendition.objects.get(media=cover, spec=MARK_SPEC)
    with drawn.file.open("rb") as handle:
        picture = Image.open(io.BytesIO(handle.read()))
        assert (picture.format, picture.size) == ("JPEG", (640, 427))
        red, green, blue = picture.convert("RGB").getpixel((10, 10))
        assert red > 200 and green > 200 and blue < 80  # the yellow mark


def test_a_rendition_the_worker_could_not_make_refuses_in_its_kinds_words(
    sunrise, counting, slow_fallback, mark, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    MediaFile.objects.filter(pk=media.lead_file.pk).update(ribbon_error="The mark would not fit.")
    media.forget_files()
    post = _post(media, "facebook")

    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert renditions_pending(media, "facebook") == []  # failed: nothing to wait for
        assert [w.spec for w in renditions_failed(media, "facebook")] == [MARK_SPEC]
        with django_capture_on_commit_callbacks(execute=True):
            publishing.publish_post(post_id=post.pk)

    assert _state(post) == (
        "failed",
        1,
        "Not sent: We could not make the test mark: The mark would not fit.",
    )
    assert counting.calls == []


def test_past_the_wait_the_delivery_is_refused_in_its_kinds_words_and_the_rendition_asked_again(
    sunrise, counting, mark, settings, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, title="Spring SUVs", post_to_facebook=True)
    post = _post(media, "facebook")
    past_the_wait = NOW + datetime.timedelta(
        seconds=settings.PUBLISHING_WAIT_FOR_PROCESSING_SECONDS + 1
    )
    asked_again = _publish_at(
        past_the_wait, post, django_capture_on_commit_callbacks, execute=False
    )
    assert _state(post) == (
        "failed",
        1,
        "Not sent: the test mark on “Spring SUVs” was still being made 15 minutes after its time.",
    )
    assert counting.calls == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in asked_again:
            callback()
    assert Rendition.objects.filter(media=media.lead_file, spec=MARK_SPEC).exists()


# --- A real kind: the Instagram-ready copy of a carousel's second photo ----------------


def _carousel_with_a_png(organization) -> tuple[MediaContent, MediaFile]:
    png = image_bytes(1000, 2000, fmt="PNG")  # PNG and taller than 4:5: sent as its copy
    second = MediaFileFactory(
        organization=organization,
        file=ContentFile(png, name="tall.png"),
        container="PNG",
        content_type="image/png",
        width=1000,
        height=2000,
        size_bytes=len(png),
    )
    cover = MediaFileFactory(organization=organization, width=1080, height=1350)  # 4:5 as the copy
    media = MediaContentFactory(
        organization=organization, files=[cover, second], post_to_instagram=True
    )
    return media, second


def test_a_carousel_waits_for_its_second_photos_copy_and_past_the_wait_asks_for_that_one(
    sunrise, counting, slow_fallback, settings, django_capture_on_commit_callbacks
):
    media, second = _carousel_with_a_png(sunrise)
    post = _post(media, "instagram")
    _publish_at(
        NOW + datetime.timedelta(minutes=1), post, django_capture_on_commit_callbacks, execute=False
    )
    assert _state(post) == ("pending", 1, "Waiting for the Instagram-ready copy.")

    ScheduledPost.objects.filter(pk=post.pk).update(next_attempt_at=None)  # the poll is due
    past_the_wait = NOW + datetime.timedelta(
        seconds=settings.PUBLISHING_WAIT_FOR_PROCESSING_SECONDS + 1
    )
    asked_again = _publish_at(
        past_the_wait, post, django_capture_on_commit_callbacks, execute=False
    )
    assert _state(post) == (
        "failed",
        2,
        "Not sent: the Instagram-ready copy was still being made 15 minutes after its time. "
        "Once the library shows the copy ready, send it again.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        for callback in asked_again:
            callback()
    [copy] = Rendition.objects.filter(spec__startswith="instagram-")
    assert (copy.media_id, copy.spec, copy.width, copy.height) == (
        second.pk,
        "instagram-pad",
        1440,
        1800,
    )
    assert counting.calls == []


def test_a_carousel_goes_once_its_second_photos_copy_is_made(
    sunrise, counting, slow_fallback, django_capture_on_commit_callbacks
):
    media, second = _carousel_with_a_png(sunrise)
    post = _post(media, "instagram")
    a_minute_late = NOW + datetime.timedelta(minutes=1)
    _publish_at(a_minute_late, post, django_capture_on_commit_callbacks, execute=False)
    assert _state(post)[0] == "pending"
    with (
        time_machine.travel(a_minute_late, tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the worker, then the nudge
    ):
        rendition_make(media_id=second.pk, spec="instagram-pad")
    assert _state(post) == ("posted", 2, "")
    assert counting.calls == [post.pk]


def test_a_carousel_photo_whose_copy_failed_is_refused_at_once_naming_it(
    sunrise, counting, slow_fallback, monkeypatch, django_capture_on_commit_callbacks
):
    media, second = _carousel_with_a_png(sunrise)
    monkeypatch.setattr(renditions, "IG_IMAGE_MAX_BYTES", 100)  # no JPEG gets that small
    rendition_make(media_id=second.pk, spec="instagram-pad")
    post = _post(media, "instagram")
    _publish_at(
        NOW + datetime.timedelta(minutes=1), post, django_capture_on_commit_callbacks, execute=True
    )
    words = (
        f"“{second.title}” (item 2): We could not make the Instagram-ready copy: "
        "The Instagram copy stays over 8 MB even at low quality."
    )
    assert _state(post) == ("failed", 1, f"Not sent: {words}")
    # The checks and the registry say it in the same words.
    [failed] = renditions_failed(media, "instagram")
    assert failed.failed_words() == words
    assert counting.calls == []
