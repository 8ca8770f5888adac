"""A post is published once, whoever delivers the task and however often."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from banners.models import Banner
from library.models import MediaFile
from media_content import lifecycle
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing

from .factories import MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


class CountingPublisher:
    label = "counting"
    calls: list[int] = []

    def publish(self, post, claim):
        CountingPublisher.calls.append(post.pk)
        return publishing.PublishResult(
            external_id=f"fb_{post.pk}", external_url="https://facebook.com/p/1"
        )


class RefusingPublisher:
    label = "refusing"

    def publish(self, post, claim):
        raise publishing.PublishError("Facebook refused the photo (code 324).")


class CrashingPublisher:
    label = "crashing"

    def publish(self, post, claim):
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


class PublisherWhoseGatesCrash(CountingPublisher):
    label = "gates crash"

    def gates_for(self, post):
        raise RuntimeError("token=SECRET in the gates' lookup")


def test_a_crash_while_asking_the_gates_fails_the_post_and_sends_nothing(settings, sunrise):
    """Not left "publishing" for the stale sweep to hand back again and again."""
    CountingPublisher.calls = []
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "tests.test_publishing.PublisherWhoseGatesCrash",
    }
    post = ScheduledPostFactory(media_content__organization=sunrise)
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    assert result.last_error == "Publishing stopped on an unexpected error; our team has been told."
    assert CountingPublisher.calls == []


def test_partial_success_names_the_failed_destination(sunrise, django_capture_on_commit_callbacks):
    """Posts made while the file looked fine; it changed before they went out."""
    video = MediaContentFactory(
        organization=sunrise,
        media_type="video",
        status="scheduled",
        post_to_facebook=True,
        post_to_banner=True,
    )
    for destination in ("facebook", "banner"):
        post = ScheduledPostFactory(media_content=video, destination=destination)
        publishing.publish_post(post_id=post.pk)
    video.refresh_from_db()
    posts = {post.destination: post for post in video.posts.all()}
    assert posts["facebook"].status == "posted"
    assert posts["facebook"].external_id.startswith("sandbox_")
    assert posts["banner"].status == "failed"
    assert posts["banner"].last_error == "Not sent: Website banners must be images, not videos."
    assert video.status == MediaContent.Status.FAILED


def test_scheduling_refuses_a_destination_whose_checks_fail_and_keeps_nothing(sunrise):
    video = MediaContentFactory(
        organization=sunrise, media_type="video", post_to_facebook=True, post_to_banner=True
    )
    with pytest.raises(ValidationError) as refused:
        lifecycle.media_publish_now(media=video)
    assert refused.value.message_dict == {
        "post_to_banner": [
            "Cannot schedule Website banner: Website banners must be images, not videos."
        ]
    }
    assert not video.posts.exists()
    video.refresh_from_db()
    assert video.status == MediaContent.Status.DRAFT


def test_a_file_still_processing_is_waited_for_then_checked(sunrise, settings):
    settings.PUBLISHING_PROCESSING_CHECK_SECONDS = 5
    media = MediaContentFactory(
        organization=sunrise, post_to_facebook=True, processing_status="processing"
    )
    post = ScheduledPostFactory(media_content=media, destination="facebook")
    with time_machine.travel(post.scheduled_time, tick=False):
        waited = publishing.publish_post(post_id=post.pk)
    assert (waited.status, waited.last_error) == (
        "pending",
        "Waiting for the file to finish processing.",
    )
    assert waited.next_attempt_at == post.scheduled_time + datetime.timedelta(seconds=5)

    MediaFile.objects.filter(post_files__post=media).update(processing_status="ready")
    with time_machine.travel(post.scheduled_time + datetime.timedelta(seconds=6), tick=False):
        posted = publishing.publish_post(post_id=post.pk)
    assert posted.status == "posted"


def test_a_file_stuck_in_processing_fails_the_post_with_the_reason(sunrise, settings):
    media = MediaContentFactory(
        organization=sunrise, post_to_facebook=True, processing_status="pending"
    )
    post = ScheduledPostFactory(media_content=media, destination="facebook")
    late = post.scheduled_time + datetime.timedelta(
        seconds=settings.PUBLISHING_WAIT_FOR_PROCESSING_SECONDS + 1
    )
    with time_machine.travel(late, tick=False):
        failed = publishing.publish_post(post_id=post.pk)
    assert failed.status == "failed"
    assert failed.last_error.startswith("Not sent: the file was still being processed 15 minutes")


def test_publish_now_twice_makes_no_second_live_post(sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    first = lifecycle.media_publish_now(media=media)
    second = lifecycle.media_publish_now(media=media)
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
    assert banner.image.name == media.lead_file.file.name
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
