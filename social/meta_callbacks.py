"""Meta's Deauthorize and Data Deletion Request callbacks, and the deletion status page.

Both callbacks are POSTs from Meta's servers with a ``signed_request``; no
session, so no CSRF token. A bad signature answers 400 and changes nothing.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import meta_data
from .models import DataDeletionRequest
from .signed_request import BadSignedRequest

logger = logging.getLogger(__name__)


def _payload(request: HttpRequest, provider: str):
    if provider not in meta_data.PROVIDERS:
        raise Http404("Unknown provider.")
    try:
        return meta_data.verified_payload(
            provider=provider, signed_request=request.POST.get("signed_request", "")
        )
    except BadSignedRequest as refusal:
        logger.warning("Refused a %s callback: %s", provider, refusal)
        return JsonResponse({"error": str(refusal)}, status=400)


@csrf_exempt
@require_POST
def deauthorize(request: HttpRequest, provider: str) -> HttpResponse:
    payload = _payload(request, provider)
    if isinstance(payload, HttpResponse):
        return payload
    count = meta_data.deauthorized(provider=provider, user_id=str(payload.get("user_id") or ""))
    return JsonResponse({"success": True, "connections": count})


@csrf_exempt
@require_POST
def data_deletion(request: HttpRequest, provider: str) -> HttpResponse:
    payload = _payload(request, provider)
    if isinstance(payload, HttpResponse):
        return payload
    deletion = meta_data.delete_user_data(
        provider=provider, user_id=str(payload.get("user_id") or "")
    )
    url = request.build_absolute_uri(
        reverse("social:meta_deletion_status", args=[deletion.confirmation_code])
    )
    return JsonResponse({"url": url, "confirmation_code": deletion.confirmation_code})


@require_GET
def deletion_status(request: HttpRequest, code: str) -> HttpResponse:
    deletion = get_object_or_404(DataDeletionRequest, confirmation_code=code)
    return render(request, "meta/deletion_status.html", {"deletion": deletion})
