"""A dealership's catalog feeds: the secret token in their URLs, their settings, who read them."""

import secrets

from django.db import models

from dealer_media.tenancy.models import TenantModel


def new_catalog_token() -> str:
    """A random, URL-safe token (144 bits): it alone names the dealership in catalog URLs."""
    return secrets.token_urlsafe(18)


class CatalogFeed(TenantModel):
    """The dealership's catalog feeds: one token for all of them, and what they carry.

    Rotating replaces the token, so every old URL finds nothing at once.
    """

    class Photos(models.TextChoices):
        FEED = "feed", "The photos of my inventory feed"
        LIBRARY = "library", "Dealer Media's copies of them (resized JPEGs)"

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="catalog_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_catalog_token)
    photos = models.CharField(max_length=7, choices=Photos.choices, default=Photos.FEED)
    sold_recently_days = models.PositiveSmallIntegerField(
        default=0,
        help_text="Keep a sold vehicle this many days as “sold” where the catalog has that "
        "state (Meta's availability); 0 drops it at the next import.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(photos__in=["feed", "library"]), name="catalog_photos_known"
            ),
            models.CheckConstraint(
                condition=models.Q(sold_recently_days__lte=30),
                name="catalog_sold_recently_at_most_30",
            ),
        ]

    def __str__(self) -> str:
        return f"Catalog feeds of {self.organization_id}"


class CatalogFetch(TenantModel):
    """When a catalog's URL was last read (Meta's, Google's or TikTok's fetcher), per URL."""

    catalog = models.CharField(max_length=12)  # a key of catalogs.rules.CATALOGS
    last_fetched_at = models.DateTimeField()
    last_user_agent = models.CharField(max_length=300, blank=True)
    fetches = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "catalog"], name="catalog_fetch_one_per_catalog"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.catalog} of {self.organization_id} read at {self.last_fetched_at}"
