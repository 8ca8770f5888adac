"""Sign-in throttling hooks for django-axes: the client's address, and the lockout page."""

import logging
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

log = logging.getLogger(__name__)


def client_ip_address(request: HttpRequest) -> str | None:
    """The address a sign-in came from, as the outermost proxy we run saw it.

    With ``CLIENT_IP_PROXY_COUNT`` 0 (the default) that is REMOTE_ADDR. Behind N proxies
    that each append to ``CLIENT_IP_HEADER`` (X-Forwarded-For), it is the N-th entry from
    the right: anything further left was written by the client and can be forged.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.CLIENT_IP_PROXY_COUNT
    if count <= 0:
        return remote
    header = request.META.get(settings.CLIENT_IP_HEADER, "")
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    if len(hops) < count:
        log.warning(
            "Sign-in from %s with %d proxy address(es) in %s, expected %d; using REMOTE_ADDR.",
            remote,
            len(hops),
            settings.CLIENT_IP_HEADER,
            count,
        )
        return remote
    return hops[-count]


def _minutes_in_words(request: HttpRequest) -> str:
    cool_off = get_cool_off(request)
    if cool_off is None:
        return ""
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """Too many failed sign-ins: say so in words (429), on the portal's sign-in look."""
    wait = _minutes_in_words(request)
    if wait:
        message = (
            "Too many wrong passwords were tried for this account or from this network "
            f"address, so signing in is paused for {wait}. Try again after that, or ask "
            "Dealer Media support to unlock it."
        )
    else:
        message = (
            "Too many wrong passwords were tried for this account or from this network "
            "address, so signing in is paused until Dealer Media support unlocks it."
        )
    status = settings.AXES_HTTP_RESPONSE_CODE
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"errors": {"__all__": [message]}}, status=status)
    return render(
        request,
        "registration/locked_out.html",
        {
            "lockout_message": message,
            "admin_login": request.path.startswith(reverse("admin:index")),
        },
        status=status,
    )
