"""Template tags for a dealer's website: ``{% load banners %}``.

``{% active_banners as banners %}`` gives the active banners of the site's
dealership (found from the request's host name by SiteOrganizationMiddleware);
``{% active_banners org as banners %}`` takes the dealership explicitly.
``{% banner_carousel %}`` renders the advertisement carousel; options:
``{% banner_carousel org interval=8 label="Offers" banners=banners %}``.
"""

from __future__ import annotations

from django import template

from dealer_media.tenancy.models import Organization

from ..selectors import Slide
from ..selectors import active_banners as select_active_banners

register = template.Library()

DEFAULT_INTERVAL_SECONDS = 5


def _site_organization(context) -> Organization | None:
    request = context.get("request")
    organization = getattr(request, "site_organization", None) if request else None
    return organization or None


@register.simple_tag(takes_context=True, name="active_banners")
def active_banners(context, organization: Organization | None = None) -> list[Slide]:
    return select_active_banners(organization=organization or _site_organization(context))


def _interval_ms(value) -> int:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = DEFAULT_INTERVAL_SECONDS
    return int(max(seconds, 1.0) * 1000)


@register.inclusion_tag("banners/carousel.html", takes_context=True)
def banner_carousel(
    context,
    organization: Organization | None = None,
    interval=DEFAULT_INTERVAL_SECONDS,
    label: str = "Special offers",
    banners: list[Slide] | None = None,
    assets: bool = True,
) -> dict:
    """The AdvertisementCarousel; renders nothing at all when no banner is active."""
    if banners is None:
        banners = select_active_banners(organization=organization or _site_organization(context))
    return {
        "slides": banners,
        "interval_ms": _interval_ms(interval),
        "label": label,
        "assets": assets,
    }
