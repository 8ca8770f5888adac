"""The inventory page's "Make a Reel": who may, what it refuses in words, and what it shows."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from inventory import importing, reel_video
from inventory.models import Vehicle, VehicleReel

from .conftest import as_csv, stock
from .reel_photos import vehicle_with_photos

pytestmark = pytest.mark.django_db


def _post(client, vehicle):
    return client.post(f"/marketing/inventory/{vehicle.pk}/reel")


def test_a_reel_is_asked_for_and_the_worker_is_sent_after_the_commit(
    sunrise, sunrise_client, sunrise_user, django_capture_on_commit_callbacks
):
    vehicle, _ = vehicle_with_photos(sunrise, 2)
    page = sunrise_client.get("/marketing/inventory").content.decode()
    assert f'action="/marketing/inventory/{vehicle.pk}/reel"' in page and "Make a Reel" in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(sunrise_client, vehicle)
    assert response.status_code == 302 and response["Location"] == "/marketing/inventory"
    assert len(callbacks) == 1  # the task, once the row is committed
    reel = VehicleReel.objects.get()
    assert (reel.status, reel.requested_by, reel.organization) == (
        "building",
        sunrise_user,
        sunrise,
    )
    page = sunrise_client.get("/marketing/inventory").content.decode()
    assert "Reel: being made…" in page
    assert f'action="/marketing/inventory/{vehicle.pk}/reel"' not in page  # one at a time

    again = _post(sunrise_client, vehicle)
    assert again.status_code == 409
    assert "A Reel of this vehicle is being made already" in again.content.decode()
    assert VehicleReel.objects.count() == 1


def test_no_photo_in_the_library_is_refused_in_words(sunrise, sunrise_client):
    importing.import_feed(organization=sunrise, chunks=[as_csv(stock(1))])
    vehicle = Vehicle.objects.for_org(sunrise).get()
    response = _post(sunrise_client, vehicle)
    assert response.status_code == 400
    assert "This vehicle has no photos in the library yet." in response.content.decode()
    assert not VehicleReel.objects.exists()


def test_a_sold_vehicle_gets_no_reel(sunrise, sunrise_client):
    vehicle, _ = vehicle_with_photos(sunrise, 1)
    Vehicle.objects.filter(pk=vehicle.pk).update(availability="sold", sold_at=timezone.now())
    response = _post(sunrise_client, vehicle)
    assert response.status_code == 400 and "This vehicle has sold" in response.content.decode()
    assert not VehicleReel.objects.exists()


def test_a_reel_stuck_being_made_gives_way(sunrise, sunrise_client):
    """A worker that died leaves its row "being made": after 30 minutes it no longer blocks."""
    vehicle, _ = vehicle_with_photos(sunrise, 1)
    stuck = VehicleReel.objects.create(organization=sunrise, vehicle=vehicle)
    VehicleReel.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    assert _post(sunrise_client, vehicle).status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "The worker stopped" in stuck.error
    assert VehicleReel.objects.filter(status="building").exclude(pk=stuck.pk).count() == 1
    page = sunrise_client.get("/marketing/inventory").content.decode()
    assert "Reel: being made…" in page  # the newest one shows


def test_a_failed_reel_shows_why(sunrise, sunrise_client):
    vehicle, _ = vehicle_with_photos(sunrise, 1)
    VehicleReel.objects.create(
        organization=sunrise, vehicle=vehicle, status="failed", error="ffmpeg gave up"
    )
    page = sunrise_client.get("/marketing/inventory").content.decode()
    assert "Reel failed: ffmpeg gave up" in page
    assert f'action="/marketing/inventory/{vehicle.pk}/reel"' in page  # try again


def test_another_dealerships_vehicle_is_not_found(sunrise, lakeside_user, outsider):
    vehicle, _ = vehicle_with_photos(sunrise, 1)
    other = Client()
    other.force_login(lakeside_user)
    assert _post(other, vehicle).status_code == 404
    stranger = Client()
    stranger.force_login(outsider)
    assert _post(stranger, vehicle).status_code == 403
    assert Client().post(f"/marketing/inventory/{vehicle.pk}/reel").status_code == 302  # sign in
    assert not VehicleReel.objects.exists()


@pytest.mark.parametrize(
    ("photos", "shown", "seconds"),
    [(1, 1, 15), (5, 5, 15), (6, 6, 16), (8, 8, 20), (13, 13, 30), (20, 13, 30)],
)
def test_the_plan_holds_the_reel_within_15_to_30_seconds(photos, shown, seconds):
    plan = reel_video.plan_reel(photos)
    assert (plan.photo_count, plan.seconds) == (shown, seconds)
    cards = 2 * reel_video.CARD_SECONDS
    assert plan.photo_seconds * plan.photo_count + cards == pytest.approx(plan.seconds)
    assert plan.frames == seconds * reel_video.FPS
