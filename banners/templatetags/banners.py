"""Template tags for a dealer's website: ``{% load banners %}``.

``{% active_banners as banners %}`` gives the active banners of the site's
dealership (found from the request's host name by SiteOrganizationMiddleware);
``{% active_banners org as banners %}`` takes the dealership explicitly.
``{% banner_carousel %}`` renders the advertisement carousel; options:
``{% banner_carousel org interval=8 label="Offers" %}`` (or ``banners=banners``
to show a list of your own).
"""

from __future__ import annotations

import hashlib

from django import template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from dealer_media.tenancy.models import Organization

from .. import cache as banner_cache
from ..selectors import Slide, local_today
from ..selectors import active_banners as select_active_banners

register = template.Library()

DEFAULT_INTERVAL_SECONDS = 5
CAROUSEL_TEMPLATE = "banners/carousel.html"
CAROUSEL_SCRIPTS = ("banners/carousel-core.js", "banners/carousel.js")


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


def _render(slides: list[Slide], interval_ms: int, label: str, assets: bool) -> str:
    return render_to_string(
        CAROUSEL_TEMPLATE,
        {"slides": slides, "interval_ms": interval_ms, "label": label, "assets": assets},
    )


@register.simple_tag(takes_context=True)
def banner_carousel(
    context,
    organization: Organization | None = None,
    interval=DEFAULT_INTERVAL_SECONDS,
    label: str = "Special offers",
    banners: list[Slide] | None = None,
    assets: bool = True,
) -> SafeString:
    """The AdvertisementCarousel; renders nothing at all when no banner is active.

    The rendered HTML is cached beside the active banners (same organization
    version and local date), so a cached carousel costs two cache reads.
    """
    interval_ms = _interval_ms(interval)
    label = str(label)
    if banners is not None:
        return mark_safe(_render(banners, interval_ms, label, bool(assets)))  # noqa: S308
    organization = organization or _site_organization(context)
    if not organization:
        return mark_safe("")
    # The static URLs are in the key: a deploy with new asset hashes renders afresh.
    variant = hashlib.sha1(
        "|".join(
            [str(interval_ms), label, str(bool(assets)), *map(static, CAROUSEL_SCRIPTS)]
        ).encode(),
        usedforsecurity=False,
    ).hexdigest()[:16]
    day = local_today(organization=organization)
    version = banner_cache.current_version(organization.pk)
    html = banner_cache.get_fragment(organization.pk, day, variant, version)
    if html is None:
        slides = select_active_banners(organization=organization)
        html = _render(slides, interval_ms, label, bool(assets))
        banner_cache.set_fragment(organization.pk, day, variant, html, version)
    return mark_safe(html)  # noqa: S308 - rendered by our autoescaping template
