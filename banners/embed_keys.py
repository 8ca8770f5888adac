"""The per-dealership public key of the website embed: made, rotated, looked up.

A lookup is cached (the embed is hit by every visitor of the dealer's site), so a
cached embed makes no database query. Entries carry a version that every rotation
bumps (now and again at commit, as banners/cache.py does), so the old key answers
404 at once on every web server, even if a reader refilled the cache in between.
Rotations are rare: one version for all dealerships is enough.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from .cache import bump_version, read_version
from .models import EmbedKey, new_public_key

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_MISSING = "missing"
# An unknown key is remembered briefly, so guessed keys cost few queries.
MISSING_KEY_CACHE_SECONDS = 60


@dataclass(frozen=True)
class EmbedSite:
    """What the embed needs of the dealership behind a key: plain data, cheap to cache."""

    organization_id: int
    timezone: str
    site_host: str  # the first of its website's host names, or ""
    public_key: str

    @property
    def organization(self) -> Organization:
        """An unsaved stand-in: enough for the banner selectors (pk and time zone)."""
        return Organization(pk=self.organization_id, timezone=self.timezone)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


VERSION_KEY = "banners:embed-keys:version"


def _cache_key(public_key: str) -> str:
    return f"banners:embed-key:{public_key}"


def _version() -> int:
    return read_version(VERSION_KEY)


def _bump() -> None:
    bump_version(VERSION_KEY)


def embed_key_for(*, organization: Organization) -> EmbedKey:
    """The dealership's key, made on first use."""
    key, _ = EmbedKey.objects.get_or_create(organization=organization)
    return key


@transaction.atomic
def embed_key_rotate(*, organization: Organization) -> EmbedKey:
    """A new random key; the old one stops working at once (its cache entry goes too)."""
    key, _ = EmbedKey.objects.select_for_update().get_or_create(organization=organization)
    key.public_key = new_public_key()
    key.rotated_at = timezone.now()
    key.save(update_fields=["public_key", "rotated_at"])
    # No entry of the old key is read again: the version changes now and at commit.
    _bump()
    transaction.on_commit(_bump, robust=True)
    return key


def embed_site(*, public_key: str) -> EmbedSite | None:
    """The dealership of a public key, or None; usually from the cache."""
    if not KEY_PATTERN.fullmatch(public_key):
        return None
    version = _version()
    cached = cache.get(_cache_key(public_key), version=version)
    if cached == _MISSING:
        return None
    if isinstance(cached, EmbedSite):
        return cached
    row = (
        EmbedKey.objects.select_related("organization")
        .filter(public_key=public_key)
        .only("public_key", "organization__timezone", "organization__site_host_names")
        .first()
    )
    if row is None:
        cache.set(_cache_key(public_key), _MISSING, MISSING_KEY_CACHE_SECONDS, version=version)
        return None
    hosts = row.organization.site_host_names
    site = EmbedSite(
        organization_id=row.organization_id,
        timezone=row.organization.timezone,
        site_host=hosts[0] if isinstance(hosts, list) and hosts else "",
        public_key=row.public_key,
    )
    cache.set(_cache_key(public_key), site, settings.BANNERS_CACHE_SECONDS, version=version)
    return site
