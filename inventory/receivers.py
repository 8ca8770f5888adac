"""What happens after an import commits: photos, the rules and sales go to the worker.

New vehicles' photos are fetched with ``announce`` (the Just arrived rule runs
once they are in the library), except on the dealership's first import.
"""

from django.conf import settings
from django.dispatch import receiver

from dealer_media import broker

from .signals import inventory_changed


@receiver(inventory_changed, dispatch_uid="inventory.after_import")
def after_import(
    sender,
    *,
    arrived: list[int],
    price_dropped: list[int],
    sold: list[int],
    photos_wanted: list[int],
    first_import: bool = False,
    **kwargs,
) -> None:
    if settings.INVENTORY_FETCH_PHOTOS:
        announce = set() if first_import else set(arrived)
        for vehicle_id in photos_wanted:
            broker.send(broker.FETCH_VEHICLE_PHOTOS, vehicle_id, vehicle_id in announce)
    for vehicle_id in price_dropped:
        broker.send(broker.APPLY_INVENTORY_RULE, vehicle_id, "price_drop")
    for vehicle_id in sold:
        broker.send(broker.SELL_VEHICLE, vehicle_id)
