"""What a dealership's inventory does by itself: its rules, their posting times, the posts and Reels they made.

Defined here to keep ``models.py`` to the vehicles and their imports;
``models.py`` imports these, so they are ``inventory.models.InventoryRule`` and
the others, in the same app and tables as before.
"""

from django.conf import settings
from django.db import models

from dealer_media.tenancy.models import TenantModel

from .captions import validate_template
from .posting_times import default_posting_times, validate_posting_times


class PostingTimes(TenantModel):
    """When the dealership's automatic posts go out: local times per weekday."""

    times = models.JSONField(default=default_posting_times, validators=[validate_posting_times])

    class Meta:
        verbose_name_plural = "posting times"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="posting_times_one_per_org"),
        ]

    def __str__(self) -> str:
        return f"Posting times of {self.organization}"


class InventoryRule(TenantModel):
    """Just arrived, Price drop or Sold: what the dealership's inventory posts by itself."""

    class Kind(models.TextChoices):
        JUST_ARRIVED = "just_arrived", "Just arrived"
        PRICE_DROP = "price_drop", "Price drop"
        SOLD = "sold", "Sold"

    class Mode(models.TextChoices):
        OFF = "off", "Off"
        DRAFT = "draft", "Create a draft to review"
        SCHEDULE = "schedule", "Schedule at the next posting time"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.OFF)
    post_to_facebook = models.BooleanField(default=True)
    post_to_instagram = models.BooleanField(default=True)
    post_to_banner = models.BooleanField(default=False)
    banner_days = models.PositiveSmallIntegerField(
        default=7, help_text="The website banner ends this many days after it starts."
    )
    caption_template = models.TextField(validators=[validate_template])
    ribbon = models.BooleanField(
        "draw a ribbon",
        default=True,
        help_text="The post's cover photo shows a ribbon (“Just arrived”, “Price drop: $X”, "
        "“SOLD”) in the dealership's colour, with its name.",
    )
    # Price drop only: at least this much lower, in money or in percent (either is enough).
    min_drop_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    min_drop_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"], name="inventory_rule_one_per_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["just_arrived", "price_drop", "sold"]),
                name="inventory_rule_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=["off", "draft", "schedule"]),
                name="inventory_rule_mode_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_mode_display()}) of {self.organization}"

    @property
    def destinations(self) -> list[str]:
        chosen = [
            (self.post_to_facebook, "facebook"),
            (self.post_to_instagram, "instagram"),
            (self.post_to_banner, "banner"),
        ]
        return [name for wanted, name in chosen if wanted]


class VehiclePost(TenantModel):
    """A post a rule made for a vehicle (the library item that leads it), once per event."""

    vehicle = models.ForeignKey("inventory.Vehicle", on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=12, choices=InventoryRule.Kind.choices)
    media_content = models.ForeignKey(
        "media_content.MediaContent", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_at = models.DateTimeField()  # the arrival, the drop or the sale it is about
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "kind", "event_at"], name="vehicle_post_once_per_event"
            ),
        ]


class VehicleReel(TenantModel):
    """A Reel made from a vehicle's photos in the worker (reels.py), and how that went.

    One is made at a time per vehicle (the partial unique constraint); the
    video is a library item like an upload, so it is processed and posted as one.
    """

    class Status(models.TextChoices):
        BUILDING = "building", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    vehicle = models.ForeignKey("inventory.Vehicle", on_delete=models.CASCADE, related_name="reels")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.BUILDING)
    media_content = models.ForeignKey(
        "media_content.MediaContent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vehicle_reels",
    )
    error = models.TextField(blank=True)  # why it could not be made, in words
    photo_ids = models.JSONField(default=list, blank=True)  # the library items it shows, in order
    seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # the worker's claim
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"],
                condition=models.Q(status="building"),
                name="vehicle_reel_one_building",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["building", "done", "failed"]),
                name="vehicle_reel_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Reel of {self.vehicle} ({self.get_status_display()})"
