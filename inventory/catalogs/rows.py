"""A vehicle as each catalog carries it: the row values, and why a vehicle is left out."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from library.models import Rendition

from ..models import Vehicle, VehiclePhoto
from .copies import copies_request
from .models import CatalogFeed
from .reasons import DEALERSHIP_VALUES, REASONS
from .rules import PHOTO_COPY, Catalog

CHUNK = 500
GOOGLE_CARS_CATEGORY = "916"  # Vehicles & Parts > Vehicles > Motor Vehicles > Cars, Trucks & Vans
_META_BODY = {
    "convertible": "CONVERTIBLE",
    "coupe": "COUPE",
    "hatchback": "HATCHBACK",
    "minivan": "MINIVAN",
    "truck": "TRUCK",
    "pickup": "TRUCK",
    "suv": "SUV",
    "sedan": "SEDAN",
    "van": "VAN",
    "wagon": "WAGON",
    "crossover": "CROSSOVER",
}


@dataclass(frozen=True)
class Dealership:
    """The dealership's side of every row, read once per feed."""

    name: str
    addr1: str
    city: str
    region: str
    postal_code: str
    country: str
    store_code: str
    address: str
    fb_page_id: str
    photos: str
    sold_recently_days: int

    @classmethod
    def of(cls, organization: Organization, feed: CatalogFeed) -> "Dealership":
        from social.models import SocialAccount

        page = SocialAccount.objects.for_org(organization).values_list("page_id", flat=True)
        return cls(
            name=organization.name,
            addr1=organization.street_address,
            city=organization.city,
            region=organization.region,
            postal_code=organization.postal_code,
            country=organization.country,
            store_code=organization.store_code,
            address=organization.full_address,
            fb_page_id=next(iter(page), ""),
            photos=feed.photos,
            sold_recently_days=feed.sold_recently_days,
        )


def vehicles(*, organization: Organization, dealership: Dealership, catalog: Catalog) -> QuerySet:
    """In stock (and sold lately, where the catalog has a sold state and the dealer wants it)."""
    wanted = ~Q(availability=Vehicle.Availability.SOLD)
    if catalog.sold_state and dealership.sold_recently_days:
        since = timezone.now() - datetime.timedelta(days=dealership.sold_recently_days)
        wanted |= Q(availability=Vehicle.Availability.SOLD, sold_at__gte=since)
    queryset = Vehicle.objects.for_org(organization).filter(wanted).order_by("pk")
    # Each feed photo's library item (its size) and, for copies, the stored copy.
    copies = Rendition.objects.filter(spec=PHOTO_COPY.spec).only("media_id", "width", "height")
    photos = (
        VehiclePhoto.objects.select_related("file")
        .prefetch_related(Prefetch("file__renditions", queryset=copies, to_attr="catalog_copies"))
        .only(
            "vehicle_id",
            "source_url",
            "file",
            "file__id",
            "file__width",
            "file__height",
        )
    )
    return queryset.prefetch_related(Prefetch("photos", queryset=photos, to_attr="feed_photos"))


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    text = f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"
    return f"{text} {currency}"


def tracked(url: str, *, source: str) -> str:
    """The vehicle's page with the catalog's UTM tags (its own query kept, old utm_* dropped)."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.startswith("utm_")
    ]
    query += [("utm_source", source), ("utm_medium", "catalog")]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Images:
    urls: list[str]
    side: int | None  # the smaller side of the first photo as the catalog gets it, if known
    copies_missing: bool  # copies are wanted and some are not made yet


def _smaller_side(thing) -> int | None:
    return min(thing.width or 0, thing.height or 0) or None if thing is not None else None


def _images(vehicle: Vehicle, dealership: Dealership, photo_url, most: int) -> Images:
    """The feed's photos, in its order: our copy's URL where copies are wanted and made."""
    by_url = {p.source_url: p for p in getattr(vehicle, "feed_photos", [])}
    copies = dealership.photos == CatalogFeed.Photos.LIBRARY
    urls, sides, missing = [], [], False
    for url in list(vehicle.image_urls or [])[:most]:
        photo = by_url.get(url)
        media = photo.file if photo is not None else None
        made = (getattr(media, "catalog_copies", None) or [None])[0]
        if copies and made is not None:
            urls.append(photo_url(photo))
            sides.append(_smaller_side(made))
        else:
            urls.append(url)
            sides.append(_smaller_side(media))  # the library has the same bytes as the URL
            missing = missing or (copies and media is not None)
    return Images(urls, sides[0] if sides else None, missing)


def _placeholder_url(photo) -> str:
    return f"photo:{photo.pk}"


def vehicle_row(
    vehicle: Vehicle, *, dealership: Dealership, catalog: Catalog, photo_url=None
) -> dict:
    """Every value any catalog column reads, for this catalog (its UTM tags, its photo count)."""
    found = _images(vehicle, dealership, photo_url or _placeholder_url, catalog.max_images)
    images, side = found.urls, found.side
    title = " ".join(str(p) for p in (vehicle.year, vehicle.make, vehicle.model, vehicle.trim) if p)
    state = vehicle.state_of_vehicle
    mileage = vehicle.mileage_value
    if mileage is None and state == Vehicle.State.NEW:
        mileage = 0
    unit = vehicle.mileage_unit or ("MI" if mileage is not None else "")
    sold = vehicle.availability == Vehicle.Availability.SOLD
    meta_availability = {"available": "AVAILABLE", "pending": "PENDING"}.get(
        vehicle.availability, ""
    )
    row = {
        "vehicle_id": vehicle.vehicle_id or vehicle.vin,
        "vin": vehicle.vin,
        "title": title,
        "description": vehicle.description or title,
        "url": tracked(vehicle.url, source=catalog.utm_source),
        "make": vehicle.make,
        "model": vehicle.model,
        "year": str(vehicle.year),
        "trim": vehicle.trim,
        "mileage_value": "" if mileage is None else str(mileage),
        "mileage_unit": unit if mileage is not None else "",
        "google_mileage": ""
        if mileage is None
        else f"{mileage} {'km' if unit == 'KM' else 'miles'}",
        "images": images,
        "additional_images": ",".join(images[1:]),
        "photo_side": side,
        "copies_missing": found.copies_missing,
        "meta_body_style": _META_BODY.get(
            vehicle.body_style.strip().lower(), "OTHER" if vehicle.body_style else ""
        ),
        "body_style": vehicle.body_style,
        "transmission": "",
        "fuel_type": "",
        "drivetrain": "",
        "meta_condition": "",
        "meta_state": {"new": "NEW", "used": "USED", "cpo": "CPO"}.get(state, ""),
        "google_condition": {"new": "new", "used": "used", "cpo": "used"}.get(state, ""),
        "certified_pre_owned": "yes" if state == Vehicle.State.CPO else "",
        "price": _money(vehicle.price, vehicle.currency),
        "sale_price": _money(vehicle.sale_price, vehicle.currency),
        "vehicle_msrp": "",
        "google_product_category": GOOGLE_CARS_CATEGORY,
        "exterior_color": vehicle.exterior_color,
        "meta_availability": catalog.sold_state if sold else meta_availability,
        "date_in_stock": timezone.localtime(vehicle.first_seen_at).date().isoformat(),
        "addr1": dealership.addr1,
        "city": dealership.city,
        "region": dealership.region,
        "postal_code": dealership.postal_code,
        "country": dealership.country,
        "store_code": dealership.store_code,
        "dealership_name": dealership.name,
        "dealership_address": dealership.address,
        "fb_page_id": dealership.fb_page_id,
    }
    for index in range(10):
        row[f"image_{index}"] = images[index] if index < len(images) else ""
    for key, most in catalog.limits.items():
        row[key] = row[key][:most]
    return row


def dealership_problems(*, dealership: Dealership, catalog: Catalog) -> list[str]:
    """Dealership-wide values the catalog requires and the settings lack (every vehicle needs them)."""
    row = vehicle_row(Vehicle(year=2000, price=Decimal(1)), dealership=dealership, catalog=catalog)
    return [
        DEALERSHIP_VALUES[c.value]
        for c in catalog.columns
        if c.required and c.value in DEALERSHIP_VALUES and not row[c.value]
    ]


def left_out(row: dict, *, catalog: Catalog) -> list[str]:
    """Why a vehicle is not in the catalog, in words (empty: it is in)."""
    reasons = []
    for column in catalog.columns:
        if column.required and column.value in REASONS and not row[column.value]:
            reason = REASONS[column.value]
            if reason not in reasons:
                reasons.append(reason)
    if (
        catalog.min_photo_px
        and row["photo_side"] is not None
        and row["photo_side"] < catalog.min_photo_px
    ):
        reasons.append(f"photo under {catalog.min_photo_px} px")
    return reasons


def catalog_rows(
    *, organization: Organization, dealership: Dealership, catalog: Catalog, photo_url=None
) -> Iterator[dict]:
    """The rows of the catalog, read from the database in chunks (never the whole stock at once).

    None while the dealership lacks a value the catalog requires of every row (its address).
    """
    if dealership_problems(dealership=dealership, catalog=catalog):
        return
    queryset = vehicles(organization=organization, dealership=dealership, catalog=catalog)
    copies_missing = False
    for vehicle in queryset.iterator(chunk_size=CHUNK):
        row = vehicle_row(vehicle, dealership=dealership, catalog=catalog, photo_url=photo_url)
        copies_missing = copies_missing or row["copies_missing"]
        if not left_out(row, catalog=catalog):
            yield row
    if copies_missing:  # this answer carried the feed's URLs for them; the next, ours
        copies_request(organization_id=organization.pk)
