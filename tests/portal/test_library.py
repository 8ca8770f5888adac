"""The library page and the media item endpoints: JSON shapes, edits, deletes, tenancy."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from media_content.models import Destination, MediaContent, ScheduledPost
from tests.factories import MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


def test_library_requires_sign_in(client):
    response = client.get("/marketing/media")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_library_shows_only_own_items_with_badges_and_reason(
    sunrise_client, sunrise_item, lakeside_item, failed_post
):
    response = sunrise_client.get("/marketing/media")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Truck month" in page
    assert "Lakeside lease deal" not in page
    assert "Facebook: Failed" in page
    assert 'title="Facebook refused the token: reconnect the page."' in page
    assert "Website banner: Draft" in page


def test_library_date_is_in_the_dealerships_time_zone(sunrise_client, sunrise):
    when = datetime.datetime(2026, 7, 4, 18, 30, tzinfo=datetime.UTC)  # 11:30 AM in Los Angeles
    MediaContentFactory(
        organization=sunrise,
        title="Fourth of July",
        status=MediaContent.Status.SCHEDULED,
        scheduled_post_time=when,
        post_to_facebook=True,
    )
    page = sunrise_client.get("/marketing/media").content.decode()
    assert "Jul 4, 2026 11:30 AM" in page


def test_library_empty_state_tells_what_to_do_first(sunrise_client):
    page = sunrise_client.get("/marketing/media").content.decode()
    assert "Your library is empty." in page
    assert "Drop a photo or video" in page


def test_library_search_and_filters(sunrise_client, sunrise):
    MediaContentFactory(organization=sunrise, title="Red convertible photo")
    MediaContentFactory(
        organization=sunrise, title="Showroom walkaround", media_type=MediaContent.MediaType.VIDEO
    )
    MediaContentFactory(
        organization=sunrise, title="Old winter sale", status=MediaContent.Status.ARCHIVED
    )
    page = sunrise_client.get("/marketing/media", {"q": "convertible"}).content.decode()
    assert "Red convertible photo" in page and "Showroom walkaround" not in page

    page = sunrise_client.get("/marketing/media", {"type": "video"}).content.decode()
    assert "Showroom walkaround" in page and "Red convertible photo" not in page

    page = sunrise_client.get("/marketing/media").content.decode()
    assert "Old winter sale" not in page, "archived items are hidden unless asked for"
    page = sunrise_client.get("/marketing/media", {"status": "archived"}).content.decode()
    assert "Old winter sale" in page and "Red convertible photo" not in page

    page = sunrise_client.get("/marketing/media", {"q": "nothing-like-this"}).content.decode()
    assert "Nothing matches these filters." in page


def test_library_paginates_keeping_filters(sunrise_client, sunrise):
    MediaContentFactory.create_batch(30, organization=sunrise, title="Batch item")
    page = sunrise_client.get("/marketing/media", {"q": "batch"}).content.decode()
    assert "Page 1 of 2" in page
    assert "?q=batch&amp;page=2" in page
    second = sunrise_client.get("/marketing/media", {"q": "batch", "page": 2}).content.decode()
    assert second.count('class="item-title"') == 6


def _library_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/marketing/media")
    assert response.status_code == 200
    return len(queries)


def test_library_page_costs_the_same_queries_for_10_or_100_items(sunrise_client, sunrise):
    def add(count):
        for item in MediaContentFactory.create_batch(
            count, organization=sunrise, post_to_facebook=True, post_to_instagram=True
        ):
            ScheduledPostFactory(media_content=item, destination=Destination.FACEBOOK)
            ScheduledPostFactory(
                media_content=item,
                destination=Destination.INSTAGRAM,
                status=ScheduledPost.Status.FAILED,
                last_error="Not a square photo.",
            )

    # The first page after signing in also stores the dealership acted for in the session.
    _library_queries(sunrise_client)
    add(10)
    with_10 = _library_queries(sunrise_client)
    add(90)
    with_100 = _library_queries(sunrise_client)
    assert with_10 == with_100
    # Besides the items: session, user, dealerships, membership (roles), the page count,
    # the approvals notice, the connections' alerts and profile links (one UNION each),
    # and the posts' files (one query for the page).
    assert with_100 <= 12


def test_get_answers_the_json_of_one_item(sunrise_client, sunrise_item, failed_post):
    response = sunrise_client.get(f"/marketing/media/{sunrise_item.pk}/get")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == sunrise_item.pk
    assert data["title"] == "Truck month"
    assert data["description"] == "Every F-150 at invoice."
    assert data["link_url"] == "https://sunrise.example/trucks"
    assert (data["post_to_facebook"], data["post_to_instagram"], data["post_to_banner"]) == (
        True,
        False,
        True,
    )
    assert data["status"] == "scheduled"
    assert data["media_url"].startswith("/media/org-")
    assert "thumbnail_url" in data
    assert data["destinations"]["facebook"]["status"] == "failed"
    assert data["destinations"]["facebook"]["error"].startswith("Facebook refused")
    assert data["destinations"]["banner"]["status"] == "draft"
    assert data["scheduled_post_time"].endswith(("-07:00", "-08:00"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/marketing/media/{pk}/get"),
        ("post", "/marketing/media/{pk}/update"),
        ("post", "/marketing/media/{pk}/delete"),
    ],
)
def test_another_dealerships_item_is_not_found(lakeside_client, sunrise_item, method, path):
    response = getattr(lakeside_client, method)(
        path.format(pk=sunrise_item.pk), {"title": "Hijacked", "post_to_facebook": "on"}
    )
    assert response.status_code == 404
    sunrise_item.refresh_from_db()
    assert sunrise_item.title == "Truck month"


def test_update_saves_and_answers_json(sunrise_client, sunrise_item):
    response = sunrise_client.post(
        f"/marketing/media/{sunrise_item.pk}/update",
        {
            "title": "Truck month, extended",
            "description": "Now through March.",
            "link_url": "https://sunrise.example/trucks",
            "post_to_facebook": "on",
            "post_to_banner": "on",
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Truck month, extended"
    sunrise_item.refresh_from_db()
    assert sunrise_item.description == "Now through March."


def test_update_errors_name_the_field_and_change_nothing(sunrise_client, sunrise_item):
    response = sunrise_client.post(
        f"/marketing/media/{sunrise_item.pk}/update",
        {"title": "", "link_url": "not a link"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["title"] == ["This field is required."]
    assert errors["link_url"] == ["Enter a valid URL."]
    assert "Choose at least one destination" in errors["__all__"][0]
    sunrise_item.refresh_from_db()
    assert sunrise_item.title == "Truck month"


def test_update_of_a_video_refuses_the_banner(sunrise_client, sunrise):
    video = MediaContentFactory(organization=sunrise, media_type=MediaContent.MediaType.VIDEO)
    response = sunrise_client.post(
        f"/marketing/media/{video.pk}/update",
        {"title": "Walkaround", "post_to_banner": "on"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["post_to_banner"] == [
        "Only images can be shown as website banners."
    ]


def test_update_cancels_the_pending_post_of_a_dropped_destination(sunrise_client, sunrise_item):
    banner_post = ScheduledPostFactory(
        media_content=sunrise_item,
        destination=Destination.BANNER,
        scheduled_time=sunrise_item.scheduled_post_time,
    )
    response = sunrise_client.post(
        f"/marketing/media/{sunrise_item.pk}/update",
        {"title": "Trucks", "post_to_facebook": "on"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    banner_post.refresh_from_db()
    assert banner_post.status == ScheduledPost.Status.CANCELLED
    facebook = sunrise_item.posts.get(destination=Destination.FACEBOOK)
    assert facebook.status == ScheduledPost.Status.PENDING
    assert facebook.title == "Trucks"
    assert facebook.scheduled_time == sunrise_item.scheduled_post_time


def test_update_without_json_redirects_with_a_message(sunrise_client, sunrise_item):
    response = sunrise_client.post(
        f"/marketing/media/{sunrise_item.pk}/update",
        {"title": "Plain form", "post_to_facebook": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("media_content:library")
    assert "Saved “Plain form”." in response.content.decode()


def test_delete_removes_item_and_file_cancels_pending_keeps_history(
    sunrise_client, sunrise_item, django_capture_on_commit_callbacks
):
    pending = ScheduledPostFactory(media_content=sunrise_item, destination=Destination.BANNER)
    posted = ScheduledPostFactory(
        media_content=sunrise_item,
        destination=Destination.FACEBOOK,
        status=ScheduledPost.Status.POSTED,
        posted_at=timezone.now(),
        external_id="123_456",
    )
    storage, name = sunrise_item.lead_file.file.storage, sunrise_item.lead_file.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post(
            f"/marketing/media/{sunrise_item.pk}/delete", HTTP_ACCEPT="application/json"
        )
    assert response.status_code == 200
    assert response.json() == {"deleted": sunrise_item.pk}
    assert not MediaContent.objects.filter(pk=sunrise_item.pk).exists()
    assert not storage.exists(name)
    pending.refresh_from_db()
    posted.refresh_from_db()
    assert pending.status == ScheduledPost.Status.CANCELLED
    assert posted.status == ScheduledPost.Status.POSTED and posted.media_content is None


def test_endpoints_refuse_the_wrong_method(sunrise_client, sunrise_item):
    assert sunrise_client.get(f"/marketing/media/{sunrise_item.pk}/delete").status_code == 405
    assert sunrise_client.get(f"/marketing/media/{sunrise_item.pk}/update").status_code == 405
    assert sunrise_client.post(f"/marketing/media/{sunrise_item.pk}/get").status_code == 405


def test_posts_need_the_csrf_token(sunrise_user, sunrise_item):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sunrise_user)
    response = client.post(f"/marketing/media/{sunrise_item.pk}/delete")
    assert response.status_code == 403
    assert MediaContent.objects.filter(pk=sunrise_item.pk).exists()


def test_upload_form_names_the_time_zone_and_sandbox_badges(sunrise_client):
    page = sunrise_client.get("/marketing/media").content.decode()
    assert "<strong>America/Los_Angeles</strong>" in page
    assert "Sandbox: posts are recorded here and not sent to Meta." in page
    assert not re.search(r"id=\"id_post_to_instagram\"[^>]* disabled>", page)
    assert not re.search(r"id=\"id_post_to_facebook\"[^>]* disabled>", page)
    for name in ("media_file", "title", "description", "link_url", "schedule_mode"):
        assert f'name="{name}"' in page


def test_social_checkboxes_are_off_until_a_page_is_connected(sunrise_client, settings):
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "social.publishers.FacebookPublisher",
        "instagram": "social.publishers.InstagramPublisher",
    }
    page = sunrise_client.get("/marketing/media").content.decode()
    assert re.search(r"id=\"id_post_to_instagram\"[^>]* disabled>", page)
    assert re.search(r"id=\"id_post_to_facebook\"[^>]* disabled>", page)
    assert not re.search(r"id=\"id_post_to_banner\"[^>]* disabled>", page)
    assert "Not configured" in page
    assert (
        "No Facebook Page is connected; an owner can connect one on the Connections page." in page
    )


def test_get_carries_the_processing_checks(sunrise_client, sunrise):
    video = MediaContentFactory(
        organization=sunrise, media_type=MediaContent.MediaType.VIDEO, post_to_banner=False
    )
    checks = sunrise_client.get(f"/marketing/media/{video.pk}/get").json()["checks"]
    assert set(checks) == {"facebook", "instagram", "banner"}
    assert checks["banner"]["errors"], "a video cannot be a website banner"
    assert all(set(result) == {"errors", "warnings", "preparing"} for result in checks.values())
