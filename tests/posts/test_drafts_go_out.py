"""Any draft can go out from the portal: post now, schedule at a time or in the queue.

Through the portal's URLs, as an owner (sent) and as a contributor (held for
approval). The post's JSON lists its items and its deliveries, and a delivery
keeps the text it sent after the post is edited.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from dealer_media.tenancy.models import Membership
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing
from tests.factories import MediaContentFactory, MembershipFactory, UserFactory

JSON = {"HTTP_ACCEPT": "application/json"}
NOON = datetime.datetime(2026, 3, 2, 20, 0, tzinfo=datetime.UTC)  # a Monday, 12:00 in LA


@pytest.fixture(autouse=True)
def monday_noon():
    with time_machine.travel(NOON, tick=False):
        yield


@pytest.fixture
def draft(sunrise):
    return MediaContentFactory(
        organization=sunrise,
        title="IMG_0001 front",
        description="Just in: a 2019 F-150.",
        post_to_facebook=True,
    )


@pytest.fixture
def contributor_client(client, sunrise):
    user = UserFactory(username="casey")
    MembershipFactory(organization=sunrise, user=user, role=Membership.Role.CONTRIBUTOR)
    client.force_login(user)
    return client


def test_an_owner_posts_a_draft_now(sunrise_client, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = sunrise_client.post(f"/marketing/media/{draft.pk}/publish", **JSON)
    assert answer.status_code == 200, answer.content
    delivery = ScheduledPost.objects.get(media_content=draft)
    assert delivery.destination == "facebook"
    assert delivery.scheduled_time <= timezone.now()
    assert answer.json()["deliveries"][0]["destination"] == "facebook"
    assert answer.json()["message"] == "“IMG_0001 front” is being posted."


def test_an_owner_schedules_a_draft_on_the_dealerships_clock(sunrise_client, draft):
    answer = sunrise_client.post(
        f"/marketing/media/{draft.pk}/schedule",
        {"scheduled_date": "2026-03-03", "scheduled_time": "09:30"},
        **JSON,
    )
    assert answer.status_code == 200, answer.content
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.SCHEDULED
    los_angeles = zoneinfo.ZoneInfo("America/Los_Angeles")
    assert draft.scheduled_post_time == datetime.datetime(2026, 3, 3, 9, 30, tzinfo=los_angeles)
    delivery = ScheduledPost.objects.get(media_content=draft)
    assert delivery.status == ScheduledPost.Status.PENDING
    assert answer.json()["deliveries"][0]["scheduled_time"] == "2026-03-03T09:30:00-08:00"


def test_queue_puts_a_draft_at_the_next_posting_time(sunrise_client, draft):
    answer = sunrise_client.post(f"/marketing/media/{draft.pk}/schedule", {"queue": "1"}, **JSON)
    assert answer.status_code == 200, answer.content
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.SCHEDULED
    assert draft.scheduled_post_time > NOON


def test_a_time_that_passed_is_refused_in_words(sunrise_client, draft):
    answer = sunrise_client.post(
        f"/marketing/media/{draft.pk}/schedule",
        {"scheduled_date": "2026-03-01", "scheduled_time": "09:30"},
        **JSON,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.DRAFT


def test_a_contributors_draft_is_held_for_approval(contributor_client, draft):
    answer = contributor_client.post(f"/marketing/media/{draft.pk}/publish", **JSON)
    assert answer.status_code == 202, answer.content
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.WAITING
    held = ScheduledPost.objects.get(media_content=draft)
    assert held.status == ScheduledPost.Status.HELD
    assert answer.json()["message"] == "“IMG_0001 front” is waiting for approval."


def test_a_contributors_schedule_is_held_for_approval_at_that_time(contributor_client, draft):
    answer = contributor_client.post(
        f"/marketing/media/{draft.pk}/schedule",
        {"scheduled_date": "2026-03-03", "scheduled_time": "09:30"},
        **JSON,
    )
    assert answer.status_code == 202, answer.content
    held = ScheduledPost.objects.get(media_content=draft)
    assert held.status == ScheduledPost.Status.HELD
    assert held.scheduled_time == datetime.datetime(2026, 3, 3, 17, 30, tzinfo=datetime.UTC)


def test_a_posted_post_cannot_go_out_again_in_words(sunrise_client, draft):
    MediaContent.objects.filter(pk=draft.pk).update(status=MediaContent.Status.POSTED)
    answer = sunrise_client.post(f"/marketing/media/{draft.pk}/publish", **JSON)
    assert answer.status_code == 409
    assert "Duplicate it to post it again" in answer.json()["error"]


def test_a_draft_without_destination_says_so(sunrise_client, sunrise):
    bare = MediaContentFactory(organization=sunrise)
    answer = sunrise_client.post(f"/marketing/media/{bare.pk}/publish", **JSON)
    assert answer.status_code == 400
    assert "Choose at least one destination" in answer.json()["error"]


def test_another_dealerships_post_is_not_found(lakeside_client, draft):
    assert lakeside_client.post(f"/marketing/media/{draft.pk}/publish", **JSON).status_code == 404


def test_get_lists_the_items_and_the_deliveries(sunrise_client, draft):
    data = sunrise_client.get(f"/marketing/media/{draft.pk}/get").json()
    assert data["items"] == [
        {
            "id": draft.lead_file.pk,
            "file_id": draft.lead_file.pk,
            "position": 0,
            "title": "IMG_0001 front",
            "media_type": "image",
            "media_url": draft.media_url,
            "thumbnail_url": draft.thumbnail_url,
        }
    ]
    assert data["deliveries"] == []


def test_history_keeps_what_was_sent_after_the_post_is_edited(
    sunrise_client, draft, settings, django_capture_on_commit_callbacks
):
    settings.PUBLISHERS = {**settings.PUBLISHERS, "facebook": "tests.posts.test_drafts_go_out.Ok"}
    with django_capture_on_commit_callbacks(execute=True):
        sunrise_client.post(f"/marketing/media/{draft.pk}/publish", **JSON)
    delivery = ScheduledPost.objects.get(media_content=draft)
    publishing.publish_post(post_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == ScheduledPost.Status.POSTED
    assert delivery.sent_text.startswith("IMG_0001 front")
    assert "Just in: a 2019 F-150." in delivery.sent_text
    assert delivery.sent_file_urls == [draft.media_url]

    MediaContent.objects.filter(pk=draft.pk).update(description="Sold, thank you!")
    data = sunrise_client.get(f"/marketing/media/{draft.pk}/get").json()
    assert data["description"] == "Sold, thank you!"
    assert "Just in: a 2019 F-150." in data["deliveries"][0]["sent_text"]
    assert data["deliveries"][0]["external_url"] == "https://facebook.example/post/1"


class Ok:
    def publish(self, post, claim):
        return publishing.PublishResult(
            external_id="1", external_url="https://facebook.example/post/1"
        )


def test_the_history_page_shows_what_was_sent_not_the_edited_text(
    sunrise_client, draft, settings, django_capture_on_commit_callbacks
):
    settings.PUBLISHERS = {**settings.PUBLISHERS, "facebook": "tests.posts.test_drafts_go_out.Ok"}
    with django_capture_on_commit_callbacks(execute=True):
        sunrise_client.post(f"/marketing/media/{draft.pk}/publish", **JSON)
    publishing.publish_post(post_id=ScheduledPost.objects.get(media_content=draft).pk)
    MediaContent.objects.filter(pk=draft.pk).update(description="Sold, thank you!")
    page = sunrise_client.get("/marketing/history").content.decode()
    assert "Just in: a 2019 F-150." in page
    assert "Sold, thank you!" not in page


def test_a_drafts_row_offers_post_now_schedule_and_the_queue_to_an_owner(sunrise_client, draft):
    page = sunrise_client.get("/marketing/media").content.decode()
    assert f'action="/marketing/media/{draft.pk}/publish"' in page
    assert page.count(f'action="/marketing/media/{draft.pk}/schedule"') == 2  # a time, the queue
    assert 'name="queue" value="1"' in page
    assert "Post again" not in page


def test_a_contributor_sees_no_post_now_and_submits_for_approval(contributor_client, draft):
    page = contributor_client.get("/marketing/media").content.decode()
    assert f"/marketing/media/{draft.pk}/publish" not in page
    assert f"/marketing/media/{draft.pk}/schedule" not in page
    assert f"/marketing/media/{draft.pk}/approval" in page


def test_the_rows_schedule_form_schedules_on_the_dealerships_clock(sunrise_client, draft):
    answer = sunrise_client.post(
        f"/marketing/media/{draft.pk}/schedule",
        {"scheduled_date": "2026-03-03", "scheduled_time": "09:30"},
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == "/marketing/media"
    when = datetime.datetime(2026, 3, 3, 9, 30, tzinfo=zoneinfo.ZoneInfo("America/Los_Angeles"))
    post = draft.posts.get()
    assert (post.destination, post.status, post.scheduled_time) == ("facebook", "pending", when)


def test_the_rows_schedule_form_without_a_time_says_so_and_changes_nothing(sunrise_client, draft):
    answer = sunrise_client.post(f"/marketing/media/{draft.pk}/schedule", follow=True)
    assert "Pick a date and a time, or add it to the queue." in answer.content.decode()
    assert not draft.posts.exists()
    draft.refresh_from_db()
    assert draft.status == MediaContent.Status.DRAFT


def test_a_posted_row_offers_post_again(sunrise_client, draft):
    MediaContent.objects.filter(pk=draft.pk).update(status=MediaContent.Status.POSTED)
    page = sunrise_client.get("/marketing/media").content.decode()
    assert f'action="/marketing/media/{draft.pk}/duplicate"' in page
    assert f"/marketing/media/{draft.pk}/publish" not in page
