from django.db.models import QuerySet

from dealer_media.tenancy.models import Organization

from .models import MediaContent


def library_items(*, organization: Organization) -> QuerySet[MediaContent]:
    """The dealership's media library, newest first."""
    return MediaContent.objects.for_org(organization).order_by("-created_at", "-id")
