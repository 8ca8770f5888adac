"""Portal pages of the media library, its history and its calendar.

Thin: every read goes through ``selectors`` (scoped with ``for_org``), every
write through ``services``. An id of another dealership is not found (404).
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dealer_media.tenancy.roles import Action, refusal, request_membership, role_required

from . import approval, lifecycle, selectors, services
from .availability import (
    blocked_destinations,
    destination_availability,
    destination_profile_urls,
)
from .calendar import MONTH, WEEK, calendar_period
from .edit_forms import MediaEditForm, form_errors_json
from .models import Destination, MediaContent, ScheduledPost

# The portal sends files above this through tus (resumable, in parts); smaller ones in one request.
RESUMABLE_ABOVE_BYTES = 8 * 1024 * 1024

LIBRARY_PAGE_SIZE = 24
HISTORY_PAGE_SIZE = 50


def upload_rules() -> dict:
    """What the browser checks before sending a file: the server's own limits and types."""
    from library.validation import IMAGE_FORMATS, VIDEO_TYPES

    return {
        "image_types": [content_type for content_type, _ in IMAGE_FORMATS.values()],
        "video_types": [content_type for _, content_type, _ in VIDEO_TYPES.values()],
        "max_image_bytes": settings.UPLOAD_MAX_IMAGE_SIZE,
        "max_video_bytes": settings.UPLOAD_MAX_VIDEO_SIZE,
        "resumable_above_bytes": RESUMABLE_ABOVE_BYTES,
    }


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def media_or_404(request: HttpRequest, pk: int) -> MediaContent:
    try:
        return selectors.media_for_portal(organization=request.organization, pk=pk)
    except MediaContent.DoesNotExist:
        raise Http404("No such media item in this dealership.") from None


# What a contributor may still change: their drafts and posts waiting for approval.
CONTRIBUTOR_EDITABLE = (MediaContent.Status.DRAFT, MediaContent.Status.WAITING)


def refusal_to_change(request: HttpRequest, media: MediaContent) -> HttpResponse | None:
    """Drafts (and posts waiting for approval) are anyone's to edit; the rest an editor's."""
    if media.status in CONTRIBUTOR_EDITABLE:
        return refusal(request, Action.DRAFT)
    return refusal(request, Action.EDIT_POSTS)


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@role_required(Action.VIEW)
def library(request: HttpRequest) -> HttpResponse:
    """The library page: upload form, search and filters, one page of items.

    Its URL also takes the form's upload (a POST): ``uploads.views.library_page``.
    """
    organization = request.organization
    filters = {
        "query": request.GET.get("q", "").strip(),
        "media_type": request.GET.get("type", ""),
        "status": request.GET.get("status", ""),
    }
    rule_posts = apps.get_model("inventory", "VehiclePost").objects.filter(
        media_content=OuterRef("pk")
    )
    items = selectors.library_items(organization=organization, **filters).annotate(
        # Photos of a sold vehicle (inventory/) are marked sold; in the same query.
        vehicle_sold=Exists(
            apps.get_model("inventory", "VehiclePhoto").objects.filter(
                file__post_files__post=OuterRef("pk"), vehicle__availability="sold"
            )
        ),
        # An inventory rule's post is marked with its vehicle.
        vehicle_year=Subquery(rule_posts.values("vehicle__year")[:1]),
        vehicle_make=Subquery(rule_posts.values("vehicle__make")[:1]),
        vehicle_model=Subquery(rule_posts.values("vehicle__model")[:1]),
    )
    page = Paginator(items, LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    profile_urls = destination_profile_urls(organization=organization)
    blocked = blocked_destinations(organization=organization)
    rows = [
        {
            "item": item,
            "states": selectors.destination_states(
                media=item, profile_urls=profile_urls, blocked=blocked
            ),
            "vehicle_sold": getattr(item, "vehicle_sold", False),
        }
        for item in page
    ]
    return render(
        request,
        "marketing/media.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "filtered": any(filters.values()),
            "query_without_page": _query_without_page(request),
            "media_types": MediaContent.MediaType.choices,
            "statuses": MediaContent.Status.choices,
            "availability": destination_availability(organization=organization),
            "upload_rules": upload_rules(),
            "today": timezone.localdate(timezone=organization.tzinfo),
        },
    )


@require_GET
@role_required(Action.VIEW)
def media_get(request: HttpRequest, pk: int) -> JsonResponse:
    media = media_or_404(request, pk)
    return JsonResponse(selectors.media_as_json(media=media))


def _edit_refused(request: HttpRequest, form: MediaEditForm) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(form_errors_json(form), status=400)
    for messages_of_field in form.errors.values():
        for message in messages_of_field:
            messages.error(request, message)
    return redirect("media_content:library")


@require_POST
@role_required(Action.DRAFT)  # and EDIT_POSTS unless a draft (refusal_to_change)
def media_update(request: HttpRequest, pk: int) -> HttpResponse:
    media = media_or_404(request, pk)
    if refused := refusal_to_change(request, media):
        return refused
    form = MediaEditForm(request.POST, instance=media)
    if not form.is_valid():
        return _edit_refused(request, form)
    try:
        with transaction.atomic():  # the edit and what approval makes of it, together
            was = media.status
            media = services.media_update(media=media, when=form.when, **form.changes)
            approval.media_edited(
                by=request_membership(request),
                media=media,
                was=was,
                base_url=request.build_absolute_uri("/"),
            )
            media.refresh_from_db()
    except ValidationError as error:
        # A destination whose checks fail (or a banner ending before it starts): nothing saved.
        for field, field_messages in error.message_dict.items():
            for message in field_messages:
                form.add_error(field if field in form.fields else None, message)
        return _edit_refused(request, form)
    if wants_json(request):
        media = selectors.media_for_portal(organization=request.organization, pk=media.pk)
        return JsonResponse(selectors.media_as_json(media=media))
    messages.success(request, f"Saved “{media.title}”.")
    return redirect("media_content:library")


@require_POST
@role_required(Action.EDIT_POSTS)
def media_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the failed destinations of an item again; the posted ones are left alone."""
    media = media_or_404(request, pk)
    try:
        retried = lifecycle.media_retry_failed(media=media)
    except ValidationError as error:
        message = " ".join(error.messages)
        if wants_json(request):
            return JsonResponse({"error": message, "errors": error.message_dict}, status=400)
        messages.error(request, message)
        return redirect("media_content:library")
    if wants_json(request):
        media = selectors.media_for_portal(organization=request.organization, pk=media.pk)
        return JsonResponse({**selectors.media_as_json(media=media), "retried": retried})
    if retried:
        messages.success(request, f"Sending “{media.title}” again to {retried} destination(s).")
    else:
        messages.info(request, f"“{media.title}” has no failed destination to send again.")
    return redirect("media_content:library")


@require_POST
@role_required(Action.EDIT_POSTS)
def media_delete(request: HttpRequest, pk: int) -> HttpResponse:
    media = media_or_404(request, pk)
    title = media.title
    services.media_delete(media=media)
    if wants_json(request):
        return JsonResponse({"deleted": pk})
    messages.success(request, f"Deleted “{title}”. Posts already published stay where they are.")
    return redirect(reverse("media_content:library"))


@require_GET
@role_required(Action.VIEW)
def history(request: HttpRequest) -> HttpResponse:
    """Everything sent or scheduled, the latest first, filterable by destination and status."""
    filters = {
        "destination": request.GET.get("destination", ""),
        "status": request.GET.get("status", ""),
    }
    posts = selectors.history_posts(organization=request.organization, **filters)
    page = Paginator(posts, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketing/history.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "query_without_page": _query_without_page(request),
            "destinations": Destination.choices,
            "statuses": ScheduledPost.Status.choices,
        },
    )


@require_GET
@role_required(Action.VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    """A month (or week) of posts on the dealership's local dates."""
    organization = request.organization
    view = WEEK if request.GET.get("view") == WEEK else MONTH
    try:
        anchor = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = timezone.localdate(timezone=organization.tzinfo)
    period = calendar_period(
        organization=organization,
        view=view,
        anchor=anchor,
        blocked=blocked_destinations(organization=organization),
    )
    return render(request, "marketing/calendar.html", {"period": period})
