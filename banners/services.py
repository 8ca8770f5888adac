"""Banner changes: making one from a library item, and the dealer's ordering."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dealer_media.tenancy.models import Organization
from media_content.models import MediaContent

from .models import Banner


@transaction.atomic
def banner_from_media(*, media: MediaContent, start_date=None, end_date=None) -> Banner:
    """Create, or switch on again, the website banner of a library image."""
    if media.media_type != MediaContent.MediaType.IMAGE:
        raise ValidationError("Only images can be shown as website banners.")
    start_date = start_date or timezone.localdate(timezone=media.organization.tzinfo)
    banner = Banner.objects.for_org(media.organization_id).filter(media_content=media).first()
    if banner is None:
        banner = Banner(organization_id=media.organization_id, media_content=media)
    banner.title = media.title
    banner.link_url = media.link_url
    banner.image.name = media.file.name
    banner.thumbnail.name = media.thumbnail.name
    banner.start_date = start_date
    banner.end_date = end_date
    banner.is_active = True
    banner.full_clean(exclude=["sort_order"])
    banner.save()
    return banner


@transaction.atomic
def banners_reorder(*, organization: Organization, banner_ids: list[int]) -> None:
    """Save the dealer's order: ``banner_ids`` lists every banner of the dealership, first first."""
    banners = list(Banner.objects.for_org(organization).select_for_update().order_by("sort_order"))
    known = {banner.pk: banner for banner in banners}
    if len(banner_ids) != len(set(banner_ids)) or set(banner_ids) != set(known):
        raise ValidationError("The new order must list each of the dealership's banners once.")
    changed = []
    for position, banner_id in enumerate(banner_ids):
        banner = known[banner_id]
        if banner.sort_order != position:
            banner.sort_order = position
            changed.append(banner)
    Banner.objects.bulk_update(changed, ["sort_order"])
