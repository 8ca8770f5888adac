"""A dealership's inventory source: its feed URL and the schedule beat fetches it on.

The schedule is a django-celery-beat ``PeriodicTask`` per source (name
``Import inventory feed of <slug>``), kept in step with the source here, so the
admin's *Periodic tasks* page shows every dealership's feed with the others.

"Fetch now" is limited per dealership (``fetch_now_refusal``): once a minute and
``FETCH_NOW_PER_HOUR`` times an hour, counted in the shared cache with
``add`` and ``incr`` (atomic, so every web server counts alike); and a fetch of a
source runs once at a time (``fetch_lock``, held by the task, beat's runs too).
"""

import json
import math
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from dealer_media.tenancy.models import Organization

from . import columns
from .fetching import FetchRefused, check_url
from .models import InventorySource

FETCH_NOW_PER_HOUR = 10

# Fetch now, per dealership: at most once in this many seconds, and this many times an hour.
FETCH_NOW_INTERVAL_SECONDS = 60

TASK = "inventory.tasks.import_inventory_source"


def source_for(*, organization: Organization) -> InventorySource:
    """The dealership's source (an unsaved empty one when it has none yet)."""
    return InventorySource.objects.for_org(organization).first() or InventorySource(
        organization=organization
    )


def _interval(minutes: int) -> IntervalSchedule:
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=minutes, period=IntervalSchedule.MINUTES
    )
    return interval


@transaction.atomic
def source_save(
    *,
    organization: Organization,
    feed_url: str,
    every_minutes: int = 60,
    is_complete: bool = True,
    enabled: bool = True,
) -> InventorySource:
    """Save the feed settings and the beat schedule that fetches the feed."""
    if feed_url:
        check_url(feed_url)  # FetchRefused: not http(s); addresses are checked on each fetch
    source = InventorySource.objects.select_for_update().for_org(
        organization
    ).first() or InventorySource(organization=organization)
    source.feed_url, source.every_minutes = feed_url, every_minutes
    source.is_complete, source.enabled = is_complete, enabled
    source.full_clean()
    source.save()
    task = source.periodic_task or PeriodicTask(
        name=f"Import inventory feed of {organization.slug}"
    )
    task.task, task.args = TASK, json.dumps([source.pk])
    task.interval = _interval(every_minutes)
    task.enabled = enabled and bool(feed_url)
    task.description = f"Fetches and imports {organization.name}'s vehicle feed."
    task.expire_seconds = every_minutes * 60  # a late fetch is replaced by the next one
    task.save()
    if source.periodic_task_id != task.pk:
        source.periodic_task = task
        source.save(update_fields=["periodic_task"])
    return source


@dataclass
class FetchNowRefusal:
    message: str
    status: int  # 409 while a fetch runs, 429 over the limits
    retry_after: int | None = None  # seconds


def _lock_key(source_id: int) -> str:
    return f"inventory:fetch-running:{source_id}"


def fetch_running(*, source_id: int) -> bool:
    return cache.get(_lock_key(source_id)) is not None


@contextmanager
def fetch_lock(*, source_id: int) -> Iterator[bool]:
    """True while this holds the source's fetch; False when another fetch of it runs.

    It lapses on its own after the fetch's deadline and five minutes for the import
    (a worker that died holding it does not block the feed for ever).
    """
    key, token = _lock_key(source_id), secrets.token_hex(8)
    got = cache.add(key, token, timeout=int(settings.FETCH_TOTAL_TIMEOUT_SECONDS) + 300)
    try:
        yield got
    finally:
        if got and cache.get(key) == token:
            cache.delete(key)


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def fetch_now_refusal(*, source: InventorySource) -> FetchNowRefusal | None:
    """Why "Fetch now" may not start a fetch of this source now (and counts it when it may).

    The minute's ``add`` lets one request a minute through, on every web server; only
    that one counts in the hour, so the hour's count is exact.
    """
    if fetch_running(source_id=source.pk):
        return FetchNowRefusal(
            "Your feed is being fetched now; the import shows below when it is done.", status=409
        )
    now, prefix = time.time(), f"inventory:fetch-now:{source.organization_id}"
    window = int(now // 3600)  # clock hours
    hour_key, limit = f"{prefix}:hour:{window}", FETCH_NOW_PER_HOUR
    hour_used = FetchNowRefusal(
        f"“Fetch now” works {limit} times an hour, all used this hour; try again in "
        f"{math.ceil(((window + 1) * 3600 - now) / 60)} minutes "
        "(the schedule fetches the feed meanwhile).",
        status=429,
        retry_after=max(1, math.ceil((window + 1) * 3600 - now)),
    )
    if (cache.get(hour_key) or 0) >= limit:
        return hour_used
    interval = FETCH_NOW_INTERVAL_SECONDS
    if not cache.add(f"{prefix}:last", now + interval, timeout=interval):
        wait = max(1, math.ceil((cache.get(f"{prefix}:last") or now + interval) - now))
        return FetchNowRefusal(
            f"“Fetch now” works once every {interval} seconds; try again in {wait} seconds.",
            status=429,
            retry_after=wait,
        )
    if _count(hour_key, timeout=3600 + 60) > limit:
        return hour_used
    return None


def source_for_upload(*, organization: Organization) -> InventorySource:
    """The dealership's source, saved (with no feed URL) so an upload's columns are kept."""
    source, _ = InventorySource.objects.get_or_create(organization=organization)
    return source


def source_columns_seen(*, source: InventorySource, report: columns.ColumnReport) -> None:
    """Keep the headers a run read, what each became and a sample of each.

    New or changed headers ask the dealer to check the mapping (``confirmed``
    false); the dealer's saved choices are kept for headers that are still there.
    """
    state = source.column_mapping or {}
    saved = state.get("mapping") or {}
    same = state.get("headers") == report.headers
    state = {
        "headers": report.headers,
        "mapping": {h: saved.get(h, f) for h, f in report.mapping.items()},
        "samples": report.samples,
        "confirmed": bool(same and state.get("confirmed")),
    }
    InventorySource.objects.filter(pk=source.pk).update(column_mapping=state)
    source.column_mapping = state


def source_columns_save(*, organization: Organization, mapping: dict[str, str]) -> InventorySource:
    """The dealer's mapping (header → field, "" to ignore), used for the next fetches."""
    with transaction.atomic():
        source = InventorySource.objects.select_for_update().for_org(organization).first()
        if source is None:
            source = InventorySource.objects.create(organization=organization)
        state = dict(source.column_mapping or {})
        headers = state.get("headers") or list(mapping)
        state["mapping"] = {
            h: mapping.get(h, "") if mapping.get(h, "") in columns.FIELD_NAMES else ""
            for h in headers
        }
        state["headers"], state["confirmed"] = headers, True
        source.column_mapping = state
        source.save(update_fields=["column_mapping"])
    return source


__all__ = [
    "FetchRefused",
    "fetch_lock",
    "fetch_now_refusal",
    "source_columns_save",
    "source_columns_seen",
    "source_for",
    "source_for_upload",
    "source_save",
]
