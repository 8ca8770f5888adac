"""Facebook Pages and Instagram accounts of a dealership."""

from django.db import models
from django.utils import timezone

from dealer_media.tenancy.models import TenantModel

from . import crypto


class SocialAccount(TenantModel):
    """The dealership's Facebook Page, its linked Instagram account and the Page token.

    The token is kept only encrypted (``token_encrypted``); it is never shown in
    the admin, a page, a log or an error message. ``status`` tells the portal
    whether the Facebook and Instagram checkboxes can be used.
    """

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
        DISABLED = "disabled", "Disabled"

    page_id = models.CharField("Facebook Page id", max_length=64)
    page_name = models.CharField(max_length=255, blank=True)
    instagram_account_id = models.CharField(
        "Instagram account id",
        max_length=64,
        blank=True,
        help_text="The Instagram professional account linked to the Page (filled on verification).",
    )
    instagram_username = models.CharField(max_length=255, blank=True)
    token_encrypted = models.TextField(editable=False, blank=True)
    token_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty for long-lived Page tokens that do not expire."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)
    last_error = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "social account"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="social_account_one_per_org"),
        ]

    def __str__(self) -> str:
        return self.page_name or f"Page {self.page_id}"

    def __repr__(self) -> str:  # never the token, not even encrypted
        return f"<SocialAccount {self.pk} page={self.page_id} status={self.status}>"

    def set_token(self, token: str) -> None:
        self.token_encrypted = crypto.encrypt(token.strip())

    def get_token(self) -> str:
        return crypto.decrypt(self.token_encrypted) if self.token_encrypted else ""

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)

    @property
    def token_expired(self) -> bool:
        return self.token_expires_at is not None and self.token_expires_at <= timezone.now()

    @property
    def profile_urls(self) -> dict[str, str]:
        """Where a person checks what was published: the Page and the Instagram profile."""
        urls = {"facebook": f"https://www.facebook.com/{self.page_id}"} if self.page_id else {}
        if self.instagram_username:
            urls["instagram"] = f"https://www.instagram.com/{self.instagram_username}/"
        return urls

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.CONNECTED and self.has_token and not self.token_expired
