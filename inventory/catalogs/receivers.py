"""What changes a catalog's content: an import, a sale decided, the settings, a photo or its copy."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from dealer_media.tenancy.models import Organization
from library.models import Rendition

from ..models import ImportRun, VehiclePhoto
from .models import CatalogFeed
from .rules import PHOTO_COPY
from .tokens import content_changed


@receiver(post_save, sender=ImportRun, dispatch_uid="catalogs.import_run")
def import_run_saved(sender, instance: ImportRun, **kwargs) -> None:
    if instance.status in (ImportRun.Status.DONE, ImportRun.Status.HELD):
        content_changed(instance.organization_id)


@receiver(post_save, sender=Organization, dispatch_uid="catalogs.organization")
def organization_saved(sender, instance: Organization, **kwargs) -> None:
    content_changed(instance.pk)


@receiver(post_save, sender=CatalogFeed, dispatch_uid="catalogs.feed")
def catalog_feed_saved(sender, instance: CatalogFeed, **kwargs) -> None:
    content_changed(instance.organization_id)


@receiver(post_save, sender=VehiclePhoto, dispatch_uid="catalogs.photo")
def vehicle_photo_saved(sender, instance: VehiclePhoto, **kwargs) -> None:
    content_changed(instance.organization_id)


@receiver(post_save, sender=Rendition, dispatch_uid="catalogs.photo_copy")
def photo_copy_saved(sender, instance: Rendition, created: bool, **kwargs) -> None:
    """A new copy: the feeds name it now, instead of the feed's own photo URL."""
    if created and instance.spec == PHOTO_COPY.spec:
        content_changed(instance.media.organization_id)
