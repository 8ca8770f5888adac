"""The user admin: only owners manage their dealership's people, and never passwords or powers.

A staff contributor with ``auth.change_user`` cannot set the owner's password in
the admin and sign in as the owner.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from dealer_media.tenancy.models import Membership

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "taken-over-123!"


def _staff(user) -> Client:
    """A signed-in client for ``user`` as staff with every permission on people."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    client = Client()
    client.force_login(user)
    return client


def _member(organization, username: str, role: str):
    return MembershipFactory(
        organization=organization, user=UserFactory(username=username), role=role
    ).user


@pytest.fixture
def owner(sunrise):
    return _member(sunrise, "sunrise-owner", "owner")


def _set_password(client: Client, user) -> int:
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    return client.post(url, data).status_code


def _signs_in_with_new_password(user) -> bool:
    user.refresh_from_db()
    return user.check_password(NEW_PASSWORD)


def _change_form_data(client: Client, user, **changes) -> dict:
    """The change form as the browser posts it, from the form the admin shows."""
    page = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    form = page.context["adminform"].form
    data = {}
    for name, value in form.initial.items():
        if name not in form.fields or value is None or isinstance(value, list):
            continue
        data[name] = value
    data.pop("password", None)
    data.pop("last_login", None)
    for flag in ("is_active", "is_staff", "is_superuser"):
        if data.pop(flag, False):
            data[flag] = "on"
    if "date_joined" in form.fields:
        data["date_joined_0"] = user.date_joined.strftime("%Y-%m-%d")
        data["date_joined_1"] = user.date_joined.strftime("%H:%M:%S")
        data.pop("date_joined", None)
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ["contributor", "editor"])
def test_a_staff_contributor_or_editor_cannot_set_the_owners_password(sunrise, owner, role):
    client = _staff(_member(sunrise, f"sunrise-{role}", role))
    url = reverse("admin:auth_user_password_change", args=[owner.pk])
    assert client.get(url).status_code == 403
    assert _set_password(client, owner) == 403
    assert not _signs_in_with_new_password(owner)


@pytest.mark.parametrize("role", ["contributor", "editor"])
def test_a_staff_contributor_or_editor_cannot_change_the_owner(sunrise, owner, role):
    client = _staff(_member(sunrise, f"sunrise-{role}", role))
    url = reverse("admin:auth_user_change", args=[owner.pk])
    page = client.get(url)
    assert page.status_code == 200  # they see their colleague, read-only
    assert 'name="_save"' not in page.content.decode()
    assert (
        client.post(url, {"username": "renamed", "email": "x@attacker.example"}).status_code == 403
    )
    owner.refresh_from_db()
    assert owner.username == "sunrise-owner"
    delete = reverse("admin:auth_user_delete", args=[owner.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=owner.pk).exists()


def test_not_even_an_owner_sets_another_users_password(sunrise, owner):
    editor = _member(sunrise, "sunrise-editor", "editor")
    client = _staff(owner)
    assert _set_password(client, editor) == 403
    assert not _signs_in_with_new_password(editor)


def test_a_superuser_who_is_a_member_is_beyond_the_dealerships_owner(sunrise, owner, superuser):
    Membership.objects.create(user=superuser, organization=sunrise, role="editor")
    client = _staff(owner)
    assert _set_password(client, superuser) == 403
    assert not _signs_in_with_new_password(superuser)
    url = reverse("admin:auth_user_change", args=[superuser.pk])
    assert 'name="_save"' not in client.get(url).content.decode()
    assert client.post(url, {"username": "root", "is_active": ""}).status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.is_superuser


def test_an_owner_cannot_make_anyone_staff(sunrise, owner):
    editor = _member(sunrise, "sunrise-editor", "editor")
    client = _staff(owner)
    url = reverse("admin:auth_user_change", args=[editor.pk])
    data = _change_form_data(client, editor, first_name="Eddie", is_staff="on")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    editor.refresh_from_db()
    assert editor.first_name == "Eddie"  # an owner manages their dealership's people
    assert editor.is_staff is False  # but gives no one the admin
    assert not editor.user_permissions.exists()


def test_an_owner_cannot_move_another_users_email_elsewhere(sunrise, owner):
    """A new address is a password reset away from a new password."""
    editor = _member(sunrise, "sunrise-editor", "editor")
    editor.email = "editor@sunrise.example"
    editor.save()
    client = _staff(owner)
    url = reverse("admin:auth_user_change", args=[editor.pk])
    client.post(url, _change_form_data(client, editor, email="me@attacker.example"))
    editor.refresh_from_db()
    assert editor.email == "editor@sunrise.example"


def test_a_person_of_two_dealerships_is_changed_only_by_an_owner_of_both(sunrise, lakeside, owner):
    both = _member(sunrise, "both", "editor")
    Membership.objects.create(user=both, organization=lakeside, role="owner")
    client = _staff(owner)
    url = reverse("admin:auth_user_change", args=[both.pk])
    assert 'name="_save"' not in client.get(url).content.decode()
    assert client.post(url, {"username": "renamed"}).status_code == 403
    assert (
        client.post(reverse("admin:auth_user_delete", args=[both.pk]), {"post": "yes"}).status_code
        == 403
    )
    both.refresh_from_db()
    assert both.username == "both"

    Membership.objects.create(user=owner, organization=lakeside, role="owner")
    response = client.post(url, _change_form_data(client, both, first_name="Bo"))
    assert response.status_code == 302
    both.refresh_from_db()
    assert both.first_name == "Bo"


def test_delete_selected_refuses_people_the_owner_may_not_manage(sunrise, lakeside, owner):
    mine = _member(sunrise, "mine", "editor")
    shared = _member(sunrise, "shared", "editor")
    Membership.objects.create(user=shared, organization=lakeside, role="editor")
    client = _staff(owner)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [mine.pk, shared.pk], "post": "yes"},
        follow=True,
    )
    assert "Nothing was changed." in response.content.decode()
    assert User.objects.filter(pk__in=[mine.pk, shared.pk]).count() == 2


def test_only_superusers_add_people(sunrise, owner, superuser):
    assert _staff(owner).get(reverse("admin:auth_user_add")).status_code == 403
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("admin:auth_user_add")).status_code == 200


def test_a_superuser_still_sets_anyones_password(sunrise, owner, superuser):
    client = Client()
    client.force_login(superuser)
    assert _set_password(client, owner) == 302
    assert _signs_in_with_new_password(owner)
