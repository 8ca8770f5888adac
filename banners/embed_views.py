"""The website embed's public endpoints (/embed/<public key>/...): no sign-in, no cookies.

Nothing here reads the session or the signed-in user, and nothing sets a cookie;
answers carry CORS for GET with no credentials. The GET answers are cached by
browsers and CDNs (``BANNERS_EMBED_MAX_AGE`` with ``stale-while-revalidate``) and
revalidated by ETag.
"""

from __future__ import annotations

import json

from csp.decorators import csp_replace
from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    JsonResponse,
)
from django.utils.cache import patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from . import counting
from . import embed as embed_answers
from .embed_keys import EmbedSite, embed_site
from .models import Banner
from .selectors import active_banners, safe_link

MAX_EVENT_BYTES = 4096
MAX_EVENT_BANNERS = 50


def _site_or_404(public_key: str) -> EmbedSite:
    site = embed_site(public_key=public_key)
    if site is None:
        raise Http404("No website embed has this key (it may have been replaced).")
    return site


def _public(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    """CORS without credentials, and no trace of a session on the answer."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Content-Type-Options"] = "nosniff"
    # The portal's middleware looked at the (absent) session: that needs no Vary: Cookie.
    session = getattr(request, "session", None)
    if session is not None:
        session.accessed = False
    return response


def _cached_answer(request: HttpRequest, public_key: str, kind: str) -> HttpResponse:
    site = _site_or_404(public_key)
    base_url = f"{request.scheme}://{request.get_host()}"
    answer = embed_answers.embed_answer(site=site, kind=kind, base_url=base_url)
    max_age = settings.BANNERS_EMBED_MAX_AGE
    stale = settings.BANNERS_EMBED_STALE_WHILE_REVALIDATE
    given = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if answer.etag in given or "*" in given:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(answer.body, content_type=answer.content_type)
    response["ETag"] = answer.etag
    response["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={stale}"
    patch_vary_headers(response, ["Accept-Encoding"])
    return _public(response, request)


@require_safe
def banners_json(request: HttpRequest, public_key: str) -> HttpResponse:
    """/embed/<public key>/banners.json: the feed for site builders who render themselves."""
    return _cached_answer(request, public_key, embed_answers.JSON)


@require_safe
def carousel_js(request: HttpRequest, public_key: str) -> HttpResponse:
    """/embed/<public key>/carousel.js: the script tag the dealer pastes."""
    return _cached_answer(request, public_key, embed_answers.SCRIPT)


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_safe
def carousel_html(request: HttpRequest, public_key: str) -> HttpResponse:
    """/embed/<public key>/carousel.html: for platforms that allow only an iframe."""
    return _cached_answer(request, public_key, embed_answers.FRAME)


def _parse_events(body: bytes) -> tuple[str, list[int]] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # 2,000 "[" fit in 4 kB
        return None
    if not isinstance(data, dict):
        return None
    page_view, ids = data.get("pv"), data.get("impressions")
    if not isinstance(page_view, str) or not counting.valid_page_view(page_view):
        return None
    if not isinstance(ids, list) or not 0 < len(ids) <= MAX_EVENT_BANNERS:
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return None
    return page_view, ids


@csrf_exempt
@require_POST
def events(request: HttpRequest, public_key: str) -> HttpResponse:
    """Batched impressions from navigator.sendBeacon: {"pv": "<page view>", "impressions": [ids]}."""
    site = _site_or_404(public_key)
    if len(request.body) > MAX_EVENT_BYTES:
        return _public(
            JsonResponse({"error": "Too many events in one request."}, status=413), request
        )
    parsed = _parse_events(request.body)
    if parsed is None:
        return _public(
            JsonResponse(
                {"error": 'Send {"pv": "<page view id>", "impressions": [banner ids]}.'},
                status=400,
            ),
            request,
        )
    page_view, ids = parsed
    shown = {slide.id for slide in active_banners(organization=site.organization)}
    known = sorted(set(ids) & shown)
    if not counting.is_bot(request.headers.get("User-Agent", "")) and known:
        counting.record(site=site, banner_ids=known, kind=counting.IMPRESSION, page_view=page_view)
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return _public(response, request)


@require_safe
def go(request: HttpRequest, public_key: str, banner: int) -> HttpResponse:
    """/embed/<public key>/go/<banner>: counts a click and goes to the banner's own link.

    Only ever to the banner's stored, checked link (never to a URL from the request),
    so it is no open redirect. A click counts with a page view id (added by our script)
    from something that is not a robot, once per page view.
    """
    site = _site_or_404(public_key)
    link = next(
        (
            slide.link_url
            for slide in active_banners(organization=site.organization)
            if slide.id == banner
        ),
        None,
    )
    if link is None:  # no longer shown today (a page open since yesterday): still its link
        row = Banner.objects.for_org(site.organization_id).filter(pk=banner).first()
        link = safe_link(row.link_url) if row else None
    target = embed_answers.banner_target(link=link, site=site, banner_id=banner) if link else ""
    if not target:
        raise Http404("This dealership has no such banner, or it has no link.")
    page_view = request.GET.get("pv", "")
    if counting.valid_page_view(page_view) and not counting.is_bot(
        request.headers.get("User-Agent", "")
    ):
        counting.record(site=site, banner_ids=[banner], kind=counting.CLICK, page_view=page_view)
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return _public(response, request)
