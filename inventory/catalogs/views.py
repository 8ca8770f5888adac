"""The public catalog URLs: ``/catalog/<token>/meta.csv`` and the others.

No session, no user: the token names the dealership. The answer is streamed
(rows read in chunks, written as they come, gzipped on the fly when asked), with
an ETag and Last-Modified from the catalogs' version, so a fetcher that already
has it gets a 304 that costs no database query. Each fetch is logged per file,
at most once a minute (a cache mark), so repeated reads stay query-free.
"""

import zlib
from collections.abc import Iterable, Iterator

from django.core.cache import cache
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from dealer_media.tenancy.models import Organization

from ..models import VehiclePhoto
from .copies import copies_request, photo_copy
from .models import CatalogFeed, CatalogFetch
from .rows import Dealership, catalog_rows
from .rules import FILES
from .tokens import catalog_site, content_version
from .writers import delimited, meta_xml

FETCH_LOG_SECONDS = 60
PHOTO_CACHE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}


def _gzip(chunks: Iterable[str]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip framing
    for chunk in chunks:
        data = compressor.compress(chunk.encode())
        if data:
            yield data
    yield compressor.flush()


def record_fetch(*, organization_id: int, name: str, user_agent: str) -> None:
    """When the file was last read, and by whom: written at most once a minute per file."""
    if not cache.add(f"inventory:catalog-fetch:{organization_id}:{name}", 1, FETCH_LOG_SECONDS):
        return
    now = timezone.now()
    row, created = CatalogFetch.objects.get_or_create(
        organization_id=organization_id,
        catalog=name,
        defaults={"last_fetched_at": now, "last_user_agent": user_agent[:300], "fetches": 1},
    )
    if not created:
        CatalogFetch.objects.filter(pk=row.pk).update(
            last_fetched_at=now, last_user_agent=user_agent[:300], fetches=row.fetches + 1
        )


def _body(organization_id: int, name: str, request: HttpRequest) -> Iterator[str]:
    organization = Organization.objects.get(pk=organization_id)
    feed, _ = CatalogFeed.objects.get_or_create(organization=organization)
    dealership = Dealership.of(organization, feed)
    catalog = FILES[name]

    # /catalog/<token>/photo/<id>.jpg, made without a reverse() per photo.
    first = request.build_absolute_uri(reverse("catalog_photo", args=[feed.token, 0]))
    prefix = first.removesuffix("/0.jpg")

    def photo_url(photo) -> str:
        return f"{prefix}/{photo.pk}.jpg"

    rows = catalog_rows(
        organization=organization, dealership=dealership, catalog=catalog, photo_url=photo_url
    )
    if name.endswith(".xml"):
        return meta_xml(rows, catalog=catalog, title=f"{organization.name} vehicles")
    return delimited(rows, catalog=catalog, delimiter="\t" if name.endswith(".tsv") else ",")


@require_safe
def catalog_file(request: HttpRequest, token: str, name: str) -> HttpResponse:
    """One catalog file of the dealership the token names; 404 for any other token."""
    site = catalog_site(token=token)
    if site is None or name not in FILES:
        raise Http404("No such catalog.")
    version, changed = content_version(site.organization_id)
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    etag = f'"{version:x}-{name}{"-gz" if gzipped else ""}"'
    modified = http_date(changed)
    record_fetch(
        organization_id=site.organization_id,
        name=name,
        user_agent=request.headers.get("User-Agent", ""),
    )
    not_modified = etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    if not not_modified and "If-None-Match" not in request.headers:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        not_modified = since is not None and int(changed) <= since
    if not_modified:
        response = HttpResponseNotModified()
    elif request.method == "HEAD":
        response = HttpResponse(content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    else:
        body = _body(site.organization_id, name, request)
        content = _gzip(body) if gzipped else (chunk.encode() for chunk in body)
        response = StreamingHttpResponse(
            content, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]]
        )
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = modified
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def catalog_photo(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """Our copy of a vehicle's photo at a URL that never changes: the stored JPEG, streamed.

    Cached for a year by anyone (the copy of a photo never changes; a new photo
    has a new URL), with an ETag. Without a copy yet (or another photo choice),
    a temporary redirect to the feed's own photo, and the copy is asked for.
    """
    site = catalog_site(token=token)
    if site is None:
        raise Http404("No such catalog.")
    photo = VehiclePhoto.objects.for_org(site.organization_id).filter(pk=pk).first()
    if photo is None:
        raise Http404("No such photo.")
    made = photo_copy(photo=photo)
    if made is None or not made.file:
        if photo.file_id is not None:
            copies_request(organization_id=site.organization_id)
        response = HttpResponseRedirect(photo.source_url)
        response["Cache-Control"] = "no-store"
        return response
    etag = f'"{made.file.name.rsplit("/", 1)[-1].split(".", 1)[0]}"'
    headers = {
        "ETag": etag,
        "Cache-Control": PHOTO_CACHE,
        "Last-Modified": http_date(made.created_at.timestamp()),
        "X-Robots-Tag": "noindex",
    }
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    elif request.method == "HEAD":
        response = HttpResponse(content_type="image/jpeg")
        response["Content-Length"] = str(made.size_bytes)
    else:
        response = FileResponse(made.file.open("rb"), content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="vehicle-photo-{photo.pk}.jpg"'
    for name, value in headers.items():
        response[name] = value
    response["X-Content-Type-Options"] = "nosniff"
    return response
