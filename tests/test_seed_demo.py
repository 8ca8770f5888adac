import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from dealer_media.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_signs_in(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Organization.objects.count() == 2
    sunrise = Organization.objects.get(slug="sunrise-motors")
    assert sunrise.name == "Sunrise Motors"
    assert sunrise.timezone == "America/Los_Angeles"
    assert Organization.objects.get(slug="lakeside-auto").timezone == "America/Chicago"
    assert Membership.objects.count() == 2
    # A request, as every sign-in has one: the throttling backend (django-axes) needs it.
    request = RequestFactory().post("/accounts/login/")
    sunrise_user = authenticate(request, username="sunrise", password="demo-pass")
    assert sunrise_user.organizations.get() == sunrise
    assert authenticate(request, username="lakeside", password="demo-pass") is not None
    admin = authenticate(request, username="admin", password="admin-pass")
    assert admin.is_superuser
    assert "user sunrise   password demo-pass" in capsys.readouterr().out


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert not Organization.objects.exists()
