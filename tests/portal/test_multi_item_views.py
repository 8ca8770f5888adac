"""The portal's endpoints for posts of several items: compose, reorder, tenancy in words."""

import json

import pytest

from media_content.models import MediaAttachment, ScheduledPost
from tests.factories import MediaContentFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def photos(sunrise):
    return [MediaContentFactory(organization=sunrise, title=f"Photo {n}") for n in (1, 2, 3)]


def test_compose_makes_one_post_per_destination_with_the_items_in_order(
    sunrise_client, photos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = sunrise_client.post(
            "/marketing/media/compose",
            {
                "items": [photos[2].pk, photos[0].pk, photos[1].pk],
                "title": "Civic",
                "post_to_facebook": "on",
                "post_to_banner": "on",
                "schedule_mode": "now",
            },
            **JSON,
        )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert [item["id"] for item in body["items"]] == [photos[2].pk, photos[0].pk, photos[1].pk]
    posts = ScheduledPost.objects.filter(media_content=photos[2])
    assert sorted(posts.values_list("destination", flat=True)) == ["banner", "facebook"]


def test_another_dealerships_item_is_refused_in_words(sunrise_client, photos, lakeside):
    theirs = MediaContentFactory(organization=lakeside, title="Lakeside lease")
    answer = sunrise_client.post(
        "/marketing/media/compose",
        {"items": [photos[0].pk, theirs.pk], "title": "x", "schedule_mode": "draft"},
        **JSON,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"]["items"] == [
        f"Item {theirs.pk} is not in this dealership's library."
    ]
    answer = sunrise_client.post(
        f"/marketing/media/{photos[0].pk}/items",
        json.dumps([photos[0].pk, theirs.pk]),
        content_type="application/json",
        **JSON,
    )
    assert answer.status_code == 400
    assert not MediaAttachment.objects.exists()


def test_another_dealerships_post_is_not_found(lakeside_client, photos):
    answer = lakeside_client.post(
        f"/marketing/media/{photos[0].pk}/items",
        json.dumps([photos[1].pk]),
        content_type="application/json",
        **JSON,
    )
    assert answer.status_code == 404


def test_reorder_by_json_array_and_bad_input_in_words(sunrise_client, photos):
    url = f"/marketing/media/{photos[0].pk}/items"
    answer = sunrise_client.post(
        url,
        json.dumps([photos[0].pk, photos[2].pk, photos[1].pk]),
        content_type="application/json",
        **JSON,
    )
    assert answer.status_code == 200
    assert [i["id"] for i in answer.json()["items"]] == [photos[0].pk, photos[2].pk, photos[1].pk]
    for bad in (b"{not json", b'{"a": 1}', b'["x"]', b"[]", b"[" * 2000):
        answer = sunrise_client.post(url, bad, content_type="application/json", **JSON)
        assert answer.status_code == 400, bad
        assert answer.json()["errors"]["items"]
    assert photos[0].items() == [photos[0], photos[2], photos[1]]
