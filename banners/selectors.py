"""Reads of banners for the dealer's website: what is active today, in the dealer's order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from dealer_media.tenancy.models import Organization

from . import cache as banner_cache
from .models import Banner, validate_link


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

    Candidates are the pictures whose width is known. Today that is the original
    image; when the processing pipeline adds a display rendition (longest side
    1280), list it here first. With no known width the srcset stays empty and the
    browser uses ``src``, the original image.
    """
    src = banner.image_url
    candidates = []
    if src and banner.image_width:
        candidates.append(f"{src} {banner.image_width}w")
    return src, ", ".join(candidates)


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
