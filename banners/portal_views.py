"""The portal's banners page: upload, edit, switch on and off, delete, drag to reorder."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dealer_media.tenancy.roles import Action, role_required
from library.form_fields import rejection_status
from media_content.edit_forms import form_errors_json
from media_content.views import wants_json

from . import services
from .embed_keys import embed_key_for, embed_key_rotate
from .figures import banner_figures
from .forms import BannerEditForm, BannerForm
from .models import Banner


def _banner_or_404(request: HttpRequest, pk: int) -> Banner:
    banner = Banner.objects.for_org(request.organization).filter(pk=pk).first()
    if banner is None:
        raise Http404("No such banner in this dealership.")
    return banner


def _banner_json(banner: Banner) -> dict:
    return {
        "id": banner.pk,
        "title": banner.title,
        "link_url": banner.link_url,
        "image_url": banner.image_url,
        "thumbnail_url": banner.thumbnail_url,
        "start_date": banner.start_date.isoformat() if banner.start_date else None,
        "end_date": banner.end_date.isoformat() if banner.end_date else None,
        "is_active": banner.is_active,
        "sort_order": banner.sort_order,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Action.VIEW, POST=Action.MANAGE_BANNERS)
def banners(request: HttpRequest) -> HttpResponse:
    """The carousel's banners in their order, and the form to add one."""
    organization = request.organization
    form = BannerForm()
    if request.method == "POST":
        form = BannerForm(request.POST, request.FILES)
        if form.is_valid():
            banner = services.banner_create(organization=organization, **form.cleaned_data)
            if wants_json(request):
                return JsonResponse(_banner_json(banner), status=201)
            messages.success(request, f"Added “{banner.title}” at the end of your carousel.")
            return redirect("banners:list")
        if wants_json(request):
            return JsonResponse(form_errors_json(form), status=rejection_status(form))
    today = timezone.localdate(timezone=organization.tzinfo)
    figures = banner_figures(organization=organization, today=today)
    rows = list(Banner.objects.for_org(organization).order_by("sort_order", "pk"))
    for row in rows:
        row.figures = figures.get(row.pk)
    return render(
        request,
        "marketing/banners.html",
        {
            "banners": rows,
            "form": form,
            "today": today,
            "embed": _embed_snippets(request),
        },
        status=rejection_status(form) if form.is_bound else 200,
    )


@require_POST
@role_required(Action.MANAGE_BANNERS)
def banners_reorder(request: HttpRequest) -> JsonResponse:
    """Body: a JSON array of every banner id of the dealership, in the new order."""
    try:
        banner_ids = json.loads(request.body or b"null")
    except (ValueError, RecursionError):  # RecursionError: deeply nested arrays
        banner_ids = None
    if not isinstance(banner_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in banner_ids
    ):
        return JsonResponse(
            {"errors": {"order": ["Send a JSON array of banner ids, e.g. [3, 1, 2]."]}},
            status=400,
        )
    try:
        order = services.banners_reorder(organization=request.organization, banner_ids=banner_ids)
    except ValidationError as error:
        return JsonResponse({"errors": {"order": error.messages}}, status=400)
    return JsonResponse({"order": order})


@require_POST
@role_required(Action.MANAGE_BANNERS)
def banner_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit or switch on/off: fields not sent keep their value."""
    banner = _banner_or_404(request, pk)
    data = {
        "title": banner.title,
        "link_url": banner.link_url,
        "start_date": banner.start_date.isoformat() if banner.start_date else "",
        "end_date": banner.end_date.isoformat() if banner.end_date else "",
        "is_active": "true" if banner.is_active else "false",
    }
    data.update(request.POST.dict())
    form = BannerEditForm(data, request.FILES, instance=banner)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse(form_errors_json(form), status=rejection_status(form))
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect("banners:list")
    changes = dict(form.cleaned_data)
    if "image" not in request.FILES:
        changes.pop("image")
    banner = services.banner_update(banner=banner, **changes)
    if wants_json(request):
        return JsonResponse(_banner_json(banner))
    if set(request.POST) - {"csrfmiddlewaretoken"} == {"is_active"}:
        shown = "now shows on" if banner.is_active else "no longer shows on"
        messages.success(request, f"“{banner.title}” {shown} your website.")
    else:
        messages.success(request, f"Saved “{banner.title}”.")
    return redirect("banners:list")


@require_POST
@role_required(Action.MANAGE_BANNERS)
def banner_delete(request: HttpRequest, pk: int) -> HttpResponse:
    banner = _banner_or_404(request, pk)
    title = banner.title
    services.banner_delete(banner=banner)
    if wants_json(request):
        return JsonResponse({"deleted": pk})
    messages.success(request, f"Deleted “{title}” from your website carousel.")
    return redirect("banners:list")


def _embed_snippets(request: HttpRequest) -> dict:
    """What the dealer pastes on a website not built on this project."""
    key = embed_key_for(organization=request.organization).public_key

    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(f"embed:{name}", args=[key]))

    return {
        "script": f'<script src="{url("carousel_js")}" async></script>',
        "placeholder": "<div data-dealer-media-carousel></div>",
        "iframe": (
            f'<iframe src="{url("carousel_html")}" title="Special offers" width="1200" '
            'height="400" loading="lazy"></iframe>'
        ),
        "json": url("banners_json"),
    }


@require_POST
@role_required(Action.MANAGE_BANNERS)
def embed_key_rotate_view(request: HttpRequest) -> HttpResponse:
    """A new public key: the embeds pasted with the old one stop working at once."""
    embed_key_rotate(organization=request.organization)
    if wants_json(request):
        return JsonResponse({"snippets": _embed_snippets(request)})
    messages.success(
        request,
        "Your embed has a new key. Paste the new snippet on your website: the old one "
        "no longer shows banners.",
    )
    return redirect("banners:list")
