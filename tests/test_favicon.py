"""The site's icon: /favicon.ico answers on every host, and every kind of page links it."""

import pytest
from django.contrib.staticfiles import finders

from tests.factories import BannerFactory

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age=86400" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


def test_favicon_ico_on_a_dealers_host_name(client, settings, sunrise):
    settings.ALLOWED_HOSTS = ["*"]
    sunrise.site_host_names = ["sunrise.example"]
    sunrise.save()
    assert client.get("/favicon.ico", HTTP_HOST="sunrise.example").status_code == 200


def test_pages_link_the_icon(client, sunrise, superuser):
    BannerFactory(organization=sunrise, title="Spring event")
    icon = 'rel="icon" href="/static/img/favicon.svg" type="image/svg+xml"'
    assert icon in client.get("/accounts/login/").content.decode()  # base.html
    assert icon in client.get("/site/sunrise-motors/").content.decode()  # the demo site
    client.force_login(superuser)
    assert icon in client.get("/admin/").content.decode()
    assert icon in client.get("/admin/banners/banner/").content.decode()
    assert finders.find("img/favicon.svg") and finders.find("img/favicon.ico")
