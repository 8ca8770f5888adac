"""The dealership a person acts for: remembered, and announced whenever it changes."""

import pytest
from django.urls import reverse

from dealer_media.tenancy.models import Membership

from ..factories import MediaContentFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


def _sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def _sign_out(client):
    client.post(reverse("logout"))


def _library(client) -> str:
    return client.get("/marketing/media").content.decode()


@pytest.fixture
def two_dealerships(sunrise, lakeside, sunrise_user):
    """The sunrise user joined Sunrise Motors first, then Lakeside Auto (which sorts first)."""
    MembershipFactory(user=sunrise_user, organization=lakeside)
    return sunrise_user


def test_never_chosen_acts_for_the_dealership_joined_first(client, two_dealerships):
    _sign_in(client, "sunrise")
    assert "Acting for <strong>Sunrise Motors</strong>" in _library(client)


def test_the_last_chosen_dealership_is_remembered_at_next_sign_in(
    client, sunrise, lakeside, two_dealerships
):
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    _sign_in(client, "sunrise")
    client.post(reverse("switch_organization"), {"organization": lakeside.pk})
    client.post(reverse("switch_organization"), {"organization": sunrise.pk})
    client.post(reverse("switch_organization"), {"organization": lakeside.pk})
    _sign_out(client)

    _sign_in(client, "sunrise")
    page = _library(client)
    assert "Acting for <strong>Lakeside Auto</strong>" in page
    assert "Lakeside lease deal" in page
    assert "Sunrise truck month" not in page
    chosen = Membership.objects.get(user=two_dealerships, organization=lakeside)
    assert chosen.last_chosen_at is not None


def test_the_choice_is_per_person(client, sunrise, lakeside, two_dealerships, lakeside_user):
    MembershipFactory(user=lakeside_user, organization=sunrise)
    _sign_in(client, "sunrise")
    client.post(reverse("switch_organization"), {"organization": lakeside.pk})
    _sign_out(client)
    _sign_in(client, "lakeside")
    assert "Acting for <strong>Lakeside Auto</strong>" in _library(client)  # joined first


def test_first_sign_in_with_several_dealerships_says_which_one(client, two_dealerships):
    _sign_in(client, "sunrise")
    page = _library(client)
    assert "You are acting for Sunrise Motors." in page
    assert "Switch dealership" in page
    assert "You are acting for" not in _library(client)  # said once, not on every page


def test_one_dealership_needs_no_announcement(client, sunrise_user):
    _sign_in(client, "sunrise")
    page = _library(client)
    assert "Acting for <strong>Sunrise Motors</strong>" in page
    assert "You are acting for" not in page


def test_switching_says_which_dealership_is_now_acted_for(client, lakeside, two_dealerships):
    _sign_in(client, "sunrise")
    _library(client)
    response = client.post(
        reverse("switch_organization"), {"organization": lakeside.pk, "next": "/marketing/history"}
    )
    assert response["Location"] == "/marketing/history"
    page = client.get("/marketing/history").content.decode()
    assert "You are now acting for Lakeside Auto." in page
    assert "Acting for <strong>Lakeside Auto</strong>" in page


def test_a_removed_membership_moves_the_person_and_says_so(
    client, sunrise, lakeside, two_dealerships
):
    _sign_in(client, "sunrise")
    client.post(reverse("switch_organization"), {"organization": lakeside.pk})
    _library(client)
    Membership.objects.filter(user=two_dealerships, organization=lakeside).delete()

    page = _library(client)
    assert "You no longer have access to Lakeside Auto. You are now acting for Sunrise Motors." in (
        page
    )
    assert "Acting for <strong>Sunrise Motors</strong>" in page
    assert "You no longer have access" not in _library(client)


def test_superuser_acts_for_any_dealership_for_the_session(client, superuser, sunrise, lakeside):
    client.force_login(superuser)
    assert "Acting for <strong>Lakeside Auto</strong>" in _library(client)  # first by name
    client.post(reverse("switch_organization"), {"organization": sunrise.pk})
    assert "Acting for <strong>Sunrise Motors</strong>" in _library(client)
    assert not Membership.objects.filter(user=superuser).exists()
