"""A dealer sends a failed destination again from the library; what posted is left alone."""

import pytest
from django.utils import timezone

from media_content.models import MediaContent, ScheduledPost

from ..factories import MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partly_failed(sunrise):
    media = MediaContentFactory(
        organization=sunrise,
        title="Truck month",
        status=MediaContent.Status.FAILED,
        post_to_facebook=True,
        post_to_banner=True,
    )
    ScheduledPostFactory(
        media_content=media, destination="banner", status="posted", posted_at=timezone.now()
    )
    ScheduledPostFactory(
        media_content=media,
        destination="facebook",
        status="failed",
        last_error="Facebook is busy; try again later.",
    )
    return media


def test_the_library_offers_a_retry_for_failed_items(sunrise_client, partly_failed):
    page = sunrise_client.get("/marketing/media").content.decode()
    assert f'data-url="/marketing/media/{partly_failed.pk}/retry"' in page
    assert "Facebook is busy; try again later." in page


def test_retry_sends_only_the_failed_destination_again(
    sunrise_client, partly_failed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = sunrise_client.post(
            f"/marketing/media/{partly_failed.pk}/retry", HTTP_ACCEPT="application/json"
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["retried"] == 1
    statuses = sorted(partly_failed.posts.values_list("destination", "status"))
    assert statuses == [("banner", "posted"), ("facebook", "posted")]  # the sandbox posted it
    assert ScheduledPost.objects.filter(destination="banner").count() == 1  # not sent twice
    partly_failed.refresh_from_db()
    assert partly_failed.status == MediaContent.Status.POSTED


def test_retry_is_refused_in_words_while_the_checks_still_fail(sunrise, sunrise_client):
    video = MediaContentFactory(
        organization=sunrise, media_type="video", status="failed", post_to_banner=True
    )
    post = ScheduledPostFactory(media_content=video, destination="banner", status="failed")
    answer = sunrise_client.post(
        f"/marketing/media/{video.pk}/retry", HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == (
        "Cannot schedule Website banner: Website banners must be images, not videos."
    )
    post.refresh_from_db()
    assert post.status == "failed"


def test_another_dealership_cannot_retry(lakeside_client, partly_failed):
    answer = lakeside_client.post(
        f"/marketing/media/{partly_failed.pk}/retry", HTTP_ACCEPT="application/json"
    )
    assert answer.status_code == 404
    assert partly_failed.posts.get(destination="facebook").status == "failed"


def test_retry_is_a_post(sunrise_client, partly_failed):
    assert sunrise_client.get(f"/marketing/media/{partly_failed.pk}/retry").status_code == 405
