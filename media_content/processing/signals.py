"""Files follow their rows: deleted after the commit that deleted the row."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from ..models import MediaContent, Rendition
from .storage import delete_files_on_commit


@receiver(post_delete, sender=MediaContent, dispatch_uid="processing_media_files")
def _media_deleted(sender, instance: MediaContent, **kwargs) -> None:
    delete_files_on_commit([instance.thumbnail.name])


@receiver(post_delete, sender=Rendition, dispatch_uid="processing_rendition_file")
def _rendition_deleted(sender, instance: Rendition, **kwargs) -> None:
    delete_files_on_commit([instance.file.name])
