"""The dealer's file library: what a dealer uploads, or what the inventory and Reels bring in.

A ``MediaFile`` is a stored file and what processing learnt about it. It has no
captions, no destinations and no schedule: a post (``media_content.MediaContent``)
carries one or more files, in order (``media_content.PostFile``). A ``Rendition``
is an image derived from one file (display size, Instagram-ready copy, ribbon...).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from dealer_media.stored_files import stored_extension
from dealer_media.tenancy.models import TenantModel
from dealer_media.validators import validate_single_line_text


def media_upload_to(instance: "MediaFile", filename: str) -> str:
    """Generated names only: the client's file name is kept as data, never as a path.

    Callers name the file ``upload.<detected extension>``; any other extension
    becomes ``.bin``, which is only ever served as a download.
    """
    extension = stored_extension(filename)
    return f"org-{instance.organization_id}/media/{secrets.token_hex(16)}.{extension}"


def thumbnail_upload_to(instance: "MediaFile", filename: str) -> str:
    return f"org-{instance.organization_id}/thumbnails/{secrets.token_hex(16)}.jpg"


def rendition_upload_to(instance: "Rendition", filename: str) -> str:
    """A fresh random name per rendition, so a new version never hits an old cache entry."""
    return f"org-{instance.media.organization_id}/renditions/{secrets.token_hex(16)}.jpg"


class MediaFile(TenantModel):
    class MediaType(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    class ProcessingStatus(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Processing failed"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        INVENTORY_PHOTO = "inventory_photo", "Inventory photo"
        REEL = "reel", "Reel"

    title = models.CharField(
        max_length=255,
        validators=[validate_single_line_text],
        help_text="The file's name in the library; posts never change it.",
    )
    file = models.FileField(upload_to=media_upload_to, max_length=255)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=255, blank=True)
    media_type = models.CharField(max_length=10, choices=MediaType.choices)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPLOAD)
    vehicle = models.ForeignKey(
        "inventory.Vehicle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="files",
        help_text="The vehicle an inventory photo or a Reel shows.",
    )
    original_filename = models.CharField(
        max_length=255, blank=True, validators=[validate_single_line_text]
    )
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="Seconds, for videos.")
    container = models.CharField(
        max_length=64, blank=True, help_text="Image format (Pillow) or video container (ffmpeg)."
    )
    video_codec = models.CharField(max_length=32, blank=True)
    audio_codec = models.CharField(max_length=32, blank=True)
    frame_rate = models.FloatField(null=True, blank=True, help_text="Frames per second.")
    bit_rate = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bits per second.")
    processing_status = models.CharField(
        max_length=12, choices=ProcessingStatus.choices, default=ProcessingStatus.PENDING
    )
    processing_error = models.TextField(blank=True)
    processing_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Processing runs started for the current file (crash-loop guard)."
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    # The processing lease (processing/lease.py): when processing was asked for, which
    # worker's claim holds it, and the deadline past which the sweep sends it again.
    processing_requested_at = models.DateTimeField(null=True, blank=True)
    processing_claimed_at = models.DateTimeField(null=True, blank=True)
    processing_lease_until = models.DateTimeField(null=True, blank=True)
    thumbnail_is_placeholder = models.BooleanField(
        default=False,
        help_text="The thumbnail is the drawn title card, not a frame of the video.",
    )
    # Why the worker could not make a rendition a post asked for (the Instagram-ready
    # copy, the ribbon), in words; empty when it could or was not asked.
    instagram_copy_error = models.TextField(blank=True)
    ribbon_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "file"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="file_org_created_idx"),
            models.Index(fields=["organization", "sha256"], name="file_org_sha256_idx"),
            # The duplicate check looks for files of the same size first (duplicates.py).
            models.Index(fields=["organization", "size_bytes"], name="file_org_size_idx"),
            models.Index(fields=["organization", "source"], name="file_org_source_idx"),
            # The processing sweep: only files waiting for or under processing.
            models.Index(
                fields=["processing_lease_until"],
                condition=Q(processing_status__in=["pending", "processing"]),
                name="file_processing_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gte=0),
                name="file_duration_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_processed(self) -> bool:
        return self.processing_status == self.ProcessingStatus.READY

    @property
    def processing_finished(self) -> bool:
        """Ready or failed: either way its checks are known."""
        return self.processing_status in (
            self.ProcessingStatus.READY,
            self.ProcessingStatus.FAILED,
        )

    @property
    def media_url(self) -> str:
        return self.file.url if self.file else ""

    @property
    def thumbnail_url(self) -> str:
        return self.thumbnail.url if self.thumbnail else ""


class Rendition(models.Model):
    """A derived file of a library file (display size, Instagram-ready JPEG), one per spec.

    Unique on (media, spec) like Wagtail's renditions: two workers making the
    same rendition cannot both keep theirs. Files are deleted after the
    commit that deletes the row. The table keeps the name it had when renditions
    were the posts app's, so moving the model here changed no data.
    """

    media = models.ForeignKey(MediaFile, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=64)
    file = models.FileField(upload_to=rendition_upload_to, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "media_content_rendition"
        constraints = [
            models.UniqueConstraint(fields=["media", "spec"], name="rendition_one_per_media_spec"),
        ]

    def __str__(self) -> str:
        return f"{self.media_id}:{self.spec}"

    @property
    def url(self) -> str:
        return self.file.url if self.file else ""
