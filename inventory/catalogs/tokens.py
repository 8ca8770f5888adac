"""The secret token of a dealership's catalog URLs: made, rotated, looked up; and the catalogs' version.

As the embed key (banners/embed_keys.py): the token-to-dealership lookup is
cached under a version every rotation bumps now and at commit, so an old token
answers 404 at once on every server. Each dealership's catalogs also have a
version (and when it changed), bumped whenever what they carry may have changed;
the ETag and Last-Modified come from it, so a 304 needs no database query.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from banners.cache import bump_version, read_version
from dealer_media.tenancy.models import Organization

from .models import CatalogFeed, new_catalog_token

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
VERSION_KEY = "inventory:catalog-tokens:version"
_MISSING = "missing"
MISSING_TOKEN_CACHE_SECONDS = 60


@dataclass(frozen=True)
class CatalogSite:
    """What a catalog answer needs of the dealership behind a token: plain data, cheap to cache."""

    organization_id: int
    token: str


def _cache_key(token: str) -> str:
    return f"inventory:catalog-token:{token}"


def feed_for(*, organization: Organization) -> CatalogFeed:
    """The dealership's catalog settings and token, made on first use."""
    feed, _ = CatalogFeed.objects.get_or_create(organization=organization)
    return feed


@transaction.atomic
def token_rotate(*, organization: Organization) -> CatalogFeed:
    """A new random token; every URL with the old one answers 404 at once."""
    feed, _ = CatalogFeed.objects.select_for_update().get_or_create(organization=organization)
    feed.token = new_catalog_token()
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    bump_version(VERSION_KEY)
    transaction.on_commit(lambda: bump_version(VERSION_KEY), robust=True)
    return feed


def catalog_site(*, token: str) -> CatalogSite | None:
    """The dealership of a token, or None; usually from the cache."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    version = read_version(VERSION_KEY)
    cached = cache.get(_cache_key(token), version=version)
    if cached == _MISSING:
        return None
    if isinstance(cached, CatalogSite):
        return cached
    row = CatalogFeed.objects.filter(token=token).values_list("organization_id", flat=True).first()
    if row is None:
        cache.set(_cache_key(token), _MISSING, MISSING_TOKEN_CACHE_SECONDS, version=version)
        return None
    site = CatalogSite(organization_id=row, token=token)
    cache.set(_cache_key(token), site, settings.BANNERS_CACHE_SECONDS, version=version)
    return site


def _content_key(organization_id: int) -> str:
    return f"inventory:catalog-content:{organization_id}"


def content_version(organization_id: int) -> tuple[int, float]:
    """(version, when it changed as a Unix time) of the dealership's catalogs' content."""
    value = cache.get(_content_key(organization_id))
    if value is None:
        value = (time.time_ns(), time.time())
        cache.add(_content_key(organization_id), value, timeout=None)
        value = cache.get(_content_key(organization_id), value)
    return value


def content_changed(organization_id: int) -> None:
    """What the catalogs carry may have changed: new ETag and Last-Modified, now and at commit."""

    def bump() -> None:
        old = cache.get(_content_key(organization_id))
        number = old[0] + 1 if old else time.time_ns()
        cache.set(_content_key(organization_id), (number, time.time()), timeout=None)

    bump()
    transaction.on_commit(bump, robust=True)
