from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from dealer_media.tenancy.roles import Action, role_required
from media_content.lifecycle import media_refresh_status
from media_content.models import MediaContent

from . import selectors, settling


@require_POST
@role_required(Action.VIEW)  # asks Meta for the state only: read-only
def media_refresh(request: HttpRequest, pk: int) -> JsonResponse:
    """Check pending Instagram containers and Facebook videos; answer each destination's state."""
    media = get_object_or_404(MediaContent.objects.for_org(request.organization), pk=pk)
    settling.refresh_media_destinations(media=media)
    media.refresh_from_db()
    media_refresh_status(media=media)
    return JsonResponse(
        {
            "id": media.pk,
            "status": media.status,
            "destinations": selectors.destination_states(media=media),
            "availability": selectors.destination_availability(request.organization),
        }
    )
