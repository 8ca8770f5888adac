"""Feeds served over real HTTP: 10 vehicles, then a new one, a price drop, one sold, one removed."""

from decimal import Decimal

import pytest
from django_celery_beat.models import PeriodicTask

from inventory import importing, signals, sources
from inventory.models import ImportRun, Vehicle
from inventory.tasks import import_inventory_source

from .conftest import as_csv, as_xml, make_vin, stock

pytestmark = pytest.mark.django_db


def _changed_stock() -> list[dict]:
    rows = stock(10)
    rows[1]["price"] = "19500 USD"  # vehicle 2: 22000 → 19500, a drop
    rows[2]["availability"] = "sold"  # vehicle 3: marked sold
    del rows[3]  # vehicle 4: gone from the feed
    new = stock(11)[-1]
    rows.append(new)  # vehicle 11: just arrived
    return rows


@pytest.mark.parametrize(
    ("render", "content_type"),
    [(as_csv, "text/csv"), (as_xml, "application/xml; charset=utf-8")],
    ids=["csv", "xml"],
)
def test_feed_then_changes(
    render, content_type, feed_server, sunrise, django_capture_on_commit_callbacks
):
    url = feed_server.serve("/feed", render(stock(10)), content_type)
    source = sources.source_save(organization=sunrise, feed_url=url)
    received = []
    signals.inventory_changed.connect(
        lambda **kw: received.append(kw), weak=False, dispatch_uid="t"
    )
    try:
        first = importing.import_source(source=source)
        assert first.status == ImportRun.Status.DONE, first.error
        assert (first.added, first.changed, first.sold, first.refused) == (10, 0, 0, 0)
        vehicles = Vehicle.objects.for_org(sunrise)
        assert vehicles.count() == 10
        one = vehicles.get(vin=make_vin(1))
        assert (one.make, one.model, one.year, one.trim) == ("Honda", "Accord", 2019, "EX-L")
        assert (one.mileage_value, one.mileage_unit, one.price) == (1000, "MI", Decimal("21000"))
        assert one.state_of_vehicle == "used" and one.stock_number == "S0001"
        assert one.image_urls == [
            "https://cdn.sunrisemotors.example/1/1.jpg",
            "https://cdn.sunrisemotors.example/1/2.jpg",
        ]
        assert one.url == "https://www.sunrisemotors.example/cars/1"

        # The same feed again changes nothing.
        before = {v.vin: v.updated_at for v in vehicles}
        again = importing.import_source(source=source)
        assert (again.added, again.changed, again.price_dropped, again.sold) == (0, 0, 0, 0)
        assert {v.vin: v.updated_at for v in vehicles} == before

        feed_server.serve("/feed", render(_changed_stock()), content_type)
        with django_capture_on_commit_callbacks(execute=True):
            changed = importing.import_source(source=source)
    finally:
        signals.inventory_changed.disconnect(dispatch_uid="t")
    assert changed.status == ImportRun.Status.DONE, changed.error
    assert (changed.added, changed.changed, changed.price_dropped, changed.sold) == (1, 1, 1, 2)
    dropped = vehicles.get(vin=make_vin(2))
    assert (dropped.price, dropped.previous_price) == (Decimal("19500"), Decimal("22000"))
    assert dropped.price_dropped_at is not None
    for gone in (make_vin(3), make_vin(4)):
        vehicle = vehicles.get(vin=gone)
        assert vehicle.availability == Vehicle.Availability.SOLD and vehicle.sold_at
    assert vehicles.get(vin=make_vin(11)).availability == Vehicle.Availability.AVAILABLE
    assert vehicles.exclude(availability="sold").count() == 9
    last = received[-1]
    assert last["price_dropped"] == [dropped.pk]
    assert sorted(last["sold"]) == sorted(
        vehicles.filter(availability="sold").values_list("pk", flat=True)
    )
    assert len(last["arrived"]) == 1


def test_tsv_and_a_vehicle_back_in_stock(sunrise):
    rows = stock(3)
    rows[0]["availability"] = "sold"
    run = importing.import_feed(
        organization=sunrise, chunks=[as_csv(rows, "\t")], content_type="text/plain"
    )
    assert run.status == ImportRun.Status.DONE, run.error
    assert Vehicle.objects.for_org(sunrise).get(vin=make_vin(1)).sold_at is not None
    rows[0]["availability"] = "available"
    importing.import_feed(organization=sunrise, chunks=[as_csv(rows, "\t")])
    back = Vehicle.objects.for_org(sunrise).get(vin=make_vin(1))
    assert (back.availability, back.sold_at) == ("available", None)


def test_bad_rows_refused_with_line_and_reason_and_check_digit_warned(sunrise):
    rows = stock(4)
    rows[0]["vin"] = "NOT-A-VIN"
    rows[1]["price"] = "call us"
    wrong = make_vin(3)
    rows[2]["vin"] = wrong[:8] + ("0" if wrong[8] != "0" else "1") + wrong[9:]
    rows.append(dict(rows[3]))  # the same VIN twice
    run = importing.import_feed(organization=sunrise, chunks=[as_csv(rows)])
    assert run.status == ImportRun.Status.DONE
    assert (run.added, run.refused) == (2, 3)
    lines = {r["line"]: r["reason"] for r in run.refused_rows}
    assert "NOTAVIN" in lines[2] and "17" in lines[2]
    assert "call us" in lines[3]
    assert "appears earlier" in lines[6]
    assert run.warnings[0]["line"] == 4 and "check digit" in run.warnings[0]["reason"]


def test_feed_in_many_small_chunks_and_batches(sunrise, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 3)
    body = as_csv(stock(10))
    chunks = [body[i : i + 7] for i in range(0, len(body), 7)]
    run = importing.import_feed(organization=sunrise, chunks=chunks)
    assert run.added == 10
    body = as_xml(stock(10))
    run = importing.import_feed(
        organization=sunrise, chunks=[body[i : i + 5] for i in range(0, len(body), 5)]
    )
    assert (run.status, run.added, run.changed) == ("done", 0, 0)


def test_tenants_never_share_vehicles(sunrise, lakeside):
    importing.import_feed(organization=sunrise, chunks=[as_csv(stock(3))])
    importing.import_feed(organization=lakeside, chunks=[as_csv(stock(2))])
    assert Vehicle.objects.for_org(sunrise).count() == 3
    assert Vehicle.objects.for_org(lakeside).count() == 2  # the same VINs, apart
    assert Vehicle.objects.for_org(sunrise).filter(availability="sold").count() == 0


def test_schedule_in_beat_per_source(feed_server, sunrise, lakeside):
    url = feed_server.serve("/feed", as_csv(stock(2)))
    source = sources.source_save(organization=sunrise, feed_url=url)
    task = PeriodicTask.objects.get(pk=source.periodic_task_id)
    assert (task.task, task.interval.every, task.interval.period) == (
        "inventory.tasks.import_inventory_source",
        60,
        "minutes",
    )
    assert task.enabled
    sources.source_save(organization=sunrise, feed_url=url, every_minutes=240)
    task.refresh_from_db()
    assert task.interval.every == 240
    assert PeriodicTask.objects.filter(task="inventory.tasks.import_inventory_source").count() == 1
    result = import_inventory_source(source.pk)
    assert result["status"] == "done"
    assert Vehicle.objects.for_org(sunrise).count() == 2
    assert Vehicle.objects.for_org(lakeside).count() == 0
