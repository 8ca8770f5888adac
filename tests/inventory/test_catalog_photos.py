"""Our display copies of vehicle photos in the catalogs: made in the worker, served at stable URLs."""

import csv
import io

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from inventory import importing
from inventory.catalogs import tokens
from inventory.catalogs.rules import PHOTO_COPY
from inventory.models import Vehicle, VehiclePhoto
from library.models import Rendition
from library.processing.renditions import CATALOG_COPY_MAX_BYTES

from .conftest import as_csv, make_vin, stock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    cache.clear()
    with time_machine.travel("2026-12-07 15:00 +00:00", tick=False):
        yield


def jpeg(size, colour="teal", exif=False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x8825] = {2: (37.0, 46.0, 30.0), 1: "N"}  # GPS: latitude
        image.save(out, "JPEG", exif=tags.tobytes())
    else:
        image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def stocked(feed_server, sunrise, django_capture_on_commit_callbacks):
    """Two cars: a big photo with GPS in its EXIF, and a photo of 400 by 300 px."""
    sunrise.street_address, sunrise.city, sunrise.region = "1 Main St", "Springfield", "CA"
    sunrise.postal_code, sunrise.country, sunrise.store_code = "94045", "US", "SUN-1"
    sunrise.save()
    feed = tokens.feed_for(organization=sunrise)
    feed.photos = "library"
    feed.save()
    rows = stock(2)
    for row in rows:
        for key in [k for k in row if k.startswith("image[")]:
            del row[key]
    rows[0]["image[0].url"] = feed_server.serve("/1.jpg", jpeg((3000, 2000), exif=True))
    rows[1]["image[0].url"] = feed_server.serve("/2.jpg", jpeg((400, 300)))
    with django_capture_on_commit_callbacks(execute=True):
        run = importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    assert run.status == "done", run.error
    return sunrise


def _photo(vin_serial: int) -> VehiclePhoto:
    return VehiclePhoto.objects.get(vehicle__vin=make_vin(vin_serial))


def _rows(client, organization, name):
    token = tokens.feed_for(organization=organization).token
    response = client.get(reverse("catalog_file", args=[token, name]))
    body = b"".join(response.streaming_content).decode()
    return {row["vin"]: row for row in csv.DictReader(io.StringIO(body))}


def test_the_copy_is_made_in_the_worker_within_the_limits_and_without_exif(stocked):
    big = _photo(1)
    made = Rendition.objects.get(media=big.file, spec=PHOTO_COPY.spec)
    assert (made.width, made.height) == (2048, 1365)
    assert made.size_bytes <= CATALOG_COPY_MAX_BYTES == PHOTO_COPY.max_bytes
    with made.file.open("rb") as stored:
        image = Image.open(stored)
        assert image.format == "JPEG" and image.size == (2048, 1365)
        assert not image.getexif()  # no camera, no GPS
    small = Rendition.objects.get(media=_photo(2).file, spec=PHOTO_COPY.spec)
    assert (small.width, small.height) == (400, 300)  # never enlarged


def test_the_feed_names_our_stable_url_and_it_streams_the_copy(client, stocked):
    token = tokens.feed_for(organization=stocked).token
    big = _photo(1)
    url = f"http://testserver/catalog/{token}/photo/{big.pk}.jpg"
    assert _rows(client, stocked, "meta.csv")[make_vin(1)]["image[0].url"] == url
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    body = b"".join(response.streaming_content)
    made = Rendition.objects.get(media=big.file, spec=PHOTO_COPY.spec)
    with made.file.open("rb") as stored:
        assert body == stored.read()
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]
    assert client.head(url)["Content-Length"] == str(made.size_bytes)


def test_under_500_px_is_judged_on_the_stored_copy(client, stocked, sunrise_user):
    tiktok = {row["vehicle_id"] for row in _rows(client, stocked, "tiktok.csv").values()}
    assert tiktok == {"V1"}  # the 400 by 300 photo leaves car 2 out of TikTok's catalog
    assert set(_rows(client, stocked, "meta.csv")) == {make_vin(1), make_vin(2)}
    client.force_login(sunrise_user)
    page = client.get(reverse("inventory:catalogs")).content.decode()
    assert '<span class="reason">Photo under 500 px</span>: 1 vehicle' in page


def test_a_missing_copy_falls_back_to_the_feeds_photo_and_is_asked_for(
    client, stocked, django_capture_on_commit_callbacks
):
    big = _photo(1)
    Rendition.objects.filter(spec=PHOTO_COPY.spec).delete()
    with django_capture_on_commit_callbacks(execute=True) as asked:
        rows = _rows(client, stocked, "meta.csv")
    assert rows[make_vin(1)]["image[0].url"] == big.source_url
    # One sweep of the dealership's photos ran in the worker after the commit: both copies exist.
    assert asked
    assert Rendition.objects.filter(spec=PHOTO_COPY.spec).count() == 2
    token = tokens.feed_for(organization=stocked).token
    assert _rows(client, stocked, "meta.csv")[make_vin(1)]["image[0].url"].endswith(
        f"/catalog/{token}/photo/{big.pk}.jpg"
    )
    # The photo URL itself, while its copy is missing: the feed's photo, not cached.
    Rendition.objects.filter(spec=PHOTO_COPY.spec).delete()
    cache.clear()
    response = client.get(reverse("catalog_photo", args=[token, big.pk]))
    assert response.status_code == 302 and response["Location"] == big.source_url
    assert response["Cache-Control"] == "no-store"


def test_feed_photos_when_the_dealer_keeps_them(client, stocked):
    feed = tokens.feed_for(organization=stocked)
    feed.photos = "feed"
    feed.save()
    rows = _rows(client, stocked, "meta.csv")
    assert rows[make_vin(1)]["image[0].url"] == _photo(1).source_url


def test_photo_urls_of_another_dealership_or_a_rotated_token_answer_404(client, stocked, lakeside):
    big = _photo(1)
    token = tokens.feed_for(organization=stocked).token
    other = tokens.feed_for(organization=lakeside).token
    assert client.get(reverse("catalog_photo", args=[other, big.pk])).status_code == 404
    assert client.get(reverse("catalog_photo", args=[token, big.pk])).status_code == 200
    tokens.token_rotate(organization=stocked)
    assert client.get(reverse("catalog_photo", args=[token, big.pk])).status_code == 404
    assert Vehicle.objects.count() == 2
