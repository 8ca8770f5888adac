"""The public demo homepage of a dealer's website, built on the banner template tags."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from dealer_media.tenancy.models import Organization


def _render_home(request: HttpRequest, organization: Organization) -> HttpResponse:
    return render(request, "site_demo/home.html", {"organization": organization})


@require_safe
def demo_site(request: HttpRequest, slug: str) -> HttpResponse:
    """/site/<slug>/: the dealer's homepage as if served on its own host name."""
    organization = get_object_or_404(Organization, slug=slug)
    request.site_organization = organization
    return _render_home(request, organization)


@require_safe
def site_root(request: HttpRequest) -> HttpResponse:
    """/ on a dealer's host name (e.g. sunrise.localhost) is its homepage; else the portal."""
    organization = getattr(request, "site_organization", None)
    if organization:
        return _render_home(request, organization)
    return redirect("media_content:library")
