"""Fetching over real HTTP: keep-alive connections reused after a redirect, and a deadline
for the whole fetch that a server trickling bytes cannot stretch."""

import io
import time

import pytest
from PIL import Image

from inventory import fetching, importing, photos, sources
from inventory.models import ImportRun, Vehicle

from .conftest import as_csv, stock
from .http_servers import KeepAliveServer, TrickleServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_alive(settings):
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    server = KeepAliveServer()
    yield server
    server.close()


@pytest.fixture
def deadline_of_one_second(settings):
    """Each read gets its byte within the read timeout (2 s); only the deadline (1 s) ends it."""
    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FETCH_READ_TIMEOUT_SECONDS = 2
    settings.FETCH_TOTAL_TIMEOUT_SECONDS = 1


@pytest.fixture
def trickle(deadline_of_one_second):
    servers = []

    def start(**options) -> TrickleServer:
        servers.append(TrickleServer(every=0.2, total_bytes=40, **options))  # 8 s in all
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("redirect_body", [b"", b"Moved to /same-b"])
def test_a_redirect_to_the_same_keep_alive_host(keep_alive, sunrise, redirect_body):
    keep_alive.serve("/same-b", as_csv(stock(2)))
    url = keep_alive.serve("/same-a", redirect_body, status=302, Location="/same-b")
    source = sources.source_save(organization=sunrise, feed_url=url)
    run = importing.import_source(source=source)
    assert (run.status, run.error, run.added) == (ImportRun.Status.DONE, "", 2)
    assert keep_alive.requests == ["/same-a", "/same-b"]
    assert keep_alive.connections == 1  # the redirect's connection, read to its end, reused


def test_a_redirect_with_a_long_body_is_not_read_whole(keep_alive):
    keep_alive.serve("/same-b", b"vin\n")
    body = b"x" * (fetching.REDIRECT_BODY_BYTES * 4)
    url = keep_alive.serve("/same-a", body, status=301, Location="/same-b")
    with fetching.fetch(url, max_bytes=100) as fetched:
        assert b"".join(fetched.chunks()) == b"vin\n"
    assert keep_alive.requests == ["/same-a", "/same-b"]
    assert keep_alive.connections == 2  # that connection was closed, not drained


def test_a_refused_answer_does_not_spoil_the_next_fetch_on_its_connection(keep_alive):
    keep_alive.serve("/feed.csv", b"vin\n")
    keep_alive.serve("/gone.csv", b"", status=404)
    keep_alive.serve("/huge.csv", b"x" * 5000)
    manager = fetching.pool_manager()  # one pool, as a vehicle's photos share it
    for refused, reason in [("/gone.csv", "HTTP 404"), ("/huge.csv", "larger than the limit")]:
        with (
            pytest.raises(fetching.FetchRefused, match=reason),
            fetching.fetch(keep_alive.url(refused), max_bytes=1000, manager=manager),
        ):
            pass
        with fetching.fetch(keep_alive.url("/feed.csv"), max_bytes=1000, manager=manager) as ok:
            assert b"".join(ok.chunks()) == b"vin\n"


def test_photos_after_a_missing_one_on_the_same_host(keep_alive, sunrise, settings, monkeypatch):
    # One connection, used photo after photo.
    monkeypatch.setattr(photos, "PHOTO_DOWNLOADS_AT_ONCE", 1)
    keep_alive.serve("/gone.jpg", b"", status=404)
    keep_alive.serve("/moved.jpg", b"", status=302, Location="/front.jpg")
    keep_alive.serve("/front.jpg", _jpeg(), content_type="image/jpeg")
    rows = stock(1)
    rows[0]["image[0].url"] = keep_alive.url("/gone.jpg")
    rows[0]["image[1].url"] = keep_alive.url("/moved.jpg")
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    vehicle = Vehicle.objects.for_org(sunrise).get()
    assert photos.fetch_photos(vehicle=vehicle) == {"fetched": 1, "shared": 0, "failed": 1}
    gone, moved = vehicle.photos.order_by("position")
    assert "HTTP 404" in gone.error
    assert moved.error == "" and moved.file is not None


def test_a_feed_trickling_one_byte_at_a_time_ends_at_the_deadline(trickle, sunrise):
    server = trickle()
    source = sources.source_save(organization=sunrise, feed_url=server.url("/feed.csv"))
    started = time.monotonic()
    run = importing.import_source(source=source)
    elapsed = time.monotonic() - started
    assert run.status == ImportRun.Status.FAILED
    assert run.error == "The feed could not be fetched: The server took longer than 1 s to send it."
    assert elapsed < 1.8  # not the 8 s the server would take
    assert server.sent < 10


def test_headers_trickling_one_byte_at_a_time_end_at_the_deadline(trickle):
    server = trickle(trickle_headers=True)
    started = time.monotonic()
    with (
        pytest.raises(fetching.FetchRefused, match="took longer than 1 s"),
        fetching.fetch(server.url("/feed.csv"), max_bytes=1000),
    ):
        pass
    assert time.monotonic() - started < 1.8


def test_a_trickling_photo_ends_at_the_deadline_and_says_so(trickle, sunrise):
    server = trickle(content_type="image/jpeg")
    rows = stock(1)
    rows[0]["image[0].url"], rows[0]["image[1].url"] = server.url("/front.jpg"), ""
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    vehicle = Vehicle.objects.for_org(sunrise).get()
    started = time.monotonic()
    assert photos.fetch_photos(vehicle=vehicle)["failed"] == 1
    assert time.monotonic() - started < 1.8
    assert vehicle.photos.get().error == "The server took longer than 1 s to send it."


def test_a_quick_feed_is_not_troubled_by_the_deadline(deadline_of_one_second, keep_alive):
    url = keep_alive.serve("/feed.csv", as_csv(stock(50)))
    with fetching.fetch(url, max_bytes=10**6) as fetched:
        assert b"".join(fetched.chunks()) == as_csv(stock(50))
