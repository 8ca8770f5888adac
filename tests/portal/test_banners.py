"""The portal's banners page: upload checked by content, edit, toggle, delete, reorder."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from banners.models import Banner
from tests.media import jpeg_bytes

pytestmark = pytest.mark.django_db


def _image(name="wide.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content or jpeg_bytes(1200, 400), content_type=content_type)


def test_banners_page_lists_own_banners_in_order_with_date_ranges(
    sunrise_client, sunrise_banners, lakeside_banner
):
    first = sunrise_banners[0]
    first.start_date, first.end_date = datetime.date(2026, 1, 15), datetime.date(2026, 2, 28)
    first.save()
    page = sunrise_client.get("/marketing/banners").content.decode()
    assert "Jan 15 - Feb 28" in page
    assert "Lakeside banner" not in page
    positions = [page.index(f'id="banner-{b.pk}"') for b in sunrise_banners]
    assert positions == sorted(positions)


def test_banners_empty_state(sunrise_client):
    page = sunrise_client.get("/marketing/banners").content.decode()
    assert "No banners yet." in page


def test_upload_a_banner(sunrise_client, sunrise, sunrise_banners):
    response = sunrise_client.post(
        "/marketing/banners",
        {
            "title": "Spring event",
            "image": _image(),
            "link_url": "/specials",
            "start_date": "2026-03-01",
            "end_date": "2026-03-31",
            "is_active": "true",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Added “Spring event”" in response.content.decode()
    banner = Banner.objects.for_org(sunrise).get(title="Spring event")
    assert banner.start_date == datetime.date(2026, 3, 1)
    assert banner.link_url == "/specials"
    assert banner.sort_order == max(b.sort_order for b in sunrise_banners) + 1
    assert banner.image.storage.exists(banner.image.name)


def test_upload_json_answer(sunrise_client):
    response = sunrise_client.post(
        "/marketing/banners",
        {"title": "Json banner", "image": _image(), "is_active": "true"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["title"] == "Json banner"
    assert response.json()["is_active"] is True


@pytest.mark.parametrize(
    ("upload", "status", "message"),
    [
        (
            SimpleUploadedFile("fake.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg"),
            415,
            "This file is not a supported type: upload a JPEG, PNG, WebP or GIF image.",
        ),
        (
            SimpleUploadedFile("cut.jpg", jpeg_bytes(1200, 400)[:200], content_type="image/jpeg"),
            400,
            "This image is truncated or corrupt and cannot be read.",
        ),
    ],
)
def test_banner_image_is_checked_by_content(sunrise_client, sunrise, upload, status, message):
    response = sunrise_client.post(
        "/marketing/banners",
        {"title": "Bad", "image": upload},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == status
    assert response.json()["errors"]["image"] == [message]
    assert not Banner.objects.for_org(sunrise).exists()


def test_banner_image_format_must_be_a_web_format(sunrise_client, sunrise):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, "BMP")
    response = sunrise_client.post(
        "/marketing/banners",
        {"title": "Bitmap", "image": _image("b.jpg", buffer.getvalue())},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 415
    assert response.json()["errors"]["image"] == [
        "This file is not a supported type: upload a JPEG, PNG, WebP or GIF image."
    ]


def test_banner_end_before_start_is_refused_on_the_page(sunrise_client, sunrise):
    response = sunrise_client.post(
        "/marketing/banners",
        {
            "title": "Backwards",
            "image": _image(),
            "start_date": "2026-03-10",
            "end_date": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not Banner.objects.for_org(sunrise).exists()


def test_toggle_keeps_other_fields(sunrise_client, sunrise_banners):
    banner = sunrise_banners[1]
    banner.start_date = datetime.date(2026, 5, 1)
    banner.save()
    response = sunrise_client.post(
        f"/marketing/banners/{banner.pk}/update",
        {"is_active": "false"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    banner.refresh_from_db()
    assert banner.is_active is False
    assert banner.start_date == datetime.date(2026, 5, 1)
    assert banner.title == "Banner 1"


def test_edit_replaces_the_image_and_removes_the_old_file(
    sunrise_client, sunrise_banners, django_capture_on_commit_callbacks
):
    banner = sunrise_banners[0]
    old_name, storage = banner.image.name, banner.image.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post(
            f"/marketing/banners/{banner.pk}/update",
            {"title": "New look", "link_url": "https://sunrise.example", "image": _image("n.png")},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 200
    banner.refresh_from_db()
    assert banner.title == "New look"
    assert banner.image.name != old_name
    assert not storage.exists(old_name)


def test_edit_refuses_a_javascript_link(sunrise_client, sunrise_banners):
    banner = sunrise_banners[0]
    response = sunrise_client.post(
        f"/marketing/banners/{banner.pk}/update",
        {"link_url": "javascript:alert(1)"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "link_url" in response.json()["errors"]
    banner.refresh_from_db()
    assert banner.link_url == "https://example.com/offers"


def test_delete_banner(sunrise_client, sunrise_banners):
    banner = sunrise_banners[0]
    response = sunrise_client.post(f"/marketing/banners/{banner.pk}/delete", follow=True)
    assert "Deleted “Banner 0”" in response.content.decode()
    assert not Banner.objects.filter(pk=banner.pk).exists()


@pytest.mark.parametrize("action", ["update", "delete"])
def test_another_dealerships_banner_is_not_found(lakeside_client, sunrise_banners, action):
    banner = sunrise_banners[0]
    response = lakeside_client.post(
        f"/marketing/banners/{banner.pk}/{action}", {"title": "Hijacked"}
    )
    assert response.status_code == 404
    banner.refresh_from_db()
    assert banner.title == "Banner 0"


def test_reorder_saves_the_new_order(sunrise_client, sunrise, sunrise_banners):
    new_order = [sunrise_banners[2].pk, sunrise_banners[0].pk, sunrise_banners[1].pk]
    response = sunrise_client.post(
        "/marketing/banners/reorder", json.dumps(new_order), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"order": new_order}
    saved = list(
        Banner.objects.for_org(sunrise).order_by("sort_order").values_list("pk", flat=True)
    )
    assert saved == new_order


def test_reorder_must_list_every_banner(sunrise_client, sunrise_banners):
    response = sunrise_client.post(
        "/marketing/banners/reorder",
        json.dumps([sunrise_banners[1].pk, sunrise_banners[0].pk]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "each of the dealership's banners once" in response.json()["errors"]["order"][0]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"order": [1]}),
        json.dumps([1, "2"]),
        json.dumps([True]),
        "[" * 2000,  # RecursionError in json
    ],
)
def test_reorder_refuses_what_is_not_an_array_of_ids(sunrise_client, sunrise_banners, body):
    response = sunrise_client.post(
        "/marketing/banners/reorder", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["order"] == [
        "Send a JSON array of banner ids, e.g. [3, 1, 2]."
    ]


def test_reorder_with_another_dealerships_banner_changes_nothing(
    sunrise_client, sunrise, sunrise_banners, lakeside_banner
):
    before = list(Banner.objects.order_by("pk").values_list("pk", "sort_order"))
    body = [lakeside_banner.pk] + [b.pk for b in sunrise_banners]
    response = sunrise_client.post(
        "/marketing/banners/reorder", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "a banner this dealership does not have" in response.json()["errors"]["order"][0]
    assert list(Banner.objects.order_by("pk").values_list("pk", "sort_order")) == before


def test_toggle_from_the_page_says_what_changed(sunrise_client, sunrise_banners):
    banner = sunrise_banners[0]
    response = sunrise_client.post(
        f"/marketing/banners/{banner.pk}/update", {"is_active": "false"}, follow=True
    )
    assert "“Banner 0” no longer shows on your website." in response.content.decode()
