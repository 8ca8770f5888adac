"""The worker's inventory jobs; they take ids."""

from celery import shared_task

from .importing import import_source
from .models import InventorySource, Vehicle


@shared_task(acks_late=False)
def import_inventory_source(source_id: int) -> dict | None:
    """Beat's hourly (by default) fetch of one dealership's feed."""
    source = InventorySource.objects.select_related("organization").filter(pk=source_id).first()
    if source is None or not source.enabled:
        return None
    run = import_source(source=source)
    return {"run": run.pk, "status": run.status, "error": run.error}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def fetch_vehicle_photos(vehicle_id: int) -> dict | None:
    """The vehicle's new photos, fetched into the library (photos.py)."""
    from .photos import fetch_photos

    vehicle = Vehicle.objects.select_related("organization").filter(pk=vehicle_id).first()
    if vehicle is None or vehicle.availability == Vehicle.Availability.SOLD:
        return None
    return fetch_photos(vehicle=vehicle)
