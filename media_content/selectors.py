from django.db.models import QuerySet

from dealer_media.tenancy.models import Organization

from .models import MediaContent


def library_items(*, organization: Organization) -> QuerySet[MediaContent]:
    """The dealership's media library, newest first."""
    return MediaContent.objects.for_org(organization).order_by("-created_at", "-id")


def media_destination_checks(*, media: MediaContent) -> dict[str, dict[str, list[str]]]:
    """Errors and warnings per destination, as plain data for pages and scheduling.

    ``{"facebook": {"errors": [...], "warnings": [...]}, "instagram": ..., "banner": ...}``;
    a destination with errors cannot be scheduled.
    """
    from .processing.checks import destination_checks

    return destination_checks(media)
