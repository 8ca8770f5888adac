"""Invariants are enforced by the database, not only by forms."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banners.models import Banner, validate_link
from dealer_media.tenancy.models import Organization
from media_content.models import MediaContent, ScheduledPost

from .factories import BannerFactory, MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


def test_banner_cannot_end_before_it_starts(sunrise):
    with pytest.raises(IntegrityError), transaction.atomic():
        BannerFactory(
            organization=sunrise,
            start_date=datetime.date(2026, 3, 1),
            end_date=datetime.date(2026, 2, 28),
        )


def test_banner_may_start_and_end_on_one_day_or_be_open_ended(sunrise):
    BannerFactory(
        organization=sunrise,
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 1),
    )
    BannerFactory(organization=sunrise, start_date=None, end_date=datetime.date(2026, 3, 1))
    assert Banner.objects.count() == 2


def test_one_live_post_per_item_and_destination(sunrise):
    post = ScheduledPostFactory(media_content__organization=sunrise)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledPostFactory(media_content=post.media_content, destination=post.destination)
    # Another destination is fine, and so is a new post once the first is history.
    ScheduledPostFactory(media_content=post.media_content, destination="instagram")
    ScheduledPost.objects.filter(pk=post.pk).update(status="failed")
    ScheduledPostFactory(media_content=post.media_content, destination=post.destination)


def test_posted_post_must_say_when(sunrise):
    post = ScheduledPostFactory(media_content__organization=sunrise)
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledPost.objects.filter(pk=post.pk).update(status="posted")


def test_posting_history_survives_deleting_the_item(sunrise):
    post = ScheduledPostFactory(
        media_content__organization=sunrise, media_content__title="Truck month"
    )
    ScheduledPost.objects.filter(pk=post.pk).update(status="posted", posted_at=timezone.now())
    post.media_content.delete()
    post.refresh_from_db()
    assert post.media_content is None
    assert post.title == "Truck month"
    assert post.destination == "facebook"


def test_stored_name_is_generated_not_the_clients(sunrise):
    from django.core.files.base import ContentFile

    media = MediaContentFactory(
        organization=sunrise, file=ContentFile(b"x", name="../../etc/My Photo.JPG")
    )
    assert media.lead_file.file.name.startswith(f"org-{sunrise.pk}/media/")
    assert "Photo" not in media.lead_file.file.name
    assert media.lead_file.file.name.endswith(".jpg")
    assert media.media_url.startswith("/media/org-")


def test_destinations_follow_the_checkboxes(sunrise):
    media = MediaContentFactory(organization=sunrise, post_to_instagram=True, post_to_banner=True)
    assert media.destinations == ["instagram", "banner"]


@pytest.mark.parametrize(
    "link,ok",
    [
        ("https://sunrise.example/offers", True),
        ("http://sunrise.example", True),
        ("/inventory/suv", True),
        ("", True),
        ("javascript:alert(1)", False),
        (" JavaScript:alert(1)", False),
        ("//evil.example/x", False),
        ("data:text/html,hi", False),
    ],
)
def test_banner_links_are_http_or_site_relative(link, ok):
    if ok:
        validate_link(link)
    else:
        with pytest.raises(ValidationError):
            validate_link(link)


def test_organization_time_zone_must_be_iana(db):
    org = Organization(name="X", slug="x", timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="IANA"):
        org.full_clean()


def test_organization_host_names_are_validated(db):
    org = Organization(name="X", slug="x", site_host_names=["Bad Host"])
    with pytest.raises(ValidationError):
        org.full_clean()
    org.site_host_names = ["www.sunrisemotors.com"]
    org.full_clean()


def test_media_status_defaults_to_draft(sunrise):
    assert MediaContentFactory(organization=sunrise).status == MediaContent.Status.DRAFT
