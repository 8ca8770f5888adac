"""Connecting a Page in the admin, the portal's availability badges, the token at rest."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from requests.structures import CaseInsensitiveDict

from publishing import engine as publishing
from social import crypto
from social.graph import Kind, classify, parse_usage
from social.models import SocialAccount
from social.selectors import destination_availability

from ..factories import ScheduledPostFactory
from .conftest import TOKEN
from .fake_graph import graph_error

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/social/socialaccount/add/"


def test_staff_connect_a_page_and_it_is_verified(client, superuser, sunrise, fake_graph):
    client.force_login(superuser)
    answer = client.post(
        ADD_URL,
        {
            "organization": sunrise.pk,
            "page_id": "111",
            "access_token": TOKEN,
            "status": "connected",
        },
        follow=True,
    )
    assert answer.status_code == 200
    assert b"Verified with Facebook: Sunrise Motors (sunrisemotors)" in answer.content
    account = SocialAccount.objects.get(organization=sunrise)
    assert account.page_name == "Sunrise Motors"
    assert account.instagram_account_id == "17841400000000001"
    assert account.instagram_username == "sunrisemotors"
    assert account.verified_at is not None
    assert account.get_token() == TOKEN
    assert TOKEN not in account.token_encrypted
    [page] = fake_graph.calls("GET", "/111")
    assert page.params["fields"] == "id,name,instagram_business_account"
    assert page.authorization == f"Bearer {TOKEN}"

    change = client.get(f"/admin/social/socialaccount/{account.pk}/change/")
    assert TOKEN.encode() not in change.content
    assert account.token_encrypted.encode() not in change.content
    assert TOKEN.encode() not in client.get("/admin/social/socialaccount/").content


def test_a_refused_token_is_shown_in_words(client, superuser, sunrise, fake_graph):
    fake_graph.script("GET", "/111", graph_error(190, "Error validating access token", subcode=460))
    client.force_login(superuser)
    answer = client.post(
        ADD_URL,
        {
            "organization": sunrise.pk,
            "page_id": "111",
            "access_token": TOKEN,
            "status": "connected",
        },
    )
    assert answer.status_code == 200
    assert b"Facebook did not accept this Page and token" in answer.content
    assert b"reconnect it on the Connections page" in answer.content
    assert b"Meta code 190/460" in answer.content
    assert TOKEN.encode() not in answer.content
    assert not SocialAccount.objects.exists()


def test_staff_pasting_a_user_token_is_refused_before_it_is_stored(
    client, superuser, sunrise, fake_graph
):
    """Pasting checks with debug_token like "Connect Facebook": a User token fails every post."""
    from .conftest import USER_TOKEN

    client.force_login(superuser)
    answer = client.post(
        ADD_URL,
        {
            "organization": sunrise.pk,
            "page_id": "111",
            "access_token": USER_TOKEN,
            "status": "connected",
        },
    )
    assert answer.status_code == 200
    assert b"This is a User token, not a Page token" in answer.content
    assert not SocialAccount.objects.exists()
    [check] = fake_graph.calls("GET", "/debug_token")
    assert check.params["input_token"] == USER_TOKEN


def test_staff_pasting_a_token_without_posting_permission_is_refused(
    client, superuser, sunrise, fake_graph
):
    fake_graph.token_info[TOKEN] = {"scopes": ["pages_show_list", "pages_read_engagement"]}
    client.force_login(superuser)
    answer = client.post(
        ADD_URL,
        {
            "organization": sunrise.pk,
            "page_id": "111",
            "access_token": TOKEN,
            "status": "connected",
        },
    )
    assert b"lacks pages_manage_posts (publish photos, videos and posts on the Page)" in (
        answer.content
    )
    assert not SocialAccount.objects.exists()


def test_staff_only_see_and_pick_their_dealership(client, sunrise_staff, sunrise, lakeside):
    sunrise_staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="social"))
    other = SocialAccount(organization=lakeside, page_id="222", page_name="Lakeside Page")
    other.set_token("EAAlakesideToken0000000000000000")
    other.save()
    client.force_login(sunrise_staff)
    listing = client.get("/admin/social/socialaccount/")
    assert listing.status_code == 200
    assert b"Lakeside Page" not in listing.content
    assert client.get(f"/admin/social/socialaccount/{other.pk}/change/").status_code == 302
    form = client.get(ADD_URL)
    assert b"Sunrise Motors" in form.content
    assert b"Lakeside Auto" not in form.content


def test_sandbox_is_labelled_in_the_admin_and_sends_nothing(client, superuser, sunrise, photo):
    client.force_login(superuser)
    answer = client.post(
        ADD_URL,
        {"organization": sunrise.pk, "page_id": "42", "access_token": TOKEN, "status": "connected"},
        follow=True,
    )
    assert b"Sandbox publisher active" in answer.content
    assert (
        b"Sandbox: posts are recorded here and not sent to Meta."
        in client.get(
            f"/admin/social/socialaccount/{SocialAccount.objects.get().pk}/change/"
        ).content
    )
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == "posted"
    assert result.external_id.startswith("sandbox_")
    assert result.external_state["sandbox"] is True
    assert result.external_state["message"].startswith("Spring sale\n\nZero down")
    assert destination_availability(sunrise)["instagram"]["state"] == "sandbox"


def test_availability_says_why_a_destination_is_off(fake_graph, sunrise, account, settings):
    assert destination_availability(sunrise) == {
        "facebook": {"state": "connected", "enabled": True, "reason": ""},
        "instagram": {"state": "connected", "enabled": True, "reason": ""},
    }
    settings.MEDIA_URL = "/media/"
    instagram = destination_availability(sunrise)["instagram"]
    assert instagram["state"] == "not_configured"
    assert "on S3" in instagram["reason"]
    account.status = SocialAccount.Status.NEEDS_RECONNECT
    account.save()
    assert destination_availability(sunrise)["facebook"]["state"] == "needs_reconnect"
    account.delete()
    assert destination_availability(sunrise)["facebook"] == {
        "state": "not_configured",
        "enabled": False,
        "reason": "No Facebook Page is connected; an owner can connect one on the Connections page.",
    }


def test_encryption_key_decisions(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.DEBUG = True
    assert crypto.decrypt(crypto.encrypt("abc")) == "abc"  # development key from SECRET_KEY
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY is required"):
        crypto.encrypt("abc")
    settings.FIELD_ENCRYPTION_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        crypto.encrypt("abc")


class FakeResponse:
    def __init__(self, status, body, headers=None):
        self.status_code = status
        self._body = body
        self.headers = CaseInsensitiveDict(headers or {})

    def json(self):
        return self._body


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [
        (400, {"code": 190, "error_subcode": 463}, Kind.TOKEN),
        (400, {"code": 4}, Kind.RATE_LIMITED),
        (400, {"code": 17}, Kind.RATE_LIMITED),
        (400, {"code": 32}, Kind.RATE_LIMITED),
        (400, {"code": 613}, Kind.RATE_LIMITED),
        (400, {"code": 80001}, Kind.RATE_LIMITED),
        (429, {"code": 999}, Kind.RATE_LIMITED),
        (500, {"code": 2}, Kind.TRANSIENT),
        (400, {"code": 999, "is_transient": True}, Kind.TRANSIENT),
        (503, {}, Kind.TRANSIENT),
        (400, {"code": 506}, Kind.DUPLICATE),
        (400, {"code": 9007, "error_subcode": 2207027}, Kind.NOT_READY),
        (403, {"code": 200}, Kind.PERMISSION),
        (400, {"code": 100}, Kind.REJECTED),
        (400, {"code": 368}, Kind.POLICY),
    ],
)
def test_errors_are_classified_from_code_subcode_flag_and_status(status, error, kind):
    result = classify(FakeResponse(status, {"error": {**error, "fbtrace_id": "T1"}}))
    assert result.kind == kind
    assert result.message.endswith(", trace T1)")
    assert result.retryable == (kind in (Kind.RATE_LIMITED, Kind.TRANSIENT))


def test_usage_headers_give_the_wait():
    usage = parse_usage(
        CaseInsensitiveDict(
            {
                "X-App-Usage": json.dumps({"call_count": 12, "total_cputime": 91, "total_time": 3}),
                "X-Business-Use-Case-Usage": json.dumps(
                    {
                        "1": [
                            {
                                "type": "pages",
                                "call_count": 40,
                                "estimated_time_to_regain_access": 7,
                            }
                        ]
                    }
                ),
            }
        )
    )
    assert usage.percent == 91
    assert usage.regain_seconds == 420
