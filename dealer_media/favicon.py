"""``/favicon.ico``: browsers and crawlers ask for it on every site, whatever the page links.

The pages link ``static/img/favicon.svg`` (and the .ico); this answers the root path with
the same .ico, straight from the static files (no redirect to a hashed name that a
browser would keep after the next deploy).
"""

from functools import cache

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

FAVICON = "img/favicon.ico"
MAX_AGE = 60 * 60 * 24  # a day: a new icon shows by the next day


@cache
def _favicon_bytes() -> bytes | None:
    path = finders.find(FAVICON)
    if not path:
        return None
    with open(path, "rb") as icon:
        return icon.read()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    icon = _favicon_bytes()
    if icon is None:
        raise Http404("No favicon among the static files.")
    response = HttpResponse(icon, content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
