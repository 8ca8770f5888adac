"""The reproduced faults of "a post is a file", through the portal's URLs.

A post carries files of the library: composing never renames a photo, a rule
event makes its own post, a file a post still needs cannot be deleted from under
it, and a photo can be posted again with new words while history keeps the old.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from inventory import importing, rules
from inventory.models import Vehicle, VehiclePhoto, VehiclePost
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing
from tests.factories import MediaContentFactory, MediaFileFactory
from tests.inventory.conftest import as_csv, make_vin, stock

JSON = {"HTTP_ACCEPT": "application/json"}
NOON = datetime.datetime(2026, 3, 2, 20, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_noon():
    with time_machine.travel(NOON, tick=False):
        yield


class Ok:
    def publish(self, post, claim):
        return publishing.PublishResult(external_id=f"fb_{post.pk}")


def test_composing_makes_a_new_post_and_never_renames_the_photo(sunrise_client, sunrise):
    front = MediaFileFactory(organization=sunrise, title="IMG_0001 front")
    side = MediaFileFactory(organization=sunrise, title="IMG_0002 side")
    earlier = MediaContentFactory(organization=sunrise, title="Spring sale", files=[front])
    answer = sunrise_client.post(
        "/marketing/media/compose",
        {
            "file_ids": [front.pk, side.pk],
            "title": "Just arrived: 2019 F-150",
            "description": "Come see it.",
            "schedule_mode": "draft",
        },
        **JSON,
    )
    assert answer.status_code == 201, answer.content
    post = answer.json()
    assert post["id"] != earlier.pk
    assert [item["file_id"] for item in post["items"]] == [front.pk, side.pk]
    front.refresh_from_db()
    earlier.refresh_from_db()
    assert front.title == "IMG_0001 front"
    assert (earlier.title, earlier.description) == (
        "Spring sale",
        "Zero down on every SUV this weekend.",
    )


def _vehicle_with_photos(sunrise, *, photos: int) -> Vehicle:
    """One imported vehicle whose photos are already in the file library."""
    importing.import_feed(organization=sunrise, chunks=[as_csv(stock(1))], complete=False)
    vehicle = Vehicle.objects.for_org(sunrise).get(vin=make_vin(1))
    for position in range(photos):
        VehiclePhoto.objects.create(
            organization=sunrise,
            vehicle=vehicle,
            source_url=f"https://cdn.example/{position}.jpg",
            position=position,
            file=MediaFileFactory(organization=sunrise, source="inventory_photo", vehicle=vehicle),
        )
    return vehicle


def test_a_price_drop_makes_its_own_post_and_leaves_just_arrived_alone(sunrise, sunrise_client):
    vehicle = _vehicle_with_photos(sunrise, photos=2)
    rules.rule_save(organization=sunrise, kind="just_arrived", mode="schedule", ribbon=False)
    rules.rule_save(
        organization=sunrise, kind="price_drop", mode="schedule", ribbon=False, min_drop_amount=0
    )
    arrived = rules.apply_rule(vehicle=vehicle, kind="just_arrived")
    before = sunrise_client.get(f"/marketing/media/{arrived.pk}/get").json()
    assert {d["status"] for d in before["deliveries"]} == {"pending"}

    Vehicle.objects.filter(pk=vehicle.pk).update(
        previous_price=vehicle.price, price=vehicle.price - 2000, price_dropped_at=timezone.now()
    )
    vehicle.refresh_from_db()
    dropped = rules.apply_rule(vehicle=vehicle, kind="price_drop")

    assert dropped is not None and dropped.pk != arrived.pk
    after = sunrise_client.get(f"/marketing/media/{arrived.pk}/get").json()
    for key in ("title", "facebook_caption", "instagram_caption", "deliveries"):
        assert after[key] == before[key], key
    assert dropped.title.startswith("Price drop")
    assert set(VehiclePost.objects.values_list("kind", "media_content_id")) == {
        ("just_arrived", arrived.pk),
        ("price_drop", dropped.pk),
    }
    assert ScheduledPost.objects.filter(media_content=dropped, destination="facebook").exists()


def test_deleting_a_photo_of_a_scheduled_carousel_is_refused_naming_the_post(
    sunrise_client, sunrise
):
    photos = [MediaFileFactory(organization=sunrise) for _ in range(3)]
    carousel = MediaContentFactory(
        organization=sunrise,
        title="Truck month",
        files=photos,
        status=MediaContent.Status.SCHEDULED,
        post_to_facebook=True,
    )
    answer = sunrise_client.post(f"/marketing/files/{photos[1].pk}/delete", **JSON)
    assert answer.status_code == 409
    assert "“Truck month”" in answer.json()["error"]
    assert answer.json()["used_by"] == [carousel.pk]
    assert len(carousel.files_in_order()) == 3
    info = sunrise_client.get(f"/marketing/files/{photos[1].pk}/get").json()
    assert info["used_by"] == [carousel.pk]


def test_a_file_no_waiting_post_uses_can_be_deleted(sunrise_client, sunrise):
    loose = MediaFileFactory(organization=sunrise)
    answer = sunrise_client.post(f"/marketing/files/{loose.pk}/delete", **JSON)
    assert answer.status_code == 200
    assert sunrise_client.get(f"/marketing/files/{loose.pk}/get").status_code == 404


def test_a_photo_posted_again_with_new_words_keeps_what_was_sent_first(
    sunrise_client, sunrise, settings, django_capture_on_commit_callbacks
):
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "tests.posts.test_posts_are_not_files.Ok",
    }
    first = MediaContentFactory(
        organization=sunrise,
        title="Truck month",
        description="Every F-150 at invoice.",
        post_to_facebook=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        sunrise_client.post(f"/marketing/media/{first.pk}/publish", **JSON)
    publishing.publish_post(post_id=ScheduledPost.objects.get(media_content=first).pk)

    answer = sunrise_client.post(f"/marketing/media/{first.pk}/duplicate", **JSON)
    assert answer.status_code == 201, answer.content
    again = MediaContent.objects.get(pk=answer.json()["id"])
    assert again.status == MediaContent.Status.DRAFT
    assert again.files_in_order() == first.files_in_order()
    MediaContent.objects.filter(pk=again.pk).update(description="Last week of truck month!")
    with django_capture_on_commit_callbacks(execute=True):
        sunrise_client.post(f"/marketing/media/{again.pk}/publish", **JSON)
    publishing.publish_post(post_id=ScheduledPost.objects.get(media_content=again).pk)

    sent = dict(ScheduledPost.objects.values_list("media_content_id", "sent_text"))
    assert "Every F-150 at invoice." in sent[first.pk]
    assert "Last week of truck month!" in sent[again.pk]
    history = sunrise_client.get("/marketing/history").content.decode()
    assert "Every F-150 at invoice." in history and "Last week of truck month!" in history


def test_the_file_library_filters_by_source_and_vehicle(sunrise_client, sunrise):
    upload = MediaFileFactory(organization=sunrise, title="Showroom")
    photo = MediaFileFactory(organization=sunrise, title="Car photo", source="inventory_photo")
    listed = sunrise_client.get("/marketing/files?source=inventory_photo", **JSON).json()
    assert [f["id"] for f in listed["files"]] == [photo.pk]
    everything = sunrise_client.get("/marketing/files", **JSON).json()
    assert {f["id"] for f in everything["files"]} == {upload.pk, photo.pk}
    assert "Car photo" in sunrise_client.get("/marketing/files").content.decode()


def test_the_library_lists_posts_with_their_photos_and_vehicle(sunrise_client, sunrise):
    vehicle = _vehicle_with_photos(sunrise, photos=3)
    rules.rule_save(organization=sunrise, kind="just_arrived", mode="draft", ribbon=False)
    post = rules.apply_rule(vehicle=vehicle, kind="just_arrived")
    page = sunrise_client.get("/marketing/media").content.decode()
    assert f'id="media-{post.pk}"' in page
    assert "3 photos" in page
    assert f"Inventory: {vehicle.year} {vehicle.make} {vehicle.model}" in page
    assert page.count('class="select-item"') == 1  # the photos are files, not library rows
