"""The portal's inventory pages: the vehicles, and where the feed comes from."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dealer_media import broker
from dealer_media.tenancy.roles import Action, role_required

from . import reels, rules, selectors, sources
from .forms import SourceForm
from .models import Vehicle
from .settings_page import settings_page

PAGE_SIZE = 50


@require_GET
@role_required(Action.VIEW)
def inventory(request: HttpRequest) -> HttpResponse:
    """Every vehicle with its cover, price (and the one before a drop), status and days in stock."""
    return _inventory_page(request)


def _inventory_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    organization = request.organization
    filters = {
        key: request.GET.get(key, "").strip() for key in ("q", "state", "availability", "make")
    }
    vehicles = selectors.vehicle_list(organization=organization, **filters)
    page = Paginator(vehicles, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate(timezone=organization.tzinfo)
    for vehicle in page.object_list:
        vehicle.days_in_stock = selectors.days_in_stock(
            vehicle, today=today, tzinfo=organization.tzinfo
        )
        vehicle.cover_url = selectors.cover_url(vehicle)
        vehicle.latest_reel = selectors.latest_reel(vehicle)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "marketing/inventory.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(filters.values()),
            "query_without_page": query.urlencode(),
            "states": Vehicle.State.choices,
            "availabilities": Vehicle.Availability.choices,
            "makes": selectors.makes(organization=organization),
            "source": sources.source_for(organization=organization),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Action.VIEW, POST=Action.CHANGE_SETTINGS)
def inventory_settings(request: HttpRequest) -> HttpResponse:
    """Where the feed comes from and how often; the last imports and what they refused."""
    if request.method != "POST":
        return settings_page(request)
    form = SourceForm(request.POST)
    if not form.is_valid():
        return settings_page(request, form=form, status=400)
    sources.source_save(organization=request.organization, **form.cleaned_data)
    messages.success(request, "Saved the inventory feed settings.")
    return redirect("inventory:settings")


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def inventory_fetch(request: HttpRequest) -> HttpResponse:
    """Fetch the feed now, in the worker."""
    source = sources.source_for(organization=request.organization)
    if source.pk is None or not source.feed_url:
        messages.error(request, "Add your feed URL first.")
        return redirect("inventory:settings")
    if refused := sources.fetch_now_refusal(source=source):
        messages.error(request, refused.message)
        response = settings_page(request, status=refused.status)
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    broker.send_on_commit(broker.IMPORT_INVENTORY_SOURCE, source.pk)
    messages.success(request, "Fetching your feed now; the import shows below when it is done.")
    return redirect("inventory:settings")


@require_POST
@role_required(Action.DRAFT)
def vehicle_post(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Post": a draft of the vehicle's first photos with the rule's caption, to review."""
    vehicle = Vehicle.objects.for_org(request.organization).filter(pk=pk).first()
    if vehicle is None:
        raise Http404("No such vehicle in this dealership.")
    media = rules.vehicle_draft(vehicle=vehicle)
    if media is None:
        messages.error(request, "This vehicle has no photo in the library yet.")
        return redirect("inventory:list")
    messages.success(request, f"Drafted “{media.title}” with {len(media.items())} photos.")
    return redirect("media_content:approval", pk=media.pk)


@require_POST
@role_required(Action.DRAFT)
def vehicle_reel(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Make a Reel": the worker makes it from the vehicle's photos; the list shows it."""
    vehicle = (
        Vehicle.objects.for_org(request.organization)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if vehicle is None:
        raise Http404("No such vehicle in this dealership.")
    try:
        reels.reel_request(vehicle=vehicle, requested_by=request.user)
    except reels.ReelRefused as refused:
        messages.error(request, refused.message)
        return _inventory_page(request, status=refused.status)
    messages.success(
        request,
        f"Making the Reel of the {vehicle.year} {vehicle.make} {vehicle.model}; "
        "it shows in the list when it is ready (a minute or two).",
    )
    return redirect("inventory:list")
