"""Banners of a dealer's website carousel, ordered by the dealer."""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from ordered_model.models import OrderedModelBase, OrderedModelManager, OrderedModelQuerySet

from dealer_media.stored_files import stored_extension
from dealer_media.tenancy.models import TenantModel, TenantQuerySet
from dealer_media.validators import validate_single_line_text


def banner_upload_to(instance: "Banner", filename: str) -> str:
    """Forms name the file from its detected format (``CheckedFileField``); never the client."""
    extension = stored_extension(filename)
    return f"org-{instance.organization_id}/banners/{secrets.token_hex(16)}.{extension}"


def banner_thumbnail_upload_to(instance: "Banner", filename: str) -> str:
    return f"org-{instance.organization_id}/banners/thumbnails/{secrets.token_hex(16)}.jpg"


def banner_display_upload_to(instance: "Banner", filename: str) -> str:
    return f"org-{instance.organization_id}/banners/display/{secrets.token_hex(16)}.jpg"


def validate_link(value: str) -> None:
    """Only http(s) and site-relative links: a banner must never run ``javascript:``."""
    if not value:
        return
    validate_single_line_text(value)
    lowered = value.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return
    if lowered.startswith("/") and not lowered.startswith("//"):
        return
    raise ValidationError(
        "Use a link that starts with https://, http:// or / (a page of your site)."
    )


class BannerQuerySet(TenantQuerySet, OrderedModelQuerySet):
    pass


class BannerManager(OrderedModelManager.from_queryset(BannerQuerySet)):
    pass


class Banner(OrderedModelBase):
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.CASCADE)
    media_content = models.ForeignKey(
        "media_content.MediaContent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="banners",
        help_text="The library item this banner was made from, if any.",
    )
    title = models.CharField(max_length=255, validators=[validate_single_line_text])
    image = models.ImageField(upload_to=banner_upload_to, max_length=255)
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    thumbnail = models.FileField(upload_to=banner_thumbnail_upload_to, max_length=255, blank=True)
    # A lighter copy for the carousel (banners/display.py), made after the image is saved.
    display = models.FileField(
        upload_to=banner_display_upload_to, max_length=255, blank=True, editable=False
    )
    display_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    display_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    link_url = models.CharField(max_length=2000, blank=True, validators=[validate_link])
    sort_order = models.PositiveIntegerField(editable=False, db_index=True)
    start_date = models.DateField(
        null=True, blank=True, help_text="First day shown (dealer's local date)."
    )
    end_date = models.DateField(null=True, blank=True, help_text="Last day shown, inclusive.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    order_field_name = "sort_order"
    order_with_respect_to = "organization"

    objects = BannerManager()

    class Meta:
        ordering = ["organization", "sort_order"]
        indexes = [
            models.Index(fields=["organization", "sort_order"], name="banner_org_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="banner_end_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Dimensions of a new upload, read while the file is still in memory (the
        # carousel's srcset and width/height attributes need them). Not through
        # ImageField's width_field: that re-reads the stored file on every load.
        if self.image and not getattr(self.image, "_committed", True):
            try:
                self.image_width, self.image_height = self.image.width, self.image.height
            except (OSError, ValueError, TypeError):
                self.image_width = self.image_height = None
            self.forget_display()
        super().save(*args, **kwargs)

    def forget_display(self) -> None:
        """A new image: the old display copy goes after the commit, a new one is made."""
        if self.display:
            from library.processing.storage import delete_files_on_commit

            delete_files_on_commit([self.display.name])
        self.display = ""
        self.display_width = self.display_height = None

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})

    @property
    def image_url(self) -> str:
        return self.image.url if self.image else ""

    @property
    def display_url(self) -> str:
        return self.display.url if self.display else ""

    @property
    def thumbnail_url(self) -> str:
        if self.thumbnail:
            return self.thumbnail.url
        return self.image_url


def new_public_key() -> str:
    """A random, URL-safe key: it names the dealership in embed URLs instead of an id."""
    return secrets.token_urlsafe(18)


class EmbedKey(TenantModel):
    """The public key of a dealership's website embed (``/embed/<public key>/...``).

    One per dealership; rotating it replaces the row's key, so the old one finds
    nothing at once.
    """

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="banner_embed_key"
    )
    public_key = models.CharField(max_length=64, unique=True, default=new_public_key)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Embed key of {self.organization_id}"


class BannerDailyCount(TenantModel):
    """Impressions and clicks of one banner on one local day of its dealership."""

    banner = models.ForeignKey(Banner, on_delete=models.CASCADE, related_name="daily_counts")
    day = models.DateField(help_text="The dealership's local date.")
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["banner", "day"], name="banner_count_one_per_day"),
        ]
        indexes = [
            models.Index(fields=["organization", "day"], name="banner_count_org_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.banner_id} on {self.day}"
