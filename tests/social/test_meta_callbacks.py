"""Meta's Deauthorize and Data Deletion callbacks, with real HMAC signatures."""

import base64
import hashlib
import hmac

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from social.models import DataDeletionRequest, InstagramLogin, SocialAccount
from social.signed_request import sign

from .fake_meta import APP_SECRET, IG_APP_SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def secrets(settings):
    settings.FACEBOOK_APP_SECRET = APP_SECRET
    settings.INSTAGRAM_APP_SECRET = IG_APP_SECRET


@pytest.fixture
def accounts(sunrise, lakeside):
    mine = SocialAccount(organization=sunrise, page_id="111", facebook_user_id="10001")
    mine.set_token("EAApageSunrise000000000000000000")
    mine.save()
    theirs = SocialAccount(organization=lakeside, page_id="222", facebook_user_id="20002")
    theirs.set_token("EAApageLakeside00000000000000000")
    theirs.save()
    return mine, theirs


def _payload(user_id: str) -> dict:
    return {"algorithm": "HMAC-SHA256", "issued_at": 1764547200, "user_id": user_id}


def _signed_raw(payload: bytes, secret: str) -> str:
    """A signed_request over any bytes, JSON or not (``sign`` takes a dict)."""
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() + "." + body


def test_deauthorize_ends_that_persons_connections_only(client, secrets, accounts):
    mine, theirs = accounts
    answer = client.post(
        "/meta/facebook/deauthorize",
        {"signed_request": sign(_payload("10001"), secret=APP_SECRET)},
    )
    assert answer.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == SocialAccount.Status.NEEDS_RECONNECT and not mine.has_token
    assert "removed Dealer Media" in mine.last_error
    assert theirs.status == SocialAccount.Status.CONNECTED and theirs.has_token


@pytest.mark.parametrize(
    "signed",
    [
        sign(_payload("10001"), secret="not-our-secret"),
        "garbage",
        "",
        sign({"algorithm": "HMAC-SHA1", "user_id": "10001"}, secret=APP_SECRET),
        # 2,000 nested "[" (RecursionError in json), unsigned and signed.
        _signed_raw(b"[" * 2000, secret="not-our-secret"),
        _signed_raw(b"[" * 2000, secret=APP_SECRET),
    ],
    ids=["other secret", "garbage", "empty", "HMAC-SHA1", "nested, unsigned", "nested, signed"],
)
def test_a_bad_signature_answers_400_and_changes_nothing(client, secrets, accounts, signed):
    for url in ("/meta/facebook/deauthorize", "/meta/facebook/data-deletion"):
        answer = client.post(url, {"signed_request": signed})
        assert answer.status_code == 400
        assert answer.json()["error"]
    assert SocialAccount.objects.filter(status="connected").count() == 2
    assert not DataDeletionRequest.objects.exists()


def test_data_deletion_deletes_the_persons_rows_and_shows_its_status(client, secrets, accounts):
    answer = client.post(
        "/meta/facebook/data-deletion",
        {"signed_request": sign(_payload("10001"), secret=APP_SECRET)},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"url", "confirmation_code"}
    assert body["url"] == f"http://testserver/meta/deletion/{body['confirmation_code']}"
    assert list(SocialAccount.objects.values_list("page_id", flat=True)) == ["222"]
    deletion = DataDeletionRequest.objects.get()
    assert "10001" not in deletion.user_hash  # only a hash of who asked
    status = client.get(f"/meta/deletion/{body['confirmation_code']}")
    assert status.status_code == 200
    assert "Completed" in status.content.decode()
    assert "1 connection record" in status.content.decode()
    assert client.get("/meta/deletion/unknown").status_code == 404


def test_instagram_callbacks_are_signed_with_the_instagram_secret(client, secrets, sunrise):
    InstagramLogin.objects.create(organization=sunrise, instagram_user_id="178414")
    wrong = sign(_payload("178414"), secret=APP_SECRET)
    assert (
        client.post("/meta/instagram/data-deletion", {"signed_request": wrong}).status_code == 400
    )
    right = sign(_payload("178414"), secret=IG_APP_SECRET)
    assert (
        client.post("/meta/instagram/data-deletion", {"signed_request": right}).status_code == 200
    )
    assert not InstagramLogin.objects.exists()


def test_unknown_provider_is_404(client, secrets):
    assert client.post("/meta/tiktok/deauthorize", {"signed_request": "x"}).status_code == 404


def test_check_deploy_wants_the_secret_with_an_app_id(settings):
    settings.FACEBOOK_APP_ID = "4242"
    settings.FACEBOOK_APP_SECRET = ""
    with pytest.raises(SystemCheckError, match=r"social\.E002"):
        call_command("check", "--deploy", "--tag", "security")
    settings.FACEBOOK_APP_SECRET = APP_SECRET
    settings.INSTAGRAM_APP_ID = "5353"
    settings.INSTAGRAM_APP_SECRET = ""
    with pytest.raises(SystemCheckError, match=r"social\.E003"):
        call_command("check", "--deploy", "--tag", "security")
