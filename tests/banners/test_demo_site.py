"""The demo dealers' websites: seeded banners and the homepage that uses the tags."""

import datetime
import io

import pytest
from django.core.management import call_command

from banners.models import Banner
from banners.selectors import local_today
from dealer_media.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    return Organization.objects.get(slug="sunrise-motors")


def test_seed_demo_creates_banners_once_with_varied_dates(settings, seeded):
    banners = list(Banner.objects.for_org(seeded))
    assert len(banners) >= 4
    assert all(b.image and b.image.storage.exists(b.image.name) for b in banners)
    today = local_today(organization=seeded)
    shown = [b for b in banners if (b.start_date or today) <= today <= (b.end_date or today)]
    assert 0 < len(shown) < len(banners)  # some running, some over or not yet started
    names = {b.pk: b.image.name for b in banners}
    call_command("seed_demo", stdout=io.StringIO())
    again = {b.pk: b.image.name for b in Banner.objects.for_org(seeded)}
    assert again == names  # no duplicates, pictures kept


def test_demo_homepage_by_slug(client, seeded):
    response = client.get("/site/sunrise-motors/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sunrise Motors" in html
    assert "data-banner-carousel" in html
    assert "Spring sales event" in html
    assert "Coming soon: summer preview" not in html  # starts in ten days


def test_demo_homepage_on_the_dealers_host_name(client, settings, seeded):
    settings.ALLOWED_HOSTS = [".localhost"]
    response = client.get("/", HTTP_HOST="sunrise.localhost:8000")
    assert response.status_code == 200
    assert "Spring sales event" in response.content.decode()
    other = client.get("/", HTTP_HOST="lakeside.localhost")
    assert "Lakeside Auto" in other.content.decode()
    assert "Sunrise Motors" not in other.content.decode()


def test_portal_host_root_still_goes_to_the_portal(client, seeded):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/marketing/media"


def test_unknown_slug_is_404(client, db):
    assert client.get("/site/nobody/").status_code == 404


def test_a_banner_ending_yesterday_is_gone_from_the_homepage(client, seeded):
    banner = Banner.objects.for_org(seeded).get(title__startswith="Service special")
    banner.end_date = local_today(organization=seeded) - datetime.timedelta(days=1)
    banner.save()
    assert "Service special" not in client.get("/site/sunrise-motors/").content.decode()
