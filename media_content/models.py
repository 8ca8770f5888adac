"""What a dealer posts (``MediaContent``), its files in order, and its deliveries.

The files themselves are the library's (``library.MediaFile``).
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from dealer_media.tenancy.models import TenantModel
from dealer_media.validators import validate_multi_line_text, validate_single_line_text
from library.models import MediaFile, media_upload_to, thumbnail_upload_to  # noqa: F401

from .captions import (
    ALT_TEXT_MAX_CHARS,
    FIRST_COMMENT_MAX_CHARS,
    validate_facebook_caption,
    validate_instagram_caption,
)


class Destination(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    BANNER = "banner", "Website banner"


# What a dealer chooses for a post: edited in the portal, copied by Duplicate.
POST_CHOICES = (
    "title",
    "description",
    "link_url",
    "facebook_caption",
    "instagram_caption",
    "first_comment",
    "alt_text",
    "post_to_facebook",
    "post_to_instagram",
    "post_to_banner",
    "instagram_fit",
    "facebook_video_format",
    "banner_end_date",
)


class MediaContent(TenantModel):
    MediaType = MediaFile.MediaType
    ProcessingStatus = MediaFile.ProcessingStatus

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
    # long (facebook_video.facebook_video_way), else a regular Page video.
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
    # The ribbon drawn on this post's cover (ribbons.py), e.g. "Just arrived",
    # set by the inventory's rules; the dealership's name and colour come from its settings.
    ribbon_text = models.CharField(
        max_length=60,
        blank=True,
        validators=[validate_single_line_text],
        help_text="Drawn as a ribbon on the post's cover photo; empty: no ribbon.",
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    files = models.ManyToManyField(
        MediaFile, through="PostFile", related_name="posts", help_text="The files posted, in order."
    )

    class Meta:
        verbose_name = "media item"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="media_org_created_idx"),
            models.Index(fields=["organization", "status"], name="media_org_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def refresh_from_db(self, *args, **kwargs) -> None:
        self.__dict__.pop("_lead_file", None)
        super().refresh_from_db(*args, **kwargs)

    def files_in_order(self) -> list[MediaFile]:
        """The post's files in the dealer's order, cover first."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "post_files" in cache:
            rows = sorted(cache["post_files"], key=lambda row: row.position)
        else:
            rows = self.post_files.select_related("file").order_by("position")
        return [row.file for row in rows]

    def items(self) -> list["PostItem"]:
        """The post's files in order, each read with this post's choices (fit, alt text)."""
        from .post_files import PostItem

        return [PostItem(post=self, file=file) for file in self.files_in_order()]

    @property
    def lead_file(self) -> MediaFile | None:
        """The first file: the post's media_url, thumbnail and type are its."""
        if "_lead_file" not in self.__dict__:
            if self.pk is None:
                return None
            files = self.files_in_order()
            self.__dict__["_lead_file"] = files[0] if files else None
        return self.__dict__["_lead_file"]

    def forget_files(self) -> None:
        """After the files changed: the next read of ``lead_file`` asks the database."""
        self.__dict__.pop("_lead_file", None)
        getattr(self, "_prefetched_objects_cache", {}).pop("post_files", None)

    @property
    def media_type(self) -> str:
        """The first file's type: the post's type in the library, its JSON and its checks."""
        lead = self.lead_file
        return lead.media_type if lead is not None else ""

    @property
    def media_url(self) -> str:
        """The first file's URL (the post's picture in lists and previews)."""
        lead = self.lead_file
        return lead.media_url if lead is not None else ""

    @property
    def thumbnail_url(self) -> str:
        """The first file's thumbnail URL."""
        lead = self.lead_file
        return lead.thumbnail_url if lead is not None else ""

    def files_processing_finished(self) -> bool:
        """Every file is ready or failed, so the post's checks are all known.

        A post of several files (a carousel) waits for its last file, not its first.
        """
        return all(file.processing_finished for file in self.files_in_order())

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
        return self.post_to_instagram


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
    # Retry and multi-step state (see publishing/engine.py): when the
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


from .approval_models import ApprovalStep, PreviewLink  # noqa: E402  (approval.py's rows)
from .post_files import PostFile, PostItem  # noqa: E402  (a post's files, in order)

__all__ = [
    "ApprovalStep",
    "Destination",
    "MediaContent",
    "MediaFile",
    "PostFile",
    "PreviewLink",
    "ScheduledPost",
]
