"""The worker's inventory jobs; they take ids."""

from celery import shared_task

from .importing import import_source
from .models import InventorySource


@shared_task(acks_late=False)
def import_inventory_source(source_id: int) -> dict | None:
    """Beat's hourly (by default) fetch of one dealership's feed."""
    source = InventorySource.objects.select_related("organization").filter(pk=source_id).first()
    if source is None or not source.enabled:
        return None
    run = import_source(source=source)
    return {"run": run.pk, "status": run.status, "error": run.error}
