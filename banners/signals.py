"""Any saved or deleted banner invalidates its dealership's cached active banners."""

from .cache import invalidate_active_banners


def banner_changed(sender, instance, **kwargs) -> None:
    if instance.organization_id:
        invalidate_active_banners(instance.organization_id)


def banner_saved(sender, instance, raw=False, **kwargs) -> None:
    """A new or replaced image gets its display copy (admin, portal and publisher alike)."""
    from .display import needs_display, request_display

    if not raw and needs_display(instance):
        request_display(banner=instance)
