"""The posts side listens to the file library: a file's processing or rendition finished."""

from django.db import transaction
from django.dispatch import receiver

from library.signals import file_changed

from . import lifecycle
from .models import MediaContent


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
