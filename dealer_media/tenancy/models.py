"""Dealerships (organizations), their members, and the one way to scope data to them."""

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_domain_name
from django.db import connection, models
from django.http.request import split_domain_port


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone, such as America/Chicago.")


BRAND_COLOUR_DEFAULT = "#b91c1c"  # a deep red: white text on it passes WCAG AA


def validate_brand_colour(value: str) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValidationError(
            f"“{value}” is not a colour we can use: write it as # and six hexadecimal "
            "digits, such as #b91c1c."
        )


def validate_country(value: str) -> None:
    if not isinstance(value, str) or not re.fullmatch(r"([A-Z]{2})?", value):
        raise ValidationError(
            f"“{value}” is not a country code: write its two capital letters, such as US or DE."
        )


def validate_host_names(value: list) -> None:
    if not isinstance(value, list) or not all(isinstance(h, str) for h in value):
        raise ValidationError("Site host names must be a list of host names.")
    for host in value:
        if host != host.lower().strip():
            raise ValidationError(f"Write host name “{host}” in lower case without spaces.")
        validate_domain_name(host)


def normalize_host(host: str) -> str:
    """A Host header or typed host name as stored: lower case, no port, no final dot."""
    domain, _port = split_domain_port(host.lower())
    return domain.rstrip(".")


class OrganizationQuerySet(models.QuerySet):
    def serving_host(self, host: str) -> "Organization | None":
        """The dealership whose website is served under ``host`` (already normalized)."""
        candidates = self.exclude(site_host_names=[])
        if connection.features.supports_json_field_contains:
            return candidates.filter(site_host_names__contains=[host]).order_by("pk").first()
        # SQLite cannot search inside JSON lists; the dealership list is short.
        for organization in candidates.order_by("pk"):
            if host in organization.site_host_names:
                return organization
        return None


class Organization(models.Model):
    """A dealership: everything else in the product belongs to exactly one."""

    class ApprovalPolicy(models.TextChoices):
        OFF = "off", "No approval: contributors save drafts for an editor to schedule"
        CONTRIBUTORS = (
            "contributors",
            "Contributors' posts need approval (owners and editors approve)",
        )
        ALL_BUT_OWNERS = (
            "all_but_owners",
            "Everyone's posts but owners' need approval (owners approve)",
        )

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text="IANA time zone the dealership schedules in, e.g. America/Chicago.",
    )
    site_host_names = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_host_names],
        help_text="Host names the dealer's public website is served under, e.g. www.sunrisemotors.com.",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )
    approval_policy = models.CharField(
        max_length=16,
        choices=ApprovalPolicy.choices,
        default=ApprovalPolicy.CONTRIBUTORS,
        help_text="Whose posts an owner (or an editor) approves before they go out.",
    )
    # The colour of the ribbons drawn on vehicle photos ("Just arrived", "SOLD").
    brand_colour = models.CharField(
        "brand colour",
        max_length=7,
        default=BRAND_COLOUR_DEFAULT,
        validators=[validate_brand_colour],
        help_text="The dealership's colour, as #rrggbb; ribbons on vehicle photos are drawn in it.",
    )
    # Where the dealership is, as the vehicle catalogs ask for it (Meta's address,
    # Google's dealership_address and store_code); the country also sets the locale
    # a feed's prices and mileages are read in.
    street_address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(
        "state or region", max_length=100, blank=True, help_text="For example CA or Ontario."
    )
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2,
        blank=True,
        default="US",
        validators=[validate_country],
        help_text="Two-letter country code (ISO 3166), such as US, CA or DE; empty reads as US.",
    )
    store_code = models.CharField(
        max_length=64,
        blank=True,
        help_text="Your dealership's store code in Google Merchant Center (Google's store_code).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(brand_colour__regex=r"^#[0-9a-f]{6}$"),
                name="organization_brand_colour_hex",
                violation_error_message="Write the brand colour as # and six lower-case "
                "hexadecimal digits, such as #b91c1c.",
            ),
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="organization_country_code",
                violation_error_message="Write the country as its two capital letters, such as US.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.brand_colour = (self.brand_colour or "").lower()  # one spelling per colour
        self.country = (self.country or "").strip().upper()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """One website, one dealership: a host name another dealership uses is refused."""
        if isinstance(self.brand_colour, str):  # #B91C1C typed in the admin: one spelling
            self.brand_colour = self.brand_colour.strip().lower()

        hosts = self.site_host_names if isinstance(self.site_host_names, list) else []
        for host in hosts:
            if isinstance(host, str) and self._host_name_taken(host):
                raise ValidationError(
                    {
                        "site_host_names": f"“{host}” already serves another dealership's "
                        "website; each host name can belong to one dealership only."
                    }
                )

    def _host_name_taken(self, host: str) -> bool:
        taken_by = Organization.objects.exclude(pk=self.pk).serving_host(normalize_host(host))
        return taken_by is not None

    @property
    def editors_approve(self) -> bool:
        """Editors publish and approve, unless their own posts need approval too."""
        return self.approval_policy != self.ApprovalPolicy.ALL_BUT_OWNERS

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def full_address(self) -> str:
        """One line, as Google's dealership_address asks: street, city, region postcode, country."""
        place = " ".join(p for p in (self.region, self.postal_code) if p)
        parts = [self.street_address, self.city, place, self.country if self.street_address else ""]
        return ", ".join(p for p in parts if p)


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"
        CONTRIBUTOR = "contributor", "Contributor"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the person picks this dealership in the portal's switcher; their next
    # sign-in acts for the one chosen last (never chosen: the one they joined first).
    last_chosen_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_org"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "editor", "contributor"]),
                name="membership_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"


class TenantQuerySet(models.QuerySet):
    """Every tenant model's manager: ``Model.objects.for_org(org)`` is how views read data."""

    def for_org(self, organization: Organization | int | None) -> "TenantQuerySet":
        if organization is None:
            return self.none()
        return self.filter(organization=organization)

    def for_user(self, user) -> "TenantQuerySet":
        """Rows of every dealership the user belongs to (all rows for a superuser)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(organization__memberships__user=user)


class TenantModel(models.Model):
    """Abstract base: a row that belongs to one dealership."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Invitation(TenantModel):
    """An owner's invitation to join the dealership with a role, by email.

    The link carries a signed ``(id, nonce)``; it works once (``accepted_at``),
    until ``expires_at`` (7 days), unless revoked. Sending it again draws a new
    nonce, so only the latest email's link works.
    """

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce = models.CharField(max_length=32, editable=False)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        from django.utils import timezone

        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
