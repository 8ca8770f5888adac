"""Facebook Pages and Instagram accounts of a dealership, and the connecting that made them.

``SocialAccount`` is the dealership's Facebook Page (with the Instagram account
linked to it); ``InstagramLogin`` an Instagram professional account connected
by Instagram Login, with no Page. Both share ``MetaConnection``: an encrypted
token, a status with the reason in words, the permissions Meta granted, when
it was connected and last checked. ``ConnectionAttempt`` is one trip through
Meta's dialog; ``DataDeletionRequest`` one of Meta's data deletion callbacks.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from dealer_media.tenancy.models import TenantModel

from . import crypto


class MetaConnection(TenantModel):
    """What a Facebook Page and an Instagram Login connection have in common.

    The token is kept only encrypted (``token_encrypted``); it is never shown in
    the admin, a page, a log or an error message. ``status`` says whether posts
    can go out; ``last_error`` says why not, in words. ``notified_at`` is set
    when the owners were emailed about the current incident, so a dead token
    sends one email, not one per post.
    """

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
        DISABLED = "disabled", "Disabled"

    token_encrypted = models.TextField(editable=False, blank=True)
    token_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty for long-lived Page tokens that do not expire."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)
    last_error = models.TextField(blank=True)
    verified_at = models.DateTimeField("last checked", null=True, blank=True)
    permissions = models.JSONField(
        default=list, blank=True, help_text="The permissions Meta granted, as last checked."
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

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
    def is_usable(self) -> bool:
        return self.status == self.Status.CONNECTED and self.has_token and not self.token_expired


class SocialAccount(MetaConnection):
    """The dealership's Facebook Page, its linked Instagram account and the Page token."""

    page_id = models.CharField("Facebook Page id", max_length=64)
    page_name = models.CharField(max_length=255, blank=True)
    page_picture_url = models.URLField(max_length=1000, blank=True)
    instagram_account_id = models.CharField(
        "Instagram account id",
        max_length=64,
        blank=True,
        help_text="The Instagram professional account linked to the Page (filled on verification).",
    )
    instagram_username = models.CharField(max_length=255, blank=True)
    facebook_user_id = models.CharField(
        "Facebook user id",
        max_length=64,
        blank=True,
        help_text="The app-scoped id of the person who connected the Page (Meta's callbacks "
        "name them by it).",
    )
    data_access_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Meta's data access expiry for the grant (90 days)."
    )

    class Meta:
        verbose_name = "social account"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="social_account_one_per_org"),
            # A Page is connected to one dealership at most.
            models.UniqueConstraint(
                fields=["page_id"], condition=~Q(page_id=""), name="social_account_page_once"
            ),
        ]

    def __str__(self) -> str:
        return self.page_name or f"Page {self.page_id}"

    def __repr__(self) -> str:  # never the token, not even encrypted
        return f"<SocialAccount {self.pk} page={self.page_id} status={self.status}>"

    @property
    def profile_urls(self) -> dict[str, str]:
        """Where a person checks what was published: the Page and the Instagram profile."""
        urls = {"facebook": f"https://www.facebook.com/{self.page_id}"} if self.page_id else {}
        if self.instagram_username:
            urls["instagram"] = f"https://www.instagram.com/{self.instagram_username}/"
        return urls


class InstagramLogin(MetaConnection):
    """An Instagram professional account connected by Instagram Login (no Facebook Page).

    Its token is an Instagram User token, used on ``INSTAGRAM_GRAPH_URL``; it lives
    60 days and is refreshed well before (``social.health.refresh_instagram_tokens``).
    While a dealership has one, Instagram posts go through it, not through the Page.
    """

    instagram_user_id = models.CharField("Instagram user id", max_length=64)
    username = models.CharField(max_length=255, blank=True)
    picture_url = models.URLField(max_length=1000, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Instagram Login connection"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="instagram_login_one_per_org"),
            models.UniqueConstraint(fields=["instagram_user_id"], name="instagram_login_once"),
        ]

    def __str__(self) -> str:
        return f"@{self.username}" if self.username else f"Instagram {self.instagram_user_id}"

    def __repr__(self) -> str:
        return f"<InstagramLogin {self.pk} user={self.instagram_user_id} status={self.status}>"

    @property
    def instagram_account_id(self) -> str:  # what the Instagram publisher posts to
        return self.instagram_user_id

    @property
    def profile_url(self) -> str:
        return f"https://www.instagram.com/{self.username}/" if self.username else ""


class ConnectionAttempt(TenantModel):
    """One trip through Meta's dialog: the ``state`` we sent, and what came back.

    Only a hash of the state is stored. It is bound to the session that started
    it (``session_binding``, a hash of a random value kept in that session) and
    to the dealership; it expires after ``connect_state.STATE_LIFETIME_SECONDS`` and is used
    once (``used_at``, claimed by a conditional UPDATE). After the callback it
    holds the long-lived user token, encrypted, while the person picks a Page.
    """

    class Provider(models.TextChoices):
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"

    provider = models.CharField(max_length=16, choices=Provider.choices)
    state_hash = models.CharField(max_length=64, unique=True)
    session_binding = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    user_token_encrypted = models.TextField(blank=True, editable=False)
    facebook_user_id = models.CharField(max_length=64, blank=True)
    granted = models.JSONField(default=list, blank=True)
    declined = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="connection_attempt_expiry")]

    def __repr__(self) -> str:
        return f"<ConnectionAttempt {self.pk} {self.provider} used={bool(self.used_at)}>"

    def get_user_token(self) -> str:
        return crypto.decrypt(self.user_token_encrypted) if self.user_token_encrypted else ""


class DataDeletionRequest(models.Model):
    """Meta asked us to delete what we hold of one of its users (App Review requires it).

    Not a dealership's row: the person may have connected several dealerships.
    Only a hash of their app-scoped id is kept, with what was deleted, so the
    status page at ``/meta/deletion/<code>`` can say what happened.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        COMPLETED = "completed", "Completed"

    provider = models.CharField(max_length=16, choices=ConnectionAttempt.Provider.choices)
    confirmation_code = models.CharField(max_length=32, unique=True)
    user_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    connections_deleted = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Data deletion {self.confirmation_code} ({self.get_status_display()})"
