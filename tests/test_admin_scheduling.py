"""Staff scheduling in the admin follows the portal's rules, through the same services."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from media_content.models import MediaContent

from .factories import MediaContentFactory

pytestmark = pytest.mark.django_db

LATER = datetime.datetime(2026, 12, 5, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def december_first():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def staff_client(client, sunrise_staff):
    client.force_login(sunrise_staff)
    return client


def _save(client, media: MediaContent, **changes):
    """POST the change form as a browser would: every field, the inline's management form."""
    posts = list(media.posts.order_by("-created_at"))
    when = changes.pop("scheduled_post_time", media.scheduled_post_time)
    data = {
        "organization": media.organization_id,
        "title": media.title,
        "description": media.description,
        "link_url": media.link_url,
        "media_type": media.media_type,
        "status": media.status,
        "scheduled_post_time_0": f"{when:%Y-%m-%d}" if when else "",
        "scheduled_post_time_1": f"{when:%H:%M:%S}" if when else "",
        "banner_end_date": "",
        "posts-TOTAL_FORMS": len(posts),
        "posts-INITIAL_FORMS": len(posts),
        "posts-MIN_NUM_FORMS": 0,
        "posts-MAX_NUM_FORMS": 1000,
    }
    for name in ("post_to_facebook", "post_to_instagram", "post_to_banner"):
        if changes.pop(name, getattr(media, name)):
            data[name] = "on"
    for index, post in enumerate(posts):
        data[f"posts-{index}-id"] = post.pk
        data[f"posts-{index}-media_content"] = media.pk
    data.update(changes)
    url = reverse("admin:media_content_mediacontent_change", args=[media.pk])
    return client.post(url, data, follow=True)


def test_scheduling_an_item_in_the_admin_makes_its_posts(staff_client, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    answer = _save(staff_client, media, status="scheduled", scheduled_post_time=LATER)
    assert answer.status_code == 200
    assert "1 post(s) scheduled." in answer.content.decode()
    assert list(media.posts.values_list("destination", "status", "scheduled_time")) == [
        ("facebook", "pending", LATER)
    ]


def test_moving_the_time_and_adding_a_destination_in_the_admin(staff_client, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    _save(staff_client, media, status="scheduled", scheduled_post_time=LATER)
    media.refresh_from_db()
    later_still = LATER + datetime.timedelta(days=1)
    _save(staff_client, media, scheduled_post_time=later_still, post_to_banner=True)
    live = media.posts.filter(status="pending")
    assert sorted(live.values_list("destination", flat=True)) == ["banner", "facebook"]
    assert set(live.values_list("scheduled_time", flat=True)) == {later_still}
    assert media.posts.filter(status="cancelled").count() == 1


def test_back_to_draft_in_the_admin_cancels_pending_posts(staff_client, sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    _save(staff_client, media, status="scheduled", scheduled_post_time=LATER)
    media.refresh_from_db()
    answer = _save(staff_client, media, status="draft")
    assert "1 pending post(s) cancelled." in answer.content.decode()
    assert list(media.posts.values_list("status", flat=True)) == ["cancelled"]


def test_admin_refuses_a_destination_whose_checks_fail_and_saves_nothing(staff_client, sunrise):
    video = MediaContentFactory(organization=sunrise, media_type="video", post_to_facebook=True)
    answer = _save(
        staff_client, video, status="scheduled", scheduled_post_time=LATER, post_to_banner=True
    )
    page = answer.content.decode()
    assert "Cannot schedule Website banner: Website banners must be images, not videos." in page
    video.refresh_from_db()
    assert (video.status, video.post_to_banner) == ("draft", False)
    assert not video.posts.exists()


def test_publish_now_action_names_what_it_could_not_send(staff_client, sunrise):
    video = MediaContentFactory(
        organization=sunrise, title="Walkaround", media_type="video", post_to_banner=True
    )
    photo = MediaContentFactory(organization=sunrise, post_to_facebook=True)
    answer = staff_client.post(
        reverse("admin:media_content_mediacontent_changelist"),
        {"action": "publish_now", "_selected_action": [video.pk, photo.pk]},
        follow=True,
    )
    page = answer.content.decode()
    assert "“Walkaround” not sent. Cannot schedule Website banner" in page
    assert "1 post(s) queued for publishing." in page
    assert not video.posts.exists() and photo.posts.count() == 1


def test_retry_action_names_what_it_could_not_send(staff_client, sunrise):
    video = MediaContentFactory(
        organization=sunrise, title="Walkaround", media_type="video", status="failed"
    )
    post = video.posts.create(
        organization=sunrise,
        title=video.title,
        destination="banner",
        status="failed",
        scheduled_time=LATER,
    )
    answer = staff_client.post(
        reverse("admin:media_content_mediacontent_changelist"),
        {"action": "retry_failed", "_selected_action": [video.pk]},
        follow=True,
    )
    assert "“Walkaround” not sent. Cannot schedule Website banner" in answer.content.decode()
    post.refresh_from_db()
    assert post.status == "failed"


def test_a_refusal_of_the_services_saves_nothing_and_says_why(staff_client, sunrise):
    media = MediaContentFactory(organization=sunrise, title="Weekend", post_to_banner=True)
    _save(staff_client, media, status="scheduled", scheduled_post_time=LATER)
    media.refresh_from_db()
    answer = _save(staff_client, media, title="Renamed", banner_end_date="2026-12-01")
    page = html.unescape(answer.content.decode())
    assert "Nothing was saved. The banner's last day cannot be before its first day" in page
    assert "was changed successfully" not in page
    media.refresh_from_db()
    assert (media.title, media.banner_end_date) == ("Weekend", None)
    assert list(media.posts.values_list("status", flat=True)) == ["pending"]
