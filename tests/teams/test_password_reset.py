"""Password reset by email: end to end through the outbox, rate-limited, saying nothing of who exists."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from dealer_media.accounts import password_reset

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_reset_end_to_end(client):
    user = UserFactory(username="maria", email="maria@sunrise.example")
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    response = client.post(
        "/accounts/password_reset/", {"email": "Maria@Sunrise.example"}, follow=True
    )
    assert "Check your email" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["maria@sunrise.example"]
    path = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-fresh-pass-word", "new_password2": "a-fresh-pass-word"},
        follow=True,
    )
    assert "Your new password is saved" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-fresh-pass-word")
    # Used once: the link no longer works.
    again = client.get(path, follow=True).content.decode()
    assert "This link cannot be used" in again


def test_unknown_email_gets_the_same_answer_and_no_email(client):
    UserFactory(username="maria", email="maria@sunrise.example")
    known = client.post(
        "/accounts/password_reset/", {"email": "maria@sunrise.example"}, follow=True
    )
    unknown = client.post(
        "/accounts/password_reset/", {"email": "nobody@sunrise.example"}, follow=True
    )
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert len(mail.outbox) == 1


def test_rate_limited_per_email_whether_it_exists_or_not(client, monkeypatch):
    monkeypatch.setattr(password_reset, "RESETS_PER_EMAIL_PER_HOUR", 2)
    UserFactory(username="maria", email="maria@sunrise.example")
    for email in ("maria@sunrise.example", "nobody@sunrise.example"):
        answers = [
            client.post("/accounts/password_reset/", {"email": email}).status_code for _ in range(3)
        ]
        assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2
    limited = client.post("/accounts/password_reset/", {"email": "maria@sunrise.example"})
    assert "Too many password reset links" in limited.content.decode()


def test_rate_limited_per_client_address(client, monkeypatch):
    monkeypatch.setattr(password_reset, "RESETS_PER_CLIENT_PER_HOUR", 3)
    answers = [
        client.post("/accounts/password_reset/", {"email": f"p{n}@x.example"}).status_code
        for n in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    other_address = client.post(
        "/accounts/password_reset/", {"email": "p9@x.example"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_address.status_code == 302
