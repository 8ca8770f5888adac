"""The inventory page and the feed settings page, per dealership and role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dealer_media.tenancy.models import Membership
from inventory import importing
from inventory.models import ImportRun, InventorySource, Vehicle
from tests.factories import MembershipFactory, UserFactory

from .conftest import as_csv, as_xml, make_vin, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(sunrise):
    rows = stock(6)
    rows[0]["availability"] = "sold"
    rows[1]["availability"] = "pending"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    rows[2]["price"] = "20000 USD"  # 23000 → 20000
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    return sunrise


def _vehicle_rows(response) -> list[str]:
    return [v.vin for v in response.context["page"].object_list]


def test_list_shows_prices_status_and_days(stocked, sunrise_client):
    Vehicle.objects.filter(vin=make_vin(4)).update(
        first_seen_at=timezone.now() - timezone.timedelta(days=12)
    )
    response = sunrise_client.get("/marketing/inventory")
    assert response.status_code == 200
    html = response.content.decode()
    assert len(_vehicle_rows(response)) == 6
    assert "USD 20,000" in html and "23,000" in html  # the drop and the price before it
    assert 'class="badge badge-sold">Sold' in html
    assert 'class="badge badge-pending">Pending' in html
    four = next(v for v in response.context["page"].object_list if v.vin == make_vin(4))
    assert four.days_in_stock == 12
    assert 'href="https://www.sunrisemotors.example/cars/4"' in html
    assert 'href="/marketing/inventory" aria-current="page">Inventory' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=new", [3, 6]),
        ("state=cpo", [2, 5]),
        ("availability=sold", [1]),
        ("availability=available", [3, 4, 5, 6]),
        ("make=honda", [1, 3, 5]),
        ("q=camry", [2, 4, 6]),
        ("q=S0005", [5]),
        ("make=Toyota&state=used", [4]),
    ],
)
def test_search_and_filters(stocked, sunrise_client, query, expected):
    response = sunrise_client.get(f"/marketing/inventory?{query}")
    assert sorted(_vehicle_rows(response)) == sorted(make_vin(i) for i in expected)


def test_other_dealerships_and_outsiders_see_nothing(stocked, lakeside_client, client, outsider):
    assert _vehicle_rows(lakeside_client.get("/marketing/inventory")) == []
    assert lakeside_client.get("/marketing/inventory/settings").context["runs"] == []
    client.force_login(outsider)
    assert client.get("/marketing/inventory").status_code != 200
    client.logout()
    assert client.get("/marketing/inventory").status_code == 302  # to sign in


def test_save_feed_settings(sunrise, sunrise_client):
    response = sunrise_client.post(
        "/marketing/inventory/settings",
        {
            "feed_url": "https://www.sunrisemotors.example/feed.csv",
            "every_minutes": "180",
            "is_complete": "on",
        },
    )
    assert response.status_code == 302
    source = InventorySource.objects.for_org(sunrise).get()
    assert (source.feed_url, source.every_minutes, source.is_complete) == (
        "https://www.sunrisemotors.example/feed.csv",
        180,
        True,
    )
    assert source.periodic_task.interval.every == 180
    page = sunrise_client.get("/marketing/inventory/settings").content.decode()
    assert 'value="180" selected' in page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/feed.csv", "Only http:// and https://"),
        ("not a url", "Enter a valid URL"),
    ],
)
def test_bad_feed_url_refused_in_words(sunrise, sunrise_client, url, message):
    response = sunrise_client.post(
        "/marketing/inventory/settings", {"feed_url": url, "every_minutes": "60"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InventorySource.objects.exists()


def test_editors_see_but_do_not_change(sunrise, client):
    editor = MembershipFactory(
        organization=sunrise, user=UserFactory(username="ed"), role=Membership.Role.EDITOR
    ).user
    client.force_login(editor)
    assert client.get("/marketing/inventory").status_code == 200
    page = client.get("/marketing/inventory/settings")
    assert page.status_code == 200 and "Only owners change the feed" in page.content.decode()
    for path, data in [
        (
            "/marketing/inventory/settings",
            {"feed_url": "https://a.example/f.csv", "every_minutes": "60"},
        ),
        ("/marketing/inventory/upload", {"feed": SimpleUploadedFile("f.csv", as_csv(stock(1)))}),
        ("/marketing/inventory/fetch", {}),
    ]:
        response = client.post(path, data)
        assert response.status_code == 403
        assert "Only owners can change the dealership" in response.content.decode()
    assert not Vehicle.objects.exists() and not InventorySource.objects.exists()


def test_upload_a_feed_file(sunrise, sunrise_client):
    # The name and the client's type say JPEG; the content (XML) decides.
    upload = SimpleUploadedFile("stock.jpg", as_xml(stock(3)), content_type="image/jpeg")
    response = sunrise_client.post(
        "/marketing/inventory/upload", {"feed": upload, "is_complete": "on"}, follow=True
    )
    assert "Imported 3 rows: 3 added" in response.content.decode()
    run = ImportRun.objects.for_org(sunrise).get()
    assert (run.origin, run.status, run.added) == ("upload", "done", 3)
    assert Vehicle.objects.for_org(sunrise).count() == 3


def test_upload_of_a_broken_file_changes_nothing(sunrise, sunrise_client):
    importing.import_feed(organization=sunrise, chunks=[as_csv(stock(3))])
    upload = SimpleUploadedFile("stock.csv", b"vin,year,make,model,price\n")
    response = sunrise_client.post("/marketing/inventory/upload", {"feed": upload})
    assert response.status_code == 400  # the page again, with the error
    assert "Nothing was changed: The feed lists no vehicles." in response.content.decode()
    assert Vehicle.objects.for_org(sunrise).filter(availability="sold").count() == 0


def test_upload_without_the_columns_we_need_is_kept_for_the_mapper(sunrise, sunrise_client):
    importing.import_feed(organization=sunrise, chunks=[as_csv(stock(3))])
    upload = SimpleUploadedFile("stock.csv", b"vin,make\n1,2\n")
    response = sunrise_client.post("/marketing/inventory/upload", {"feed": upload}, follow=True)
    page = response.content.decode()
    assert "We kept “stock.csv”: none of its columns is read as Model, Year, Price." in page
    assert "Save and import “stock.csv”" in page
    assert Vehicle.objects.for_org(sunrise).filter(availability="sold").count() == 0


def test_upload_over_the_limit_is_413(sunrise, sunrise_client, settings):
    settings.INVENTORY_FEED_MAX_BYTES = 100
    upload = SimpleUploadedFile("stock.csv", as_csv(stock(3)))
    response = sunrise_client.post("/marketing/inventory/upload", {"feed": upload})
    assert response.status_code == 413
    assert "a feed file can be at most 100 bytes" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_fetch_now_runs_the_import(
    feed_server, sunrise, sunrise_client, django_capture_on_commit_callbacks
):
    url = feed_server.serve("/feed.csv", as_csv(stock(2)))
    sunrise_client.post("/marketing/inventory/settings", {"feed_url": url, "every_minutes": "60"})
    with django_capture_on_commit_callbacks(execute=True):
        response = sunrise_client.post("/marketing/inventory/fetch")
    assert response.status_code == 302
    assert Vehicle.objects.for_org(sunrise).count() == 2
    page = sunrise_client.get("/marketing/inventory/settings").content.decode()
    assert "Feed URL" in page and 'id="runs"' in page
