"""The worker's inventory jobs; they take ids."""

from celery import shared_task

from .importing import import_source
from .models import InventorySource, Vehicle
from .sources import fetch_lock


@shared_task(acks_late=False)
def import_inventory_source(source_id: int) -> dict | None:
    """Beat's hourly (by default) fetch of one dealership's feed, or "Fetch now"'s."""
    source = InventorySource.objects.select_related("organization").filter(pk=source_id).first()
    if source is None or not source.enabled:
        return None
    with fetch_lock(source_id=source.pk) as mine:
        if not mine:  # a fetch of this feed runs already: not a second one alongside
            return {"run": None, "status": "skipped", "error": "A fetch of this feed is running."}
        run = import_source(source=source)
    return {"run": run.pk, "status": run.status, "error": run.error}


def _vehicle(vehicle_id: int) -> Vehicle | None:
    return Vehicle.objects.select_related("organization").filter(pk=vehicle_id).first()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fetch_vehicle_photos(vehicle_id: int, announce: bool = False) -> dict | None:
    """The vehicle's new photos into the library (photos.py); then Just arrived if asked."""
    from .photos import fetch_photos
    from .rules import apply_rule

    vehicle = _vehicle(vehicle_id)
    if vehicle is None or vehicle.availability == Vehicle.Availability.SOLD:
        return None
    counts = fetch_photos(vehicle=vehicle)
    if announce:
        post = apply_rule(vehicle=vehicle, kind="just_arrived")
        counts["post"] = getattr(post, "pk", None)
    return counts


@shared_task(acks_late=True, reject_on_worker_lost=True)
def apply_inventory_rule(vehicle_id: int, kind: str) -> int | None:
    from .rules import apply_rule

    vehicle = _vehicle(vehicle_id)
    if vehicle is None:
        return None
    return getattr(apply_rule(vehicle=vehicle, kind=kind), "pk", None)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sell_vehicle(vehicle_id: int) -> dict | None:
    """When a car sells (selling.py)."""
    from .selling import vehicle_sold

    vehicle = _vehicle(vehicle_id)
    if vehicle is None or vehicle.availability != Vehicle.Availability.SOLD:
        return None
    return vehicle_sold(vehicle=vehicle)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_vehicle_reel(reel_id: int) -> int | None:
    """The vehicle's Reel, written in the worker into the library (reels.py)."""
    from .reels import reel_build

    reel = reel_build(reel_id=reel_id)
    return getattr(reel, "media_content_id", None)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def make_catalog_copies(organization_id: int) -> dict:
    """The dealership's missing catalog copies of its vehicles' photos (catalogs/copies.py)."""
    from .catalogs.copies import copies_make

    return copies_make(organization_id=organization_id)


@shared_task(acks_late=True)
def delete_expired_kept_uploads() -> int:
    """Beat's hourly sweep of feed files kept for mapping past their time (kept_uploads.py)."""
    from .kept_uploads import kept_uploads_expire

    return kept_uploads_expire()
