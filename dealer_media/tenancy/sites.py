"""The dealership whose public website a request is for, found by its host name.

The pattern of ``django.contrib.sites``: a cached lookup by host name, a
middleware that puts the answer on the request, and the cache cleared when an
organization is saved or deleted. One deployment serves many dealers' sites.

The cache is Django's (shared between workers when Redis is configured). Entries
carry a version that every Organization save or delete bumps, so a changed host
name list is seen by every worker at once, without knowing the old names.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Organization, normalize_host

VERSION_KEY = "tenancy:sites:version"
NOT_FOUND = 0  # cached answer for a host name no dealership uses
HOST_CACHE_SECONDS = 3600


def _version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh, never-used number: after an eviction, old entries cannot come back.
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def clear_site_cache(**kwargs) -> None:
    """Forget every cached host name lookup (connected to Organization save and delete)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def organization_for_host(host: str) -> Organization | None:
    """The dealership serving ``host`` (a Host header, port allowed), or None."""
    domain = normalize_host(host)
    if not domain:
        return None
    key = f"tenancy:site:{domain}"
    version = _version()
    cached = cache.get(key, version=version)
    if cached is not None:
        return cached or None
    organization = Organization.objects.serving_host(domain)
    cache.set(key, organization or NOT_FOUND, HOST_CACHE_SECONDS, version=version)
    return organization


def get_site_organization(request: HttpRequest) -> Organization | None:
    return organization_for_host(request.get_host())


class SiteOrganizationMiddleware:
    """Sets ``request.site_organization``: the dealership whose public site this is.

    Lazy, so portal and admin requests never pay for the lookup. A view may set
    it itself (the demo site at /site/<slug>/ does).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site_organization = SimpleLazyObject(lambda: get_site_organization(request))
        return self.get_response(request)
