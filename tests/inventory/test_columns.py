"""A dealer's real export survives the import: aliases, locales, the mapper, the reports, the sold guard."""

from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from dealer_media.tenancy.models import Membership
from inventory import captions, importing, sources
from inventory.models import ImportRun, InventoryRule, Vehicle
from inventory.rules import DEFAULT_TEMPLATES
from tests.factories import MembershipFactory, UserFactory

from .conftest import as_csv, make_vin, stock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-12-07 15:00 +00:00", tick=False):
        yield


DMS = (
    "Stock #,VIN,Year,Make,Model,Trim,Price,Miles,Photo,Dealer Rating\n"
    f'A1,{make_vin(1)},2021,Honda,Civic,EX,"$21,995","45,000",'
    '"https://cdn.example/1a.jpg|https://cdn.example/1b.jpg",5\n'
    f'A2,{make_vin(2)},2019,Toyota,Camry,,"$18,500",,"https://cdn.example/2a.jpg, https://cdn.example/2b.jpg",4\n'
    f'A3,{make_vin(3)},2020,Ford,Focus,SE,"$12,000","60,000",,3\n'
)


def _upload(organization, body: str | bytes, *, complete=False):
    return importing.import_feed(
        organization=organization,
        chunks=[body.encode() if isinstance(body, str) else body],
        origin=ImportRun.Origin.UPLOAD,
        source=sources.source_for_upload(organization=organization),
        complete=complete,
    )


def test_a_dms_export_maps_by_itself_and_reports_what_it_ignored(sunrise):
    run = _upload(sunrise, DMS)
    assert run.status == ImportRun.Status.DONE, run.error
    assert (run.added, run.refused) == (3, 0)
    one = Vehicle.objects.for_org(sunrise).get(vin=make_vin(1))
    assert (one.stock_number, one.price, one.currency) == ("A1", Decimal("21995"), "USD")
    assert (one.mileage_value, one.mileage_unit) == (45000, "MI")  # the "Miles" header says MI
    assert one.image_urls == ["https://cdn.example/1a.jpg", "https://cdn.example/1b.jpg"]
    two = Vehicle.objects.for_org(sunrise).get(vin=make_vin(2))
    assert two.image_urls == ["https://cdn.example/2a.jpg", "https://cdn.example/2b.jpg"]
    assert run.columns["ignored"] == ["Dealer Rating"]
    assert run.columns["mapped"]["Stock #"] == "stock_number"
    messages = [line["message"] for line in run.missing]
    assert "1 vehicle has no photo: it cannot be posted or listed." in messages
    assert any(m.startswith("1 vehicle has no mileage:") and "Meta" in m for m in messages)
    state = sources.source_for(organization=sunrise).column_mapping
    assert state["samples"]["Price"] == "$21,995" and state["confirmed"] is False


@pytest.mark.parametrize(
    ("country", "price", "mileage", "expected"),
    [
        ("DE", "21.995 €", "72.000 km", (Decimal("21995"), "EUR", 72000, "KM")),
        ("FR", "21 995,50 €", "72 000", (Decimal("21995.50"), "EUR", 72000, "KM")),
        ("US", "$21,995", "45,000 mi", (Decimal("21995"), "USD", 45000, "MI")),
        ("CA", "$24,500", "30000", (Decimal("24500"), "CAD", 30000, "KM")),
    ],
)
def test_prices_and_mileages_in_the_dealerships_locale(sunrise, country, price, mileage, expected):
    sunrise.country = country
    sunrise.save()
    body = f'VIN,Year,Make,Model,Internet Price,Odometer\n{make_vin(1)},2021,VW,Golf,"{price}","{mileage}"\n'
    run = _upload(sunrise, body)
    assert run.status == ImportRun.Status.DONE, run.error
    car = Vehicle.objects.for_org(sunrise).get()
    assert (car.price, car.currency, car.mileage_value, car.mileage_unit) == expected


def test_a_mapping_changed_by_the_dealer_is_kept_for_the_next_fetch(
    sunrise, sunrise_user, client, feed_server
):
    Membership.objects.filter(user=sunrise_user).update(role="owner")
    client.force_login(sunrise_user)
    body = f"VIN,Year,Make,Model,Cost,Kms\n{make_vin(1)},2021,VW,Golf,21995,72000\n"
    url = feed_server.serve("/feed.csv", body.encode())
    source = sources.source_save(organization=sunrise, feed_url=url)
    first = importing.import_source(source=source)
    assert first.status == ImportRun.Status.FAILED
    assert "no column for Price (price)" in first.error
    page = client.get(reverse("inventory:settings"))
    assert "Cost" in page.content.decode() and "21995" in page.content.decode()

    # A mapping without the price is refused in words, and nothing is lost.
    response = client.post(reverse("inventory:columns"), {"column_0": "vin"})
    assert response.status_code == 400
    assert "Choose the column that holds" in response.content.decode()

    choices = ["vin", "year", "make", "model", "price", "mileage.value"]
    response = client.post(
        reverse("inventory:columns"), {f"column_{i}": c for i, c in enumerate(choices)}
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.column_mapping["mapping"]["Cost"] == "price"
    for _ in range(2):  # kept for every next fetch
        run = importing.import_source(source=source)
        assert run.status == ImportRun.Status.DONE, run.error
        source.refresh_from_db()
        assert source.column_mapping["mapping"]["Cost"] == "price"
        assert source.column_mapping["confirmed"] is True
    car = Vehicle.objects.for_org(sunrise).get()
    assert (car.price, car.mileage_value, car.mileage_unit) == (Decimal("21995"), 72000, "KM")


def test_uploads_are_not_complete_by_default(sunrise, sunrise_user, client, tmp_path):
    Membership.objects.filter(user=sunrise_user).update(role="owner")
    client.force_login(sunrise_user)
    _upload(sunrise, as_csv(stock(5)))
    page = client.get(reverse("inventory:settings")).content.decode()
    assert 'name="is_complete" checked' not in page.split("upload-heading")[1].split("</form>")[0]
    partial = tmp_path / "partial.csv"
    partial.write_bytes(as_csv(stock(2)))
    with partial.open("rb") as feed:
        client.post(reverse("inventory:upload"), {"feed": feed})
    assert not Vehicle.objects.for_org(sunrise).filter(availability="sold").exists()


@pytest.fixture
def owner_email(sunrise):
    user = UserFactory(username="owner", email="owner@sunrise.example")
    MembershipFactory(organization=sunrise, user=user, role=Membership.Role.OWNER)
    return user


def test_a_feed_that_would_sell_most_of_the_stock_is_held_then_confirmed(
    sunrise, owner_email, feed_server, django_capture_on_commit_callbacks
):
    source = sources.source_save(
        organization=sunrise, feed_url=feed_server.serve("/f", as_csv(stock(6)))
    )
    importing.import_source(source=source)
    rows = stock(7)[:2] + stock(7)[6:]  # 2 of the 6, and a new one
    feed_server.serve("/f", as_csv(rows))
    with django_capture_on_commit_callbacks(execute=True):
        held = importing.import_source(source=source)
    assert held.status == ImportRun.Status.HELD
    assert (held.held_sold, held.stock_before, held.sold, held.added) == (4, 6, 0, 1)
    assert not Vehicle.objects.for_org(sunrise).filter(availability="sold").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@sunrise.example"]
    assert "confirm 4 vehicles sold?" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        done = importing.held_run_decide(run=held, confirm=True, by=owner_email)
    assert (done.status, done.sold, done.sold_decision) == ("done", 4, "confirmed")
    assert Vehicle.objects.for_org(sunrise).filter(availability="sold").count() == 4
    with pytest.raises(importing.HeldRunRefused, match="already decided"):
        importing.held_run_decide(run=held, confirm=False)


def test_a_held_upload_refused_on_the_page_sells_nothing(sunrise, sunrise_user, client):
    Membership.objects.filter(user=sunrise_user).update(role="owner")
    client.force_login(sunrise_user)
    _upload(sunrise, as_csv(stock(5)))
    held = _upload(sunrise, as_csv(stock(2)), complete=True)
    assert held.status == ImportRun.Status.HELD and held.held_sold == 3
    assert len(mail.outbox) == 0  # the dealer who uploaded is on the page
    page = client.get(reverse("inventory:settings")).content.decode()
    assert "Mark 3 vehicles sold" in page and "Keep them in stock" in page
    response = client.post(reverse("inventory:held_run_decide", args=[held.pk, "refuse"]))
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.sold_decision, held.sold) == ("done", "refused", 0)
    assert not Vehicle.objects.for_org(sunrise).filter(availability="sold").exists()


def test_a_held_run_cannot_be_confirmed_after_a_newer_import(sunrise):
    _upload(sunrise, as_csv(stock(6)))
    held = _upload(sunrise, as_csv(stock(2)), complete=True)
    with time_machine.travel("2026-12-07 16:00 +00:00", tick=False):
        _upload(sunrise, as_csv(stock(6)))
    with pytest.raises(importing.HeldRunRefused, match="newer import"):
        importing.held_run_decide(run=held, confirm=True)
    assert not Vehicle.objects.for_org(sunrise).filter(availability="sold").exists()


def test_a_small_sale_is_not_held(sunrise):
    _upload(sunrise, as_csv(stock(6)))
    run = _upload(sunrise, as_csv(stock(5)), complete=True)
    assert (run.status, run.sold) == ("done", 1)


@pytest.mark.parametrize("kind", list(InventoryRule.Kind))
def test_no_caption_prints_an_empty_field(sunrise, kind):
    _upload(sunrise, DMS)
    for vehicle in Vehicle.objects.for_org(sunrise):
        for template in (
            DEFAULT_TEMPLATES[kind],
            "Just arrived: {year} {make} {model} {trim}, {mileage}, {price}. See it: {url}",
            "{year} {make} {model}\nMileage: {mileage}\nStock {stock_number} · {trim}\n{url}",
        ):
            text = captions.render(template, vehicle, network="facebook")
            assert ", ," not in text and ",," not in text and " ," not in text
            assert "()" not in text and "(was )" not in text, text
            assert not text.rstrip().endswith(":"), text
            assert "Mileage:" not in text or vehicle.mileage_value is not None


def test_a_bracket_around_an_empty_field_goes_with_it(sunrise):
    _upload(sunrise, DMS)
    vehicle = Vehicle.objects.for_org(sunrise).filter(previous_price__isnull=True).first()
    text = captions.render(DEFAULT_TEMPLATES["price_drop"], vehicle, network="facebook")
    assert "(was" not in text and "()" not in text, text
    assert text.startswith(f"Price drop! {vehicle.year} {vehicle.make}"), text


def test_the_preview_leaves_out_empty_fields(sunrise, sunrise_client):
    _upload(sunrise, DMS)
    template = "Just arrived: {year} {make} {model} {trim}, {mileage}, {price}. See it: {url}"
    response = sunrise_client.get(
        reverse("inventory:caption_preview"), {"kind": "just_arrived", "template": template}
    )
    text = response.json()["text"]
    assert ", ," not in text and "See it:" not in text and text.endswith(".")


def test_the_sample_csv_lists_every_column_we_read(sunrise_client):
    response = sunrise_client.get(reverse("inventory:sample_csv"))
    header = response.content.decode().splitlines()[0].split(",")
    assert header[:4] == ["vin", "stock_number", "vehicle_id", "year"] and "images" in header
    run = _upload(
        sunrise_client.get(reverse("inventory:list")).wsgi_request.organization,
        response.content,
    )
    assert run.status == ImportRun.Status.DONE and run.added == 1 and not run.columns["ignored"]
