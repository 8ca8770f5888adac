"""The read-only preview link: valid, expired, revoked, and showing nothing else of the dealership."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from media_content.models import PreviewLink

from ..factories import MediaContentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(sunrise):
    return MediaContentFactory(
        organization=sunrise,
        title="Truck month",
        instagram_caption="Every F-150 on the lot, 0% for 60 months. " * 4,
        facebook_caption="Truck month at Sunrise: 0% for 60 months.",
        post_to_facebook=True,
        post_to_instagram=True,
    )


def _make_link(client, post) -> str:
    page = client.post(f"/marketing/media/{post.pk}/preview-links", {"days": "7"}, follow=True)
    return re.search(r'value="http://testserver(/preview/[^"]+)"', page.content.decode()).group(1)


def test_a_valid_link_shows_the_post_per_network_and_nothing_else(client_as, sunrise, post):
    other = MediaContentFactory(organization=sunrise, title="Secret clearance plan")
    url = _make_link(client_as("editor"), post)
    response = Client().get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Truck month at Sunrise: 0% for 60 months." in page  # Facebook's text
    assert "Every F-150 on the lot" in page and "more" in page  # Instagram's, cut
    assert post.lead_file.file.url in page
    assert other.title not in page
    assert "/marketing/" not in page  # no way into the portal
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_an_expired_link_is_refused(client_as, post):
    url = _make_link(client_as("owner"), post)
    PreviewLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = Client().get(url)
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert post.title not in response.content.decode()


def test_a_revoked_link_is_refused(client_as, post):
    owner = client_as("owner")
    url = _make_link(owner, post)
    link = PreviewLink.objects.get()
    owner.post(f"/marketing/media/{post.pk}/preview-links/{link.pk}/revoke")
    response = Client().get(url)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_a_forged_link_is_refused(post):
    assert Client().get("/preview/not-a-token").status_code == 410


def test_contributors_do_not_make_links(client_as, post):
    contributor = client_as("contributor")
    assert (
        "Make a preview link"
        not in contributor.get(f"/marketing/media/{post.pk}/approval").content.decode()
    )
    response = contributor.post(f"/marketing/media/{post.pk}/preview-links")
    assert response.status_code == 403
    assert "Only owners and editors can share preview links." in response.content.decode()
    assert not PreviewLink.objects.exists()


def test_another_dealerships_link_cannot_be_revoked(client_as, post, lakeside_client):
    _make_link(client_as("owner"), post)
    link = PreviewLink.objects.get()
    assert (
        lakeside_client.post(
            f"/marketing/media/{post.pk}/preview-links/{link.pk}/revoke"
        ).status_code
        == 404
    )
    link.refresh_from_db()
    assert link.revoked_at is None
