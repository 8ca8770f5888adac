"""A broken feed changes nothing and says why."""

import pytest

from inventory import importing, sources
from inventory.models import ImportRun, Vehicle

from .conftest import as_csv, as_xml, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(feed_server, sunrise):
    url = feed_server.serve("/feed", as_csv(stock(10)))
    source = sources.source_save(organization=sunrise, feed_url=url)
    assert importing.import_source(source=source).added == 10
    return source


def _snapshot(organization) -> list:
    return list(Vehicle.objects.for_org(organization).order_by("vin").values())


def _latin1_at_the_end() -> bytes:
    body = as_csv(stock(9))
    return body + "V10,1HGCM826X3A0000,Citroën\n".encode("latin-1")


@pytest.mark.parametrize(
    ("status", "content_type", "body", "reason"),
    [
        (500, "text/csv", b"oops", "HTTP 500"),
        (404, "text/csv", b"", "HTTP 404"),
        (200, "text/html", b"<html>Sign in</html>", "content type is “text/html”"),
        (200, "text/csv", _latin1_at_the_end(), "not UTF-8 text"),
        (200, "text/csv", b"", "empty"),
        (200, "text/csv", b"vin,make,model,year,price\n", "lists no vehicles"),
        (200, "text/csv", b"vin,make,year\n1,2,3\n", "no column for Model (model), Price (price)"),
        (
            200,
            "application/xml",
            b"<listings><listing><vin>x</vin></listing></listings>",
            "listings have no make",
        ),
        (200, "application/xml", as_xml(stock(3))[:-20], "not well-formed"),
        (200, "application/xml", b'<!DOCTYPE x [<!ENTITY a "b">]><listings/>', "DTD"),
        (
            200,
            "text/csv",
            b"vin,make,model,year,price\nbad,a,b,2020,1\n",
            "None of the feed's 1 rows",
        ),
    ],
)
def test_broken_feed_changes_nothing(stocked, feed_server, status, content_type, body, reason):
    before = _snapshot(stocked.organization)
    feed_server.serve("/feed", body, content_type, status=status)
    run = importing.import_source(source=stocked)
    assert run.status == ImportRun.Status.FAILED
    assert reason in run.error
    assert (run.added, run.changed, run.sold) == (0, 0, 0)
    assert _snapshot(stocked.organization) == before


def test_over_the_size_limit(stocked, feed_server, settings):
    before = _snapshot(stocked.organization)
    settings.INVENTORY_FEED_MAX_BYTES = 1000
    run = importing.import_source(source=stocked)
    assert run.status == ImportRun.Status.FAILED
    assert "larger than the limit of 1,000 bytes" in run.error
    assert _snapshot(stocked.organization) == before


def test_over_the_size_limit_without_a_length(stocked, sunrise, settings):
    """A stream that lies about (or hides) its length is cut off at the limit, mid-feed."""
    from inventory.fetching import FetchRefused

    def chunks():
        yield as_csv(stock(9))
        raise FetchRefused("It is larger than the limit of 1,000 bytes.")

    before = _snapshot(sunrise)
    run = importing.import_feed(organization=sunrise, chunks=chunks())
    assert run.status == "failed" and "larger than the limit" in run.error
    assert _snapshot(sunrise) == before


def test_an_internal_error_changes_nothing_and_the_run_says_so(stocked, feed_server, monkeypatch):
    before = _snapshot(stocked.organization)
    feed_server.serve("/feed", as_csv(stock(12)))

    def broken(fields, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(importing, "vehicle_values", broken)
    with pytest.raises(RuntimeError):
        importing.import_source(source=stocked)
    run = ImportRun.objects.for_org(stocked.organization).order_by("-pk").first()
    assert run.status == "failed" and "internal error" in run.error
    assert _snapshot(stocked.organization) == before
