"""When a car sells: its unstarted posts are cancelled, its banners end today, its items are sold.

"Its" posts and banners are those of the library items that are the vehicle's
photos. History shows the cancelled posts with "cancelled: vehicle sold"
(``ScheduledPost.last_error``). A banner ends today on the dealership's clock;
one that has not started yet is switched off. Then the Sold rule may post.
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from banners.models import Banner
from media_content import lifecycle
from media_content.models import MediaContent

from . import rules
from .models import InventoryRule, Vehicle, VehiclePhoto, VehiclePost

CANCELLED_REASON = "cancelled: vehicle sold"


def sold_items(*, vehicle: Vehicle) -> QuerySet:
    """The posts that carry this vehicle's photos (or its Reel), and the rules' posts of it."""
    files = VehiclePhoto.objects.filter(vehicle=vehicle, file__isnull=False).values("file_id")
    return (
        MediaContent.objects.for_org(vehicle.organization_id)
        .filter(
            Q(post_files__file_id__in=files)
            | Q(post_files__file__vehicle=vehicle)
            | Q(pk__in=VehiclePost.objects.filter(vehicle=vehicle).values("media_content_id"))
        )
        .distinct()
    )


@transaction.atomic
def vehicle_sold(*, vehicle: Vehicle) -> dict:
    """Cancel, end and mark; then the Sold rule. Answers what it did."""
    organization = vehicle.organization
    items = list(sold_items(vehicle=vehicle))
    cancelled = lifecycle.posts_cancel_unstarted(posts=items, reason=CANCELLED_REASON)
    today = timezone.localdate(timezone=organization.tzinfo)
    ended = 0
    for banner in Banner.objects.for_org(organization).filter(
        media_content__in=items, is_active=True
    ):
        if banner.end_date is not None and banner.end_date <= today:
            continue
        if banner.start_date and banner.start_date > today:
            banner.is_active = False
        else:
            banner.end_date = today
        banner.save()  # its signal refreshes the cached carousel
        ended += 1
    MediaContent.objects.filter(pk__in=[i.pk for i in items], post_to_banner=True).exclude(
        banner_end_date__lte=today
    ).update(banner_end_date=today)
    sold_post = rules.apply_rule(vehicle=vehicle, kind=InventoryRule.Kind.SOLD)
    return {
        "cancelled": cancelled,
        "banners_ended": ended,
        "sold_post": getattr(sold_post, "pk", None),
    }
