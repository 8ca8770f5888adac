"""A rule's post goes out with its ribbon: Facebook and Instagram get the ribbon's URL, the
website banner shows the ribbon's picture, and a post waits for it or fails in words."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile

from banners.models import Banner
from inventory import importing, rules
from inventory.models import Vehicle, VehiclePhoto
from media_content import ribbons
from media_content.models import MediaContent, ScheduledPost
from publishing import engine as publishing
from tests.factories import MediaContentFactory
from tests.processing.media import image_bytes
from tests.social.conftest import PUBLIC_MEDIA_URL
from tests.social.fake_graph import Reply

from .conftest import as_csv, make_vin, stock

pytestmark = pytest.mark.django_db


def _vehicle_with_photo(organization, photo: bytes) -> Vehicle:
    importing.import_feed(organization=organization, chunks=[as_csv(stock(1))], complete=False)
    vehicle = Vehicle.objects.for_org(organization).get(vin=make_vin(1))
    item = MediaContentFactory(organization=organization, file=ContentFile(photo, name="car.jpg"))
    VehiclePhoto.objects.create(
        organization=organization,
        vehicle=vehicle,
        source_url="https://cdn.example/1.jpg",
        position=0,
        file=item.lead_file,
    )
    return vehicle


def _publish_when_due(media: MediaContent, capture) -> list[ScheduledPost]:
    posts = list(media.posts.order_by("destination"))
    with time_machine.travel(posts[0].scheduled_time + datetime.timedelta(minutes=1)):
        for post in posts:
            with capture(execute=True):
                publishing.publish_post(post_id=post.pk)
    for post in posts:
        post.refresh_from_db()
    return posts


def test_a_scheduled_just_arrived_post_sends_the_ribbon_everywhere(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    vehicle = _vehicle_with_photo(sunrise, image_bytes(1200, 800))
    rules.rule_save(
        organization=sunrise,
        kind="just_arrived",
        mode="schedule",
        post_to_facebook=True,
        post_to_instagram=True,
        post_to_banner=True,
    )
    with django_capture_on_commit_callbacks(execute=True):  # the worker draws the ribbon
        media = rules.apply_rule(vehicle=vehicle, kind="just_arrived")
    media.refresh_from_db()
    assert media.ribbon_text == "Just arrived" and media.status == MediaContent.Status.SCHEDULED
    drawn = ribbons.ribbon_for(media)
    assert drawn is not None and drawn.spec.startswith("ribbon-just-arrived-")
    fake_graph.script("GET", "/c1000", Reply(body={"status_code": "FINISHED"}))

    posts = _publish_when_due(media, django_capture_on_commit_callbacks)

    assert [p.status for p in posts] == [ScheduledPost.Status.POSTED] * 3, [
        p.last_error for p in posts
    ]
    ribbon_url = f"{PUBLIC_MEDIA_URL}{drawn.file.name}"
    [photo] = fake_graph.calls("POST", "/111/photos")
    assert photo.params["url"] == ribbon_url
    [container] = fake_graph.calls("POST", "/17841400000000001/media")
    assert container.params["image_url"] == ribbon_url
    banner = Banner.objects.for_org(sunrise).get(media_content=media)
    assert banner.image.name == drawn.file.name
    assert (banner.image_width, banner.image_height) == (drawn.width, drawn.height)
    # Drawn for Instagram, so within 4:5..1.91:1: this 3:2 photo keeps its shape.
    assert (drawn.width, drawn.height) == (1200, 800)


def test_a_post_due_before_its_ribbon_is_drawn_waits_for_it(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    vehicle = _vehicle_with_photo(sunrise, image_bytes(1200, 800))
    rules.rule_save(
        organization=sunrise, kind="just_arrived", mode="schedule", post_to_instagram=False
    )
    media = rules.apply_rule(vehicle=vehicle, kind="just_arrived")  # its task not run: lost
    assert ribbons.ribbon_pending(media)
    [post] = media.posts.all()
    with time_machine.travel(post.scheduled_time + datetime.timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=False) as sent:
            publishing.publish_post(post_id=post.pk)
        post.refresh_from_db()
        assert post.status == ScheduledPost.Status.PENDING
        assert post.last_error == "Waiting for the ribbon to be drawn on the cover photo."
        assert not fake_graph.calls("POST", "/111/photos")
        with django_capture_on_commit_callbacks(execute=True):
            for callback in sent:  # the ribbon asked for again, then the nudge
                callback()
    post.refresh_from_db()
    drawn = ribbons.ribbon_for(media)
    assert post.status == ScheduledPost.Status.POSTED, post.last_error
    [photo] = fake_graph.calls("POST", "/111/photos")
    assert photo.params["url"] == f"{PUBLIC_MEDIA_URL}{drawn.file.name}"


def test_a_ribbon_that_cannot_be_drawn_fails_the_post_in_words(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    vehicle = _vehicle_with_photo(sunrise, image_bytes(40, 30))
    rules.rule_save(
        organization=sunrise, kind="just_arrived", mode="schedule", post_to_instagram=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        media = rules.apply_rule(vehicle=vehicle, kind="just_arrived")
    [post] = _publish_when_due(media, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.FAILED
    assert post.last_error == (
        "Not sent: We could not draw the ribbon “Just arrived” on the cover photo: "
        "The photo is too small to draw a ribbon on. Remove the ribbon or change the first photo."
    )
    assert not fake_graph.calls("POST", "/111/photos")


def test_a_rule_without_a_ribbon_sends_the_photo_itself(
    fake_graph, account, sunrise, django_capture_on_commit_callbacks
):
    vehicle = _vehicle_with_photo(sunrise, image_bytes(1200, 800))
    rules.rule_save(
        organization=sunrise,
        kind="just_arrived",
        mode="schedule",
        post_to_instagram=False,
        ribbon=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        media = rules.apply_rule(vehicle=vehicle, kind="just_arrived")
    assert media.ribbon_text == "" and not media.lead_file.renditions.filter(
        spec__startswith="ribbon-"
    )
    [post] = _publish_when_due(media, django_capture_on_commit_callbacks)
    assert post.status == ScheduledPost.Status.POSTED
    [photo] = fake_graph.calls("POST", "/111/photos")
    assert photo.params["url"] == f"{PUBLIC_MEDIA_URL}{media.lead_file.file.name}"
