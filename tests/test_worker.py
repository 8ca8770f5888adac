"""The publishing path through a real broker and a real Celery worker process."""

import pytest
from django.core.files.base import ContentFile

from dealer_media.celery import app
from media_content import lifecycle
from media_content.models import MediaContent, ScheduledPost

from .factories import MediaContentFactory
from .processes import celery_worker, sending_to, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def through_the_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_publish_now_goes_through_the_broker_to_a_worker(sunrise, through_the_broker):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_banner=True)
    with celery_worker() as worker:
        with sending_to(worker.queue):
            lifecycle.media_publish_now(media=media)

        def all_posted():
            statuses = set(
                ScheduledPost.objects.filter(media_content=media).values_list("status", flat=True)
            )
            return statuses == {"posted"}

        wait_for(all_posted, timeout=60)
    assert worker.log.count("publish_scheduled_post") >= 2, worker.log
    media.refresh_from_db()
    assert media.status == MediaContent.Status.POSTED
    assert list(ScheduledPost.objects.values_list("attempts", flat=True)) == [1, 1]
    assert media.banners.get().is_active


def test_a_new_file_is_processed_by_the_worker_not_the_request(sunrise, through_the_broker):
    from django.db import transaction

    from library.processing.services import request_processing

    from .media import jpeg_bytes

    media = MediaContentFactory(
        organization=sunrise, file=ContentFile(jpeg_bytes(2400, 1600), name="lot.jpg")
    )
    with celery_worker() as worker:
        with sending_to(worker.queue):
            with transaction.atomic():
                request_processing(media=media.lead_file)
            media.refresh_from_db()
            assert media.lead_file.processing_status == "pending"  # the request did not wait

        def processed():
            media.refresh_from_db()
            return media.lead_file.processing_status == "ready"

        wait_for(processed, timeout=60)
    assert "process_media" in worker.log
    file = media.lead_file
    assert (file.width, file.height) == (2400, 1600)
    assert file.thumbnail.name and file.thumbnail.storage.exists(file.thumbnail.name)
    assert file.renditions.get(spec="display").width == 1280
