"""The catalogs' rules as data, checked against what their specifications say (each with its source)."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from inventory.catalogs import tokens
from inventory.catalogs.rules import CATALOGS, META_GRAPH_REF, PHOTO_COPY
from inventory.demo import seed_demo_inventory
from inventory.models import Vehicle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    cache.clear()
    with time_machine.travel("2026-12-07 15:00 +00:00", tick=False):
        yield


@pytest.fixture
def demo(sunrise):
    sunrise.street_address, sunrise.city, sunrise.region = "1 Main St", "Springfield", "CA"
    sunrise.postal_code, sunrise.country, sunrise.store_code = "94045", "US", "SUN-1"
    sunrise.save()
    assert seed_demo_inventory(organization=sunrise).status == "done"
    return sunrise


def _table(client, organization, name: str) -> list[dict]:
    token = tokens.feed_for(organization=organization).token
    response = client.get(reverse("catalog_file", args=[token, name]))
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body), delimiter="\t" if name.endswith("tsv") else ","))


def test_every_column_and_rule_names_its_source():
    for catalog in CATALOGS.values():
        assert catalog.required, catalog.key
        for column in catalog.columns:
            assert column.source, (catalog.key, column.header)
        for rule in catalog.rules:
            assert rule.text and rule.source
        assert len(set(catalog.headers)) == len(catalog.headers)


def test_what_the_specifications_require():
    meta, google, tiktok = CATALOGS["meta"], CATALOGS["google"], CATALOGS["tiktok"]
    # Meta: the VIN and the vehicle's address are required; availability's values are
    # AVAILABLE, NOT_AVAILABLE and PENDING (no "sold" value).
    meta_required = {c.header for c in meta.required}
    assert {"vin", "address.addr1", "address.city", "address.country"} <= meta_required
    assert "fb_page_id" not in meta_required  # only for Marketplace and on-Facebook ads
    assert meta.sold_state == "NOT_AVAILABLE"
    assert next(c for c in meta.columns if c.header == "availability").source == META_GRAPH_REF
    # Google: the product category (916) for vehicle ads; listings' own required names.
    google_required = {c.header for c in google.required}
    assert {"google_product_category", "vin", "store_code", "dealership_name"} <= google_required
    assert {"dealership_address", "price", "condition", "make", "model", "year"} <= google_required
    # TikTok: keyed by vehicle_id; mileage, a photo of 500 px and more, and body style.
    tiktok_required = {c.header for c in tiktok.required}
    assert {"vehicle_id", "mileage.value", "mileage.unit", "image_link", "body_style"} <= (
        tiktok_required
    )
    assert "vin" not in tiktok_required and tiktok.min_photo_px == 500
    assert PHOTO_COPY.longest_side >= 800 and PHOTO_COPY.spec == "catalog-2048"


def test_sold_lately_is_not_available_for_meta_and_gone_elsewhere(client, demo):
    feed = tokens.feed_for(organization=demo)
    feed.sold_recently_days = 7
    feed.save()
    civic = Vehicle.objects.get(vin="1HGCV1F34MA012344")
    corolla = Vehicle.objects.get(vin="2T1BURHE0JC043823")
    Vehicle.objects.filter(pk=civic.pk).update(availability="sold", sold_at=timezone.now())
    Vehicle.objects.filter(pk=corolla.pk).update(availability="pending")
    meta = {row["vin"]: row["availability"] for row in _table(client, demo, "meta.csv")}
    assert meta["1HGCV1F34MA012344"] == "NOT_AVAILABLE"
    assert meta["2T1BURHE0JC043823"] == "PENDING"
    assert meta["1FTEW1EP5MFA12347"] == "AVAILABLE"
    google = {row["vin"] for row in _table(client, demo, "google.tsv")}
    assert "1HGCV1F34MA012344" not in google and "2T1BURHE0JC043823" in google
    # Sold eight days ago: out of Meta's feed too.
    Vehicle.objects.filter(pk=civic.pk).update(sold_at=timezone.now() - datetime.timedelta(days=8))
    assert "1HGCV1F34MA012344" not in {r["vin"] for r in _table(client, demo, "meta.csv")}


def test_google_rows_carry_the_cars_category(client, demo):
    rows = _table(client, demo, "google.tsv")
    assert rows and {row["google_product_category"] for row in rows} == {"916"}


def test_without_an_address_meta_leaves_out_every_vehicle_and_says_why(client, demo, sunrise_user):
    demo.street_address = ""
    demo.save()
    assert _table(client, demo, "meta.csv") == []
    assert len(_table(client, demo, "tiktok.csv")) == 3  # TikTok reads no address
    client.force_login(sunrise_user)
    page = client.get(reverse("inventory:catalogs")).content.decode()
    assert "your street address" in page
