"""Selling a car cancels its unstarted posts, ends its banners today, marks its items sold."""

import datetime

import pytest
import time_machine

from banners.models import Banner
from inventory import importing, rules, selling
from inventory.models import Vehicle, VehiclePhoto
from media_content import lifecycle
from media_content.models import MediaContent, ScheduledPost
from tests.factories import BannerFactory, MediaContentFactory

from .conftest import as_csv, make_vin, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def car(sunrise):
    importing.import_feed(organization=sunrise, chunks=[as_csv(stock(2))])
    vehicle = Vehicle.objects.for_org(sunrise).get(vin=make_vin(1))
    items = [MediaContentFactory(organization=sunrise) for _ in range(2)]
    for position, item in enumerate(items):
        VehiclePhoto.objects.create(
            organization=sunrise,
            vehicle=vehicle,
            source_url=f"https://cdn.example/{position}.jpg",
            position=position,
            file=item.lead_file,
        )
    return vehicle, items


# 2026-11-01 23:30 in Los Angeles is already 2026-11-02 in UTC.
EVENING = datetime.datetime(2026, 11, 2, 7, 30, tzinfo=datetime.UTC)


@time_machine.travel(EVENING, tick=False)
def test_selling_cancels_posts_and_ends_banners(
    car, sunrise, sunrise_client, django_capture_on_commit_callbacks
):
    vehicle, (lead, other) = car
    lead.post_to_facebook = lead.post_to_instagram = True
    lead.save()
    later = EVENING + datetime.timedelta(days=2)
    lifecycle.media_schedule(media=lead, when=later)
    posted = ScheduledPost.objects.create(
        organization=sunrise,
        media_content=other,
        title="Out already",
        destination="facebook",
        scheduled_time=EVENING,
        status="posted",
        posted_at=EVENING,
    )
    running = BannerFactory(
        organization=sunrise, media_content=other, start_date=datetime.date(2026, 10, 20)
    )
    future = BannerFactory(
        organization=sunrise, media_content=lead, start_date=datetime.date(2026, 11, 5)
    )
    unrelated = BannerFactory(organization=sunrise, start_date=datetime.date(2026, 10, 20))
    elsewhere_car_post = ScheduledPost.objects.create(
        organization=sunrise,
        media_content=MediaContentFactory(organization=sunrise),
        title="Another car",
        destination="facebook",
        scheduled_time=later,
    )

    rows = stock(2)
    rows[0]["availability"] = "sold"
    with django_capture_on_commit_callbacks(execute=True):
        run = importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    assert run.sold == 1

    cancelled = ScheduledPost.objects.filter(media_content=lead)
    assert set(cancelled.values_list("status", "last_error")) == {
        ("cancelled", "cancelled: vehicle sold")
    }
    lead.refresh_from_db()
    assert lead.status == MediaContent.Status.DRAFT
    posted.refresh_from_db()
    assert posted.status == "posted"  # what went out stays
    elsewhere_car_post.refresh_from_db()
    assert elsewhere_car_post.status == "pending"
    running.refresh_from_db()
    assert running.end_date == datetime.date(2026, 11, 1)  # today in Los Angeles, not UTC
    future.refresh_from_db()
    assert future.is_active is False
    unrelated.refresh_from_db()
    assert (unrelated.end_date, unrelated.is_active) == (None, True)
    assert {post.pk for post in selling.sold_items(vehicle=vehicle)} == {lead.pk, other.pk}

    history = sunrise_client.get("/marketing/history?status=cancelled").content.decode()
    assert "cancelled: vehicle sold" in history


def test_the_sold_rule_posts_after_the_sale(car, sunrise):
    vehicle, _items = car
    rules.rule_save(organization=sunrise, kind="sold", mode="draft", post_to_instagram=False)
    rows = stock(2)
    rows[0]["availability"] = "sold"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    vehicle.refresh_from_db()
    done = selling.vehicle_sold(vehicle=vehicle)
    sold_post = MediaContent.objects.get(pk=done["sold_post"])
    assert sold_post.title == "Sold: 2019 Honda Accord"
    assert sold_post.facebook_caption.startswith("Sold! Our 2019 Honda Accord EX-L")
    assert Banner.objects.count() == 0


def test_the_library_marks_a_sold_vehicles_items(car, sunrise, sunrise_client):
    _vehicle, items = car
    unrelated = MediaContentFactory(organization=sunrise, title="Spring event")
    page = sunrise_client.get("/marketing/media").content.decode()
    assert "Vehicle sold" not in page
    rows = stock(2)
    rows[0]["availability"] = "sold"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    page = sunrise_client.get("/marketing/media").content.decode()
    assert page.count('<span class="badge badge-cancelled">Vehicle sold</span>') == len(items)
    row = page.split(f'id="media-{unrelated.pk}"')[1].split("</tr>")[0]
    assert "Vehicle sold" not in row
