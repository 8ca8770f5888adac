"""Files follow their rows: a file's thumbnail and a rendition's file go after the commit."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from library.models import MediaFile, Rendition

from .storage import delete_files_on_commit


@receiver(post_delete, sender=MediaFile, dispatch_uid="processing_media_files")
def _media_deleted(sender, instance: MediaFile, **kwargs) -> None:
    delete_files_on_commit([instance.thumbnail.name])


@receiver(post_delete, sender=Rendition, dispatch_uid="processing_rendition_file")
def _rendition_deleted(sender, instance: Rendition, **kwargs) -> None:
    delete_files_on_commit([instance.file.name])
