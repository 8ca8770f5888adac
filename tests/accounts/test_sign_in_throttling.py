"""Wrong passwords are counted per account and per address (django-axes) and then refused."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from dealer_media.accounts.signin import client_ip_address

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"
LOCKED = "Too many wrong passwords were tried for this account or from this network address"
PORTAL_LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
HERE, ELSEWHERE = "203.0.113.7", "198.51.100.20"


def _try(client, username, password, *, url=PORTAL_LOGIN, address=HERE, **extra):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def _guess(client, username, times=15, **kwargs):
    return [_try(client, username, f"guess-{n}", **kwargs) for n in range(times)]


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_fifteen_wrong_passwords_lock_the_portal_sign_in(client, settings, sunrise_user):
    answers = _guess(client, "sunrise")
    limit = settings.AXES_FAILURE_LIMIT
    assert [a.status_code for a in answers[: limit - 1]] == [200] * (limit - 1)
    assert "enter a correct username and password" in answers[0].content.decode()
    assert {a.status_code for a in answers[limit - 1 :]} == {429}

    right = _try(client, "sunrise", PASSWORD)
    assert right.status_code == 429
    page = right.content.decode()
    assert LOCKED in page
    assert "signing in is paused for 15 minutes" in page
    assert 'href="/accounts/login/"' in page
    assert not _signed_in(client)
    assert client.get("/marketing/media").status_code == 302  # still sent to sign in


def test_the_admin_sign_in_is_locked_the_same_way(client, sunrise_staff):
    _guess(client, "sunrise-staff", url=ADMIN_LOGIN)
    right = _try(client, "sunrise-staff", PASSWORD, url=ADMIN_LOGIN)
    assert right.status_code == 429
    assert LOCKED in right.content.decode()
    assert 'href="/admin/login/"' in right.content.decode()
    assert not _signed_in(client)


def test_the_locked_account_is_refused_from_another_address(client, sunrise_user):
    _guess(client, "sunrise", address=HERE)
    right = _try(client, "sunrise", PASSWORD, address=ELSEWHERE)
    assert right.status_code == 429
    assert not _signed_in(client)


def test_the_locked_address_is_refused_for_another_account(client, sunrise_user, lakeside_user):
    # One address guessing at many accounts: each account fails only a few times.
    for username in ["sunrise", "nobody", "admin", "lakeside", "owner"]:
        _guess(client, username, times=2, address=HERE)
    right = _try(client, "lakeside", PASSWORD, address=HERE)
    assert right.status_code == 429
    assert not _signed_in(client)


def test_other_accounts_from_other_addresses_are_not_affected(client, sunrise_user, lakeside_user):
    _guess(client, "sunrise", address=HERE)
    assert _try(client, "lakeside", PASSWORD, address=ELSEWHERE).status_code == 302
    assert _signed_in(client)


def test_a_json_client_gets_the_reason_in_json(client, sunrise_user):
    _guess(client, "sunrise")
    answer = _try(client, "sunrise", PASSWORD, headers={"Accept": "application/json"})
    assert answer.status_code == 429
    assert LOCKED in answer.json()["errors"]["__all__"][0]


def test_the_lock_ends_after_the_cool_off(client, sunrise_user):
    _guess(client, "sunrise")
    assert _try(client, "sunrise", PASSWORD).status_code == 429
    # Sixteen minutes later (AXES_COOLOFF_MINUTES is 15), as the database would have it.
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - timedelta(minutes=16)
        )
    assert _try(client, "sunrise", PASSWORD).status_code == 302
    assert _signed_in(client)


def test_a_superuser_unlocks_in_the_admin(client, superuser, sunrise_user):
    _guess(client, "sunrise")
    assert _try(client, "sunrise", PASSWORD).status_code == 429

    admin = client.__class__()
    admin.force_login(superuser)
    changelist = reverse("admin:axes_accessattempt_changelist")
    listing = admin.get(changelist)
    assert listing.status_code == 200
    assert "sunrise" in listing.content.decode()
    response = admin.post(
        changelist,
        {
            "action": "unlock",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    assert "Unlocked sunrise" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    # The history stays for the record.
    assert AccessFailureLog.objects.filter(username="sunrise").count() >= 15

    assert _try(client, "sunrise", PASSWORD).status_code == 302
    assert _signed_in(client)
    assert AccessLog.objects.filter(username="sunrise", ip_address=HERE).exists()


def test_axes_reset_command_unlocks(client, sunrise_user):
    _guess(client, "sunrise")
    call_command("axes_reset_username", "sunrise")
    call_command("axes_reset_ip", HERE)
    assert _try(client, "sunrise", PASSWORD).status_code == 302


def test_sign_in_records_are_for_superusers_only(client, sunrise_staff, sunrise_user):
    _guess(client, "sunrise", times=2)
    sunrise_staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="axes"))
    client.force_login(sunrise_staff)
    for name in ["accessattempt", "accesslog", "accessfailurelog"]:
        assert client.get(reverse(f"admin:axes_{name}_changelist")).status_code == 403
    assert "Access attempts" not in client.get(reverse("admin:index")).content.decode()


def test_failures_and_lockouts_are_logged(client, caplog, sunrise_user):
    with caplog.at_level(logging.WARNING, logger="axes"):
        _guess(client, "sunrise")
    logged = caplog.text
    assert "login failure" in logged
    assert "Locking out" in logged
    assert 'username: "sunrise"' in logged
    assert f'ip_address: "{HERE}"' in logged
    assert "guess-" not in logged  # never a password


def test_behind_a_proxy_the_forwarded_address_counts(client, settings, sunrise_user, lakeside_user):
    settings.CLIENT_IP_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    # The client forges a left-most entry; the proxy appends the address it saw.
    _guess(
        client,
        "nobody",
        address=proxy,
        headers={"X-Forwarded-For": f"1.2.3.4, {HERE}"},
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HERE}
    # Someone else behind the same proxy is not locked out by that address.
    other = _try(
        client, "lakeside", PASSWORD, address=proxy, headers={"X-Forwarded-For": ELSEWHERE}
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, HERE, "1.2.3.4", HERE),  # no proxy: the header is the client's, ignored
        (1, "10.0.0.2", f"1.2.3.4, {HERE}", HERE),
        (2, "10.0.0.3", f"1.2.3.4, {HERE}, 10.0.0.2", HERE),
        (2, "10.0.0.3", HERE, "10.0.0.3"),  # fewer hops than proxies: not trusted
    ],
)
def test_client_address(settings, count, remote, forwarded, expected):
    settings.CLIENT_IP_PROXY_COUNT = count
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )
    assert client_ip_address(request) == expected
