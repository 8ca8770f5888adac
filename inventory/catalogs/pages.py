"""The portal's Catalogs page: each catalog's URLs, who is in and who is left out (and why)."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dealer_media.tenancy.models import Organization
from dealer_media.tenancy.roles import Action, role_required

from ..models import Vehicle, VehiclePhoto
from .copies import copies_request
from .models import CatalogFeed, CatalogFetch
from .rows import Dealership, dealership_problems, left_out, vehicle_row, vehicles
from .rules import CATALOGS, PHOTO_COPY
from .tokens import feed_for, token_rotate

SHOWN_LEFT_OUT = 50


class CatalogSettingsForm(forms.ModelForm):
    photos = forms.ChoiceField(
        label="Photos in the catalogs",
        widget=forms.RadioSelect,
        choices=[
            ("feed", "The photos of your inventory feed, as they are"),
            (
                "library",
                "Our copies of them: resized JPEGs (up to 2048 px, no location data), "
                "served from Dealer Media",
            ),
        ],
    )

    class Meta:
        model = CatalogFeed
        fields = ["photos", "sold_recently_days"]
        labels = {"sold_recently_days": "Keep sold vehicles in Meta's catalog for (days)"}
        help_texts = {
            "sold_recently_days": "0 to 30. Meta shows them as not available that long (it "
            "has no “sold” state); 0 removes them at the next import. Google and TikTok drop "
            "a sold vehicle at once."
        }


class DealershipForm(forms.ModelForm):
    """The dealership's fields the catalogs carry (owners change them)."""

    class Meta:
        model = Organization
        fields = ["street_address", "city", "region", "postal_code", "country", "store_code"]


def _copies_progress(*, organization: Organization) -> dict:
    """How many photos of vehicles in stock have their copy made (the copies' state in between)."""
    photos = VehiclePhoto.objects.for_org(organization).filter(file__isnull=False)
    photos = photos.exclude(vehicle__availability=Vehicle.Availability.SOLD)
    ready = photos.filter(file__renditions__spec=PHOTO_COPY.spec)
    return {"total": photos.count(), "ready": ready.count()}


def catalog_report(*, organization: Organization, feed: CatalogFeed, request: HttpRequest) -> list:
    """Per catalog: its URLs, when each was last read, how many vehicles are in, who is out and why."""
    dealership = Dealership.of(organization, feed)
    fetches = {f.catalog: f for f in CatalogFetch.objects.for_org(organization)}
    report = []
    for catalog in CATALOGS.values():
        included, out_total, out, reasons = 0, 0, [], Counter()
        problems = dealership_problems(dealership=dealership, catalog=catalog)
        for vehicle in vehicles(organization=organization, dealership=dealership, catalog=catalog):
            why = left_out(
                vehicle_row(vehicle, dealership=dealership, catalog=catalog), catalog=catalog
            )
            if why:
                out_total += 1
                reasons.update(why)
                if len(out) < SHOWN_LEFT_OUT:
                    out.append({"vehicle": vehicle, "reasons": why})
            elif not problems:
                included += 1
        files = [
            {
                "name": name,
                "kind": name.rsplit(".", 1)[1].upper(),
                "url": request.build_absolute_uri(reverse("catalog_file", args=[feed.token, name])),
                "fetch": fetches.get(name),
            }
            for name in catalog.files
        ]
        report.append(
            {
                "catalog": catalog,
                "files": files,
                "included": included,
                "left_out": out,
                "left_out_total": out_total,
                "left_out_more": out_total - len(out),
                "reasons": reasons.most_common(),
                "problems": problems,
                "required": catalog.required,
            }
        )
    return report


def _page(request, *, settings_form=None, dealership_form=None, status=200) -> HttpResponse:
    organization = request.organization
    feed = feed_for(organization=organization)
    report = catalog_report(organization=organization, feed=feed, request=request)
    return render(
        request,
        "marketing/catalogs.html",
        {
            "feed": feed,
            "catalogs": report,
            "settings_form": settings_form or CatalogSettingsForm(instance=feed),
            "dealership_form": dealership_form or DealershipForm(instance=organization),
            "copies": _copies_progress(organization=organization)
            if feed.photos == CatalogFeed.Photos.LIBRARY
            else None,
            "any_problems": any(entry["problems"] for entry in report),
        },
        status=status,
    )


@require_GET
@role_required(Action.MANAGE_CATALOGS)
def catalogs(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@role_required(Action.MANAGE_CATALOGS)
def catalogs_rotate(request: HttpRequest) -> HttpResponse:
    """A new secret token: the old URLs stop working now; paste the new ones where they are read."""
    token_rotate(organization=request.organization)
    messages.success(
        request,
        "Made new catalog URLs; the old ones answer “not found” from now on. Paste the new "
        "URLs in Meta Commerce Manager, Google Merchant Center and TikTok.",
    )
    return redirect("inventory:catalogs")


@require_POST
@role_required(Action.MANAGE_CATALOGS)
def catalogs_settings(request: HttpRequest) -> HttpResponse:
    form = CatalogSettingsForm(request.POST, instance=feed_for(organization=request.organization))
    if not form.is_valid():
        return _page(request, settings_form=form, status=400)
    feed = form.save()
    if feed.photos == CatalogFeed.Photos.LIBRARY:
        copies_request(organization_id=request.organization.pk)
    messages.success(request, "Saved what the catalogs carry.")
    return redirect("inventory:catalogs")


@require_POST
@role_required(Action.CHANGE_SETTINGS)
def dealership_save(request: HttpRequest) -> HttpResponse:
    """The address and store code the catalogs carry: owners change the dealership's settings."""
    organization = request.organization
    form = DealershipForm(request.POST, instance=organization)
    if not form.is_valid():
        organization.refresh_from_db()
        return _page(request, dealership_form=form, status=400)
    form.save()
    messages.success(request, "Saved your dealership's address and store code.")
    return redirect("inventory:catalogs")
