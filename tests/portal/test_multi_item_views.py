"""The portal's endpoints for posts of several files: compose, reorder, tenancy in words."""

import json

import pytest

from media_content.models import MediaContent, ScheduledPost
from tests.factories import MediaContentFactory, MediaFileFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def photos(sunrise):
    return [MediaFileFactory(organization=sunrise, title=f"Photo {n}") for n in (1, 2, 3)]


@pytest.fixture
def post(sunrise, photos):
    return MediaContentFactory(organization=sunrise, title="Civic", files=photos)


def test_compose_makes_one_post_per_destination_with_the_items_in_order(
    sunrise_client, photos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = sunrise_client.post(
            "/marketing/media/compose",
            {
                "file_ids": [photos[2].pk, photos[0].pk, photos[1].pk],
                "title": "Civic",
                "post_to_facebook": "on",
                "post_to_banner": "on",
                "schedule_mode": "now",
            },
            **JSON,
        )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert [item["file_id"] for item in body["items"]] == [p.pk for p in (photos[2], *photos[:2])]
    assert [item["position"] for item in body["items"]] == [0, 1, 2]
    posts = ScheduledPost.objects.filter(media_content_id=body["id"])
    assert sorted(posts.values_list("destination", flat=True)) == ["banner", "facebook"]


def test_the_seeds_items_field_still_composes(sunrise_client, photos):
    answer = sunrise_client.post(
        "/marketing/media/compose",
        {"items": [photos[1].pk, photos[0].pk], "title": "Civic", "schedule_mode": "draft"},
        **JSON,
    )
    assert answer.status_code == 201, answer.content
    assert [i["file_id"] for i in answer.json()["items"]] == [photos[1].pk, photos[0].pk]


def test_another_dealerships_file_is_refused_in_words(sunrise_client, post, photos, lakeside):
    theirs = MediaFileFactory(organization=lakeside, title="Lakeside lease")
    answer = sunrise_client.post(
        "/marketing/media/compose",
        {"file_ids": [photos[0].pk, theirs.pk], "title": "x", "schedule_mode": "draft"},
        **JSON,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"]["items"] == [
        f"File {theirs.pk} is not in this dealership's library."
    ]
    answer = sunrise_client.post(
        f"/marketing/media/{post.pk}/items",
        json.dumps([photos[0].pk, theirs.pk]),
        content_type="application/json",
        **JSON,
    )
    assert answer.status_code == 400
    assert post.files_in_order() == photos
    assert MediaContent.objects.count() == 1


def test_another_dealerships_post_is_not_found(lakeside_client, post, photos):
    answer = lakeside_client.post(
        f"/marketing/media/{post.pk}/items",
        json.dumps([photos[1].pk]),
        content_type="application/json",
        **JSON,
    )
    assert answer.status_code == 404


def test_reorder_by_json_array_and_bad_input_in_words(sunrise_client, post, photos):
    url = f"/marketing/media/{post.pk}/items"
    answer = sunrise_client.post(
        url,
        json.dumps([photos[0].pk, photos[2].pk, photos[1].pk]),
        content_type="application/json",
        **JSON,
    )
    assert answer.status_code == 200
    order = [photos[0].pk, photos[2].pk, photos[1].pk]
    assert [i["file_id"] for i in answer.json()["items"]] == order
    for bad in (b"{not json", b'{"a": 1}', b'["x"]', b"[]", b"[" * 2000):
        answer = sunrise_client.post(url, bad, content_type="application/json", **JSON)
        assert answer.status_code == 400, bad
        assert answer.json()["errors"]["items"]
    assert [f.pk for f in post.files_in_order()] == order
