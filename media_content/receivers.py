"""The posts side listens: a file's processing or rendition finished (the file library),
a dealership's name or brand colour changed (its ribbons)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from dealer_media.tenancy.models import Organization
from library.models import MediaFile
from library.signals import file_changed

from . import lifecycle
from .models import MediaContent
from .ribbons import ribbon_follow_choice


@receiver(file_changed, dispatch_uid="posts_follow_file")
def file_changed_for_posts(sender, *, file_id: int, spec: str = "", **kwargs) -> None:
    """Posts of the file ask for the renditions they need, then their waiting deliveries go."""
    from .renditions_wanted import post_follow_choices

    if not spec:
        with transaction.atomic():
            posts = MediaContent.objects.filter(post_files__file_id=file_id).exclude(
                status__in=[MediaContent.Status.POSTED, MediaContent.Status.ARCHIVED]
            )
            for post in posts.select_related("organization"):
                post_follow_choices(post=post)
    lifecycle.send_posts_waiting_for_processing(file_id=file_id)


@receiver(post_save, sender=Organization, dispatch_uid="posts_ribbons_follow_brand")
def ribbons_follow_brand(sender, instance: Organization, created: bool, **kwargs) -> None:
    """A new name or brand colour: the ribbons of posts still to go out are drawn again."""
    if created:
        return
    waiting = (
        MediaContent.objects.for_org(instance)
        .exclude(ribbon_text="")
        .exclude(status__in=[MediaContent.Status.POSTED, MediaContent.Status.ARCHIVED])
        .filter(post_files__position=0, post_files__file__media_type=MediaFile.MediaType.IMAGE)
    )
    for media in waiting:
        media.organization = instance  # today's name and colour
        ribbon_follow_choice(media=media)
