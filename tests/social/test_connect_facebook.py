"""Owners connect the dealership's Facebook Page through the fake Meta, over real HTTP."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import IntegrityError
from django.utils import timezone

from social import connect_facebook
from social.models import ConnectionAttempt, SocialAccount

from ..factories import MembershipFactory, UserFactory
from .dialog import consent
from .fake_meta import APP_ID, FakePage

pytestmark = pytest.mark.django_db

START = "/marketing/connections/facebook/start"
PAGES = "/marketing/connections/facebook/pages"


def _start(client, **data) -> str:
    answer = client.post(START, data)
    assert answer.status_code == 302
    return answer["Location"]


def _connect(client, *, untick=(), page_id="111") -> SocialAccount:
    callback = consent(_start(client), untick=untick)
    answer = client.get(callback)
    assert answer.status_code == 302 and answer["Location"] == PAGES
    answer = client.post(PAGES, {"page_id": page_id})
    assert answer.status_code == 302, answer.content.decode()
    return SocialAccount.objects.get(page_id=page_id)


def test_the_dialog_gets_client_id_absolute_redirect_uri_state_and_scope(owner_client, fake_meta):
    query = parse_qs(urlsplit(_start(owner_client)).query)
    assert query["client_id"] == [APP_ID]
    assert query["redirect_uri"] == ["http://testserver/marketing/connections/facebook/callback"]
    assert len(query["state"][0]) >= 40
    scope = query["scope"][0].split(",")
    assert {"pages_show_list", "pages_manage_posts", "instagram_content_publish"} <= set(scope)
    assert "config_id" not in query
    # Only a hash of the state is kept.
    attempt = ConnectionAttempt.objects.get()
    assert query["state"][0] not in attempt.state_hash


def test_login_for_business_sends_the_configuration_instead_of_scope(
    owner_client, fake_meta, settings
):
    settings.FACEBOOK_LOGIN_CONFIG_ID = "cfg-777"
    query = parse_qs(urlsplit(_start(owner_client)).query)
    assert query["config_id"] == ["cfg-777"]
    assert "scope" not in query


def test_an_owner_connects_a_page_and_its_instagram(owner_client, owner, sunrise, fake_meta):
    callback = consent(_start(owner_client))
    answer = owner_client.get(callback)
    assert answer["Location"] == PAGES
    picker = owner_client.get(PAGES).content.decode()
    assert "Sunrise Motors" in picker and "Instagram @sunrisemotors" in picker
    assert "Sunrise Service Center" in picker and "no Instagram account linked" in picker
    assert "You cannot create content on this Page." in picker  # the read-only Page
    answer = owner_client.post(PAGES, {"page_id": "111"}, follow=True)
    assert "Connected: Sunrise Motors, Instagram @sunrisemotors." in answer.content.decode()

    account = SocialAccount.objects.get(organization=sunrise)
    assert account.get_token().startswith("EAApage111")  # the Page's token, not the user's
    assert fake_meta.tokens[account.get_token()] == "page"
    assert account.instagram_account_id == "17841400000000001"
    assert account.facebook_user_id == "10001"
    assert account.connected_by == owner and account.verified_at is not None
    assert "pages_manage_posts" in account.permissions
    assert account.data_access_expires_at > timezone.now()
    # The user token is forgotten once the Page is chosen.
    assert ConnectionAttempt.objects.get().user_token_encrypted == ""
    # Every Graph call carried a valid appsecret_proof (the fake refuses others).
    graph_calls = [r for r in fake_meta.requests if r.authorization.startswith("Bearer ")]
    assert graph_calls and all(r.params.get("appsecret_proof") for r in graph_calls)
    [exchange, long_lived] = fake_meta.calls("GET", "/oauth/access_token")
    assert exchange.params["client_secret"] and exchange.params["code"]
    assert long_lived.params["grant_type"] == "fb_exchange_token"
    [check] = fake_meta.calls("GET", "/debug_token")
    assert check.authorization == f"Bearer {APP_ID}|{fake_meta.app_secret}"  # the app token

    page = owner_client.get("/marketing/connections").content.decode()
    assert "pages_manage_posts" in page and "Disconnect Facebook" in page


def test_cancel_changes_nothing_and_says_so(owner_client, fake_meta):
    callback = consent(_start(owner_client), allow=False)
    assert "error=access_denied" in callback
    answer = owner_client.get(callback, follow=True)
    assert "You cancelled the connection; nothing changed." in answer.content.decode()
    assert not SocialAccount.objects.exists()
    # The state was spent: the same answer cannot be used again.
    assert ConnectionAttempt.objects.get().used_at is not None


def test_a_missing_permission_is_named_and_can_be_granted_again(owner_client, sunrise, fake_meta):
    callback = consent(_start(owner_client), untick=("pages_manage_posts",))
    owner_client.get(callback)
    picker = owner_client.get(PAGES).content.decode()
    assert "Facebook did not grant pages_manage_posts (publish photos, videos and posts" in picker
    assert "Grant the missing permissions" in picker
    refused = owner_client.post(PAGES, {"page_id": "111"})
    assert refused.status_code == 400
    assert "Grant the missing permissions" in refused.content.decode()
    assert not SocialAccount.objects.exists()

    again = _start(owner_client, rerequest="1")
    assert parse_qs(urlsplit(again).query)["auth_type"] == ["rerequest"]
    owner_client.get(consent(again))
    assert owner_client.post(PAGES, {"page_id": "111"}).status_code == 302
    assert SocialAccount.objects.get(organization=sunrise).page_name == "Sunrise Motors"


def test_an_optional_permission_unticked_is_told_but_does_not_block(owner_client, fake_meta):
    owner_client.get(consent(_start(owner_client), untick=("pages_manage_engagement",)))
    picker = owner_client.get(PAGES).content.decode()
    assert "Not granted, so not used" in picker and "pages_manage_engagement" in picker
    assert owner_client.post(PAGES, {"page_id": "111"}).status_code == 302


@pytest.mark.parametrize("how", ["replayed", "other_session", "expired", "missing", "wrong"])
def test_a_bad_state_answers_400_and_changes_nothing(owner, sunrise, fake_meta, client, how):
    client.force_login(owner)
    callback = consent(_start(client))
    if how == "replayed":
        client.get(callback)
        SocialAccount.objects.all().delete()
    elif how == "other_session":
        client.logout()
        client.force_login(owner)  # a new session: the state is bound to the old one
    elif how == "expired":
        ConnectionAttempt.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif how == "missing":
        callback = callback.split("&state=")[0].replace("state=", "x=")
    elif how == "wrong":
        callback = callback.replace("state=", "state=forged")
    answer = client.get(callback)
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Nothing changed" in text or "nothing changed" in text
    assert not SocialAccount.objects.exists()
    if how != "replayed":  # (the first, good answer may still pick its Page)
        assert client.get(PAGES).status_code == 302  # no Page to pick


def test_a_state_started_for_another_dealership_is_refused(
    owner, sunrise, lakeside, fake_meta, client
):
    from dealer_media.tenancy.models import Membership

    MembershipFactory(organization=lakeside, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    session = client.session
    session["organization_id"] = sunrise.pk
    session.save()
    callback = consent(_start(client))
    session = client.session
    session["organization_id"] = lakeside.pk
    session.save()
    answer = client.get(callback)
    assert answer.status_code == 400
    assert "another dealership" in answer.content.decode()
    assert not SocialAccount.objects.exists()


def test_a_page_connected_to_another_dealership_is_refused_without_naming_it(
    owner_client, sunrise, lakeside, fake_meta
):
    taken = SocialAccount(organization=lakeside, page_id="111", page_name="Sunrise Motors")
    taken.set_token("EAAlakesideToken0000000000000000")
    taken.save()
    owner_client.get(consent(_start(owner_client)))
    picker = owner_client.get(PAGES).content.decode()
    assert "Connected to another dealership in Dealer Media." in picker
    answer = owner_client.post(PAGES, {"page_id": "111"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "already connected to another dealership" in text
    assert "Lakeside" not in text
    assert not SocialAccount.objects.filter(organization=sunrise).exists()


def test_the_database_holds_one_page_per_dealership_and_each_page_once(sunrise, lakeside):
    SocialAccount.objects.create(organization=sunrise, page_id="111")
    with pytest.raises(IntegrityError):
        SocialAccount.objects.create(organization=lakeside, page_id="111")


def test_pages_reached_through_business_manager_are_listed(owner_client, fake_meta):
    fake_meta.person.businesses = {"b1": ("Sunrise Group", [FakePage("555", "Sunrise Used Cars")])}
    owner_client.get(consent(_start(owner_client)))
    picker = owner_client.get(PAGES).content.decode()
    assert "Sunrise Used Cars" in picker and "through Sunrise Group" in picker
    assert owner_client.post(PAGES, {"page_id": "555"}).status_code == 302
    assert SocialAccount.objects.get().page_name == "Sunrise Used Cars"


def test_a_user_token_is_never_stored_as_a_page_token(sunrise, owner, fake_meta):
    """What a User token gets from debug_token: refused in words before it is stored."""
    owner_token = fake_meta._issue_user_token(
        {"granted": ["pages_show_list", "pages_manage_posts"], "declined": [], "pages": []},
        expires=3600,
    )["access_token"]
    page = connect_facebook.PageChoice(
        id="111", name="Sunrise Motors", tasks=["CREATE_CONTENT"], token=owner_token
    )
    with pytest.raises(connect_facebook.ConnectionRefused, match="User token, not a Page token"):
        connect_facebook.page_connect(organization=sunrise, user=owner, page=page, facebook_user="")
    assert not SocialAccount.objects.exists()


def test_editors_see_connections_read_only_and_are_refused_in_words(client, sunrise, fake_meta):
    from dealer_media.tenancy.models import Membership

    editor = UserFactory(username="eddie")
    MembershipFactory(organization=sunrise, user=editor, role=Membership.Role.EDITOR)
    client.force_login(editor)
    page = client.get("/marketing/connections")
    assert page.status_code == 200
    text = page.content.decode()
    assert "you see them read-only" in text
    assert "Connect Facebook" not in text
    for url in (
        START,
        "/marketing/connections/facebook/disconnect",
        "/marketing/connections/instagram/start",
        "/marketing/connections/check",
    ):
        answer = client.post(url)
        assert answer.status_code == 403
        assert "Only an owner of this dealership can connect" in answer.content.decode()
    assert client.get("/marketing/connections/facebook/callback?code=x&state=y").status_code == 403
    assert not ConnectionAttempt.objects.exists()


def test_outsiders_and_other_dealerships_see_nothing(client, outsider, lakeside_user, sunrise):
    account = SocialAccount(organization=sunrise, page_id="111", page_name="Sunrise Motors")
    account.set_token("EAAsunrise0000000000000000000000")
    account.save()
    client.force_login(outsider)
    assert client.get("/marketing/connections").status_code == 403
    client.force_login(lakeside_user)
    assert b"Sunrise Motors" not in client.get("/marketing/connections").content


def test_disconnect_revokes_the_grant_and_scheduled_posts_need_a_connection(
    owner_client, sunrise, fake_meta, photo
):
    from media_content.models import ScheduledPost

    account = _connect(owner_client)
    token = account.get_token()
    post = ScheduledPost.objects.create(
        organization=sunrise,
        media_content=photo,
        destination="facebook",
        scheduled_time=timezone.now() + datetime.timedelta(days=1),
    )
    answer = owner_client.post("/marketing/connections/facebook/disconnect", follow=True)
    assert "Facebook disconnected." in answer.content.decode()
    [revoke] = fake_meta.calls("DELETE", "/10001/permissions")
    assert revoke.authorization == f"Bearer {APP_ID}|{fake_meta.app_secret}"
    assert token not in fake_meta.tokens  # Meta no longer knows the Page token
    assert not SocialAccount.objects.exists()
    post.refresh_from_db()
    assert post.status == ScheduledPost.Status.PENDING  # nothing cancelled silently
    library = owner_client.get("/marketing/media").content.decode()
    assert "Facebook: needs a connection" in library
    connections = owner_client.get("/marketing/connections").content.decode()
    assert "1 scheduled post to Facebook will wait for a connection" in connections


def test_a_second_owner_of_another_dealership_cannot_use_this_dealerships_attempt(
    owner_client, fake_meta, lakeside
):
    """The picker only ever shows the attempt of this session and dealership."""
    owner_client.get(consent(_start(owner_client)))
    stranger = UserFactory(username="stranger")
    from dealer_media.tenancy.models import Membership

    MembershipFactory(organization=lakeside, user=stranger, role=Membership.Role.OWNER)
    from django.test import Client

    other = Client()
    other.force_login(stranger)
    assert other.get(PAGES).status_code == 302
    assert other.post(PAGES, {"page_id": "111"}).status_code == 302
    assert not SocialAccount.objects.exists()
