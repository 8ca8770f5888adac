"""The dealer's stock as its inventory feed lists it, where the feed comes from, and each import.

Field names are those of Meta's vehicle catalog feed (``vehicle_id``, ``vin``,
``state_of_vehicle``, ``availability``...), so a column maps to a field by name.
"""

import os
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models
from django.db.models.functions import Coalesce

from dealer_media.tenancy.models import TenantModel


class Vehicle(TenantModel):
    """One vehicle of the dealership's stock, found by its VIN (one per dealership)."""

    class State(models.TextChoices):
        NEW = "new", "New"
        USED = "used", "Used"
        CPO = "cpo", "Certified pre-owned"

    class Availability(models.TextChoices):
        AVAILABLE = "available", "Available"
        PENDING = "pending", "Pending"
        SOLD = "sold", "Sold"

    vin = models.CharField("VIN", max_length=17)
    vehicle_id = models.CharField(max_length=100, blank=True)
    stock_number = models.CharField(max_length=50, blank=True)
    make = models.CharField(max_length=60)
    model = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField()
    trim = models.CharField(max_length=100, blank=True)
    mileage_value = models.PositiveIntegerField(null=True, blank=True)
    mileage_unit = models.CharField(max_length=2, blank=True)  # MI or KM, as Meta spells it
    price = models.DecimalField(max_digits=10, decimal_places=2)
    sale_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    # The asking price before the last drop (sale price when there is one, else price).
    previous_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    price_dropped_at = models.DateTimeField(null=True, blank=True)
    state_of_vehicle = models.CharField(max_length=4, choices=State.choices, blank=True)
    exterior_color = models.CharField(max_length=60, blank=True)
    body_style = models.CharField(max_length=60, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    image_urls = models.JSONField(default=list, blank=True)  # image[0].url … image[n].url
    description = models.TextField(blank=True)
    availability = models.CharField(
        max_length=9, choices=Availability.choices, default=Availability.AVAILABLE
    )
    first_seen_at = models.DateTimeField()
    sold_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    # The import run that last listed this vehicle: whoever is not in a complete feed sold.
    seen_in_run = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-first_seen_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "vin"], name="vehicle_unique_vin"),
            models.CheckConstraint(
                condition=models.Q(availability__in=["available", "pending", "sold"]),
                name="vehicle_availability_known",
            ),
            models.CheckConstraint(
                condition=models.Q(sold_at__isnull=True) | models.Q(availability="sold"),
                name="vehicle_sold_at_only_when_sold",
            ),
        ]
        indexes = [models.Index(fields=["organization", "availability", "make"])]

    def __str__(self) -> str:
        return f"{self.year} {self.make} {self.model} ({self.vin})"

    @property
    def asking_price(self):
        """What the car costs today: the sale price when the feed has one."""
        return self.sale_price if self.sale_price is not None else self.price

    @staticmethod
    def asking_price_expression() -> Coalesce:
        return Coalesce("sale_price", "price")


class InventorySource(TenantModel):
    """Where a dealership's feed comes from, and how often it is fetched (one per dealership)."""

    feed_url = models.URLField("Feed URL", max_length=1000, blank=True)
    every_minutes = models.PositiveIntegerField(
        default=60, help_text="How often the feed is fetched, in minutes (hourly by default)."
    )
    is_complete = models.BooleanField(
        default=True,
        help_text="The feed lists every vehicle in stock: a vehicle missing from it has sold.",
    )
    enabled = models.BooleanField(default=True)
    # How the feed's columns are read: {"headers": [...], "mapping": {header: field or ""},
    # "samples": {header: value}, "confirmed": bool}; the dealer's changes are kept here.
    column_mapping = models.JSONField(default=dict, blank=True)
    # The feed's schedule lives in django-celery-beat, so beat runs it and the admin shows it.
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="inventory_source_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(every_minutes__gte=15), name="inventory_source_every_15_min"
            ),
        ]

    def __str__(self) -> str:
        return f"Inventory feed of {self.organization}"


class ImportRun(TenantModel):
    """One reading of a feed: what it changed, or why it changed nothing."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        HELD = "held", "Held: asks before marking vehicles sold"
        DONE = "done", "Done"
        FAILED = "failed", "Failed (nothing changed)"

    class SoldDecision(models.TextChoices):
        NONE = "", "Not asked"
        CONFIRMED = "confirmed", "Confirmed: marked sold"
        REFUSED = "refused", "Refused: none marked sold"

    class Origin(models.TextChoices):
        FEED = "feed", "Feed URL"
        UPLOAD = "upload", "Uploaded file"

    source = models.ForeignKey(
        InventorySource, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    origin = models.CharField(max_length=6, choices=Origin.choices)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # why a failed run changed nothing, in words
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    price_dropped = models.PositiveIntegerField(default=0)
    sold = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    # [{"line": 12, "vin": "…", "reason": "…"}], the first importing.REFUSED_ROWS_KEPT of them.
    refused_rows = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)  # same shape: a check digit, say
    # {"mapped": {header: field}, "ignored": [header, ...]}: what the run read and left out.
    columns = models.JSONField(default=dict, blank=True)
    # [{"field": "images", "count": 12, "message": "12 vehicles have no photo: ..."}]
    missing = models.JSONField(default=list, blank=True)
    # The sold guard: a complete feed that would mark more than a third of the stock sold
    # is held with its other changes made; an owner confirms or refuses the sales.
    held_sold = models.PositiveIntegerField(default=0)
    stock_before = models.PositiveIntegerField(default=0)
    sold_decision = models.CharField(
        max_length=9, choices=SoldDecision.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "held", "done", "failed"]),
                name="import_run_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(sold_decision="") | models.Q(status="done"),
                name="import_run_decided_only_when_done",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="held") | models.Q(held_sold__gt=0),
                name="import_run_held_has_sales",
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class KeptUploadStorage(FileSystemStorage):
    """Kept feed files on this host, outside MEDIA_ROOT (never served): INVENTORY_KEPT_UPLOAD_DIR."""

    @property
    def base_location(self) -> str:
        return str(settings.INVENTORY_KEPT_UPLOAD_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def _kept_upload_storage():
    """The private media bucket on S3 (no public URL); else a directory no URL reaches."""
    return default_storage if settings.MEDIA_STORAGE == "s3" else KeptUploadStorage()


def _kept_upload_to(instance: "KeptUpload", filename: str) -> str:
    return f"org-{instance.organization_id}/inventory-uploads/{secrets.token_hex(16)}.feed"


class KeptUpload(TenantModel):
    """An uploaded feed file whose columns need mapping, kept until the dealer maps them.

    One per dealership (a new one replaces it); deleted once imported, discarded,
    or past ``expires_at`` (kept_uploads.py).
    """

    file = models.FileField(upload_to=_kept_upload_to, storage=_kept_upload_storage, max_length=255)
    original_name = models.CharField(max_length=200)
    size_bytes = models.PositiveBigIntegerField(default=0)
    is_complete = models.BooleanField(default=False)  # the upload form's "lists every vehicle"
    headers = models.JSONField(default=list, blank=True)  # its columns, as the mapper showed them
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="kept_upload_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} kept for {self.organization_id}"


class VehiclePhoto(TenantModel):
    """One photo of a vehicle's feed, fetched by the worker into the file library (or why not).

    The file is shared when the same bytes come twice (sha256): one car's
    photo listed under two URLs, or a stock photo used for several cars.
    """

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="photos")
    source_url = models.URLField(max_length=1000)
    position = models.PositiveSmallIntegerField()  # its place in the feed's image list
    file = models.ForeignKey(
        "library.MediaFile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vehicle_photos",
    )
    error = models.TextField(blank=True)  # why it could not be fetched or used, in words
    attempts = models.PositiveSmallIntegerField(default=0)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vehicle", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "source_url"], name="vehicle_photo_unique_url"
            ),
        ]

    def __str__(self) -> str:
        return f"Photo {self.position + 1} of {self.vehicle}"


# The rules, their posting times, posts and Reels (rule_models.py), and the catalogs' models.
from .catalogs.models import CatalogFeed, CatalogFetch  # noqa: E402
from .rule_models import InventoryRule, PostingTimes, VehiclePost, VehicleReel  # noqa: E402

__all__ = [
    "CatalogFeed",
    "CatalogFetch",
    "ImportRun",
    "InventoryRule",
    "InventorySource",
    "KeptUpload",
    "PostingTimes",
    "Vehicle",
    "VehiclePhoto",
    "VehiclePost",
    "VehicleReel",
]
