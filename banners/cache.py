"""The cache of each dealership's active banners, and how it is invalidated.

Entries are keyed by organization and the organization's *local date*, so a
banner starts and ends on time with no job: at local midnight the key changes.
Invalidation is a version number per organization; saving, deleting or
reordering a banner bumps it, and every older entry is ignored from then on
(and expires on its own).
"""

from __future__ import annotations

import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

# Part of every entry's key: bump it when the cached data's shape (``Slide``) changes,
# so that a deploy never reads entries pickled by the previous code.
SCHEMA = 2


def _version_key(organization_id: int) -> str:
    return f"banners:version:{organization_id}"


def active_key(organization_id: int, day: datetime.date) -> str:
    return f"banners:active:{SCHEMA}:{organization_id}:{day.isoformat()}"


def read_version(key: str) -> int:
    """A version number kept in the cache under ``key`` (made on first read)."""
    version = cache.get(key)
    if version is None:
        # Never 1 again after an eviction: a fresh number cannot match an old entry.
        cache.add(key, time.time_ns(), timeout=None)
        version = cache.get(key, 1)
    return version


def bump_version(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no version yet (or evicted): any fresh number will do
        cache.set(key, time.time_ns(), timeout=None)


def current_version(organization_id: int) -> int:
    return read_version(_version_key(organization_id))


def _bump(organization_id: int) -> None:
    bump_version(_version_key(organization_id))


def invalidate_active_banners(organization_id: int) -> None:
    """Drop the organization's cached banners now and again when the transaction commits.

    Now, so that the same transaction reads its own change; at commit, so that a
    request that refilled the cache from the old rows in between is not kept.
    """
    _bump(organization_id)
    transaction.on_commit(lambda: _bump(organization_id), robust=True)


def get_active(organization_id: int, day: datetime.date, version: int):
    return cache.get(active_key(organization_id, day), version=version)


def set_active(organization_id: int, day: datetime.date, value, version: int) -> None:
    cache.set(
        active_key(organization_id, day),
        value,
        settings.BANNERS_CACHE_SECONDS,
        version=version,
    )


def fragment_key(organization_id: int, day: datetime.date, variant: str) -> str:
    return f"banners:html:{SCHEMA}:{organization_id}:{day.isoformat()}:{variant}"


def get_fragment(organization_id: int, day: datetime.date, variant: str, version: int):
    return cache.get(fragment_key(organization_id, day, variant), version=version)


def set_fragment(
    organization_id: int, day: datetime.date, variant: str, html: str, version: int
) -> None:
    cache.set(
        fragment_key(organization_id, day, variant),
        html,
        settings.BANNERS_CACHE_SECONDS,
        version=version,
    )
