"""The split of files from posts keeps every row: seeded at the old state, migrated, compared.

Like ``django-test-migrations`` by hand: ``MigrationExecutor`` takes the database
back to before the split, the old models seed drafts, scheduled, posted and
failed items, a post of several items, an inventory rule's post and a Reel, then
the database is migrated forward and read with the new models.
"""

import datetime

import pytest
from django.utils import timezone

from tests.migrating import latest, migrate_to

BEFORE = [
    ("library", None),
    ("media_content", "0017_deliveries_keep_what_they_sent"),
    ("inventory", "0007_kept_uploads"),
]


@pytest.mark.django_db(transaction=True)
def test_every_item_post_delivery_and_photo_survives_the_split():
    old = migrate_to(BEFORE)
    Organization = old.get_model("tenancy", "Organization")
    Item = old.get_model("media_content", "MediaContent")
    Attachment = old.get_model("media_content", "MediaAttachment")
    Delivery = old.get_model("media_content", "ScheduledPost")
    Rendition = old.get_model("media_content", "Rendition")
    ApprovalStep = old.get_model("media_content", "ApprovalStep")
    PreviewLink = old.get_model("media_content", "PreviewLink")
    Vehicle = old.get_model("inventory", "Vehicle")
    VehiclePhoto = old.get_model("inventory", "VehiclePhoto")
    VehiclePost = old.get_model("inventory", "VehiclePost")
    VehicleReel = old.get_model("inventory", "VehicleReel")

    org = Organization.objects.create(name="Sunrise Motors", slug="sunrise", timezone="UTC")
    now = timezone.now()

    def item(title, status="draft", **fields):
        values = {
            "organization": org,
            "title": title,
            "file": f"org-{org.pk}/media/{title.replace(' ', '-')}.jpg",
            "thumbnail": f"org-{org.pk}/thumbnails/{title.replace(' ', '-')}.jpg",
            "media_type": "image",
            "status": status,
            "width": 1200,
            "height": 800,
            "size_bytes": 1234,
            "sha256": "a" * 64,
            "processing_status": "ready",
            "post_to_facebook": True,
        } | fields
        return Item.objects.create(**values)

    draft = item("Draft photo")
    scheduled = item("Scheduled photo", "scheduled", scheduled_post_time=now)
    posted = item("Posted photo", "posted", description="What went out")
    failed = item("Failed photo", "failed")
    lead = item("Carousel", "scheduled", scheduled_post_time=now, ribbon_text="Just arrived")
    second, third = item("Second"), item("Third")
    Attachment.objects.create(organization=org, media=lead, item=second, position=1)
    Attachment.objects.create(organization=org, media=lead, item=third, position=2)
    for media, status in [(scheduled, "pending"), (posted, "posted"), (failed, "failed")]:
        Delivery.objects.create(
            organization=org,
            media_content=media,
            title=media.title,
            destination="facebook",
            scheduled_time=now,
            status=status,
            posted_at=now if status == "posted" else None,
            external_url="https://facebook.example/1" if status == "posted" else "",
        )
    Rendition.objects.create(media=lead, spec="display", file="r/display.jpg", width=1, height=1)
    ApprovalStep.objects.create(organization=org, media=draft, kind="submitted")
    PreviewLink.objects.create(
        organization=org, media=draft, nonce="n", expires_at=now + datetime.timedelta(days=1)
    )
    vehicle = Vehicle.objects.create(
        organization=org,
        vin="1FTFW1E50KFA00001",
        year=2019,
        make="Ford",
        model="F-150",
        price=30000,
        first_seen_at=now,
        updated_at=now,
    )
    photo = item("2019 Ford F-150 – photo 1")
    VehiclePhoto.objects.create(
        organization=org,
        vehicle=vehicle,
        source_url="https://x.example/1.jpg",
        position=0,
        media_content=photo,
    )
    VehiclePost.objects.create(
        organization=org, vehicle=vehicle, kind="just_arrived", media_content=lead, event_at=now
    )
    reel = item("F-150 – Reel", media_type="video", duration=12.0, width=1080, height=1920)
    VehicleReel.objects.create(organization=org, vehicle=vehicle, status="done", media_content=reel)
    items_before = {i.pk: (i.title, i.status, i.file.name) for i in Item.objects.all()}
    deliveries_before = set(Delivery.objects.values_list("pk", "media_content_id", "status"))

    new = migrate_to(latest())
    Post = new.get_model("media_content", "MediaContent")
    File = new.get_model("library", "MediaFile")
    PostFile = new.get_model("media_content", "PostFile")

    assert {p.pk: (p.title, p.status) for p in Post.objects.all()} == {
        pk: (title, status) for pk, (title, status, _) in items_before.items()
    }
    assert {f.pk: f.file.name for f in File.objects.all()} == {
        pk: name for pk, (_, _, name) in items_before.items()
    }
    carousel = list(
        PostFile.objects.filter(post_id=lead.pk)
        .order_by("position")
        .values_list("file_id", "position")
    )
    assert carousel == [(lead.pk, 0), (second.pk, 1), (third.pk, 2)]
    assert PostFile.objects.filter(post_id=draft.pk).get().file_id == draft.pk
    new_delivery = new.get_model("media_content", "ScheduledPost")
    assert set(new_delivery.objects.values_list("pk", "media_content_id", "status")) == (
        deliveries_before
    )
    assert new.get_model("library", "Rendition").objects.get().media_id == lead.pk
    assert new.get_model("media_content", "ApprovalStep").objects.get().media_id == draft.pk
    assert new.get_model("media_content", "PreviewLink").objects.get().media_id == draft.pk
    assert new.get_model("inventory", "VehiclePhoto").objects.get().file_id == photo.pk
    assert new.get_model("inventory", "VehiclePost").objects.get().media_content_id == lead.pk
    assert new.get_model("inventory", "VehicleReel").objects.get().media_content_id == reel.pk
    assert File.objects.get(pk=photo.pk).source == "inventory_photo"
    assert File.objects.get(pk=photo.pk).vehicle_id == vehicle.pk
    assert File.objects.get(pk=reel.pk).source == "reel"
    assert File.objects.get(pk=draft.pk).source == "upload"
    assert File.objects.get(pk=reel.pk).duration == 12.0
    assert Post.objects.get(pk=lead.pk).ribbon_text == "Just arrived"
    # A new file after the copy gets an id of its own (the sequence moved past the copies).
    made = File.objects.create(
        organization_id=org.pk, title="new", file="x.jpg", media_type="image"
    )
    assert made.pk > max(items_before)
