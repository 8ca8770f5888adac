"""Any saved or deleted banner invalidates its dealership's cached active banners."""

from .cache import invalidate_active_banners


def banner_changed(sender, instance, **kwargs) -> None:
    if instance.organization_id:
        invalidate_active_banners(instance.organization_id)
