"""A dealership's inventory source: its feed URL and the schedule beat fetches it on.

The schedule is a django-celery-beat ``PeriodicTask`` per source (name
``Import inventory feed of <slug>``), kept in step with the source here, so the
admin's *Periodic tasks* page shows every dealership's feed with the others.
"""

import json

from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from dealer_media.tenancy.models import Organization

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


__all__ = ["FetchRefused", "source_for", "source_save"]
