import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from social.models import SocialAccount

from ..factories import MediaContentFactory
from .fake_graph import FakeGraph

TOKEN = "EAAGsecretPageTokenZZ1234567890abcdefXYZ"
USER_TOKEN = "EAAGsecretUserTokenYY0987654321zyxwvuABC"
PUBLIC_MEDIA_URL = "https://cdn.sunrise.example/media/"


@pytest.fixture(autouse=True)
def encryption_key(settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    return settings.FIELD_ENCRYPTION_KEY


@pytest.fixture
def public_media(settings):
    """The "CDN" Meta fetches our files from: MEDIA_ROOT over real HTTP on 127.0.0.1."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(settings.MEDIA_ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_graph(settings, public_media):
    """The fake Graph API, with the graph publishers pointed at it and quick retries.

    It knows the Page token (``TOKEN``) and ``USER_TOKEN``, and downloads what it is
    asked to fetch from PUBLIC_MEDIA_URL, which stands for MEDIA_ROOT served locally.
    """
    fake = FakeGraph().start()
    fake.tokens = {TOKEN: "page", USER_TOKEN: "user"}
    fake.url_map = {PUBLIC_MEDIA_URL: public_media}
    settings.FACEBOOK_GRAPH_URL = fake.url
    settings.FACEBOOK_GRAPH_VIDEO_URL = fake.url
    settings.FACEBOOK_RUPLOAD_URL = fake.url  # Page Reels' upload host
    settings.FACEBOOK_GRAPH_VERSION = "v24.0"
    settings.FACEBOOK_GRAPH_READ_TIMEOUT = 1.0
    settings.SOCIAL_PUBLISHER = "graph"
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "social.publishers.FacebookPublisher",
        "instagram": "social.publishers.InstagramPublisher",
    }
    settings.SOCIAL_RETRY_BASE_SECONDS = 0
    settings.SOCIAL_STATUS_CHECK_SECONDS = 0
    settings.SOCIAL_MAX_RETRIES = 3
    settings.SOCIAL_MAX_STATUS_CHECKS = 5
    settings.MEDIA_URL = PUBLIC_MEDIA_URL  # files served by a public web server
    yield fake
    fake.stop()


@pytest.fixture
def account(sunrise):
    account = SocialAccount(
        organization=sunrise,
        page_id="111",
        page_name="Sunrise Motors",
        instagram_account_id="17841400000000001",
        instagram_username="sunrisemotors",
        verified_at=timezone.now(),  # checked a moment ago: no check before its posts
    )
    account.set_token(TOKEN)
    account.save()
    return account


@pytest.fixture
def photo(sunrise):
    return MediaContentFactory(
        organization=sunrise,
        title="Spring sale",
        description="Zero down on every SUV.",
        link_url="https://sunrise.example/suv",
        post_to_facebook=True,
        post_to_instagram=True,
    )


@pytest.fixture
def fake_meta(settings, public_media):
    """The fake Meta (dialogs, tokens, Graph, Instagram Login), everything pointed at it.

    The app requires appsecret_proof, as a production app should; owners connect
    through ``/marketing/connections`` and the consent page answers to the test
    server's callback URLs.
    """
    from .fake_meta import APP_ID, APP_SECRET, IG_APP_ID, IG_APP_SECRET, FakeMeta

    fake = FakeMeta().start()
    fake.app_secret = APP_SECRET
    fake.url_map = {PUBLIC_MEDIA_URL: public_media}
    fake.redirect_uris = {
        "http://testserver/marketing/connections/facebook/callback",
        "http://testserver/marketing/connections/instagram/callback",
    }
    settings.FACEBOOK_APP_ID, settings.FACEBOOK_APP_SECRET = APP_ID, APP_SECRET
    settings.INSTAGRAM_APP_ID, settings.INSTAGRAM_APP_SECRET = IG_APP_ID, IG_APP_SECRET
    settings.FACEBOOK_LOGIN_CONFIG_ID = ""
    settings.FACEBOOK_OAUTH_URL = fake.url
    settings.FACEBOOK_GRAPH_URL = fake.url
    settings.FACEBOOK_GRAPH_VIDEO_URL = fake.url
    settings.FACEBOOK_RUPLOAD_URL = fake.url
    settings.INSTAGRAM_OAUTH_URL = f"{fake.url}/ig-www"
    settings.INSTAGRAM_API_URL = f"{fake.url}/ig-api"
    settings.INSTAGRAM_GRAPH_URL = f"{fake.url}/ig-graph"
    settings.FACEBOOK_GRAPH_VERSION = "v24.0"
    settings.FACEBOOK_GRAPH_READ_TIMEOUT = 2.0
    settings.SOCIAL_PUBLISHER = "graph"
    settings.PUBLISHERS = {
        **settings.PUBLISHERS,
        "facebook": "social.publishers.FacebookPublisher",
        "instagram": "social.publishers.InstagramPublisher",
    }
    settings.SOCIAL_RETRY_BASE_SECONDS = 0
    settings.SOCIAL_STATUS_CHECK_SECONDS = 0
    settings.MEDIA_URL = PUBLIC_MEDIA_URL
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield fake
    fake.stop()


@pytest.fixture
def owner(sunrise):
    from dealer_media.tenancy.models import Membership

    from ..factories import MembershipFactory, UserFactory

    user = UserFactory(username="dana", email="dana@sunrise.example")
    MembershipFactory(organization=sunrise, user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
