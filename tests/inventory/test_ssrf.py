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


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        # 6to4 (2002::/16): Python calls these global, yet they embed 169.254.169.254 and 127.0.0.1.
        ("2002:a9fe:a9fe::1", "a 6to4 address of 169.254.169.254, which is a link-local"),
        ("2002:7f00:1::1", "a 6to4 address of 127.0.0.1, which is this server itself"),
        ("2002:a00:1::", "a 6to4 address of 10.0.0.1, which is a private"),
        # Teredo (2001::/32): the client's address is the last 32 bits, inverted.
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "a Teredo address of 127.0.0.1, which is this"),
        ("2001:0:4136:e378:8000:63bf:5601:5601", "a Teredo address of 169.254.169.254"),
        # NAT64, the well-known prefix (the last 32 bits) and the local-use one.
        ("64:ff9b::a9fe:a9fe", "a NAT64 address of 169.254.169.254, which is a link-local"),
        ("64:ff9b::7f00:1", "a NAT64 address of 127.0.0.1, which is this server itself"),
        ("64:ff9b:1::a00:1", "a local-use NAT64 address"),
        ("64:ff9b:1::5db8:d822", "a local-use NAT64 address"),
        # IPv4-mapped.
        ("::ffff:169.254.169.254", "an IPv4-mapped address of 169.254.169.254, which is a link"),
        ("::ffff:127.0.0.1", "an IPv4-mapped address of 127.0.0.1, which is this server itself"),
    ],
)
def test_ipv6_addresses_embedding_a_private_ipv4_address_are_refused(address, reason):
    refusal = fetching.address_refusal(address)
    assert refusal is not None and reason in refusal


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "2606:2800:220:1:248:1893:25c8:1946",
        "2002:5db8:d822::1",  # 6to4 of 93.184.216.34
        "64:ff9b::5db8:d822",  # NAT64 of 93.184.216.34 (an IPv6-only server's DNS64 answer)
        "::ffff:93.184.216.34",
    ],
)
def test_public_addresses_and_those_embedding_one_are_allowed(address):
    assert fetching.address_refusal(address) is None


def test_a_name_resolving_to_a_6to4_address_of_metadata_is_refused(fake_dns):
    fake_dns[PRIVATE_NAME] = ["2002:a9fe:a9fe::1"]
    message = _refusal(f"http://{PRIVATE_NAME}/latest/meta-data/")
    assert "is refused: 2002:a9fe:a9fe::1 is a 6to4 address of 169.254.169.254" in message
