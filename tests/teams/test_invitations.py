"""Invitations: accept (new account or existing one), expire, replay, revoke, send again."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from dealer_media.tenancy.models import Invitation, Membership

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def _invite(client, email="new.hire@sunrise.example", role="contributor"):
    return client.post("/marketing/team/invite", {"email": email, "role": role})


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/\S+)", message.body).group(1)


def test_owner_invites_and_a_new_person_sets_a_password_and_joins(
    client_as, sunrise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client_as("owner"))
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["new.hire@sunrise.example"]
    assert "Join Sunrise Motors" in message.subject
    assert "as contributor" in message.body
    link = _link(message)

    visitor = Client()
    page = visitor.get(link)
    assert "Choose a password" in page.content.decode()
    weak = visitor.post(link, {"password1": "123", "password2": "123"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    response = visitor.post(
        link, {"password1": "a-long-pass-word", "password2": "a-long-pass-word"}, follow=True
    )
    assert "Welcome to Sunrise Motors" in response.content.decode()
    user = get_user_model().objects.get(username="new.hire@sunrise.example")
    assert user.check_password("a-long-pass-word")
    assert Membership.objects.get(user=user, organization=sunrise).role == "contributor"
    # The link works once: replayed, it says so and adds nobody.
    replay = Client().get(link)
    assert replay.status_code == 410
    assert "already been used" in replay.content.decode()


def test_an_existing_account_signs_in_and_joins_keeping_its_password(
    client_as, sunrise, lakeside_user, django_capture_on_commit_callbacks
):
    lakeside_user.email = "lead@group.example"
    lakeside_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_as("owner"), email="Lead@Group.example", role="editor")
    link = _link(mail.outbox[0])
    anonymous = Client().get(link).content.decode()
    assert "already has a Dealer Media account" in anonymous
    assert "next=/accounts/invitation/" in anonymous

    someone_else = Client()
    someone_else.force_login(UserFactory(username="stranger", email="s@x.example"))
    assert (
        "but this invitation is for lead@group.example" in someone_else.get(link).content.decode()
    )
    assert someone_else.post(link).status_code == 200
    assert not Membership.objects.filter(organization=sunrise, user__username="stranger").exists()

    client = Client()
    client.force_login(lakeside_user)
    response = client.post(link, follow=True)
    assert "Welcome to Sunrise Motors" in response.content.decode()
    assert Membership.objects.get(user=lakeside_user, organization=sunrise).role == "editor"
    assert lakeside_user.memberships.count() == 2  # still Lakeside's too


def test_an_expired_invitation_is_refused_in_words(
    client_as, sunrise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_as("owner"))
    link = _link(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = Client().post(
        link, {"password1": "a-long-pass-word", "password2": "a-long-pass-word"}
    )
    assert response.status_code == 410
    assert "expired (invitations last 7 days)" in response.content.decode()
    assert not get_user_model().objects.filter(username="new.hire@sunrise.example").exists()


def test_a_signature_older_than_7_days_is_refused_even_if_the_row_says_otherwise(
    client_as, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_as("owner"))
    link = _link(mail.outbox[0])
    later = datetime.datetime.now(datetime.UTC).timestamp() + 8 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert Client().get(link).status_code == 410


def test_a_tampered_link_is_refused(client_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_as("owner"))
    link = _link(mail.outbox[0])
    response = Client().get(link[:-3] + "abc")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_revoked_invitation_stops_working(client_as, django_capture_on_commit_callbacks):
    owner = client_as("owner")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(owner)
    link = _link(mail.outbox[0])
    invitation = Invitation.objects.get()
    response = owner.post(f"/marketing/team/invitations/{invitation.pk}/revoke", follow=True)
    assert "Withdrew the invitation of new.hire@sunrise.example" in response.content.decode()
    refused = Client().get(link)
    assert refused.status_code == 410
    assert "withdrew this invitation" in refused.content.decode()


def test_sending_again_replaces_the_link(client_as, django_capture_on_commit_callbacks):
    owner = client_as("owner")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(owner)
    first = _link(mail.outbox[0])
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/marketing/team/invitations/{invitation.pk}/resend")
    second = _link(mail.outbox[1])
    assert first != second
    assert "replaced by a newer one" in Client().get(first).content.decode()
    assert Client().get(second).status_code == 200


def test_inviting_a_member_or_twice_is_refused_in_words(client_as, team):
    owner = client_as("owner")
    response = _invite(owner, email=team["editor"].email)
    assert response.status_code == 400
    assert "is already a member of Sunrise Motors" in response.content.decode()
    _invite(owner)
    again = _invite(owner)
    assert again.status_code == 400
    assert "already has an invitation waiting" in again.content.decode()
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("role", ["editor", "contributor"])
def test_only_owners_manage_the_team(client_as, team, membership_of, role):
    client = client_as(role)
    page = client.get("/marketing/team").content.decode()
    assert "sunrise-owner" in page  # everyone sees the team
    assert "Send invitation" not in page
    assert 'aria-label="Remove' not in page
    refused = _invite(client)
    assert refused.status_code == 403
    assert "Only owners can invite people" in refused.content.decode()
    target = membership_of("contributor")
    assert (
        client.post(f"/marketing/team/members/{target.pk}/role", {"role": "owner"}).status_code
        == 403
    )
    assert client.post(f"/marketing/team/members/{target.pk}/remove").status_code == 403
    assert Membership.objects.get(pk=target.pk).role == "contributor"


def test_owner_changes_roles_and_removes_members(client_as, membership_of):
    owner = client_as("owner")
    editor = membership_of("editor")
    response = owner.post(
        f"/marketing/team/members/{editor.pk}/role", {"role": "owner"}, follow=True
    )
    assert "sunrise-editor is now Owner" in response.content.decode()
    contributor = membership_of("contributor")
    owner.post(f"/marketing/team/members/{contributor.pk}/remove")
    assert not Membership.objects.filter(pk=contributor.pk).exists()


def test_the_last_owner_cannot_be_demoted_or_removed(client_as, membership_of):
    owner = client_as("owner")
    me = membership_of("owner")
    response = owner.post(f"/marketing/team/members/{me.pk}/role", {"role": "editor"}, follow=True)
    assert "last owner" in response.content.decode()
    response = owner.post(f"/marketing/team/members/{me.pk}/remove", follow=True)
    assert "Make someone else an owner first" in response.content.decode()
    assert Membership.objects.get(pk=me.pk).role == "owner"


def test_the_last_owner_stays_an_owner_in_the_admin(client, sunrise, membership_of):
    from tests.accounts.test_enrolment import _change_form

    owner = membership_of("owner")
    owner.user.is_staff = True
    owner.user.save()
    from django.contrib.auth.models import Permission

    owner.user.user_permissions.set(Permission.objects.filter(content_type__app_label="tenancy"))
    client.force_login(owner.user)
    rows = [
        {"id": m.pk, "role": "editor" if m.pk == owner.pk else m.role}
        for m in Membership.objects.filter(organization=sunrise).order_by("pk")
    ]
    response = client.post(
        f"/admin/tenancy/organization/{sunrise.pk}/change/", _change_form(sunrise, rows)
    )
    assert response.status_code == 200
    assert "A dealership always needs an owner" in response.content.decode()
    assert Membership.objects.get(pk=owner.pk).role == "owner"


def test_another_dealerships_invitation_and_members_are_not_found(
    client_as, lakeside, lakeside_user
):
    other = Membership.objects.get(user=lakeside_user)
    invitation = Invitation.objects.create(
        organization=lakeside,
        email="x@lakeside.example",
        role="editor",
        nonce="n",
        sent_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    owner = client_as("owner")
    assert owner.post(f"/marketing/team/invitations/{invitation.pk}/revoke").status_code == 404
    assert owner.post(f"/marketing/team/members/{other.pk}/remove").status_code == 404
    assert "x@lakeside.example" not in owner.get("/marketing/team").content.decode()
