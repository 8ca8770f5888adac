"""History and calendar pages: local times, filters, tenancy."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from media_content.models import Destination, MediaContent, ScheduledPost
from tests.factories import MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def test_history_lists_posts_latest_first_with_ids_and_links(sunrise_client, sunrise, lakeside):
    photo = MediaContentFactory(organization=sunrise, title="Photo post", description="Hello")
    video = MediaContentFactory(
        organization=sunrise, title="Video post", media_type=MediaContent.MediaType.VIDEO
    )
    older = ScheduledPostFactory(
        media_content=photo,
        status=ScheduledPost.Status.POSTED,
        posted_at=datetime.datetime(2026, 3, 1, 17, 0, tzinfo=UTC),
        scheduled_time=datetime.datetime(2026, 3, 1, 17, 0, tzinfo=UTC),
        external_id="111_222",
    )
    newer = ScheduledPostFactory(
        media_content=video,
        destination=Destination.INSTAGRAM,
        status=ScheduledPost.Status.FAILED,
        last_error="Video too short for Reels.",
        scheduled_time=datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC),
    )
    ScheduledPostFactory(
        media_content=MediaContentFactory(organization=lakeside, title="Lakeside post"),
        status=ScheduledPost.Status.POSTED,
        posted_at=timezone.now(),
    )
    page = sunrise_client.get("/marketing/history").content.decode()
    assert "Lakeside post" not in page
    assert page.index(f'id="post-{newer.pk}"') < page.index(f'id="post-{older.pk}"')
    assert 'href="https://www.facebook.com/111_222"' in page
    assert "Mar 1, 2026 9:00 AM" in page  # 17:00 UTC in Los Angeles (PST)
    assert "Video too short for Reels." in page
    assert 'class="ig-indicator"' in page
    assert '<td data-label="Type">Video</td>' in page
    assert '<td data-label="Type">Photo</td>' in page


def test_history_filters(sunrise_client, sunrise):
    item = MediaContentFactory(organization=sunrise, title="Filtered")
    ScheduledPostFactory(media_content=item, destination=Destination.FACEBOOK)
    posted = ScheduledPostFactory(
        media_content=item,
        destination=Destination.BANNER,
        status=ScheduledPost.Status.POSTED,
        posted_at=timezone.now(),
    )
    page = sunrise_client.get("/marketing/history", {"destination": "banner"}).content.decode()
    assert page.count('id="post-') == 1 and f'id="post-{posted.pk}"' in page
    page = sunrise_client.get("/marketing/history", {"status": "pending"}).content.decode()
    assert page.count('id="post-') == 1 and f'id="post-{posted.pk}"' not in page
    page = sunrise_client.get("/marketing/history", {"status": "failed"}).content.decode()
    assert "No posts match these filters." in page


def test_history_empty_state(sunrise_client):
    page = sunrise_client.get("/marketing/history").content.decode()
    assert "Nothing has been posted yet." in page


@time_machine.travel(datetime.datetime(2026, 3, 10, 20, 0, tzinfo=UTC), tick=False)
def test_calendar_places_posts_on_local_dates(sunrise_client, sunrise, lakeside):
    item = MediaContentFactory(organization=sunrise, title="Late night sale")
    # 06:30 UTC on the 15th is 11:30 PM on the 14th in Los Angeles (PDT).
    ScheduledPostFactory(
        media_content=item, scheduled_time=datetime.datetime(2026, 3, 15, 6, 30, tzinfo=UTC)
    )
    ScheduledPostFactory(
        media_content=item,
        destination=Destination.BANNER,
        scheduled_time=datetime.datetime(2026, 3, 15, 6, 30, tzinfo=UTC),
    )
    ScheduledPostFactory(
        media_content=MediaContentFactory(organization=lakeside, title="Lakeside plan"),
        scheduled_time=datetime.datetime(2026, 3, 12, 15, 0, tzinfo=UTC),
    )
    response = sunrise_client.get("/marketing/calendar")
    page = response.content.decode()
    assert "March 2026" in page
    assert "Lakeside plan" not in page
    day = page.split('data-date="2026-03-14"')[1].split("</td>")[0]
    assert "Late night sale" in day and "11:30 PM" in day
    assert "Facebook, Website banner" in day, "both destinations fold into one entry"
    assert "Late night sale" not in page.split('data-date="2026-03-15"')[1].split("</td>")[0]
    assert 'class="day today" data-date="2026-03-10"' in page


def test_destinations_posted_moments_apart_are_one_entry(sunrise_client, sunrise):
    item = MediaContentFactory(organization=sunrise, title="Truck month")
    for destination, posted in [
        (Destination.FACEBOOK, datetime.datetime(2026, 3, 7, 20, 0, 59, 900_000, tzinfo=UTC)),
        (Destination.BANNER, datetime.datetime(2026, 3, 7, 20, 1, 0, 200_000, tzinfo=UTC)),
    ]:
        ScheduledPostFactory(
            media_content=item,
            destination=destination,
            status=ScheduledPost.Status.POSTED,
            posted_at=posted,
            scheduled_time=posted,
        )
    html = sunrise_client.get("/marketing/calendar", {"date": "2026-03-07"}).content.decode()
    day = html.split('data-date="2026-03-07"')[1].split("</td>")[0]
    assert day.count('class="entry-title"') == 1
    assert "12:00 PM" in day  # the earlier of the two, in Los Angeles
    assert "Facebook, Website banner" in day


def test_calendar_week_view_and_navigation(sunrise_client, sunrise):
    item = MediaContentFactory(organization=sunrise, title="Weekend push")
    ScheduledPostFactory(
        media_content=item,
        status=ScheduledPost.Status.POSTED,
        posted_at=datetime.datetime(2026, 3, 7, 20, 0, tzinfo=UTC),
        scheduled_time=datetime.datetime(2026, 3, 7, 20, 0, tzinfo=UTC),
    )
    page = sunrise_client.get("/marketing/calendar", {"view": "week", "date": "2026-03-04"})
    html = page.content.decode()
    assert "Mar 1 – Mar 7, 2026" in html
    assert html.count("data-date=") == 7
    assert "Weekend push" in html and "entry-posted" in html
    assert "?view=week&amp;date=2026-02-25" in html and "?view=week&amp;date=2026-03-11" in html


def test_calendar_empty_state_and_bad_date(sunrise_client):
    response = sunrise_client.get("/marketing/calendar", {"date": "not-a-date"})
    assert response.status_code == 200
    assert "Nothing is planned in this month." in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/marketing/history", "/marketing/calendar", "/marketing/banners"]
)
def test_pages_need_a_dealership(client, outsider, path):
    client.force_login(outsider)
    response = client.get(path)
    assert response.status_code == 403
    assert "No dealership yet" in response.content.decode()


def test_sandbox_posts_are_labelled_in_history_and_library(
    sunrise_client, sunrise, django_capture_on_commit_callbacks
):
    from media_content import lifecycle

    item = MediaContentFactory(organization=sunrise, title="Demo post", post_to_facebook=True)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.media_publish_now(media=item)
    assert item.posts.get().is_sandbox
    history = sunrise_client.get("/marketing/history").content.decode()
    assert "nothing was sent to Meta" in history and ">Sandbox</span>" in history
    library = sunrise_client.get("/marketing/media").content.decode()
    assert "Facebook: Posted (sandbox)" in library
    answer = sunrise_client.get(f"/marketing/media/{item.pk}/get").json()
    assert answer["destinations"]["facebook"]["sandbox"] is True
