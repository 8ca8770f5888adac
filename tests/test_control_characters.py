"""Titles, descriptions and links refuse control characters in words.

One validator (``dealer_media/validators.py``) on the model fields and the
upload form, so the portal's forms and the admin refuse the same text: single
lines (titles, file names, links) take no control character at all,
descriptions keep line breaks and tabs.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from banners.models import Banner
from dealer_media.validators import validate_multi_line_text, validate_single_line_text
from media_content.models import MediaContent
from uploads.models import Upload

from .factories import MediaContentFactory
from .media import jpeg_bytes
from .test_admin_scheduling import _save as save_in_admin
from .uploads.conftest import tus_upload

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
ESC_MESSAGE = (
    "This text contains an escape character (U+001B), which cannot be shown or published. "
    "Remove it and try again."
)


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.TUS_UPLOAD_DIR = tmp_path / "uploads"


READABLE = ["Spring sale", "Café — 日本語", "Family 👨‍👩‍👧 deals", "50% off / $0 down", ""]


@pytest.mark.parametrize("value", READABLE)
def test_readable_text_passes_both(value):
    validate_single_line_text(value)
    validate_multi_line_text(value)


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("a\x00b", "a NUL character (U+0000)"),
        ("a\x07b", "an invisible control character (U+0007)"),
        ("a\x1b[2Jb", "an escape character (U+001B)"),
        ("a\x7fb", "a delete character (U+007F)"),
        ("a\x9bb", "an invisible control character (U+009B)"),
    ],
)
def test_control_characters_are_refused_by_name(value, named):
    for validate in (validate_single_line_text, validate_multi_line_text):
        with pytest.raises(ValidationError) as raised:
            validate(value)
        assert raised.value.code == "control_character"
        assert raised.value.messages == [
            f"This text contains {named}, which cannot be shown or published. "
            "Remove it and try again."
        ]


@pytest.mark.parametrize(
    ("value", "named"),
    [("Truck\tmonth", "a tab (U+0009)"), ("Truck\nmonth", "a line break (U+000A)")],
)
def test_a_title_is_one_line_but_a_description_may_have_many(value, named):
    with pytest.raises(ValidationError) as raised:
        validate_single_line_text(value)
    assert raised.value.messages == [
        f"This must be one line: it contains {named}. Remove it and try again."
    ]
    validate_multi_line_text(value)
    validate_multi_line_text("First line\r\nSecond line")


def _upload(client, **fields):
    data = {
        "media_file": SimpleUploadedFile("car.jpg", jpeg_bytes(), "image/jpeg"),
        "title": "Spring sale",
        "schedule_mode": "draft",
        **fields,
    }
    return client.post("/marketing/media", data, **JSON)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Spring\x1bsale"),
        ("description", "Zero down\x1b this weekend"),
        ("link_url", "https://sunrise.example/a\x1bb"),
    ],
)
def test_upload_form_refuses_control_characters(sunrise_client, settings, field, value):
    response = _upload(sunrise_client, **{field: value})
    assert response.status_code == 400
    assert ESC_MESSAGE in response.json()["errors"][field]
    assert not MediaContent.objects.exists()
    assert list(settings.MEDIA_ROOT.rglob("*")) == []


def test_upload_form_keeps_line_breaks_in_the_description(sunrise_client):
    response = _upload(sunrise_client, description="Zero down.\r\n\tEvery SUV.")
    assert response.status_code == 201, response.content
    assert MediaContent.objects.get().description == "Zero down.\r\n\tEvery SUV."


def test_complete_chunk_upload_refuses_and_keeps_the_upload(sunrise_client):
    upload_id = tus_upload(sunrise_client, jpeg_bytes(), "car.jpg", "image/jpeg")
    fields = {"upload_id": upload_id, "schedule_mode": "draft"}
    response = sunrise_client.post(
        "/marketing/complete-chunk-upload", {**fields, "title": "Spring\x1bsale"}, **JSON
    )
    assert response.status_code == 400
    assert response.json()["errors"]["title"] == [ESC_MESSAGE]
    assert Upload.objects.get().state == Upload.State.COMPLETE
    response = sunrise_client.post(
        "/marketing/complete-chunk-upload", {**fields, "title": "Spring sale"}, **JSON
    )
    assert response.status_code == 201


def test_edit_modal_refuses_and_saves_nothing(sunrise_client, sunrise):
    media = MediaContentFactory(organization=sunrise, title="Truck month")
    response = sunrise_client.post(
        f"/marketing/media/{media.pk}/update",
        {"title": "Truck\x1bmonth", "description": "Every F-150"},
        **JSON,
    )
    assert response.status_code == 400
    assert response.json()["errors"]["title"] == [ESC_MESSAGE]
    media.refresh_from_db()
    assert media.title == "Truck month"


def test_banner_form_refuses_a_control_character_in_the_title(sunrise_client, sunrise):
    response = sunrise_client.post(
        "/marketing/banners",
        {
            "title": "Spring\x1bevent",
            "image": SimpleUploadedFile("wide.jpg", jpeg_bytes(1200, 400), "image/jpeg"),
            "is_active": "true",
        },
        **JSON,
    )
    assert response.status_code == 400
    assert ESC_MESSAGE in str(response.json())
    assert not Banner.objects.exists()


def test_the_admin_refuses_the_same_text(client, superuser, sunrise):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:banners_banner_add"),
        {
            "organization": sunrise.pk,
            "title": "Spring\x1bevent",
            "image": SimpleUploadedFile("b.jpg", jpeg_bytes(), "image/jpeg"),
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "escape character (U+001B)" in response.content.decode()
    assert not Banner.objects.exists()

    media = MediaContentFactory(organization=sunrise, title="Truck month")
    response = save_in_admin(client, media, title="Truck\x07month")
    assert "invisible control character (U+0007)" in response.content.decode()
    media.refresh_from_db()
    assert media.title == "Truck month"


@pytest.mark.postgres
def test_nul_characters_are_400_in_words_on_postgresql(sunrise_client, sunrise):
    """PostgreSQL text cannot hold U+0000: every way in answers 400, none a 500."""
    assert _upload(sunrise_client, title="Spring\x00sale").status_code == 400
    assert _upload(sunrise_client, description="Zero\x00down").status_code == 400
    upload_id = tus_upload(sunrise_client, jpeg_bytes(), "car.jpg", "image/jpeg")
    response = sunrise_client.post(
        "/marketing/complete-chunk-upload",
        {"upload_id": upload_id, "title": "Spring\x00sale", "schedule_mode": "draft"},
        **JSON,
    )
    assert response.status_code == 400
    assert "a NUL character (U+0000)" in str(response.json()["errors"]["title"])
    media = MediaContentFactory(organization=sunrise, title="Truck month")
    response = sunrise_client.post(
        f"/marketing/media/{media.pk}/update", {"title": "Truck\x00month"}, **JSON
    )
    assert response.status_code == 400
    assert not MediaContent.objects.exclude(pk=media.pk).exists()


@pytest.mark.postgres
def test_searching_the_library_for_a_nul_is_not_an_error(sunrise_user, sunrise):
    client = Client()
    client.force_login(sunrise_user)
    MediaContentFactory(organization=sunrise, title="Truck month")
    response = client.get("/marketing/media", {"q": "Truck\x00"})
    assert response.status_code == 200
    assert "Truck month" in response.content.decode()


def test_a_banner_link_with_a_control_character_is_refused_in_words(sunrise_client, sunrise):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from banners.models import Banner
    from tests.media import jpeg_bytes

    response = sunrise_client.post(
        "/marketing/banners",
        {
            "title": "Offer",
            "image": SimpleUploadedFile("a.jpg", jpeg_bytes(1200, 400)),
            "link_url": "/specials\x1b[31m",
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "escape character (U+001B)" in " ".join(response.json()["errors"]["link_url"])
    assert not Banner.objects.exists()
