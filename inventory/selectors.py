"""What the inventory pages read."""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from .models import ImportRun, Vehicle, VehiclePhoto, VehicleReel


def vehicle_list(
    *,
    organization: Organization,
    q: str = "",
    state: str = "",
    availability: str = "",
    make: str = "",
) -> QuerySet:
    """The dealership's vehicles, newest in stock first, searched and filtered."""
    vehicles = Vehicle.objects.for_org(organization)
    if q:
        for word in q.split()[:6]:
            vehicles = vehicles.filter(
                Q(make__icontains=word)
                | Q(model__icontains=word)
                | Q(trim__icontains=word)
                | Q(vin__icontains=word)
                | Q(stock_number__iexact=word)
                | Q(year__icontains=word)
            )
    if state in Vehicle.State.values:
        vehicles = vehicles.filter(state_of_vehicle=state)
    if availability in Vehicle.Availability.values:
        vehicles = vehicles.filter(availability=availability)
    if make:
        vehicles = vehicles.filter(make__iexact=make)
    covers = VehiclePhoto.objects.filter(file__isnull=False).select_related("file")
    reels = VehicleReel.objects.select_related("media_content").order_by("-created_at", "-pk")
    return vehicles.prefetch_related(
        Prefetch("photos", queryset=covers.order_by("position"), to_attr="library_photos"),
        Prefetch("reels", queryset=reels, to_attr="reels_newest_first"),
    ).order_by("-first_seen_at", "pk")


def latest_reel(vehicle: Vehicle) -> VehicleReel | None:
    """The vehicle's newest Reel (being made, ready or failed), from vehicle_list's prefetch."""
    return next(iter(getattr(vehicle, "reels_newest_first", [])), None)


def cover_url(vehicle: Vehicle) -> str:
    """The first photo's thumbnail (its file while the thumbnail is being made), or ""."""
    for photo in getattr(vehicle, "library_photos", []):
        return photo.file.thumbnail_url or photo.file.media_url
    return ""


def makes(*, organization: Organization) -> list[str]:
    return list(
        Vehicle.objects.for_org(organization)
        .order_by("make")
        .values_list("make", flat=True)
        .distinct()
    )


def days_in_stock(vehicle: Vehicle, *, today: datetime.date, tzinfo) -> int:
    """Days from first seen to sold (or to today), on the dealership's local dates."""
    first = timezone.localtime(vehicle.first_seen_at, tzinfo).date()
    last = timezone.localtime(vehicle.sold_at, tzinfo).date() if vehicle.sold_at else today
    return max((last - first).days, 0)


def recent_runs(*, organization: Organization, limit: int = 10) -> list[ImportRun]:
    return list(ImportRun.objects.for_org(organization).order_by("-started_at", "-pk")[:limit])
