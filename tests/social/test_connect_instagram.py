"""Instagram Login: connect an account with no Page, post through graph.instagram.com, refresh."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from media_content.models import ScheduledPost
from publishing import engine as publishing
from social import health
from social.models import InstagramLogin, SocialAccount

from ..factories import ScheduledPostFactory
from .dialog import consent
from .fake_meta import IG_APP_ID

pytestmark = pytest.mark.django_db

START = "/marketing/connections/instagram/start"


def _connect(client) -> InstagramLogin:
    answer = client.get(consent(client.post(START)["Location"]), follow=True)
    assert "Connected: Instagram @sunrise_direct by Instagram Login." in answer.content.decode()
    return InstagramLogin.objects.get()


def test_the_dialog_asks_for_the_instagram_business_scopes(owner_client, fake_meta):
    query = parse_qs(urlsplit(owner_client.post(START)["Location"]).query)
    assert query["client_id"] == [IG_APP_ID]
    assert query["response_type"] == ["code"]
    assert query["scope"][0].split(",") == [
        "instagram_business_basic",
        "instagram_business_content_publish",
        "instagram_business_manage_comments",
    ]
    assert query["redirect_uri"] == ["http://testserver/marketing/connections/instagram/callback"]
    assert query["state"][0]


def test_connect_then_post_through_the_instagram_host(owner_client, fake_meta, sunrise, photo):
    login = _connect(owner_client)
    assert login.instagram_user_id == "17841499999999999"
    assert fake_meta.tokens[login.get_token()] == "instagram"  # the long-lived one
    assert login.token_expires_at > timezone.now() + datetime.timedelta(days=59)
    assert "instagram_business_content_publish" in login.permissions
    [code_exchange] = fake_meta.calls("POST", "/ig-api/oauth/access_token")
    assert code_exchange.params["grant_type"] == "authorization_code"
    [long_lived] = fake_meta.calls("GET", "/ig-graph/access_token")
    assert long_lived.params["grant_type"] == "ig_exchange_token"

    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.POSTED, result.last_error
    [container] = fake_meta.calls("POST", "/17841499999999999/media")
    assert container.path.startswith("/ig-graph/")
    assert container.authorization == f"Bearer {login.get_token()}"
    assert container.params["appsecret_proof"]
    assert fake_meta.calls("POST", "/media_publish")[0].path.startswith("/ig-graph/")
    # Facebook is not connected: Instagram goes alone, and says so on the page.
    assert not SocialAccount.objects.exists()
    page = owner_client.get("/marketing/connections").content.decode()
    assert "@sunrise_direct" in page and "by Instagram Login" in page


def test_a_page_token_is_no_good_on_the_instagram_host(owner_client, fake_meta, photo):
    login = _connect(owner_client)
    login.set_token("EAApage111xforgedtoken")
    login.save()
    post = ScheduledPostFactory(media_content=photo, destination="instagram")
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.FAILED
    login.refresh_from_db()
    assert login.status == InstagramLogin.Status.NEEDS_RECONNECT


def test_cancel_changes_nothing(owner_client, fake_meta):
    callback = consent(owner_client.post(START)["Location"], allow=False)
    answer = owner_client.get(callback, follow=True)
    assert "You cancelled the connection; nothing changed." in answer.content.decode()
    assert not InstagramLogin.objects.exists()


def test_the_token_is_refreshed_well_before_its_60_days(owner_client, fake_meta):
    login = _connect(owner_client)
    old = login.get_token()
    InstagramLogin.objects.filter(pk=login.pk).update(
        token_expires_at=timezone.now() + datetime.timedelta(days=10),
        refreshed_at=timezone.now() - datetime.timedelta(days=50),
    )
    assert health.refresh_instagram_tokens() == 1
    login.refresh_from_db()
    assert login.get_token() != old
    assert fake_meta.tokens[login.get_token()] == "instagram"
    assert login.token_expires_at > timezone.now() + datetime.timedelta(days=59)
    [refresh] = fake_meta.calls("GET", "/ig-graph/refresh_access_token")
    assert refresh.params["grant_type"] == "ig_refresh_token"
    # A fresh token is not refreshed again.
    assert health.refresh_instagram_tokens() == 0


def test_the_daily_check_reads_the_account_and_flags_a_dead_token(
    owner_client, fake_meta, django_capture_on_commit_callbacks
):
    from django.core import mail

    login = _connect(owner_client)
    del fake_meta.tokens[login.get_token()]
    fake_meta.ig_tokens.pop(login.get_token())
    InstagramLogin.objects.filter(pk=login.pk).update(
        verified_at=timezone.now() - datetime.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert health.check_due_connections() == 1
    login.refresh_from_db()
    assert login.status == InstagramLogin.Status.NEEDS_RECONNECT
    assert "Instagram no longer accepts the connection" in login.last_error
    assert len(mail.outbox) == 1 and "reconnect Instagram" in mail.outbox[0].subject


def test_one_instagram_connection_at_a_time(owner_client, fake_meta, sunrise):
    """With a Page whose Instagram is linked, Instagram Login takes over Instagram, and back."""
    start = owner_client.post("/marketing/connections/facebook/start")["Location"]
    owner_client.get(consent(start))
    owner_client.post("/marketing/connections/facebook/pages", {"page_id": "111"})
    from social import services

    assert services.instagram_connection(organization=sunrise).instagram_account_id == (
        "17841400000000001"
    )
    _connect(owner_client)
    assert services.instagram_connection(organization=sunrise).instagram_account_id == (
        "17841499999999999"
    )
    page = owner_client.get("/marketing/connections").content.decode()
    assert "not through the account linked to the Page (@sunrisemotors)" in page
    answer = owner_client.post("/marketing/connections/instagram/disconnect", follow=True)
    assert "Apps and websites" in answer.content.decode()
    assert services.instagram_connection(organization=sunrise).instagram_account_id == (
        "17841400000000001"
    )


def test_an_instagram_account_of_another_dealership_is_refused(owner_client, fake_meta, lakeside):
    InstagramLogin.objects.create(organization=lakeside, instagram_user_id="17841499999999999")
    answer = owner_client.get(consent(owner_client.post(START)["Location"]), follow=True)
    text = answer.content.decode()
    assert "already connected to another dealership" in text and "Lakeside" not in text
    assert InstagramLogin.objects.count() == 1
