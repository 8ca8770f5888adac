"""The processing task end to end, run eagerly after the commit as in production."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from dealer_media import broker
from library import tasks
from library.models import MediaFile, Rendition
from library.processing import metadata
from library.processing.renditions import DISPLAY, save_rendition
from media_content.models import MediaContent

pytestmark = pytest.mark.django_db

VIDEO = MediaContent.MediaType.VIDEO
Status = MediaContent.ProcessingStatus


def _stored_image(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_new_items_wait_as_pending(make_media, photo):
    media = make_media(photo(), "photo.jpg")
    assert media.lead_file.processing_status == Status.PENDING


def test_image_processing_records_metadata_thumbnail_and_display_rendition(
    make_media, photo, process
):
    media = process(make_media(photo(3000, 2000, gps=True), "photo.jpg"))
    file = media.lead_file
    assert file.processing_status == Status.READY and file.processing_error == ""
    assert (file.width, file.height, file.container) == (3000, 2000, "JPEG")
    assert media.thumbnail_url.endswith(".jpg") and not file.thumbnail_is_placeholder
    assert _stored_image(file.thumbnail.name).size == (400, 267)
    display = file.renditions.get(spec=DISPLAY)
    assert (display.width, display.height) == (1280, 853)
    assert "exif" not in _stored_image(display.file.name).info
    assert file.processed_at is not None


def test_video_processing_records_codecs_and_a_real_frame(make_media, video_bytes, process):
    media = process(make_media(video_bytes(), "clip.mp4", media_type=VIDEO))
    file = media.lead_file
    assert file.processing_status == Status.READY
    assert (file.width, file.height, file.video_codec, file.audio_codec) == (
        320,
        240,
        "h264",
        "aac",
    )
    assert file.frame_rate == 25 and file.bit_rate > 0
    assert file.duration == pytest.approx(3.0, abs=0.1)
    assert not file.thumbnail_is_placeholder
    assert _stored_image(file.thumbnail.name).size == (400, 300)


def test_truncated_mp4_fails_with_the_reason_and_shows_the_placeholder(
    make_media, video_bytes, process
):
    whole = video_bytes()
    media = process(make_media(whole[: len(whole) // 3], "cut.mp4", media_type=VIDEO))
    file = media.lead_file
    assert file.processing_status == Status.FAILED
    assert "moov atom not found" in file.processing_error
    assert file.thumbnail_is_placeholder
    assert _stored_image(file.thumbnail.name).size == (300, 200)


def test_a_crash_is_retried_a_bounded_number_of_times_then_marked_failed(
    make_media, photo, process, monkeypatch
):
    calls = []

    def crash(path):
        calls.append(path)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(metadata, "image_metadata", crash)
    media = process(make_media(photo(), "photo.jpg"))
    assert len(calls) == 1 + tasks.process_media.max_retries
    assert media.lead_file.processing_status == Status.FAILED
    assert "disk on fire" in media.lead_file.processing_error


def test_processing_a_deleted_item_does_nothing(make_media, photo):
    media = make_media(photo(), "photo.jpg")
    file = media.lead_file
    media.delete()  # the post, then its file
    file_id = file.pk
    file.delete()
    tasks.process_media.apply(args=[file_id]).get()
    assert not MediaFile.objects.filter(pk=file_id).exists()


def test_title_change_redraws_a_placeholder_under_a_new_name(
    make_media, video_bytes, process, django_capture_on_commit_callbacks
):
    from library.processing.services import request_placeholder_refresh

    media = process(make_media(b"\x00" * 4000, "broken.mp4", media_type=VIDEO, title="Old"))
    assert media.lead_file.thumbnail_is_placeholder
    old_name, old_pixels = (
        media.lead_file.thumbnail.name,
        _stored_image(media.lead_file.thumbnail.name).tobytes(),
    )
    media.title = "A brand new title for the weekend sale"
    media.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert request_placeholder_refresh(media=media.lead_file, title=media.title)
    media.refresh_from_db()
    assert media.lead_file.thumbnail.name != old_name
    assert not default_storage.exists(old_name)
    assert _stored_image(media.lead_file.thumbnail.name).tobytes() != old_pixels


def test_title_change_never_replaces_a_real_video_frame(
    make_media, video_bytes, process, django_capture_on_commit_callbacks
):
    media = process(make_media(video_bytes(), "clip.mp4", media_type=VIDEO))
    frame = media.lead_file.thumbnail.name
    # Even when asked directly with the frame's URL, the task leaves it alone.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.regenerate_video_thumbnail.delay(
            "New title", media.organization_id, media.thumbnail_url
        )
    media.refresh_from_db()
    assert media.lead_file.thumbnail.name == frame and not media.lead_file.thumbnail_is_placeholder


def test_another_dealerships_url_changes_nothing(
    make_media, process, lakeside, django_capture_on_commit_callbacks
):
    media = process(make_media(b"\x00" * 4000, "broken.mp4", media_type=VIDEO))
    before = media.lead_file.thumbnail.name
    with django_capture_on_commit_callbacks(execute=True):
        tasks.regenerate_video_thumbnail.delay("Hijack", lakeside.pk, media.thumbnail_url)
    media.refresh_from_db()
    assert media.lead_file.thumbnail.name == before


def test_reprocessing_gives_the_thumbnail_a_new_name_and_removes_the_old_file(
    make_media, photo, process
):
    media = process(make_media(photo(), "photo.jpg"))
    first_thumb = media.lead_file.thumbnail.name
    first_display = media.lead_file.renditions.get(spec=DISPLAY).file.name
    media = process(media)
    assert media.lead_file.thumbnail.name != first_thumb
    assert not default_storage.exists(first_thumb)
    assert not default_storage.exists(first_display)
    assert media.lead_file.renditions.count() == 1


def test_deleting_an_item_deletes_its_thumbnail_and_renditions_after_commit(
    make_media, photo, process, django_capture_on_commit_callbacks
):
    media = process(make_media(photo(), "photo.jpg"))
    names = [media.lead_file.thumbnail.name, media.lead_file.renditions.get().file.name]
    assert all(default_storage.exists(name) for name in names)
    file = media.lead_file
    media.delete()  # the post; then its file of the library
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        file.delete()
    assert all(default_storage.exists(name) for name in names)  # not before the commit
    for callback in callbacks:
        callback()
    assert not any(default_storage.exists(name) for name in names)


def test_a_thumbnail_shared_with_a_banner_is_kept(
    make_media, photo, process, django_capture_on_commit_callbacks
):
    from banners.services import banner_from_media

    media = process(make_media(photo(1600, 600), "banner.jpg"))
    banner = banner_from_media(media=media)
    with django_capture_on_commit_callbacks(execute=True):
        media.delete()
    assert default_storage.exists(banner.thumbnail.name)


def test_a_rendition_is_made_once_per_spec_even_when_two_workers_race(make_media, photo):
    media = make_media(photo(), "photo.jpg")
    first = save_rendition(media=media.lead_file, spec=DISPLAY, data=b"first", size=(1, 1))
    second = save_rendition(media=media.lead_file, spec=DISPLAY, data=b"second", size=(1, 1))
    assert second.pk == first.pk
    assert Rendition.objects.filter(media=media.lead_file).count() == 1
    stored = sorted(default_storage.listdir(f"org-{media.organization_id}/renditions")[1])
    assert stored == [first.file.name.rsplit("/", 1)[-1]]  # the loser's file is gone


def test_a_file_that_keeps_killing_workers_is_given_up_after_a_bounded_number_of_runs(
    make_media, photo
):
    from library.processing.services import MAX_PROCESSING_ATTEMPTS

    media = make_media(photo(), "photo.jpg", processing_attempts=MAX_PROCESSING_ATTEMPTS)
    tasks.process_media.apply(args=[media.lead_file.pk]).get()
    media.refresh_from_db()
    assert media.lead_file.processing_status == Status.FAILED
    assert f"started {MAX_PROCESSING_ATTEMPTS} times" in media.lead_file.processing_error


def test_each_run_counts_and_a_new_request_starts_counting_again(make_media, photo, process):
    media = process(make_media(photo(), "photo.jpg"))
    assert media.lead_file.processing_attempts == 1
    assert process(media).lead_file.processing_attempts == 1


def test_a_decompression_bomb_fails_cleanly_without_retries(
    make_media, photo, process, monkeypatch
):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    media = process(make_media(photo(640, 480), "huge.jpg"))
    file = media.lead_file
    assert file.processing_status == Status.FAILED
    assert "not an image we can read" in file.processing_error
    assert file.processing_attempts == 1


def test_the_processing_tasks_keep_the_names_queued_messages_and_beat_use():
    """They moved from media_content.tasks to library.tasks under their old names."""
    assert [task.name for task in (tasks.process_media, tasks.make_rendition)] == [
        broker.PROCESS_MEDIA,
        broker.MAKE_RENDITION,
    ]
    assert tasks.regenerate_video_thumbnail.name == broker.REGENERATE_VIDEO_THUMBNAIL
    assert tasks.requeue_stale_processing.name == "media_content.tasks.requeue_stale_processing"
