"""Portal endpoints for posts of several items: compose one, and change its items' order.

Thin like ``views.py``: forms check what was typed, ``items`` does the work. Ids of
another dealership's items are refused in words (400), never attached.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealer_media.tenancy.roles import Action, refusal_to_schedule, role_required

from . import items, selectors
from .edit_forms import form_errors_json
from .forms import MediaDetailsForm
from .models import MediaContent
from .views import refusal_to_change, wants_json

# What the composer sends besides the items and the schedule (the upload form's fields).
TEXT_FIELDS = ("facebook_caption", "instagram_caption", "first_comment", "alt_text")


def _item_ids(values) -> list[int]:
    """File ids as sent: form fields ``file_ids`` (or ``items``, in order) or a JSON array."""
    try:
        return [int(value) for value in values]
    except (TypeError, ValueError):
        raise ValidationError({"items": "The items must be given by their numbers."}) from None


def _refused(request: HttpRequest, errors: dict, status: int = 400) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": errors}, status=status)
    for field_messages in errors.values():
        for message in field_messages:
            messages.error(request, message)
    return redirect("media_content:library")


@require_POST
@role_required(Action.DRAFT)  # and PUBLISH to post now or schedule
def media_compose(request: HttpRequest) -> HttpResponse:
    """One post of the chosen items in the dealer's order, one post per destination."""
    if refused := refusal_to_schedule(request):
        return refused
    form = MediaDetailsForm(request.POST, organization=request.organization)
    if not form.is_valid():
        return _refused(request, form_errors_json(form)["errors"])
    data = form.cleaned_data
    when = {"now": timezone.now(), "scheduled": data["scheduled_at"]}.get(data["schedule_mode"])
    try:
        lead = items.media_compose(
            organization=request.organization,
            item_ids=_item_ids(request.POST.getlist("file_ids") or request.POST.getlist("items")),
            created_by=request.user,
            title=data["title"],
            description=data["description"],
            link_url=data["link_url"],
            destinations=[d for d in ("facebook", "instagram", "banner") if data[f"post_to_{d}"]],
            when=when,
            banner_end_date=data.get("banner_end_date"),
            **{name: data[name] for name in TEXT_FIELDS},
        )
    except ValidationError as error:
        return _refused(request, error.message_dict)
    if wants_json(request):
        lead = selectors.media_for_portal(organization=request.organization, pk=lead.pk)
        return JsonResponse(selectors.media_as_json(media=lead), status=201)
    messages.success(request, f"Saved “{lead.title}” with {len(lead.items())} items.")
    return redirect("media_content:library")


@require_POST
@role_required(Action.DRAFT)  # and EDIT_POSTS unless a draft (refusal_to_change)
def media_items(request: HttpRequest, pk: int) -> HttpResponse:
    """The post's items, all of them, first first (a JSON array, as the drag-and-drop sends)."""
    try:
        media = selectors.media_for_portal(organization=request.organization, pk=pk)
    except MediaContent.DoesNotExist:
        raise Http404("No such media item in this dealership.") from None
    if refused := refusal_to_change(request, media):
        return refused
    try:
        values = (
            json.loads(request.body or b"null")
            if request.content_type == "application/json"
            else request.POST.getlist("items")
        )
        if not isinstance(values, list):
            raise ValidationError({"items": "Send the items as a list, first first."})
        lead = items.post_set_files(post=media, file_ids=_item_ids(values))
    except (ValueError, RecursionError):  # RecursionError: deeply nested JSON
        return _refused(request, {"items": ["Send the items as a list, first first."]})
    except ValidationError as error:
        return _refused(request, error.message_dict)
    if wants_json(request):
        lead = selectors.media_for_portal(organization=request.organization, pk=lead.pk)
        return JsonResponse(selectors.media_as_json(media=lead))
    messages.success(request, f"Saved the order of “{lead.title}”.")
    return redirect("media_content:library")
