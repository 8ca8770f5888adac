"""A dealership's inventory source: its feed URL and the schedule beat fetches it on.

The schedule is a django-celery-beat ``PeriodicTask`` per source (name
``Import inventory feed of <slug>``), kept in step with the source here, so the
admin's *Periodic tasks* page shows every dealership's feed with the others.
"""

import json

from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from dealer_media.tenancy.models import Organization

from . import columns
from .fetching import FetchRefused, check_url
from .models import InventorySource

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
    "source_columns_save",
    "source_columns_seen",
    "source_for",
    "source_for_upload",
    "source_save",
]
