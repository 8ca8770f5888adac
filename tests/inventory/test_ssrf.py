"""Feed (and photo) URLs never reach this server, the private network or cloud metadata."""

import pytest

from inventory import fetching, importing, sources
from inventory.fetching import FetchRefused, fetch
from inventory.models import ImportRun, Vehicle

from .conftest import as_csv, stock

pytestmark = pytest.mark.django_db

PRIVATE_NAME = "feeds.sunrise-motors-inventory.com"  # public-looking, resolves inside


@pytest.fixture
def fake_dns(monkeypatch):
    """Fake the resolver for names the test gives, and for those only."""
    real = fetching.resolve
    names: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        return names[host] if host in names else real(host, port)

    monkeypatch.setattr(fetching, "resolve", resolve)
    return names


def _refusal(url: str) -> str:
    with pytest.raises(FetchRefused) as refused, fetch(url, max_bytes=10_000):
        pass
    return refused.value.message


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/feed.csv", "loopback"),
        ("http://10.0.0.1/feed.csv", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/feed.csv", "loopback"),
        ("http://[::ffff:10.0.0.1]/feed.csv", "private"),
        ("http://0.0.0.0/feed.csv", "private or reserved"),
        ("ftp://example.com/feed.csv", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("http://user:secret@example.com/feed.csv", "user name or password"),
    ],
)
def test_private_addresses_and_other_schemes_refused(url, reason):
    assert reason in _refusal(url)


def test_public_looking_name_resolving_inside_is_refused(fake_dns):
    fake_dns[PRIVATE_NAME] = ["10.0.0.7"]
    message = _refusal(f"https://{PRIVATE_NAME}/feed.csv")
    assert PRIVATE_NAME in message and "10.0.0.7" in message


def test_a_name_with_one_private_address_among_public_ones_is_refused(fake_dns):
    fake_dns[PRIVATE_NAME] = ["93.184.216.34", "127.0.0.1"]
    assert "loopback" in _refusal(f"http://{PRIVATE_NAME}/feed.csv")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/feed.csv",
        "http://169.254.169.254/latest/meta-data/iam/",
        f"http://{PRIVATE_NAME}/feed.csv",
        "http://[fd00::1]/feed.csv",
    ],
)
def test_redirect_to_a_private_address_is_refused(feed_server, fake_dns, sunrise, target):
    fake_dns[PRIVATE_NAME] = ["192.168.1.20"]
    url = feed_server.serve("/feed", b"", status=302, Location=target)
    source = sources.source_save(organization=sunrise, feed_url=url)
    run = importing.import_source(source=source)
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("The feed could not be fetched:")
    assert "is refused:" in run.error
    assert feed_server.requests == ["/feed"]
    assert not Vehicle.objects.exists()


def test_a_public_looking_name_redirecting_inside(feed_server, fake_dns):
    """The name resolves to the (allowed) test server, which redirects to metadata."""
    fake_dns["cdn.sunrise-motors-inventory.com"] = ["127.0.0.1"]
    feed_server.serve("/feed", b"", status=301, Location="http://169.254.169.254/")
    port = feed_server.server.server_port
    assert "link-local" in _refusal(f"http://cdn.sunrise-motors-inventory.com:{port}/feed")


def test_redirects_are_followed_to_public_places(feed_server, sunrise):
    feed_server.serve("/feed.csv", as_csv(stock(2)))
    url = feed_server.serve("/old", b"", status=301, Location="/feed.csv")
    source = sources.source_save(organization=sunrise, feed_url=url)
    run = importing.import_source(source=source)
    assert (run.status, run.added) == ("done", 2)


def test_without_the_test_opening_the_feed_server_is_refused(feed_server, settings, sunrise):
    url = feed_server.serve("/feed.csv", as_csv(stock(2)))
    settings.FETCH_ALLOWED_NETWORKS = []
    source = sources.source_save(organization=sunrise, feed_url=url)
    run = importing.import_source(source=source)
    assert run.status == "failed" and "loopback" in run.error
    assert feed_server.requests == []


def test_feed_url_scheme_refused_at_save(sunrise):
    with pytest.raises(FetchRefused):
        sources.source_save(organization=sunrise, feed_url="gopher://example.com/feed")
