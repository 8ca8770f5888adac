"""A post is published once, whoever delivers the task and however often."""

import pytest
from django.utils import timezone

from banners.models import Banner
from media_content import publishing, services
from media_content.models import MediaContent, ScheduledPost

from .factories import MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


class CountingPublisher:
    label = "counting"
    calls: list[int] = []

    def publish(self, post):
        CountingPublisher.calls.append(post.pk)
        return publishing.PublishResult(
            external_id=f"fb_{post.pk}", external_url="https://facebook.com/p/1"
        )


class RefusingPublisher:
    label = "refusing"

    def publish(self, post):
        raise publishing.PublishError("Facebook refused the photo (code 324).")


class CrashingPublisher:
    label = "crashing"

    def publish(self, post):
        raise RuntimeError("token=SECRET leaked in a stack trace")


@pytest.fixture
def counting(settings):
    CountingPublisher.calls = []
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "tests.test_publishing.CountingPublisher",
    }
    return CountingPublisher


def test_duplicate_delivery_publishes_once(counting, sunrise):
    post = ScheduledPostFactory(media_content__organization=sunrise)
    first = publishing.publish_post(post_id=post.pk)
    second = publishing.publish_post(post_id=post.pk)
    assert first.status == ScheduledPost.Status.POSTED
    assert first.external_id == f"fb_{post.pk}"
    assert first.posted_at is not None
    assert second is None
    assert counting.calls == [post.pk]
    post.refresh_from_db()
    assert post.attempts == 1


def test_a_post_in_flight_is_not_taken_again(counting, sunrise):
    post = ScheduledPostFactory(media_content__organization=sunrise, status="publishing")
    assert publishing.publish_post(post_id=post.pk) is None
    assert counting.calls == []


def test_refusal_is_written_on_the_row(settings, sunrise):
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "tests.test_publishing.RefusingPublisher",
    }
    post = ScheduledPostFactory(
        media_content__organization=sunrise, media_content__status=MediaContent.Status.SCHEDULED
    )
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert result.last_error == "Facebook refused the photo (code 324)."
    result.media_content.refresh_from_db()
    assert result.media_content.status == MediaContent.Status.FAILED


def test_a_crash_fails_the_post_without_leaking_details(settings, sunrise):
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "tests.test_publishing.CrashingPublisher",
    }
    post = ScheduledPostFactory(media_content__organization=sunrise)
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert "SECRET" not in result.last_error
    assert "unexpected error" in result.last_error


def test_partial_success_names_the_failed_destination(sunrise, django_capture_on_commit_callbacks):
    video = MediaContentFactory(
        organization=sunrise, media_type="video", post_to_facebook=True, post_to_banner=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.media_publish_now(media=video)
    video.refresh_from_db()
    posts = {post.destination: post for post in video.posts.all()}
    assert posts["facebook"].status == "posted"
    assert posts["facebook"].external_id.startswith("sandbox_")
    assert posts["banner"].status == "failed"
    assert posts["banner"].last_error == "Not sent: Website banners must be images, not videos."
    assert video.status == MediaContent.Status.FAILED


def test_publish_now_twice_makes_no_second_live_post(sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    first = services.media_publish_now(media=media)
    second = services.media_publish_now(media=media)
    assert len(first) == 1
    assert second == []


def test_banner_destination_shows_the_image_on_the_website(sunrise):
    media = MediaContentFactory(
        organization=sunrise, post_to_banner=True, link_url="https://sunrise.example/suv"
    )
    post = ScheduledPostFactory(media_content=media, destination="banner")
    publishing.publish_post(post_id=post.pk)
    banner = Banner.objects.get(media_content=media)
    assert banner.organization == sunrise
    assert banner.is_active
    assert banner.link_url == "https://sunrise.example/suv"
    assert banner.image.name == media.file.name
    assert banner.start_date == timezone.localdate(timezone=sunrise.tzinfo)


def test_checks_run_again_before_sending(counting, sunrise):
    """A file that became unfit after scheduling is refused before anything is sent."""
    media = MediaContentFactory(
        organization=sunrise, media_type="video", processing_status="ready", duration=3600 * 5.0
    )
    post = ScheduledPostFactory(media_content=media, destination="facebook")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert result.last_error.startswith("Not sent: ")
    assert counting.calls == []
