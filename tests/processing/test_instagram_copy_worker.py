"""A PNG ticked for Instagram: a real worker processes it, then makes the Instagram-ready copy."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from dealer_media.celery import app
from library.processing.services import request_processing
from media_content.models import MediaContent
from media_content.post_checks import validate_for

from ..factories import MediaContentFactory
from ..processes import celery_worker, sending_to, wait_for
from .media import image_bytes

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def through_the_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def test_the_worker_makes_the_copy_after_processing(sunrise, through_the_broker):
    png = image_bytes(1000, 2000, fmt="PNG")
    media = MediaContentFactory(
        organization=sunrise,
        file=ContentFile(png, name="upload.png"),
        size_bytes=len(png),
        processing_status=MediaContent.ProcessingStatus.PENDING,
        container="",
        post_to_instagram=True,
        instagram_fit="crop",
    )
    with celery_worker() as worker:
        with sending_to(worker.queue), transaction.atomic():
            request_processing(media=media.lead_file)

        def copied():
            return media.lead_file.renditions.filter(spec="instagram-crop").exists()

        wait_for(copied, timeout=60)
    assert "make_rendition" in worker.log
    copy = media.lead_file.renditions.get(spec="instagram-crop")
    assert (copy.width, copy.height) == (1000, 1250)
    media.refresh_from_db()
    result = validate_for(media.items()[0], "instagram")
    assert result.errors == [] and result.preparing == []
