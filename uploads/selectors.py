"""Reads about a dealership's uploads."""

import datetime
from typing import NamedTuple

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from uploads.models import Upload


class OpenUploads(NamedTuple):
    count: int
    bytes: int


def open_uploads(
    *, organization: Organization, now: datetime.datetime | None = None
) -> QuerySet[Upload]:
    """Uploads that hold room on disk: not yet turned into an item, not expired."""
    return Upload.objects.for_org(organization).filter(
        state__in=[Upload.State.RECEIVING, Upload.State.COMPLETE],
        expires_at__gte=now or timezone.now(),
    )


def open_upload_totals(*, organization: Organization) -> OpenUploads:
    """How many open uploads the dealership has and how many bytes they were promised."""
    totals = open_uploads(organization=organization).aggregate(
        count=Count("pk"), bytes=Sum("length", default=0)
    )
    return OpenUploads(count=totals["count"], bytes=totals["bytes"])
