"""The dealership's three rules and the posts they make: Just arrived, Price drop, Sold.

A rule is off, makes a draft to review, or schedules at the dealership's next
posting time. Its post is one post of several items (the vehicle's first library
photos, up to the destination's limit: 10 for Facebook and Instagram, one for a
banner alone), through ``media_compose`` like the portal's. Each network gets
the caption with its own UTM-tagged link. A vehicle gets at most one post per
rule and event (``VehiclePost``). A time refused by a destination's checks (a
connection that needs reconnecting, say) leaves the post as a draft.
"""

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from media_content.items import MAX_ITEMS, media_compose
from media_content.models import MediaContent

from . import captions
from .models import InventoryRule, PostingTimes, Vehicle, VehiclePhoto, VehiclePost
from .posting_times import default_posting_times, next_posting_time

logger = logging.getLogger(__name__)
Kind = InventoryRule.Kind

DEFAULT_TEMPLATES = {
    Kind.JUST_ARRIVED: "Just arrived: {year} {make} {model} {trim}, {mileage}, {price}. "
    "See it: {url}",
    Kind.PRICE_DROP: "Price drop! {year} {make} {model} {trim}, now {price} (was {old_price}). "
    "{url}",
    Kind.SOLD: "Sold! Our {year} {make} {model} {trim} has found its new owner. Thank you! {url}",
}


def rule_for(*, organization: Organization, kind: str) -> InventoryRule:
    """The dealership's rule of this kind (unsaved and off when never set)."""
    return InventoryRule.objects.for_org(organization).filter(kind=kind).first() or InventoryRule(
        organization=organization, kind=kind, caption_template=DEFAULT_TEMPLATES[Kind(kind)]
    )


def rules_for(*, organization: Organization) -> list[InventoryRule]:
    return [rule_for(organization=organization, kind=kind) for kind in Kind.values]


def posting_times_for(*, organization: Organization) -> dict[str, list[str]]:
    row = PostingTimes.objects.for_org(organization).first()
    return row.times if row else default_posting_times()


@transaction.atomic
def rule_save(*, organization: Organization, kind: str, **fields) -> InventoryRule:
    rule = rule_for(organization=organization, kind=kind)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def posting_times_save(*, organization: Organization, times: dict[str, list[str]]) -> PostingTimes:
    row = PostingTimes.objects.for_org(organization).first() or PostingTimes(
        organization=organization
    )
    row.times = times
    row.full_clean()
    row.save()
    return row


def drop_is_enough(*, rule: InventoryRule, vehicle: Vehicle) -> bool:
    """Lowered by at least the rule's amount or its percent (any drop when it sets neither)."""
    if vehicle.previous_price is None or vehicle.asking_price >= vehicle.previous_price:
        return False
    drop = vehicle.previous_price - vehicle.asking_price
    percent = drop * Decimal(100) / vehicle.previous_price
    if rule.min_drop_amount is None and rule.min_drop_percent is None:
        return True
    return (rule.min_drop_amount is not None and drop >= rule.min_drop_amount) or (
        rule.min_drop_percent is not None and percent >= rule.min_drop_percent
    )


def ribbon_text(*, vehicle: Vehicle, kind: str) -> str:
    """What the rule's ribbon says, the price in the vehicle's currency."""
    if kind == Kind.PRICE_DROP:
        return f"Price drop: {captions.money(vehicle.asking_price, vehicle.currency)}"
    return "SOLD" if kind == Kind.SOLD else "Just arrived"


def library_photo_ids(*, vehicle: Vehicle, limit: int) -> list[int]:
    ids: list[int] = []
    for media_id in (
        VehiclePhoto.objects.filter(vehicle=vehicle, file__isnull=False)
        .order_by("position")
        .values_list("file_id", flat=True)
    ):
        if media_id not in ids:
            ids.append(media_id)
    return ids[:limit]


def _event_at(vehicle: Vehicle, kind: str) -> datetime.datetime | None:
    return {
        Kind.JUST_ARRIVED: vehicle.first_seen_at,
        Kind.PRICE_DROP: vehicle.price_dropped_at,
        Kind.SOLD: vehicle.sold_at,
    }[Kind(kind)]


def apply_rule(
    *, vehicle: Vehicle, kind: str, now: datetime.datetime | None = None
) -> MediaContent | None:
    """Make the rule's post for this vehicle (once per event); None when there is nothing to do."""
    organization = vehicle.organization
    rule = rule_for(organization=organization, kind=kind)
    event_at = _event_at(vehicle, kind)
    if rule.mode == InventoryRule.Mode.OFF or not rule.destinations or event_at is None:
        return None
    if kind == Kind.PRICE_DROP and not drop_is_enough(rule=rule, vehicle=vehicle):
        return None
    social = rule.post_to_facebook or rule.post_to_instagram
    item_ids = library_photo_ids(vehicle=vehicle, limit=MAX_ITEMS if social else 1)
    if (
        not item_ids
        or VehiclePost.objects.filter(vehicle=vehicle, kind=kind, event_at=event_at).exists()
    ):
        return None
    now = now or timezone.now()
    when = None
    if rule.mode == InventoryRule.Mode.SCHEDULE:
        when = next_posting_time(
            posting_times=posting_times_for(organization=organization),
            tz=organization.tzinfo,
            now=now,
        )
    media = _compose(vehicle=vehicle, rule=rule, item_ids=item_ids, when=when, now=now)
    if media is None:
        return None
    VehiclePost.objects.create(
        organization=organization,
        vehicle=vehicle,
        kind=kind,
        media_content=media,
        event_at=event_at,
    )
    return media


def _compose(
    *, vehicle: Vehicle, rule: InventoryRule, item_ids: list[int], when, now
) -> MediaContent | None:
    """One post of several items with the rule's captions; a refused time leaves a draft."""
    start = timezone.localtime(when or now, vehicle.organization.tzinfo).date()
    post = {
        "organization": vehicle.organization,
        "item_ids": item_ids,
        "title": f"{rule.get_kind_display()}: {vehicle.year} {vehicle.make} {vehicle.model}"[:255],
        "description": captions.render(rule.caption_template, vehicle, network="facebook"),
        "link_url": vehicle.url,
        "destinations": rule.destinations,
        "banner_end_date": start + datetime.timedelta(days=rule.banner_days)
        if rule.post_to_banner
        else None,
        "facebook_caption": captions.render(rule.caption_template, vehicle, network="facebook"),
        "instagram_caption": captions.render(rule.caption_template, vehicle, network="instagram"),
        "alt_text": f"{vehicle.year} {vehicle.make} {vehicle.model} {vehicle.trim}".strip(),
        # Drawn on the cover by the worker; the posts wait for it (publishing.engine).
        "ribbon_text": ribbon_text(vehicle=vehicle, kind=rule.kind) if rule.ribbon else "",
    }
    try:
        return media_compose(**post, when=when)
    except ValidationError as refused:
        if when is None:
            logger.warning("%s post for vehicle %s refused: %s", rule.kind, vehicle.pk, refused)
            return None
        logger.info("%s post for vehicle %s kept as a draft: %s", rule.kind, vehicle.pk, refused)
        return media_compose(**post, when=None)


def vehicle_draft(*, vehicle: Vehicle) -> MediaContent | None:
    """The inventory page's "Post": a draft from the Just arrived template (Price drop's
    after a drop, Sold's once sold), with the rule's destinations (Facebook and Instagram
    when it has none), of the vehicle's first photos. None when it has no photo yet."""
    kind = Kind.JUST_ARRIVED
    if vehicle.availability == Vehicle.Availability.SOLD:
        kind = Kind.SOLD
    elif vehicle.previous_price is not None:
        kind = Kind.PRICE_DROP
    rule = rule_for(organization=vehicle.organization, kind=kind)
    if not rule.destinations:
        rule.post_to_facebook = rule.post_to_instagram = True
    social = rule.post_to_facebook or rule.post_to_instagram
    item_ids = library_photo_ids(vehicle=vehicle, limit=MAX_ITEMS if social else 1)
    if not item_ids:
        return None
    return _compose(vehicle=vehicle, rule=rule, item_ids=item_ids, when=None, now=timezone.now())
