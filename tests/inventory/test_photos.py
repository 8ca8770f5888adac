"""Vehicles' photos: fetched over HTTP, checked like uploads, deduplicated, processed."""

import io

import pytest
from PIL import Image

from inventory import importing, photos
from inventory.models import Vehicle, VehiclePhoto
from library.models import MediaFile
from media_content.models import MediaContent

from .conftest import as_csv, make_vin, stock

pytestmark = pytest.mark.django_db


def jpeg(colour: str, size=(320, 240)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def photo_feed(feed_server, sunrise):
    red, blue = jpeg("red"), jpeg("blue")
    rows = stock(2)
    urls = {
        "/1/front.jpg": red,
        "/1/side.jpg": blue,
        "/1/side-again.jpg": blue,  # the same bytes under another URL
        "/1/page.jpg": b"<html>not a photo</html>",
        "/2/front.jpg": red,  # the same stock photo on another car
    }
    for path, body in urls.items():
        feed_server.serve(path, body, "image/jpeg")
    for key in list(rows[0]):
        if key.startswith("image["):
            del rows[0][key], rows[1][key]
    one = [
        feed_server.url(p)
        for p in ("/1/front.jpg", "/1/side.jpg", "/1/side-again.jpg", "/1/page.jpg")
    ]
    one.append("http://169.254.169.254/latest/meta-data/photo.jpg")
    for i, url in enumerate(one):
        rows[0][f"image[{i}].url"] = url
    rows[1]["image[0].url"] = feed_server.url("/2/front.jpg")
    for i in range(1, 5):
        rows[1][f"image[{i}].url"] = ""
    return rows


def test_photos_fetched_deduplicated_and_processed(
    photo_feed, sunrise, lakeside, feed_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = importing.import_feed(organization=sunrise, chunks=[as_csv(photo_feed)])
    assert run.added == 2
    first = Vehicle.objects.for_org(sunrise).get(vin=make_vin(1))
    second = Vehicle.objects.for_org(sunrise).get(vin=make_vin(2))
    linked = list(first.photos.order_by("position"))
    assert [p.position for p in linked] == [0, 1, 2, 3, 4]
    front, side, side_again, page, metadata = linked
    assert side.file_id == side_again.file_id  # one item, two URLs
    assert front.file_id != side.file_id
    assert page.file is None and "not a supported type" in page.error
    assert metadata.file is None and "link-local" in metadata.error
    assert "/latest/meta-data/photo.jpg" not in feed_server.requests
    assert second.photos.get().file_id == front.file_id  # shared by sha256
    # The photos are files of the library, not posts.
    assert not MediaContent.objects.for_org(sunrise).exists()
    library = MediaFile.objects.for_org(sunrise)
    assert library.count() == 2
    item = library.get(pk=front.file_id)
    assert (item.source, item.vehicle_id) == ("inventory_photo", first.pk)
    assert (item.media_type, item.content_type, item.width, item.height) == (
        "image",
        "image/jpeg",
        320,
        240,
    )
    assert item.file.name.endswith(".jpg") and item.title.endswith("photo 1")
    assert item.processing_status == MediaFile.ProcessingStatus.READY
    assert item.thumbnail  # processed as usual
    assert MediaContent.objects.for_org(lakeside).count() == 0

    # Fetching again asks only for what failed, and only up to the attempts allowed.
    feed_server.requests.clear()
    assert photos.fetch_photos(vehicle=first) == {"fetched": 0, "shared": 0, "failed": 2}
    assert feed_server.requests == ["/1/page.jpg"]


def test_photo_over_the_size_limit(feed_server, sunrise, settings):
    settings.UPLOAD_MAX_IMAGE_SIZE = 500
    feed_server.serve("/big.jpg", jpeg("green", (800, 800)), "image/jpeg")
    rows = stock(1)
    rows[0]["image[0].url"] = feed_server.url("/big.jpg")
    rows[0]["image[1].url"] = ""
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    vehicle = Vehicle.objects.for_org(sunrise).get()
    assert photos.fetch_photos(vehicle=vehicle)["failed"] == 1
    assert "larger than the limit of 500 bytes" in vehicle.photos.get().error
    assert not MediaContent.objects.exists()


def test_inventory_page_shows_the_cover(
    photo_feed, sunrise, sunrise_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_feed(organization=sunrise, chunks=[as_csv(photo_feed)])
    cover = VehiclePhoto.objects.filter(position=0).first().file
    html = sunrise_client.get("/marketing/inventory").content.decode()
    assert f'src="{cover.thumbnail_url}"' in html


def test_the_library_lists_posts_not_inventory_photos(
    photo_feed, sunrise, sunrise_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_feed(organization=sunrise, chunks=[as_csv(photo_feed)])
    library = sunrise_client.get("/marketing/media").content.decode()
    assert "photo 1" not in library and "photo 2" not in library
    files = sunrise_client.get(
        "/marketing/files?source=inventory_photo", HTTP_ACCEPT="application/json"
    ).json()["files"]
    assert len(files) == 2 and {f["source"] for f in files} == {"inventory_photo"}
