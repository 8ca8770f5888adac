"""Per-network text in the portal: saved from the upload and the edit modal, limits refused."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media_content import captions
from media_content.models import MediaContent
from tests.media import jpeg_bytes
from tests.uploads.conftest import tus_upload
from uploads.models import Upload

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
TEXT = {
    "facebook_caption": "Spring sale: zero down. https://sunrise.example/suv",
    "instagram_caption": "Spring sale #suv #zerodown. Link in bio.",
    "first_comment": "Ask for Dana.",
    "alt_text": "A red SUV at the showroom door",
}


def upload(client, **fields):
    data = {
        "media_file": SimpleUploadedFile("suv.jpg", jpeg_bytes(1080, 1080), "image/jpeg"),
        "title": "Spring sale",
        "schedule_mode": "draft",
        **fields,
    }
    return client.post("/marketing/media", data, **JSON)


def stored(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_the_upload_keeps_each_networks_text(sunrise_client):
    answer = upload(sunrise_client, **TEXT)
    assert answer.status_code == 201, answer.content
    media = MediaContent.objects.get()
    assert {name: getattr(media, name) for name in TEXT} == TEXT


def test_complete_chunk_upload_keeps_each_networks_text(sunrise_client):
    upload_id = tus_upload(sunrise_client, jpeg_bytes(1080, 1080), "suv.jpg", "image/jpeg")
    answer = sunrise_client.post(
        "/marketing/complete-chunk-upload",
        {"upload_id": upload_id, "title": "Spring sale", "schedule_mode": "draft", **TEXT},
        **JSON,
    )
    assert answer.status_code == 201, answer.content
    media = MediaContent.objects.get()
    assert {name: getattr(media, name) for name in TEXT} == TEXT


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("instagram_caption", "a" * 2201, "Instagram takes at most 2,200 characters"),
        ("instagram_caption", " ".join(f"#car{n}" for n in range(31)), "at most 30 hashtags"),
        ("instagram_caption", " ".join(f"@fan{n}" for n in range(21)), "at most 20 @-mentions"),
        ("facebook_caption", "b" * 63207, "Facebook takes at most 63,206 characters"),
        ("first_comment", "c" * 2201, "at most 2200 characters"),
        ("alt_text", "d" * 1001, "at most 1000 characters"),
        ("instagram_caption", "Sale\x1b[31m", "escape character (U+001B)"),
    ],
)
def test_text_over_a_limit_is_refused_in_words_and_nothing_is_kept(
    sunrise_client, settings, field, text, words
):
    answer = upload(sunrise_client, **{field: text})
    assert answer.status_code == 400
    assert words in " ".join(answer.json()["errors"][field])
    assert not MediaContent.objects.exists()
    assert stored(settings) == []


def test_the_default_text_is_checked_for_a_network_without_its_own_caption(sunrise_client):
    long_description = "Every SUV at invoice. " * 110  # 2,420 characters
    answer = upload(
        sunrise_client, description=long_description, post_to_instagram="on", schedule_mode="now"
    )
    assert answer.status_code == 400
    [message] = answer.json()["errors"]["instagram_caption"]
    assert message.startswith("With no Instagram caption of its own, the post uses the title")
    assert "2,200 characters" in message
    assert not MediaContent.objects.exists()
    # A shorter Instagram caption of its own fixes it; Facebook takes the long text.
    answer = upload(
        sunrise_client,
        description=long_description,
        instagram_caption="Every SUV at invoice.",
        post_to_instagram="on",
        post_to_facebook="on",
    )
    assert answer.status_code == 201, answer.content


def test_complete_chunk_upload_refuses_over_limit_text_and_keeps_the_upload(sunrise_client):
    upload_id = tus_upload(sunrise_client, jpeg_bytes(1080, 1080), "suv.jpg", "image/jpeg")
    answer = sunrise_client.post(
        "/marketing/complete-chunk-upload",
        {
            "upload_id": upload_id,
            "title": "Spring sale",
            "schedule_mode": "draft",
            "instagram_caption": "#a " * 31,
        },
        **JSON,
    )
    assert answer.status_code == 400
    assert "30 hashtags" in " ".join(answer.json()["errors"]["instagram_caption"])
    assert not MediaContent.objects.exists()
    assert Upload.objects.get().state == Upload.State.COMPLETE  # send it again, fixed


def test_the_edit_modal_saves_and_answers_the_text(sunrise_client, sunrise_item):
    answer = sunrise_client.post(
        f"/marketing/media/{sunrise_item.pk}/update",
        {"title": sunrise_item.title, "post_to_facebook": "on", **TEXT},
        **JSON,
    )
    assert answer.status_code == 200, answer.content
    sunrise_item.refresh_from_db()
    assert {name: getattr(sunrise_item, name) for name in TEXT} == TEXT
    item = sunrise_client.get(f"/marketing/media/{sunrise_item.pk}/get").json()
    assert {name: item[name] for name in TEXT} == TEXT


def test_the_edit_modal_refuses_over_limit_text_and_changes_nothing(sunrise_client, sunrise_item):
    answer = sunrise_client.post(
        f"/marketing/media/{sunrise_item.pk}/update",
        {
            "title": "Changed",
            "post_to_facebook": "on",
            "instagram_caption": "x" * 2300,
        },
        **JSON,
    )
    assert answer.status_code == 400
    assert "Shorten it by 100" in " ".join(answer.json()["errors"]["instagram_caption"])
    sunrise_item.refresh_from_db()
    assert sunrise_item.title == "Truck month"
    assert sunrise_item.instagram_caption == ""


def test_the_library_form_and_modal_offer_the_fields_and_the_count_script(sunrise_client):
    page = sunrise_client.get("/marketing/media").content.decode()
    for name in TEXT:
        assert f'name="{name}"' in page
    assert "js/portal/captions.js" in page
    assert 'data-limit-chars="2200"' in page
    assert 'data-limit-chars="63206"' in page


def test_counting_matches_what_instagram_counts():
    counts = captions.caption_counts(
        "Call sales@sunrise.example or @dana.k! #SUV #zero_down #SUV ##x #1 ✨ C#"
    )
    # sales@... is an address, not a mention; "C#" and "##x" are no hashtags.
    assert counts["mentions"] == 1
    assert counts["hashtags"] == 4
    assert captions.caption_counts("🚗" * 3)["characters"] == 3  # code points
