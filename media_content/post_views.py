"""Portal endpoints that send a draft out: post now, or schedule (a time or the queue).

Thin: ``going_out`` decides, through approval where the role needs it. Answers
JSON when asked (the post as ``/get`` gives it), else a message and the library.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealer_media.tenancy.roles import Action, request_membership, role_required

from . import going_out, selectors, timing
from .views import media_or_404, wants_json


def _answer(request: HttpRequest, outcome: going_out.Outcome) -> HttpResponse:
    if wants_json(request):
        media = selectors.media_for_portal(organization=request.organization, pk=outcome.media.pk)
        data = selectors.media_as_json(media=media)
        return JsonResponse(
            {**data, "message": outcome.message}, status=202 if outcome.held else 200
        )
    messages.success(request, outcome.message)
    return redirect("media_content:library")


def _refused(request: HttpRequest, message: str, *, status: int, errors=None) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {"error": message, "errors": errors or {"__all__": [message]}}, status=status
        )
    messages.error(request, message)
    return redirect("media_content:library")


def _go(request: HttpRequest, pk: int, send) -> HttpResponse:
    media = media_or_404(request, pk)
    try:
        outcome = send(media)
    except going_out.CannotGoOut as error:
        return _refused(request, str(error), status=409)
    except PermissionDenied as error:
        return _refused(request, str(error), status=403)
    except ValidationError as error:
        return _refused(
            request,
            " ".join(error.messages),
            status=400,
            errors=error.message_dict if hasattr(error, "error_dict") else None,
        )
    return _answer(request, outcome)


@require_POST
@role_required(Action.DRAFT)  # and PUBLISH, or approval where the role needs it (going_out)
def media_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a draft now (a contributor's is held for approval)."""
    return _go(
        request,
        pk,
        lambda media: going_out.post_now(
            by=request_membership(request),
            media=media,
            base_url=request.build_absolute_uri("/"),
        ),
    )


def _when(request: HttpRequest):
    if request.POST.get("queue") in ("1", "true", "on"):
        return going_out.next_queue_time(organization=request.organization, now=timezone.now())
    from .forms import MediaDetailsForm

    field = MediaDetailsForm.base_fields
    try:
        date = field["scheduled_date"].clean(request.POST.get("scheduled_date"))
        time = field["scheduled_time"].clean(request.POST.get("scheduled_time"))
    except ValidationError as error:
        raise ValidationError({"scheduled_time": error.messages}) from None
    if date is None or time is None:
        raise ValidationError({"scheduled_time": "Pick a date and a time, or add it to the queue."})
    return timing.local_schedule_time(organization=request.organization, date=date, time=time)


@require_POST
@role_required(Action.DRAFT)  # and PUBLISH, or approval where the role needs it (going_out)
def media_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Schedule a draft at a date and time on the dealership's clock, or at the next posting
    time (``queue=1``); a contributor's is held for approval."""
    return _go(
        request,
        pk,
        lambda media: going_out.post_schedule(
            by=request_membership(request),
            media=media,
            when=_when(request),
            base_url=request.build_absolute_uri("/"),
        ),
    )


@require_POST
@role_required(Action.DRAFT)
def media_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft with the same files and text, to post again; the original stays as sent."""
    from . import items

    media = media_or_404(request, pk)
    copy = items.post_duplicate(post=media, created_by=request.user)
    message = f"“{copy.title}” is a new draft: change its words, then post it."
    if wants_json(request):
        copy = selectors.media_for_portal(organization=request.organization, pk=copy.pk)
        return JsonResponse({**selectors.media_as_json(media=copy), "message": message}, status=201)
    messages.success(request, message)
    return redirect("media_content:library")
