"""Reads of banners for the dealer's website: what is active today, in the dealer's order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from . import cache as banner_cache
from .display import DISPLAY_WIDTH
from .models import Banner, validate_link

# The widest picture a carousel offers: the display copy's width on a 2x screen.
SRCSET_MAX_WIDTH = 2 * DISPLAY_WIDTH


@dataclass(frozen=True)
class Slide:
    """One banner as the website shows it: plain data, cheap to cache and to render."""

    id: int
    title: str
    link_url: str  # "" when the banner has no link, or a stored link fails the check
    image_url: str
    srcset: str
    width: int | None
    height: int | None
    # For the embed's JSON feed: the dates and each picture with its width.
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    display_url: str = ""
    display_width: int | None = None
    original_url: str = ""


def local_today(*, organization: Organization) -> datetime.date:
    """Today in the dealership's time zone: banners start and end on local days."""
    return timezone.localdate(timezone=organization.tzinfo)


def banners_active_on(*, organization: Organization, day: datetime.date) -> QuerySet[Banner]:
    """Active banners on ``day``; an empty start or end date leaves that side open."""
    return (
        Banner.objects.for_org(organization)
        .filter(is_active=True)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=day))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("sort_order", "pk")
    )


def safe_link(value: str) -> str:
    """The link if it passes the save-time check, else nothing (checked again at render)."""
    try:
        validate_link(value)
    except ValidationError:
        return ""
    return value.strip()


def image_sources(banner: Banner) -> tuple[str, str]:
    """The ``src`` and ``srcset`` of a banner's picture.

    ``src`` is the display copy (at most 1280 px wide) when there is one, so a
    browser without srcset still gets the light picture; the srcset offers it
    and the original, each with its width, and the browser picks by screen.
    An original wider than ``SRCSET_MAX_WIDTH`` is never offered: no screen
    needs it, and a visitor's browser would fetch it. With no known width the
    srcset stays empty.
    """
    candidates = []
    if banner.display and banner.display_width:
        candidates.append(f"{banner.display_url} {banner.display_width}w")
    if banner.image and banner.image_width and banner.image_width <= SRCSET_MAX_WIDTH:
        candidates.append(f"{banner.image_url} {banner.image_width}w")
    return banner.display_url or banner.image_url, ", ".join(candidates)


def slide_from_banner(banner: Banner) -> Slide:
    src, srcset = image_sources(banner)
    return Slide(
        id=banner.pk,
        title=banner.title,
        link_url=safe_link(banner.link_url),
        image_url=src,
        srcset=srcset,
        width=banner.image_width,
        height=banner.image_height,
        start_date=banner.start_date,
        end_date=banner.end_date,
        display_url=banner.display_url if banner.display_width else "",
        display_width=banner.display_width if banner.display else None,
        original_url=banner.image_url,
    )


def active_banners(*, organization: Organization | None) -> list[Slide]:
    """The dealership's banners shown today, first first; cached, so usually no query."""
    if not organization:
        return []
    day = local_today(organization=organization)
    version = banner_cache.current_version(organization.pk)
    cached = banner_cache.get_active(organization.pk, day, version)
    if cached is not None:
        return cached
    slides = [
        slide_from_banner(banner)
        for banner in banners_active_on(organization=organization, day=day)
        if banner.image
    ]
    banner_cache.set_active(organization.pk, day, slides, version)
    return slides
