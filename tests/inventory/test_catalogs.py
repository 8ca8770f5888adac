"""The catalog feeds: golden files of the demo inventory, security, caching, gzip and streaming."""

import csv
import gzip
import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.urls import reverse

from inventory.catalogs import tokens
from inventory.catalogs.rules import CATALOGS
from inventory.demo import seed_demo_inventory
from inventory.parsing import rows

pytestmark = pytest.mark.django_db
GOLDEN = Path(__file__).parent / "golden"
FILES = ["meta.csv", "meta.xml", "google.tsv", "tiktok.csv"]


@pytest.fixture(autouse=True)
def _clock():
    cache.clear()
    with time_machine.travel("2026-12-07 15:00 +00:00", tick=False):
        yield


@pytest.fixture
def demo(sunrise):
    sunrise.site_host_names = ["sunrise.localhost"]
    sunrise.street_address, sunrise.city, sunrise.region = "1 Main St, Suite 2", "Springfield", "CA"
    sunrise.postal_code, sunrise.country, sunrise.store_code = "94045", "US", "SUN-1"
    sunrise.save()
    run = seed_demo_inventory(organization=sunrise)
    assert run.status == "done", run.error
    return sunrise


def _get(client, organization, name, **headers):
    token = tokens.feed_for(organization=organization).token
    return client.get(reverse("catalog_file", args=[token, name]), **headers)


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("name", FILES)
def test_golden_files_of_the_demo_inventory(client, demo, name):
    response = _get(client, demo, name)
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    body = _body(response).replace(tokens.feed_for(organization=demo).token, "TOKEN")
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(body)
    assert body == golden.read_text()


@pytest.mark.parametrize(
    ("name", "delimiter"), [("meta.csv", ","), ("google.tsv", "\t"), ("tiktok.csv", ",")]
)
def test_headers_are_the_specifications_and_cells_are_escaped(client, demo, name, delimiter):
    catalog = CATALOGS[name.split(".")[0]]
    table = list(csv.reader(io.StringIO(_body(_get(client, demo, name))), delimiter=delimiter))
    assert table[0] == catalog.headers
    by_id = {
        row[catalog.headers.index("vin")]: dict(zip(table[0], row, strict=True))
        for row in table[1:]
    }
    assert set(by_id) == {"1HGCV1F34MA012344", "2T1BURHE0JC043823", "1FTEW1EP5MFA12347"}
    civic = by_id["1HGCV1F34MA012344"]
    link = civic["url" if "url" in civic else "link"]
    assert link.endswith(f"utm_source={catalog.utm_source}&utm_medium=catalog")
    f150 = by_id["1FTEW1EP5MFA12347"]
    assert f150["trim"] == "'=HYPERLINK(1)"  # a formula is neutralised
    if delimiter == ",":
        assert civic["description"] == 'One owner, “EX” package, "like new".\nNew tyres.'
        assert f150["description"] == "'-Crew cab"
    else:
        assert civic["description"] == 'One owner, “EX” package, "like new". New tyres.'
    if name == "google.tsv":
        assert civic["store_code"] == "SUN-1" and civic["mileage"] == "18400 miles"
        assert civic["dealership_address"] == "1 Main St, Suite 2, Springfield, CA 94045, US"


def test_meta_xml_parses_and_has_what_meta_requires(client, demo):
    body = _body(_get(client, demo, "meta.xml"))
    root = ET.fromstring(body.encode())  # noqa: S314 - our own output
    assert root.tag == "listings"
    listings = root.findall("listing")
    assert len(listings) == 3
    for listing in listings:
        for required in ("vehicle_id", "title", "description", "url", "make", "model", "year"):
            assert listing.findtext(required), required
        for required in ("body_style", "state_of_vehicle", "price", "exterior_color"):
            assert listing.findtext(required), required
        assert listing.find("image/url") is not None and listing.findtext("mileage/unit")
        assert (
            listing.find("address[@format='simple']/component[@name='city']").text == "Springfield"
        )
    # Our own importer reads it back, as Meta would.
    assert len(list(rows([body.encode()], content_type="application/xml"))) == 3


def test_the_catalogs_page_says_who_is_left_out_and_why(client, demo, sunrise_user):
    client.force_login(sunrise_user)
    page = client.get(reverse("inventory:catalogs")).content.decode()
    assert "3 vehicles in" in page and '<span class="reason">No photo</span>: 1 vehicle' in page
    assert "/catalog/" in page and "/meta.csv" in page and "/google.tsv" in page


def test_a_contributor_cannot_see_the_catalogs(client, demo, sunrise_user):
    sunrise_user.memberships.update(role="contributor")
    client.force_login(sunrise_user)
    assert client.get(reverse("inventory:catalogs")).status_code == 403


def test_tokens_are_random_and_a_rotated_token_answers_404_at_once(client, demo, lakeside):
    old = tokens.feed_for(organization=demo).token
    assert len(old) >= 24 and old != tokens.feed_for(organization=lakeside).token
    assert _get(client, demo, "meta.csv").status_code == 200  # now cached
    tokens.token_rotate(organization=demo)
    assert client.get(reverse("catalog_file", args=[old, "meta.csv"])).status_code == 404
    assert _get(client, demo, "meta.csv").status_code == 200


def test_another_dealerships_token_never_shows_these_vehicles(client, demo, lakeside):
    body = _body(_get(client, lakeside, "meta.csv"))
    assert body.count("\n") == 1 and "Civic" not in body
    assert client.get(reverse("catalog_file", args=["x" * 24, "meta.csv"])).status_code == 404
    token = tokens.feed_for(organization=demo).token
    assert client.get(reverse("catalog_file", args=[token, "other.csv"])).status_code == 404


def test_etag_304_costs_no_query_and_gzip(client, demo, django_assert_num_queries):
    first = _get(client, demo, "google.tsv")
    _body(first)
    etag, modified = first["ETag"], first["Last-Modified"]
    url = reverse("catalog_file", args=[tokens.feed_for(organization=demo).token, "google.tsv"])
    with django_assert_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    with django_assert_num_queries(0):
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    zipped = _get(client, demo, "google.tsv", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip" and zipped["ETag"] != etag
    assert gzip.decompress(b"".join(zipped.streaming_content)).decode().startswith("vin\tid\t")
    seed_demo_inventory(organization=demo)  # an import: a new version
    assert _get(client, demo, "google.tsv", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_fetches_are_logged_per_catalog(client, demo):
    _get(client, demo, "meta.xml", HTTP_USER_AGENT="facebookexternalhit/1.1")
    fetch = demo.catalogfetch_set.get()
    assert (fetch.catalog, fetch.last_user_agent, fetch.fetches) == (
        "meta.xml",
        "facebookexternalhit/1.1",
        1,
    )
