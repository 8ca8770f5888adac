"""Importing a feed: upsert by VIN, sold when gone, one ImportRun row per reading.

Everything a run changes happens in one transaction: a feed found broken halfway
(bad encoding at line 9,000, over the size limit, no usable row) is rolled back
whole and the run says why. Rows are handled in batches (one query for the
batch's VINs, one bulk insert, one bulk update), so memory does not grow with
the feed; ``Vehicle.seen_in_run`` marks who was listed, so a complete feed's
missing vehicles are found by a query rather than a set in memory.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from . import notifications, signals, sources
from .catalogs import reasons as catalog_rules
from .columns import ColumnReport
from .fetching import FetchRefused, fetch
from .models import ImportRun, InventorySource, Vehicle
from .parsing import FeedBroken, rows
from .values import RowRefused, vehicle_values

# Refused rows (and warnings) kept per import.
REFUSED_ROWS_KEPT = 500

logger = logging.getLogger(__name__)
BATCH = 500
COMPARED = [
    "vehicle_id",
    "stock_number",
    "make",
    "model",
    "year",
    "trim",
    "mileage_value",
    "mileage_unit",
    "price",
    "sale_price",
    "currency",
    "state_of_vehicle",
    "exterior_color",
    "body_style",
    "url",
    "image_urls",
    "description",
    "availability",
]
UPDATED = [*COMPARED, "previous_price", "price_dropped_at", "sold_at", "updated_at", "seen_in_run"]


@dataclass
class _Tally:
    rows_read: int = 0
    added: list[int] = field(default_factory=list)
    changed: int = 0
    dropped: list[int] = field(default_factory=list)
    sold: list[int] = field(default_factory=list)
    photos: list[int] = field(default_factory=list)  # new photo URLs to fetch
    refused: int = 0
    refused_rows: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)  # field → vehicles without it
    held_sold: int = 0  # vehicles the sold guard kept from being marked sold
    stock_before: int = 0

    def refuse(self, line: int, vin: str, reason: str) -> None:
        self.refused += 1
        if len(self.refused_rows) < REFUSED_ROWS_KEPT:
            self.refused_rows.append({"line": line, "vin": vin, "reason": reason})

    def warn(self, line: int, vin: str, reason: str) -> None:
        if len(self.warnings) < REFUSED_ROWS_KEPT:
            self.warnings.append({"line": line, "vin": vin, "reason": reason})


def _apply_batch(*, organization: Organization, run: ImportRun, batch: list, tally: _Tally) -> None:
    now = run.started_at
    existing = {
        v.vin: v
        for v in Vehicle.objects.for_org(organization).filter(vin__in=[b[1]["vin"] for b in batch])
    }
    new: dict[str, Vehicle] = {}
    changed: list[Vehicle] = []
    unchanged: list[int] = []
    for line, values in batch:
        vin = values["vin"]
        vehicle = existing.get(vin)
        if vin in new or (vehicle is not None and vehicle.seen_in_run == run.pk):
            tally.refuse(
                line, vin, f"VIN “{vin}” appears earlier in the feed; this row is left out."
            )
            continue
        if vehicle is None:
            sold = values["availability"] == Vehicle.Availability.SOLD
            new[vin] = Vehicle(
                organization=organization,
                first_seen_at=now,
                updated_at=now,
                sold_at=now if sold else None,
                seen_in_run=run.pk,
                **values,
            )
            continue
        vehicle.seen_in_run = run.pk
        if all(getattr(vehicle, name) == values[name] for name in COMPARED):
            unchanged.append(vehicle.pk)
            continue
        old_price, was = vehicle.asking_price, vehicle.availability
        if vehicle.image_urls != values["image_urls"] and values["availability"] != "sold":
            tally.photos.append(vehicle.pk)
        for name in COMPARED:
            setattr(vehicle, name, values[name])
        vehicle.updated_at = now
        if vehicle.asking_price < old_price:
            vehicle.previous_price, vehicle.price_dropped_at = old_price, now
            tally.dropped.append(vehicle.pk)
        elif vehicle.asking_price > old_price:
            vehicle.previous_price = vehicle.price_dropped_at = None
        if vehicle.availability == Vehicle.Availability.SOLD and was != vehicle.availability:
            vehicle.sold_at = now
            tally.sold.append(vehicle.pk)
        else:
            if vehicle.availability != Vehicle.Availability.SOLD:
                vehicle.sold_at = None
            tally.changed += 1
        changed.append(vehicle)
    created = Vehicle.objects.bulk_create(new.values())
    tally.added.extend(v.pk for v in created if v.pk)
    tally.photos.extend(v.pk for v in created if v.image_urls and v.availability != "sold")
    Vehicle.objects.bulk_update(changed, UPDATED)
    if unchanged:
        Vehicle.objects.filter(pk__in=unchanged).update(seen_in_run=run.pk)


def _apply(
    *, organization: Organization, run: ImportRun, feed_rows: Iterable, complete: bool
) -> _Tally:
    tally = _Tally()
    stock = Vehicle.objects.for_org(organization).exclude(availability=Vehicle.Availability.SOLD)
    tally.stock_before = stock.count()
    batch: list = []
    for line, fields in feed_rows:
        tally.rows_read += 1
        try:
            values, warnings = vehicle_values(fields, country=organization.country or "US")
        except RowRefused as refusal:
            tally.refuse(line, fields.get("vin", "")[:40], str(refusal))
            continue
        for warning in warnings:
            tally.warn(line, values["vin"], warning)
        if values["availability"] != Vehicle.Availability.SOLD:
            for name in catalog_rules.missing_needed(values):
                tally.missing[name] = tally.missing.get(name, 0) + 1
        batch.append((line, values))
        if len(batch) >= BATCH:
            _apply_batch(organization=organization, run=run, batch=batch, tally=tally)
            batch = []
    if batch:
        _apply_batch(organization=organization, run=run, batch=batch, tally=tally)
    if tally.rows_read == 0:
        raise FeedBroken("The feed lists no vehicles.")
    if tally.refused == tally.rows_read:
        first = tally.refused_rows[0]
        raise FeedBroken(
            f"None of the feed's {tally.rows_read} rows could be read (line {first['line']}: "
            f"{first['reason']})."
        )
    if complete:
        ids = _gone_ids(organization=organization, run=run)
        if sold_guard_holds(would_sell=len(ids), stock=tally.stock_before):
            tally.held_sold = len(ids)
        else:
            _mark_sold(ids, at=run.started_at)
            tally.sold.extend(ids)
    return tally


def sold_guard_holds(*, would_sell: int, stock: int) -> bool:
    """More than a third of the stock sold by one file is more likely a partial file."""
    return would_sell > 0 and would_sell * 3 > stock


def _gone_ids(*, organization: Organization, run: ImportRun) -> list[int]:
    gone = (
        Vehicle.objects.for_org(organization)
        .exclude(seen_in_run=run.pk)
        .exclude(availability=Vehicle.Availability.SOLD)
    )
    return list(gone.values_list("pk", flat=True))


def _mark_sold(ids: list[int], *, at) -> None:
    for start in range(0, len(ids), BATCH):
        Vehicle.objects.filter(pk__in=ids[start : start + BATCH]).update(
            availability=Vehicle.Availability.SOLD, sold_at=at, updated_at=at
        )


def import_feed(
    *,
    organization: Organization,
    chunks: Iterable[bytes],
    content_type: str = "",
    charset: str | None = None,
    origin: str = ImportRun.Origin.FEED,
    source: InventorySource | None = None,
    complete: bool = True,
    run: ImportRun | None = None,
) -> ImportRun:
    """Read a feed's bytes into the dealership's vehicles; the run says what changed or why not.

    CSV and TSV columns are read through the source's column mapping; the
    headers seen are kept on the source (whether or not the run worked), so the
    column mapper shows them.
    """
    run = run or _start_run(organization=organization, origin=origin, source=source)
    # The first import finds the stock already there: its vehicles have not "just arrived".
    first_import = (
        not ImportRun.objects.for_org(organization).filter(status__in=["done", "held"]).exists()
    )
    report = ColumnReport()
    saved = (source.column_mapping or {}).get("mapping") if source is not None else None
    try:
        with transaction.atomic():
            # One import at a time per dealership (beat's and an upload, say).
            Organization.objects.select_for_update().filter(pk=organization.pk).first()
            tally = _apply(
                organization=organization,
                run=run,
                feed_rows=rows(
                    chunks,
                    content_type=content_type,
                    charset=charset,
                    mapping=saved,
                    report=report,
                ),
                complete=complete,
            )
            transaction.on_commit(
                lambda: signals.inventory_changed.send(
                    sender=Vehicle,
                    organization_id=organization.pk,
                    arrived=tally.added,
                    price_dropped=tally.dropped,
                    sold=tally.sold,
                    photos_wanted=tally.photos,
                    first_import=first_import,
                )
            )
    except FeedBroken as broken:
        _columns_seen(source=source, run=run, report=report)
        return _finish(run, error=broken.message)
    except FetchRefused as refused:
        return _finish(run, error=f"The feed could not be fetched: {refused.message}")
    except Exception:
        _finish(run, error="The import stopped on an internal error; nothing was changed.")
        raise
    _columns_seen(source=source, run=run, report=report)
    run = _finish(run, tally=tally)
    if run.status == ImportRun.Status.HELD and run.origin == ImportRun.Origin.FEED:
        transaction.on_commit(lambda: notifications.held_run_email(run_id=run.pk))
    return run


def _columns_seen(*, source: InventorySource | None, run: ImportRun, report: ColumnReport) -> None:
    if not report.headers:
        return
    run.columns = {
        "mapped": {h: f for h, f in report.mapping.items() if f},
        "ignored": report.ignored,
    }
    if source is not None and source.pk:
        sources.source_columns_seen(source=source, report=report)


def _start_run(*, organization: Organization, origin: str, source) -> ImportRun:
    return ImportRun.objects.create(
        organization=organization, source=source, origin=origin, started_at=timezone.now()
    )


def _finish(run: ImportRun, *, tally: _Tally | None = None, error: str = "") -> ImportRun:
    run.finished_at = timezone.now()
    if tally is None:
        run.status, run.error = ImportRun.Status.FAILED, error
        logger.info("inventory import %s failed: %s", run.pk, error)
    else:
        run.status = ImportRun.Status.HELD if tally.held_sold else ImportRun.Status.DONE
        run.held_sold, run.stock_before = tally.held_sold, tally.stock_before
        run.missing = catalog_rules.missing_report(tally.missing)
        run.rows_read, run.added, run.changed = tally.rows_read, len(tally.added), tally.changed
        run.price_dropped, run.sold, run.refused = (
            len(tally.dropped),
            len(tally.sold),
            tally.refused,
        )
        run.refused_rows, run.warnings = tally.refused_rows, tally.warnings
    run.save()
    return run


def import_source(*, source: InventorySource) -> ImportRun:
    """Fetch the source's feed URL (safely: fetching.py) and import it."""
    run = _start_run(organization=source.organization, origin=ImportRun.Origin.FEED, source=source)
    if not source.feed_url:
        return _finish(run, error="The dealership has no feed URL.")
    try:
        with fetch(source.feed_url, max_bytes=settings.INVENTORY_FEED_MAX_BYTES) as fetched:
            return import_feed(
                organization=source.organization,
                chunks=fetched.chunks(),
                content_type=fetched.content_type,
                charset=fetched.charset,
                source=source,
                complete=source.is_complete,
                run=run,
            )
    except FetchRefused as refused:
        return _finish(run, error=f"The feed could not be fetched: {refused.message}")


class HeldRunRefused(Exception):
    """The held run cannot be decided (decided already, or a newer import ran); says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def held_run_decide(*, run: ImportRun, confirm: bool, by=None) -> ImportRun:
    """Mark the held run's missing vehicles sold (confirm) or keep them in stock (refuse)."""
    organization = run.organization
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.status != ImportRun.Status.HELD:
            raise HeldRunRefused("This import was already decided; nothing was changed.")
        newer = ImportRun.objects.for_org(organization).filter(
            started_at__gt=run.started_at, status__in=["done", "held"]
        )
        if confirm and newer.exists():
            raise HeldRunRefused(
                "A newer import ran since this one; its list of vehicles is the one to trust. "
                "Nothing was marked sold."
            )
        now = timezone.now()
        ids = _gone_ids(organization=organization, run=run) if confirm else []
        _mark_sold(ids, at=now)
        run.status = ImportRun.Status.DONE
        run.sold = len(ids)
        run.sold_decision = (
            ImportRun.SoldDecision.CONFIRMED if confirm else ImportRun.SoldDecision.REFUSED
        )
        run.decided_by, run.decided_at = by, now
        run.save(update_fields=["status", "sold", "sold_decision", "decided_by", "decided_at"])
        if ids:
            transaction.on_commit(
                lambda: signals.inventory_changed.send(
                    sender=Vehicle,
                    organization_id=organization.pk,
                    arrived=[],
                    price_dropped=[],
                    sold=ids,
                    photos_wanted=[],
                    first_import=False,
                )
            )
    return run
