"""The item's approval page (trail, submit, approve, send back, preview links) and the public preview.

Thin: ``approval`` and ``previews`` do the work and check the role; refusals
come back as messages (or 403 in words from ``roles``).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dealer_media.tenancy.roles import Action, request_membership, role_required

from . import approval, previews, selectors, services, timing
from .models import MediaContent, PreviewLink
from .ribbons import ribbon_summary
from .services import ribbon_removable


class SubmitForm(forms.Form):
    """The time asked for, on the dealership's clock; empty: as soon as approved."""

    date = forms.DateField(required=False)
    time = forms.TimeField(required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean(self):
        cleaned = super().clean()
        date, time = cleaned.get("date"), cleaned.get("time")
        cleaned["when"] = None
        if date is None and time is None:
            return cleaned
        if date is None or time is None:
            raise forms.ValidationError("Give both a date and a time, or neither.")
        cleaned["when"] = timing.local_schedule_time(
            organization=self.organization, date=date, time=time
        )
        return cleaned


def media_or_404(request: HttpRequest, pk: int) -> MediaContent:
    try:
        return selectors.media_for_portal(organization=request.organization, pk=pk)
    except MediaContent.DoesNotExist:
        raise Http404("No such media item in this dealership.") from None


def _back(request: HttpRequest, media: MediaContent) -> HttpResponse:
    return redirect("media_content:approval", pk=media.pk)


def _errors(request: HttpRequest, media: MediaContent, error: ValidationError) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return _back(request, media)


@require_GET
@role_required(Action.VIEW)
def approval_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _approval_page(request, media_or_404(request, pk))


def _approval_page(request: HttpRequest, media: MediaContent, *, status: int = 200):
    membership = request_membership(request)
    links = [
        {
            "link": link,
            "url": request.build_absolute_uri(f"/preview/{previews.preview_token(link)}"),
        }
        for link in previews.preview_links(media=media)
    ]
    return render(
        request,
        "marketing/approval.html",
        {
            "media": media,
            "steps": media.approval_steps.select_related("by"),
            "previews": previews.network_previews(media=media),
            "links": links,
            "needs_approval": approval.needs_approval(by=membership) if membership else False,
            "today": timezone.localdate(timezone=request.organization.tzinfo),
            "ribbon": ribbon_summary(media),
            "ribbon_removable": ribbon_removable(media=media),
        },
        status=status,
    )


@require_POST
@role_required(Action.DRAFT)  # and EDIT_POSTS unless a draft (refusal_to_change)
def ribbon_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """The post goes out without its ribbon ("Just arrived"...): the cover photo as it is."""
    from .views import refusal_to_change

    media = media_or_404(request, pk)
    if refused := refusal_to_change(request, media):
        return refused
    try:
        services.media_remove_ribbon(media=media)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _approval_page(request, media, status=400)
    messages.success(request, f"“{media.title}” goes out without the ribbon.")
    return _back(request, media)


@require_POST
@role_required(Action.SUBMIT_FOR_APPROVAL)
def approval_submit(request: HttpRequest, pk: int) -> HttpResponse:
    media = media_or_404(request, pk)
    form = SubmitForm(request.POST, organization=request.organization)
    if not form.is_valid():
        return _errors(
            request, media, ValidationError(form.errors.get("__all__") or "Check the time.")
        )
    try:
        approval.approval_submit(
            by=request_membership(request),
            media=media,
            when=form.cleaned_data["when"],
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        return _errors(request, media, error)
    messages.success(request, f"“{media.title}” is waiting for approval.")
    return _back(request, media)


@require_POST
@role_required(Action.APPROVE)
def approval_approve(request: HttpRequest, pk: int) -> HttpResponse:
    media = media_or_404(request, pk)
    try:
        media = approval.approval_approve(by=request_membership(request), media=media)
    except ValidationError as error:
        return _errors(request, media, error)
    when = timing.format_local(media.scheduled_post_time, media.organization)
    messages.success(request, f"Approved “{media.title}”: it goes out {when}.")
    return _back(request, media)


@require_POST
@role_required(Action.APPROVE)
def approval_send_back(request: HttpRequest, pk: int) -> HttpResponse:
    media = media_or_404(request, pk)
    try:
        approval.approval_send_back(
            by=request_membership(request),
            media=media,
            comment=request.POST.get("comment", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        return _errors(request, media, error)
    messages.success(request, f"Sent “{media.title}” back to its author with your comment.")
    return _back(request, media)


@require_POST
@role_required(Action.SHARE_PREVIEW)
def preview_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    media = media_or_404(request, pk)
    try:
        days = int(request.POST.get("days") or previews.PREVIEW_DAYS)
        previews.preview_link_create(by=request_membership(request), media=media, days=days)
    except ValueError:
        return _errors(request, media, ValidationError("Give the number of days."))
    except ValidationError as error:
        return _errors(request, media, error)
    messages.success(request, "Made a preview link. Copy it below and send it to your reviewer.")
    return _back(request, media)


@require_POST
@role_required(Action.SHARE_PREVIEW)
def preview_link_revoke(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    media = media_or_404(request, pk)
    link = PreviewLink.objects.for_org(request.organization).filter(pk=link_id, media=media).first()
    if link is None:
        raise Http404("No such preview link.")
    previews.preview_link_revoke(by=request_membership(request), link=link)
    messages.success(request, "Withdrew the preview link: it no longer opens.")
    return _back(request, media)


@require_GET
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The reviewer's page: the post as each network shows it; no sign-in, nothing else."""
    try:
        link = previews.preview_from_token(token)
    except previews.PreviewInvalid as error:
        return render(request, "marketing/preview.html", {"problem": str(error)}, status=410)
    media = link.media
    response = render(
        request,
        "marketing/preview.html",
        {
            "media": media,
            "page_name": media.organization.name,
            "previews": previews.network_previews(media=media),
            "expires_at": link.expires_at,
            "tz": media.organization.timezone,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
