"""A dealer's media items and the posts that publish them to each destination."""

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from dealer_media.stored_files import stored_extension
from dealer_media.tenancy.models import TenantModel
from dealer_media.validators import validate_multi_line_text, validate_single_line_text

from .captions import (
    ALT_TEXT_MAX_CHARS,
    FIRST_COMMENT_MAX_CHARS,
    validate_facebook_caption,
    validate_instagram_caption,
)


def media_upload_to(instance: "MediaContent", filename: str) -> str:
    """Generated names only: the client's file name is kept as data, never as a path.

    Callers name the file ``upload.<detected extension>``; any other extension
    becomes ``.bin``, which is only ever served as a download.
    """
    extension = stored_extension(filename)
    return f"org-{instance.organization_id}/media/{secrets.token_hex(16)}.{extension}"


def thumbnail_upload_to(instance: "MediaContent", filename: str) -> str:
    return f"org-{instance.organization_id}/thumbnails/{secrets.token_hex(16)}.jpg"


def rendition_upload_to(instance: "Rendition", filename: str) -> str:
    """A fresh random name per rendition, so a new version never hits an old cache entry."""
    return f"org-{instance.media.organization_id}/renditions/{secrets.token_hex(16)}.jpg"


class Destination(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    BANNER = "banner", "Website banner"


class MediaContent(TenantModel):
    class MediaType(models.TextChoices):
        IMAGE = "image", "Image"
        VIDEO = "video", "Video"

    class ProcessingStatus(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Processing failed"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        WAITING = "waiting", "Waiting for approval"
        SCHEDULED = "scheduled", "Scheduled"
        POSTED = "posted", "Posted"
        FAILED = "failed", "Failed"
        ARCHIVED = "archived", "Archived"

    class InstagramFit(models.TextChoices):
        PAD = "pad", "Pad (the whole picture, white bars)"
        CROP = "crop", "Crop (fill the frame, edges cut)"

    class FacebookVideoFormat(models.TextChoices):
        AUTO = "auto", "Automatic"
        REEL = "reel", "Reel"
        VIDEO = "video", "Regular video"

    title = models.CharField(
        max_length=255,
        validators=[validate_single_line_text],
        help_text="Internal name, shown in the library.",
    )
    description = models.TextField(
        blank=True, validators=[validate_multi_line_text], help_text="Text published with the post."
    )
    file = models.FileField(upload_to=media_upload_to, max_length=255)
    thumbnail = models.FileField(upload_to=thumbnail_upload_to, max_length=255, blank=True)
    media_type = models.CharField(max_length=10, choices=MediaType.choices)
    link_url = models.URLField(max_length=2000, blank=True, validators=[validate_single_line_text])
    # Per-network text (media_content/captions.py): empty means title, description and link.
    facebook_caption = models.TextField(
        blank=True,
        validators=[validate_multi_line_text, validate_facebook_caption],
        help_text="Posted on Facebook instead of the title, description and link.",
    )
    instagram_caption = models.TextField(
        blank=True,
        validators=[validate_multi_line_text, validate_instagram_caption],
        help_text="Posted on Instagram instead of the title, description and link.",
    )
    first_comment = models.TextField(
        blank=True,
        validators=[validate_multi_line_text, MaxLengthValidator(FIRST_COMMENT_MAX_CHARS)],
        help_text="Posted as a comment right after the post goes out (both networks).",
    )
    alt_text = models.CharField(
        max_length=ALT_TEXT_MAX_CHARS,
        blank=True,
        validators=[validate_single_line_text],
        help_text="Describes the image for people who cannot see it (image posts only).",
    )
    post_to_facebook = models.BooleanField(default=False)
    post_to_instagram = models.BooleanField(default=False)
    post_to_banner = models.BooleanField(default=False)
    # How a video goes to Facebook: automatic is a Reel when it is vertical and 3 to 90 s
    # long (processing.checks.facebook_video_way), else a regular Page video.
    facebook_video_format = models.CharField(
        max_length=5, choices=FacebookVideoFormat.choices, default=FacebookVideoFormat.AUTO
    )
    scheduled_post_time = models.DateTimeField(null=True, blank=True)
    banner_end_date = models.DateField(
        null=True,
        blank=True,
        help_text="Last day the website banner is shown (dealer's local date); empty: no end.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The Instagram-ready copy (processing/renditions.py) of an image Instagram would
    # refuse: the dealer's choice of fit, and why the worker could not make it, if so.
    instagram_fit = models.CharField(
        max_length=4,
        choices=InstagramFit.choices,
        default=InstagramFit.PAD,
        help_text="How an image outside Instagram's 4:5 to 1.91:1 is made to fit for Instagram.",
    )
    instagram_copy_error = models.TextField(blank=True)
    # The ribbon drawn on this post's cover (processing/ribbons.py), e.g. "Just arrived",
    # set by the inventory's rules; the dealership's name and colour come from its settings.
    ribbon_text = models.CharField(
        max_length=60,
        blank=True,
        validators=[validate_single_line_text],
        help_text="Drawn as a ribbon on the post's cover photo; empty: no ribbon.",
    )
    ribbon_error = models.TextField(blank=True)  # why the worker could not draw it

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
    # The processing lease (media_content/processing/lease.py): when processing of the
    # current file was asked for, which worker's claim holds it (the time of its claim),
    # and the deadline past which the sweep sends it again: for a pending item, the time
    # by which a worker should have taken it; for one being processed, the worker's lease.
    processing_requested_at = models.DateTimeField(null=True, blank=True)
    processing_claimed_at = models.DateTimeField(null=True, blank=True)
    processing_lease_until = models.DateTimeField(null=True, blank=True)
    thumbnail_is_placeholder = models.BooleanField(
        default=False,
        help_text="The thumbnail is the drawn title card, not a frame of the video.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "media item"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="media_org_created_idx"),
            models.Index(fields=["organization", "status"], name="media_org_status_idx"),
            models.Index(fields=["organization", "sha256"], name="media_org_sha256_idx"),
            # The duplicate check looks for items of the same size first (duplicates.py).
            models.Index(fields=["organization", "size_bytes"], name="media_org_size_idx"),
            # The processing sweep: only items waiting for or under processing.
            models.Index(
                fields=["processing_lease_until"],
                condition=Q(processing_status__in=["pending", "processing"]),
                name="media_processing_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gte=0),
                name="media_duration_not_negative",
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

    @property
    def destinations(self) -> list[str]:
        chosen = [
            (self.post_to_facebook, Destination.FACEBOOK),
            (self.post_to_instagram, Destination.INSTAGRAM),
            (self.post_to_banner, Destination.BANNER),
        ]
        return [destination.value for wanted, destination in chosen if wanted]

    @property
    def goes_to_instagram(self) -> bool:
        """Chosen for Instagram itself, or an item of a post that is (a carousel's child)."""
        return (
            self.post_to_instagram
            or self.attached_to.filter(media__post_to_instagram=True).exists()
        )

    def items(self) -> list["MediaContent"]:
        """The post's library items in the dealer's order: this item first, then its attachments."""
        attached = [a.item for a in self.attachments.select_related("item").order_by("position")]
        return [self, *attached]


class MediaAttachment(TenantModel):
    """A further library item carried by a post of several items, at its place in the order.

    The lead item (``media``) is the post: its title, text, destinations, time and
    posts; it is always first. ``item`` follows at ``position`` (1, 2, ...). Both
    belong to the same dealership (``items.media_set_items``
    checks it and ``clean`` says so in the admin).
    """

    media = models.ForeignKey(MediaContent, on_delete=models.CASCADE, related_name="attachments")
    item = models.ForeignKey(MediaContent, on_delete=models.CASCADE, related_name="attached_to")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["media", "position"]
        constraints = [
            models.UniqueConstraint(fields=["media", "position"], name="attachment_one_per_place"),
            models.UniqueConstraint(fields=["media", "item"], name="attachment_item_once"),
            models.CheckConstraint(
                condition=~Q(item=models.F("media")), name="attachment_not_the_lead_itself"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="attachment_after_the_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.media_id} #{self.position}: {self.item_id}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.item_id and self.media_id and self.item.organization_id != self.organization_id:
            raise ValidationError({"item": "This item belongs to another dealership."})


class ScheduledPost(TenantModel):
    """One media item going to one destination at one time.

    State machine (every move is a compare-and-set UPDATE on ``status``)::

        pending ──claim──> queued ──start──> publishing ──> posted
           │  <─lease expired─┤                   ├──> failed ──retry──> pending
           │                  │                   └─outcome unknown─> unconfirmed
           └──cancel──> cancelled <──cancel──┘                 (a person decides)

    ``pending``, ``queued``, ``publishing`` and ``unconfirmed`` are *live*: at
    most one live post exists per media item and destination. ``posted``,
    ``failed`` and ``cancelled`` are history and survive the media item's
    deletion (title and destination are copied onto the row).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        QUEUED = "queued", "Queued"
        PUBLISHING = "publishing", "Publishing"
        POSTED = "posted", "Posted"
        FAILED = "failed", "Failed"
        UNCONFIRMED = "unconfirmed", "Unconfirmed"
        CANCELLED = "cancelled", "Cancelled"
        # Waiting for an approver (media_content/approval.py): never claimed or sent;
        # approval makes it pending, sending it back cancels it.
        HELD = "held", "Waiting for approval"

    LIVE_STATUSES = (
        Status.HELD,
        Status.PENDING,
        Status.QUEUED,
        Status.PUBLISHING,
        Status.UNCONFIRMED,
    )

    media_content = models.ForeignKey(
        MediaContent, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    title = models.CharField(max_length=255, help_text="The media item's title when scheduled.")
    destination = models.CharField(max_length=12, choices=Destination.choices)
    scheduled_time = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    external_id = models.CharField(max_length=128, blank=True)
    external_url = models.URLField(max_length=2000, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Retry and multi-step state (see media_content/publishing.py): when the
    # next attempt or status check is due, when a request that publishes was
    # sent (the outcome of a post left "publishing" after that is unknown), and
    # the destination's own progress (Instagram container id, Facebook video id,
    # retries and status checks so far).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    external_state = models.JSONField(default=dict, blank=True)
    # What went out, written by the engine as it sends: history shows it even after
    # the post is edited.
    sent_text = models.TextField(blank=True)
    sent_file_urls = models.JSONField(default=list, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-scheduled_time", "-id"]
        indexes = [
            # The dispatcher's sweep: due pending posts, oldest first.
            models.Index(
                fields=["scheduled_time"],
                condition=Q(status="pending"),
                name="post_due_pending_idx",
            ),
            models.Index(fields=["organization", "-scheduled_time"], name="post_org_time_idx"),
            models.Index(fields=["status", "claimed_at"], name="post_status_claimed_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["media_content", "destination"],
                condition=Q(status__in=["held", "pending", "queued", "publishing", "unconfirmed"]),
                name="post_one_live_per_media_destination",
            ),
            # A post waiting for approval has never been claimed nor started sending.
            models.CheckConstraint(
                condition=~Q(status="held")
                | Q(claimed_at__isnull=True, send_started_at__isnull=True),
                name="post_held_never_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="posted") | Q(posted_at__isnull=False),
                name="post_posted_has_posted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.get_destination_display()} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES

    @property
    def is_sandbox(self) -> bool:
        """Recorded by the sandbox publisher: nothing was sent to Meta."""
        return bool((self.external_state or {}).get("sandbox"))

    @property
    def first_comment_status(self) -> str:
        """posted, failed, unknown, sending, or "" (no first comment tried)."""
        return ((self.external_state or {}).get("first_comment") or {}).get("status", "")

    @property
    def first_comment_note(self) -> str:
        """The first comment's own line under the post (social/first_comment.py), or ""."""
        record = (self.external_state or {}).get("first_comment") or {}
        status = record.get("status")
        if status == "posted":
            return "First comment posted."
        if status == "failed":
            return f"First comment failed: {record.get('error', '')}".strip()
        if status in ("unknown", "sending"):
            return "First comment may not have been posted: " + (
                record.get("error") or "we lost track of it while sending. Check the post."
            )
        return ""


class Rendition(models.Model):
    """A derived file of a media item (display size, Instagram-ready JPEG), one per spec.

    Unique on (media, spec) like Wagtail's renditions: two workers making the
    same rendition cannot both keep theirs. Files are deleted after the
    commit that deletes the row.
    """

    media = models.ForeignKey(MediaContent, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=64)
    file = models.FileField(upload_to=rendition_upload_to, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "spec"], name="rendition_one_per_media_spec"),
        ]

    def __str__(self) -> str:
        return f"{self.media_id}:{self.spec}"

    @property
    def url(self) -> str:
        return self.file.url if self.file else ""


from .approval_models import ApprovalStep, PreviewLink  # noqa: E402  (approval.py's rows)
from .uploads.models import Upload  # noqa: E402  (registers the tus upload model with this app)

__all__ = [
    "ApprovalStep",
    "Destination",
    "MediaAttachment",
    "MediaContent",
    "PreviewLink",
    "Rendition",
    "ScheduledPost",
    "Upload",
]
