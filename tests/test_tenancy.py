"""One dealership never sees another's data through any portal URL."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from .factories import MediaContentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/marketing/media")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/marketing/media" in response["Location"]


def test_sign_in_page_signs_in_and_lands_on_the_library(client, sunrise_user):
    response = client.post(reverse("login"), {"username": "sunrise", "password": "pass-word-123"})
    assert response.status_code == 302
    assert response["Location"] == "/marketing/media"
    assert client.get("/marketing/media").status_code == 200


def test_wrong_password_says_so(client, sunrise_user):
    response = client.post(reverse("login"), {"username": "sunrise", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_library_lists_only_own_dealership(sunrise_client, sunrise, lakeside):
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    page = sunrise_client.get("/marketing/media").content.decode()
    assert "Sunrise truck month" in page
    assert "Lakeside lease deal" not in page
    assert "Acting for <strong>Sunrise Motors</strong>" in page


def test_outsider_is_told_they_have_no_dealership(client, outsider, sunrise):
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    client.force_login(outsider)
    response = client.get("/marketing/media")
    assert response.status_code == 403
    assert "not a member of any dealership" in response.content.decode()
    assert "Sunrise truck month" not in response.content.decode()


def test_member_of_two_dealerships_switches_between_them(client, sunrise, lakeside, sunrise_user):
    MembershipFactory(user=sunrise_user, organization=lakeside)
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    client.force_login(sunrise_user)

    response = client.post(
        reverse("switch_organization"), {"organization": lakeside.pk, "next": "/marketing/media"}
    )
    assert response.status_code == 302
    page = client.get("/marketing/media").content.decode()
    assert "Lakeside lease deal" in page
    assert "Sunrise truck month" not in page


def test_switching_to_another_dealership_is_404(sunrise_client, lakeside):
    response = sunrise_client.post(reverse("switch_organization"), {"organization": lakeside.pk})
    assert response.status_code == 404
    page = sunrise_client.get("/marketing/media").content.decode()
    assert "Acting for <strong>Sunrise Motors</strong>" in page


def test_switch_ignores_an_offsite_next_url(client, sunrise, lakeside, sunrise_user):
    MembershipFactory(user=sunrise_user, organization=lakeside)
    client.force_login(sunrise_user)
    response = client.post(
        reverse("switch_organization"),
        {"organization": lakeside.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/marketing/media"


def test_removed_membership_stops_access_at_once(client, sunrise, lakeside, sunrise_user):
    membership = MembershipFactory(user=sunrise_user, organization=lakeside)
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    client.force_login(sunrise_user)
    client.post(reverse("switch_organization"), {"organization": lakeside.pk})
    membership.delete()
    page = client.get("/marketing/media").content.decode()
    assert "Lakeside lease deal" not in page
    assert "Acting for <strong>Sunrise Motors</strong>" in page


def test_for_org_is_the_scope(sunrise, lakeside):
    from media_content.models import MediaContent

    mine = MediaContentFactory(organization=sunrise)
    MediaContentFactory(organization=lakeside)
    assert list(MediaContent.objects.for_org(sunrise)) == [mine]
    assert list(MediaContent.objects.for_org(None)) == []


def test_a_host_name_serves_one_dealership_only(sunrise, lakeside):
    sunrise.site_host_names = ["www.sunrisemotors.com"]
    sunrise.full_clean()  # its own names are fine, again and again
    sunrise.save()
    sunrise.full_clean()
    lakeside.site_host_names = ["lakesideauto.com", "www.sunrisemotors.com"]
    with pytest.raises(ValidationError) as refused:
        lakeside.full_clean()
    assert refused.value.message_dict["site_host_names"] == [
        "“www.sunrisemotors.com” already serves another dealership's website; "
        "each host name can belong to one dealership only."
    ]


def test_the_admin_refuses_another_dealerships_host_name(client, superuser, sunrise, lakeside):
    sunrise.site_host_names = ["www.sunrisemotors.com"]
    sunrise.save()
    client.force_login(superuser)
    url = reverse("admin:tenancy_organization_change", args=[lakeside.pk])
    page = client.post(
        url,
        {
            "name": lakeside.name,
            "slug": lakeside.slug,
            "timezone": lakeside.timezone,
            "site_host_names": '["www.sunrisemotors.com"]',
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    ).content.decode()
    assert "already serves another dealership" in page
    lakeside.refresh_from_db()
    assert lakeside.site_host_names == []
