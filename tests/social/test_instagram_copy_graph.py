"""Instagram gets the Instagram-ready copy the worker made for the dealer, not the original."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from library.processing.services import request_processing
from media_content import services
from media_content.models import MediaContent, ScheduledPost

from ..factories import MediaContentFactory
from ..processing.media import image_bytes
from .conftest import PUBLIC_MEDIA_URL
from .fake_graph import Reply

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("fit", "size"), [("pad", (1440, 1800)), ("crop", (1000, 1250))])
def test_a_tall_png_for_instagram_posts_the_copy_of_the_dealers_fit(
    fake_graph, public_media, account, sunrise, django_capture_on_commit_callbacks, fit, size
):
    png = image_bytes(1000, 2000, fmt="PNG")  # PNG and taller than 4:5
    media = MediaContentFactory(
        organization=sunrise,
        file=ContentFile(png, name="upload.png"),
        size_bytes=len(png),
        processing_status=MediaContent.ProcessingStatus.PENDING,
        container="",
        post_to_instagram=True,
        instagram_fit=fit,
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_processing(
            media=media.lead_file
        )  # processing, then the copy, both in the (eager) worker
    media.refresh_from_db()
    copy = media.lead_file.renditions.get(spec=f"instagram-{fit}")
    fake_graph.script("GET", "/c1000", Reply(body={"status_code": "FINISHED"}))
    with django_capture_on_commit_callbacks(execute=True):
        [post] = services.media_publish_now(media=media)

    [created] = fake_graph.calls("POST", "/17841400000000001/media")
    assert created.params["image_url"] == f"{PUBLIC_MEDIA_URL}{copy.file.name}"
    # The fake downloads what it is given, as Meta does: the copy's bytes.
    assert (f"{public_media}{copy.file.name}", copy.size_bytes) in fake_graph.fetched
    with copy.file.open("rb") as handle:
        sent = Image.open(io.BytesIO(handle.read()))
        assert (sent.format, sent.size) == ("JPEG", size)
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.POSTED
