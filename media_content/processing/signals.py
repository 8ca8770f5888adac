"""Files follow their rows (deleted after the commit); ribbons follow the dealership's brand."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dealer_media.tenancy.models import Organization
from library.models import MediaFile, Rendition

from ..models import MediaContent
from .storage import delete_files_on_commit


@receiver(post_delete, sender=MediaFile, dispatch_uid="processing_media_files")
def _media_deleted(sender, instance: MediaFile, **kwargs) -> None:
    delete_files_on_commit([instance.thumbnail.name])


@receiver(post_delete, sender=Rendition, dispatch_uid="processing_rendition_file")
def _rendition_deleted(sender, instance: Rendition, **kwargs) -> None:
    delete_files_on_commit([instance.file.name])


@receiver(post_save, sender=Organization, dispatch_uid="processing_ribbons_follow_brand")
def _organization_saved(sender, instance: Organization, created: bool, **kwargs) -> None:
    """A new name or brand colour: the ribbons of posts still to go out are drawn again."""
    if created:
        return
    from .services import ribbon_follow_choice

    waiting = (
        MediaContent.objects.for_org(instance)
        .exclude(ribbon_text="")
        .exclude(status__in=[MediaContent.Status.POSTED, MediaContent.Status.ARCHIVED])
        .filter(post_files__position=0, post_files__file__media_type=MediaFile.MediaType.IMAGE)
    )
    for media in waiting:
        media.organization = instance  # today's name and colour
        ribbon_follow_choice(media=media)
