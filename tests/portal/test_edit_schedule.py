"""Editing a scheduled item's time in the modal moves its pending posts with it."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from media_content import lifecycle
from media_content.models import MediaContent, ScheduledPost

from ..factories import MediaContentFactory

pytestmark = pytest.mark.django_db

FIELDS = {"title": "Truck month", "post_to_facebook": "on", "post_to_banner": "on"}


@pytest.fixture
def scheduled(sunrise):
    media = MediaContentFactory(
        organization=sunrise, title="Truck month", post_to_facebook=True, post_to_banner=True
    )
    when = datetime.datetime(2026, 12, 5, 17, 0, tzinfo=datetime.UTC)  # 9:00 AM in Los Angeles
    with time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC), tick=False):
        lifecycle.media_schedule(media=media, when=when)
    return media


@time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC), tick=False)
def test_new_local_time_reschedules_the_pending_posts(sunrise_client, scheduled):
    answer = sunrise_client.post(
        f"/marketing/media/{scheduled.pk}/update",
        {**FIELDS, "scheduled_date": "2026-12-06", "scheduled_time": "10:30"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["scheduled_post_time"].startswith("2026-12-06T10:30:00-08:00")
    live = ScheduledPost.objects.filter(media_content=scheduled, status="pending")
    new_time = datetime.datetime(2026, 12, 6, 18, 30, tzinfo=datetime.UTC)
    assert sorted(live.values_list("destination", flat=True)) == ["banner", "facebook"]
    assert set(live.values_list("scheduled_time", flat=True)) == {new_time}
    assert ScheduledPost.objects.filter(media_content=scheduled, status="cancelled").count() == 2


@time_machine.travel(datetime.datetime(2027, 3, 1, tzinfo=datetime.UTC), tick=False)
def test_a_time_inside_the_spring_gap_is_refused_in_words(client, sunrise_user, sunrise):
    client.force_login(sunrise_user)  # a session of that day, not of today
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    lifecycle.media_schedule(
        media=media, when=datetime.datetime(2027, 3, 20, 17, tzinfo=datetime.UTC)
    )
    answer = client.post(
        f"/marketing/media/{media.pk}/update",
        {**FIELDS, "post_to_banner": "", "scheduled_date": "2027-03-14", "scheduled_time": "02:30"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400
    assert "does not exist" in " ".join(answer.json()["errors"]["scheduled_time"])
    post = media.posts.get()
    assert post.scheduled_time == datetime.datetime(2027, 3, 20, 17, tzinfo=datetime.UTC)


def test_a_draft_cannot_be_given_a_time_here(sunrise_client, sunrise):
    draft = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    answer = sunrise_client.post(
        f"/marketing/media/{draft.pk}/update",
        {**FIELDS, "scheduled_date": "2030-01-01", "scheduled_time": "10:00"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 400
    assert "Only a scheduled item" in answer.json()["errors"]["scheduled_date"][0]
    assert not draft.posts.exists()
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.DRAFT


@time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC), tick=False)
def test_removing_a_destination_cancels_only_its_post(sunrise_client, scheduled):
    answer = sunrise_client.post(
        f"/marketing/media/{scheduled.pk}/update",
        {"title": "Truck month", "post_to_facebook": "on"},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200
    statuses = dict(
        scheduled.posts.exclude(status="cancelled").values_list("destination", "status")
    )
    assert statuses == {"facebook": "pending"}
    assert scheduled.posts.get(destination="banner").status == "cancelled"
    assert timezone.now() < scheduled.posts.get(destination="facebook").scheduled_time


@time_machine.travel(datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC), tick=False)
def test_adding_a_destination_whose_checks_fail_is_refused_in_words(
    sunrise_client, sunrise, settings
):
    settings.PUBLISHERS = {**settings.PUBLISHERS, "instagram": "social.publishers.GraphInstagram"}
    video = MediaContentFactory(organization=sunrise, media_type="video", post_to_facebook=True)
    lifecycle.media_schedule(
        media=video, when=datetime.datetime(2026, 12, 5, 17, tzinfo=datetime.UTC)
    )
    answer = sunrise_client.post(
        f"/marketing/media/{video.pk}/update",
        {"title": "Walkaround", "post_to_facebook": "on", "post_to_instagram": "on"},
        HTTP_ACCEPT="application/json",
    )
    # The factory's clip is a fine Reel, but this server keeps files where Meta cannot fetch them.
    assert answer.status_code == 400
    [reason] = answer.json()["errors"]["post_to_instagram"]
    assert reason.startswith("Cannot schedule Instagram: Instagram fetches the file")
    video.refresh_from_db()
    assert (video.title, video.post_to_instagram) != ("Walkaround", True)
    assert list(video.posts.values_list("destination", "status")) == [("facebook", "pending")]


def test_the_upload_form_shows_the_limits_of_the_settings(sunrise_client, settings):
    settings.UPLOAD_MAX_IMAGE_SIZE = 12 * 1000 * 1000
    settings.UPLOAD_MAX_VIDEO_SIZE = 2 * 1000 * 1000 * 1000
    page = sunrise_client.get("/marketing/media").content.decode()
    assert f'data-max-image="{12 * 1000 * 1000}"' in page
    assert f'data-max-video="{2 * 1000 * 1000 * 1000}"' in page
    assert "GIF up to 12 MB; MP4, MOV or WebM video up to 2 GB." in page
    assert 'data-video-types="video/mp4,video/quicktime,video/webm"' in page
