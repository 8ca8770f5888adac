"""The Instagram-ready copy for dealers: choosing Instagram makes it in the worker.

A PNG, or an image outside 4:5..1.91:1, ticked for Instagram gets its copy
(of the dealer's fit, pad or crop) from the ``make_rendition`` task after the
commit; meanwhile the check says it is being made, scheduling is not refused
and the publisher waits for it. What the copy cannot fix stays refused.
"""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from library.models import Rendition
from library.processing import renditions
from library.processing.renditions import INSTAGRAM_CROP, INSTAGRAM_PAD
from library.processing.services import request_processing
from media_content import services
from media_content.models import MediaContent, ScheduledPost
from media_content.post_checks import validate_for
from publishing import engine as publishing

from .media import image_bytes

pytestmark = pytest.mark.django_db

JSON = {"headers": {"accept": "application/json"}}


def _tall_png() -> bytes:
    return image_bytes(1000, 2000, fmt="PNG")  # PNG and taller than 4:5: two errors


def _processed_without_the_copy(media, capture):
    """Run processing as the commit would, holding back the copy's task; answers its callbacks."""
    with capture(execute=False) as first:
        request_processing(media=media.lead_file)
    with capture(execute=False) as second:
        for callback in first:
            callback()  # process_media (eager): READY, then asks for the copy after its commit
    media.refresh_from_db()
    return second


def _schedule_tomorrow(media) -> MediaContent:
    """The dealer schedules the item (its chosen destinations) for tomorrow, as an edit does."""
    when = timezone.now() + datetime.timedelta(days=1)
    MediaContent.objects.filter(pk=media.pk).update(
        status=MediaContent.Status.SCHEDULED, scheduled_post_time=when
    )
    media.refresh_from_db()
    return services.media_update(media=media, when=when)


def _run(callbacks) -> None:
    for callback in callbacks:
        callback()


def _image_size(rendition: Rendition) -> tuple[str, tuple[int, int]]:
    with default_storage.open(rendition.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image.format, image.size


def test_a_png_ticked_for_instagram_gets_its_copy_from_the_worker(
    make_media, django_capture_on_commit_callbacks
):
    media = make_media(_tall_png(), "tall.png", post_to_instagram=True)
    held = _processed_without_the_copy(media, django_capture_on_commit_callbacks)
    assert media.lead_file.processing_status == MediaContent.ProcessingStatus.READY
    assert not media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS).exists()

    result = validate_for(media.items()[0], "instagram")
    assert result.errors == []
    [state] = result.preparing
    assert state.startswith("An Instagram-ready copy is being made (padded).")
    assert "Instagram takes only JPEG images; this is PNG." in state
    # Scheduling is not refused while the copy is being made.
    _schedule_tomorrow(media)
    [post] = media.posts.filter(status=ScheduledPost.Status.PENDING)
    assert post.destination == "instagram"

    assert len(held) == 1  # "the file is ready": the post side then asks for the copy
    with django_capture_on_commit_callbacks(execute=True):
        _run(held)
    copy = media.lead_file.renditions.get(spec=INSTAGRAM_PAD)
    assert _image_size(copy) == ("JPEG", (1440, 1800))  # bars at the sides, to 4:5
    result = validate_for(media.items()[0], "instagram")
    assert result.errors == [] and result.preparing == []
    assert "The Instagram-ready JPEG copy (padded) will be posted instead of the original." in (
        result.warnings
    )


def test_uploading_a_png_for_instagram_with_crop_makes_the_cropped_copy(
    sunrise_client, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("tall.png", _tall_png(), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post(
            "/marketing/media",
            {
                "media_file": upload,
                "title": "Tall lot photo",
                "post_to_instagram": "on",
                "instagram_fit": "crop",
                "schedule_mode": "draft",
            },
            **JSON,
        )
    assert response.status_code == 201, response.content
    media = MediaContent.objects.get(title="Tall lot photo")
    assert media.instagram_fit == "crop"
    [copy] = media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS)
    assert copy.spec == INSTAGRAM_CROP
    assert _image_size(copy) == ("JPEG", (1000, 1250))  # top and bottom cut, to 4:5
    item = sunrise_client.get(f"/marketing/media/{media.pk}/get").json()
    assert item["instagram_fit"] == "crop"
    assert item["instagram_copy"]["needed"] is True
    assert item["instagram_copy"]["url"] == copy.url
    assert any("(cropped) will be posted" in w for w in item["checks"]["instagram"]["warnings"])


def test_switching_the_fit_replaces_the_copy(
    sunrise_client, make_media, process, django_capture_on_commit_callbacks
):
    media = process(make_media(_tall_png(), "tall.png", post_to_instagram=True))
    padded = media.lead_file.renditions.get(spec=INSTAGRAM_PAD)
    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post(
            f"/marketing/media/{media.pk}/update",
            {"title": media.title, "post_to_instagram": "on", "instagram_fit": "crop"},
            **JSON,
        )
    assert response.status_code == 200, response.content
    assert response.json()["instagram_fit"] == "crop"
    assert not Rendition.objects.filter(pk=padded.pk).exists()
    assert not default_storage.exists(padded.file.name)  # the old copy's file went at commit
    [copy] = media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS)
    assert copy.spec == INSTAGRAM_CROP and (copy.width, copy.height) == (1000, 1250)

    # An edit that does not send the fit keeps it.
    with django_capture_on_commit_callbacks(execute=True):
        sunrise_client.post(
            f"/marketing/media/{media.pk}/update",
            {"title": "Renamed", "post_to_instagram": "on"},
            **JSON,
        )
    media.refresh_from_db()
    assert media.instagram_fit == "crop"
    assert list(media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS)) == [copy]


def test_ticking_instagram_in_an_edit_asks_for_the_copy(
    make_media, process, django_capture_on_commit_callbacks
):
    media = process(make_media(_tall_png(), "tall.png"))
    assert not media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS).exists()
    with django_capture_on_commit_callbacks(execute=False) as held:
        services.media_update(media=media, post_to_instagram=True)
    assert not media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS).exists()
    _run(held)
    assert media.lead_file.renditions.get(spec=INSTAGRAM_PAD).height == 1800


def test_a_copy_of_the_old_fit_finished_after_the_switch_is_not_kept(
    make_media, process, django_capture_on_commit_callbacks
):
    """A worker still making the padded copy when the dealer picks crop keeps nothing."""
    media = process(make_media(_tall_png(), "tall.png"))
    seen_by_the_worker = MediaContent.objects.get(pk=media.pk)  # still "pad"
    with django_capture_on_commit_callbacks(execute=False):
        services.media_update(media=media, instagram_fit="crop")
    assert (
        renditions.rendition_get_or_create(media=seen_by_the_worker.lead_file, spec=INSTAGRAM_PAD)
        is None
    )
    assert not media.lead_file.renditions.filter(spec=INSTAGRAM_PAD).exists()


def test_a_file_still_processing_gets_its_copy_when_processing_finishes(
    make_media, django_capture_on_commit_callbacks
):
    media = make_media(_tall_png(), "tall.png", post_to_instagram=True)
    from library.processing import ProcessingFailed
    from media_content.instagram_copies import request_instagram_copy

    with pytest.raises(ProcessingFailed, match="not processed yet"):
        request_instagram_copy(media=media)
    with django_capture_on_commit_callbacks(execute=True):
        request_processing(media=media.lead_file)
    assert media.lead_file.renditions.filter(spec=INSTAGRAM_PAD).exists()


def test_the_publisher_waits_for_the_copy_then_sends_it(
    make_media, django_capture_on_commit_callbacks, settings
):
    media = make_media(_tall_png(), "tall.png", post_to_instagram=True)
    held = _processed_without_the_copy(media, django_capture_on_commit_callbacks)
    post = ScheduledPost.objects.create(
        organization=media.organization,
        media_content=media,
        title=media.title,
        destination="instagram",
        scheduled_time=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=False):
        waiting = publishing.publish_post(post_id=post.pk)
    assert waiting.status == ScheduledPost.Status.PENDING
    assert waiting.last_error == "Waiting for the Instagram-ready copy."

    with django_capture_on_commit_callbacks(execute=True):
        _run(held)  # the copy is made, and the post waiting for it goes at once
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED  # the sandbox in tests


def test_waiting_for_the_copy_is_bounded_then_refused_in_words(
    make_media, django_capture_on_commit_callbacks, settings
):
    media = make_media(_tall_png(), "tall.png", post_to_instagram=True)
    _processed_without_the_copy(media, django_capture_on_commit_callbacks)  # its task is lost
    post = ScheduledPost.objects.create(
        organization=media.organization,
        media_content=media,
        title=media.title,
        destination="instagram",
        scheduled_time=timezone.now(),
    )
    past_the_wait = timezone.now() + datetime.timedelta(
        seconds=settings.PUBLISHING_WAIT_FOR_PROCESSING_SECONDS + 1
    )
    with (
        time_machine.travel(past_the_wait, tick=False),
        django_capture_on_commit_callbacks(execute=False) as asked_again,
    ):
        refused = publishing.publish_post(post_id=post.pk)
    assert refused.status == ScheduledPost.Status.FAILED
    assert refused.last_error.startswith(
        "Not sent: the Instagram-ready copy was still being made 15 minutes after its time."
    )
    _run(asked_again)  # the copy is asked for again, so the dealer's retry finds it
    assert media.lead_file.renditions.filter(spec=INSTAGRAM_PAD).exists()


def test_a_video_the_copy_cannot_fix_stays_refused(make_media, django_capture_on_commit_callbacks):
    video = make_media(
        b"\x00" * 100,
        "clip.webm",
        media_type=MediaContent.MediaType.VIDEO,
        processing_status=MediaContent.ProcessingStatus.READY,
        container="matroska,webm",
        video_codec="vp9",
        audio_codec="opus",
        width=1080,
        height=1920,
        duration=30.0,
        frame_rate=30.0,
        status=MediaContent.Status.SCHEDULED,
        scheduled_post_time=timezone.now() + datetime.timedelta(days=1),
    )
    with (
        django_capture_on_commit_callbacks(execute=False) as sent,
        pytest.raises(ValidationError) as refused,
    ):
        services.media_update(media=video, post_to_instagram=True)
    assert refused.value.message_dict["post_to_instagram"] == [
        "Cannot schedule Instagram: Instagram Reels must be MP4 or MOV files; this is matroska."
    ]
    assert sent == [] and not video.lead_file.renditions.exists()


def test_an_image_instagram_cannot_fetch_stays_refused_and_no_copy_is_made(
    make_media, process, settings, django_capture_on_commit_callbacks
):
    """With a real publisher and files on this server's disk, a copy would not help."""
    settings.PUBLISHERS = {**settings.PUBLISHERS, "instagram": "social.publishers.GraphInstagram"}
    media = process(make_media(_tall_png(), "tall.png", post_to_instagram=True))
    assert not media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS).exists()
    errors = validate_for(media.items()[0], "instagram").errors
    assert errors[0].startswith("Instagram fetches the file from the internet itself")
    assert "Instagram takes only JPEG images; this is PNG." in errors
    with pytest.raises(ValidationError) as refused:
        _schedule_tomorrow(media)
    assert refused.value.message_dict["post_to_instagram"][0].startswith(
        "Cannot schedule Instagram: Instagram fetches the file from the internet itself"
    )


def test_a_copy_the_worker_cannot_make_is_an_error_in_words(
    make_media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(renditions, "IG_IMAGE_MAX_BYTES", 100)  # no JPEG gets that small
    media = make_media(_tall_png(), "tall.png", post_to_instagram=True)
    with django_capture_on_commit_callbacks(execute=True):
        request_processing(media=media.lead_file)
    media.refresh_from_db()
    assert not media.lead_file.renditions.filter(spec__in=renditions.INSTAGRAM_SPECS).exists()
    assert validate_for(media.items()[0], "instagram").errors == [
        "We could not make the Instagram-ready copy: "
        "The Instagram copy stays over 8 MB even at low quality."
    ]
    with pytest.raises(ValidationError, match="Cannot schedule Instagram: We could not make"):
        _schedule_tomorrow(media)
