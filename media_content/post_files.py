"""A post's files in the dealer's order (``PostFile``), and one file read with the post's
choices (``PostItem``), as the checks and the publishers see a carousel's items."""

from typing import TYPE_CHECKING

from django.db import models

from dealer_media.tenancy.models import TenantModel
from library.models import MediaFile

if TYPE_CHECKING:
    from .models import MediaContent


class PostItem:
    """One file of a post, read with the post's choices: the file's own fields first
    (type, size, renditions, title), then the post's (Instagram fit, alt text,
    destinations). The checks and publishers judge a carousel's items through it."""

    def __init__(self, *, post: "MediaContent", file: MediaFile):
        self.post = post
        self.media_file = file

    def __getattr__(self, name: str):
        try:
            return getattr(self.media_file, name)
        except AttributeError:
            return getattr(self.post, name)

    def __eq__(self, other) -> bool:
        other_file = getattr(other, "media_file", other)
        return isinstance(other_file, MediaFile) and other_file.pk == self.media_file.pk

    __hash__ = None

    def __repr__(self) -> str:
        return f"<PostItem post={self.post.pk} file={self.media_file.pk}>"


class PostFile(TenantModel):
    """One file of a post, at its place in the dealer's order (0 is the cover).

    The file belongs to the post's dealership: ``items`` looks files up with
    ``for_org`` and ``clean`` says so in the admin. Django has no composite
    foreign key; on PostgreSQL the database says it too, at the commit
    (``media_content.0020``: the row's organization is its post's and its file's).
    """

    post = models.ForeignKey(
        "media_content.MediaContent",
        on_delete=models.CASCADE,
        related_name="post_files",
    )
    file = models.ForeignKey(MediaFile, on_delete=models.PROTECT, related_name="post_files")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="post_file_one_per_place"),
            models.UniqueConstraint(fields=["post", "file"], name="post_file_once"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} #{self.position}: {self.file_id}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.file_id and self.file.organization_id != self.organization_id:
            raise ValidationError({"file": "This file belongs to another dealership."})
