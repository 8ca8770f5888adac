"""Only superusers put a person into a dealership; staff of one cannot enrol another's user."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dealer_media.tenancy.models import Membership

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "Only superusers can add an existing person to a dealership; invite them instead."


def _change_form(organization, rows):
    """The Organization change form as the admin posts it, with these membership rows."""
    data = {
        "name": organization.name,
        "slug": organization.slug,
        "timezone": organization.timezone,
        "site_host_names": "[]",
        "approval_policy": organization.approval_policy,
        "brand_colour": organization.brand_colour,
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{index}-{key}"] = value
        data[f"memberships-{index}-organization"] = organization.pk
    return data


def _existing_rows(organization):
    return [
        {"id": m.pk, "user": m.user_id, "role": m.role}
        for m in Membership.objects.filter(organization=organization).order_by("pk")
    ]


def test_staff_cannot_enrol_another_dealerships_user(
    client, lakeside, lakeside_staff, sunrise_user
):
    client.force_login(lakeside_staff)
    url = reverse("admin:tenancy_organization_change", args=[lakeside.pk])
    rows = [*_existing_rows(lakeside), {"user": sunrise_user.pk, "role": "editor"}]
    response = client.post(url, _change_form(lakeside, rows))

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Membership.objects.filter(organization=lakeside, user=sunrise_user).exists()
    # Their next sign-in still acts for their own dealership only.
    client.force_login(sunrise_user)
    assert (
        "Acting for <strong>Sunrise Motors</strong>"
        in client.get("/marketing/media").content.decode()
    )


def test_staff_cannot_enrol_someone_of_no_dealership(client, lakeside, lakeside_staff, outsider):
    client.force_login(lakeside_staff)
    url = reverse("admin:tenancy_organization_change", args=[lakeside.pk])
    rows = [*_existing_rows(lakeside), {"user": outsider.pk, "role": "owner"}]
    response = client.post(url, _change_form(lakeside, rows))
    assert REFUSED in response.content.decode()
    assert not outsider.memberships.exists()


def test_staff_cannot_move_an_existing_row_to_another_person(
    client, lakeside, lakeside_staff, lakeside_user, sunrise_user
):
    client.force_login(lakeside_staff)
    url = reverse("admin:tenancy_organization_change", args=[lakeside.pk])
    rows = _existing_rows(lakeside)
    row = next(r for r in rows if r["user"] == lakeside_user.pk)
    row["user"] = sunrise_user.pk
    response = client.post(url, _change_form(lakeside, rows))

    assert REFUSED in response.content.decode()
    assert Membership.objects.filter(organization=lakeside, user=lakeside_user).exists()
    assert not Membership.objects.filter(organization=lakeside, user=sunrise_user).exists()


def test_staff_still_change_roles_and_remove_members(
    client, lakeside, lakeside_staff, lakeside_user
):
    editor = MembershipFactory(
        organization=lakeside, user=UserFactory(username="editor"), role="editor"
    )
    client.force_login(lakeside_staff)
    url = reverse("admin:tenancy_organization_change", args=[lakeside.pk])
    rows = [
        {"id": m.pk, "role": "owner" if m.user_id == lakeside_user.pk else m.role}
        for m in Membership.objects.filter(organization=lakeside).order_by("pk")
    ]
    next(r for r in rows if r["id"] == editor.pk)["DELETE"] = "on"
    response = client.post(url, _change_form(lakeside, rows))

    assert response.status_code == 302, response.content.decode()
    assert Membership.objects.get(organization=lakeside, user=lakeside_user).role == "owner"
    assert not Membership.objects.filter(pk=editor.pk).exists()


def test_staff_form_offers_no_add_row(client, lakeside, lakeside_staff, lakeside_user):
    client.force_login(lakeside_staff)
    page = client.get(reverse("admin:tenancy_organization_change", args=[lakeside.pk]))
    inline = page.context["inline_admin_formsets"][0]
    members = Membership.objects.filter(organization=lakeside).count()
    assert inline.formset.total_form_count() == inline.formset.initial_form_count() == members
    assert inline.has_add_permission is False  # the admin's "Add another" is not offered
    # Each row's person is shown, not a field to pick another one.
    assert "memberships-0-user" not in page.content.decode()


def test_superuser_adds_an_existing_person(client, superuser, lakeside, sunrise_user):
    client.force_login(superuser)
    url = reverse("admin:tenancy_organization_change", args=[lakeside.pk])
    rows = [*_existing_rows(lakeside), {"user": sunrise_user.pk, "role": "editor"}]
    response = client.post(url, _change_form(lakeside, rows))
    assert response.status_code == 302
    assert Membership.objects.filter(organization=lakeside, user=sunrise_user).exists()


def _autocomplete(client, term):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "tenancy", "model_name": "membership", "field_name": "user", "term": term},
    )
    return response, [result["text"] for result in response.json().get("results", [])]


def test_user_autocomplete_lists_only_own_dealerships_people(
    client, lakeside_staff, lakeside_user, sunrise_user, outsider, superuser
):
    client.force_login(lakeside_staff)
    response, names = _autocomplete(client, "")
    assert response.status_code == 200
    assert "lakeside" in names
    assert "sunrise" not in names
    assert "outsider" not in names
    assert _autocomplete(client, "sunrise")[1] == []

    client.force_login(superuser)
    assert "sunrise" in _autocomplete(client, "sunrise")[1]


def test_user_admin_hides_other_dealerships_people(client, lakeside_staff, sunrise_user):
    lakeside_staff.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(lakeside_staff)
    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert ">lakeside-staff<" in listing
    assert ">sunrise<" not in listing
    response = client.get(reverse("admin:auth_user_change", args=[sunrise_user.pk]))
    assert response.status_code == 302  # the admin's answer for a row outside its queryset
    password = client.get(reverse("admin:auth_user_password_change", args=[sunrise_user.pk]))
    assert password.status_code == 404


def test_staff_cannot_make_themselves_superuser(client, lakeside_staff):
    lakeside_staff.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(lakeside_staff)
    url = reverse("admin:auth_user_change", args=[lakeside_staff.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "username": "lakeside-staff",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": lakeside_staff.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": lakeside_staff.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    lakeside_staff.refresh_from_db()
    assert lakeside_staff.is_superuser is False
