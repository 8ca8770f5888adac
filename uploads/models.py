"""The state of one resumable (tus) upload; its bytes live in the partial-upload store."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from dealer_media.tenancy.models import TenantModel


class Upload(TenantModel):
    """One tus upload of one dealership.

    ``offset`` counts only bytes that are durable in the store (written and
    fsynced before the row is updated), so a restart never loses an
    acknowledged byte. Requests that change the upload first claim it with a
    conditional UPDATE on ``locked_until`` (a lease), so two PATCHes cannot
    interleave; the loser answers 423.
    """

    class State(models.TextChoices):
        RECEIVING = "receiving", "Receiving"
        COMPLETE = "complete", "All bytes received"
        CONSUMED = "consumed", "Turned into a media item"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    length = models.PositiveBigIntegerField(help_text="Upload-Length: the declared size.")
    offset = models.PositiveBigIntegerField(default=0, help_text="Durable bytes received.")
    metadata = models.JSONField(default=dict, blank=True, help_text="Decoded Upload-Metadata.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECEIVING)
    expires_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    lock_token = models.CharField(max_length=32, blank=True)
    # The S3 store's state (TUS_STORE=s3): the multipart upload, at the media item's
    # final key, and its parts [[number, etag, size], ...]; the bytes past the parts
    # wait in the bucket as the "incomplete part" object (see uploads/s3store.py).
    multipart_upload_id = models.CharField(max_length=255, blank=True)
    object_key = models.CharField(max_length=255, blank=True)
    parts = models.JSONField(default=list, blank=True)
    media_content = models.ForeignKey(
        "media_content.MediaContent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The library file the upload became: set with CONSUMED, also when only a file was made
    # (``schedule_mode=library``: no post), and it stays right when the post's files change.
    file = models.ForeignKey(
        "library.MediaFile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploads",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "media_content_upload"  # its table from when uploads were part of the posts app
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(offset__lte=F("length")), name="upload_offset_within_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename or self.pk} ({self.offset}/{self.length})"

    @property
    def filename(self) -> str:
        return str(self.metadata.get("filename") or "")

    @property
    def is_finished(self) -> bool:
        return self.offset == self.length
