""" "Post now" of a file still processing goes out when processing ends, not at the next poll.

The fallback poll is set to an hour here (``PUBLISHING_PROCESSING_CHECK_SECONDS``):
a post that goes out within the test was sent by the end of processing.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dealer_media.celery import app
from library.models import MediaFile
from library.processing.services import request_processing
from media_content import lifecycle
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing

from ..factories import MediaContentFactory, MediaFileFactory
from ..media import jpeg_bytes
from ..processes import celery_worker, sending_to, wait_for

HOUR = 3600
WAITING = "Waiting for the file to finish processing."


@pytest.fixture
def slow_fallback(settings):
    settings.PUBLISHING_PROCESSING_CHECK_SECONDS = HOUR


def _unprocessed(organization, data: bytes, **fields) -> MediaContent:
    return MediaContentFactory(
        organization=organization,
        file=ContentFile(data, name="lot.jpg"),
        processing_status=MediaContent.ProcessingStatus.PENDING,
        container="",
        width=None,
        height=None,
        post_to_facebook=True,
        **fields,
    )


def _post_now_while_processing(media: MediaContent, capture) -> ScheduledPost:
    """Post now, its message delivered (eager) before processing runs: it waits."""
    with capture(execute=True):
        lifecycle.media_publish_now(media=media)
    post = media.posts.get()
    assert (post.status, post.last_error, post.attempts) == ("pending", WAITING, 1)
    assert post.next_attempt_at > timezone.now() + datetime.timedelta(seconds=HOUR - 60)
    return post


def _mark_processed(media: MediaContent) -> None:
    """What processing writes for this photo, without the processing task."""
    MediaFile.objects.filter(post_files__post=media).update(
        processing_status="ready", container="JPEG", width=1200, height=800
    )


def _process(media: MediaContent, capture) -> None:
    with capture(execute=True):
        request_processing(media=media.lead_file)


@pytest.mark.django_db
def test_the_end_of_processing_sends_the_waiting_post(
    sunrise, counting, slow_fallback, django_capture_on_commit_callbacks
):
    media = _unprocessed(sunrise, jpeg_bytes(1200, 800))
    post = _post_now_while_processing(media, django_capture_on_commit_callbacks)

    _process(media, django_capture_on_commit_callbacks)

    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == ("posted", 2, "")
    assert counting.calls == [post.pk]
    media.refresh_from_db()
    assert (media.lead_file.processing_status, media.status) == (
        "ready",
        MediaContent.Status.POSTED,
    )


@pytest.mark.django_db
def test_a_post_of_several_files_waits_for_its_last_file_not_only_its_cover(
    sunrise, counting, slow_fallback, django_capture_on_commit_callbacks
):
    cover = MediaFileFactory(organization=sunrise)  # processed
    second = MediaFileFactory(
        organization=sunrise, processing_status="pending", container="", width=None, height=None
    )
    media = MediaContentFactory(organization=sunrise, files=[cover, second], post_to_facebook=True)
    post = _post_now_while_processing(media, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        request_processing(media=second)

    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == ("posted", 2, "")
    assert counting.calls == [post.pk]


@pytest.mark.django_db
def test_failed_processing_fails_the_waiting_post_at_once_in_words(
    sunrise, counting, slow_fallback, django_capture_on_commit_callbacks
):
    media = _unprocessed(sunrise, b"\xff\xd8\xff\xe0 not really a photo")
    post = _post_now_while_processing(media, django_capture_on_commit_callbacks)

    _process(media, django_capture_on_commit_callbacks)

    post.refresh_from_db()
    media.refresh_from_db()
    assert media.lead_file.processing_status == "failed"
    assert post.status == "failed"
    assert (
        post.last_error
        == f"Not sent: We could not process this file: {media.lead_file.processing_error}"
    )
    assert post.attempts == 2
    assert counting.calls == []


@pytest.mark.django_db
def test_a_duplicate_nudge_publishes_once(
    sunrise, counting, slow_fallback, django_capture_on_commit_callbacks
):
    media = _unprocessed(sunrise, jpeg_bytes(1200, 800))
    post = _post_now_while_processing(media, django_capture_on_commit_callbacks)
    _mark_processed(media)

    with django_capture_on_commit_callbacks() as messages:  # two nudges, not yet delivered
        with transaction.atomic():
            assert lifecycle.send_posts_waiting_for_processing(file_id=media.lead_file.pk) == [
                post.pk
            ]
        with transaction.atomic():
            assert lifecycle.send_posts_waiting_for_processing(file_id=media.lead_file.pk) == [
                post.pk
            ]
    assert len(messages) == 2
    for deliver in messages:
        deliver()

    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == ("posted", 2, "")
    assert counting.calls == [post.pk]


@pytest.mark.django_db
def test_processing_that_ends_while_the_post_is_claimed_still_sends_it(
    sunrise, counting, slow_fallback, monkeypatch, django_capture_on_commit_callbacks
):
    """Processing ends between the publisher's look at the file and its release to wait.

    The end-of-processing nudge then finds the post claimed and does nothing; the
    release looks again, so the post does not wait for the fallback.
    """
    media = _unprocessed(sunrise, jpeg_bytes(1200, 800))
    post = lifecycle.media_publish_now(media=media)[0]
    looked = publishing._waits_for_processing
    nudged: list[list[int]] = []

    def look_then_processing_ends(claimed):
        waits = looked(claimed)  # the file is still processing when looked at
        _mark_processed(media)
        nudged.append(lifecycle.send_posts_waiting_for_processing(file_id=media.lead_file.pk))
        return waits

    monkeypatch.setattr(publishing, "_waits_for_processing", look_then_processing_ends)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_post(post_id=post.pk)

    assert nudged[0] == []  # the post was claimed ("publishing") at that moment
    post.refresh_from_db()
    assert (post.status, post.attempts) == ("posted", 2)
    assert counting.calls == [post.pk]


@pytest.mark.django_db
def test_posts_in_a_retry_or_not_yet_due_are_not_nudged(
    sunrise, counting, slow_fallback, django_capture_on_commit_callbacks
):
    media = _unprocessed(sunrise, jpeg_bytes(1200, 800), post_to_banner=True)
    later = timezone.now() + datetime.timedelta(days=1)
    backoff = timezone.now() + datetime.timedelta(minutes=10)
    retrying = ScheduledPost.objects.create(
        organization=sunrise,
        media_content=media,
        title=media.title,
        destination="facebook",
        scheduled_time=timezone.now() - datetime.timedelta(minutes=5),
        next_attempt_at=backoff,
        external_state={"retries": 1},
    )
    tomorrow = ScheduledPost.objects.create(
        organization=sunrise,
        media_content=media,
        title=media.title,
        destination="banner",
        scheduled_time=later,
        next_attempt_at=later,
    )

    _process(media, django_capture_on_commit_callbacks)

    retrying.refresh_from_db()
    tomorrow.refresh_from_db()
    assert (retrying.status, retrying.next_attempt_at) == ("pending", backoff)
    assert (tomorrow.status, tomorrow.next_attempt_at) == ("pending", later)
    assert counting.calls == []


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_post_now_of_an_upload_is_posted_by_a_real_worker_when_processing_ends(
    sunrise, sunrise_client
):
    """The portal's upload with "Post now", a real broker and worker, the poll an hour away."""
    broken = _unprocessed(sunrise, b"\xff\xd8\xff\xe0 not really a photo", title="Broken")
    app.conf.task_always_eager = False
    try:
        with celery_worker(PUBLISHING_PROCESSING_CHECK_SECONDS=str(HOUR)) as worker:
            with sending_to(worker.queue):
                answer = sunrise_client.post(
                    "/marketing/media",
                    {
                        "media_file": SimpleUploadedFile("lot.jpg", jpeg_bytes(1200, 800)),
                        "title": "Truck month",
                        "post_to_facebook": "on",
                        "schedule_mode": "now",
                    },
                    HTTP_ACCEPT="application/json",
                )
                assert answer.status_code == 201, answer.content
                with transaction.atomic():
                    lifecycle.media_publish_now(media=broken)
                    request_processing(media=broken.lead_file)
            uploaded = ScheduledPost.objects.get(media_content_id=answer.json()["id"])
            failed = ScheduledPost.objects.get(media_content=broken)

            def settled():
                rows = ScheduledPost.objects.filter(pk__in=[uploaded.pk, failed.pk])
                return {p.pk: p for p in rows if p.status in ("posted", "failed")}

            done = wait_for(lambda: len(settled()) == 2 and settled(), timeout=60)
    finally:
        app.conf.task_always_eager = True
    assert done[uploaded.pk].status == "posted", worker.log
    assert done[uploaded.pk].external_id.startswith("sandbox_")
    assert done[failed.pk].status == "failed"
    assert done[failed.pk].last_error.startswith("Not sent: We could not process this file: ")
    # Each went through the worker: a first attempt that waited, then the nudged one.
    assert [done[uploaded.pk].attempts, done[failed.pk].attempts] == [2, 2], worker.log


@pytest.mark.django_db
def test_an_instagram_post_waiting_for_its_ready_copy_goes_when_the_copy_is_made(
    sunrise, counting, slow_fallback, django_capture_on_commit_callbacks
):
    import io

    from PIL import Image

    from library.processing import services as processing
    from library.processing.renditions import instagram_spec

    png = io.BytesIO()
    Image.new("RGB", (1200, 800), "orange").save(png, "PNG")
    media = MediaContentFactory(
        organization=sunrise,
        file=ContentFile(png.getvalue(), name="logo.png"),
        container="PNG",
        content_type="image/png",
        post_to_instagram=True,
    )
    with django_capture_on_commit_callbacks(execute=False):  # the copy's task is not run yet
        lifecycle.media_publish_now(media=media)
    post = media.posts.get()
    publishing.publish_post(post_id=post.pk)
    post.refresh_from_db()
    assert (post.status, post.last_error) == ("pending", "Waiting for the Instagram-ready copy.")
    assert counting.calls == []

    with django_capture_on_commit_callbacks(execute=True):
        processing.rendition_make(
            media_id=media.lead_file.pk, spec=instagram_spec(media.instagram_fit)
        )
    post.refresh_from_db()
    assert (post.status, post.attempts) == ("posted", 2)
    assert counting.calls == [post.pk]
