"""What happens after an import commits: photos go to the worker."""

from django.conf import settings
from django.dispatch import receiver

from .signals import inventory_changed


@receiver(inventory_changed, dispatch_uid="inventory.fetch_photos")
def fetch_new_photos(sender, *, photos_wanted: list[int], **kwargs) -> None:
    if not settings.INVENTORY_FETCH_PHOTOS:
        return
    from .tasks import fetch_vehicle_photos

    for vehicle_id in photos_wanted:
        fetch_vehicle_photos.delay(vehicle_id)
