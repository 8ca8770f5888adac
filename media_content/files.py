"""The file library seen from the posts: which posts use a file, and deleting one safely."""

from django.db import transaction

from library.models import MediaFile
from library.services import file_remove

from .models import MediaContent, PostFile

NOT_GONE_OUT = (
    MediaContent.Status.DRAFT,
    MediaContent.Status.WAITING,
    MediaContent.Status.SCHEDULED,
    MediaContent.Status.FAILED,
)


class FileInUse(Exception):
    """A post that has not gone out carries the file; ``posts`` are those posts."""

    def __init__(self, posts: list[MediaContent]):
        names = ", ".join(f"“{post.title}” (post {post.pk})" for post in posts)
        super().__init__(
            f"This file is in {names}, which has not gone out yet. Remove the file from "
            "that post, or delete the post, first."
            if len(posts) == 1
            else f"This file is in posts that have not gone out yet: {names}. Remove the "
            "file from those posts, or delete them, first."
        )
        self.posts = posts


def used_by(*, file: MediaFile) -> list[int]:
    """The ids of the posts that carry the file, newest first."""
    return list(
        MediaContent.objects.filter(post_files__file=file)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def file_delete(*, file: MediaFile) -> None:
    """Delete a file of the library; refused (``FileInUse``) while a post still to go out uses it.

    Posts that went out keep their history (what each delivery sent); they no
    longer list the file.
    """
    waiting = list(
        MediaContent.objects.filter(post_files__file=file, status__in=NOT_GONE_OUT).order_by("pk")
    )
    if waiting:
        raise FileInUse(waiting)
    PostFile.objects.filter(file=file).delete()
    file_remove(file=file)
